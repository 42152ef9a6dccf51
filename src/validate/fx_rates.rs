//! The exchange rates' contract.

use std::sync::Arc;

use super::{Parsed, RowCheck, RowParser};
use crate::model::*;
use crate::rejects::Reason;
use crate::schema::{Input, col};
use crate::values;

#[derive(Default)]
pub struct FxParser;

impl RowParser for FxParser {
    type Row = FxRate;
    const INPUT: Input = Input::FxRates;
    const KEY_COLUMN: Option<&'static str> = Some("currency,rate_date");

    fn parse(&self, c: &mut RowCheck, _file: &Arc<str>) -> Parsed<FxRate> {
        let currency = c.parse(col::CURRENCY, |v| values::parse_letters(v, 3).ok_or(Reason::InvalidCurrency));
        let rate_date = c.date(col::RATE_DATE);
        let rate = c.parse(col::CNY_PER_UNIT, values::parse_rate);
        // units is optional, default 1; the rules: a bad value in an optional column is a
        // warning on the row, never a reject, so the default stands and the warning says so
        let units = Some(
            c.parse_optional(col::UNITS, |v| values::parse_count(v).ok().filter(|u| *u > 0).ok_or(Reason::InvalidInteger))
                .unwrap_or(1),
        );
        let key = match (&currency, &rate_date) {
            (Some(cur), Some(d)) => Some(compact_str::format_compact!("{cur} {d}")),
            _ => None,
        };
        let row = match (currency, rate_date, rate, units) {
            (Some(currency), Some(rate_date), Some((mantissa, scale)), Some(units)) => {
                Some(FxRate { currency, rate_date, mantissa, scale, units })
            }
            _ => None,
        };
        Parsed { key, row }
    }
}
