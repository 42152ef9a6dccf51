//! The run manifest: what was read, what was written, how long it took and how it ended.

use serde::Serialize;

use crate::load::InputReport;
use crate::policy::Period;

#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub tool: &'static str,
    pub version: &'static str,
    pub as_of: String,
    pub reference_year: i32,
    pub policy_file: String,
    pub period: Period,
    pub inputs: Vec<InputEntry>,
    pub outputs: Vec<OutputEntry>,
    /// What the guards found: those that stopped the run, and those overridden (and by what).
    pub guards: crate::guards::Verdict,
    pub timings: Vec<Timing>,
    pub warnings: Vec<String>,
    pub exit_status: i32,
    pub started_at: String,
    pub finished_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InputEntry {
    #[serde(flatten)]
    pub report: InputReport,
    /// Accepted rows dated after the evaluation date: out of this run, never rejected.
    pub out_of_run: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutputEntry {
    pub name: String,
    pub file: String,
    /// Rows of a table; `None` for the report, which is not one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    pub stage: String,
    pub seconds: f64,
    /// CPU seconds of the whole process during the stage: cpu/wall shows how many cores it used.
    pub cpu_seconds: f64,
    /// Rows the stage handled, where that means something.
    pub rows: Option<u64>,
}
