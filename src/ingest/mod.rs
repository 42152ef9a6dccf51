//! Reading inputs: resolving a file, folder or glob to files, and turning CSV (UTF-8 or
//! GB18030), XLSX and Parquet rows into cells under the input's canonical columns.
//!
//! Nothing here judges a value: rows go to a [`Sink`], which validates them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::rejects::Reason;
use crate::schema::Input;

mod csv;
mod encoding;
mod files;
mod headers;

// the only part that needs polars; left out of fuzzing builds, which include this module
// by path without polars
#[cfg(not(fuzzing))]
mod parquet;
mod xlsx;

use self::csv::read_csv;
pub(crate) use encoding::file_info;
pub use encoding::sha256_hex;
pub use files::resolve_files;
pub(crate) use headers::{HeaderMap, map_headers};
use xlsx::read_xlsx;

/// How a CSV file's bytes are to be read as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// UTF-8 when the file's start is valid UTF-8 (or has a BOM), else GB18030.
    #[default]
    Auto,
    Utf8,
    /// GB18030, a superset of GBK and GB2312.
    Gb18030,
}

/// Errors that stop an input from being read at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("input `{input}`: `{path}` does not exist")]
    Missing { input: &'static str, path: String },
    #[error("input `{input}`: `{path}` matches no csv, xlsx or parquet file")]
    NoFiles { input: &'static str, path: String },
    #[error("input `{input}`: cannot read `{path}`: {message}")]
    Unreadable { input: &'static str, path: String, message: String },
    #[error("input `{input}`: `{path}` has no column `{column}`{hint}")]
    MissingColumn { input: &'static str, path: String, column: &'static str, hint: String },
    #[error("input `{input}`: `{path}` has column `{column}` more than once")]
    DuplicateColumn { input: &'static str, path: String, column: String },
}

/// Where an input is and how to read it.
#[derive(Debug, Clone, Default)]
pub struct InputSource {
    /// A file, a folder or a glob pattern.
    pub path: PathBuf,
    pub encoding: Encoding,
    /// XLSX sheet name; the first sheet when `None`.
    pub sheet: Option<String>,
    /// Extra header aliases: canonical name → aliases.
    pub aliases: HashMap<String, Vec<String>>,
    /// File-name patterns (`*.txt`) of a folder or glob input that are not data: skipped
    /// without a warning.
    pub ignore: Vec<String>,
    /// Headers the files carry that no rule reads, known to the operator: not warned about.
    pub extra_columns: Vec<String>,
}

/// A header that maps to no column of the input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnknownColumn {
    pub header: String,
    /// The known column nearest to it (edit distance) among those the file lacks.
    pub closest: Option<&'static str>,
}

/// One file that was read: what the manifest records of it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileInfo {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    /// Headers that map to no column (a warning each).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_columns: Vec<UnknownColumn>,
    /// Optional columns the file does not have.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub absent_columns: Vec<&'static str>,
}

/// Receives every row of an input, already mapped to canonical columns.
pub trait Sink {
    /// A row whose cells could be read: `cells[i]` is the value of the input's column
    /// `i`, `None` where the file has no such column.
    fn row(&mut self, file: &str, row: u64, cells: &[Option<&str>], spreadsheet: bool);
    /// A row that could not be read as cells at all.
    fn broken(&mut self, file: &str, row: u64, column: &str, value: &str, reason: Reason);
    /// A readable row with one cell that cannot be trusted (an identifier that arrived as a
    /// number and may have lost digits), given as absent: the row is rejected for it, and
    /// still checked, so that its key counts for duplicates and its other faults show.
    fn row_with_reject(&mut self, file: &str, row: u64, cells: &[Option<&str>], spreadsheet: bool, column: &str, value: &str, reason: Reason) {
        let _ = (cells, spreadsheet);
        self.broken(file, row, column, value, reason);
    }
    /// Many readable rows at once, in file order: the same as `row` for each, which a
    /// sink may check in parallel.
    fn rows(&mut self, file: &str, rows: &Batch, spreadsheet: bool) {
        for i in 0..rows.len() {
            let (row, cells) = rows.row(i);
            self.row(file, row, cells, spreadsheet);
        }
    }
    /// Readable rows in `blocks` blocks, block `b`'s rows made by `fill(b)`, in file order:
    /// the same as `rows` for each block in turn. A sink that checks rows in parallel makes
    /// each block on the core that checks it, so that its cells are checked while they are
    /// still in that core's cache.
    fn blocks<'a>(&mut self, file: &str, blocks: usize, fill: &(dyn Fn(usize) -> Batch<'a> + Sync), spreadsheet: bool) {
        for b in 0..blocks {
            self.rows(file, &fill(b), spreadsheet);
        }
    }
}

/// Readable rows handed to a sink together, in file order, in one allocation rather than
/// one per row: row `i` is numbered `rows[i]` and its cells are the `width` values from
/// `cells[i * width]` (the input's columns, `None` where the file has no such column).
pub struct Batch<'a> {
    rows: Vec<u64>,
    cells: Vec<Option<&'a str>>,
    width: usize,
}

