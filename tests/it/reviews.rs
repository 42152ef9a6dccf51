//! Review decisions on possible matches, case by case with hand-worked answers: which
//! decision applies, what it does to eligibility and to the queue, and what becomes of
//! every decision row.

use std::sync::Arc;

use tongbao::model::*;
use tongbao::rules::{self, Evaluation};

use crate::support::*;

const AS_OF: &str = "2022-05-07";
const CASE: &str = "(2022)闽0203执1号";

fn evaluate(inputs: &Inputs) -> Evaluation {
    let policy = policy();
    let period = policy.period_on(d(AS_OF)).expect("period").clone();
    rules::evaluate(inputs, &policy, &period, d(AS_OF))
}

fn review(uscc: &str, case_no: &str, decision: ReviewDecision, decided_on: &str, row: u64) -> Review {
    Review {
        uscc: uscc.into(),
        case_no: case_no.into(),
        // written here by hand as the rules compare case numbers: NFKC, no white space
        case_key: case_no.replace('（', "(").replace('）', ")").replace(' ', "").into(),
        decision,
        decided_on: d(decided_on),
        reviewer: "王审核".into(),
        note: String::new(),
        origin: Origin { file: Arc::from("reviews.csv"), row },
    }
}

/// A firm otherwise eligible whose legal representative 张三 has a person listing with
/// the right name and no id: a possible match, for review.
fn inputs(reviews: Vec<Review>) -> (String, Inputs) {
    let u = uscc("91", "350203", "AAAAAAA1");
    let l = listing(ListType::DishonestDebtor, SubjectType::Person, "张三", "", "2022-01-10", None);
    assert_eq!(l.case_no.as_str(), CASE);
    let inputs = Inputs { firms: vec![firm(&u)], exports: exports(&[(&u, 2021, 100_000, 0)]), listings: vec![l.into()], reviews, ..Inputs::default() };
    (u, inputs)
}

fn effects(e: &Evaluation) -> Vec<(u64, &'static str)> {
    e.reviews.iter().map(|o| (o.review.origin.row, o.effect.as_str())).collect()
}

#[test]
fn without_a_decision_a_possible_match_is_open_and_decides_nothing() {
    let (_, i) = inputs(vec![]);
    let e = evaluate(&i);
    assert!(e.eligibility[0].is_eligible);
    assert_eq!((e.eligibility[0].hits, e.eligibility[0].possible_matches), (0, 1));
    assert!(e.hits[0].is_open());
}

#[test]
fn cleared_leaves_the_firm_eligible_and_the_queue() {
    let (_, i) = inputs(vec![review(&u_of(), CASE, ReviewDecision::Cleared, "2022-04-20", 2)]);
    let e = evaluate(&i);
    assert!(e.eligibility[0].is_eligible, "{:?}", e.eligibility[0]);
    assert_eq!((e.eligibility[0].hits, e.eligibility[0].possible_matches), (0, 1));
    assert!(!e.hits[0].is_open() && !e.hits[0].counts_as_hit());
    assert_eq!(e.hits[0].review.as_ref().map(|r| (r.decision, r.decided_on)), Some((ReviewDecision::Cleared, d("2022-04-20"))));
    assert_eq!(effects(&e), [(2, "applied")]);
    assert_eq!(e.reviews_out_of_run(), 0);
}

fn u_of() -> String {
    uscc("91", "350203", "AAAAAAA1")
}

#[test]
fn confirmed_counts_as_a_hit_of_the_legal_representative() {
    let (_, i) = inputs(vec![review(&u_of(), CASE, ReviewDecision::Confirmed, "2022-04-20", 2)]);
    let e = evaluate(&i);
    assert!(!e.eligibility[0].is_eligible);
    assert_eq!(e.eligibility[0].reasons_text(), "legal_rep_blacklisted");
    assert_eq!((e.eligibility[0].hits, e.eligibility[0].possible_matches), (1, 0));
    assert!(e.hits[0].counts_as_hit() && !e.hits[0].is_open());
}

#[test]
fn the_latest_decision_on_or_before_the_date_applies_so_a_reviewer_can_change_their_mind() {
    let u = u_of();
    // confirmed in March, cleared in April: cleared applies; a June decision is not yet
    let (_, i) = inputs(vec![
        review(&u, CASE, ReviewDecision::Confirmed, "2022-03-01", 2),
        review(&u, CASE, ReviewDecision::Cleared, "2022-04-01", 3),
        review(&u, CASE, ReviewDecision::Confirmed, "2022-06-01", 4),
    ]);
    let e = evaluate(&i);
    assert!(e.eligibility[0].is_eligible);
    assert_eq!(effects(&e), [(2, "superseded"), (3, "applied"), (4, "out_of_run")]);
    assert_eq!(e.reviews_out_of_run(), 1);
    // the decision dated on the evaluation date itself is in the run
    let (_, i) = inputs(vec![review(&u, CASE, ReviewDecision::Confirmed, AS_OF, 2), review(&u, CASE, ReviewDecision::Cleared, "2022-05-08", 3)]);
    let e = evaluate(&i);
    assert!(!e.eligibility[0].is_eligible);
    assert_eq!(effects(&e), [(2, "applied"), (3, "out_of_run")]);
}

