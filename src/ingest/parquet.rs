//! Reading Parquet inputs: columns turned into text (floats by their shortest round
//! trip, dates as ISO), a chunk at a time.

use std::fs::File;
use std::path::Path;

use super::{Batch, FileInfo, IngestError, InputSource, Sink, file_info, map_headers, unreadable, write_float};
use crate::prefetch::prefetch;
use crate::rejects::Reason;
use crate::schema::Input;
use crate::values::{identifier_from_float, identifier_from_integer};

pub(super) fn read_parquet(input: Input, source: &InputSource, path: &Path, sink: &mut dyn Sink) -> Result<FileInfo, IngestError> {
    use polars::prelude::*;
    let shown = path.display().to_string();
    let file = File::open(path).map_err(|e| unreadable(input, path, e))?;
    let df = ParquetReader::new(file).finish().map_err(|e| unreadable(input, path, e))?;
    let headers: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
    let header_map = map_headers(input, source, path, &headers)?;
    let map = &header_map.map;
    let columns = input.columns();
    const CHUNK: usize = 65_536;
    // rows made and checked together on one core: their cells (16 bytes each) and the
    // values they point to stay in its cache between the two
    const BLOCK: usize = 2048;
    let mut offset = 0usize;
    while offset < df.height() {
        let part = df.slice(offset as i64, CHUNK);
        // text columns are read in place; other types are turned into text once per chunk
        let mut strings: Vec<Option<StringChunked>> = vec![None; columns.len()];
        // other typed columns as text, written into one buffer per column
        let mut texts: Vec<Option<Texts>> = (0..columns.len()).map(|_| None).collect();
        // rows whose identifier arrived as a number that may have lost digits (rare: kept
        // by row, not a slot for every row of the chunk), each with its first such column
        let mut lost: std::collections::BTreeMap<usize, (usize, String)> = std::collections::BTreeMap::new();
        for (col, target) in part.columns().iter().zip(map) {
            let Some(t) = target else { continue };
            let series = col.as_materialized_series();
            if series.dtype() == &DataType::String {
                strings[*t] = Some(series.str().map_err(|e| unreadable(input, path, e))?.clone());
            } else if columns[*t].is_identifier() && (series.dtype().is_integer() || series.dtype().is_float()) {
                let values = identifier_texts(series).map_err(|e| unreadable(input, path, e))?;
                let mut column = Texts::with_capacity(values.len());
                for (i, v) in values.into_iter().enumerate() {
                    let text = match v {
                        Some(Err(value)) => {
                            lost.entry(i).or_insert((*t, value));
                            None
                        }
                        Some(Ok(text)) => Some(text),
                        None => None,
                    };
                    column.push(text.map(|text| move |buf: &mut String| buf.push_str(&text)));
                }
                texts[*t] = Some(column);
            } else {
                texts[*t] = Some(column_texts(series).map_err(|e| unreadable(input, path, e))?);
            }
        }
        // the cells of rows `first..first + n`, row after row; text columns are read in
        // place, from each of their arrays (a slice across row groups has several) with the row
        // it starts at
        let width = columns.len();
        let arrays: Vec<Vec<(usize, &_)>> = strings
            .iter()
            .map(|s| {
                let mut at = 0;
                s.iter()
                    .flat_map(|ca| ca.downcast_iter())
                    .map(|arr| {
                        let start = at;
                        at += arr.len();
                        (start, arr)
                    })
                    .collect()
            })
            .collect();
        let fill = |first: usize, n: usize| -> Vec<Option<&str>> {
            let mut rows = vec![None; n * width];
            for (t, (arrays, x)) in arrays.iter().zip(&texts).enumerate() {
                for &(start, arr) in arrays {
                    let (lo, hi) = (first.max(start), (first + n).min(start + arr.len()));
                    for r in lo..hi {
                        let value = arr.get(r - start);
                        // a text longer than a view holds inline lies in the column's
                        // buffer, far from the view, and is checked soon after (a short
                        // one lies in the view itself, and its prefetch costs next to nothing)
                        if let Some(v) = value {
                            prefetch(v.as_bytes());
                        }
                        rows[(r - first) * width + t] = value;
                    }
                }
                if let Some(x) = x {
                    for (i, row) in rows.chunks_exact_mut(width).enumerate() {
                        row[t] = x.get(first + i);
                    }
                }
            }
            rows
        };
        // a Parquet file has no header row: its first row is row 1
        let row_of = |i: usize| (offset + i) as u64 + 1;
        if lost.is_empty() {
            // the sink makes each block of rows on the core that checks it
            let height = part.height();
            let block = |b: usize| {
                let (first, n) = (b * BLOCK, BLOCK.min(height - b * BLOCK));
                Batch::from_cells((first..first + n).map(row_of).collect(), fill(first, n), width)
            };
            sink.blocks(&shown, height.div_ceil(BLOCK), &block, false);
        } else {
            let cells = fill(0, part.height());
            let mut batch = Batch::with_capacity(width, part.height());
            for i in 0..part.height() {
                let row = &cells[i * width..(i + 1) * width];
                match lost.get(&i) {
                    Some((t, value)) => {
                        // such rows are taken in where they stand, after the rows before them
                        sink.rows(&shown, &batch, false);
                        batch.clear();
                        sink.row_with_reject(&shown, row_of(i), row, false, columns[*t].name, value, Reason::IdentifierAsNumber);
                    }
                    None => batch.push(row_of(i), row.iter().copied()),
                }
            }
            sink.rows(&shown, &batch, false);
        }
        offset += CHUNK;
    }
    Ok(header_map.into_info(file_info(input, path)?))
}

