//! What an operator does on a fresh machine (docs/operations.md): install the binary, run
//! the crontab's exact command for two nights, read `latest`, prune, read `tongbao.prom`,
//! and see a failing night leave everything published as it was.

use std::path::{Path, PathBuf};

use crate::support::*;

/// The crontab's command, with the machine's paths replaced by the test's.
fn crontab_command(bin: &Path, config: &Path, log: &Path) -> String {
    let text = std::fs::read_to_string(repo().join("deploy/crontab")).unwrap();
    let line = text.lines().find(|l| !l.trim().is_empty() && !l.starts_with('#')).expect("a crontab entry");
    // five time fields, then the command
    let command = line.split_whitespace().skip(5).collect::<Vec<_>>().join(" ");
    assert!(command.contains("--as-of yesterday"), "{command}");
    command
        .replace("/usr/local/bin/tongbao", &bin.display().to_string())
        .replace("/etc/tongbao/tongbao.toml", &config.display().to_string())
        .replace("/var/log/tongbao/tongbao.log", &log.display().to_string())
}

/// Run a shell command line as cron would, on the night after `today`'s eve.
fn night(command: &str, today: &str) -> Option<i32> {
    std::process::Command::new("sh").arg("-c").arg(command).env("TONGBAO_TODAY", today).env_remove("TONGBAO_FAULT_AFTER_FILES").status().unwrap().code()
}

/// An operator's config: the sample's inputs, an output root and a textfile directory.
fn operator_config(dir: &Path, firms: &Path) -> PathBuf {
    let root = repo().display().to_string();
    let text = format!(
        "policy = \"{root}/policy.toml\"\noutput_root = \"{out}\"\nsql_dir = \"{root}/sql\"\n\n[inputs]\nfirms = \"{firms}\"\nblacklists = \"{root}/sample_data/blacklists.csv\"\nenrollments = \"{root}/sample_data/enrollments.xlsx\"\nclaims = \"{root}/sample_data/claims.csv\"\nfx_rates = \"{root}/sample_data/fx_rates.csv\"\nreviews = \"{root}/sample_data/reviews.csv\"\n\n[inputs.exports]\npath = \"{root}/sample_data/exports\"\nignore = [\"*.txt\"]\n\n[quality]\nmax_reject_share = {{ all = 0.15 }}\n\n[monitoring]\ntextfile_dir = \"{prom}\"\n",
        out = dir.join("out").display(),
        firms = firms.display(),
        prom = dir.join("textfile").display(),
    );
    let p = dir.join("etc/tongbao.toml");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

/// The metrics of a Prometheus text file: (name with labels, value); every line checked.
fn metrics(text: &str) -> Vec<(String, f64)> {
    let mut v = Vec::new();
    for line in text.lines() {
        if line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
            continue;
        }
        let (name, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample line: {line}"));
        assert!(name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()), "{line}");
        v.push((name.to_string(), value.parse().unwrap_or_else(|_| panic!("not a number: {line}"))));
    }
    v
}

fn metric(m: &[(String, f64)], name: &str) -> f64 {
    m.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no {name} in {m:?}")).1
}

