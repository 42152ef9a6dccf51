//! Review decisions on possible matches (docs/rules.md, "Review decisions"): for each
//! (firm, case number) the latest decision dated on or before the evaluation date applies
//! to every possible match of that firm whose listing has that case number. `cleared`
//! leaves eligibility as it was; `confirmed` makes the match count as a hit of its
//! listing's subject.

use chrono::NaiveDate;
use foldhash::HashMap;

use crate::ident;
use crate::model::{Review, ReviewDecision, Text};
use crate::rules::blacklist::Hit;

/// The decision that applies to a possible match, as the hits table shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub decision: ReviewDecision,
    pub decided_on: NaiveDate,
    pub reviewer: Text,
}

/// What became of one decision row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// The latest decision on or before the evaluation date for its (firm, case), and a
    /// possible match of this run carries that key.
    Applied,
    /// A later decision on or before the evaluation date replaced it.
    Superseded,
    /// Dated after the evaluation date: out of this run.
    OutOfRun,
    /// The latest for its key, but no possible match of this run carries the key (the
    /// listing was removed, or the match became a hit).
    Stale,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Applied => "applied",
            Effect::Superseded => "superseded",
            Effect::OutOfRun => "out_of_run",
            Effect::Stale => "stale",
        }
    }
}

/// One decision row and its effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub review: Review,
    pub effect: Effect,
    /// Possible matches it decided (0 unless applied).
    pub matches: u32,
}

/// The key a possible match is decided by: (firm, case number as compared).
fn hit_key(h: &Hit) -> Option<(Text, Text)> {
    let case_no = &h.listing.case_no;
    (!h.kind.is_hit() && !case_no.trim().is_empty()).then(|| (h.uscc.clone(), ident::name_key(case_no)))
}

/// Apply the decisions to the hits (marking the possible matches they decide) and say what
/// became of each decision, in the order of the reviews given.
pub fn apply(hits: &mut [Hit], reviews: &[Review], as_of: NaiveDate) -> Vec<Outcome> {
    // the latest decision in the run for each (firm, case); on one date the key is unique
    let mut latest: HashMap<(Text, Text), usize> = HashMap::default();
    for (i, r) in reviews.iter().enumerate().filter(|(_, r)| r.decided_on <= as_of) {
        let key = (r.uscc.clone(), r.case_key.clone());
        let newer = latest.get(&key).is_none_or(|&j| (r.decided_on, &r.origin.file, r.origin.row) > (reviews[j].decided_on, &reviews[j].origin.file, reviews[j].origin.row));
        if newer {
            latest.insert(key, i);
        }
    }
    // only the possible matches of a firm with a decision can meet one: the others' case
    // numbers are never normalised (at national scale eleven million possible matches,
    // most of firms no reviewer has looked at); the hits are looked at in parallel
    let reviewed: foldhash::HashSet<&str> = latest.keys().map(|(uscc, _)| uscc.as_str()).collect();
    let decided: Vec<(usize, usize)> = if reviewed.is_empty() {
        Vec::new()
    } else {
        use rayon::prelude::*;
        hits.par_iter()
            .enumerate()
            .filter(|(_, h)| reviewed.contains(h.uscc.as_str()))
            .filter_map(|(k, h)| Some((k, *latest.get(&hit_key(h)?)?)))
            .collect()
    };
    let mut matches = vec![0u32; reviews.len()];
    for (k, i) in decided {
        let r = &reviews[i];
        hits[k].review = Some(Box::new(Applied { decision: r.decision, decided_on: r.decided_on, reviewer: r.reviewer.clone() }));
        matches[i] += 1;
    }
    reviews
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let effect = if r.decided_on > as_of {
                Effect::OutOfRun
            } else if latest.get(&(r.uscc.clone(), r.case_key.clone())) != Some(&i) {
                Effect::Superseded
            } else if matches[i] > 0 {
                Effect::Applied
            } else {
                Effect::Stale
            };
            Outcome { review: r.clone(), effect, matches: matches[i] }
        })
        .collect()
}
