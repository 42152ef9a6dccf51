//! The binary end to end on `sample_data/`: exit codes, every output file, the hand-checked
//! answers of `sample_data/expected/`, reruns, faults, locks and shuffles.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::support::*;

const AS_OF: &str = "2022-05-07";

fn run_into(out: &Path) -> Outcome {
    tongbao().args(["-q", "run", "--as-of", AS_OF, "--out"]).arg(out).assert()
}

fn published(out: &Path) -> PathBuf {
    out.join(format!("as_of={AS_OF}"))
}

/// A column as text: decimals with two places, booleans as true/false, nulls as "".
pub fn texts(df: &DataFrame, name: &str) -> Vec<String> {
    let s = df.column(name).unwrap_or_else(|e| panic!("{name}: {e}")).as_materialized_series().clone();
    let s = s.cast(&DataType::String).expect("text");
    s.str().expect("str").iter().map(|v| v.unwrap_or("").to_string()).collect()
}

/// Rows of an expected CSV as maps from header to value.
pub fn expected(name: &str) -> Vec<BTreeMap<String, String>> {
    let path = repo().join("sample_data/expected").join(name);
    let mut r = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().expect("headers").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

/// Rows of an output as maps from column to text, keyed by `key`.
fn output_by(df: &DataFrame, key: &str, columns: &[(&str, &str)]) -> BTreeMap<String, BTreeMap<String, String>> {
    let keys = texts(df, key);
    let cols: Vec<(String, Vec<String>)> = columns.iter().map(|(exp, out)| (exp.to_string(), texts(df, out))).collect();
    keys.iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), cols.iter().map(|(name, v)| (name.clone(), v[i].clone())).collect()))
        .collect()
}

fn run_sample() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    run_into(tmp.path()).success();
    let folder = published(tmp.path());
    (tmp, folder)
}

#[test]
fn run_on_sample_data_publishes_every_table_and_the_manifest() {
    let (_tmp, folder) = run_sample();
    for f in [
        "firm_eligibility.parquet",
        "blacklist_hits.parquet",
        "enrollment_reconciliation.parquet",
        "claim_indemnity.parquet",
        "rejects.parquet",
        "row_warnings.parquet",
        "review_queue.parquet",
        "review_decisions.parquet",
        "enrollment_by_district_band.parquet",
        "exposure_by_cause.parquet",
        "exposure_by_country.parquet",
        "obligor_exposure.parquet",
        "claims_by_quarter.parquet",
        "rejects_by_reason.parquet",
        "report.html",
        "manifest.json",
    ] {
        assert!(folder.join(f).is_file(), "{f} missing");
    }
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["as_of"], AS_OF);
    assert_eq!(manifest["period"]["id"], "2022-2023");
    assert_eq!(manifest["exit_status"], 0);
    let inputs = manifest["inputs"].as_array().expect("inputs");
    assert_eq!(inputs.len(), 7);
    for i in inputs {
        let (read, acc, rej) = (i["counts"]["read"].as_u64().unwrap(), i["counts"]["accepted"].as_u64().unwrap(), i["counts"]["rejected"].as_u64().unwrap());
        assert_eq!(read, acc + rej, "{}", i["input"]);
        assert!(read > 0, "{}", i["input"]);
        for f in i["files"].as_array().unwrap() {
            assert_eq!(f["sha256"].as_str().unwrap().len(), 64);
        }
    }
    for o in manifest["outputs"].as_array().unwrap() {
        if o["file"] == "report.html" {
            assert!(o.get("rows").is_none());
            assert!(folder.join("report.html").is_file());
            continue;
        }
        let df = read_parquet(&folder.join(o["file"].as_str().unwrap()));
        assert_eq!(df.height() as u64, o["rows"].as_u64().unwrap(), "{}", o["name"]);
    }
}

