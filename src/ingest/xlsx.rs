//! Reading XLSX inputs: one sheet, its header found among its first rows, cells turned
//! into text (dates as ISO, identifiers checked for lost digits).

use std::path::Path;

use super::{FileInfo, HeaderMap, IngestError, InputSource, Sink, file_info, float_text, map_headers, unreadable};
use crate::rejects::Reason;
use crate::schema::Input;

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

pub(super) fn read_xlsx(input: Input, source: &InputSource, path: &Path, sink: &mut dyn Sink) -> Result<FileInfo, IngestError> {
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
