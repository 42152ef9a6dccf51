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

/// A file's headers mapped to the input's columns.
#[derive(Debug, Clone)]
pub(crate) struct HeaderMap {
    /// `map[file_col] = Some(canonical index)`.
    pub map: Vec<Option<usize>>,
    pub unknown: Vec<UnknownColumn>,
    pub absent: Vec<&'static str>,
}

impl HeaderMap {
    fn into_info(self, mut info: FileInfo) -> FileInfo {
        info.unknown_columns = self.unknown;
        info.absent_columns = self.absent;
        info
    }
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
    fn rows(&mut self, file: &str, rows: &[(u64, Vec<Option<&str>>)], spreadsheet: bool) {
        for (row, cells) in rows {
            self.row(file, *row, cells, spreadsheet);
        }
    }
}

/// Rows handed to a sink at once.
const BATCH: usize = 16_384;

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
    Ok(FileInfo {
        path: path.display().to_string(),
        size: reader.size,
        sha256: hex(&reader.hasher.finalize()),
        unknown_columns: Vec::new(),
        absent_columns: Vec::new(),
    })
}

/// How much text after a file's first non-ASCII byte decides its encoding.
const SNIFF: usize = 64 * 1024;

/// Decide a CSV file's encoding from its first non-ASCII text, wherever it is: a file can
/// hold a hundred kilobytes of ASCII rows before its first Chinese word. Returns the
/// encoding and the sniffed text (empty for a file that is all ASCII).
fn sniff_file(path: &Path, configured: Encoding) -> std::io::Result<(Encoding, Vec<u8>)> {
    if configured == Encoding::Utf8 {
        return Ok((Encoding::Utf8, Vec::new()));
    }
    let mut file = File::open(path)?;
    let mut block = vec![0u8; 1 << 20];
    let mut first = true;
    loop {
        let n = read_full(&mut file, &mut block)?;
        if n == 0 {
            return Ok((if configured == Encoding::Auto { Encoding::Utf8 } else { configured }, Vec::new()));
        }
        let data = &block[..n];
        if first && data.starts_with(b"\xEF\xBB\xBF") && configured == Encoding::Auto {
            return Ok((Encoding::Utf8, Vec::new()));
        }
        first = false;
        if data.is_ascii() {
            continue;
        }
        let at = data.iter().position(|b| !b.is_ascii()).unwrap_or(0);
        let mut text = data[at..].to_vec();
        while text.len() < SNIFF {
            let more = read_full(&mut file, &mut block)?;
            if more == 0 {
                break;
            }
            text.extend_from_slice(&block[..more]);
        }
        text.truncate(SNIFF);
        let encoding = match configured {
            Encoding::Auto if looks_utf8(&text) => Encoding::Utf8,
            Encoding::Auto => Encoding::Gb18030,
            other => other,
        };
        return Ok((encoding, text));
    }
}

fn read_full(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
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
    let (encoding, sniffed) = sniff_file(path, source.encoding).map_err(|e| unreadable(input, path, e))?;
    if encoding == Encoding::Gb18030 && source.encoding == Encoding::Gb18030 && !sniffed.is_empty() && looks_utf8(&sniffed) {
        // UTF-8 bytes read as GB18030 decode without error into wrong characters: refuse
        // rather than turn names into mojibake silently
        return Err(unreadable(input, path, "declared gb18030 but its text is UTF-8: set `encoding = \"auto\"` or `\"utf8\"`"));
    }
    let file = File::open(path).map_err(|e| unreadable(input, path, e))?;
    let hashing = HashingReader { inner: file, hasher: Sha256::new(), size: 0 };
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
    let header_map = map_headers(input, source, path, &headers)?;
    let map = &header_map.map;
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
                    deliver(input, &shown, &batch[..filled], map, width, encoding, sink);
                    filled = 0;
                    sink.broken(&shown, row, "", "", Reason::WrongFieldCount);
                }
            }
        }
        deliver(input, &shown, &batch[..filled], map, width, encoding, sink);
    }
    let hashing = reader.into_inner().into_inner();
    // read to the end so that the hash covers the whole file
    let mut rest = hashing;
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(|e| unreadable(input, path, e))?;
    let info = FileInfo {
        path: shown,
        size: rest.size,
        sha256: hex(&rest.hasher.finalize()),
        unknown_columns: Vec::new(),
        absent_columns: Vec::new(),
    };
    Ok(header_map.into_info(info))
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

/// How many rows at the top of a sheet may hold its header: government systems put a
/// title row (or a few) above it.
const XLSX_HEADER_SEARCH: usize = 10;

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
    // an identifier in a number cell: its text, or the value as read when digits may be lost
    let identifier = |cell: &Data| -> Option<Result<String, String>> {
        match cell {
            Data::Float(f) => Some(crate::values::identifier_from_float(*f)),
            Data::Int(i) => Some(crate::values::identifier_from_integer(*i as i128)),
            _ => text(cell).map(Ok),
        }
    };

    // the header: the first row among the first few that holds every required column;
    // the rows above it are a title, not data, and are not counted
    let mut header: Option<(usize, HeaderMap)> = None;
    let mut first_error = None;
    for (i, r) in range.rows().take(XLSX_HEADER_SEARCH).enumerate() {
        let headers: Vec<String> = r.iter().map(|c| text(c).unwrap_or_default()).collect();
        match map_headers(input, source, path, &headers) {
            Ok(m) => {
                header = Some((i, m));
                break;
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let (header_index, header_map) = match (header, first_error) {
        (Some(h), _) => h,
        (None, Some(IngestError::MissingColumn { input, path, column, hint })) if range.height() > 1 => {
            let hint = if hint.is_empty() { format!(" in its first {XLSX_HEADER_SEARCH} rows") } else { hint };
            return Err(IngestError::MissingColumn { input, path, column, hint });
        }
        (None, Some(e)) => return Err(e),
        (None, None) => return Err(map_headers(input, source, path, &[]).err().unwrap_or_else(|| unreadable(input, path, "the sheet is empty"))),
    };
    let columns = input.columns();
    for (i, r) in range.rows().enumerate().skip(header_index + 1) {
        // the row as a person counts it in the spreadsheet
        let row = first_row + i as u64 + 1;
        let mut cells: Vec<Option<String>> = vec![None; columns.len()];
        let mut lost: Option<(usize, String)> = None;
        for (cell, target) in r.iter().zip(&header_map.map) {
            let Some(t) = *target else { continue };
            if columns[t].is_identifier() {
                match identifier(cell) {
                    Some(Err(v)) => {
                        lost.get_or_insert((t, v));
                    }
                    Some(Ok(v)) => cells[t] = Some(v),
                    None => {}
                }
            } else {
                cells[t] = text(cell);
            }
        }
        if lost.is_none() && cells.iter().all(|c| c.as_deref().is_none_or(|s| s.trim().is_empty())) {
            continue; // an empty spreadsheet row is not a row
        }
        let view: Vec<Option<&str>> = cells.iter().map(|c| c.as_deref()).collect();
        match lost {
            Some((t, value)) => sink.row_with_reject(&shown, row, &view, true, columns[t].name, &value, Reason::IdentifierAsNumber),
            None => sink.row(&shown, row, &view, true),
        }
    }
    Ok(header_map.into_info(file_info(input, path)?))
}