#[test]
fn counts_match_the_hand_checked_counts() {
    let (_tmp, folder) = run_sample();
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).unwrap()).unwrap();
    for row in expected("counts.csv") {
        let entry = manifest["inputs"].as_array().unwrap().iter().find(|i| i["input"] == row["input"].as_str()).expect("input");
        for k in ["read", "accepted", "rejected"] {
            assert_eq!(entry["counts"][k].as_u64().unwrap().to_string(), row[k], "{} {k}", row["input"]);
        }
        assert_eq!(entry["out_of_run"].as_u64().unwrap().to_string(), row["out_of_run"], "{} out_of_run", row["input"]);
    }
}

#[test]
fn firm_eligibility_matches_the_hand_checked_answers() {
    let (_tmp, folder) = run_sample();
    let df = read_parquet(&folder.join("firm_eligibility.parquet"));
    let got = output_by(&df, "uscc", &[("is_eligible", "is_eligible"), ("reasons", "reasons"), ("district", "district"), ("self_exports_usd", "self_exports_usd")]);
    let want = expected("firms.csv");
    assert_eq!(got.len(), want.len(), "firm rows");
    for w in want {
        let g = got.get(&w["uscc"]).unwrap_or_else(|| panic!("no row for {}", w["uscc"]));
        for k in ["is_eligible", "reasons", "district", "self_exports_usd"] {
            assert_eq!(g[k], w[k], "{} {k}", w["uscc"]);
        }
    }
}

#[test]
fn reconciliation_matches_the_hand_checked_answers() {
    let (_tmp, folder) = run_sample();
    let df = read_parquet(&folder.join("enrollment_reconciliation.parquet"));
    let uscc = texts(&df, "uscc");
    let app = texts(&df, "application_id");
    let status = texts(&df, "status");
    let dup = texts(&df, "duplicate_enrollment");
    let subsidy = texts(&df, "subsidy_cny");
    let mut got: Vec<Vec<String>> = (0..df.height()).map(|i| vec![uscc[i].clone(), app[i].clone(), status[i].clone(), dup[i].clone(), subsidy[i].clone()]).collect();
    let mut want: Vec<Vec<String>> = expected("reconciliation.csv")
        .into_iter()
        .map(|w| vec![w["uscc"].clone(), w["application_id"].clone(), w["status"].clone(), w["duplicate_enrollment"].clone(), w["subsidy_cny"].clone()])
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn claims_match_the_hand_checked_answers() {
    let (_tmp, folder) = run_sample();
    let df = read_parquet(&folder.join("claim_indemnity.parquet"));
    let cols = [
        ("is_covered", "is_covered"),
        ("reasons", "reasons"),
        ("usd_loss", "usd_loss"),
        ("indemnity_before_cap", "indemnity_before_cap_usd"),
        ("indemnity", "indemnity_usd"),
        ("cut_by_cap", "cut_by_cap_usd"),
        ("capacity_left", "capacity_left_usd"),
        ("insurer_recovery", "insurer_recovery_usd"),
        ("net_indemnity", "net_indemnity_usd"),
        ("paid_mismatch", "paid_mismatch"),
    ];
    let got = output_by(&df, "claim_id", &cols);
    let want = expected("claims.csv");
    assert_eq!(got.len(), want.len(), "claim rows");
    for w in want {
        let g = got.get(&w["claim_id"]).unwrap_or_else(|| panic!("no row for {}", w["claim_id"]));
        for (k, _) in cols {
            assert_eq!(g[k], w[k], "{} {k}", w["claim_id"]);
        }
    }
}

#[test]
fn blacklist_hits_match_the_hand_checked_answers() {
    let (_tmp, folder) = run_sample();
    let df = read_parquet(&folder.join("blacklist_hits.parquet"));
    let columns = ["uscc", "match", "list_type", "case_no", "is_hit", "review"];
    assert_eq!(rows_of(&df, &columns), expected_rows("blacklist_hits.csv", &columns));
}

/// An output's rows as text in the named columns, sorted.
fn rows_of(df: &DataFrame, columns: &[&str]) -> Vec<Vec<String>> {
    let cols: Vec<Vec<String>> = columns.iter().map(|c| texts(df, c)).collect();
    let mut rows: Vec<Vec<String>> = (0..df.height()).map(|i| cols.iter().map(|c| c[i].clone()).collect()).collect();
    rows.sort();
    rows
}

/// An expected CSV's rows in the named columns, sorted.
fn expected_rows(file: &str, columns: &[&str]) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = expected(file).into_iter().map(|w| columns.iter().map(|c| w[*c].clone()).collect()).collect();
    rows.sort();
    rows
}

