//! The checks of one row (RowCheck and its parsers of values), what a row parser gives,
//! and the counts and result of one validated input.

use std::sync::Arc;

use crate::ident::Uscc;
use crate::model::*;
use crate::rejects::{Reason, Reject};
use crate::schema::{Input, col};
use crate::values::{self, trim};

/// Rows read, accepted and rejected for one input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
}

/// One input after validation.
#[derive(Debug, Default)]
pub struct Validated<T> {
    pub rows: T,
    pub rejects: Vec<Reject>,
    pub warnings: Vec<Reject>,
    pub counts: Counts,
    /// Where each rejected row whose key parsed stands: (key, where), in key order (firms:
    /// the USCCs the register knows but whose rows could not be used).
    pub rejected_rows: Vec<(Text, Origin)>,
}

/// The checks of one row: collects its rejects and warnings.
pub struct RowCheck<'a> {
    pub(super) input: Input,
    pub(super) file: &'a str,
    pub(super) row: u64,
    pub(super) cells: &'a [Option<&'a str>],
    pub(super) spreadsheet: bool,
    pub(super) rejects: Vec<Reject>,
    pub(super) warnings: Vec<Reject>,
    /// Set by a parser on a valid row that no rule of this run can use (a listing out of
    /// force on the evaluation date, or meeting no firm's keys): counted as accepted, not
    /// built, not kept.
    pub(super) unused: bool,
    /// The column looked at first for the next cell (the one after the last read): the
    /// parsers read a row's columns mostly in the schema's order, so that it is nearly
    /// always the one asked for.
    next_column: std::cell::Cell<usize>,
}

/// The position of a column in its input's schema. Called for every cell: `hint` (the
/// column after the last one read) is looked at first, then the input's few columns in
/// turn, the same static name found by its address before any text is compared.
fn index(input: Input, name: &str, hint: usize) -> usize {
    let columns = input.columns();
    if columns.get(hint).is_some_and(|c| std::ptr::eq(c.name, name)) {
        return hint;
    }
    let found = columns.iter().position(|c| std::ptr::eq(c.name, name)).or_else(|| columns.iter().position(|c| c.name == name));
    match found {
        Some(i) => i,
        None => panic!("schema: input `{}` has no column `{name}`", input.name()),
    }
}

impl<'a> RowCheck<'a> {
    /// The checks of row `row` of `file`, an input's row whose cells are `cells`, with
    /// nothing found yet.
    pub(super) fn new(input: Input, file: &'a str, row: u64, cells: &'a [Option<&'a str>], spreadsheet: bool) -> RowCheck<'a> {
        RowCheck { input, file, row, cells, spreadsheet, rejects: Vec::new(), warnings: Vec::new(), unused: false, next_column: std::cell::Cell::new(0) }
    }

    fn raw(&self, name: &str) -> Option<&'a str> {
        let at = index(self.input, name, self.next_column.get());
        self.next_column.set(at + 1);
        self.cells[at].map(trim).filter(|s| !s.is_empty())
    }

    /// A required value: `None` (and a `missing_value` reject) when empty.
    pub(super) fn required(&mut self, name: &str) -> Option<&'a str> {
        let v = self.raw(name);
        if v.is_none() {
            self.reject(name, "", Reason::MissingValue);
        }
        v
    }

