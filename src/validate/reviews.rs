//! The reviews' contract, with their decisions.

use std::sync::Arc;

use super::{Parsed, RowCheck, RowParser};
use crate::ident;
use crate::model::*;
use crate::schema::{Input, col};

const REVIEW_DECISIONS: &[(&[&str], ReviewDecision)] =
    &[(&["cleared", "排除"], ReviewDecision::Cleared), (&["confirmed", "确认"], ReviewDecision::Confirmed)];

#[derive(Default)]
pub struct ReviewParser;

impl RowParser for ReviewParser {
    type Row = Review;
    const INPUT: Input = Input::Reviews;
    /// The key is (uscc, case number as compared, decided_on): reported under `case_no`.
    const KEY_COLUMN: Option<&'static str> = Some(col::CASE_NO);

    fn parse(&self, c: &mut RowCheck, file: &Arc<str>) -> Parsed<Review> {
        let uscc = c.uscc();
        let case_no = c.required(col::CASE_NO);
        let decision = c.closed(col::DECISION, REVIEW_DECISIONS);
        let decided_on = c.date(col::DECIDED_ON);
        let reviewer = c.optional(col::REVIEWER).unwrap_or("");
        let note = c.optional(col::NOTE).unwrap_or("").to_string();
        let case_key = case_no.map(ident::name_key);
        let key = match (&uscc, &case_key, decided_on) {
            (Some(u), Some(k), Some(d)) => Some(Text::from(format!("{} {k} {d}", u.as_str()))),
            _ => None,
        };
        let row = match (uscc, case_no, case_key, decision, decided_on) {
            (Some(u), Some(n), Some(k), Some(dec), Some(d)) => Some(Review {
                uscc: Text::new(u.as_str()),
                case_no: Text::new(n),
                case_key: k,
                decision: dec,
                decided_on: d,
                reviewer: Text::new(reviewer),
                note,
                origin: c.origin(file),
            }),
            _ => None,
        };
        Parsed { key, row }
    }
}
