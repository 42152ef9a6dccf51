//! The guards end to end (docs/rules.md): a drifted feed stops the run with exit 3 and a one-line
//! message, leaves the published folder byte for byte as it was, and leaves its evidence
//! under `failed/`; each guard yields to its config key and its one-run flag, and the
//! manifest records what overrode it.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use crate::support::*;

const AS_OF: &str = "2022-05-07";

/// An output root holding the sample's published run, and that folder's bytes.
struct Published {
    tmp: tempfile::TempDir,
    before: Vec<(String, Vec<u8>)>,
}

impl Published {
    fn new() -> Published {
        let tmp = tempfile::tempdir().unwrap();
        tongbao().args(["-q", "run", "--as-of", AS_OF, "--out"]).arg(tmp.path().join("out")).assert().success();
        let before = folder_bytes(&tmp.path().join("out").join(format!("as_of={AS_OF}")));
        Published { tmp, before }
    }

    fn out(&self) -> PathBuf {
        self.tmp.path().join("out")
    }

    fn dir(&self) -> &Path {
        self.tmp.path()
    }

    /// `run` on this output root with extra arguments (after `run`).
    fn run(&self, config: Option<&Path>, args: &[&str]) -> Outcome {
        let mut c = tongbao().arg("-q");
        if let Some(cfg) = config {
            c = c.arg("--config").arg(cfg);
        }
        c.args(["run", "--as-of", AS_OF, "--out"]).arg(self.out()).args(args).assert()
    }

    /// The run stopped: exit 3, the published folder unchanged, the failed folder holding
    /// a manifest that names `guard`. Returns the failed manifest.
    fn stopped(&self, o: Outcome, guard: &str) -> serde_json::Value {
        let o = o.code(3).stderr_has(&format!("guard {guard}"));
        assert_eq!(folder_bytes(&self.out().join(format!("as_of={AS_OF}"))), self.before, "the published run changed");
        let failed = self.out().join("failed").join(format!("as_of={AS_OF}"));
        let names: Vec<String> = folder_bytes(&failed).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["manifest.json", "rejects.parquet", "row_warnings.parquet"], "{}", o.stderr);
        let m: serde_json::Value = serde_json::from_slice(&std::fs::read(failed.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(m["exit_status"], 3);
        assert!(m["guards"]["stopped_by"].as_array().unwrap().iter().any(|f| f["guard"] == guard), "{m:#}");
        // each guard's message is one line: the error lines are the guards' and one saying
        // where the evidence is
        let errors: Vec<&str> = o.stderr.lines().filter(|l| l.contains("tongbao: error:")).collect();
        assert_eq!(errors.len(), m["guards"]["stopped_by"].as_array().unwrap().len() + 1, "{}", o.stderr);
        assert!(errors.last().unwrap().contains("nothing was published"));
        m
    }
}

/// A copy of the sample's config with absolute paths, edited by `edits` (from, to).
fn config(dir: &Path, edits: &[(&str, &str)]) -> PathBuf {
    let root = repo().display().to_string();
    let mut text = std::fs::read_to_string(repo().join("tongbao.toml")).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "the sample config has no `{from}`");
        text = text.replacen(from, to, 1);
    }
    let text = text
        .replace("\"sample_data/", &format!("\"{root}/sample_data/"))
        .replace("\"policy.toml\"", &format!("\"{root}/policy.toml\""))
        .replace("\"sql\"", &format!("\"{root}/sql\""));
    let p = dir.join("tongbao.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn sample(name: &str) -> String {
    std::fs::read_to_string(repo().join("sample_data").join(name)).unwrap()
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

#[test]
fn a_renamed_column_that_a_rule_reads_stops_the_run_and_names_the_column() {
    let p = Published::new();
    let firms = write(p.dir(), "firms.csv", sample("firms.csv").replacen("legal_rep_id", "rep_id", 1));
    let o = p.run(None, &["--firms", &firms]);
    assert!(o.stderr.contains("column `rep_id` is not one tongbao reads (did you mean `legal_rep_id`?)"), "{}", o.stderr);
    let m = p.stopped(o, "absent_column");
    let msg = m["guards"]["stopped_by"][0]["message"].as_str().unwrap();
    assert!(msg.contains("has no column `legal_rep_id`, which a rule reads"), "{msg}");
    assert!(msg.contains("--allow-absent firms.legal_rep_id"), "{msg}");
}

#[test]
fn a_declared_absence_or_the_flag_lets_the_run_publish_and_the_manifest_says_so() {
    let p = Published::new();
    let firms = write(p.dir(), "firms.csv", sample("firms.csv").replacen("legal_rep_id", "rep_id", 1));
    let o = p.run(None, &["--firms", &firms, "--allow-absent", "firms.legal_rep_id"]).success();
    assert!(o.stderr.contains("overridden by flag --allow-absent firms.legal_rep_id"), "{}", o.stderr);
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(p.out().join(format!("as_of={AS_OF}/manifest.json"))).unwrap()).unwrap();
    let overridden = m["guards"]["overridden"].as_array().unwrap();
    assert!(overridden.iter().any(|f| f["guard"] == "absent_column" && f["overridden_by"] == "flag --allow-absent firms.legal_rep_id"), "{m:#}");

    let cfg = config(
        p.dir(),
        &[
            ("firms = \"sample_data/firms.csv\"\n", ""),
            ("[inputs.exports]", &format!("[inputs.firms]\npath = \"{firms}\"\nabsent = [\"legal_rep_id\"]\n\n[inputs.exports]")),
        ],
    );
    p.run(Some(&cfg), &[]).success();
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(p.out().join(format!("as_of={AS_OF}/manifest.json"))).unwrap()).unwrap();
    assert!(m["guards"]["overridden"].as_array().unwrap().iter().any(|f| f["overridden_by"] == "config [inputs.firms] absent = [\"legal_rep_id\"]"), "{m:#}");
}

