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
    /// The sums so far, keyed by the USCC's 18 bytes (so that a row costs no allocation):
    /// the first `summed` in key order, one a key, then the slices' runs as they came.
    runs: Vec<((UsccKey, i32), ExportTotals)>,
    summed: usize,
    /// The only year summed, when set: a run's eligibility reads one year's exports, and a
    /// national register's other years would double the map. Rows of other years are
    /// checked and counted all the same.
    year: Option<i32>,
    rejects: Vec<Reject>,
    warnings: Vec<Reject>,
    counts: Counts,
}

/// The fewest runs worth summing: a small input is summed once, at the end.
const SUM_AFTER: usize = 1 << 20;

const TRADE_CHANNELS: &[(&[&str], bool)] = &[(&["self", "自营"], true), (&["agency", "代理"], false)];

/// One export row checked: its (USCC, year, self?, cents), or its rejects.
type ExportRow = (Option<([u8; 18], i32, bool, i64)>, Vec<Reject>, Vec<Reject>);

fn check_export(file: &str, row: u64, cells: &[Option<&str>], spreadsheet: bool) -> ExportRow {
    let mut c = RowCheck::new(Input::Exports, file, row, cells, spreadsheet);
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

    /// Add what each of `parts`, slices of rows in file order, gave to the totals.
    fn merge_all(&mut self, parts: Vec<Part>) {
        for part in parts {
            self.merge(part);
        }
    }

    /// Add what a slice of rows gave to the totals.
    fn merge(&mut self, part: Part) {
        let Part { runs, mut rejects, mut warnings, counts } = part;
        self.counts.read += counts.read;
        self.counts.accepted += counts.accepted;
        self.counts.rejected += counts.rejected;
        self.rejects.append(&mut rejects);
        self.warnings.append(&mut warnings);
        self.runs.extend(runs);
        // the runs are summed once they outnumber the sums: memory stays within twice the
        // sums' however the input orders its rows, and each run is sorted a few times at most
        if self.runs.len() - self.summed > self.summed.max(SUM_AFTER) {
            self.runs = Exports::from_runs(std::mem::take(&mut self.runs)).into_runs();
            self.summed = self.runs.len();
        }
    }
}

/// What a slice of rows gave: its accepted rows of the summed year(s) as runs of one
/// (USCC, year) each (an input that lists a firm's rows together, as registers do, then
/// reaches the totals once per firm rather than once per row), its rejects and warnings,
/// and its counts. Slices are checked in parallel and merged in file order.
#[derive(Default)]
struct Part {
    runs: Vec<((UsccKey, i32), ExportTotals)>,
    rejects: Vec<Reject>,
    warnings: Vec<Reject>,
    counts: Counts,
}

impl Part {
    /// Check row `i` of `rows` and take it in; `year`: the only year summed, when set.
    fn check(self, year: Option<i32>, file: &str, rows: &Batch, i: usize, spreadsheet: bool) -> Part {
        let (row, cells) = rows.row(i);
        self.take(year, check_export(file, row, cells, spreadsheet))
    }

    /// Take in one checked row; `year`: the only year summed, when set.
    fn take(mut self, year: Option<i32>, checked: ExportRow) -> Part {
        let (value, mut rejects, mut warnings) = checked;
        self.counts.read += 1;
        self.warnings.append(&mut warnings);
        if !rejects.is_empty() {
            self.rejects.append(&mut rejects);
            self.counts.rejected += 1;
            return self;
        }
        let Some((u, y, is_self, cents)) = value else { return self };
        self.counts.accepted += 1;
        if year.is_some_and(|kept| kept != y) {
            return self;
        }
        let key = (u, y);
        let run = match self.runs.last_mut() {
            Some((k, run)) if *k == key => run,
            _ => {
                self.runs.push((key, ExportTotals::default()));
                &mut self.runs.last_mut().expect("just pushed").1
            }
        };
        if is_self {
            run.self_cents += cents;
        } else {
            run.agency_cents += cents;
        }
        run.rows += 1;
        self
    }
}

impl Sink for ExportValidator {
    fn row(&mut self, file: &str, row: u64, cells: &[Option<&str>], spreadsheet: bool) {
        let part = Part::default().take(self.year, check_export(file, row, cells, spreadsheet));
        self.merge(part);
    }

    /// Rows are checked and summed in parallel, a slice at a time; the slices' sums are
    /// then added in order.
    fn rows(&mut self, file: &str, rows: &Batch, spreadsheet: bool) {
        use rayon::prelude::*;
        let year = self.year;
        let parts: Vec<Part> = (0..rows.len())
            .into_par_iter()
            .with_min_len(4096)
            .fold(Part::default, |part, i| part.check(year, file, rows, i, spreadsheet))
            .collect();
        self.merge_all(parts);
    }

    /// Each block is made, checked and summed on one core, in parallel; the blocks' sums
    /// are then added in order.
    fn blocks<'a>(&mut self, file: &str, blocks: usize, fill: &(dyn Fn(usize) -> Batch<'a> + Sync), spreadsheet: bool) {
        use rayon::prelude::*;
        let year = self.year;
        let parts: Vec<Part> = (0..blocks)
            .into_par_iter()
            .map(|b| {
                let rows = fill(b);
                (0..rows.len()).fold(Part::default(), |part, i| part.check(year, file, &rows, i, spreadsheet))
            })
            .collect();
        self.merge_all(parts);
    }

    fn broken(&mut self, file: &str, row: u64, column: &str, value: &str, reason: Reason) {
        self.counts.read += 1;
        self.counts.rejected += 1;
        self.rejects.push(Reject::new(Input::Exports.name(), file, row, column, value, reason));
    }
}

impl ExportValidator {
    pub fn finish(self) -> Validated<Exports> {
        Validated { rows: Exports::from_runs(self.runs), rejects: self.rejects, warnings: self.warnings, counts: self.counts, rejected_rows: Vec::new() }
    }
}
