//! Reading inputs: resolving a file, folder or glob to files, and turning CSV (UTF-8 or
//! GB18030), XLSX and Parquet rows into cells under the input's canonical columns.
//!
//! Nothing here judges a value: rows go to a [`Sink`], which validates them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::rejects::Reason;
use crate::schema::Input;

// the only part that needs polars; left out of fuzzing builds, which include this module
// by path without polars
#[cfg(not(fuzzing))]
mod parquet;

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
#[derive(Debug, Clone)]
pub struct InputSource {
    /// A file, a folder or a glob pattern.
    pub path: PathBuf,
    pub encoding: Encoding,
    /// XLSX sheet name; the first sheet when `None`.
    pub sheet: Option<String>,
    /// Extra header aliases: canonical name → aliases.
    pub aliases: HashMap<String, Vec<String>>,
}

/// One file that was read: what the manifest records of it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileInfo {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// Receives every row of an input, already mapped to canonical columns.
pub trait Sink {
    /// A row whose cells could be read: `cells[i]` is the value of the input's column
    /// `i`, `None` where the file has no such column.
    fn row(&mut self, file: &str, row: u64, cells: &[Option<&str>], spreadsheet: bool);
    /// A row that could not be read as cells at all.
    fn broken(&mut self, file: &str, row: u64, column: &str, value: &str, reason: Reason);
    /// Many readable rows at once, in file order: the same as `row` for each, which a
    /// sink may check in parallel.
    fn rows(&mut self, file: &str, rows: &[(u64, Vec<Option<&str>>)], spreadsheet: bool) {
        for (row, cells) in rows {
            self.row(file, *row, cells, spreadsheet);
        }
    }
}

/// Rows handed to a sink at once.
const BATCH: usize = 16_384;

/// Resolve an input's path to its files, in a stable order, with warnings for skipped files.
pub fn resolve_files(input: Input, path: &Path) -> Result<(Vec<PathBuf>, Vec<String>), IngestError> {
    let shown = path.display().to_string();
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
    for p in candidates {
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
    let (files, warnings) = resolve_files(input, &source.path)?;
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
        infos.push(info);
    }
    Ok((infos, warnings))
}

pub(crate) fn unreadable(input: Input, path: &Path, e: impl std::fmt::Display) -> IngestError {
    IngestError::Unreadable { input: input.name(), path: path.display().to_string(), message: e.to_string() }
}

/// A header's comparison key: NFKC, no white space, lower case.
fn header_key(h: &str) -> String {
    h.trim_start_matches('\u{feff}').nfkc().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase()
}

/// Map a file's headers to the input's columns: `map[file_col] = Some(canonical index)`.
pub(crate) fn map_headers(input: Input, source: &InputSource, path: &Path, headers: &[String]) -> Result<Vec<Option<usize>>, IngestError> {
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
    let mut seen = vec![false; columns.len()];
    let mut map = Vec::with_capacity(headers.len());
    for h in headers {
        let idx = lookup.get(&header_key(h)).copied();
        if let Some(i) = idx {
            if seen[i] {
                return Err(IngestError::DuplicateColumn {
                    input: input.name(),
                    path: path.display().to_string(),
                    column: columns[i].name.to_string(),
                });
            }
            seen[i] = true;
        }
        map.push(idx);
    }
    if let Some(missing) = columns.iter().enumerate().find(|(i, c)| c.required && !seen[*i]) {
        let hint = if headers.iter().all(|h| h.trim().is_empty()) { " (the file has no header row)".to_string() } else { String::new() };
        return Err(IngestError::MissingColumn {
            input: input.name(),
            path: path.display().to_string(),
            column: missing.1.name,
            hint,
        });
    }
    Ok(map)
}

/// A reader that hashes what passes through it, so that a CSV file is read once.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    size: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

/// SHA-256 of bytes, as lower-case hex (the manifest's input hashes).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hash a whole file (for formats whose reader does not stream through us).
pub(crate) fn file_info(input: Input, path: &Path) -> Result<FileInfo, IngestError> {
    let mut reader = HashingReader { inner: File::open(path).map_err(|e| unreadable(input, path, e))?, hasher: Sha256::new(), size: 0 };
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(|e| unreadable(input, path, e))?;
    Ok(FileInfo { path: path.display().to_string(), size: reader.size, sha256: hex(&reader.hasher.finalize()) })
}

