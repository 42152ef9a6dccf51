//! tongbao: the nightly batch job of a city's small/micro exporter export-credit-insurance
//! programme. Screens firms, reconciles enrollment, prices claims, publishes Parquet.
//!
//! The data flow is `ingest` → `validate` → `rules` → `frames` → `summaries` →
//! `publish`; `run` strings them together. See ARCHITECTURE.md.

/// The version `--version` prints: the package's, and the commit it was built from.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("TONGBAO_COMMIT"), ")");

pub mod app;
pub mod check;
pub mod cli;
pub mod config;
pub mod diff;
pub mod error;
pub mod explain;
pub mod faults;
pub mod frames;
pub mod generate;
pub mod guards;
pub mod ident;
pub mod ingest;
pub mod labels;
pub mod load;
pub mod lock;
pub mod manifest;
pub mod model;
pub mod monitor;
pub mod order;
pub mod policy;
pub mod prefetch;
pub mod progress;
pub mod publish;
pub mod rejects;
pub mod report;
pub mod rules;
pub mod run;
pub mod runs;
pub mod schema;
pub mod stopwatch;
pub mod summaries;
pub mod validate;
pub mod values;
