//! `tongbao explain`: in plain words, in Chinese or English, why a firm is or is not
//! eligible and how a claim's indemnity was reached, as a published run decided it. Every
//! figure comes from the run's own tables and manifest, never from the inputs as they are
//! now: an input edited since the run does not change what the run is said to have done.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::schema::out;

/// The language of an explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

/// The columns explain reads that earlier versions did not publish, by table.
const NEEDED: [(&str, &[&str]); 3] = [
    (out::FIRM_ELIGIBILITY, &["company_type", "reg_status", "legal_rep_name"]),
    (out::CLAIM_INDEMNITY, &["indemnity_ratio", "usd_units"]),
    (out::REJECTS, &["key"]),
];

/// A published run folder and what its manifest says of the run.
pub struct Run {
    pub dir: PathBuf,
    as_of: String,
    reference_year: String,
    /// The run's policy period: its id, city prefix and export threshold.
    period: serde_json::Value,
}

impl Run {
    pub fn open(dir: &Path) -> Result<Run> {
        let path = dir.join(out::MANIFEST);
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
        let m: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("`{}` is not a manifest", path.display()))?;
        let field = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let run = Run { dir: dir.to_path_buf(), as_of: field(&m["as_of"]), reference_year: field(&m["reference_year"]), period: m["period"].clone() };
        run.has_columns()?;
        Ok(run)
    }

    /// A run published before its tables carried what explain reads is refused in one
    /// line, rather than explained with blanks.
    fn has_columns(&self) -> Result<()> {
        for (stem, needed) in NEEDED {
            let path = self.dir.join(format!("{stem}.parquet"));
            let file = std::fs::File::open(&path).with_context(|| format!("cannot open `{}`", path.display()))?;
            let schema = {
                use polars::prelude::SerReader;
                polars::prelude::ParquetReader::new(file).schema()
            };
            let schema = anyhow::Context::with_context(schema, || format!("cannot read `{}`", path.display()))?;
            let missing: Vec<&str> = needed.iter().copied().filter(|c| !schema.contains(c)).collect();
            if !missing.is_empty() {
                anyhow::bail!(
                    "the run as of {} was published by an earlier tongbao: its `{stem}` lacks {}, which explain reads; run that date again to explain it",
                    self.as_of,
                    missing.join(", ")
                );
            }
        }
        Ok(())
    }

    /// The rows of a published table whose text column `column` equals `value`.
    fn rows(&self, stem: &str, column: &str, value: &str) -> Result<Vec<Record>> {
        records(&crate::frames::read_table(&self.dir, stem)?, stem, column, value)
    }

    /// The rejects of the rows of `input` whose key is `key`.
    fn rejects_of(&self, input: &str, key: &str) -> Result<Vec<Record>> {
        Ok(self.rows(out::REJECTS, "key", key)?.into_iter().filter(|r| r.text("input") == input).collect())
    }
}

/// The rows of `df` (the table `stem`) whose text column `column` equals `value`.
fn records(df: &polars::prelude::DataFrame, stem: &str, column: &str, value: &str) -> Result<Vec<Record>> {
    use polars::prelude::{ChunkCompareEq, DataType};
    let mask = anyhow::Context::with_context(df.column(column), || format!("`{stem}` has no column `{column}`"))?.str()?.equal(value);
    let df = df.filter(&mask)?;
    let mut rows: Vec<Record> = (0..df.height()).map(|_| Record(BTreeMap::new())).collect();
    for c in df.columns() {
        let texts = c.as_materialized_series().cast(&DataType::String)?;
        for (row, v) in rows.iter_mut().zip(texts.str()?.iter()) {
            row.0.insert(c.name().to_string(), v.map(str::to_string));
        }
    }
    Ok(rows)
}

/// One row of a published table: each column as text (exact decimals, ISO dates), `None`
/// for a null.
struct Record(BTreeMap<String, Option<String>>);

impl Record {
    fn opt(&self, column: &str) -> Option<&str> {
        self.0.get(column).and_then(|v| v.as_deref())
    }

    fn text(&self, column: &str) -> &str {
        self.opt(column).unwrap_or("")
    }

