//! The runs under an output root: the published `as_of=` folders, the `latest` link to the
//! newest of them, the `failed/` records, and retention (`prune`). Call the changing
//! functions only while holding the run lock.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;

use crate::schema::out;

/// The link to the newest published run, under the output root.
pub const LATEST: &str = "latest";

/// The `as_of=` folders directly under `dir`, oldest first.
pub fn dated_folders(dir: &Path) -> Vec<(NaiveDate, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut v: Vec<(NaiveDate, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let date = crate::values::parse_date(name.strip_prefix("as_of=")?, false).ok()?;
            Some((date, e.path()))
        })
        .collect();
    v.sort();
    v
}

/// The published runs, oldest first.
pub fn published(root: &Path) -> Vec<(NaiveDate, PathBuf)> {
    dated_folders(root)
}

/// Point `<root>/latest` at the newest published run, replacing the link in one rename so
/// that a reader never finds it missing. Returns the folder it points to.
pub fn point_latest(root: &Path) -> Result<Option<String>> {
    let Some((_, newest)) = published(root).pop() else { return Ok(None) };
    let name = newest.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let link = root.join(LATEST);
    // links left aside by runs killed at this step
    for e in std::fs::read_dir(root).into_iter().flatten().flatten() {
        if e.file_name().to_string_lossy().starts_with(&format!(".{LATEST}-")) {
            let _ = std::fs::remove_file(e.path());
        }
    }
    let tmp = root.join(format!(".{LATEST}-{}", std::process::id()));
    symlink(Path::new(&name), &tmp).with_context(|| format!("cannot create the link `{}`", tmp.display()))?;
    std::fs::rename(&tmp, &link).with_context(|| format!("cannot put the link `{}` in place", link.display()))?;
    Ok(Some(name))
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

/// Elsewhere: a small file holding the folder's name.
#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::fs::write(link, target.to_string_lossy().as_bytes())
}

/// What `prune` removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub runs: Vec<String>,
    pub failed: Vec<String>,
}

/// Keep the newest `keep` published runs and remove the older ones, with the `failed/`
/// records dated before the oldest run kept. Never the newest run (`keep` is at least 1),
/// never a failed record younger than the newest run, never `protect` (the run just
/// published, which may be a rerun of an old date).
pub fn prune(root: &Path, keep: usize, protect: Option<&Path>) -> Result<Pruned> {
    if keep == 0 {
        bail!("keep at least one run: the newest published run is never removed");
    }
    let runs = published(root);
    let mut pruned = Pruned::default();
    let drop = runs.len().saturating_sub(keep);
    for (_, folder) in runs[..drop].iter().filter(|(_, f)| protect.is_none_or(|p| p != f.as_path())) {
        std::fs::remove_dir_all(folder).with_context(|| format!("cannot remove `{}`", folder.display()))?;
        pruned.runs.push(folder.display().to_string());
    }
    if let Some((oldest_kept, _)) = runs.get(drop) {
        for (date, folder) in dated_folders(&root.join(out::FAILED_DIR)) {
            if date < *oldest_kept {
                std::fs::remove_dir_all(&folder).with_context(|| format!("cannot remove `{}`", folder.display()))?;
                pruned.failed.push(folder.display().to_string());
            }
        }
    }
    point_latest(root)?;
    Ok(pruned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn made(root: &Path, names: &[&str]) {
        for n in names {
            std::fs::create_dir_all(root.join(n)).unwrap();
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn latest_points_at_the_newest_date_not_the_last_written() {
        let tmp = tempfile::tempdir().unwrap();
        made(tmp.path(), &["as_of=2022-05-08", "as_of=2022-05-06", "as_of=2022-05-07", "failed/as_of=2022-05-09", "notes"]);
        assert_eq!(point_latest(tmp.path()).unwrap().as_deref(), Some("as_of=2022-05-08"));
        assert_eq!(std::fs::read_link(tmp.path().join(LATEST)).unwrap(), Path::new("as_of=2022-05-08"));
        // replaced, not added beside
        point_latest(tmp.path()).unwrap();
        assert_eq!(names(tmp.path()), ["as_of=2022-05-06", "as_of=2022-05-07", "as_of=2022-05-08", "failed", "latest", "notes"]);
    }

    #[test]
    fn prune_keeps_the_newest_runs_and_the_failed_records_not_older_than_them() {
        let tmp = tempfile::tempdir().unwrap();
        made(
            tmp.path(),
            &["as_of=2022-05-05", "as_of=2022-05-06", "as_of=2022-05-07", "failed/as_of=2022-05-04", "failed/as_of=2022-05-06", "failed/as_of=2022-05-09"],
        );
        let p = prune(tmp.path(), 2, None).unwrap();
        assert_eq!(p.runs.len(), 1);
        assert_eq!(p.failed.len(), 1);
        assert_eq!(names(tmp.path()), ["as_of=2022-05-06", "as_of=2022-05-07", "failed", "latest"]);
        assert_eq!(names(&tmp.path().join("failed")), ["as_of=2022-05-06", "as_of=2022-05-09"]);
        assert_eq!(std::fs::read_link(tmp.path().join(LATEST)).unwrap(), Path::new("as_of=2022-05-07"));
        assert!(prune(tmp.path(), 0, None).is_err());
        assert_eq!(prune(tmp.path(), 5, None).unwrap(), Pruned::default());
        // a rerun of an old date is not removed by the retention that follows it
        made(tmp.path(), &["as_of=2022-04-01"]);
        let p = prune(tmp.path(), 2, Some(&tmp.path().join("as_of=2022-04-01"))).unwrap();
        assert_eq!(p, Pruned::default());
        assert_eq!(names(tmp.path()), ["as_of=2022-04-01", "as_of=2022-05-06", "as_of=2022-05-07", "failed", "latest"]);
    }
}
