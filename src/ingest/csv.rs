//! Reading CSV inputs: records read in batches, decoded and handed to the sink.

use std::borrow::Cow;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::encoding::{HashingReader, decode, hex, looks_utf8, sniff_file};
use super::{Batch, Encoding, FileInfo, IngestError, InputSource, Sink, map_headers, unreadable};
use crate::rejects::Reason;
use crate::schema::Input;

/// Rows handed to a sink at once.
const BATCH: usize = 16_384;

pub(super) fn read_csv(input: Input, source: &InputSource, path: &Path, sink: &mut dyn Sink) -> Result<FileInfo, IngestError> {
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

    // a reading thread parses (and hashes) the next batch of records while this one
    // decodes and checks the last: a batch's buffers go back to the reader to be reused
    let (rest, outcome) = std::thread::scope(|scope| {
        let (batches, received) = std::sync::mpsc::sync_channel::<Parsed>(2);
        let (returned, recycled) = std::sync::mpsc::channel::<Vec<csv::ByteRecord>>();
        let reading = scope.spawn(move || parse_records(reader, &batches, &recycled));
        for parsed in received {
            match parsed {
                Parsed::Records(batch, filled) => {
                    deliver(input, &shown, &batch[..filled], map, width, encoding, sink);
                    // the reader may have finished: then the buffers are simply dropped
                    let _ = returned.send(batch);
                }
                Parsed::Broken(row) => sink.broken(&shown, row, "", "", Reason::WrongFieldCount),
            }
        }
        reading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    outcome.map_err(|e| unreadable(input, path, e))?;
    let Some(mut rest) = rest else { return Err(unreadable(input, path, "the reading thread stopped")) };
    // read to the end so that the hash covers the whole file
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

/// What the reading thread hands over, in file order.
enum Parsed {
    /// A batch of records, of which the first `filled` were read.
    Records(Vec<csv::ByteRecord>, usize),
    /// A malformed record (for example an unterminated quote) at this row: one broken row.
    Broken(u64),
}

type CsvReader = csv::Reader<BufReader<HashingReader<File>>>;

/// Parse the records of `reader` into batches of reused buffers and send them; returns
/// the file's hashing reader (to read to the end), or the I/O error that stopped it.
fn parse_records(
    mut reader: CsvReader,
    batches: &std::sync::mpsc::SyncSender<Parsed>,
    recycled: &std::sync::mpsc::Receiver<Vec<csv::ByteRecord>>,
) -> (Option<HashingReader<File>>, Result<(), csv::Error>) {
    let mut done = false;
    while !done {
        let mut batch = recycled.try_recv().unwrap_or_else(|_| Vec::with_capacity(BATCH));
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
                Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => return (None, Err(e)),
                Err(e) => {
                    let row = e.position().map(|p| p.line()).unwrap_or(0).max(1);
                    // the rows before it first, where they stand
                    let full = std::mem::replace(&mut batch, recycled.try_recv().unwrap_or_else(|_| Vec::with_capacity(BATCH)));
                    if batches.send(Parsed::Records(full, filled)).is_err() || batches.send(Parsed::Broken(row)).is_err() {
                        return (None, Ok(()));
                    }
                    filled = 0;
                }
            }
        }
        if batches.send(Parsed::Records(batch, filled)).is_err() {
            return (None, Ok(()));
        }
    }
    (Some(reader.into_inner().into_inner()), Ok(()))
}

/// Decode a batch of CSV records and hand the readable ones to the sink, in order; rows
/// with the wrong number of fields or undecodable bytes go to the sink as broken.
fn deliver(input: Input, shown: &str, records: &[csv::ByteRecord], map: &[Option<usize>], width: usize, encoding: Encoding, sink: &mut dyn Sink) {
    if encoding == Encoding::Gb18030 {
        return deliver_decoded(input, shown, records, map, width, encoding, sink);
    }
    // UTF-8: the cells are the records' own bytes, checked a record at a time
    let columns = input.columns();
    let n = columns.len();
    let mut batch = Batch::with_capacity(n, records.len());
    let mut cells: Vec<Option<&str>> = vec![None; n];
    for record in records {
        let row = record.position().map(|p| p.line()).unwrap_or(0);
        let flushed = |sink: &mut dyn Sink| {
            sink.rows(shown, &batch, false);
            batch.clear();
        };
        let Some(()) = check_width(record, width, row, shown, sink, flushed) else { continue };
        cells.fill(None);
        // the whole record is valid UTF-8 in one pass (SIMD: Chinese text has no ASCII fast
        // path) when its fields are; a field is then its slice of it, when both its ends
        // fall between characters
        let whole = simdutf8::basic::from_utf8(record.as_slice()).ok();
        let mut bad: Option<usize> = None;
        for (field, target) in record.iter().zip(map) {
            let Some(t) = target else { continue };
            let text = whole
                .and_then(|all| {
                    let at = field.as_ptr() as usize - all.as_ptr() as usize;
                    all.get(at..at + field.len())
                })
                .or_else(|| std::str::from_utf8(field).ok());
            match text {
                Some(text) => cells[*t] = Some(text),
                None => {
                    bad = Some(*t);
                    break;
                }
            }
        }
        match bad {
            Some(t) => {
                sink.rows(shown, &batch, false);
                batch.clear();
                sink.broken(shown, row, columns[t].name, "", Reason::InvalidEncoding);
            }
            None => batch.push(row, cells.iter().copied()),
        }
    }
    sink.rows(shown, &batch, false);
}

/// A record of the header's width goes on (`Some`); one of another width is a broken row,
/// handed to the sink after `flush` has handed it the readable rows before it, and a blank
/// line is no row.
fn check_width(record: &csv::ByteRecord, width: usize, row: u64, shown: &str, sink: &mut dyn Sink, flush: impl FnOnce(&mut dyn Sink)) -> Option<()> {
    if record.len() == width {
        return Some(());
    }
    if record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty()) {
        return None;
    }
    flush(sink);
    sink.broken(shown, row, "", &format!("{} fields, header has {width}", record.len()), Reason::WrongFieldCount);
    None
}