#[test]
fn row_warnings_match_the_hand_checked_answers_in_every_column() {
    let (_tmp, folder) = run_sample();
    let df = read_parquet(&folder.join("row_warnings.parquet"));
    let columns: Vec<String> = df.get_column_names().iter().map(|c| c.to_string()).collect();
    let expected_columns: Vec<String> = {
        let path = repo().join("sample_data/expected/row_warnings.csv");
        csv::Reader::from_path(&path).unwrap().headers().unwrap().iter().map(str::to_string).collect()
    };
    // every column of the output is worked out by hand: a new one fails here until it is
    assert_eq!(columns, expected_columns);
    let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut got = rows_of(&df, &cols);
    for row in &mut got {
        row[1] = row[1].split("sample_data/").last().unwrap_or("").to_string();
    }
    got.sort();
    assert_eq!(got, expected_rows("row_warnings.csv", &cols));
}

#[test]
fn review_decisions_and_the_queue_match_the_hand_checked_answers() {
    let (_tmp, folder) = run_sample();
    let columns = ["uscc", "case_no", "decision", "decided_on", "effect", "possible_matches"];
    let df = read_parquet(&folder.join("review_decisions.parquet"));
    assert_eq!(rows_of(&df, &columns), expected_rows("review_decisions.csv", &columns));
    let columns = ["uscc", "match", "list_type", "case_no", "is_new"];
    let df = read_parquet(&folder.join("review_queue.parquet"));
    assert_eq!(rows_of(&df, &columns), expected_rows("review_queue.csv", &columns));
}

#[test]
fn rejects_match_the_hand_checked_answers() {
    let (_tmp, folder) = run_sample();
    let df = read_parquet(&folder.join("rejects.parquet"));
    let (i, f, r, c, reason) = (texts(&df, "input"), texts(&df, "file"), texts(&df, "row"), texts(&df, "column"), texts(&df, "reason"));
    let mut got: Vec<Vec<String>> = (0..df.height())
        .map(|k| {
            let file = f[k].split("sample_data/").last().unwrap_or("").to_string();
            vec![i[k].clone(), file, r[k].clone(), c[k].clone(), reason[k].clone()]
        })
        .collect();
    let mut want: Vec<Vec<String>> = expected("rejects.csv")
        .into_iter()
        .map(|w| vec![w["input"].clone(), w["file"].clone(), w["row"].clone(), w["column"].clone(), w["reason"].clone()])
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn check_prints_counts_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    tongbao()
        .args(["-q", "check", "--as-of", AS_OF, "--out"])
        .arg(tmp.path())
        .assert()
        .success()
        .stdout_has("firms")
        .stdout_has("accepted")
        .stdout_has("fx_rates");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn check_on_a_file_missing_a_column_exits_2_naming_the_column() {
    let tmp = tempfile::tempdir().expect("tmp");
    let p = tmp.path().join("fx.csv");
    std::fs::write(&p, "currency,rate_date\nUSD,2022-01-04\n").unwrap();
    tongbao()
        .args(["-q", "check", "--as-of", AS_OF, "--fx-rates"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr_has("cny_per_unit")
        .stderr_has("fx.csv");
}

#[test]
fn running_twice_gives_identical_detail_files() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    run_into(a.path()).success();
    run_into(b.path()).success();
    let strip = |v: Vec<(String, Vec<u8>)>| v.into_iter().filter(|(n, _)| n != "manifest.json").collect::<Vec<_>>();
    let fa = strip(folder_bytes(&published(a.path())));
    let fb = strip(folder_bytes(&published(b.path())));
    assert!(!fa.is_empty());
    assert_eq!(fa, fb);
}

#[test]
fn a_failed_run_leaves_the_published_folder_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    run_into(tmp.path()).success();
    let before = folder_bytes(&published(tmp.path()));
    for n in 1..=4 {
        tongbao()
            .args(["-q", "run", "--as-of", AS_OF, "--out"])
            .arg(tmp.path())
            .env("TONGBAO_FAULT_AFTER_FILES", n.to_string())
            .assert()
            .code(1)
            .stderr_has("injected fault");
        assert_eq!(folder_bytes(&published(tmp.path())), before, "after a fault at file {n}");
    }
    // the next run cleans the staging folders the failed runs left and publishes
    run_into(tmp.path()).success();
    let visible: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| !n.starts_with(".tongbao.lock"))
        .collect();
    let mut visible = visible;
    visible.sort();
    assert_eq!(visible, vec![format!("as_of={AS_OF}"), "latest".to_string()]);
}

