//! The sink that validates an input's rows with its row parser, in parallel, and rejects
//! duplicated keys at the end.

use std::sync::Arc;

use super::{Counts, Parsed, RowCheck, RowParser, Validated};
use crate::ingest::{Batch, Sink};
use crate::model::*;
use crate::rejects::{Reason, Reject};

struct Pending<T> {
    file: Arc<str>,
    row: u64,
    key: Option<Text>,
    value: Option<T>,
}

/// A sink that validates an input's rows into typed rows.
pub struct Validator<P: RowParser> {
    /// Accepted rows that no rule of this run can use are counted but not kept (for
    /// example listings not in force on the evaluation date). Only for inputs without a key.
    keep: Keep<P::Row>,
    /// With `keep`: rows not in force on this date are not kept, nor built.
    in_force_on: Option<chrono::NaiveDate>,
    pending: Vec<Pending<P::Row>>,
    rejects: Vec<Reject>,
    warnings: Vec<Reject>,
    read: u64,
    /// Accepted rows not kept because of `keep`.
    dropped: u64,
    file: Arc<str>,
}

impl<P: RowParser> Default for Validator<P> {
    fn default() -> Self {
        Validator { keep: None, in_force_on: None, dropped: 0, pending: Vec::new(), rejects: Vec::new(), warnings: Vec::new(), read: 0, file: Arc::from("") }
    }
}

impl<P: RowParser> Validator<P> {
    /// Keep only the accepted rows for which `keep` holds; the others still count as accepted.
    pub fn keeping(keep: impl Fn(&P::Row) -> bool + Send + Sync + 'static) -> Self {
        debug_assert!(P::KEY_COLUMN.is_none(), "a keyed input must keep every row for duplicate detection");
        Validator { keep: Some(Box::new(keep)), ..Validator::default() }
    }

    /// [`Validator::keeping`], and rows not in force on `as_of` are not even built: their
    /// parser checks every column, then stops (see `RowCheck::out_of_force`).
    pub fn keeping_in_force(as_of: chrono::NaiveDate, keep: impl Fn(&P::Row) -> bool + Send + Sync + 'static) -> Self {
        Validator { in_force_on: Some(as_of), ..Validator::keeping(keep) }
    }

    fn file_arc(&mut self, file: &str) -> Arc<str> {
        if &*self.file != file {
            self.file = Arc::from(file);
        }
        self.file.clone()
    }

    /// Reject every row of a duplicated key and return the result.
    pub fn finish(mut self) -> Validated<Vec<P::Row>> {
        let mut seen: foldhash::HashMap<&str, u32> = foldhash::HashMap::with_capacity_and_hasher(self.pending.len(), Default::default());
        for p in &self.pending {
            if let Some(k) = &p.key {
                *seen.entry(k.as_str()).or_default() += 1;
            }
        }
        let duplicated: std::collections::HashSet<Text> = seen.into_iter().filter(|(_, n)| *n > 1).map(|(k, _)| Text::new(k)).collect();
        let pending = std::mem::take(&mut self.pending);
        let mut rejected = self.read - pending.len() as u64 - self.dropped;
        let rejects = &mut self.rejects;
        let mut rejected_rows = Vec::new();
        // collected in place: a pending row is at least as large as its row, so the
        // accepted rows reuse the pending rows' memory instead of doubling it
        let rows: Vec<P::Row> = pending
            .into_iter()
            .filter_map(|p| {
                let dup = p.key.as_ref().is_some_and(|k| duplicated.contains(k));
                if dup {
                    let column = P::KEY_COLUMN.unwrap_or("");
                    rejects.push(Reject::new(P::INPUT.name(), &p.file, p.row, column, p.key.as_deref().unwrap_or(""), Reason::DuplicateKey));
                }
                match p.value {
                    Some(v) if !dup => Some(v),
                    _ => {
                        rejected += 1;
                        if let Some(k) = p.key {
                            rejected_rows.push((k, Origin { file: p.file.clone(), row: p.row }));
                        }
                        None
                    }
                }
            })
            .collect();
        let counts = Counts { read: self.read, accepted: rows.len() as u64 + self.dropped, rejected };
        rejected_rows.sort_by(|a: &(Text, Origin), b| (&a.0, &a.1.file, a.1.row).cmp(&(&b.0, &b.1.file, b.1.row)));
        // each reject names its row's key, so that a firm or a claim finds its rejected rows
        let keys: std::collections::HashMap<(&str, u64), &Text> = rejected_rows.iter().map(|(k, o)| ((&*o.file, o.row), k)).collect();
        for r in self.rejects.iter_mut() {
            r.key = keys.get(&(r.file.as_str(), r.row)).map(|k| k.to_string());
        }
        Validated { rows, rejects: self.rejects, warnings: self.warnings, counts, rejected_rows }
    }
}