/// Decide a CSV file's encoding from its first bytes.
fn sniff_encoding(head: &[u8], configured: Encoding) -> Encoding {
    match configured {
        Encoding::Auto => {
            if head.starts_with(b"\xEF\xBB\xBF") {
                return Encoding::Utf8;
            }
            match std::str::from_utf8(head) {
                Ok(_) => Encoding::Utf8,
                // a multi-byte character cut off by the end of the sniffed block is fine
                Err(e) if e.error_len().is_none() => Encoding::Utf8,
                Err(_) => Encoding::Gb18030,
            }
        }
        other => other,
    }
}

/// Valid UTF-8, allowing a character cut off at the end of the sniffed block.
fn looks_utf8(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

fn decode(bytes: &[u8], encoding: Encoding) -> Option<Cow<'_, str>> {
    match encoding {
        Encoding::Gb18030 => encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes),
        _ => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
    }
}

fn read_csv(input: Input, source: &InputSource, path: &Path, sink: &mut dyn Sink) -> Result<FileInfo, IngestError> {
    let shown = path.display().to_string();
    let mut file = File::open(path).map_err(|e| unreadable(input, path, e))?;
    let mut head = vec![0u8; 64 * 1024];
    let mut filled = 0;
    while filled < head.len() {
        let n = file.read(&mut head[filled..]).map_err(|e| unreadable(input, path, e))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    head.truncate(filled);
    let encoding = sniff_encoding(&head, source.encoding);
    if encoding == Encoding::Gb18030 && source.encoding == Encoding::Gb18030 && !head.is_ascii() && looks_utf8(&head) {
        // UTF-8 bytes read as GB18030 decode without error into wrong characters: refuse
        // rather than turn names into mojibake silently
        return Err(unreadable(input, path, "declared gb18030 but its text is UTF-8: set `encoding = \"auto\"` or `\"utf8\"`"));
    }
    let hashing = HashingReader { inner: std::io::Cursor::new(head).chain(file), hasher: Sha256::new(), size: 0 };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(BufReader::with_capacity(1 << 20, hashing));
    let mut record = csv::ByteRecord::new();

    // the header row
    let has_header = reader.read_byte_record(&mut record).map_err(|e| unreadable(input, path, e))?;
    let headers: Vec<String> = if has_header {
        record
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let f = if i == 0 { f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f) } else { f };
                decode(f, encoding).map(|c| c.into_owned()).unwrap_or_default()
            })
            .collect()
    } else {
        Vec::new()
    };
    let map = map_headers(input, source, path, &headers)?;
    let width = headers.len();

    // records are read into a batch of reused buffers, decoded, and handed over together
    let mut batch: Vec<csv::ByteRecord> = Vec::with_capacity(BATCH);
    let mut done = false;
    while !done {
        let mut filled = 0;
        while filled < BATCH {
            if batch.len() <= filled {
                batch.push(csv::ByteRecord::new());
            }
            match reader.read_byte_record(&mut batch[filled]) {
                Ok(true) => filled += 1,
                Ok(false) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    // a malformed record (for example an unterminated quote): one broken row
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        return Err(unreadable(input, path, e));
                    }
                    let row = e.position().map(|p| p.line()).unwrap_or(0).max(1);
                    deliver(input, &shown, &batch[..filled], &map, width, encoding, sink);
                    filled = 0;
                    sink.broken(&shown, row, "", "", Reason::WrongFieldCount);
                }
            }
        }
        deliver(input, &shown, &batch[..filled], &map, width, encoding, sink);
    }
    let hashing = reader.into_inner().into_inner();
    // read to the end so that the hash covers the whole file
    let mut rest = hashing;
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(|e| unreadable(input, path, e))?;
    Ok(FileInfo { path: shown, size: rest.size, sha256: hex(&rest.hasher.finalize()) })
}

