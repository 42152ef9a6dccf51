//! Fault points for the crash tests: named steps of publishing and locking where a test,
//! through an environment variable, makes the process die (SIGKILL, as the kernel's OOM
//! killer or an operator's `kill -9` would) or wait. Unset, they cost one lookup per step.
//!
//! - `TONGBAO_KILL_AT=STEP`: SIGKILL at that step (`file:N` once N files are written, others possibly still being written,
//!   `synced` after the staging folder is synced, `exchanged` between the exchange and the
//!   removal of the old run, `renamed` after a first publish's rename, `published` before
//!   `latest` is updated).
//! - `TONGBAO_HOLD_LOCK=FILE`: once the lock is taken, create FILE and wait until it is
//!   removed (at most a minute), so a test can start a second run while the first
//!   certainly holds the lock.

/// Die here if a test asked to.
pub fn point(step: &str) {
    if std::env::var("TONGBAO_KILL_AT").is_ok_and(|v| v == step) {
        #[cfg(unix)]
        // SAFETY: kill(2) on our own pid with a valid signal number.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
        std::process::abort();
    }
}

/// Wait while a test holds us at the lock.
pub fn hold_after_lock() {
    let Ok(file) = std::env::var("TONGBAO_HOLD_LOCK") else { return };
    if std::fs::write(&file, b"holding").is_err() {
        return;
    }
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::path::Path::new(&file).exists() && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
