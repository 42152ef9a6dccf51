//! Resolving an input's path (a file, a folder or a glob) to its files.

use std::path::{Path, PathBuf};

use super::{Format, IngestError};
use crate::schema::Input;

/// Resolve an input's path to its files, in a stable order, with warnings for skipped files.
pub fn resolve_files(input: Input, path: &Path, ignore: &[String]) -> Result<(Vec<PathBuf>, Vec<String>), IngestError> {
    let shown = path.display().to_string();
    let patterns = ignore
        .iter()
        .map(|p| glob::Pattern::new(p).map_err(|e| IngestError::Unreadable { input: input.name(), path: shown.clone(), message: format!("ignore pattern `{p}`: {e}") }))
        .collect::<Result<Vec<_>, _>>()?;
    let ignored = |p: &Path| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| patterns.iter().any(|g| g.matches(n)));
    let mut warnings = Vec::new();
    let candidates: Vec<PathBuf> = if shown.contains(['*', '?', '[']) {
        let paths = glob::glob(&shown).map_err(|e| IngestError::Unreadable {
            input: input.name(),
            path: shown.clone(),
            message: e.to_string(),
        })?;
        paths.filter_map(Result::ok).filter(|p| p.is_file()).collect()
    } else if path.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|e| IngestError::Unreadable {
            input: input.name(),
            path: shown.clone(),
            message: e.to_string(),
        })?;
        entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect()
    } else if path.is_file() {
        return Ok((vec![path.to_path_buf()], warnings));
    } else {
        return Err(IngestError::Missing { input: input.name(), path: shown });
    };
    let mut files = Vec::new();
    for p in candidates.into_iter().filter(|p| !ignored(p)) {
        match Format::of(&p) {
            Some(_) => files.push(p),
            None => warnings.push(format!("input `{}`: skipped `{}`: not csv, xlsx or parquet", input.name(), p.display())),
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(IngestError::NoFiles { input: input.name(), path: shown });
    }
    Ok((files, warnings))
}