#[test]
fn a_blacklist_with_only_its_header_stops_the_run() {
    let p = Published::new();
    let header = sample("blacklists.csv").lines().next().unwrap().to_string();
    let bl = write(p.dir(), "blacklists.csv", format!("{header}\n"));
    let o = p.run(None, &["--blacklists", &bl]);
    let o = o.stderr_has("guard empty_input: input `blacklists`: 0 accepted rows (of 0 read), at least 1 required");
    p.stopped(o, "empty_input");
    // claims may be empty: a programme's first weeks
    let claims_header = sample("claims.csv").lines().next().unwrap().to_string();
    let claims = write(p.dir(), "claims.csv", format!("{claims_header}\n"));
    p.run(None, &["--claims", &claims]).success();
    // and the flag lets an empty blacklist through for one run
    p.run(None, &["--blacklists", &bl, "--allow-empty", "blacklists"]).success().stderr_has("overridden by flag --allow-empty blacklists");
}

#[test]
fn a_gb18030_file_read_as_utf8_stops_run_and_check() {
    let p = Published::new();
    let text = sample("firms.csv");
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let firms = write(p.dir(), "firms_gb.csv", gb);
    let cfg = config(
        p.dir(),
        &[("firms = \"sample_data/firms.csv\"\n", ""), ("[inputs.exports]", &format!("[inputs.firms]\npath = \"{firms}\"\nencoding = \"utf8\"\n\n[inputs.exports]"))],
    );
    let o = p.run(Some(&cfg), &[]).stderr_has("guard reject_share: input `firms`: 39 of 39 rows rejected (100.00%), more than the allowed 15.00%");
    p.stopped(o, "reject_share");
    tongbao().arg("--config").arg(&cfg).args(["check", "--as-of", AS_OF, "--out"]).arg(p.out()).assert().code(3).stderr_has("guard reject_share: input `firms`");
}

#[test]
fn a_policy_prefix_that_is_not_digits_stops_the_run_before_any_input_is_read() {
    let p = Published::new();
    let policy = write(p.dir(), "policy.toml", std::fs::read_to_string(repo().join("policy.toml")).unwrap().replace("city_prefix = \"3502\"", "city_prefix = \"35O2\""));
    let o = p.run(None, &["--policy", &policy]).code(3);
    let lines: Vec<&str> = o.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "one line per fault:\n{}", o.stderr);
    assert!(lines[0].contains("policy.toml`: period `2020-2021`: city_prefix: `35O2` must be 1 to 6 digits"), "{}", o.stderr);
    assert!(lines[1].contains("period `2022-2023`: city_prefix"), "{}", o.stderr);
    assert_eq!(folder_bytes(&p.out().join(format!("as_of={AS_OF}"))), p.before);
}

