//! The programme's rules, each a pure function from accepted input rows (and the policy)
//! to output rows. Nothing below `rules` reads or writes a file.

pub mod blacklist;
pub mod claims;
pub mod eligibility;
pub mod fx;
pub mod reconcile;
pub mod reviews;

use chrono::NaiveDate;

use crate::model::Inputs;
use crate::policy::{Period, Policy};

/// Everything a run computes from its inputs, before any of it is written.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub as_of: NaiveDate,
    pub period: Period,
    pub reference_year: i32,
    pub eligibility: Vec<eligibility::Eligibility>,
    pub hits: Vec<blacklist::Hit>,
    pub reconciliation: Vec<reconcile::Reconciliation>,
    pub claims: Vec<claims::ClaimResult>,
    /// Enrollments applied for after the evaluation date: out of this run.
    pub enrollments_out_of_run: u64,
    /// Claims notified after the evaluation date: out of this run.
    pub claims_out_of_run: u64,
    /// Every review decision and what became of it.
    pub reviews: Vec<reviews::Outcome>,
}

impl Evaluation {
    /// Review decisions dated after the evaluation date: out of this run.
    pub fn reviews_out_of_run(&self) -> u64 {
        self.reviews.iter().filter(|o| o.effect == reviews::Effect::OutOfRun).count() as u64
    }
}

/// Apply every rule for the evaluation date `as_of` under `period` (the policy period
/// that contains it). Pure: no I/O. It works on a copy of `inputs` (the tests' and the
/// tools' entry); a run hands its own to [`evaluate_observed`], which frees them as it goes.
pub fn evaluate(inputs: &Inputs, policy: &Policy, period: &Period, as_of: NaiveDate) -> Evaluation {
    evaluate_observed(&mut inputs.clone(), policy, period, as_of, &mut |_, _| {})
}

/// The rules, in the order [`evaluate`] reports them done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The blacklist screen, with the review decisions applied to its possible matches.
    Screen,
    Eligibility,
    Reconciliation,
    /// Claims are priced on a thread of their own beside the three rules above (they need
    /// none of their results): reported with that thread's wall time (and, as every
    /// stage, the process's CPU time meanwhile, which counts the other rules' too).
    Claims,
}

/// The rows of the run (in their order), and how many are dated after it.
fn in_run<T>(rows: Vec<T>, dated_in_run: impl Fn(&T) -> bool) -> (Vec<T>, u64) {
    let (kept, later): (Vec<T>, Vec<T>) = rows.into_iter().partition(dated_in_run);
    (kept, later.len() as u64)
}

/// [`evaluate`], telling `done` each rule as it finishes (for stage timings), with the
/// (wall, CPU) seconds it took when it ran beside the others (the claims), else `None`. It takes
/// out of `inputs` what no later rule needs, and frees it as soon as it can: the
/// listings after the screen (the hits share those they matched), the exports after
/// eligibility, and the enrollments and claims, which are split into those of the run and
/// those dated after it. The firms, rejected firms, rates and reviews stay.
pub fn evaluate_observed(inputs: &mut Inputs, policy: &Policy, period: &Period, as_of: NaiveDate, done: &mut dyn FnMut(Rule, Option<(f64, f64)>)) -> Evaluation {
    use std::mem::take;
    let reference_year = period.reference_year_for(as_of);
    let (enrollments, enrollments_out_of_run) = in_run(take(&mut inputs.enrollments), |e| e.applied_on <= as_of);
    let (claims_in, claims_out_of_run) = in_run(take(&mut inputs.claims), |c| c.notified_on <= as_of);
    // the claims need no other rule's result: they are priced on a thread of their own
    // beside the screen, eligibility and reconciliation, which share the cores
    let (hits, reviews, eligibility, reconciliation, claims) = std::thread::scope(|scope| {
        let fx_rates = &inputs.fx_rates;
        let (claims_in, enrollments) = (&claims_in, &enrollments);
        let pricing = scope.spawn(move || {
            let started = crate::stopwatch::Stopwatch::start();
            (claims::price(claims_in, enrollments, fx_rates, policy), started.elapsed())
        });
        let mut hits = blacklist::screen(&inputs.firms, &take(&mut inputs.listings), as_of);
        let reviews = reviews::apply(&mut hits, &inputs.reviews, as_of);
        done(Rule::Screen, None);
        let eligibility = eligibility::judge_all(&inputs.firms, &take(&mut inputs.exports), period, reference_year, &hits);
        done(Rule::Eligibility, None);
        let reconciliation = reconcile::reconcile(&inputs.firms, &inputs.rejected_firms, &eligibility, enrollments, period, as_of);
        done(Rule::Reconciliation, None);
        let (claims, took) = pricing.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        done(Rule::Claims, Some(took));
        (hits, reviews, eligibility, reconciliation, claims)
    });
    Evaluation {
        as_of,
        period: period.clone(),
        reference_year,
        enrollments_out_of_run,
        claims_out_of_run,
        eligibility,
        hits,
        reconciliation,
        claims,
        reviews,
    }
}