#[test]
fn a_run_while_another_holds_the_lock_exits_4() {
    let tmp = tempfile::tempdir().unwrap();
    let _held = tongbao::lock::RunLock::acquire(tmp.path()).expect("lock");
    run_into(tmp.path()).code(4).stderr_has("lock");
    assert!(!published(tmp.path()).exists());
}

#[test]
fn an_evaluation_date_no_period_covers_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    tongbao().args(["-q", "run", "--as-of", "2030-01-01", "--out"]).arg(tmp.path()).assert().code(2).stderr_has("no policy period");
}

#[test]
fn too_many_rejects_publish_nothing_and_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("strict.toml");
    let text = std::fs::read_to_string(repo().join("tongbao.toml")).unwrap().replace("max_reject_share = { all = 0.15 }", "max_reject_share = { all = 0.0 }");
    let text = text.replace("\"sample_data/", &format!("\"{}/sample_data/", repo().display())).replace("\"policy.toml\"", &format!("\"{}/policy.toml\"", repo().display())).replace("\"sql\"", &format!("\"{}/sql\"", repo().display()));
    std::fs::write(&cfg, text).unwrap();
    tongbao().arg("-q").arg("--config").arg(&cfg).args(["run", "--as-of", AS_OF, "--out"]).arg(tmp.path().join("out")).assert().code(3).stderr_has("rejected");
    assert!(!published(&tmp.path().join("out")).exists());
}

#[test]
fn shuffling_the_rows_of_every_input_changes_no_detail_output() {
    let tmp = tempfile::tempdir().unwrap();
    let shuffled = tmp.path().join("shuffled");
    std::fs::create_dir_all(&shuffled).unwrap();
    let mut args: Vec<String> = Vec::new();
    for (input, file) in [("firms", "firms.csv"), ("blacklists", "blacklists.csv"), ("claims", "claims.csv"), ("fx-rates", "fx_rates.csv")] {
        let text = std::fs::read_to_string(repo().join("sample_data").join(file)).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        let header = lines.remove(0);
        lines.reverse();
        let third = lines.len() / 3;
        lines.rotate_left(third);
        let p = shuffled.join(file);
        std::fs::write(&p, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
        args.push(format!("--{input}"));
        args.push(p.display().to_string());
    }
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    run_into(&a).success();
    tongbao().args(["-q", "run", "--as-of", AS_OF, "--out"]).arg(&b).args(&args).assert().success();
    for name in ["firm_eligibility", "blacklist_hits", "enrollment_reconciliation", "claim_indemnity", "obligor_exposure", "claims_by_quarter", "enrollment_by_district_band"] {
        let fa = read_parquet(&published(&a).join(format!("{name}.parquet")));
        let fb = read_parquet(&published(&b).join(format!("{name}.parquet")));
        let drop_source = |df: DataFrame| if df.column("source_row").is_ok() { df.drop_many(["source_row", "source_file"]) } else { df };
        assert!(drop_source(fa).equals_missing(&drop_source(fb)), "{name} differs");
    }
}
