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

/// The keys a run's screen can meet, as the blacklists' parser asks them (see
/// `rules::blacklist::FirmKeys`).
pub trait ScreenKeys: Send + Sync {
    /// Whether a listing could meet some firm, from its subject type, name key and id (a
    /// necessary condition of every hit and possible match). An org listing with an id is
    /// matched by its id alone: it is asked with an empty name key.
    fn may_match_parts(&self, subject_type: SubjectType, name_key: &str, id: Option<&DocId>) -> bool;

    /// A listing whose cells read `subject_type`, `name` and `id` (trimmed, not yet
    /// normalised; `id` empty when absent) is asked about soon: start loading what
    /// [`ScreenKeys::may_match_parts`] will read. A hint, which never changes an answer.
    fn expect_parts(&self, _subject_type: SubjectType, _name: &str, _id: &str) {}

    /// Whether [`ScreenKeys::expect_parts`] is worth its cost: the keys lie beyond the
    /// processor's caches, where a test waits on memory.
    fn worth_expecting(&self) -> bool {
        false
    }
}

/// The blacklists' row parser. By default it builds every valid listing; a run builds only
/// those its screen can use, and counts the others as accepted.
#[derive(Default)]
pub struct ListingParser {
    /// Listings not in force on this date are checked in every column, then not built.
    in_force_on: Option<chrono::NaiveDate>,
    /// Listings whose keys meet no firm's are checked, then not built.
    keys: Option<Arc<dyn ScreenKeys>>,
    /// Where the subject type, name and id lie in a row's cells, when the keys are to be
    /// told of the rows ahead ([`ScreenKeys::worth_expecting`]).
    expect: Option<[usize; 3]>,
}

impl ListingParser {
    /// Build only listings in force on `as_of`.
    pub fn in_force_on(as_of: chrono::NaiveDate) -> ListingParser {
        ListingParser { in_force_on: Some(as_of), keys: None, expect: None }
    }

    /// Build only listings in force on `as_of` that may match a firm: the national list is
    /// the largest input by far, and the screen could not use the others. The test comes
    /// before the listing is built, so that a listing not kept costs no allocation but its
    /// name's key.
    pub fn for_screen(as_of: chrono::NaiveDate, keys: Arc<dyn ScreenKeys>) -> ListingParser {
        let at = |name: &str| Self::INPUT.columns().iter().position(|c| c.name == name);
        let expect = match (keys.worth_expecting(), at(col::SUBJECT_TYPE), at(col::NAME), at(col::ID_NUMBER)) {
            (true, Some(subject_type), Some(name), Some(id)) => Some([subject_type, name, id]),
            _ => None,
        };
        ListingParser { in_force_on: Some(as_of), keys: Some(keys), expect }
    }
}

impl RowParser for ListingParser {
    type Row = Listing;
    const INPUT: Input = Input::Blacklists;
    const KEY_COLUMN: Option<&'static str> = None;

    fn parse(&self, c: &mut RowCheck, file: &Arc<str>) -> Parsed<Listing> {
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
        let none = Parsed { key: None, row: None };
        let (Some(list_type), Some(subject_type), Some(name), Some(listed_on)) = (list_type, subject_type, name, listed_on) else {
            return none;
        };
        // valid, but out of force on the evaluation date: counted, never built
        if self.in_force_on.is_some_and(|d| !crate::model::in_force(listed_on, removed_on, d)) {
            c.unused = true;
            return none;
        }
        let id = match subject_type {
            SubjectType::Org => DocId::classify_org(id_raw),
            SubjectType::Person => DocId::classify_person(id_raw),
        };
        // an org listing with an id is matched by the id alone: its name's key (a long name,
        // on a third of the national list) is made only if the listing is kept
        let by_id_alone = subject_type == SubjectType::Org && id.is_some();
        let key = (!by_id_alone).then(|| ident::name_key(name));
        if self.keys.as_ref().is_some_and(|keys| !keys.may_match_parts(subject_type, key.as_deref().unwrap_or(""), id.as_ref())) {
            c.unused = true;
            return none;
        }
        let name_key = key.unwrap_or_else(|| ident::name_key(name));
        let row = Listing {
            list_type,
            subject_type,
            name: Text::new(name),
            name_key,
            id,
            id_raw: Text::new(id_raw),
            listed_on,
            removed_on,
            case_no: Text::new(case_no),
            origin: c.origin(file),
        };
        Parsed { key: None, row: Some(row) }
    }

    /// The screen's keys are told of the listing's subject type, name and id as written
    /// (a subject type spelled otherwise than the list's words is not told: a hint only).
    fn look_ahead(&self, cells: &[Option<&str>]) {
        let (Some(keys), Some([subject_type, name, id])) = (&self.keys, self.expect) else { return };
        let cell = |at: usize| cells.get(at).copied().flatten().map(values::trim).filter(|v| !v.is_empty());
        let subject_type = cell(subject_type).and_then(|v| SUBJECT_TYPES.iter().find(|(words, _)| words.contains(&v)).map(|(_, t)| *t));
        let (name, id) = (cell(name), cell(id).unwrap_or(""));
        if let (Some(subject_type), Some(name)) = (subject_type, name) {
            keys.expect_parts(subject_type, name, id);
        }
    }
}
