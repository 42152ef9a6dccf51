//! Loading: read and validate all six inputs, and report what each gave.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::config::Config;
use crate::ident::uscc_key;
use crate::ingest::{self, FileInfo, IngestError, InputSource};
use crate::model::{Firm, Inputs, UsccKey};
use crate::progress::Progress;
use crate::rejects::{Reason, Reject};
use crate::schema::Input;
use crate::validate::{
    ClaimParser, Counts, EnrollmentParser, ExportValidator, FirmParser, FxParser, ListingParser, ReviewParser, Validated, Validator,
};

/// What one input gave: its files, counts, rejects and warnings.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InputReport {
    pub input: Input,
    pub path: String,
    pub files: Vec<FileInfo>,
    pub counts: Counts,
    /// Files skipped, and other notes on the input as a whole.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub seconds: f64,
    /// CPU seconds of the process while reading it.
    pub cpu_seconds: f64,
}

impl InputReport {
    /// The most common reject reasons, most frequent first: (reason, rows).
    pub fn top_reasons(rejects: &[Reject], input: Input, n: usize) -> Vec<(Reason, usize)> {
        let mut by: BTreeMap<Reason, usize> = BTreeMap::new();
        for r in rejects.iter().filter(|r| r.input == input.name()) {
            *by.entry(r.reason).or_default() += 1;
        }
        let mut v: Vec<_> = by.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }
}

/// Every input validated.
#[derive(Debug, Default)]
pub struct Loaded {
    pub inputs: Inputs,
    pub reports: Vec<InputReport>,
    pub rejects: Vec<Reject>,
    pub warnings: Vec<Reject>,
}

/// Every input read and validated, before its rows join [`Loaded`].
struct Read {
    firms: (Validated<Vec<Firm>>, InputReport),
    exports: (Validated<crate::model::Exports>, InputReport),
    listings: (Validated<Vec<crate::model::Listing>>, InputReport),
    enrollments: (Validated<Vec<crate::model::Enrollment>>, InputReport),
    claims: (Validated<Vec<crate::model::Claim>>, InputReport),
    fx: (Validated<Vec<crate::model::FxRate>>, InputReport),
    reviews: Option<(Validated<Vec<crate::model::Review>>, InputReport)>,
}