    fn cents(&self, column: &str) -> Option<i64> {
        self.opt(column).and_then(|v| crate::values::parse_amount_cents(v).ok())
    }

    fn flag(&self, column: &str) -> bool {
        self.text(column) == "true"
    }
}

/// One rejected (row, column, reason), as a line of the explanation.
fn reject_line(r: &Record, lang: Lang) -> String {
    let (file, row, column, reason) = (r.text("file"), r.text("row"), r.text("column"), r.text("reason"));
    match lang {
        Lang::Zh => format!("  被拒收：`{file}` 第 {row} 行，列 {column}，原因：{}\n", crate::labels::zh_only(reason)),
        Lang::En => format!("  rejected: `{file}` row {row}, column {column}, reason {reason}\n"),
    }
}

/// A firm or claim the run did not accept: its rejected rows under `heading`, or `Err`
/// with the one line `unknown` when the run has none.
fn rejected(run: &Run, input: crate::schema::Input, key: &str, lang: Lang, unknown: String, heading: String) -> Result<String> {
    let rows = run.rejects_of(input.name(), key)?;
    if rows.is_empty() {
        anyhow::bail!(unknown);
    }
    Ok(rows.iter().fold(heading, |out, r| out + &reject_line(r, lang)))
}

/// A code as the reader's language shows it: its Chinese name in Chinese text.
fn code(lang: Lang, code: &str) -> String {
    match lang {
        Lang::Zh => crate::labels::zh_only(code),
        Lang::En => code.to_string(),
    }
}

/// Pick the Chinese or English text.
fn tr<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn usd(cents: i64) -> String {
    format!("USD {}", thousands(cents))
}

fn thousands(cents: i64) -> String {
    crate::values::format_cents_grouped(cents)
}

fn yes_no(lang: Lang, ok: bool) -> &'static str {
    match (lang, ok) {
        (Lang::Zh, true) => "通过",
        (Lang::Zh, false) => "不通过",
        (Lang::En, true) => "pass",
        (Lang::En, false) => "FAIL",
    }
}

