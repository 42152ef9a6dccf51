//! Wall and CPU time of the run's stages: CPU time is the whole process's (every thread,
//! user and system), so a stage's cpu/wall near 1 shows it ran on one core.

use std::time::Instant;

/// CPU time the process has used so far, in seconds (0 where the platform cannot say).
pub fn process_cpu_seconds() -> f64 {
    #[cfg(unix)]
    {
        // SAFETY: getrusage fills the struct it is given; a zeroed rusage is a valid value.
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } == 0 {
            let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
            return t(u.ru_utime) + t(u.ru_stime);
        }
    }
    0.0
}

/// A mark in wall and CPU time.
#[derive(Debug, Clone, Copy)]
pub struct Stopwatch {
    wall: Instant,
    cpu: f64,
}

impl Stopwatch {
    pub fn start() -> Stopwatch {
        Stopwatch { wall: Instant::now(), cpu: process_cpu_seconds() }
    }

    /// (wall, cpu) seconds since the mark.
    pub fn elapsed(&self) -> (f64, f64) {
        (self.wall.elapsed().as_secs_f64(), (process_cpu_seconds() - self.cpu).max(0.0))
    }

    /// (wall, cpu) seconds since the mark, and a new mark.
    pub fn lap(&mut self) -> (f64, f64) {
        let e = self.elapsed();
        *self = Stopwatch::start();
        e
    }
}

/// The stages a run is timed in, as the manifest's `timings` and the benchmark name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading and validating one input (inputs are read side by side, so these overlap).
    Read(crate::schema::Input),
    /// Reading every input: the wall time of the reading lanes together.
    ReadAll,
    Rule(crate::rules::Rule),
    /// The detail tables built and written into the staging folder (a large one a row
    /// group at a time, each part written while the next is built).
    Tables,
    /// The summary queries, streaming over the staged detail tables.
    Summaries,
    Report,
    /// The summaries written and synced beside the detail tables.
    Write,
    Total,
}

impl Stage {
    pub fn name(self) -> String {
        use crate::rules::Rule;
        match self {
            Stage::Read(input) => format!("read {}", input.name()),
            Stage::ReadAll => "read inputs".into(),
            Stage::Rule(Rule::Screen) => "blacklist screen".into(),
            Stage::Rule(Rule::Eligibility) => "eligibility".into(),
            Stage::Rule(Rule::Reconciliation) => "reconciliation".into(),
            Stage::Rule(Rule::Claims) => "claims".into(),
            Stage::Tables => "tables".into(),
            Stage::Summaries => "summaries".into(),
            Stage::Report => "report".into(),
            Stage::Write => "write".into(),
            Stage::Total => "total".into(),
        }
    }
}
