//! The nightly report: one self-contained HTML page (inline CSS and SVG, no network) with
//! the headline figures and charts, in Chinese and English. Every figure on it is read
//! from a summary frame; nothing is computed twice.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{Context, Result};
use polars::prelude::*;

/// The summaries the report reads, by name.
pub type Summaries<'a> = BTreeMap<&'a str, &'a DataFrame>;

fn frame<'a>(s: &Summaries<'a>, name: &str) -> Result<&'a DataFrame> {
    s.get(name).copied().with_context(|| format!("the report needs the summary `{name}`"))
}

use crate::frames::column_texts as texts;

/// A column as numbers, for drawing only (nulls as 0).
fn numbers(df: &DataFrame, name: &str) -> Result<Vec<f64>> {
    Ok(texts(df, name)?.iter().map(|t| t.parse::<f64>().unwrap_or(0.0)).collect())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Group separators for display, a dash for an unknown (empty) figure.
fn grouped(s: &str) -> String {
    if s.is_empty() { "—".to_string() } else { crate::values::group_digits(s) }
}

/// A horizontal bar chart: one bar (or two stacked) per label.
fn bars(title: &str, labels: &[String], a: &[f64], b: Option<&[f64]>, a_text: &[String], legend: (&str, &str)) -> String {
    let max = labels
        .iter()
        .enumerate()
        .map(|(i, _)| a[i] + b.map(|b| b[i]).unwrap_or(0.0))
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let row_h = 22;
    let label_w = 170;
    // the value text sits right of the longest bar: the bars leave it room (about 6 px a
    // character at 11 px) inside the 760 px of the chart
    let longest = a_text.iter().map(|t| t.chars().count()).max().unwrap_or(0) as f64;
    let bar_w = (760.0 - label_w as f64 - 12.0 - longest * 6.6).max(160.0);
    let h = labels.len() * row_h + 34;
    let mut svg = format!(r#"<figure><figcaption>{}</figcaption><svg viewBox="0 0 760 {h}" width="760" height="{h}" role="img">"#, esc(title));
    for (i, l) in labels.iter().enumerate() {
        let y = 8 + i * row_h;
        let wa = a[i] / max * bar_w;
        let wb = b.map(|b| b[i] / max * bar_w).unwrap_or(0.0);
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" class="l">{}</text><rect x="{label_w}" y="{y}" width="{wa:.1}" height="16" class="a"/>"#,
            label_w - 6,
            y + 12,
            esc(l)
        );
        if b.is_some() {
            let _ = write!(svg, r#"<rect x="{:.1}" y="{y}" width="{wb:.1}" height="16" class="b"/>"#, label_w as f64 + wa);
        }
        let _ = write!(svg, r#"<text x="{:.1}" y="{}" class="v">{}</text>"#, label_w as f64 + wa + wb + 6.0, y + 12, esc(&a_text[i]));
    }
    let ly = labels.len() * row_h + 20;
    let _ = write!(svg, r#"<rect x="{label_w}" y="{}" width="12" height="10" class="a"/><text x="{}" y="{ly}" class="v">{}</text>"#, ly - 9, label_w + 16, esc(legend.0));
    if b.is_some() {
        let _ = write!(svg, r#"<rect x="{}" y="{}" width="12" height="10" class="b"/><text x="{}" y="{ly}" class="v">{}</text>"#, label_w + 180, ly - 9, label_w + 196, esc(legend.1));
    }
    svg += "</svg></figure>";
    svg
}

/// What an empty table or chart shows.
const NONE: &str = r#"<p class="none">无 · none</p>"#;

fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    if rows.is_empty() {
        return NONE.to_string();
    }
    let mut t = String::from("<table><thead><tr>");
    for h in headers {
        let _ = write!(t, "<th>{}</th>", esc(h));
    }
    t += "</tr></thead><tbody>";
    for r in rows {
        t += "<tr>";
        for c in r {
            let _ = write!(t, "<td>{}</td>", esc(c));
        }
        t += "</tr>";
    }
    t += "</tbody></table>";
    t
}

/// The figures the page shows, as JSON inside it: what a test compares to the summaries.
#[derive(Debug, Default, serde::Serialize)]
pub struct Figures {
    /// The headline summary's figures, by column.
    pub headline: Vec<(String, String)>,
    /// (as of, eligible, enrolled, coverage, outstanding) of each published run and this one.
    pub trend: Vec<Vec<String>>,
    pub districts: Vec<(String, f64, f64, f64)>,
    pub causes: Vec<(String, String, String)>,
    pub countries: Vec<(String, String, String)>,
    pub quarters: Vec<(String, i64, String, String)>,
    pub closest_to_cap: Vec<(String, String, String)>,
    pub rejects: Vec<(String, String, i64)>,
}

/// What the report knows besides this run's summaries: the headline of earlier published
/// runs (oldest first) and the city's district names.
#[derive(Debug)]
pub struct ReportContext<'a> {
    /// (as-of date, that run's `headline` summary), oldest first.
    pub history: &'a [(String, DataFrame)],
    /// District code → name, from the config's `[districts]`.
    pub districts: &'a BTreeMap<String, String>,
}

/// One figure of the headline as text ("" when the summary has no such column).
fn headline_value(df: &DataFrame, name: &str) -> String {
    texts(df, name).ok().and_then(|v| v.into_iter().next()).unwrap_or_default()
}

/// A card: the figure, its label, and its change since the previous run.
fn card(value: &str, label: &str, previous: Option<(&str, &str)>, unit: &str) -> String {
    let delta = previous
        .and_then(|(date, before)| {
            let (a, b) = (value.parse::<f64>().ok()?, before.parse::<f64>().ok()?);
            let d = a - b;
            let decimals = value.split('.').nth(1).map_or(0, str::len);
            let text = if d == 0.0 { "±0".to_string() } else { format!("{}{}", if d > 0.0 { "+" } else { "−" }, crate::values::group_digits(&format!("{:.*}", decimals, d.abs()))) };
            Some(format!(r#"<i>较上次 since {date}: {text}</i>"#))
        })
        .unwrap_or_default();
    format!(r#"<div><b>{unit}{}</b>{}{delta}</div>"#, esc(&grouped(value)), esc(label))
}

/// Render the report of one run.
pub fn render(as_of: &str, period_id: &str, s: &Summaries, ctx: &ReportContext) -> Result<String> {
    let mut fig = Figures::default();
    let mut body = String::new();
    let district_label = |code: &str| match ctx.districts.get(code) {
        Some(name) => format!("{name} {code}"),
        None => code.to_string(),
    };

    // the headline: money first, then firms, then what needs a person
    let head = frame(s, "headline")?;
    let previous = ctx.history.last();
    let prev = |name: &str| previous.map(|(d, df)| (d.as_str(), headline_value(df, name)));
    let c = |name: &str, label: &str, unit: &str| {
        let p = prev(name);
        card(&headline_value(head, name), label, p.as_ref().map(|(d, v)| (*d, v.as_str())), unit)
    };
    fig.headline = ["subsidy_cny", "premium_not_eligible_cny", "paid_usd", "outstanding_usd", "firms", "eligible", "eligible_enrolled", "coverage_rate", "blacklist_hits", "possible_matches_open", "possible_matches_new", "obligors_capped"]
        .iter()
        .map(|n| (n.to_string(), headline_value(head, n)))
        .collect();
    body += r#"<section class="cards">"#;
    body += &c("subsidy_cny", "财政保费扶持 city premium subsidy (CNY)", "¥");
    body += &c("premium_not_eligible_cny", "不符合条件的已投保企业保费 premiums of enrolled firms not eligible (CNY)", "¥");
    body += &c("paid_usd", "已赔付 indemnity paid (USD)", "$");
    body += &c("outstanding_usd", "未决赔款 indemnity outstanding (USD)", "$");
    body += "</section><section class=\"cards\">";
    body += &c("firms", "登记企业 firms", "");
    body += &c("eligible", "符合条件 eligible", "");
    body += &c("eligible_enrolled", "符合条件且已投保 eligible & enrolled", "");
    let coverage = headline_value(head, "coverage_rate");
    let coverage_pct = coverage.parse::<f64>().map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|_| "—".into());
    let _ = write!(body, r#"<div><b>{coverage_pct}</b>覆盖率 coverage</div>"#);
    body += "</section><section class=\"cards\">";
    body += &c("blacklist_hits", "名单命中 blacklist hits", "");
    let open = headline_value(head, "possible_matches_open");
    let new = headline_value(head, "possible_matches_new");
    let _ = write!(body, r#"<div><b>{}</b>待复核疑似匹配 possible matches to review<i>其中新增 new since the last run: {}</i></div>"#, esc(&grouped(&open)), esc(&grouped(&new)));
    let _ = write!(
        body,
        r#"<div><b>{}</b>限额已用尽的买方/开证行 obligors whose cap is used up<i>共 of {} obligors</i></div>"#,
        esc(&grouped(&headline_value(head, "obligors_capped"))),
        esc(&grouped(&headline_value(head, "obligors")))
    );
    body += "</section>";

    // the trend across the published runs
    if !ctx.history.is_empty() {
        let mut rows: Vec<Vec<String>> = Vec::new();
        for (date, df) in ctx.history.iter().map(|(d, df)| (d.as_str(), df)).chain(std::iter::once((as_of, head))) {
            let rate = headline_value(df, "coverage_rate").parse::<f64>().map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|_| "—".into());
            rows.push(vec![date.to_string(), grouped(&headline_value(df, "eligible")), grouped(&headline_value(df, "eligible_enrolled")), rate, grouped(&headline_value(df, "outstanding_usd"))]);
        }
        fig.trend = rows.clone();
        body += "<h2>历次运行趋势 · Trend across published runs</h2>";
        body += &table(&["评估日 as of", "符合条件 eligible", "已投保 enrolled", "覆盖率 coverage", "未决赔款 outstanding (USD)"], &rows);
    }

    // enrollment and coverage by district (summed over the export bands of the summary)
    let ebd = frame(s, "enrollment_by_district_band")?;
    let (district, eligible, enrolled_eligible, firms) =
        (texts(ebd, "district")?, numbers(ebd, "eligible")?, numbers(ebd, "eligible_enrolled")?, numbers(ebd, "firms")?);
    let band = texts(ebd, "export_band")?;
    let mut by_district: BTreeMap<String, (f64, f64, f64)> = BTreeMap::new();
    // enrolled applications of unknown firms are no firm of the district
    for i in (0..district.len()).filter(|&i| band[i] != "unknown_firm") {
        let e = by_district.entry(district[i].clone()).or_default();
        e.0 += firms[i];
        e.1 += eligible[i];
        e.2 += enrolled_eligible[i];
    }
    let rate = |e: f64, ee: f64| if e > 0.0 { format!("{:.1}%", ee / e * 100.0) } else { "—".to_string() };
    let labels: Vec<String> = by_district.keys().map(|k| district_label(k)).collect();
    let enrolled: Vec<f64> = by_district.values().map(|v| v.2).collect();
    let not_enrolled: Vec<f64> = by_district.values().map(|v| v.1 - v.2).collect();
    let count = |v: f64| crate::values::group_digits(&format!("{v:.0}"));
    let rates: Vec<String> = by_district.values().map(|v| format!("{} / {} ({})", count(v.2), count(v.1), rate(v.1, v.2))).collect();
    fig.districts = by_district.iter().map(|(k, v)| (k.clone(), v.0, v.1, v.2)).collect();
    body += "<h2>各区投保覆盖 · Enrollment and coverage by district</h2>";
    body += &bars("符合条件企业：已投保 / 未投保 · eligible firms: enrolled / not enrolled", &labels, &enrolled, Some(&not_enrolled), &rates, ("已投保 enrolled", "未投保 not enrolled"));

    // exposure by cause and by country
    for (name, key, title, target) in [
        ("exposure_by_cause", "cause", "按损失原因的赔付敞口 · Exposure by cause of loss (USD)", 0),
        ("exposure_by_country", "obligor_country", "按买方国别的赔付敞口 · Exposure by obligor country (USD)", 1),
    ] {
        let df = frame(s, name)?;
        let codes = texts(df, key)?;
        let labels: Vec<String> = codes.iter().map(|c| if target == 0 { crate::labels::both(c) } else { c.clone() }).collect();
        let (paid, out) = (numbers(df, "paid_usd")?, numbers(df, "outstanding_usd")?);
        let (paid_t, out_t) = (texts(df, "paid_usd")?, texts(df, "outstanding_usd")?);
        let shown: Vec<String> = (0..labels.len()).map(|i| format!("{} + {}", grouped(&paid_t[i]), grouped(&out_t[i]))).collect();
        let rows: Vec<(String, String, String)> = (0..labels.len()).map(|i| (codes[i].clone(), paid_t[i].clone(), out_t[i].clone())).collect();
        if target == 0 {
            fig.causes = rows;
        } else {
            fig.countries = rows;
        }
        let _ = write!(body, "<h2>{}</h2>", esc(title));
        if labels.is_empty() {
            body += NONE;
        } else {
            body += &bars(title, &labels, &paid, Some(&out), &shown, ("已赔付 paid", "未决 outstanding"));
        }
    }

    // claims by quarter with the year-on-year change
    let q = frame(s, "claims_by_quarter")?;
    let (years, quarters, counts) = (texts(q, "year")?, texts(q, "quarter")?, numbers(q, "claims")?);
    let (yoy, paid, paid_yoy) = (texts(q, "claims_yoy_pct")?, texts(q, "paid_indemnity_usd")?, texts(q, "paid_indemnity_yoy_pct")?);
    let labels: Vec<String> = (0..years.len()).map(|i| format!("{} Q{}", years[i], quarters[i])).collect();
    let shown: Vec<String> = (0..years.len())
        .map(|i| format!("{} ({}) · USD {} ({})", crate::values::group_digits(&format!("{:.0}", counts[i])), pct(&yoy[i]), grouped(&paid[i]), pct(&paid_yoy[i])))
        .collect();
    fig.quarters = (0..years.len()).map(|i| (labels[i].clone(), counts[i] as i64, yoy[i].clone(), paid[i].clone())).collect();
    body += "<h2>按季度的案件数与赔款（同比）· Claims and paid indemnity by quarter (year on year)</h2>";
    if labels.is_empty() {
        body += NONE;
    } else {
        body += &bars("案件数 claims", &labels, &counts, None, &shown, ("案件数 claims", ""));
    }

    // obligors closest to their cap
    let ob = frame(s, "obligor_exposure")?;
    let (pol, okey, left, cap, ind) =
        (texts(ob, "policy_no")?, texts(ob, "obligor_key")?, texts(ob, "capacity_left_usd")?, texts(ob, "cap_usd")?, texts(ob, "indemnity_usd")?);
    let top: Vec<usize> = (0..pol.len()).filter(|i| !cap[*i].is_empty()).take(10).collect();
    fig.closest_to_cap = top.iter().map(|&i| (pol[i].clone(), okey[i].clone(), left[i].clone())).collect();
    body += "<h2>最接近赔偿限额的买方/开证行 · Obligors closest to their cap</h2>";
    body += &table(
        &["保单 policy", "债务人 obligor", "已占用 taken (USD)", "限额 cap (USD)", "剩余 left (USD)"],
        &top.iter().map(|&i| vec![pol[i].clone(), okey[i].clone(), grouped(&ind[i]), grouped(&cap[i]), grouped(&left[i])]).collect::<Vec<_>>(),
    );

    // rejects by input and reason
    let rj = frame(s, "rejects_by_reason")?;
    let (inp, reason, rows) = (texts(rj, "input")?, texts(rj, "reason")?, texts(rj, "rejects")?);
    fig.rejects = (0..inp.len()).map(|i| (inp[i].clone(), reason[i].clone(), rows[i].parse().unwrap_or(0))).collect();
    body += "<h2>被拒数据行 · Rejected rows by input and reason</h2>";
    body += &table(
        &["输入 input", "原因 reason", "记录数 rejects"],
        &(0..inp.len()).map(|i| vec![crate::labels::both(&inp[i]), crate::labels::both(&reason[i]), grouped(&rows[i])]).collect::<Vec<_>>(),
    );

    let figures = serde_json::to_string(&fig)?.replace("</", "<\\/");
    Ok(format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>统保日报 tongbao report {as_of}</title>
<style>
body{{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:24px auto;max-width:820px;color:#1d2733}}
h1{{font-size:22px;margin:0 0 4px}} h2{{font-size:16px;margin:28px 0 6px;border-bottom:1px solid #d5dbe3;padding-bottom:4px}}
.sub{{color:#5b6775;font-size:13px}} .cards{{display:flex;gap:12px;margin-top:16px}}
.cards div{{flex:1;background:#f2f5f9;border-radius:6px;padding:10px;font-size:12px;color:#5b6775}}
.cards b{{display:block;font-size:22px;color:#1d2733;overflow-wrap:anywhere}} .cards i{{display:block;font-style:normal;font-size:11px;margin-top:4px}}
.none{{color:#5b6775;font-size:12px}}
figure{{margin:0}} figcaption{{font-size:12px;color:#5b6775;margin:4px 0}}
svg .l{{font-size:12px;text-anchor:end;fill:#1d2733}} svg .v{{font-size:11px;fill:#3a4654}}
svg .a{{fill:#2f6db5}} svg .b{{fill:#f0a541}}
table{{border-collapse:collapse;font-size:12px;width:100%}} th,td{{border-bottom:1px solid #e3e7ed;padding:4px 6px;text-align:left}}
</style></head><body>
<h1>统保日报 · tongbao nightly report</h1>
<div class="sub">评估日 as of {as_of} · 政策期 policy period {period_id}</div>
{body}
<script type="application/json" id="figures">{figures}</script>
</body></html>
"#
    ))
}

fn pct(v: &str) -> String {
    if v.is_empty() { "同比 —".to_string() } else { format!("同比 yoy {v}%") }
}
