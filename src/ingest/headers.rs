//! Mapping a file's headers to the input's columns, with the nearest column suggested
//! for a header that maps to none.

use std::collections::HashMap;
use std::path::Path;

use unicode_normalization::UnicodeNormalization;

use super::{FileInfo, IngestError, InputSource, UnknownColumn};
use crate::schema::Input;

/// A file's headers mapped to the input's columns.
#[derive(Debug, Clone)]
pub(crate) struct HeaderMap {
    /// `map[file_col] = Some(canonical index)`.
    pub map: Vec<Option<usize>>,
    pub unknown: Vec<UnknownColumn>,
    pub absent: Vec<&'static str>,
}

impl HeaderMap {
    pub(super) fn into_info(self, mut info: FileInfo) -> FileInfo {
        info.unknown_columns = self.unknown;
        info.absent_columns = self.absent;
        info
    }
}

/// A header's comparison key: NFKC, no white space, lower case.
fn header_key(h: &str) -> String {
    h.trim_start_matches('\u{feff}').nfkc().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase()
}

/// Map a file's headers to the input's columns; a missing required column is an error.
pub(crate) fn map_headers(input: Input, source: &InputSource, path: &Path, headers: &[String]) -> Result<HeaderMap, IngestError> {
    let columns = input.columns();
    let mut lookup: HashMap<String, usize> = HashMap::new();
    for (i, c) in columns.iter().enumerate() {
        lookup.insert(header_key(c.name), i);
        for a in c.aliases {
            lookup.insert(header_key(a), i);
        }
        for a in source.aliases.get(c.name).into_iter().flatten() {
            lookup.insert(header_key(a), i);
        }
    }
    let extra: Vec<String> = source.extra_columns.iter().map(|h| header_key(h)).collect();
    let mut seen = vec![false; columns.len()];
    let mut map = Vec::with_capacity(headers.len());
    let mut unknown_headers = Vec::new();
    for h in headers {
        let key = header_key(h);
        let idx = lookup.get(&key).copied();
        if let Some(i) = idx {
            if seen[i] {
                return Err(IngestError::DuplicateColumn {
                    input: input.name(),
                    path: path.display().to_string(),
                    column: columns[i].name.to_string(),
                });
            }
            seen[i] = true;
        } else if !key.is_empty() && !extra.contains(&key) {
            unknown_headers.push(h.trim().to_string());
        }
        map.push(idx);
    }
    if let Some(missing) = columns.iter().enumerate().find(|(i, c)| c.required && !seen[*i]) {
        let hint = if headers.iter().all(|h| h.trim().is_empty()) {
            " (the file has no header row)".to_string()
        } else {
            match unknown_headers.iter().find(|h| closest_column(input, &seen, h, &lookup) == Some(missing.1.name)) {
                Some(h) => format!(" (it has `{h}`: did you mean `{}`?)", missing.1.name),
                None => String::new(),
            }
        };
        return Err(IngestError::MissingColumn {
            input: input.name(),
            path: path.display().to_string(),
            column: missing.1.name,
            hint,
        });
    }
    let unknown = unknown_headers.into_iter().map(|h| UnknownColumn { closest: closest_column(input, &seen, &h, &lookup), header: h }).collect();
    let absent = columns.iter().enumerate().filter(|(i, c)| !c.required && !seen[*i]).map(|(_, c)| c.name).collect();
    Ok(HeaderMap { map, unknown, absent })
}

/// The column the file lacks whose name (or an alias) is nearest to `header` by edit
/// distance: `rep_id` → `legal_rep_id`. `None` when the file lacks no column.
fn closest_column(input: Input, seen: &[bool], header: &str, lookup: &HashMap<String, usize>) -> Option<&'static str> {
    let key = header_key(header);
    lookup
        .iter()
        .filter(|(_, i)| !seen[**i])
        .map(|(name, i)| (strsim::levenshtein(&key, name), input.columns()[*i].name))
        .min()
        .map(|(_, name)| name)
}