/// One row checked: what it parsed to, and its rejects and warnings.
struct Checked<T> {
    row: u64,
    parsed: Parsed<T>,
    rejects: Vec<Reject>,
    warnings: Vec<Reject>,
    /// Accepted, but no rule of this run can use it (`keep` said no).
    unused: bool,
}

/// What decides which accepted rows are kept.
type Keep<T> = Option<Box<dyn Fn(&T) -> bool + Send + Sync>>;

fn check_row<P: RowParser>(
    keep: &Keep<P::Row>,
    in_force_on: Option<chrono::NaiveDate>,
    file: &str,
    arc: &Arc<str>,
    row: u64,
    cells: &[Option<&str>],
    spreadsheet: bool,
) -> Checked<P::Row> {
    let mut c = RowCheck { input: P::INPUT, file, row, cells, spreadsheet, rejects: Vec::new(), warnings: Vec::new(), in_force_on, unused: false };
    let parsed = P::parse(&mut c, arc);
    let unused = c.rejects.is_empty()
        && (c.unused
            || match (keep, &parsed.row) {
                (Some(k), Some(v)) => !k(v),
                _ => false,
            });
    Checked { row, parsed, rejects: c.rejects, warnings: c.warnings, unused }
}

impl<P: RowParser> Validator<P> {
    /// Take in one checked row, in file order.
    fn absorb(&mut self, arc: &Arc<str>, checked: Checked<P::Row>) {
        let Checked { row, parsed, mut rejects, mut warnings, unused } = checked;
        self.read += 1;
        let ok = rejects.is_empty();
        self.rejects.append(&mut rejects);
        self.warnings.append(&mut warnings);
        if unused {
            self.dropped += 1;
            return;
        }
        let value = if ok { parsed.row } else { None };
        if ok || parsed.key.is_some() {
            self.pending.push(Pending { file: arc.clone(), row, key: parsed.key, value });
        }
    }
}

impl<P: RowParser> Sink for Validator<P> {
    fn row(&mut self, file: &str, row: u64, cells: &[Option<&str>], spreadsheet: bool) {
        let arc = self.file_arc(file);
        let checked = check_row::<P>(&self.keep, self.in_force_on, file, &arc, row, cells, spreadsheet);
        self.absorb(&arc, checked);
    }

    /// Rows are checked in parallel (each check is a pure function of its cells) and
    /// taken in, in order, one by one.
    fn rows(&mut self, file: &str, rows: &Batch, spreadsheet: bool) {
        use rayon::prelude::*;
        let arc = self.file_arc(file);
        let keep = &self.keep;
        let in_force_on = self.in_force_on;
        let checked: Vec<Checked<P::Row>> = (0..rows.len())
            .into_par_iter()
            .map(|i| {
                let (row, cells) = rows.row(i);
                check_row::<P>(keep, in_force_on, file, &arc, row, cells, spreadsheet)
            })
            .collect();
        for c in checked {
            self.absorb(&arc, c);
        }
    }

    fn broken(&mut self, file: &str, row: u64, column: &str, value: &str, reason: Reason) {
        self.read += 1;
        self.rejects.push(Reject::new(P::INPUT.name(), file, row, column, value, reason));
    }

    fn row_with_reject(&mut self, file: &str, row: u64, cells: &[Option<&str>], spreadsheet: bool, column: &str, value: &str, reason: Reason) {
        let arc = self.file_arc(file);
        let mut checked = check_row::<P>(&self.keep, self.in_force_on, file, &arc, row, cells, spreadsheet);
        // the untrusted cell came in as absent: its own fault is this reason, not a missing value
        checked.rejects.retain(|r| !(r.column == column && r.reason == Reason::MissingValue));
        checked.rejects.push(Reject::new(P::INPUT.name(), file, row, column, value, reason));
        checked.unused = false;
        self.absorb(&arc, checked);
    }
}