    pub(super) fn optional(&self, name: &str) -> Option<&'a str> {
        self.raw(name)
    }

    fn reject(&mut self, name: &str, value: &str, reason: Reason) {
        self.rejects.push(Reject::new(self.input.name(), self.file, self.row, name, value, reason));
    }

    pub(super) fn warn(&mut self, name: &str, value: &str, reason: Reason) {
        self.warnings.push(Reject::new(self.input.name(), self.file, self.row, name, value, reason));
    }

    /// Parse a required value; a failure is a reject with the parser's reason.
    pub(super) fn parse<T>(&mut self, name: &str, f: impl FnOnce(&str) -> Result<T, Reason>) -> Option<T> {
        let v = self.required(name)?;
        match f(v) {
            Ok(t) => Some(t),
            Err(r) => {
                self.reject(name, v, r);
                None
            }
        }
    }

    /// Parse an optional value; a failure is a warning and the value is treated as absent.
    pub(super) fn parse_optional<T>(&mut self, name: &str, f: impl FnOnce(&str) -> Result<T, Reason>) -> Option<T> {
        let v = self.optional(name)?;
        match f(v) {
            Ok(t) => Some(t),
            Err(r) => {
                self.warn(name, v, r);
                None
            }
        }
    }

    pub(super) fn date(&mut self, name: &str) -> Option<chrono::NaiveDate> {
        let excel = self.spreadsheet;
        self.parse(name, |v| values::parse_date(v, excel))
    }

    pub(super) fn uscc(&mut self) -> Option<Uscc> {
        self.parse(col::USCC, |v| Uscc::parse(v).ok_or(Reason::MalformedUscc))
    }

    pub(super) fn amount(&mut self, name: &str) -> Option<i64> {
        self.parse(name, values::parse_amount_cents)
    }

    /// A value of a closed list: compared after trimming and case-folding.
    pub(super) fn closed<T: Copy>(&mut self, name: &str, table: &[(&[&str], T)]) -> Option<T> {
        // `parse` gives the value trimmed already
        self.parse(name, |v| {
            let found = |matches: &dyn Fn(&str) -> bool| table.iter().find(|(words, _)| words.iter().any(|w| matches(w))).map(|(_, t)| *t);
            // the words as given first (as a feed nearly always spells them), then in any
            // ASCII case; only a value that is none of them is case-folded (Chinese words
            // have no case: folding them on every row was a tenth of a read). No two words of
            // a list differ only in case, so the order of the looks changes no answer. A word
            // of another last byte is passed over before its bytes are compared (words of
            // one length are common: `个人` and `单位`, `person` and `个人`)
            let last = v.as_bytes().last();
            found(&|w| w.len() == v.len() && w.as_bytes().last() == last && w == v)
                .or_else(|| found(&|w| w.eq_ignore_ascii_case(v)))
                .or_else(|| {
                    let folded = (!v.is_ascii()).then(|| v.to_lowercase())?;
                    found(&|w| w == folded)
                })
                .ok_or(Reason::UnknownValue)
        })
    }

    pub(super) fn origin(&self, file: &Arc<str>) -> Origin {
        Origin { file: file.clone(), row: self.row }
    }
}

/// What an input's row parser gives: the row's key (when it parses) and the row.
pub struct Parsed<T> {
    pub key: Option<Text>,
    pub row: Option<T>,
}

/// An input whose rows are parsed one by one and kept, with an optional unique key.
pub trait RowParser: Sync {
    type Row: Send;
    const INPUT: Input;
    /// The column under which a duplicate key is reported.
    const KEY_COLUMN: Option<&'static str>;
    fn parse(&self, c: &mut RowCheck, file: &Arc<str>) -> Parsed<Self::Row>;

    /// The row of `cells` is parsed soon (a few rows on): a parser may start loading from
    /// memory what its parse of the row will read. A hint, which never changes a result.
    fn look_ahead(&self, _cells: &[Option<&str>]) {}
}

#[cfg(test)]
mod column_lookup {
    use crate::schema::{Input, col};

    /// `index` finds a column by the address of its name, the same static in the schema
    /// and in the parsers; a lookup that had to compare texts would cost every cell a `memcmp`.
    #[test]
    fn the_parsers_names_are_the_schemas_own() {
        for (input, name) in [(Input::Blacklists, col::NAME), (Input::Blacklists, col::LISTED_ON), (Input::Exports, col::USCC), (Input::Firms, col::USCC), (Input::Claims, col::CLAIM_ID)] {
            assert!(input.columns().iter().any(|c| std::ptr::eq(c.name, name)), "{}: {name}", input.name());
        }
    }
}
