//! Publication: a run's folder is written aside and renamed into place whole, so that a
//! crash or a kill leaves the last published folder untouched.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use polars::prelude::*;

/// The name of the folder a run for `as_of` publishes.
pub fn folder_name(as_of: chrono::NaiveDate) -> String {
    format!("as_of={as_of}")
}

const STAGING_PREFIX: &str = ".staging-";

/// A folder being written, not yet visible under its final name.
pub struct Staging {
    pub dir: PathBuf,
    target: PathBuf,
    files_written: usize,
    fault_after: Option<usize>,
}

impl Staging {
    /// Start writing the folder `target` (beside it, under a hidden name).
    pub fn new(root: &Path, target_name: &str) -> Result<Staging> {
        let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let dir = root.join(format!("{STAGING_PREFIX}{target_name}-{}-{stamp}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
        // test hook: fail after writing this many files, to prove a failed run leaves
        // what was published untouched
        let fault_after = std::env::var("TONGBAO_FAULT_AFTER_FILES").ok().and_then(|v| v.parse().ok());
        Ok(Staging { dir, target: root.join(target_name), files_written: 0, fault_after })
    }

    fn count_file(&mut self) -> Result<()> {
        self.files_written += 1;
        file_done(self.files_written, self.fault_after)
    }

    /// Write frames as `<stem>.parquet`, side by side: the two largest tables take most of
    /// the time, each on a core of its own. Returns each one's row count, in order. The
    /// fault points `file:N` fire as each file is done, while others may still be written.
    pub fn write_parquets(&mut self, frames: &mut [(String, DataFrame)]) -> Result<Vec<usize>> {
        use rayon::prelude::*;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let (dir, fault_after) = (&self.dir, self.fault_after);
        let done = AtomicUsize::new(self.files_written);
        let rows = frames
            .par_iter_mut()
            .map(|(stem, df)| {
                let rows = write_parquet_file(&dir.join(format!("{stem}.parquet")), df)?;
                file_done(done.fetch_add(1, Ordering::SeqCst) + 1, fault_after)?;
                Ok(rows)
            })
            .collect::<Result<Vec<usize>>>();
        self.files_written = done.into_inner();
        rows
    }

    /// Write one frame as `<stem>.parquet`; its row count. The fault point `file:N` fires
    /// once it is done.
    pub fn write_parquet(&mut self, stem: &str, df: &mut DataFrame) -> Result<usize> {
        let rows = write_parquet_file(&self.parquet_path(stem), df)?;
        self.count_file()?;
        Ok(rows)
    }

    /// Where `<stem>.parquet` is written: the summaries read the detail tables back from it.
    pub fn parquet_path(&self, stem: &str) -> PathBuf {
        self.dir.join(format!("{stem}.parquet"))
    }

    /// Write any other file (the manifest, the report).
    pub fn write_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write `{}`", path.display()))?;
        File::open(&path).and_then(|f| f.sync_all()).with_context(|| format!("cannot sync `{}`", path.display()))?;
        self.count_file()
    }

    /// Put the folder in place in one step: an atomic exchange with the old folder when
    /// there is one, so that readers see the old folder or the new, never neither.
    pub fn publish(self) -> Result<PathBuf> {
        sync_dir(&self.dir)?;
        crate::faults::point("synced");
        let root = self.target.parent().map(Path::to_path_buf).unwrap_or_default();
        if self.target.exists() {
            exchange(&self.dir, &self.target)
                .with_context(|| format!("cannot put `{}` in place of `{}`", self.dir.display(), self.target.display()))?;
            sync_dir(&root)?;
            crate::faults::point("exchanged");
            // the old folder now lives under the staging name
            std::fs::remove_dir_all(&self.dir).with_context(|| format!("cannot remove the old run `{}`", self.dir.display()))?;
        } else {
            std::fs::rename(&self.dir, &self.target)
                .with_context(|| format!("cannot rename `{}` to `{}`", self.dir.display(), self.target.display()))?;
            crate::faults::point("renamed");
        }
        sync_dir(&root)?;
        Ok(self.target)
    }
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|f| f.sync_all()).with_context(|| format!("cannot sync `{}`", dir.display()))
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths that live across the call.
    let rc = unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

/// Elsewhere: move the old folder aside, then the new one in (a short window with neither).
#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    let aside = a.with_extension("old");
    std::fs::rename(b, &aside)?;
    std::fs::rename(a, b)?;
    std::fs::rename(&aside, a)
}

/// Remove staging folders left by runs that died; call only while holding the lock.
pub fn remove_stale_staging(root: &Path) -> Vec<String> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(root) else { return removed };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with(STAGING_PREFIX) && e.path().is_dir() && std::fs::remove_dir_all(e.path()).is_ok() {
            removed.push(name);
        }
    }
    removed.sort();
    removed
}

/// Write a frame to `path` as Parquet (zstd, with statistics) and sync it; its row count.
fn write_parquet_file(path: &Path, df: &mut DataFrame) -> Result<usize> {
    let file = File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?;
    ParquetWriter::new(&file)
        .with_compression(ParquetCompression::Zstd(None))
        .with_statistics(StatisticsOptions::default())
        .finish(df)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    file.sync_all().with_context(|| format!("cannot sync `{}`", path.display()))?;
    Ok(df.height())
}

/// The `n`th file of the folder is written: a test's fault point, and its injected failure
/// once `fault_after` files are written.
fn file_done(n: usize, fault_after: Option<usize>) -> Result<()> {
    crate::faults::point(&format!("file:{n}"));
    if fault_after.is_some_and(|after| n >= after) {
        bail!("injected fault after {n} files");
    }
    Ok(())
}
