//! What analysts open: the SQL summaries (checked against the hand-checked detail answers
//! of `sample_data/expected/`), `explain`, `diff` and the report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::end_to_end::{expected, texts};
use crate::support::*;

const AS_OF: &str = "2022-05-07";

fn sample_run() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    tongbao().args(["-q", "run", "--as-of", AS_OF, "--out"]).arg(tmp.path()).assert().success();
    let folder = tmp.path().join(format!("as_of={AS_OF}"));
    (tmp, folder)
}

/// The claims input as rows keyed by claim id (only columns a summary groups by).
fn claim_inputs() -> BTreeMap<String, BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(repo().join("sample_data/claims.csv")).expect("claims");
    let headers = r.headers().expect("headers").clone();
    r.records()
        .filter_map(Result::ok)
        .filter(|rec| rec.len() == headers.len())
        .map(|rec| {
            let m: BTreeMap<String, String> = headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_string(), v.trim().to_string())).collect();
            (m["claim_id"].clone(), m)
        })
        .collect()
}

fn cents(s: &str) -> i64 {
    if s.is_empty() { 0 } else { tongbao::values::parse_amount_cents(s).expect("amount") }
}

fn money(c: i64) -> String {
    tongbao::values::format_cents(c)
}

#[test]
fn claims_by_quarter_counts_every_claim_and_the_paid_indemnity() {
    let (_tmp, folder) = sample_run();
    let inputs = claim_inputs();
    // from the hand-checked claims: count per quarter of notified_on, paid indemnity
    let mut want: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for c in expected("claims.csv") {
        let input = &inputs[&c["claim_id"]];
        let d = &input["notified_on"];
        let (year, month): (String, u32) = (d[..4].to_string(), d[5..7].parse().unwrap());
        let e = want.entry((year, ((month - 1) / 3 + 1).to_string())).or_default();
        e.0 += 1;
        if input["status"] == "paid" {
            e.1 += cents(&c["indemnity_usd"]);
        }
    }
    let df = read_parquet(&folder.join("claims_by_quarter.parquet"));
    let (y, q, n, paid) = (texts(&df, "year"), texts(&df, "quarter"), texts(&df, "claims"), texts(&df, "paid_indemnity_usd"));
    let got: BTreeMap<(String, String), (i64, i64)> = (0..df.height()).map(|i| ((y[i].clone(), q[i].clone()), (n[i].parse().unwrap(), cents(&paid[i])))).collect();
    assert_eq!(got, want);
    // year on year: empty where last year's count is zero, else the change in percent
    let yoy = texts(&df, "claims_yoy_pct");
    for i in 0..df.height() {
        let last = want.get(&((y[i].parse::<i32>().unwrap() - 1).to_string(), q[i].clone())).map(|v| v.0).unwrap_or(0);
        if last == 0 {
            assert_eq!(yoy[i], "", "{} Q{}", y[i], q[i]);
        } else {
            let this: i64 = n[i].parse().unwrap();
            let pct = ((this - last) as f64 * 100.0 / last as f64 * 100.0).round() / 100.0;
            assert_eq!(yoy[i].parse::<f64>().unwrap(), pct, "{} Q{}", y[i], q[i]);
        }
    }
}

#[test]
fn exposure_by_cause_adds_up_the_hand_checked_claims() {
    exposure_adds_up("exposure_by_cause", "cause", |input| input["cause"].to_lowercase());
}

#[test]
fn exposure_by_country_adds_up_the_hand_checked_claims() {
    exposure_adds_up("exposure_by_country", "obligor_country", |input| input["obligor_country"].to_uppercase());
}

