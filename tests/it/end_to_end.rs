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

/// The null marker of the golden files: `\N` is a null, an empty cell is the empty text.
const NULL_CELL: &str = "\\N";

/// Rows of an expected CSV as maps from header to value, for readers that only ask whether a
/// cell has a value: a null (`\N`) reads as empty, like the empty text.
pub fn expected(name: &str) -> Vec<BTreeMap<String, String>> {
    expected_cells(name)
        .into_iter()
        .map(|row| row.into_iter().map(|(h, v)| if v == NULL_CELL { (h, String::new()) } else { (h, v) }).collect())
        .collect()
}

/// Rows of an expected CSV as written: a null is `\N`, the empty text is "".
fn expected_cells(name: &str) -> Vec<BTreeMap<String, String>> {
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

/// Columns that hold a path as the run read it: compared by the part under `sample_data/` (the
/// file name the hand-checked files give), since the rest depends on the machine.
const PATH_COLUMNS: [&str; 2] = ["file", "source_file"];

/// A path as the hand-checked files write it: relative to `sample_data/`.
fn under_sample_data(path: &str) -> String {
    path.split("sample_data/").last().unwrap_or("").to_string()
}

/// The header of an expected CSV.
fn expected_columns(name: &str) -> Vec<String> {
    let path = repo().join("sample_data/expected").join(name);
    csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).headers().expect("headers").iter().map(str::to_string).collect()
}

/// A column's cells as the every-column golden files write them: a null is `\N`, so that it
/// differs from the empty text `""` (docs/outputs.md: "empty" is null, "empty text" is `""`).
fn cells(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    let s = df.column(name).unwrap_or_else(|e| panic!("{name}: {e}")).as_materialized_series().clone();
    let s = s.cast(&DataType::String).expect("text");
    s.str().expect("str").iter().map(|v| v.map(str::to_string)).collect()
}

/// Every column of an output against the hand-checked CSV `file`, rows matched on `key`.
///
/// The output's columns must be exactly the file's columns, in the same order: a column the output gains fails here until its values
/// are worked out by hand and added to the file, and a column it loses fails too. Then every
/// cell of every row must agree; all the cells that differ are listed at once.
fn assert_every_column_matches(df: &DataFrame, file: &str, key: &[&str]) {
    let out_columns: Vec<String> = df.get_column_names().iter().map(|c| c.to_string()).collect();
    assert_eq!(out_columns, expected_columns(file), "{file}: the output's columns (left) against the hand-checked columns (right)");
    let values: Vec<Vec<String>> = out_columns
        .iter()
        .map(|c| {
            let path = PATH_COLUMNS.contains(&c.as_str());
            cells(df, c)
                .into_iter()
                .map(|v| match v {
                    None => NULL_CELL.to_string(),
                    Some(p) if path => under_sample_data(&p),
                    Some(t) => t,
                })
                .collect()
        })
        .collect();
    let key_of = |row: &BTreeMap<String, String>| -> Vec<String> { key.iter().map(|k| row[*k].clone()).collect() };
    let mut got: BTreeMap<Vec<String>, BTreeMap<String, String>> = BTreeMap::new();
    for i in 0..df.height() {
        let row: BTreeMap<String, String> = out_columns.iter().zip(&values).map(|(c, v)| (c.clone(), v[i].clone())).collect();
        let k = key_of(&row);
        assert!(got.insert(k.clone(), row).is_none(), "{file}: two output rows with {key:?} = {k:?}");
    }
    let mut want: BTreeMap<Vec<String>, BTreeMap<String, String>> = BTreeMap::new();
    for row in expected_cells(file) {
        let k = key_of(&row);
        assert!(want.insert(k.clone(), row).is_none(), "{file}: two hand-checked rows with {key:?} = {k:?}");
    }
    assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>(), "{file}: the rows by {key:?}, output (left) against hand-checked (right)");
    let mut differ = Vec::new();
    for (k, w) in &want {
        let g = &got[k];
        for c in &out_columns {
            if g[c] != w[c] {
                differ.push(format!("  {} {c}: output {:?}, hand-checked {:?}", k.join(" "), g[c], w[c]));
            }
        }
    }
    assert!(differ.is_empty(), "{file}: {} cells differ from the hand-checked answers:\n{}", differ.len(), differ.join("\n"));
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
    assert_every_column_matches(&df, "firms.csv", &["uscc"]);
}

#[test]
fn reconciliation_matches_the_hand_checked_answers() {
    let (_tmp, folder) = run_sample();
    let df = read_parquet(&folder.join("enrollment_reconciliation.parquet"));
    assert_every_column_matches(&df, "reconciliation.csv", &["uscc", "application_id"]);
}

#[test]
fn claims_match_the_hand_checked_answers() {
    let (_tmp, folder) = run_sample();
    let df = read_parquet(&folder.join("claim_indemnity.parquet"));
    assert_every_column_matches(&df, "claims.csv", &["claim_id"]);
}

#[test]
fn blacklist_hits_match_the_hand_checked_answers() {
    let (_tmp, folder) = run_sample();
    let df = read_parquet(&folder.join("blacklist_hits.parquet"));
    assert_every_column_matches(&df, "blacklist_hits.csv", &["uscc", "match", "case_no"]);
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
    assert_every_column_matches(&df, "rejects.csv", &["input", "file", "row", "column", "reason"]);
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

#[test]
fn an_output_root_with_pattern_characters_in_its_name_is_just_a_folder() {
    // the summaries read the staged tables back by path: `[`, `*` and `?` are not a glob
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("runs [prod] *?");
    run_into(&out).success();
    assert!(published(&out).join("headline.parquet").exists());
}
