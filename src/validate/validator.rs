//! The sink that validates an input's rows with its row parser, in parallel, and rejects
//! duplicated keys at the end.

use std::sync::Arc;

use super::{Counts, Parsed, RowCheck, RowParser, Validated};
use crate::ingest::{Batch, Sink};
use crate::model::*;
use crate::rejects::{Reason, Reject};

/// How many rows ahead a parser hears of a row ([`RowParser::look_ahead`]): a row's parse
/// takes longer than a load from memory, so that the next but one is far enough.
const LOOK_AHEAD: usize = 2;

struct Pending<T> {
    file: Arc<str>,
    row: u64,
    key: Option<Text>,
    value: Option<T>,
}

/// A sink that validates an input's rows into typed rows.
pub struct Validator<P: RowParser> {
    parser: P,
    /// Every row taken in so far.
    taken: Taken<P::Row>,
    file: Arc<str>,
}

/// Rows taken in, in file order: those kept until the end (valid, or with a key that
/// counts for duplicates), the rejects and warnings, and the counts.
struct Taken<T> {
    pending: Vec<Pending<T>>,
    rejects: Vec<Reject>,
    warnings: Vec<Reject>,
    read: u64,
    /// Accepted rows that no rule of this run can use, counted but not kept (see
    /// `RowCheck::unused`). Only inputs without a key have them.
    dropped: u64,
}

impl<T> Default for Taken<T> {
    fn default() -> Self {
        Taken { pending: Vec::new(), rejects: Vec::new(), warnings: Vec::new(), read: 0, dropped: 0 }
    }
}

impl<T> Taken<T> {
    /// Take in one checked row, after the rows taken before it.
    fn take(&mut self, arc: &Arc<str>, checked: Checked<T>) {
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

    /// Check row `i` of `rows` with `parser` and take it in (the parser told of the row
    /// [`LOOK_AHEAD`] rows on).
    fn check<P: RowParser<Row = T>>(mut self, parser: &P, file: &str, arc: &Arc<str>, rows: &Batch, i: usize, spreadsheet: bool) -> Taken<T> {
        if i + LOOK_AHEAD < rows.len() {
            parser.look_ahead(rows.row(i + LOOK_AHEAD).1);
        }
        let (row, cells) = rows.row(i);
        self.take(arc, check_row(parser, file, arc, row, cells, spreadsheet));
        self
    }

    /// Take in the rows each of `later` took, in order, which follow these.
    fn append_all(&mut self, later: Vec<Taken<T>>) {
        for slice in later {
            self.append(slice);
        }
    }

    /// Take in the rows `later` took, which follow these.
    fn append(&mut self, mut later: Taken<T>) {
        self.pending.append(&mut later.pending);
        self.rejects.append(&mut later.rejects);
        self.warnings.append(&mut later.warnings);
        self.read += later.read;
        self.dropped += later.dropped;
    }
}

impl<P: RowParser + Default> Default for Validator<P> {
    fn default() -> Self {
        Validator::with(P::default())
    }
}

impl<P: RowParser> Validator<P> {
    /// A validator whose rows are parsed by `parser`.
    pub fn with(parser: P) -> Self {
        Validator { parser, taken: Taken::default(), file: Arc::from("") }
    }

    fn file_arc(&mut self, file: &str) -> Arc<str> {
        if &*self.file != file {
            self.file = Arc::from(file);
        }
        self.file.clone()
    }