fn exposure_adds_up(summary: &str, key: &str, key_of: impl Fn(&BTreeMap<String, String>) -> String) {
    let (_tmp, folder) = sample_run();
    let inputs = claim_inputs();
    let mut want: BTreeMap<String, [i64; 6]> = BTreeMap::new();
    for c in expected("claims.csv") {
        let input = &inputs[&c["claim_id"]];
        let e = want.entry(key_of(input)).or_default();
        e[0] += 1;
        e[1] += (c["is_covered"] == "true") as i64;
        e[2] += cents(&c["usd_loss"]);
        let ind = cents(&c["indemnity_usd"]);
        match input["status"].as_str() {
            "paid" => e[3] += ind,
            "notified" | "filed" | "under_review" => e[4] += ind,
            _ => {}
        }
        e[5] += cents(&c["cut_by_cap_usd"]);
    }
    let df = read_parquet(&folder.join(format!("{summary}.parquet")));
    let cols: Vec<Vec<String>> = ["claims", "covered", "usd_loss", "paid_usd", "outstanding_usd", "cut_by_cap_usd"].iter().map(|c| texts(&df, c)).collect();
    let causes = texts(&df, key);
    let got: BTreeMap<String, [i64; 6]> = (0..df.height())
        .map(|i| {
            let v = [cols[0][i].parse().unwrap(), cols[1][i].parse().unwrap(), cents(&cols[2][i]), cents(&cols[3][i]), cents(&cols[4][i]), cents(&cols[5][i])];
            (causes[i].clone(), v)
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn obligor_exposure_capacity_is_the_cap_less_what_was_taken() {
    let (_tmp, folder) = sample_run();
    let df = read_parquet(&folder.join("obligor_exposure.parquet"));
    let (p, k, ind, cap, left) = (texts(&df, "policy_no"), texts(&df, "obligor_key"), texts(&df, "indemnity_usd"), texts(&df, "cap_usd"), texts(&df, "capacity_left_usd"));
    for i in 0..df.height() {
        if !cap[i].is_empty() {
            assert_eq!(cents(&left[i]), cents(&cap[i]) - cents(&ind[i]), "{} {}", p[i], k[i]);
        }
    }
    // the three claims on one buyer of the sample take the whole cap of USD 50,000
    let row = (0..df.height()).find(|&i| k[i] == "US-ACME-001").expect("US-ACME-001");
    assert_eq!(money(cents(&ind[row])), "50000.00");
    assert_eq!(money(cents(&left[row])), "0.00");
}

#[test]
fn enrollment_by_district_band_counts_the_hand_checked_statuses() {
    let (_tmp, folder) = sample_run();
    let firms: BTreeMap<String, BTreeMap<String, String>> = expected("firms.csv").into_iter().map(|f| (f["uscc"].clone(), f)).collect();
    let mut want: BTreeMap<String, [i64; 3]> = BTreeMap::new();
    for r in expected("reconciliation.csv") {
        let district = firms.get(&r["uscc"]).map(|f| f["district"].clone()).unwrap_or_else(|| r["uscc"][2..8].to_string());
        let e = want.entry(district).or_default();
        e[0] += 1;
        e[1] += matches!(r["status"].as_str(), "eligible_enrolled" | "eligible_not_enrolled") as i64;
        e[2] += (r["status"] == "eligible_enrolled") as i64;
    }
    let df = read_parquet(&folder.join("enrollment_by_district_band.parquet"));
    let (d, f, e, ee) = (texts(&df, "district"), texts(&df, "firms"), texts(&df, "eligible"), texts(&df, "eligible_enrolled"));
    let mut got: BTreeMap<String, [i64; 3]> = BTreeMap::new();
    for i in 0..df.height() {
        let g = got.entry(d[i].clone()).or_default();
        g[0] += f[i].parse::<i64>().unwrap();
        g[1] += e[i].parse::<i64>().unwrap();
        g[2] += ee[i].parse::<i64>().unwrap();
    }
    assert_eq!(got, want);
    // the firm with exactly USD 6,000,000.00 sits in the top band below the threshold
    let bands = texts(&df, "export_band");
    assert!(bands.iter().any(|b| b == "(3,000,000, 6,000,000]"), "{bands:?}");
}

#[test]
fn explain_gives_every_failing_reason_of_every_sample_firm() {
    for f in expected("firms.csv") {
        let out = explain_sample().args(["--lang", "en", "--as-of", AS_OF, "firm", &f["uscc"]]).assert().success();
        if f["is_eligible"] == "true" {
            assert!(out.stdout.contains("conclusion: eligible."), "{}:\n{}", f["uscc"], out.stdout);
        } else {
            assert!(out.stdout.contains(&format!("conclusion: not eligible ({}).", f["reasons"])), "{}:\n{}", f["uscc"], out.stdout);
        }
    }
}

#[test]
fn explain_in_chinese_names_case_numbers_of_hits() {
    let hit = expected("blacklist_hits.csv").into_iter().find(|h| !h["case_no"].is_empty() && !h["match"].starts_with("possible")).expect("a hit");
    let out = explain_sample().args(["--as-of", AS_OF, "firm", &hit["uscc"]]).assert().success();
    assert!(out.stdout.contains(&hit["case_no"]), "{}", out.stdout);
    assert!(out.stdout.contains("结论"), "{}", out.stdout);
}

#[test]
fn explain_shows_how_every_sample_claim_was_priced() {
    for c in expected("claims.csv") {
        let out = explain_sample().args(["--lang", "en", "--as-of", AS_OF, "claim", &c["claim_id"]]).assert().success();
        if c["is_covered"] == "true" {
            assert!(out.stdout.contains("1. coverage: covered"), "{}:\n{}", c["claim_id"], out.stdout);
        } else {
            assert!(!out.stdout.contains("1. coverage: covered"), "{}:\n{}", c["claim_id"], out.stdout);
        }
        if !c["indemnity_before_cap_usd"].is_empty() {
            let shown = format!("USD {}", grouped(&c["indemnity_before_cap_usd"]));
            assert!(out.stdout.contains(&shown), "{} lacks {shown}:\n{}", c["claim_id"], out.stdout);
        }
        if !c["cut_by_cap_usd"].is_empty() && c["cut_by_cap_usd"] != "0.00" {
            assert!(out.stdout.contains(&format!("cut by the cap USD {}", grouped(&c["cut_by_cap_usd"]))), "{}:\n{}", c["claim_id"], out.stdout);
        }
    }
}

fn grouped(s: &str) -> String {
    tongbao::values::group_digits(s)
}

/// Copy sample inputs into `dir`, editing the named files' text.
fn edited_inputs(dir: &Path, edits: &[(&str, &str, &str)]) -> Vec<String> {
    let mut args = Vec::new();
    for (flag, file) in [("--firms", "firms.csv"), ("--claims", "claims.csv")] {
        let mut text = std::fs::read_to_string(repo().join("sample_data").join(file)).unwrap();
        for (f, from, to) in edits {
            if *f == file {
                assert!(text.contains(from), "{from} not in {file}");
                text = text.replacen(from, to, 1);
            }
        }
        let p = dir.join(file);
        std::fs::write(&p, text).unwrap();
        args.push(flag.to_string());
        args.push(p.display().to_string());
    }
    args
}

#[test]
fn diff_reports_exactly_the_differences_between_two_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let (a_in, b_in) = (tmp.path().join("a_in"), tmp.path().join("b_in"));
    std::fs::create_dir_all(&a_in).unwrap();
    std::fs::create_dir_all(&b_in).unwrap();
    let a_args = edited_inputs(&a_in, &[]);
    // b: one eligible firm is deregistered; nothing else changes
    let firm = expected("firms.csv").into_iter().find(|f| f["is_eligible"] == "true").unwrap();
    let firms_text = std::fs::read_to_string(repo().join("sample_data/firms.csv")).unwrap();
    let line = firms_text.lines().find(|l| l.starts_with(&firm["uscc"])).unwrap().to_string();
    let status = line.split(',').nth(3).unwrap().to_string();
    let new_line = line.replacen(&format!(",{status},"), ",注销,", 1);
    let b_args = edited_inputs(&b_in, &[("firms.csv", &line, &new_line)]);
    let (a_out, b_out) = (tmp.path().join("a"), tmp.path().join("b"));
    tongbao().args(["-q", "run", "--as-of", AS_OF, "--out"]).arg(&a_out).args(&a_args).assert().success();
    tongbao().args(["-q", "run", "--as-of", AS_OF, "--out"]).arg(&b_out).args(&b_args).assert().success();
    let run = |p: &Path| p.join(format!("as_of={AS_OF}"));
    let out = tongbao().arg("diff").arg(run(&a_out)).arg(run(&b_out)).arg("--json").assert().success();
    let d: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let firms: Vec<(String, String, String, String)> = d["firms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["key"].as_str().unwrap().into(), c["field"].as_str().unwrap().into(), c["before"].as_str().unwrap().into(), c["after"].as_str().unwrap().into()))
        .collect();
    assert_eq!(
        firms,
        vec![
            // the cause, published since firm_eligibility carries the registry's words
            (firm["uscc"].clone(), "reg_status".into(), "存续（在营、开业、在册）".into(), "注销".into()),
            (firm["uscc"].clone(), "is_eligible".into(), "true".into(), "false".into()),
            (firm["uscc"].clone(), "reasons".into(), "".into(), "deregistered".into()),
        ]
    );
    assert!(d["claims"].as_array().unwrap().is_empty());
    assert!(d["firms_only_in_a"].as_array().unwrap().is_empty() && d["claims_only_in_b"].as_array().unwrap().is_empty());
    // every column of the reconciliation row is compared: eligibility, status, and the
    // subsidy when the firm had one
    let recon: Vec<(String, String)> =
        d["reconciliation"].as_array().unwrap().iter().map(|c| (c["key"].as_str().unwrap().into(), c["field"].as_str().unwrap().into())).collect();
    let mut want = vec![(firm["uscc"].clone(), "is_eligible".to_string()), (firm["uscc"].clone(), "status".to_string())];
    if firm_subsidised(&firm["uscc"]) {
        want.push((firm["uscc"].clone(), "subsidy_cny".to_string()));
    }
    assert_eq!(recon, want);
    assert!(d["hits_only_in_a"].as_array().unwrap().is_empty() && d["hits_only_in_b"].as_array().unwrap().is_empty());
    // the same runs compared with themselves: nothing
    let same = tongbao().arg("diff").arg(run(&a_out)).arg(run(&a_out)).assert().success();
    assert!(same.stdout.contains("no differences"), "{}", same.stdout);
}

#[test]
fn diff_reports_every_changed_column_hits_and_reviews_and_compares_a_run_with_the_one_before() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // night 1: the sample without the confirming review and with CL-2022-0001 paid 32,000.00
    let reviews = std::fs::read_to_string(repo().join("sample_data/reviews.csv")).unwrap();
    let confirm = reviews.lines().find(|l| l.contains(",confirmed,2022-04-28,")).unwrap();
    let night1 = tmp.path().join("reviews1.csv");
    std::fs::write(&night1, reviews.replace(&format!("{confirm}\n"), "")).unwrap();
    tongbao().args(["-q", "run", "--as-of", "2022-05-06", "--out"]).arg(&out).arg("--reviews").arg(&night1).assert().success();
    // night 2: the review is in, and the insurer corrected CL-2022-0001's paid_usd
    let claims = std::fs::read_to_string(repo().join("sample_data/claims.csv")).unwrap();
    let line = claims.lines().find(|l| l.starts_with("CL-2022-0001,")).unwrap();
    assert!(line.ends_with(",paid,32000.00,"), "{line}");
    let claims2 = tmp.path().join("claims2.csv");
    std::fs::write(&claims2, claims.replace(line, &line.replace(",paid,32000.00,", ",paid,31000.00,"))).unwrap();
    tongbao().args(["-q", "run", "--as-of", "2022-05-07", "--out"]).arg(&out).arg("--claims").arg(&claims2).assert().success();
    // one run alone: compared with the run before it
    let o = tongbao().arg("diff").arg(out.join("as_of=2022-05-07")).arg("--json").assert().success();
    let d: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    let has = |section: &str, key: &str, field: &str| d[section].as_array().unwrap().iter().any(|c| c["key"].as_str().unwrap().starts_with(key) && c["field"] == field);
    // paid_usd and the mismatch it now makes, though the indemnity did not move
    assert!(has("claims", "CL-2022-0001", "paid_usd"), "{:#}", d["claims"]);
    assert!(has("claims", "CL-2022-0001", "paid_mismatch"), "{:#}", d["claims"]);
    // the confirmed review: the possible match is now a hit, marked confirmed
    assert!(has("hits", "91350205MA31CR8Y18", "is_hit"), "{:#}", d["hits"]);
    assert!(has("hits", "91350205MA31CR8Y18", "review"), "{:#}", d["hits"]);
    assert!(d["reviews_only_in_b"].as_array().unwrap().iter().any(|k| k.as_str().unwrap().starts_with("91350205MA31CR8Y18")), "{:#}", d["reviews_only_in_b"]);
    assert!(has("firms", "91350205MA31CR8Y18", "reasons"), "{:#}", d["firms"]);
    let text = tongbao().arg("diff").arg(out.join("as_of=2022-05-07")).assert().success();
    assert!(text.stdout.contains("hits and possible matches that changed"), "{}", text.stdout);
    // the first run has none before it
    tongbao().arg("diff").arg(out.join("as_of=2022-05-06")).assert().code(2).stderr_has("no published run before 2022-05-06");
}

fn firm_subsidised(uscc: &str) -> bool {
    expected("reconciliation.csv").iter().any(|r| r["uscc"] == uscc && !r["subsidy_cny"].is_empty())
}

#[test]
fn the_report_opens_offline_and_shows_the_summaries_figures() {
    let (_tmp, folder) = sample_run();
    let html = std::fs::read_to_string(folder.join("report.html")).expect("report");
    for needle in ["http://", "https://", "<link", "src="] {
        assert!(!html.contains(needle), "the report refers to `{needle}`");
    }
    assert!(html.contains("<svg") && html.contains("覆盖率") && html.contains("coverage"));
    let start = html.find(r#"<script type="application/json" id="figures">"#).expect("figures") + r#"<script type="application/json" id="figures">"#.len();
    let end = start + html[start..].find("</script>").unwrap();
    let fig: serde_json::Value = serde_json::from_str(&html[start..end].replace("<\\/", "</")).expect("json");
    // quarters: the claims of the summary
    let q = read_parquet(&folder.join("claims_by_quarter.parquet"));
    let counts = texts(&q, "claims");
    let shown: Vec<String> = fig["quarters"].as_array().unwrap().iter().map(|r| r[1].to_string()).collect();
    assert_eq!(shown, counts);
    // causes: paid and outstanding as the summary has them
    let c = read_parquet(&folder.join("exposure_by_cause.parquet"));
    let want: Vec<(String, String, String)> = {
        let (k, p, o) = (texts(&c, "cause"), texts(&c, "paid_usd"), texts(&c, "outstanding_usd"));
        (0..c.height()).map(|i| (k[i].clone(), p[i].clone(), o[i].clone())).collect()
    };
    let got: Vec<(String, String, String)> =
        fig["causes"].as_array().unwrap().iter().map(|r| (r[0].as_str().unwrap().into(), r[1].as_str().unwrap().into(), r[2].as_str().unwrap().into())).collect();
    assert_eq!(got, want);
    // rejects: every reject record is counted once
    let total: i64 = fig["rejects"].as_array().unwrap().iter().map(|r| r[2].as_i64().unwrap()).sum();
    assert_eq!(total as usize, read_parquet(&folder.join("rejects.parquet")).height());
    // districts: eligible firms add up to the eligible firms of the sample
    let eligible: f64 = fig["districts"].as_array().unwrap().iter().map(|r| r[2].as_f64().unwrap()).sum();
    assert_eq!(eligible as usize, expected("firms.csv").iter().filter(|f| f["is_eligible"] == "true").count());
}

#[test]
fn an_analyst_query_is_written_and_a_broken_one_names_its_file() {
    let tmp = tempfile::tempdir().unwrap();
    let sql = tmp.path().join("sql");
    std::fs::create_dir_all(&sql).unwrap();
    std::fs::write(sql.join("eligible_by_district.sql"), "select district, count(*) as firms from firm_eligibility where is_eligible group by district order by district\n").unwrap();
    let out = tmp.path().join("out");
    tongbao().args(["-q", "run", "--as-of", AS_OF, "--sql-dir"]).arg(&sql).arg("--out").arg(&out).assert().success();
    let df = read_parquet(&out.join(format!("as_of={AS_OF}")).join("eligible_by_district.parquet"));
    let total: i64 = texts(&df, "firms").iter().map(|n| n.parse::<i64>().unwrap()).sum();
    assert_eq!(total as usize, expected("firms.csv").iter().filter(|f| f["is_eligible"] == "true").count());
    std::fs::write(sql.join("broken.sql"), "select nothing from nowhere\n").unwrap();
    std::fs::write(sql.join("also_broken.sql"), "selec 1\n").unwrap();
    let before = folder_bytes(&out.join(format!("as_of={AS_OF}")));
    tongbao().args(["-q", "run", "--as-of", AS_OF, "--sql-dir"]).arg(&sql).arg("--out").arg(&out).assert().code(2).stderr_has("broken.sql").stderr_has("also_broken.sql");
    assert_eq!(folder_bytes(&out.join(format!("as_of={AS_OF}"))), before);
    // the detail tables it had staged before the queries failed are gone with it
    let hidden: Vec<String> = std::fs::read_dir(&out).unwrap().flatten().map(|e| e.file_name().to_string_lossy().to_string()).filter(|n| n.starts_with(".staging")).collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn explain_from_a_published_run_uses_its_date_and_inputs() {
    let (_tmp, folder) = sample_run();
    // no --as-of: the run's date comes from its manifest
    let out = tongbao().args(["-q", "explain", "--lang", "en", "--run"]).arg(&folder).args(["claim", "CL-2022-0003"]).assert().success();
    assert!(out.stdout.contains("cut by the cap USD 6,000.00"), "{}", out.stdout);
    assert!(out.stdout.contains("1 earlier claims had taken USD 32,000.00"), "{}", out.stdout);
}

#[test]
fn year_on_year_percentages_round_half_away_from_zero() {
    use tongbao::model::EnrollmentStatus;
    let u = uscc("91", "350203", "MA33GULG");
    let apps = vec![
        enrollment("A21", &u, "P21", 2021, "2021-01-05", "2021-01-10", EnrollmentStatus::Accepted),
        enrollment("A22", &u, "P22", 2022, "2022-01-05", "2022-01-10", EnrollmentStatus::Accepted),
    ];
    // Q1: 32 claims in 2021, 33 in 2022 (+3.125% → 3.13); Q2: 33 then 32 (−3.0303…% → −3.03)
    let mut claims = Vec::new();
    for (year, q1, q2) in [(2021, 32, 33), (2022, 33, 32)] {
        for i in 0..q1 + q2 {
            let month = if i < q1 { "02" } else { "05" };
            let mut c = claim(&format!("C{year}-{i:03}"), &u, 100, &format!("{year}-{month}-10"));
            c.policy_no = format!("P{}", year % 100);
            c.shipped_on = d(&format!("{year}-01-20"));
            c.obligor_key = format!("B{i}");
            claims.push(c);
        }
    }
    let priced = tongbao::rules::claims::price(&claims, &apps, &[], &policy());
    let frame = tongbao::frames::claim_indemnity(&priced).expect("frame");
    let query: Vec<_> = tongbao::summaries::queries(None).expect("queries").into_iter().filter(|q| q.name == "claims_by_quarter").collect();
    let tables = std::collections::BTreeMap::from([("claim_indemnity", frame)]);
    let out = tongbao::summaries::run(&query, &tables).expect("query runs");
    let df = &out[0].1;
    let (y, q, pct) = (texts(df, "year"), texts(df, "quarter"), texts(df, "claims_yoy_pct"));
    let got: Vec<(String, String, String)> = (0..df.height()).map(|i| (y[i].clone(), q[i].clone(), pct[i].clone())).collect();
    assert_eq!(
        got,
        vec![
            ("2021".into(), "1".into(), "".into()),
            ("2021".into(), "2".into(), "".into()),
            ("2022".into(), "1".into(), "3.13".into()),
            ("2022".into(), "2".into(), "-3.03".into()),
        ]
    );
}

#[test]
fn the_report_headline_shows_the_money_and_the_work_worked_out_by_hand() {
    let (_tmp, folder) = sample_run();
    let h = read_parquet(&folder.join("headline.parquet"));
    let v = |c: &str| texts(&h, c)[0].clone();
    // sample_data/README.md: subsidy of the ten eligible enrolled firms; premiums of the five
    // enrolled firms that are not eligible (F02 2,860 + F07 1,980 + F12 1,650 + F14 2,240 +
    // F19 3,340 = 12,070.00); paid and outstanding exposure as summed there
    assert_eq!(v("subsidy_cny"), "22760.90");
    assert_eq!(v("premium_not_eligible_cny"), "12070.00");
    assert_eq!(v("paid_usd"), "88723.48");
    assert_eq!(v("outstanding_usd"), "147183.74");
    // 35 firms, 18 eligible (F27's review confirmed), 10 of them enrolled: 0.5556
    assert_eq!((v("firms"), v("eligible"), v("eligible_enrolled"), v("coverage_rate")), ("35".into(), "18".into(), "10".into(), "0.5556".into()));
    // seven hits and the confirmed possible match; F26's match open; US-ACME-001 and
    // BKCHCNBJ have used their whole cap
    assert_eq!((v("blacklist_hits"), v("possible_matches_open"), v("obligors_capped")), ("8".into(), "1".into(), "2".into()));
    // the report shows these figures, grouped
    let html = std::fs::read_to_string(folder.join("report.html")).unwrap();
    for shown in ["¥22,760.90", "¥12,070.00", "$88,723.48", "$147,183.74", "55.6%", "思明区 350203"] {
        assert!(html.contains(shown), "the report lacks {shown}");
    }
}

#[test]
fn explain_names_an_unknown_firm_or_claim_in_one_line_and_exits_2() {
    let o = explain_sample().args(["--lang", "en", "--as-of", AS_OF, "firm", "91350200MA33GULG91"]).assert().code(2);
    assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
    assert!(o.stderr.contains("firm 91350200MA33GULG91 is in no row of the firms input"), "{}", o.stderr);
    let o = explain_sample().args(["--as-of", AS_OF, "claim", "CL-1999-0001"]).assert().code(2);
    assert!(o.stderr.contains("评估日 2022-05-07 的运行未计算案件 CL-1999-0001"), "{}", o.stderr);
    assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
    // a firm whose rows were rejected is known: its rejects are the explanation
    let o = explain_sample().args(["--lang", "en", "--as-of", AS_OF, "firm", "91350211MA8U2B3C71"]).assert().success();
    assert!(o.stdout.contains("duplicate_key"), "{}", o.stdout);
    // so is a claim rejected for any reason (claims.csv row 7: three faults)
    let o = explain_sample().args(["--lang", "en", "--as-of", AS_OF, "claim", "CL-2022-0040"]).assert().success();
    for fault in ["row 7, column credit_days, reason invalid_integer", "column obligor_country, reason invalid_country", "column self_contracted, reason invalid_boolean"] {
        assert!(o.stdout.contains(fault), "{}", o.stdout);
    }
}

#[test]
fn explain_takes_the_newest_published_run_and_refuses_a_date_beside_run() {
    let tmp = tempfile::tempdir().unwrap();
    for date in ["2022-05-06", "2022-05-07"] {
        tongbao().args(["-q", "run", "--as-of", date, "--out"]).arg(tmp.path()).assert().success();
    }
    let o = tongbao().args(["-q", "explain", "--lang", "en", "--out"]).arg(tmp.path()).args(["firm", "91350205MA31CR8Y18"]).assert().success();
    assert!(o.stdout.contains("evaluation date: 2022-05-07"), "{}", o.stdout);
    let run = tmp.path().join("as_of=2022-05-06");
    tongbao().args(["-q", "explain", "--run"]).arg(&run).args(["--as-of", "2022-05-07", "firm", "91350205MA31CR8Y18"]).assert().code(2).stderr_has("leave out --as-of");
}

#[test]
fn explain_in_chinese_is_written_in_chinese() {
    let o = explain_sample().args(["--as-of", AS_OF, "firm", "91350206MA2YJ5LU80"]).assert().success();
    for code in ["dishonest_debtor", "firm_uscc", "enrolled_not_eligible", "firm_blacklisted"] {
        assert!(!o.stdout.contains(code), "`{code}` in the Chinese text:\n{}", o.stdout);
    }
    assert!(o.stdout.contains("失信被执行人") && o.stdout.contains("企业信用代码一致") && o.stdout.contains("已投保但不符合条件"), "{}", o.stdout);
    let o = explain_sample().args(["--as-of", AS_OF, "claim", "CL-2022-0003"]).assert().success();
    assert!(!o.stdout.contains("under_review") && o.stdout.contains("审核中"), "{}", o.stdout);
}

#[test]
fn explain_of_a_run_tells_what_the_run_published_even_after_an_input_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let claims = tmp.path().join("claims.csv");
    let text = std::fs::read_to_string(repo().join("sample_data/claims.csv")).unwrap();
    std::fs::write(&claims, &text).unwrap();
    let out = tmp.path().join("out");
    tongbao().args(["-q", "run", "--as-of", AS_OF, "--out"]).arg(&out).arg("--claims").arg(&claims).assert().success();
    let run = out.join(format!("as_of={AS_OF}"));
    let o = tongbao().args(["-q", "explain", "--lang", "en", "--run"]).arg(&run).args(["claim", "CL-2022-0001"]).assert().success();
    assert!(o.stdout.contains("this claim gets USD 32,000.00"), "{}", o.stdout);
    // CL-2022-0001's loss edited after the run (40,000 -> 41,000): re-evaluated, its
    // indemnity would be 32,800.00; the run published 32,000.00, and that is what explain says
    let line = text.lines().find(|l| l.starts_with("CL-2022-0001,")).unwrap();
    assert!(line.contains(",USD,40000.00,paid,"), "{line}");
    std::fs::write(&claims, text.replace(line, &line.replace(",USD,40000.00,paid,", ",USD,41000.00,paid,"))).unwrap();
    let o = tongbao().args(["-q", "explain", "--lang", "en", "--run"]).arg(&run).args(["claim", "CL-2022-0001"]).assert().success();
    assert!(o.stdout.contains("loss USD 40,000.00") && o.stdout.contains("this claim gets USD 32,000.00"), "{}", o.stdout);
    assert!(!o.stdout.contains("32,800.00"), "{}", o.stdout);
    // even with the input files gone
    std::fs::remove_file(&claims).unwrap();
    tongbao().args(["-q", "explain", "--lang", "en", "--run"]).arg(&run).args(["claim", "CL-2022-0001"]).assert().success();
}

#[test]
fn explain_without_a_published_run_of_the_date_says_so_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    tongbao().args(["-q", "explain", "--out"]).arg(tmp.path()).args(["firm", "91350205MA31CR8Y18"]).assert().code(2).stderr_has("no published run in");
    tongbao().args(["-q", "explain", "--out"]).arg(published_sample()).args(["--as-of", "2022-05-06", "firm", "91350205MA31CR8Y18"]).assert().code(2).stderr_has("no run as of 2022-05-06 is published");
}

#[test]
fn explain_reads_the_registry_words_and_the_fixings_from_the_published_tables() {
    // the registry's words the rules read are columns of firm_eligibility
    let df = read_parquet(&published_sample().join(format!("as_of={AS_OF}")).join("firm_eligibility.parquet"));
    let row = texts(&df, "uscc").iter().position(|u| u == "91350205MA31CR8Y18").unwrap();
    assert_eq!((texts(&df, "reg_status")[row].as_str(), texts(&df, "legal_rep_name")[row].as_str()), ("存续（在营、开业、在册）", "庄秀英"));
    let o = explain_sample().args(["--lang", "en", "firm", "91350205MA31CR8Y18"]).assert().success();
    assert!(o.stdout.contains("registration status \"存续（在营、开业、在册）\"") && o.stdout.contains("legal representative 庄秀英"), "{}", o.stdout);
    // the fixings, their units and the ratio are claim_indemnity's (sample_data/README.md:
    // CL-2022-0007, JPY 2,345,678 at 5.4876 per 100 JPY and 6.3175 per USD)
    let o = explain_sample().args(["--lang", "en", "claim", "CL-2022-0007"]).assert().success();
    for shown in ["(100 JPY = CNY 5.4876 (2022-03-04); 1 USD = CNY 6.3175 (2022-03-03)) is USD 20,375.37", "3. indemnity ratio 80%, rounded down to the cent: USD 16,300.29"] {
        assert!(o.stdout.contains(shown), "lacks {shown}:\n{}", o.stdout);
    }
}

#[test]
fn explain_refuses_a_run_published_without_the_columns_it_reads() {
    // a run of an earlier version: its rejects have no `key`
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join(format!("as_of={AS_OF}"));
    std::fs::create_dir(&run).unwrap();
    for e in std::fs::read_dir(published_sample().join(format!("as_of={AS_OF}"))).unwrap().flatten() {
        std::fs::copy(e.path(), run.join(e.file_name())).unwrap();
    }
    let mut old = tongbao::frames::rejects(&[], false).unwrap();
    let file = std::fs::File::create(run.join("rejects.parquet")).unwrap();
    polars::prelude::ParquetWriter::new(file).finish(&mut old).unwrap();
    let o = tongbao().args(["-q", "explain", "--run"]).arg(&run).args(["firm", "91350205MA31CR8Y18"]).assert().code(2);
    assert!(o.stderr.contains("published by an earlier tongbao: its `rejects` lacks key"), "{}", o.stderr);
    assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
}

#[test]
fn explain_lists_the_earlier_claims_of_the_same_ledger_only_in_notification_then_id_order() {
    use tongbao::model::{EnrollmentStatus, ObligorType};
    let u = uscc("91", "350203", "MA33GULG");
    let apps = vec![
        enrollment("A1", &u, "P1", 2022, "2022-01-10", "2022-01-15", EnrollmentStatus::Accepted),
        enrollment("A2", &u, "P2", 2022, "2022-01-10", "2022-01-15", EnrollmentStatus::Accepted),
    ];
    // C10 and C9 on buyer B1 of P1 the same day: "C10" < "C9" as text, so C10 takes
    // 32,000.00 first and C9 gets 18,000.00; C11 (same buyer key, policy P2) and C12 (an
    // issuing bank keyed B1, policy P1) keep ledgers of their own
    let mut claims = vec![claim("C10", &u, 4_000_000, "2022-03-01"), claim("C9", &u, 4_000_000, "2022-03-01")];
    let mut other_policy = claim("C11", &u, 4_000_000, "2022-02-01");
    other_policy.policy_no = "P2".into();
    let mut bank = claim("C12", &u, 4_000_000, "2022-02-15");
    bank.obligor_type = ObligorType::IssuingBank;
    claims.extend([other_policy, bank]);
    let priced = tongbao::rules::claims::price(&claims, &apps, &[], &policy());
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join(format!("as_of={AS_OF}"));
    std::fs::create_dir(&run).unwrap();
    let as_of = d(AS_OF);
    for (name, mut df) in [
        ("claim_indemnity", tongbao::frames::claim_indemnity(&priced).unwrap()),
        ("firm_eligibility", tongbao::frames::firm_eligibility(&[], &[], as_of, "2022-2023").unwrap()),
        ("rejects", tongbao::frames::rejects(&[], true).unwrap()),
    ] {
        let file = std::fs::File::create(run.join(format!("{name}.parquet"))).unwrap();
        polars::prelude::ParquetWriter::new(file).finish(&mut df).unwrap();
    }
    std::fs::write(run.join("manifest.json"), format!(r#"{{"as_of": "{AS_OF}", "reference_year": 2021, "period": {{"id": "2022-2023"}}}}"#)).unwrap();
    let explain = |id: &str| tongbao().args(["-q", "explain", "--lang", "en", "--run"]).arg(&run).args(["claim", id]).assert().success().stdout;
    let c9 = explain("C9");
    assert!(c9.contains("1 earlier claims had taken USD 32,000.00 (C10 USD 32,000.00)"), "{c9}");
    assert!(c9.contains("this claim gets USD 18,000.00, cut by the cap USD 14,000.00, capacity left USD 0.00"), "{c9}");
    let c10 = explain("C10");
    assert!(c10.contains("0 earlier claims had taken USD 0.00\n"), "{c10}");
    for id in ["C11", "C12"] {
        let text = explain(id);
        assert!(text.contains("0 earlier claims had taken USD 0.00\n") && text.contains("this claim gets USD 32,000.00"), "{id}: {text}");
    }
}