/// Decode a batch of CSV records and hand the readable ones to the sink, in order; rows
/// with the wrong number of fields or undecodable bytes go to the sink as broken.
fn deliver(input: Input, shown: &str, records: &[csv::ByteRecord], map: &[Option<usize>], width: usize, encoding: Encoding, sink: &mut dyn Sink) {
    let columns = input.columns();
    let mut ready: Vec<(u64, Vec<Option<Cow<str>>>)> = Vec::with_capacity(records.len());
    // broken rows are reported where they stand, after the readable rows before them
    let flush = |ready: &mut Vec<(u64, Vec<Option<Cow<str>>>)>, sink: &mut dyn Sink| {
        let views: Vec<(u64, Vec<Option<&str>>)> = ready.iter().map(|(r, c)| (*r, c.iter().map(|x| x.as_deref()).collect())).collect();
        sink.rows(shown, &views, false);
        ready.clear();
    };
    for record in records {
        let row = record.position().map(|p| p.line()).unwrap_or(0);
        if record.len() != width {
            if record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty()) {
                continue; // a blank line is not a row
            }
            flush(&mut ready, sink);
            sink.broken(shown, row, "", &format!("{} fields, header has {width}", record.len()), Reason::WrongFieldCount);
            continue;
        }
        let mut cells: Vec<Option<Cow<str>>> = vec![None; columns.len()];
        let mut bad: Option<usize> = None;
        for (field, target) in record.iter().zip(map) {
            let Some(t) = target else { continue };
            match decode(field, encoding) {
                Some(text) => cells[*t] = Some(text),
                None => {
                    bad = Some(*t);
                    break;
                }
            }
        }
        match bad {
            Some(t) => {
                flush(&mut ready, sink);
                sink.broken(shown, row, columns[t].name, "", Reason::InvalidEncoding);
            }
            None => ready.push((row, cells)),
        }
    }
    flush(&mut ready, sink);
}

/// Shortest round-trip text of a float, so that 1234.56 stays `1234.56`.
pub fn float_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn excel_serial_to_iso(serial: f64) -> String {
    let days = serial.floor() as i64;
    match chrono::NaiveDate::from_ymd_opt(1899, 12, 30).and_then(|b| b.checked_add_signed(chrono::Duration::days(days))) {
        Some(d) => d.format("%Y-%m-%d").to_string(),
        None => float_text(serial),
    }
}

fn read_xlsx(input: Input, source: &InputSource, path: &Path, sink: &mut dyn Sink) -> Result<FileInfo, IngestError> {
    use calamine::{Data, Reader};
    let shown = path.display().to_string();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).map_err(|e| unreadable(input, path, e))?;
    let range = match &source.sheet {
        Some(name) => book.worksheet_range(name).map_err(|e| unreadable(input, path, format!("sheet `{name}`: {e}")))?,
        None => book
            .worksheet_range_at(0)
            .ok_or_else(|| unreadable(input, path, "the workbook has no sheet"))?
            .map_err(|e| unreadable(input, path, e))?,
    };
    let first_row = range.start().map(|(r, _)| r as u64).unwrap_or(0);
    let text = |cell: &Data| -> Option<String> {
        match cell {
            Data::Empty => None,
            Data::String(s) => Some(s.clone()),
            Data::Float(f) => Some(float_text(*f)),
            Data::Int(i) => Some(i.to_string()),
            Data::Bool(b) => Some(b.to_string()),
            Data::DateTime(d) => Some(excel_serial_to_iso(d.as_f64())),
            Data::DateTimeIso(s) => Some(s.chars().take(10).collect()),
            Data::DurationIso(s) => Some(s.clone()),
            Data::Error(e) => Some(format!("#{e:?}")),
        }
    };
    let mut rows = range.rows();
    let headers: Vec<String> = rows.next().map(|r| r.iter().map(|c| text(c).unwrap_or_default()).collect()).unwrap_or_default();
    let map = map_headers(input, source, path, &headers)?;
    let columns = input.columns();
    for (i, r) in rows.enumerate() {
        let row = first_row + i as u64 + 2;
        let mut cells: Vec<Option<String>> = vec![None; columns.len()];
        for (cell, target) in r.iter().zip(&map) {
            if let Some(t) = target {
                cells[*t] = text(cell);
            }
        }
        if cells.iter().all(|c| c.as_deref().is_none_or(|s| s.trim().is_empty())) {
            continue; // an empty spreadsheet row is not a row
        }
        let view: Vec<Option<&str>> = cells.iter().map(|c| c.as_deref()).collect();
        sink.row(&shown, row, &view, true);
    }
    file_info(input, path)
}