    /// Reject every row of a duplicated key and return the result.
    pub fn finish(self) -> Validated<Vec<P::Row>> {
        let Taken { pending, mut rejects, warnings, read, dropped } = self.taken;
        let duplicated = duplicated_keys(&pending);
        let mut rejected = read - pending.len() as u64 - dropped;
        let mut rejected_rows = Vec::new();
        // collected in place: a pending row is at least as large as its row, so the
        // accepted rows reuse the pending rows' memory instead of doubling it; what they do
        // not fill is given back (`shrink_to_fit`, below: at tier L half a gigabyte of the
        // firms' pending rows)
        let mut rows: Vec<P::Row> = pending
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
        rows.shrink_to_fit();
        let counts = Counts { read, accepted: rows.len() as u64 + dropped, rejected };
        rejected_rows.sort_by(|a: &(Text, Origin), b| (&a.0, &a.1.file, a.1.row).cmp(&(&b.0, &b.1.file, b.1.row)));
        // each reject names its row's key, so that a firm or a claim finds its rejected rows
        let keys: std::collections::HashMap<(&str, u64), &Text> = rejected_rows.iter().map(|(k, o)| ((&*o.file, o.row), k)).collect();
        for r in rejects.iter_mut() {
            r.key = keys.get(&(r.file.as_str(), r.row)).map(|k| k.to_string());
        }
        Validated { rows, rejects, warnings, counts, rejected_rows }
    }
}

/// The keys that more than one of `pending` holds. The keys' 64-bit hashes are sorted on
/// every core and the few that repeat are counted by their texts: a national register's
/// ten million keys in a map were a few seconds on one core.
fn duplicated_keys<T>(pending: &[Pending<T>]) -> foldhash::HashSet<Text> {
    use rayon::prelude::*;
    use std::hash::BuildHasher;
    let state = foldhash::fast::FixedState::default();
    let hash = |k: &Text| state.hash_one(k.as_str());
    let keys: Vec<&Text> = pending.iter().filter_map(|p| p.key.as_ref()).collect();
    let mut hashes: Vec<u64> = keys.par_iter().map(|k| hash(k)).collect();
    hashes.par_sort_unstable();
    let repeated: foldhash::HashSet<u64> = hashes.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
    if repeated.is_empty() {
        return foldhash::HashSet::default();
    }
    let mut seen: foldhash::HashMap<&str, u32> = foldhash::HashMap::default();
    for k in keys.into_iter().filter(|k| repeated.contains(&hash(k))) {
        *seen.entry(k.as_str()).or_default() += 1;
    }
    seen.into_iter().filter(|(_, n)| *n > 1).map(|(k, _)| Text::new(k)).collect()
}

/// One row checked: what it parsed to, and its rejects and warnings.
struct Checked<T> {
    row: u64,
    parsed: Parsed<T>,
    rejects: Vec<Reject>,
    warnings: Vec<Reject>,
    /// Accepted, but no rule of this run can use it.
    unused: bool,
}

fn check_row<P: RowParser>(
    parser: &P,
    file: &str,
    arc: &Arc<str>,
    row: u64,
    cells: &[Option<&str>],
    spreadsheet: bool,
) -> Checked<P::Row> {
    let mut c = RowCheck::new(P::INPUT, file, row, cells, spreadsheet);
    let parsed = parser.parse(&mut c, arc);
    let unused = c.rejects.is_empty() && c.unused;
    debug_assert!(!unused || P::KEY_COLUMN.is_none(), "a keyed input keeps every row for duplicate detection");
    Checked { row, parsed, rejects: c.rejects, warnings: c.warnings, unused }
}

impl<P: RowParser> Sink for Validator<P> {
    fn row(&mut self, file: &str, row: u64, cells: &[Option<&str>], spreadsheet: bool) {
        let arc = self.file_arc(file);
        let checked = check_row(&self.parser, file, &arc, row, cells, spreadsheet);
        self.taken.take(&arc, checked);
    }

    /// Rows are checked in parallel (each check is a pure function of its cells), a slice
    /// at a time, each slice taking in its rows in order; the slices are then appended in
    /// order.
    fn rows(&mut self, file: &str, rows: &Batch, spreadsheet: bool) {
        use rayon::prelude::*;
        let arc = self.file_arc(file);
        let parser = &self.parser;
        let slices: Vec<Taken<P::Row>> = (0..rows.len())
            .into_par_iter()
            .with_min_len(1024)
            .fold(Taken::default, |taken, i| taken.check(parser, file, &arc, rows, i, spreadsheet))
            .collect();
        self.taken.append_all(slices);
    }

    /// Each block is made and checked on one core, in parallel; the blocks' rows are then
    /// appended in order.
    fn blocks<'a>(&mut self, file: &str, blocks: usize, fill: &(dyn Fn(usize) -> Batch<'a> + Sync), spreadsheet: bool) {
        use rayon::prelude::*;
        let arc = self.file_arc(file);
        let parser = &self.parser;
        let taken: Vec<Taken<P::Row>> = (0..blocks)
            .into_par_iter()
            .map(|b| {
                let rows = fill(b);
                (0..rows.len()).fold(Taken::default(), |taken, i| taken.check(parser, file, &arc, &rows, i, spreadsheet))
            })
            .collect();
        self.taken.append_all(taken);
    }

    fn broken(&mut self, file: &str, row: u64, column: &str, value: &str, reason: Reason) {
        self.taken.read += 1;
        self.taken.rejects.push(Reject::new(P::INPUT.name(), file, row, column, value, reason));
    }

    fn row_with_reject(&mut self, file: &str, row: u64, cells: &[Option<&str>], spreadsheet: bool, column: &str, value: &str, reason: Reason) {
        let arc = self.file_arc(file);
        let mut checked = check_row(&self.parser, file, &arc, row, cells, spreadsheet);
        // the untrusted cell came in as absent: its own fault is this reason, not a missing value
        checked.rejects.retain(|r| !(r.column == column && r.reason == Reason::MissingValue));
        checked.rejects.push(Reject::new(P::INPUT.name(), file, row, column, value, reason));
        checked.unused = false;
        self.taken.take(&arc, checked);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn the_duplicated_keys_are_those_more_than_one_row_holds(keys in proptest::collection::vec(proptest::option::of("[a-c]{0,2}"), 0..40)) {
            let pending: Vec<Pending<()>> = keys.iter().enumerate().map(|(i, k)| Pending { file: Arc::from("f.csv"), row: i as u64, key: k.as_deref().map(Text::new), value: None }).collect();
            let mut count = std::collections::BTreeMap::<&str, usize>::new();
            for k in keys.iter().flatten() {
                *count.entry(k.as_str()).or_default() += 1;
            }
            let want: std::collections::BTreeSet<String> = count.into_iter().filter(|(_, n)| *n > 1).map(|(k, _)| k.to_string()).collect();
            let got: std::collections::BTreeSet<String> = duplicated_keys(&pending).into_iter().map(|k| k.to_string()).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
