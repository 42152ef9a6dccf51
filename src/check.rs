//! `tongbao check`: read and validate every input, print one line per input, write nothing.

use std::fmt::Write as _;
use std::path::Path;

use crate::config::Config;
use crate::error::CommandError;
use crate::load::{self, InputReport, Loaded};
use crate::progress::Progress;
use crate::rejects::Reject;
use crate::guards;
use crate::run::period_for;

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

/// Validate every input and run the guards as `run` would; the report goes to stdout,
/// notes to stderr. A guard that would stop `run` makes `check` end with exit 3 too.
pub fn check(config: &Config, progress: &Progress, rejects_file: Option<&Path>) -> Result<Vec<String>, CommandError> {
    let loaded = load::load(config, progress)?;
    progress.finish();
    for r in &loaded.reports {
        for note in &r.notes {
            crate::progress::log(&format!("tongbao: warning: {note}"));
        }
    }
    if period_for(config).is_err() {
        crate::progress::log(&format!("tongbao: warning: no policy period covers the evaluation date {}: `run` would stop", config.as_of));
    }
    if let Some(path) = rejects_file {
        write_rejects(path, &loaded.rejects).map_err(CommandError::Other)?;
    }
    let lines = summary_lines(&loaded);
    let previous = guards::previous_run(&config.output_root, config.as_of);
    let verdict = guards::check(&config.guards, &loaded.reports, previous.as_ref());
    if verdict.stops() {
        for l in &lines {
            println!("{l}");
        }
        return Err(CommandError::stopped(verdict.messages()));
    }
    Ok(lines)
}

/// Every reject, as CSV (or Parquet, by the file's extension): input, file, row, column,
/// value, reason, and the rejected row's key.
fn write_rejects(path: &Path, rejects: &[Reject]) -> anyhow::Result<()> {
    use anyhow::Context;
    use polars::prelude::SerWriter;
    let mut df = crate::frames::rejects(rejects, true)?;
    let file = std::fs::File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?;
    let written = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet")) {
        polars::prelude::ParquetWriter::new(file).finish(&mut df).map(|_| ())
    } else {
        polars::prelude::CsvWriter::new(file).finish(&mut df)
    };
    written.with_context(|| format!("cannot write `{}`", path.display()))
}