/// Why a firm is or is not eligible: each rule with the figures the run used. `Err` (one
/// line) when the run has no row of the firm, accepted or rejected.
pub fn firm(run: &Run, uscc_raw: &str, lang: Lang) -> Result<String> {
    let uscc = crate::ident::normalise_code(uscc_raw);
    let Some(f) = run.rows(out::FIRM_ELIGIBILITY, "uscc", &uscc)?.into_iter().next() else {
        let (unknown, heading) = match lang {
            Lang::Zh => (
                format!("企业 {uscc} 不在评估日 {} 的企业名录中（既未接收，也无被拒收的行）", run.as_of),
                format!("企业 {uscc} 不在评估日 {} 已接收的企业名单中。\n", run.as_of),
            ),
            Lang::En => (
                format!("firm {uscc} is in no row of the firms input of the run as of {} (neither accepted nor rejected)", run.as_of),
                format!("firm {uscc} is not among the accepted firms of the run as of {}.\n", run.as_of),
            ),
        };
        return rejected(run, crate::schema::Input::Firms, &uscc, lang, unknown, heading);
    };
    let p = &run.period;
    let reasons = f.text("reasons").to_string();
    let fails = |r: &str| reasons.split(';').any(|x| x == r);
    let threshold = p["export_threshold_cents"].as_i64().unwrap_or_default();
    let prefix = p["city_prefix"].as_str().unwrap_or_default();
    let year = f.text("reference_year");
    let mut out = String::new();
    out += &format!("{} {} ({})\n", tr(lang, "企业", "firm"), uscc, f.text("name"));
    out += &format!(
        "{}: {} ({} {}, {} {})\n\n",
        tr(lang, "评估日", "evaluation date"),
        run.as_of,
        tr(lang, "政策期", "policy period"),
        f.text("period_id"),
        tr(lang, "参考年度", "reference year"),
        run.reference_year
    );
    let line = |out: &mut String, ok: bool, text: String| {
        *out += &format!("  [{}] {text}\n", yes_no(lang, ok));
    };
    line(&mut out, !fails("invalid_uscc"), tr(lang, "统一社会信用代码校验位", "USCC check characters").to_string());
    let source = if f.text("district_source") == "district_code" { tr(lang, "登记机关区划代码", "district_code") } else { tr(lang, "信用代码第3–8位", "USCC positions 3–8") };
    let district = f.text("district");
    line(&mut out, !fails("not_in_city"), match lang {
        Lang::Zh => format!("注册地：区划 {district}（取自{source}），须以 {prefix} 开头"),
        Lang::En => format!("registered in the city: district {district} (from {source}) must start with {prefix}"),
    });
    let (kind, company_type) = (&uscc[..2.min(uscc.len())], f.text("company_type"));
    line(&mut out, !fails("not_legal_person"), match lang {
        Lang::Zh => format!("独立法人：信用代码以 {kind} 开头，企业类型「{company_type}」"),
        Lang::En => format!("independent legal person: USCC starts with {kind}, company type \"{company_type}\""),
    });
    line(&mut out, !fails("deregistered"), match lang {
        Lang::Zh => format!("登记状态「{}」", f.text("reg_status")),
        Lang::En => format!("registration status \"{}\"", f.text("reg_status")),
    });
    let (own, agency) = (f.cents("self_exports_usd").unwrap_or_default(), f.cents("agency_exports_usd").unwrap_or_default());
    line(&mut out, !fails("no_exports") && !fails("exports_over_threshold"), match lang {
        Lang::Zh => format!("{year} 年自营出口 {}（代理出口 {} 不计），须大于 0 且不超过 {}", usd(own), usd(agency), usd(threshold)),
        Lang::En => format!("{year} self-operated exports {} (agency exports {} do not count) must be above 0 and at most {}", usd(own), usd(agency), usd(threshold)),
    });
    let (hits, possible, rep) = (f.text("blacklist_hits"), f.text("possible_matches"), f.text("legal_rep_name"));
    line(&mut out, !fails("firm_blacklisted") && !fails("legal_rep_blacklisted"), match lang {
        Lang::Zh => format!("失信与涉黑涉恶名单（企业及法定代表人 {rep}）：命中 {hits} 条，疑似 {possible} 条"),
        Lang::En => format!("dishonesty and gang-related lists (firm and legal representative {rep}): {hits} hits, {possible} possible matches"),
    });
    for h in run.rows(out::BLACKLIST_HITS, "uscc", &uscc)? {
        out += &hit_line(&h, lang);
    }
    out += "\n";
    out += &match (lang, f.flag("is_eligible")) {
        (Lang::Zh, true) => "结论：符合统保条件。\n".to_string(),
        (Lang::En, true) => "conclusion: eligible.\n".to_string(),
        (Lang::Zh, false) => format!("结论：不符合统保条件（{}）。\n", crate::labels::zh_list(&reasons)),
        (Lang::En, false) => format!("conclusion: not eligible ({reasons}).\n"),
    };
    if let Some(r) = run.rows(out::ENROLLMENT_RECONCILIATION, "uscc", &uscc)?.first() {
        let app = r.opt("application_id");
        let subsidy = r.cents("subsidy_cny");
        out += &match lang {
            Lang::Zh => format!(
                "投保核对：{}{}{}\n",
                crate::labels::zh_only(r.text("status")),
                app.map(|a| format!("，申请 {a}")).unwrap_or_default(),
                subsidy.map(|s| format!("，财政全额扶持保费 CNY {}", thousands(s))).unwrap_or_default()
            ),
            Lang::En => format!(
                "enrollment: {}{}{}\n",
                r.text("status"),
                app.map(|a| format!(", application {a}")).unwrap_or_default(),
                subsidy.map(|s| format!(", premium paid by the city CNY {}", thousands(s))).unwrap_or_default()
            ),
        };
    }
    Ok(out)
}