/// [`deliver`] for an encoding whose text is decoded into buffers of its own.
fn deliver_decoded(input: Input, shown: &str, records: &[csv::ByteRecord], map: &[Option<usize>], width: usize, encoding: Encoding, sink: &mut dyn Sink) {
    let columns = input.columns();
    let n = columns.len();
    // the decoded cells of the readable rows, `n` per row, in one buffer for the batch
    let mut cells: Vec<Option<Cow<str>>> = Vec::with_capacity(records.len() * n);
    let mut rows: Vec<u64> = Vec::with_capacity(records.len());
    // broken rows are reported where they stand, after the readable rows before them
    let flush = |cells: &mut Vec<Option<Cow<str>>>, rows: &mut Vec<u64>, sink: &mut dyn Sink| {
        let mut batch = Batch::with_capacity(n, rows.len());
        for (i, row) in rows.iter().enumerate() {
            batch.push(*row, cells[i * n..(i + 1) * n].iter().map(|c| c.as_deref()));
        }
        sink.rows(shown, &batch, false);
        drop(batch);
        cells.clear();
        rows.clear();
    };
    for record in records {
        let row = record.position().map(|p| p.line()).unwrap_or(0);
        let Some(()) = check_width(record, width, row, shown, sink, |sink| flush(&mut cells, &mut rows, sink)) else { continue };
        let start = cells.len();
        cells.resize(start + n, None);
        let mut bad: Option<usize> = None;
        for (field, target) in record.iter().zip(map) {
            let Some(t) = target else { continue };
            match decode(field, encoding) {
                Some(text) => cells[start + *t] = Some(text),
                None => {
                    bad = Some(*t);
                    break;
                }
            }
        }
        match bad {
            Some(t) => {
                cells.truncate(start);
                flush(&mut cells, &mut rows, sink);
                sink.broken(shown, row, columns[t].name, "", Reason::InvalidEncoding);
            }
            None => rows.push(row),
        }
    }
    flush(&mut cells, &mut rows, sink);
}
