//! The exports' contract, in a sink of its own that sums exports by (USCC, year) as it reads.

use super::{Counts, RowCheck, Validated};
use crate::ident;
use crate::ingest::{Batch, Sink};
use crate::model::*;
use crate::rejects::{Reason, Reject};
use crate::schema::{Input, col};
use crate::values;

/// Exports are summed by (USCC, year) while they are read: the input is the largest and
/// no rule needs its single rows.
#[derive(Default)]
pub struct ExportValidator {
    /// Keyed by the USCC's 18 bytes, so that a row costs no allocation.
    totals: Exports,
    /// The only year summed, when set: a run's eligibility reads one year's exports, and a
    /// national register's other years would double the map. Rows of other years are
    /// checked and counted all the same.
    year: Option<i32>,
    rejects: Vec<Reject>,
    warnings: Vec<Reject>,
    counts: Counts,
}

const TRADE_CHANNELS: &[(&[&str], bool)] = &[(&["self", "自营"], true), (&["agency", "代理"], false)];

/// One export row checked: its (USCC, year, self?, cents), or its rejects.
type ExportRow = (Option<([u8; 18], i32, bool, i64)>, Vec<Reject>, Vec<Reject>);

fn check_export(file: &str, row: u64, cells: &[Option<&str>], spreadsheet: bool) -> ExportRow {
    let mut c = RowCheck { input: Input::Exports, file, row, cells, spreadsheet, rejects: Vec::new(), warnings: Vec::new(), unused: false };
    let uscc = c.parse(col::USCC, |v| ident::uscc_key(v).ok_or(Reason::MalformedUscc));
    let month = c.parse(col::MONTH, |v| values::parse_month(v, spreadsheet));
    let channel = c.closed(col::TRADE_CHANNEL, TRADE_CHANNELS);
    let usd = c.amount(col::EXPORT_USD);
    let value = match (uscc, month, channel, usd) {
        (Some(u), Some((year, _)), Some(is_self), Some(cents)) if c.rejects.is_empty() => Some((u, year, is_self, cents)),
        _ => None,
    };
    (value, c.rejects, c.warnings)
}

impl ExportValidator {
    /// A validator that sums only the exports of `year` (every year's rows are checked).
    pub fn for_year(year: i32) -> ExportValidator {
        ExportValidator { year: Some(year), ..ExportValidator::default() }
    }

    fn absorb(&mut self, checked: ExportRow) {
        let (value, mut rejects, mut warnings) = checked;
        self.counts.read += 1;
        self.warnings.append(&mut warnings);
        if !rejects.is_empty() {
            self.rejects.append(&mut rejects);
            self.counts.rejected += 1;
            return;
        }
        if let Some((u, year, is_self, cents)) = value {
            self.counts.accepted += 1;
            if self.year.is_some_and(|kept| kept != year) {
                return;
            }
            let t = self.totals.entry((u, year)).or_default();
            if is_self {
                t.self_cents += cents;
            } else {
                t.agency_cents += cents;
            }
            t.rows += 1;
        }
    }
}

impl Sink for ExportValidator {
    fn row(&mut self, file: &str, row: u64, cells: &[Option<&str>], spreadsheet: bool) {
        let checked = check_export(file, row, cells, spreadsheet);
        self.absorb(checked);
    }

    fn rows(&mut self, file: &str, rows: &Batch, spreadsheet: bool) {
        use rayon::prelude::*;
        let checked: Vec<ExportRow> = (0..rows.len())
            .into_par_iter()
            .map(|i| {
                let (row, cells) = rows.row(i);
                check_export(file, row, cells, spreadsheet)
            })
            .collect();
        for c in checked {
            self.absorb(c);
        }
    }

    fn broken(&mut self, file: &str, row: u64, column: &str, value: &str, reason: Reason) {
        self.counts.read += 1;
        self.counts.rejected += 1;
        self.rejects.push(Reject::new(Input::Exports.name(), file, row, column, value, reason));
    }
}

impl ExportValidator {
    pub fn finish(self) -> Validated<Exports> {
        Validated { rows: self.totals, rejects: self.rejects, warnings: self.warnings, counts: self.counts, rejected_rows: Vec::new() }
    }
}
