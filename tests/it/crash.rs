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
fn two_runs_started_together_one_runs_and_the_other_exits_4() {
    let tmp = tempfile::tempdir().unwrap();
    let config = generated(&tmp.path().join("data"));
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let mut a = run_cmd(&config, &out).spawn().unwrap();
    let mut b = run_cmd(&config, &out).spawn().unwrap();
    let started = Instant::now();
    let (ca, cb) = (a.wait().unwrap().code(), b.wait().unwrap().code());
    let mut codes = vec![ca, cb];
    codes.sort();
    assert_eq!(codes, vec![Some(0), Some(4)], "after {:?}", started.elapsed());
    assert_eq!(visible(&out), vec![format!("as_of={AS_OF}"), "latest".into()]);
}
