//! Reading Parquet inputs: columns turned into text (floats by their shortest round
//! trip, dates as ISO), a chunk at a time.

use std::fs::File;
use std::path::Path;

use super::{FileInfo, IngestError, InputSource, Sink, file_info, float_text, map_headers, unreadable};
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
    let mut offset = 0usize;
    while offset < df.height() {
        let part = df.slice(offset as i64, CHUNK);
        // text columns are read in place; other types are turned into text once per chunk
        let mut strings: Vec<Option<StringChunked>> = vec![None; columns.len()];
        let mut owned: Vec<Option<Vec<Option<String>>>> = vec![None; columns.len()];
        // rows whose identifier arrived as a number that may have lost digits
        let mut lost: Vec<Option<(usize, String)>> = vec![None; part.height()];
        for (col, target) in part.columns().iter().zip(map) {
            let Some(t) = target else { continue };
            let series = col.as_materialized_series();
            if series.dtype() == &DataType::String {
                strings[*t] = Some(series.str().map_err(|e| unreadable(input, path, e))?.rechunk().into_owned());
            } else if columns[*t].is_identifier() && (series.dtype().is_integer() || series.dtype().is_float()) {
                let texts = identifier_texts(series).map_err(|e| unreadable(input, path, e))?;
                let mut values = Vec::with_capacity(texts.len());
                for (i, v) in texts.into_iter().enumerate() {
                    values.push(match v {
                        Some(Err(value)) => {
                            lost[i].get_or_insert((*t, value));
                            None
                        }
                        Some(Ok(text)) => Some(text),
                        None => None,
                    });
                }
                owned[*t] = Some(values);
            } else {
                owned[*t] = Some(column_texts(series).map_err(|e| unreadable(input, path, e))?);
            }
        }
        let views: Vec<Option<Vec<Option<&str>>>> = strings
            .iter()
            .zip(&owned)
            .map(|(s, o)| match (s, o) {
                (Some(ca), _) => Some(ca.iter().collect()),
                (None, Some(v)) => Some(v.iter().map(|x| x.as_deref()).collect()),
                (None, None) => None,
            })
            .collect();
        // a Parquet file has no header row: its first row is row 1
        let row_of = |i: usize| (offset + i) as u64 + 1;
        let mut rows: Vec<(u64, Vec<Option<&str>>)> = Vec::with_capacity(part.height());
        for (i, lost) in lost.iter().enumerate() {
            let cells: Vec<Option<&str>> = views.iter().map(|v| v.as_ref().and_then(|v| v[i])).collect();
            match lost {
                Some((t, value)) => {
                    // such rows are taken in where they stand, after the rows before them
                    sink.rows(&shown, &rows, false);
                    rows.clear();
                    sink.row_with_reject(&shown, row_of(i), &cells, false, columns[*t].name, value, Reason::IdentifierAsNumber);
                }
                None => rows.push((row_of(i), cells)),
            }
        }
        sink.rows(&shown, &rows, false);
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

/// Every value of a column as text: floats by their shortest round trip, dates as ISO.
fn column_texts(s: &polars::prelude::Series) -> polars::prelude::PolarsResult<Vec<Option<String>>> {
    use polars::prelude::*;
    Ok(match s.dtype() {
        DataType::Float64 => s.f64()?.iter().map(|v| v.map(float_text)).collect(),
        DataType::Float32 => s.f32()?.iter().map(|v| v.map(|f| if f.fract() == 0.0 && f.abs() < 1e7 { format!("{}", f as i64) } else { format!("{f}") })).collect(),
        DataType::Datetime(_, _) => {
            let d = s.cast(&DataType::Date)?;
            let d = d.cast(&DataType::String)?;
            d.str()?.iter().map(|v| v.map(str::to_string)).collect()
        }
        _ => {
            let t = s.cast(&DataType::String)?;
            t.str()?.iter().map(|v| v.map(str::to_string)).collect()
        }
    })
}
