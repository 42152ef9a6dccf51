//! Crash safety and concurrency: SIGKILL at many points during a run, and two runs
//! started together.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::support::*;

const AS_OF: &str = "2022-12-31";

/// Generated tier-S inputs (a run takes a fraction of a second: long enough to kill).
fn generated(dir: &Path) -> PathBuf {
    tongbao().args(["-q", "generate", "--tier", "s", "--seed", "3", "--out"]).arg(dir).assert().success();
    dir.join("tongbao.toml")
}

fn run_cmd(config: &Path, out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tongbao"));
    c.arg("-q").arg("--config").arg(config).args(["run", "--as-of", AS_OF, "--out"]).arg(out);
    c.env_remove("TONGBAO_FAULT_AFTER_FILES").stdout(Stdio::null()).stderr(Stdio::null());
    c
}

fn parquet_files(v: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    v.into_iter().filter(|(n, _)| n.ends_with(".parquet") || n.ends_with(".html")).collect()
}

/// Names under the output root that a reader would see (hidden names aside).
fn visible(out: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(out).unwrap().flatten().map(|e| e.file_name().to_string_lossy().to_string()).filter(|n| !n.starts_with('.')).collect();
    v.sort();
    v
}

#[test]
fn killing_a_run_at_any_point_leaves_the_published_folder_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let config = generated(&tmp.path().join("data"));
    let out = tmp.path().join("out");
    let started = Instant::now();
    assert!(run_cmd(&config, &out).status().unwrap().success());
    let full_run = started.elapsed();
    let folder = out.join(format!("as_of={AS_OF}"));
    let before = parquet_files(folder_bytes(&folder));
    assert!(before.len() >= 10);
    // kill at points spread over a whole run, several times each
    let steps = 16u32;
    for i in 0..steps * 2 {
        let delay = full_run.mul_f64((i % steps) as f64 / steps as f64 * 1.2);
        let mut child = run_cmd(&config, &out).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        assert_eq!(visible(&out), vec![format!("as_of={AS_OF}"), "latest".into()], "after a kill at {delay:?}");
        // the folder is the old run or a complete new one: the same tables either way,
        // and a manifest that reads
        assert_eq!(parquet_files(folder_bytes(&folder)), before, "after a kill at {delay:?}");
        let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).unwrap()).expect("a whole manifest");
        assert_eq!(manifest["exit_status"], 0);
    }
    // the next run succeeds and removes what the killed runs left aside
    assert!(run_cmd(&config, &out).status().unwrap().success());
    let hidden: Vec<String> = std::fs::read_dir(&out).unwrap().flatten().map(|e| e.file_name().to_string_lossy().to_string()).filter(|n| n.starts_with(".staging")).collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn a_second_run_while_the_first_holds_the_lock_exits_4_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let signal = tmp.path().join("holding");
    let sample = |c: &mut Command| {
        c.current_dir(repo()).args(["-q", "run", "--as-of", "2022-05-07", "--out"]).arg(&out).env_remove("TONGBAO_FAULT_AFTER_FILES");
    };
    let mut first = Command::new(env!("CARGO_BIN_EXE_tongbao"));
    sample(&mut first);
    let mut first = first.env("TONGBAO_HOLD_LOCK", &signal).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    // the first run says when it holds the lock
    let started = Instant::now();
    while !signal.exists() {
        assert!(started.elapsed().as_secs() < 60, "the first run never took the lock");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let mut second = Command::new(env!("CARGO_BIN_EXE_tongbao"));
    sample(&mut second);
    let o = second.env_remove("TONGBAO_HOLD_LOCK").output().unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("holds the lock"));
    std::fs::remove_file(&signal).unwrap();
    assert_eq!(first.wait().unwrap().code(), Some(0));
    assert_eq!(visible(&out), vec!["as_of=2022-05-07".to_string(), "latest".into()]);
}