/// Read and validate every input named by the config.
///
/// Two lanes read side by side: the firms and then the listings (which are screened
/// against the firms' keys as they are read), and beside them the exports. The small
/// inputs (enrollments, claims, fx_rates, reviews) are read in a third lane that starts
/// when the first of those two is done, beside the other: so the small inputs follow the
/// exports when the listings take longer (as at tier M), and the listings when the exports
/// do (as at tier L). Each lane stops at its first unreadable input; the exports' lane and
/// the small inputs' lane also skip any input after one another lane could not read (the
/// listings are read whenever the firms were). The error reported is that of the first
/// input in the usual order (firms, exports, blacklists, enrollments, claims, fx_rates,
/// reviews), the one a reading in that order would meet.
pub fn load(config: &Config, progress: &Progress) -> Result<Loaded, IngestError> {
    let src = |i: Input| &config.inputs[&i];
    use std::sync::atomic::{AtomicUsize, Ordering};
    // the first lane to fail says where; the others need not read inputs after that one
    let failed_at = AtomicUsize::new(usize::MAX);
    let failed = |input: Input, e: IngestError| {
        failed_at.fetch_min(input as usize, Ordering::SeqCst);
        (input, e)
    };
    let skip = |input: Input| failed_at.load(Ordering::SeqCst) < input as usize;
    // eligibility reads one year's exports: the year before the evaluation date's, unless
    // the policy says otherwise (a date no period covers keeps every year)
    let reference_year = config.policy.period_on(config.as_of).map(|p| p.reference_year_for(config.as_of));
    // the small inputs wait for the first large lane to be done (`Done`), and then read
    // beside the other: whichever large input takes longer, no lane waits for them at its end
    let (large_done, first_large_done) = std::sync::mpsc::channel::<()>();
    let (done_a, done_b) = (Done(large_done.clone()), Done(large_done));
    let (lane_a, lane_b, lane_c) = std::thread::scope(|scope| {
        let lane_b = scope.spawn(move || -> Result<Option<_>, (Input, IngestError)> {
            let _done = done_b;
            if skip(Input::Exports) {
                return Ok(None);
            }
            Ok(Some(read_exports(src(Input::Exports), reference_year, progress).map_err(|e| failed(Input::Exports, e))?))
        });
        let lane_c = scope.spawn(move || -> Result<Option<_>, (Input, IngestError)> {
            // a large lane that stopped on a failure is done too
            let _ = first_large_done.recv();
            if skip(Input::Enrollments) {
                return Ok(None);
            }
            let enrollments = read_validator::<EnrollmentParser>(Input::Enrollments, src(Input::Enrollments), progress).map_err(|e| failed(Input::Enrollments, e))?;
            if skip(Input::Claims) {
                return Ok(None);
            }
            let claims = read_validator::<ClaimParser>(Input::Claims, src(Input::Claims), progress).map_err(|e| failed(Input::Claims, e))?;
            if skip(Input::FxRates) {
                return Ok(None);
            }
            let fx = read_validator::<FxParser>(Input::FxRates, src(Input::FxRates), progress).map_err(|e| failed(Input::FxRates, e))?;
            if skip(Input::Reviews) {
                return Ok(None);
            }
            // the one optional input: without it, every possible match stays open
            let reviews = match config.inputs.get(&Input::Reviews) {
                Some(source) => Some(read_validator::<ReviewParser>(Input::Reviews, source, progress).map_err(|e| failed(Input::Reviews, e))?),
                None => None,
            };
            Ok(Some((enrollments, claims, fx, reviews)))
        });
        let lane_a = (move || -> Result<_, (Input, IngestError)> {
            let done = done_a;
            let (mut firms, report) = read_validator::<FirmParser>(Input::Firms, src(Input::Firms), progress).map_err(|e| failed(Input::Firms, e))?;
            // listings not in force on the evaluation date, or whose keys meet no firm's,
            // count as accepted but are not kept: the national list is the largest input by
            // far, and the screen could not use them
            let as_of = config.as_of;
            let keys = std::sync::Arc::new(crate::rules::blacklist::FirmKeys::new(&firms.rows));
            // the listings need only the firms' keys: the firms are put in USCC order on a
            // thread of their own meanwhile (its gather of the firms is serial), rather than
            // after the lanes
            let rows = std::mem::take(&mut firms.rows);
            let ordering = scope.spawn(move || in_uscc_order(rows));
            let listings = read_with::<ListingParser>(
                Input::Blacklists,
                src(Input::Blacklists),
                Validator::with(ListingParser::for_screen(as_of, keys)),
                progress,
            )
            .map_err(|e| failed(Input::Blacklists, e));
            // the listings' failure, if any, is recorded before the small inputs may start
            drop(done);
            firms.rows = joined(ordering);
            Ok(((firms, report), listings?))
        })();
        (lane_a, joined(lane_b), joined(lane_c))
    });
    let read = match (lane_a, lane_b, lane_c) {
        (Ok((firms, listings)), Ok(Some(exports)), Ok(Some((enrollments, claims, fx, reviews)))) => Read { firms, exports, listings, enrollments, claims, fx, reviews },
        (a, b, c) => {
            // a lane stops early only after another failed: the first input in the usual
            // order that could not be read is the error
            let failures = [a.err(), b.err(), c.err()].into_iter().flatten();
            let Some((_, e)) = failures.min_by_key(|(input, _)| *input as usize) else {
                unreachable!("a lane stopped with no failure before it")
            };
            return Err(e);
        }
    };
    Ok(Loaded::from_read(read))
}

/// Held by a large input's lane: when dropped (the lane done, or stopped by a failure) it
/// tells the small inputs' lane, which starts at the first such word.
struct Done(std::sync::mpsc::Sender<()>);

impl Drop for Done {
    fn drop(&mut self) {
        // the small inputs' lane may have started already, its receiver gone
        let _ = self.0.send(());
    }
}