#[test]
fn every_policy_fault_is_named_at_once() {
    let text = std::fs::read_to_string(repo().join("policy.toml"))
        .unwrap()
        .replacen("indemnity_ratio = \"0.80\"", "indemnity_ratio = \"0\"", 1)
        .replacen("cap_per_obligor_usd = \"50000.00\"", "cap_per_obligor_usd = \"0\"", 1)
        .replacen("[\"1000000.00\", \"2000000.00\"]", "[\"2000000.00\", \"1000000.00\"]", 1)
        .replacen("deregistered_patterns = [\"注销\", \"吊销\", \"撤销\"]", "deregistered_patterns = []", 1);
    let faults = tongbao::policy::Policy::parse(&text).unwrap_err().downcast::<tongbao::policy::PolicyFaults>().unwrap().faults;
    assert_eq!(
        faults,
        vec![
            "period `2020-2021`: cap_per_obligor_usd: `0` must be more than zero",
            "period `2020-2021`: indemnity_ratio: 0 basis points: the ratio must be more than 0 and at most 1",
            "period `2020-2021`: deregistered_patterns: the list is empty",
            "period `2020-2021`: band_edges_usd: `1000000.00` is not above the edge before it: edges must increase",
        ]
    );
    // band edges at or past the threshold (USD 3M in the earlier period)
    let text = std::fs::read_to_string(repo().join("policy.toml")).unwrap().replacen("[\"1000000.00\", \"2000000.00\"]", "[\"1000000.00\", \"3000000.00\", \"4000000.00\"]", 1);
    let faults = tongbao::policy::Policy::parse(&text).unwrap_err().downcast::<tongbao::policy::PolicyFaults>().unwrap().faults;
    assert_eq!(faults.len(), 2, "{faults:?}");
    assert!(faults[0].contains("`3000000.00` is not below export_threshold_usd"), "{faults:?}");
    // periods listed out of date order
    let shipped = std::fs::read_to_string(repo().join("policy.toml")).unwrap();
    let (head, second) = shipped.split_at(shipped.rfind("[[period]]").unwrap());
    let faults = tongbao::policy::Policy::parse(&format!("{second}\n{head}")).unwrap_err().downcast::<tongbao::policy::PolicyFaults>().unwrap().faults;
    assert_eq!(faults.len(), 1, "{faults:?}");
    assert!(faults[0].starts_with("period `2020-2021`: start 2020-01-01 is before that of period `2022-2023`"), "{faults:?}");
}

#[test]
fn a_summary_named_like_a_detail_table_is_a_configuration_error() {
    let p = Published::new();
    let sql = p.dir().join("sql");
    std::fs::create_dir_all(&sql).unwrap();
    std::fs::write(sql.join("claim_indemnity.sql"), "select 1 as x").unwrap();
    let o = p.run(None, &["--sql-dir", &sql.display().to_string()]).code(2);
    assert!(o.stderr.contains("claim_indemnity.sql`: the name `claim_indemnity` is a detail table's"), "{}", o.stderr);
    assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
    for name in ["manifest", "report"] {
        std::fs::remove_dir_all(&sql).unwrap();
        std::fs::create_dir_all(&sql).unwrap();
        std::fs::write(sql.join(format!("{name}.sql")), "select 1 as x").unwrap();
        p.run(None, &["--sql-dir", &sql.display().to_string()]).code(2).stderr_has(&format!("the name `{name}` is the {name}'s"));
    }
    assert_eq!(folder_bytes(&p.out().join(format!("as_of={AS_OF}"))), p.before);
}

#[test]
fn an_identifier_typed_as_a_number_in_xlsx_is_rejected_not_rounded_into_another_firm() {
    let p = Published::new();
    let firms = repo().join("tests/fixtures/bad/firms_number_uscc.xlsx");
    p.run(None, &["--firms", &firms.display().to_string()]).success();
    let rejects = read_parquet(&p.out().join(format!("as_of={AS_OF}/rejects.parquet")));
    let reasons = crate::end_to_end::texts(&rejects, "reason");
    let values = crate::end_to_end::texts(&rejects, "value");
    let rows = crate::end_to_end::texts(&rejects, "row");
    let i = reasons.iter().position(|r| r == "identifier_as_number").expect("an identifier_as_number reject");
    assert_eq!((rows[i].as_str(), values[i].as_str()), ("41", "913502000658928500"));
    let firms = read_parquet(&p.out().join(format!("as_of={AS_OF}/firm_eligibility.parquet")));
    assert!(!crate::end_to_end::texts(&firms, "uscc").iter().any(|u| u.starts_with("9135020006589285")));
}