/// An identifier column of a number type: each value's text, or `Err` with the value as
/// read when a digit may have been lost (docs/rules.md).
fn identifier_texts(s: &polars::prelude::Series) -> polars::prelude::PolarsResult<Vec<Option<Result<String, String>>>> {
    use polars::prelude::*;
    Ok(if s.dtype() == &DataType::Float32 {
        // a 32-bit float holds every whole number only below 2^24
        s.f32()?.iter().map(|v| v.map(|f| if f.abs() < 16_777_216.0 { identifier_from_float(f as f64) } else { Err(format!("{f}")) })).collect()
    } else if s.dtype().is_float() {
        s.cast(&DataType::Float64)?.f64()?.iter().map(|v| v.map(identifier_from_float)).collect()
    } else {
        s.cast(&DataType::Int64)?.i64()?.iter().map(|v| v.map(|i| identifier_from_integer(i as i128))).collect()
    })
}

/// A column's values as text in one buffer: value `i` is `buf[spans[i]]`, or null.
struct Texts {
    buf: String,
    spans: Vec<Option<(usize, usize)>>,
}

impl Texts {
    fn with_capacity(n: usize) -> Texts {
        Texts { buf: String::with_capacity(n * 12), spans: Vec::with_capacity(n) }
    }

    /// Append one value, written by `write` into the buffer (`None`: a null).
    fn push(&mut self, value: Option<impl FnOnce(&mut String)>) {
        self.spans.push(value.map(|write| {
            let start = self.buf.len();
            write(&mut self.buf);
            (start, self.buf.len())
        }));
    }

    /// Value `i`.
    fn get(&self, i: usize) -> Option<&str> {
        self.spans[i].map(|(a, b)| &self.buf[a..b])
    }
}

/// Every value of a column as text: floats by their shortest round trip, dates as ISO.
fn column_texts(s: &polars::prelude::Series) -> polars::prelude::PolarsResult<Texts> {
    use polars::prelude::*;
    use std::fmt::Write;
    let mut out = Texts::with_capacity(s.len());
    match s.dtype() {
        DataType::Float64 => {
            for v in s.f64()?.iter() {
                out.push(v.map(|f| move |buf: &mut String| write_float(buf, f)));
            }
        }
        DataType::Float32 => {
            for v in s.f32()?.iter() {
                out.push(v.map(|f| {
                    move |buf: &mut String| {
                        let _ = if f.fract() == 0.0 && f.abs() < 1e7 { write!(buf, "{}", f as i64) } else { write!(buf, "{f}") };
                    }
                }));
            }
        }
        DataType::Datetime(_, _) => {
            let d = s.cast(&DataType::Date)?.cast(&DataType::String)?;
            for v in d.str()?.iter() {
                out.push(v.map(|t| move |buf: &mut String| buf.push_str(t)));
            }
        }
        _ => {
            let t = s.cast(&DataType::String)?;
            for v in t.str()?.iter() {
                out.push(v.map(|t| move |buf: &mut String| buf.push_str(t)));
            }
        }
    }
    Ok(out)
}