/// What a thread gave; its panic, if it panicked.
fn joined<T>(thread: std::thread::ScopedJoinHandle<'_, T>) -> T {
    thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The exports, summed per firm as they are read: those of `year` only, when it is given.
fn read_exports(source: &InputSource, year: Option<i32>, progress: &Progress) -> Result<(Validated<crate::model::Exports>, InputReport), IngestError> {
    let validator = year.map_or_else(ExportValidator::default, ExportValidator::for_year);
    read_into(Input::Exports, source, validator, ExportValidator::finish, progress)
}

/// The firms in USCC order, the order of every per-firm output: the rules keep the firms'
/// order, so the large output tables then need no reordering. The keys are sorted and the
/// firms moved along the cycles of that order, in place (a firm is two hundred bytes: a
/// sort would move each many times, and a gathered copy held the register twice and paid
/// for fresh pages, a tenth of the reading's samples at tier L).
fn in_uscc_order(mut firms: Vec<Firm>) -> Vec<Firm> {
    let mut order: Vec<(UsccKey, u32)> =
        firms.par_iter().enumerate().map(|(i, f)| (uscc_key(&f.uscc).unwrap_or([u8::MAX; 18]), i as u32)).collect();
    order.par_sort_unstable();
    let from: Vec<u32> = order.into_iter().map(|(_, i)| i).collect();
    permute(&mut firms, &from);
    firms
}

/// Reorder `items` in place so that position `n` holds the item that was at `from[n]`
/// (`from` a permutation of the positions): each cycle of the permutation is followed once,
/// one swap a position.
fn permute<T>(items: &mut [T], from: &[u32]) {
    assert_eq!(items.len(), from.len(), "one source a position");
    let mut placed = vec![false; items.len()];
    for start in 0..items.len() {
        if placed[start] {
            continue;
        }
        // the item for `at` is brought from `from[at]`, whose own item is then next
        let mut at = start;
        loop {
            placed[at] = true;
            let source = from[at] as usize;
            if source == start {
                break;
            }
            items.swap(at, source);
            at = source;
        }
    }
}

impl Loaded {
    /// The inputs' rows, reports, rejects and warnings, in the usual order of the inputs.
    fn from_read(read: Read) -> Loaded {
        let Read { firms: (firms, r), exports, listings, enrollments, claims, fx, reviews } = read;
        let mut loaded = Loaded::default();
        loaded.absorb_report(r, firms.rejects, firms.warnings);
        // already in USCC order (`load`)
        loaded.inputs.firms = firms.rows;
        // the rows come in key order: their keys, once each, are the known but rejected firms
        loaded.inputs.rejected_firms = firms.rejected_rows.iter().map(|(k, _)| k.clone()).collect();
        loaded.inputs.rejected_firms.dedup();
        loaded.inputs.rejected_rows.extend(firms.rejected_rows.into_iter().map(|(k, o)| (Input::Firms, k, o)));
        let (exports, r) = exports;
        loaded.absorb_report(r, exports.rejects, exports.warnings);
        loaded.inputs.exports = exports.rows;
        let (listings, r) = listings;
        loaded.absorb_report(r, listings.rejects, listings.warnings);
        loaded.inputs.listings = listings.rows.into_iter().map(std::sync::Arc::new).collect();
        let (enrollments, r) = enrollments;
        loaded.absorb_report(r, enrollments.rejects, enrollments.warnings);
        loaded.inputs.enrollments = enrollments.rows;
        let (claims, r) = claims;
        loaded.absorb_report(r, claims.rejects, claims.warnings);
        loaded.inputs.rejected_rows.extend(claims.rejected_rows.into_iter().map(|(k, o)| (Input::Claims, k, o)));
        loaded.inputs.claims = claims.rows;
        let (fx, r) = fx;
        loaded.absorb_report(r, fx.rejects, fx.warnings);
        loaded.inputs.fx_rates = fx.rows;
        if let Some((reviews, r)) = reviews {
            loaded.absorb_report(r, reviews.rejects, reviews.warnings);
            loaded.inputs.reviews = reviews.rows;
        }
        loaded.rejects.par_sort();
        loaded.warnings.par_sort();
        loaded
    }

    fn absorb_report(&mut self, report: InputReport, mut rejects: Vec<Reject>, mut warnings: Vec<Reject>) {
        self.reports.push(report);
        self.rejects.append(&mut rejects);
        self.warnings.append(&mut warnings);
    }
}

fn read_validator<P: crate::validate::RowParser + Default>(
    input: Input,
    source: &InputSource,
    progress: &Progress,
) -> Result<(Validated<Vec<P::Row>>, InputReport), IngestError> {
    read_with(input, source, Validator::<P>::default(), progress)
}

fn read_with<P: crate::validate::RowParser>(
    input: Input,
    source: &InputSource,
    sink: Validator<P>,
    progress: &Progress,
) -> Result<(Validated<Vec<P::Row>>, InputReport), IngestError> {
    read_into(input, source, sink, Validator::finish, progress)
}

/// Read one input into `sink`, then `finish` it; the input's report, timed.
fn read_into<S: ingest::Sink, T>(
    input: Input,
    source: &InputSource,
    mut sink: S,
    finish: impl FnOnce(S) -> Validated<T>,
    progress: &Progress,
) -> Result<(Validated<T>, InputReport), IngestError> {
    let started = crate::stopwatch::Stopwatch::start();
    progress.stage(&format!("reading {}", input.name()));
    let (files, notes) = ingest::read_input(input, source, &mut sink)?;
    let v = finish(sink);
    let (seconds, cpu_seconds) = started.elapsed();
    let report = InputReport {
        input,
        path: source.path.display().to_string(),
        files,
        counts: v.counts,
        notes,
        seconds,
        cpu_seconds,
    };
    Ok((v, report))
}

#[cfg(test)]
mod tests {
    use super::permute;

    proptest::proptest! {
        /// Following the cycles in place gives what gathering a copy gives.
        #[test]
        fn permuting_in_place_is_gathering_a_copy(keys in proptest::collection::vec(0u8..8, 0..200)) {
            // the order that sorts `keys`, as the firms' order is found
            let mut from: Vec<u32> = (0..keys.len() as u32).collect();
            from.sort_by_key(|&i| keys[i as usize]);
            let items: Vec<String> = keys.iter().enumerate().map(|(i, k)| format!("{k}-{i}")).collect();
            let gathered: Vec<String> = from.iter().map(|&i| items[i as usize].clone()).collect();
            let mut permuted = items.clone();
            permute(&mut permuted, &from);
            proptest::prop_assert_eq!(permuted, gathered);
        }
    }
}