/// One published hit or possible match on the firm, with the review decision that applies.
fn hit_line(h: &Record, lang: Lang) -> String {
    let true_hit = !h.text("match").starts_with("possible");
    let kind = match (true_hit, h.text("review")) {
        (true, _) => tr(lang, "命中", "hit"),
        (false, "confirmed") => tr(lang, "疑似，经复核确认，计为命中", "possible match, confirmed by review: counts as a hit"),
        (false, "cleared") => tr(lang, "疑似，经复核排除", "possible match, cleared by review"),
        (false, _) => tr(lang, "疑似，待复核", "possible match, for review"),
    };
    let decision = h
        .opt("review")
        .map(|d| {
            let who = h.opt("reviewer").filter(|r| !r.is_empty()).map(|r| format!(" ({r})")).unwrap_or_default();
            let on = h.text("reviewed_on");
            match lang {
                Lang::Zh => format!("；复核决定：{} {on}{who}", crate::labels::zh_only(d)),
                Lang::En => format!("; review decision: {d} on {on}{who}"),
            }
        })
        .unwrap_or_default();
    let case = h.opt("case_no").filter(|c| !c.is_empty()).unwrap_or("-");
    format!(
        "      - {kind}: {} {}, {} {case}, {} {}, {} {}{}{decision}\n",
        tr(lang, "名单", "list"),
        code(lang, h.text("list_type")),
        tr(lang, "案号", "case"),
        tr(lang, "匹配方式", "matched by"),
        code(lang, h.text("match")),
        tr(lang, "列入", "listed"),
        h.text("listed_on"),
        h.opt("removed_on").map(|r| format!(", {} {r}", tr(lang, "移出", "removed"))).unwrap_or_default()
    )
}

fn claim_reason_text(code: &str, lang: Lang) -> &str {
    match (code, lang) {
        ("no_policy", Lang::Zh) => "没有对应的有效投保（保单号与信用代码）",
        ("no_policy", Lang::En) => "no enrolled application with this policy number and USCC",
        ("shipped_outside_cover", Lang::Zh) => "出运日期不在保险责任期内",
        ("shipped_outside_cover", Lang::En) => "shipped outside the period of cover",
        ("cause_not_covered", Lang::Zh) => "损失原因不属于保险责任",
        ("cause_not_covered", Lang::En) => "cause of loss not covered",
        ("credit_term_too_long", Lang::Zh) => "信用期限超过一年",
        ("credit_term_too_long", Lang::En) => "credit term longer than allowed",
        ("not_self_contracted", Lang::Zh) => "非被保险人自签合同",
        ("not_self_contracted", Lang::En) => "sales contract not signed by the insured",
        ("not_self_declared", Lang::Zh) => "非被保险人自营报关",
        ("not_self_declared", Lang::En) => "goods not declared by the insured",
        ("missing_fx_rate", Lang::Zh) => "出运日及之前没有汇率中间价",
        ("missing_fx_rate", Lang::En) => "no fixing on or before the shipment date",
        (other, _) => other,
    }
}

/// A decimal ratio as a percentage, exactly: `0.8000` → `80%`, `0.8250` → `82.5%`.
fn percent(ratio: &str) -> Option<String> {
    let (mantissa, scale) = crate::values::parse_rate(ratio).ok()?;
    // the ratio in ten-thousandths (basis points), then a hundredth of that
    let bp = mantissa * 10i128.pow(4u32.checked_sub(scale)?);
    let frac = format!("{:02}", bp % 100);
    let frac = frac.trim_end_matches('0');
    Some(if frac.is_empty() { format!("{}%", bp / 100) } else { format!("{}.{frac}%", bp / 100) })
}

fn money_or_unknown(v: Option<i64>, lang: Lang) -> String {
    v.map(usd).unwrap_or_else(|| tr(lang, "未知", "unknown").to_string())
}