/// The sample's run into `out`, with extra arguments and environment.
fn sample_run(out: &Path, args: &[&str], kill_at: Option<&str>) -> std::process::ExitStatus {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tongbao"));
    c.current_dir(repo()).args(["-q", "run", "--as-of", "2022-05-07", "--out"]).arg(out).args(args);
    c.env_remove("TONGBAO_FAULT_AFTER_FILES").env_remove("TONGBAO_HOLD_LOCK").stdout(Stdio::null()).stderr(Stdio::null());
    if let Some(step) = kill_at {
        c.env("TONGBAO_KILL_AT", step);
    }
    c.status().unwrap()
}

#[test]
fn a_kill_at_every_step_of_publish_leaves_exactly_the_old_run_or_exactly_the_new_one() {
    use std::os::unix::process::ExitStatusExt;
    let tmp = tempfile::tempdir().unwrap();
    // run B differs from run A: one claim's loss is larger, so its tables differ
    let claims = std::fs::read_to_string(repo().join("sample_data/claims.csv")).unwrap();
    assert!(claims.contains(",USD,40000.00,paid,"));
    let b_claims = tmp.path().join("claims_b.csv");
    std::fs::write(&b_claims, claims.replacen(",USD,40000.00,paid,", ",USD,41000.00,paid,", 1)).unwrap();
    let b_args = ["--claims", b_claims.to_str().unwrap()];
    let folder = |out: &Path| out.join("as_of=2022-05-07");
    let reference = |args: &[&str], name: &str| {
        let out = tmp.path().join(name);
        assert!(sample_run(&out, args, None).success());
        parquet_files(folder_bytes(&folder(&out)))
    };
    let (a, b) = (reference(&[], "ref_a"), reference(&b_args, "ref_b"));
    assert_ne!(a, b);
    let files = a.len() + 1; // and the manifest
    let mut steps: Vec<String> = (1..=files).map(|n| format!("file:{n}")).collect();
    steps.extend(["synced", "exchanged", "published"].map(String::from));
    for step in &steps {
        let out = tmp.path().join(format!("out-{}", step.replace(':', "-")));
        assert!(sample_run(&out, &[], None).success());
        let status = sample_run(&out, &b_args, Some(step));
        assert_eq!(status.signal(), Some(9), "the run was not killed at {step}");
        let visible_now = parquet_files(folder_bytes(&folder(&out)));
        let which = if visible_now == a { "old" } else if visible_now == b { "new" } else { panic!("after a kill at {step}: neither the old run nor the new") };
        let m: serde_json::Value = serde_json::from_slice(&std::fs::read(folder(&out).join("manifest.json")).unwrap()).expect("a whole manifest");
        let claims_file = m["inputs"].as_array().unwrap().iter().find(|i| i["input"] == "claims").unwrap()["path"].as_str().unwrap().to_string();
        assert_eq!(claims_file.ends_with("claims_b.csv"), which == "new", "the manifest belongs to the tables after a kill at {step}");
        // before the exchange the old run shows, after it the new one
        let expect_new = matches!(step.as_str(), "exchanged" | "published");
        assert_eq!(which == "new", expect_new, "after a kill at {step}");
        // the next run cleans up and publishes
        assert!(sample_run(&out, &b_args, None).success());
        assert_eq!(parquet_files(folder_bytes(&folder(&out))), b);
        let hidden: Vec<String> = std::fs::read_dir(&out).unwrap().flatten().map(|e| e.file_name().to_string_lossy().to_string()).filter(|n| n.starts_with(".staging") || n.starts_with(".latest-")).collect();
        assert!(hidden.is_empty(), "after a kill at {step}: {hidden:?}");
        assert_eq!(std::fs::read_link(out.join("latest")).unwrap(), Path::new("as_of=2022-05-07"));
    }
    // the very first publish (a rename, no exchange): killed after it, the run is whole
    let out = tmp.path().join("out-first");
    let status = sample_run(&out, &b_args, Some("renamed"));
    assert_eq!(status.signal(), Some(9));
    assert_eq!(parquet_files(folder_bytes(&folder(&out))), b);
}