#[test]
fn an_xlsx_with_a_title_row_above_the_header_reads_like_the_sample() {
    let p = Published::new();
    let xlsx = repo().join("tests/fixtures/bad/enrollments_title_row.xlsx");
    let other = p.dir().join("titled");
    tongbao().args(["-q", "run", "--as-of", AS_OF, "--out"]).arg(&other).arg("--enrollments").arg(&xlsx).assert().success();
    let a = p.out().join(format!("as_of={AS_OF}"));
    let b = other.join(format!("as_of={AS_OF}"));
    for name in ["enrollment_reconciliation", "firm_eligibility", "claim_indemnity"] {
        let fa = read_parquet(&a.join(format!("{name}.parquet")));
        let fb = read_parquet(&b.join(format!("{name}.parquet")));
        let drop = |df: polars::prelude::DataFrame| if df.column("source_file").is_ok() { df.drop_many(["source_file", "source_row"]) } else { df };
        assert!(drop(fa).equals_missing(&drop(fb)), "{name} differs");
    }
    // the title rows are not rows read, and the rejects keep the sheet's row numbers
    let manifest = |dir: &Path| -> serde_json::Value { serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap() };
    let counts = |m: &serde_json::Value| m["inputs"].as_array().unwrap().iter().find(|i| i["input"] == "enrollments").unwrap()["counts"].clone();
    assert_eq!(counts(&manifest(&a)), counts(&manifest(&b)));
    let rows = |dir: &Path| -> Vec<u64> {
        let r = read_parquet(&dir.join("rejects.parquet"));
        let inputs = crate::end_to_end::texts(&r, "input");
        crate::end_to_end::texts(&r, "row").iter().zip(&inputs).filter(|(_, i)| *i == "enrollments").map(|(r, _)| r.parse().unwrap()).collect()
    };
    assert_eq!(rows(&a).iter().map(|r| r + 2).collect::<Vec<_>>(), rows(&b));
}

#[test]
fn a_misspelt_key_in_an_input_table_names_the_key_the_table_and_the_file() {
    let p = Published::new();
    let cfg = config(p.dir(), &[("# sheet = \"Sheet1\"", "sheeet = \"Sheet1\"")]);
    let o = p.run(Some(&cfg), &[]).code(2);
    assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
    for part in [&format!("config `{}`", cfg.display()), "[inputs.enrollments]", "unknown field `sheeet`"] {
        assert!(o.stderr.contains(part), "lacks {part}: {}", o.stderr);
    }
}

#[test]
fn accepted_rows_falling_past_the_share_against_the_last_run_stop_the_run() {
    let p = Published::new();
    // the last published run is 2022-05-07; tonight is the day after, with a third of the firms gone
    let text = sample("firms.csv");
    let lines: Vec<&str> = text.lines().collect();
    let firms = write(p.dir(), "firms.csv", lines[..26].join("\n") + "\n");
    let tonight = |args: &[&str]| tongbao().args(["-q", "run", "--as-of", "2022-05-08", "--out"]).arg(p.out()).arg("--firms").arg(&firms).args(args).assert();
    let o = tonight(&[]).code(3);
    assert!(o.stderr.contains("guard drift: input `firms`: 24 accepted rows against 35 in the last published run (as_of=2022-05-07), a fall of 31.43%, more than the allowed 20.00%; pass `--allow-drift firms` for one run"), "{}", o.stderr);
    assert!(!p.out().join("as_of=2022-05-08").exists());
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(p.out().join("failed/as_of=2022-05-08/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["guards"]["compared_with"], "as_of=2022-05-07");

    // the next failure for that date replaces the evidence whole
    let firms_path = p.dir().join("firms.csv");
    std::fs::write(&firms_path, lines[..2].join("\n") + "\n").unwrap();
    let o = tonight(&[]).code(3);
    assert!(o.stderr.contains("1 accepted rows against 35"), "{}", o.stderr);
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(p.out().join("failed/as_of=2022-05-08/manifest.json")).unwrap()).unwrap();
    assert!(m["guards"]["stopped_by"][0]["message"].as_str().unwrap().contains("1 accepted rows"));
    let failed: Vec<String> = std::fs::read_dir(p.out().join("failed")).unwrap().flatten().map(|e| e.file_name().to_string_lossy().to_string()).collect();
    assert_eq!(failed, ["as_of=2022-05-08"]);

    // overridden for one run: published, and the manifest says by what
    std::fs::write(&firms_path, lines[..26].join("\n") + "\n").unwrap();
    tonight(&["--allow-drift", "firms"]).success();
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(p.out().join("as_of=2022-05-08/manifest.json")).unwrap()).unwrap();
    assert!(m["guards"]["overridden"].as_array().unwrap().iter().any(|f| f["guard"] == "drift" && f["overridden_by"] == "flag --allow-drift firms"), "{m:#}");
}

