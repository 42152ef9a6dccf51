//! The errors a command ends with, and the documented exit code of each.

use crate::ingest::IngestError;
use crate::lock::LockError;
use crate::summaries::QueryError;

/// Exit codes, documented in the README.
pub mod exit {
    /// The run published, or the command did what was asked.
    pub const SUCCESS: i32 = 0;
    /// Anything unexpected: a write failed, a bug.
    pub const FAILURE: i32 = 1;
    /// The config, the policy file, an input file or a summary query is unusable.
    pub const BAD_INPUT: i32 = 2;
    /// Stopped by a guard (docs/rules.md): rejected rows past the allowed share, an input with no
    /// rows or fallen against the last run, a column a rule reads missing, a policy fault.
    /// Nothing published changed; the evidence is under `<output_root>/failed/`.
    pub const STOPPED: i32 = 3;
    /// Another run holds the lock.
    pub const LOCKED: i32 = 4;
}

impl CommandError {
    /// Stopped by guards, with nothing noticed before.
    pub fn stopped(lines: Vec<String>) -> CommandError {
        CommandError::Stopped { lines, warnings: Vec::new() }
    }

    /// Warnings to print before the error.
    pub fn warnings(&self) -> &[String] {
        match self {
            CommandError::Stopped { warnings, .. } => warnings,
            _ => &[],
        }
    }

    /// A config error, unless it is the policy file's faults: those stop the run as a guard.
    pub fn from_config(e: anyhow::Error) -> CommandError {
        match e.downcast_ref::<crate::policy::PolicyFaults>() {
            Some(f) => CommandError::stopped(f.to_string().lines().map(str::to_string).collect()),
            None => CommandError::Config(e),
        }
    }
}

/// How a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Input(#[from] IngestError),
    #[error("{0:#}")]
    Config(anyhow::Error),
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Queries(Vec<QueryError>),
    /// Stopped by guards: one line each.
    #[error("{}", .lines.join("\n"))]
    Stopped {
        lines: Vec<String>,
        /// What the run noticed before it stopped (a column not read, a file skipped):
        /// often the cause, printed before the guards' lines.
        warnings: Vec<String>,
    },
    #[error(transparent)]
    Locked(LockError),
    #[error("{0:#}")]
    Other(#[from] anyhow::Error),
}

impl CommandError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CommandError::Input(_) | CommandError::Config(_) | CommandError::Queries(_) => exit::BAD_INPUT,
            CommandError::Stopped { .. } => exit::STOPPED,
            CommandError::Locked(LockError::Held { .. }) => exit::LOCKED,
            CommandError::Locked(LockError::Io { .. }) | CommandError::Other(_) => exit::FAILURE,
        }
    }
}
