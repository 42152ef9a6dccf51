//! The firms register's contract.

use std::sync::Arc;

use super::{Parsed, RowCheck, RowParser};
use crate::ident::{self, DocId};
use crate::model::*;
use crate::rejects::Reason;
use crate::schema::{Input, col};
use crate::values;

#[derive(Default)]
pub struct FirmParser;

impl RowParser for FirmParser {
    type Row = Firm;
    const INPUT: Input = Input::Firms;
    const KEY_COLUMN: Option<&'static str> = Some(col::USCC);

    fn parse(&self, c: &mut RowCheck, file: &Arc<str>) -> Parsed<Firm> {
        let uscc = c.uscc();
        let name = c.required(col::NAME);
        let company_type = c.required(col::COMPANY_TYPE);
        let reg_status = c.required(col::REG_STATUS);
        let legal_rep_name = c.required(col::LEGAL_REP_NAME);
        let district_code = c.parse_optional(col::DISTRICT_CODE, |v| {
            let v = ident::normalise_code(v);
            (v.len() == 6 && v.bytes().all(|b| b.is_ascii_digit())).then(|| Text::new(&v)).ok_or(Reason::UnknownValue)
        });
        let legal_rep_id = c.parse_optional(col::LEGAL_REP_ID, |v| match DocId::classify_person(v) {
            Some(DocId::ResidentId(id)) if !ident::resident_id_is_valid(&id) => Err(Reason::InvalidCheckCharacter),
            Some(_) => Ok(Text::new(ident::normalise_code(v))),
            None => Err(Reason::MissingValue),
        });
        let excel = c.spreadsheet;
        let established_on = c.parse_optional(col::ESTABLISHED_ON, |v| values::parse_date(v, excel));
        let key = uscc.as_ref().map(|u| Text::new(u.as_str()));
        let row = match (uscc, name, company_type, reg_status, legal_rep_name) {
            (Some(u), Some(n), Some(t), Some(s), Some(l)) => Some(Firm {
                uscc_valid: u.is_valid(),
                uscc: Text::new(u.as_str()),
                name: Arc::from(n),
                company_type: Text::new(t),
                reg_status: Text::new(s),
                district_code,
                legal_rep_name: Text::new(l),
                legal_rep_id,
                established_on,
                origin: c.origin(file),
            }),
            _ => None,
        };
        Parsed { key, row }
    }
}
