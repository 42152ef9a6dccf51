//! `tongbao check`: read and validate every input, print one line per input, write nothing.

use std::fmt::Write as _;

use crate::config::Config;
use crate::error::CommandError;
use crate::load::{self, InputReport, Loaded};
use crate::progress::Progress;
use crate::run::{period_for, quality_failures};

/// One line per input: rows read, accepted, rejected, and the most common reasons.
pub fn summary_lines(loaded: &Loaded) -> Vec<String> {
    loaded
        .reports
        .iter()
        .map(|r| {
            let mut line = format!(
                "{:<12} read {:>9}  accepted {:>9}  rejected {:>7}",
                r.input.name(),
                r.counts.read,
                r.counts.accepted,
                r.counts.rejected
            );
            let top = InputReport::top_reasons(&loaded.rejects, r.input, 3);
            if !top.is_empty() {
                let reasons: Vec<String> = top.iter().map(|(reason, n)| format!("{reason} {n}")).collect();
                let _ = write!(line, "  ({})", reasons.join(", "));
            }
            line
        })
        .collect()
}

/// Validate every input; the report goes to stdout, notes to stderr.
pub fn check(config: &Config, progress: &Progress) -> Result<Vec<String>, CommandError> {
    let loaded = load::load(config, progress)?;
    progress.finish();
    for r in &loaded.reports {
        for note in &r.notes {
            eprintln!("tongbao: warning: {note}");
        }
    }
    if period_for(config).is_err() {
        eprintln!("tongbao: warning: no policy period covers the evaluation date {}: `run` would stop", config.as_of);
    }
    let lines = summary_lines(&loaded);
    let failures = quality_failures(config, &loaded);
    if !failures.is_empty() {
        for l in &lines {
            println!("{l}");
        }
        return Err(CommandError::TooManyRejects(failures));
    }
    Ok(lines)
}