/// How one claim's indemnity was reached, as the run priced it. `Err` (one line) when the
/// run neither priced nor rejected it.
pub fn claim(run: &Run, claim_id: &str, lang: Lang) -> Result<String> {
    let id = crate::ident::normalise_code(claim_id);
    // read once: the claim's row, and the earlier claims of its cap ledger
    let claims = crate::frames::read_table(&run.dir, out::CLAIM_INDEMNITY)?;
    let Some(c) = records(&claims, out::CLAIM_INDEMNITY, "claim_id", &id)?.into_iter().next() else {
        let (unknown, heading) = match lang {
            Lang::Zh => (
                format!("评估日 {} 的运行未计算案件 {id}，也没有它被拒收的行（可能损失通知日晚于评估日的案件读入但不在本次评估范围内）", run.as_of),
                format!("案件 {id} 被拒收：\n"),
            ),
            Lang::En => (
                format!("the run as of {} priced no claim {id} and rejected no row of it (a claim notified after the evaluation date is read but left out of the run)", run.as_of),
                format!("claim {id} was rejected:\n"),
            ),
        };
        return rejected(run, crate::schema::Input::Claims, &id, lang, unknown, heading);
    };
    let mut out = String::new();
    out += &format!(
        "{} {} — {} {}, {} {} ({}), {} {}\n",
        tr(lang, "案件", "claim"),
        id,
        tr(lang, "保单", "policy"),
        c.text("policy_no"),
        tr(lang, "债务人", "obligor"),
        c.text("obligor_key"),
        code(lang, c.text("obligor_type")),
        tr(lang, "状态", "status"),
        code(lang, c.text("status"))
    );
    out += &match (lang, c.opt("application_id"), c.opt("period_id")) {
        (Lang::Zh, Some(a), Some(p)) => format!("依据投保申请 {a}（政策期 {p}）判断。\n"),
        (Lang::En, Some(a), Some(p)) => format!("judged under application {a} (policy period {p}).\n"),
        (Lang::Zh, Some(a), None) => format!("依据投保申请 {a}，但没有政策期覆盖它。\n"),
        (Lang::En, Some(a), None) => format!("judged under application {a}, which no policy period covers.\n"),
        (Lang::Zh, None, _) => "没有对应的有效投保申请。\n".to_string(),
        (Lang::En, None, _) => "no enrolled application matches it.\n".to_string(),
    };
    let covered = c.flag("is_covered");
    let reasons: Vec<&str> = c.text("reasons").split(';').filter(|r| !r.is_empty()).map(|r| claim_reason_text(r, lang)).collect();
    out += &match lang {
        Lang::Zh => format!("1. 保险责任：{}\n", if covered { "属于保险责任".to_string() } else { reasons.join("；") }),
        Lang::En => format!("1. coverage: {}\n", if covered { "covered".to_string() } else { reasons.join("; ") }),
    };
    out += &conversion_text(&c, lang);
    let ratio = c.opt("indemnity_ratio").and_then(percent).unwrap_or_else(|| "-".into());
    let before_cap = money_or_unknown(c.cents("indemnity_before_cap_usd"), lang);
    out += &match lang {
        Lang::Zh => format!("3. 赔偿比例 {ratio}，向下取整到分：{before_cap}\n"),
        Lang::En => format!("3. indemnity ratio {ratio}, rounded down to the cent: {before_cap}\n"),
    };
    let (indemnity, cut, left) = (money_or_unknown(c.cents("indemnity_usd"), lang), money_or_unknown(c.cents("cut_by_cap_usd"), lang), money_or_unknown(c.cents("capacity_left_usd"), lang));
    if let (Some(taken), Some(cap)) = (c.cents("cap_taken_before_usd"), c.cents("cap_usd")) {
        // the claims before this one in the obligor's cap ledger: notification order, ties by claim_id
        let place = |r: &Record| (r.text("notified_on").to_string(), r.text("claim_id").to_string());
        let mut earlier: Vec<Record> = records(&claims, out::CLAIM_INDEMNITY, "policy_no", c.text("policy_no"))?
            .into_iter()
            .filter(|o| o.text("obligor_type") == c.text("obligor_type") && o.text("obligor_key") == c.text("obligor_key"))
            .filter(|o| place(o) < place(&c) && o.opt("capacity_left_usd").is_some())
            .collect();
        earlier.sort_by_key(place);
        out += &match lang {
            Lang::Zh => format!("4. 单一买家/开证行限额 {}；此前 {} 个案件已占用 {}", usd(cap), earlier.len(), usd(taken)),
            Lang::En => format!("4. cap per buyer or issuing bank {}; {} earlier claims had taken {}", usd(cap), earlier.len(), usd(taken)),
        };
        let list: Vec<String> = earlier.iter().map(|o| format!("{} {}", o.text("claim_id"), money_or_unknown(o.cents("indemnity_usd"), lang))).collect();
        if !list.is_empty() {
            out += &format!(" ({})", list.join(", "));
        }
        out += &match lang {
            Lang::Zh => format!("\n   本案赔偿 {indemnity}，被限额削减 {cut}，剩余额度 {left}\n"),
            Lang::En => format!("\n   this claim gets {indemnity}, cut by the cap {cut}, capacity left {left}\n"),
        };
    } else {
        let status = c.text("status");
        let live = !matches!(status, "rejected" | "withdrawn");
        let why = match (covered, live, lang) {
            (true, false, Lang::Zh) => format!("（状态 {}：不赔付）", crate::labels::zh_only(status)),
            (true, false, Lang::En) => format!(" (status {status}: owes nothing)"),
            (false, _, Lang::Zh) => "（不属于保险责任）".to_string(),
            (false, _, Lang::En) => " (not covered)".to_string(),
            _ => String::new(),
        };
        out += &match lang {
            Lang::Zh => format!("4. 不占用限额{why}；赔偿 {indemnity}\n"),
            Lang::En => format!("4. takes nothing from the cap{why}; indemnity {indemnity}\n"),
        };
    }
    if let Some(rec) = c.cents("recovered_usd") {
        let (share, net) = (money_or_unknown(c.cents("insurer_recovery_usd"), lang), money_or_unknown(c.cents("net_indemnity_usd"), lang));
        out += &match lang {
            Lang::Zh => format!("5. 追回 {}，保险人按 赔偿÷损失 分得 {share}，净赔付 {net}\n", usd(rec)),
            Lang::En => format!("5. recovered {}; the insurer's share (indemnity ÷ loss) is {share}, net indemnity {net}\n", usd(rec)),
        };
    }
    if c.flag("paid_mismatch") {
        let paid = money_or_unknown(c.cents("paid_usd"), lang);
        out += &match lang {
            Lang::Zh => format!("注意：记录的已赔付金额 {paid} 与计算结果不符，需核对。\n"),
            Lang::En => format!("note: the recorded paid amount {paid} differs from the computed indemnity: to reconcile.\n"),
        };
    }
    Ok(out)
}