#[test]
fn check_writes_every_reject_and_exits_3_when_run_would_stop() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("rejects.csv");
    let o = tongbao().args(["check", "--as-of", AS_OF, "--rejects"]).arg(&file).assert().success();
    assert!(o.stdout.contains("firms"), "{}", o.stdout);
    let mut r = csv::Reader::from_path(&file).unwrap();
    // the columns of the published rejects, the rejected row's key included
    assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), ["input", "file", "row", "column", "value", "reason", "key"]);
    let expected = std::fs::read_to_string(repo().join("sample_data/expected/rejects.csv")).unwrap().lines().count() - 1;
    assert_eq!(r.records().count(), expected);
    let bl = tmp.path().join("empty.csv");
    std::fs::write(&bl, sample("blacklists.csv").lines().next().unwrap().to_string() + "\n").unwrap();
    tongbao().args(["check", "--as-of", AS_OF, "--blacklists"]).arg(&bl).assert().code(3).stderr_has("guard empty_input: input `blacklists`");
}

#[test]
fn a_clean_night_on_the_sample_prints_nothing_under_quiet() {
    let tmp = tempfile::tempdir().unwrap();
    let o = tongbao().args(["-q", "run", "--as-of", AS_OF, "--out"]).arg(tmp.path()).assert().success();
    assert_eq!((o.stdout.as_str(), o.stderr.as_str()), ("", ""));
}

/// The optional columns of the sample's CSV inputs, by file.
const OPTIONAL: &[(&str, &str, &str)] = &[
    ("firms", "firms.csv", "district_code"),
    ("firms", "firms.csv", "legal_rep_id"),
    ("firms", "firms.csv", "established_on"),
    ("blacklists", "blacklists.csv", "id_number"),
    ("blacklists", "blacklists.csv", "legal_rep_name"),
    ("blacklists", "blacklists.csv", "removed_on"),
    ("blacklists", "blacklists.csv", "case_no"),
    ("claims", "claims.csv", "obligor_name"),
    ("claims", "claims.csv", "payment_terms"),
    ("claims", "claims.csv", "paid_usd"),
    ("claims", "claims.csv", "recovered_amount"),
    ("fx-rates", "fx_rates.csv", "units"),
];