#[test]
fn an_operator_installs_schedules_keeps_and_watches_the_nightly_run() {
    let tmp = tempfile::tempdir().unwrap();
    // install: the binary into a root of its own, as `cargo install --path . --root` does
    let bin = tmp.path().join("root/bin/tongbao");
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_tongbao"), &bin).unwrap();
    let version = std::process::Command::new(&bin).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).contains("commit"), "{version:?}");

    let config = operator_config(tmp.path(), &repo().join("sample_data/firms.csv"));
    let log = tmp.path().join("tongbao.log");
    let cron = crontab_command(&bin, &config, &log);
    let out = tmp.path().join("out");

    // two nights: each takes the day that has just ended
    assert_eq!(night(&cron, "2022-05-07"), Some(0), "{}", std::fs::read_to_string(&log).unwrap_or_default());
    assert_eq!(night(&cron, "2022-05-08"), Some(0), "{}", std::fs::read_to_string(&log).unwrap_or_default());
    assert!(out.join("as_of=2022-05-06/manifest.json").is_file());
    assert!(out.join("as_of=2022-05-07/manifest.json").is_file());
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "", "a clean night under -q prints nothing");
    assert_eq!(std::fs::read_link(out.join("latest")).unwrap(), Path::new("as_of=2022-05-07"));
    assert!(out.join("latest/firm_eligibility.parquet").is_file());

    // the monitoring file of the last night
    let prom = tmp.path().join("textfile/tongbao.prom");
    let m = metrics(&std::fs::read_to_string(&prom).unwrap());
    assert_eq!(metric(&m, "tongbao_last_run_exit_code"), 0.0);
    let success = metric(&m, "tongbao_last_success_timestamp_seconds");
    assert!(success > 1.7e9, "{success}");
    assert_eq!(metric(&m, "tongbao_input_rows{input=\"firms\",state=\"read\"}"), 39.0);
    assert_eq!(metric(&m, "tongbao_input_rows{input=\"firms\",state=\"accepted\"}"), 35.0);
    assert_eq!(metric(&m, "tongbao_input_rows{input=\"firms\",state=\"rejected\"}"), 4.0);
    // the last night is as of 2022-05-07, the sample's hand-checked date (sample_data/README.md):
    // 18 eligible firms, 10 of them enrolled; paid and outstanding indemnity as summed by hand
    assert_eq!(metric(&m, "tongbao_firms_eligible"), 18.0);
    assert_eq!(metric(&m, "tongbao_reconciliation_rows{status=\"eligible_enrolled\"}"), 10.0);
    assert_eq!(metric(&m, "tongbao_indemnity_paid_usd"), 88723.48);
    assert_eq!(metric(&m, "tongbao_indemnity_outstanding_usd"), 147183.74);

    // prune to one run: the newest stays, and latest with it
    let o = std::process::Command::new(&bin).arg("--config").arg(&config).args(["prune", "--keep", "1"]).output().unwrap();
    assert!(o.status.success(), "{o:?}");
    let mut names: Vec<String> = std::fs::read_dir(&out).unwrap().flatten().map(|e| e.file_name().to_string_lossy().to_string()).filter(|n| !n.starts_with('.')).collect();
    names.sort();
    assert_eq!(names, ["as_of=2022-05-07", "latest"]);

    // a failing night: an input is missing. What was published stays; the .prom says so
    let before = folder_bytes(&out.join("as_of=2022-05-07"));
    let broken = operator_config(tmp.path(), &tmp.path().join("feeds/firms.csv"));
    assert_eq!(broken, config);
    assert_eq!(night(&cron, "2022-05-09"), Some(2));
    assert_eq!(folder_bytes(&out.join("as_of=2022-05-07")), before);
    assert!(!out.join("as_of=2022-05-08").exists());
    assert_eq!(std::fs::read_link(out.join("latest")).unwrap(), Path::new("as_of=2022-05-07"));
    let m = metrics(&std::fs::read_to_string(&prom).unwrap());
    assert_eq!(metric(&m, "tongbao_last_run_exit_code"), 2.0);
    assert_eq!(metric(&m, "tongbao_last_success_timestamp_seconds"), success);
    // the log line says what went wrong, with the time in front
    let log_text = std::fs::read_to_string(&log).unwrap();
    let line = log_text.lines().next().expect("the failure is logged");
    assert!(chrono::DateTime::parse_from_rfc3339(line.split(' ').next().unwrap()).is_ok(), "{line}");
    assert!(line.contains("tongbao: error: input `firms`") && line.contains("does not exist"), "{line}");
}

#[test]
fn the_systemd_units_verify() {
    let Ok(status) = std::process::Command::new("systemd-analyze").arg("--version").output() else {
        eprintln!("systemd-analyze is not on this machine: the unit files are not verified");
        return;
    };
    assert!(status.status.success());
    let tmp = tempfile::tempdir().unwrap();
    let units = ["tongbao.service", "tongbao.timer", "tongbao-alert@.service"];
    for u in units {
        let text = std::fs::read_to_string(repo().join("deploy").join(u)).unwrap().replace("/usr/local/bin/tongbao", env!("CARGO_BIN_EXE_tongbao"));
        std::fs::write(tmp.path().join(u), text).unwrap();
    }
    let o = std::process::Command::new("systemd-analyze").args(["verify", "--man=no"]).args(units.map(|u| tmp.path().join(u))).output().unwrap();
    assert!(o.status.success() && o.stderr.is_empty(), "{}", String::from_utf8_lossy(&o.stderr));
    // the service runs the crontab's command
    let service = std::fs::read_to_string(repo().join("deploy/tongbao.service")).unwrap();
    let exec = service.lines().find_map(|l| l.strip_prefix("ExecStart=")).unwrap();
    let cron = std::fs::read_to_string(repo().join("deploy/crontab")).unwrap();
    assert!(cron.lines().any(|l| !l.starts_with('#') && l.contains(exec)), "{exec}");
}

