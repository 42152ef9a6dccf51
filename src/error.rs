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
    /// An input's share of rejected rows is past its configured most-allowed share.
    pub const TOO_MANY_REJECTS: i32 = 3;
    /// Another run holds the lock.
    pub const LOCKED: i32 = 4;
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
    #[error("{}", .0.join("\n"))]
    TooManyRejects(Vec<String>),
    #[error(transparent)]
    Locked(LockError),
    #[error("{0:#}")]
    Other(#[from] anyhow::Error),
}

impl CommandError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CommandError::Input(_) | CommandError::Config(_) | CommandError::Queries(_) => exit::BAD_INPUT,
            CommandError::TooManyRejects(_) => exit::TOO_MANY_REJECTS,
            CommandError::Locked(LockError::Held { .. }) => exit::LOCKED,
            CommandError::Locked(LockError::Io { .. }) | CommandError::Other(_) => exit::FAILURE,
        }
    }
}