/// A CSV without the named columns; rows keep their fields otherwise (a short row stays short).
fn without_columns(text: &str, drop: &[&str]) -> String {
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let keep: Vec<usize> = (0..records[0].len()).filter(|i| !drop.contains(&&records[0][*i])).collect();
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    for rec in &records {
        w.write_record(keep.iter().filter_map(|i| rec.get(*i))).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Removing optional columns never publishes a different answer: the run either
    /// publishes exactly the full run's decisions or stops with exit 3 naming the column.
    #[test]
    fn removing_optional_columns_publishes_the_same_answer_or_stops(mask in 1u32..(1 << OPTIONAL.len())) {
        let full = full_run();
        let tmp = tempfile::tempdir().unwrap();
        let removed: Vec<&(&str, &str, &str)> = OPTIONAL.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, c)| c).collect();
        let mut args: Vec<String> = Vec::new();
        for (flag, file) in [("firms", "firms.csv"), ("blacklists", "blacklists.csv"), ("claims", "claims.csv"), ("fx-rates", "fx_rates.csv")] {
            let drop: Vec<&str> = removed.iter().filter(|(_, f, _)| *f == file).map(|(_, _, c)| *c).collect();
            let p = tmp.path().join(file);
            std::fs::write(&p, without_columns(&sample(file), &drop)).unwrap();
            args.push(format!("--{flag}"));
            args.push(p.display().to_string());
        }
        let out = tmp.path().join("out");
        let o = tongbao().args(["-q", "run", "--as-of", AS_OF, "--out"]).arg(&out).args(&args).assert();
        let guarded: Vec<&str> = removed.iter().map(|(_, _, c)| *c).filter(|c| !["established_on", "legal_rep_name", "obligor_name", "payment_terms"].contains(c)).collect();
        if o.code == Some(3) {
            prop_assert!(!guarded.is_empty(), "stopped with nothing a rule reads removed: {}", o.stderr);
            for c in &guarded {
                prop_assert!(o.stderr.contains(&format!("has no column `{c}`")), "does not name `{c}`: {}", o.stderr);
            }
            let folder = out.join(format!("as_of={AS_OF}"));
            prop_assert!(!folder.exists(), "published though stopped");
        } else {
            prop_assert_eq!(o.code, Some(0), "{}", o.stderr);
            prop_assert!(guarded.is_empty(), "published without {guarded:?}");
            for name in ["firm_eligibility", "blacklist_hits", "enrollment_reconciliation", "claim_indemnity"] {
                let a = read_parquet(&full.join(format!("{name}.parquet")));
                let b = read_parquet(&out.join(format!("as_of={AS_OF}/{name}.parquet")));
                let drop = |df: polars::prelude::DataFrame| if df.column("source_file").is_ok() { df.drop_many(["source_file"]) } else { df };
                prop_assert!(drop(a).equals_missing(&drop(b)), "{} differs without {:?}", name, removed);
            }
            // the same rejects; a short row's value says how many fields it has against its
            // header, and a file with fewer columns has fewer of both
            let rejects = |dir: &Path| -> Vec<Vec<String>> {
                let df = read_parquet(&dir.join("rejects.parquet"));
                let cols: Vec<Vec<String>> = ["input", "row", "column", "reason", "value"].iter().map(|c| crate::end_to_end::texts(&df, c)).collect();
                (0..df.height()).map(|i| {
                    let value = if cols[3][i] == "wrong_field_count" { String::new() } else { cols[4][i].clone() };
                    vec![cols[0][i].clone(), cols[1][i].clone(), cols[2][i].clone(), cols[3][i].clone(), value]
                }).collect()
            };
            prop_assert_eq!(rejects(full), rejects(&out.join(format!("as_of={AS_OF}"))), "rejects differ without {:?}", removed);
        }
    }
}

#[test]
fn removing_only_the_optional_columns_no_rule_reads_publishes_the_same_answer() {
    // the property test's random masks rarely miss every guarded column: this case always does
    let tmp = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = Vec::new();
    for (flag, file, drop) in [("firms", "firms.csv", vec!["established_on"]), ("blacklists", "blacklists.csv", vec!["legal_rep_name"]), ("claims", "claims.csv", vec!["obligor_name", "payment_terms"])] {
        let p = tmp.path().join(file);
        std::fs::write(&p, without_columns(&sample(file), &drop)).unwrap();
        args.push(format!("--{flag}"));
        args.push(p.display().to_string());
    }
    let out = tmp.path().join("out");
    tongbao().args(["-q", "run", "--as-of", AS_OF, "--out"]).arg(&out).args(&args).assert().success();
    let full = full_run();
    for name in ["firm_eligibility", "blacklist_hits", "enrollment_reconciliation", "claim_indemnity", "headline"] {
        let a = read_parquet(&full.join(format!("{name}.parquet")));
        let b = read_parquet(&out.join(format!("as_of={AS_OF}/{name}.parquet")));
        let drop = |df: polars::prelude::DataFrame| if df.column("source_file").is_ok() { df.drop_many(["source_file"]) } else { df };
        assert!(drop(a).equals_missing(&drop(b)), "{name} differs");
    }
}

/// The sample's full run, published once for the property test.
fn full_run() -> &'static Path {
    static FULL: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let tmp = FULL.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        tongbao().args(["-q", "run", "--as-of", AS_OF, "--out"]).arg(tmp.path()).assert().success();
        tmp
    });
    let p: &'static Path = tmp.path();
    Box::leak(Box::new(p.join(format!("as_of={AS_OF}"))))
}
