//! The run lock: one run at a time per output root.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another tongbao run holds the lock `{path}`")]
    Held { path: PathBuf },
    #[error("cannot open the lock `{path}`: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// An exclusive lock on the output root, released when dropped (or when the process
/// dies: it is an OS file lock, never a stale file to clean up by hand).
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    pub path: PathBuf,
}

impl RunLock {
    /// Take the lock at once, or fail: cron runs that overlap exit instead of queueing.
    pub fn acquire(root: &Path) -> Result<RunLock, LockError> {
        let path = root.join(".tongbao.lock");
        std::fs::create_dir_all(root).map_err(|source| LockError::Io { path: path.clone(), source })?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| LockError::Io { path: path.clone(), source })?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock { _file: file, path }),
            Err(std::fs::TryLockError::WouldBlock) => Err(LockError::Held { path }),
            Err(std::fs::TryLockError::Error(source)) => Err(LockError::Io { path, source }),
        }
    }
}
