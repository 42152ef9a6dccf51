//! The enrollments' contract, with their statuses.

use std::sync::Arc;

use super::{Parsed, RowCheck, RowParser};
use crate::ident;
use crate::model::*;
use crate::rejects::Reason;
use crate::schema::{Input, col};
use crate::values;

const ENROLLMENT_STATUSES: &[(&[&str], EnrollmentStatus)] = &[
    (&["submitted", "已提交", "提交"], EnrollmentStatus::Submitted),
    (&["accepted", "承保"], EnrollmentStatus::Accepted),
    (&["acknowledged", "收悉"], EnrollmentStatus::Acknowledged),
    (&["rejected", "拒绝", "已拒绝"], EnrollmentStatus::Rejected),
    (&["cancelled", "canceled", "取消", "已取消"], EnrollmentStatus::Cancelled),
];

#[derive(Default)]
pub struct EnrollmentParser;

impl RowParser for EnrollmentParser {
    type Row = Enrollment;
    const INPUT: Input = Input::Enrollments;
    const KEY_COLUMN: Option<&'static str> = Some(col::APPLICATION_ID);

    fn parse(&self, c: &mut RowCheck, file: &Arc<str>) -> Parsed<Enrollment> {
        let application_id = c.required(col::APPLICATION_ID).map(|v| Text::new(ident::normalise_code(v)));
        let uscc = c.uscc();
        let policy_no = c.required(col::POLICY_NO).map(|v| Text::new(ident::normalise_code(v)));
        let policy_year = c.parse(col::POLICY_YEAR, |v| {
            values::parse_count(v).ok().filter(|y| (1900..=9999).contains(y)).map(|y| y as i32).ok_or(Reason::InvalidInteger)
        });
        let applied_on = c.date(col::APPLIED_ON);
        let effective_on = c.date(col::EFFECTIVE_ON);
        let status = c.closed(col::STATUS, ENROLLMENT_STATUSES);
        let premium = c.parse_optional(col::PREMIUM_CNY, values::parse_amount_cents);
        let key = application_id.clone();
        let row = match (application_id, uscc, policy_no, policy_year, applied_on, effective_on, status) {
            (Some(a), Some(u), Some(p), Some(y), Some(ap), Some(ef), Some(s)) => Some(Enrollment {
                application_id: a,
                uscc: Text::new(u.as_str()),
                policy_no: p,
                policy_year: y,
                applied_on: ap,
                effective_on: ef,
                status: s,
                premium_cny_cents: premium,
                origin: c.origin(file),
            }),
            _ => None,
        };
        Parsed { key, row }
    }
}