#[test]
fn retention_after_each_run_keeps_the_newest_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let config = operator_config(tmp.path(), &repo().join("sample_data/firms.csv"));
    let text = std::fs::read_to_string(&config).unwrap() + "\n[retention]\nkeep_runs = 2\n";
    std::fs::write(&config, text.replace("[monitoring]", "[monitoring]")).unwrap();
    for date in ["2022-05-05", "2022-05-07", "2022-05-06"] {
        tongbao().arg("-q").arg("--config").arg(&config).args(["run", "--as-of", date]).assert().success();
    }
    let out = tmp.path().join("out");
    let mut names: Vec<String> = std::fs::read_dir(&out).unwrap().flatten().map(|e| e.file_name().to_string_lossy().to_string()).filter(|n| !n.starts_with('.')).collect();
    names.sort();
    // the oldest date went, whatever the order the runs were made in
    assert_eq!(names, ["as_of=2022-05-06", "as_of=2022-05-07", "latest"]);
    assert_eq!(std::fs::read_link(out.join("latest")).unwrap(), Path::new("as_of=2022-05-07"));
}

#[test]
fn the_evaluation_date_can_be_relative_in_the_config_and_on_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let config = operator_config(tmp.path(), &repo().join("sample_data/firms.csv"));
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("as_of = \"yesterday\"\n{text}")).unwrap();
    tongbao().arg("-q").arg("--config").arg(&config).arg("run").env("TONGBAO_TODAY", "2022-05-08").assert().success();
    assert!(tmp.path().join("out/as_of=2022-05-07").is_dir());
    tongbao().arg("-q").arg("--config").arg(&config).args(["run", "--as-of", "TODAY"]).env("TONGBAO_TODAY", "2022-05-09").assert().success();
    assert!(tmp.path().join("out/as_of=2022-05-09").is_dir());
    tongbao().arg("-q").arg("--config").arg(&config).args(["run", "--as-of", "tomorrow"]).assert().code(2).stderr_has("today or yesterday");
}

#[test]
fn the_manifest_has_no_empty_object_and_lists_the_report() {
    fn no_empty_object(v: &serde_json::Value, at: &str) {
        match v {
            serde_json::Value::Object(m) => {
                assert!(!m.is_empty(), "an empty object at {at}");
                for (k, x) in m {
                    no_empty_object(x, &format!("{at}.{k}"));
                }
            }
            serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| no_empty_object(x, &format!("{at}[{i}]"))),
            _ => {}
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    tongbao().args(["-q", "run", "--as-of", "2022-05-07", "--out"]).arg(tmp.path()).assert().success();
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(tmp.path().join("as_of=2022-05-07/manifest.json")).unwrap()).unwrap();
    no_empty_object(&m, "manifest");
    assert!(m["outputs"].as_array().unwrap().iter().any(|o| o["file"] == "report.html"));
}

#[test]
fn generate_takes_the_tier_in_either_case_and_prints_the_whole_command() {
    let tmp = tempfile::tempdir().unwrap();
    let o = tongbao().args(["generate", "--tier", "S", "--scale-down", "100", "--out"]).arg(tmp.path()).assert().success();
    assert!(o.stdout.contains(&format!("--config {}/tongbao.toml run --as-of 2022-12-31", tmp.path().display())), "{}", o.stdout);
    let cfg = tmp.path().join("tongbao.toml");
    tongbao().arg("-q").arg("--config").arg(&cfg).args(["run", "--as-of", "2022-12-31"]).assert().success();
}
