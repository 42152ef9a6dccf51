//! The blacklists' contract: list types, subject types and listings.

use std::sync::Arc;

use super::{Parsed, RowCheck, RowParser};
use crate::ident::{self, DocId};
use crate::model::*;
use crate::schema::{Input, col};
use crate::values;

const LIST_TYPES: &[(&[&str], ListType)] = &[
    (&["dishonest_debtor", "失信被执行人"], ListType::DishonestDebtor),
    (&["serious_dishonesty", "严重失信主体", "严重失信主体名单"], ListType::SeriousDishonesty),
    (&["gang_related", "涉黑涉恶"], ListType::GangRelated),
];
const SUBJECT_TYPES: &[(&[&str], SubjectType)] =
    &[(&["org", "单位", "organisation", "organization"], SubjectType::Org), (&["person", "个人", "自然人"], SubjectType::Person)];

pub struct ListingParser;

impl RowParser for ListingParser {
    type Row = Listing;
    const INPUT: Input = Input::Blacklists;
    const KEY_COLUMN: Option<&'static str> = None;

    fn parse(c: &mut RowCheck, file: &Arc<str>) -> Parsed<Listing> {
        let list_type = c.closed(col::LIST_TYPE, LIST_TYPES);
        let subject_type = c.closed(col::SUBJECT_TYPE, SUBJECT_TYPES);
        let name = c.required(col::NAME);
        let listed_on = c.date(col::LISTED_ON);
        let excel = c.spreadsheet;
        let removed_on = c.optional(col::REMOVED_ON).and_then(|v| match values::parse_date(v, excel) {
            Ok(d) => Some(d),
            Err(r) => {
                // a listing whose removal date cannot be read is not taken as removed:
                // the bureau would rather review a possible hit than miss one
                c.warn(col::REMOVED_ON, v, r);
                None
            }
        });
        let id_raw = c.optional(col::ID_NUMBER).unwrap_or("");
        let case_no = c.optional(col::CASE_NO).unwrap_or("");
        let row = match (list_type, subject_type, name, listed_on) {
            // valid, but out of force on the evaluation date: counted, never built
            (Some(_), Some(_), Some(_), Some(l)) if c.out_of_force(l, removed_on) => None,
            (Some(lt), Some(st), Some(n), Some(l)) => Some(Listing {
                list_type: lt,
                subject_type: st,
                name: Text::new(n),
                name_key: Text::new(ident::normalise_name(n)),
                id: match st {
                    SubjectType::Org => DocId::classify_org(id_raw),
                    SubjectType::Person => DocId::classify_person(id_raw),
                },
                id_raw: Text::new(id_raw),
                listed_on: l,
                removed_on,
                case_no: Text::new(case_no),
                origin: c.origin(file),
            }),
            _ => None,
        };
        Parsed { key: None, row }
    }
}