/// The loss in USD and the fixings it was converted at.
fn conversion_text(c: &Record, lang: Lang) -> String {
    let loss = format!("{} {}", c.text("currency"), c.cents("loss_amount").map(thousands).unwrap_or_default());
    let shipped = c.text("shipped_on");
    let fixing = |prefix: &str, currency: &str| {
        c.opt(&format!("{prefix}_cny_per_unit")).map(|rate| format!("{} {currency} = CNY {rate} ({})", c.text(&format!("{prefix}_units")), c.text(&format!("{prefix}_rate_date"))))
    };
    match (c.cents("usd_loss"), fixing("fx", c.text("currency")), fixing("usd", "USD")) {
        (None, _, _) => match lang {
            Lang::Zh => format!("2. 损失 {loss}：出运日 {shipped} 及之前没有所需汇率，美元金额未知\n"),
            Lang::En => format!("2. loss {loss}: no fixing on or before shipment ({shipped}), USD amount unknown\n"),
        },
        (Some(u), _, None) => match lang {
            Lang::Zh => format!("2. 损失 {loss}，即 {}\n", usd(u)),
            Lang::En => format!("2. loss {loss}, that is {}\n", usd(u)),
        },
        (Some(u), rate, Some(usd_rate)) => {
            let via = rate.map(|r| format!("{r}; ")).unwrap_or_default();
            match lang {
                Lang::Zh => format!("2. 损失 {loss}，按出运日 {shipped} 及之前最近的中间价（{via}{usd_rate}）折合 {}，四舍五入到分\n", usd(u)),
                Lang::En => format!("2. loss {loss} at the latest fixings on or before shipment {shipped} ({via}{usd_rate}) is {}, rounded half away from zero\n", usd(u)),
            }
        }
    }
}