impl<'a> Batch<'a> {
    pub fn with_capacity(width: usize, rows: usize) -> Batch<'a> {
        Batch { rows: Vec::with_capacity(rows), cells: Vec::with_capacity(rows * width), width }
    }

    /// Add a row; `cells` gives exactly `width` values.
    pub fn push(&mut self, row: u64, cells: impl IntoIterator<Item = Option<&'a str>>) {
        self.rows.push(row);
        self.cells.extend(cells);
        debug_assert_eq!(self.cells.len(), self.rows.len() * self.width);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Row `i`: its number and its cells.
    pub fn row(&self, i: usize) -> (u64, &[Option<&'a str>]) {
        (self.rows[i], &self.cells[i * self.width..(i + 1) * self.width])
    }

    /// Rows numbered `rows` whose cells, row after row, are `cells`.
    pub fn from_cells(rows: Vec<u64>, cells: Vec<Option<&'a str>>, width: usize) -> Batch<'a> {
        assert_eq!(cells.len(), rows.len() * width, "a batch has `width` cells per row");
        Batch { rows, cells, width }
    }

    pub fn clear(&mut self) {
        self.rows.clear();
        self.cells.clear();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Xlsx,
    Parquet,
}

impl Format {
    pub(crate) fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" | "xlsm" => Some(Format::Xlsx),
            "parquet" | "pq" => Some(Format::Parquet),
            _ => None,
        }
    }
}

/// Read every file of an input into the sink; returns what was read.
pub fn read_input(input: Input, source: &InputSource, sink: &mut dyn Sink) -> Result<(Vec<FileInfo>, Vec<String>), IngestError> {
    let (files, mut warnings) = resolve_files(input, &source.path, &source.ignore)?;
    let mut infos = Vec::with_capacity(files.len());
    for file in files {
        let info = match Format::of(&file) {
            Some(Format::Csv) => read_csv(input, source, &file, sink)?,
            Some(Format::Xlsx) => read_xlsx(input, source, &file, sink)?,
            #[cfg(not(fuzzing))]
            Some(Format::Parquet) => parquet::read_parquet(input, source, &file, sink)?,
            #[cfg(fuzzing)]
            Some(Format::Parquet) => return Err(unreadable(input, &file, "parquet is not read in fuzzing builds")),
            None => continue,
        };
        for u in &info.unknown_columns {
            let guess = u.closest.map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default();
            warnings.push(format!(
                "input `{}`: `{}`: column `{}` is not one tongbao reads{guess}; if it is not meant for tongbao, list it in `extra_columns` under [inputs.{}]",
                input.name(),
                info.path,
                u.header,
                input.name()
            ));
        }
        infos.push(info);
    }
    Ok((infos, warnings))
}

pub(crate) fn unreadable(input: Input, path: &Path, e: impl std::fmt::Display) -> IngestError {
    IngestError::Unreadable { input: input.name(), path: path.display().to_string(), message: e.to_string() }
}

/// Shortest round-trip text of a float, so that 1234.56 stays `1234.56`.
pub fn float_text(f: f64) -> String {
    let mut s = String::new();
    write_float(&mut s, f);
    s
}

/// [`float_text`], written into `buf` (no String of its own per value).
pub(crate) fn write_float(buf: &mut String, f: f64) {
    match whole_cents(f) {
        Some(cents) => write_cents(buf, cents),
        None => write_float_general(buf, f),
    }
}

/// The shortest round-trip text of any float.
fn write_float_general(buf: &mut String, f: f64) {
    use std::fmt::Write;
    let _ = if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 { write!(buf, "{}", f as i64) } else { write!(buf, "{f}") };
}

/// `f` as a whole number of hundredths, when some number of at most two decimals reads
/// as `f` (as an amount nearly always does): that number is then also `f`'s shortest text,
/// because below 10^13 two such numbers are more than a float's spacing apart.
fn whole_cents(f: f64) -> Option<i64> {
    if !(f.abs() < 1e13) {
        return None;
    }
    let cents = (f * 100.0).round();
    // the division is exact to the nearest float, as reading the text `cents/100` is
    (cents / 100.0 == f).then_some(cents as i64)
}

/// A number of hundredths as its shortest text: `1234.5`, `-0.05`, `12`.
fn write_cents(buf: &mut String, cents: i64) {
    let (whole, frac) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
    if cents < 0 {
        buf.push('-');
    }
    buf.push_str(itoa::Buffer::new().format(whole));
    let digit = |d: u64| char::from(b'0' + d as u8);
    if frac != 0 {
        buf.push('.');
        buf.push(digit(frac / 10));
        if frac % 10 != 0 {
            buf.push(digit(frac % 10));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(f: f64) -> (String, String) {
        let (mut fast, mut general) = (String::new(), String::new());
        write_float(&mut fast, f);
        write_float_general(&mut general, f);
        (fast, general)
    }

    #[test]
    fn amounts_take_the_short_way_to_the_same_text() {
        for f in [0.0, -0.0, 0.5, -0.5, 0.05, 1234.56, 1234.5, 1234.0, 0.1 + 0.2, 1e12 + 0.01, 9_999_999_999_999.99, 1e13, 12.345, f64::NAN, f64::INFINITY, -7.1, 100.10] {
            let (fast, general) = both(f);
            assert_eq!(fast, general, "{f:?}");
        }
        assert_eq!(whole_cents(1234.56), Some(123_456));
        assert_eq!(whole_cents(12.345), None);
        assert_eq!(whole_cents(0.1 + 0.2), None);
    }

    proptest::proptest! {
        #[test]
        fn any_float_has_the_same_text_either_way(bits in proptest::prelude::any::<u64>()) {
            let (fast, general) = both(f64::from_bits(bits));
            proptest::prop_assert_eq!(fast, general);
        }

        #[test]
        fn any_amount_in_cents_has_the_same_text_either_way(cents in -1_000_000_000_000_000i64..1_000_000_000_000_000) {
            let (fast, general) = both(cents as f64 / 100.0);
            proptest::prop_assert_eq!(fast, general);
        }
    }
}