#[test]
fn a_decision_dated_after_the_evaluation_date_leaves_the_match_open() {
    let (_, i) = inputs(vec![review(&u_of(), CASE, ReviewDecision::Confirmed, "2022-05-08", 2)]);
    let e = evaluate(&i);
    assert!(e.eligibility[0].is_eligible);
    assert!(e.hits[0].is_open());
    assert_eq!(effects(&e), [(2, "out_of_run")]);
}

#[test]
fn case_numbers_compare_as_names_do() {
    let (_, i) = inputs(vec![review(&u_of(), "（2022）闽0203执1号", ReviewDecision::Confirmed, "2022-04-20", 2)]);
    let e = evaluate(&i);
    assert_eq!(effects(&e), [(2, "applied")]);
    assert!(!e.eligibility[0].is_eligible);
}

#[test]
fn a_decision_no_possible_match_carries_is_stale_and_decides_nothing() {
    let u = u_of();
    let other = uscc("91", "350203", "BBBBBBB1");
    let (_, i) = inputs(vec![
        review(&u, "(2020)闽0203执9号", ReviewDecision::Confirmed, "2022-04-20", 2),
        review(&other, CASE, ReviewDecision::Confirmed, "2022-04-20", 3),
    ]);
    let e = evaluate(&i);
    assert_eq!(effects(&e), [(2, "stale"), (3, "stale")]);
    assert!(e.eligibility[0].is_eligible);
    assert!(e.hits[0].is_open());
}

#[test]
fn a_decision_names_every_possible_match_of_its_case_and_a_listing_without_a_case_cannot_be_decided() {
    let u = u_of();
    let (_, mut i) = inputs(vec![review(&u, CASE, ReviewDecision::Cleared, "2022-04-20", 2)]);
    // a second listing of the same case, and one without a case number
    let mut same_case = listing(ListType::GangRelated, SubjectType::Person, "张三", "", "2022-02-01", None);
    same_case.origin.row = 3;
    let mut no_case = listing(ListType::SeriousDishonesty, SubjectType::Person, "张三", "", "2022-03-01", None);
    no_case.case_no = "".into();
    no_case.origin.row = 4;
    i.listings.push(same_case.into());
    i.listings.push(no_case.into());
    let e = evaluate(&i);
    assert_eq!(e.reviews[0].matches, 2);
    let open: Vec<u64> = e.hits.iter().filter(|h| h.is_open()).map(|h| h.listing.origin.row).collect();
    assert_eq!(open, [4]);
    assert!(e.eligibility[0].is_eligible);
}

#[test]
fn a_decision_on_a_listing_that_is_a_hit_changes_nothing() {
    // the listing carries 张三's full ID: a hit, never a possible match; the decision is stale
    let u = u_of();
    let (_, mut i) = inputs(vec![review(&u, CASE, ReviewDecision::Cleared, "2022-04-20", 2)]);
    i.listings[0] = listing(ListType::DishonestDebtor, SubjectType::Person, "张三", "11010519491231002X", "2022-01-10", None).into();
    let e = evaluate(&i);
    assert!(!e.eligibility[0].is_eligible);
    assert_eq!(effects(&e), [(2, "stale")]);
}

#[test]
fn explain_cites_the_decision_that_applies() {
    let out = explain_sample().args(["--lang", "en", "--as-of", AS_OF, "firm", "91350205MA31CR8Y18"]).assert().success();
    assert!(out.stdout.contains("possible match, confirmed by review: counts as a hit"), "{}", out.stdout);
    assert!(out.stdout.contains("review decision: confirmed on 2022-04-28 (李复核)"), "{}", out.stdout);
    assert!(out.stdout.contains("conclusion: not eligible (legal_rep_blacklisted)."), "{}", out.stdout);
    let out = explain_sample().args(["--as-of", AS_OF, "firm", "91350206MA34R0A158"]).assert().success();
    assert!(out.stdout.contains("复核决定：排除 2022-04-20 (王审核)"), "{}", out.stdout);
}

#[test]
fn a_possible_match_open_in_the_last_run_is_not_new_tonight() {
    let tmp = tempfile::tempdir().unwrap();
    for date in ["2022-05-06", "2022-05-07"] {
        tongbao().args(["-q", "run", "--as-of", date, "--out"]).arg(tmp.path()).assert().success();
    }
    let q = read_parquet(&tmp.path().join("as_of=2022-05-07/review_queue.parquet"));
    let new = crate::end_to_end::texts(&q, "is_new");
    assert_eq!(new, ["false"], "F26's possible match was open on 2022-05-06 too");
    let q = read_parquet(&tmp.path().join("as_of=2022-05-06/review_queue.parquet"));
    assert!(crate::end_to_end::texts(&q, "is_new").iter().all(|v| v == "true"), "no earlier run: everything is new");
}
