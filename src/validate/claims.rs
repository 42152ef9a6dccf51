//! The claims' contract: obligor types, claim statuses and causes.

use std::sync::Arc;

use super::{Parsed, RowCheck, RowParser};
use crate::ident;
use crate::model::*;
use crate::rejects::Reason;
use crate::schema::{Input, col};
use crate::values;

const OBLIGOR_TYPES: &[(&[&str], ObligorType)] =
    &[(&["buyer", "买方"], ObligorType::Buyer), (&["issuing_bank", "开证行"], ObligorType::IssuingBank)];
const CLAIM_STATUSES: &[(&[&str], ClaimStatus)] = &[
    (&["notified", "已通知"], ClaimStatus::Notified),
    (&["filed", "已报案"], ClaimStatus::Filed),
    (&["under_review", "审核中"], ClaimStatus::UnderReview),
    (&["paid", "已赔付"], ClaimStatus::Paid),
    (&["rejected", "拒赔"], ClaimStatus::Rejected),
    (&["withdrawn", "撤案"], ClaimStatus::Withdrawn),
];

/// Cause as given, trimmed and lower-cased; the Chinese names of the covered causes
/// (the article's words) mapped to their codes. Anything else is kept and is not covered.
pub fn canonical_cause(raw: &str) -> String {
    let c = raw.trim().to_lowercase();
    let code = match c.as_str() {
        "政治风险" => "political",
        "破产" | "买方破产" | "开证行破产" => "insolvency",
        "拖欠" | "买方拖欠" => "protracted_default",
        "拒收" | "买方拒收" => "rejection",
        "拒绝承兑" | "拒付" => "non_acceptance",
        _ => return c,
    };
    code.to_string()
}

#[derive(Default)]
pub struct ClaimParser;

impl RowParser for ClaimParser {
    type Row = Claim;
    const INPUT: Input = Input::Claims;
    const KEY_COLUMN: Option<&'static str> = Some(col::CLAIM_ID);

    fn parse(&self, c: &mut RowCheck, file: &Arc<str>) -> Parsed<Claim> {
        let claim_id = c.required(col::CLAIM_ID).map(ident::normalise_code);
        let policy_no = c.required(col::POLICY_NO).map(ident::normalise_code);
        let uscc = c.uscc();
        let obligor_type = c.closed(col::OBLIGOR_TYPE, OBLIGOR_TYPES);
        let obligor_id = c.required(col::OBLIGOR_ID).map(ident::normalise_code);
        let obligor_name = c.optional(col::OBLIGOR_NAME).unwrap_or("").to_string();
        let country = c.parse(col::OBLIGOR_COUNTRY, |v| values::parse_letters(v, 2).ok_or(Reason::InvalidCountry));
        let cause = c.required(col::CAUSE).map(canonical_cause);
        let payment_terms = c.optional(col::PAYMENT_TERMS).unwrap_or("").to_string();
        let credit_days = c.parse(col::CREDIT_DAYS, values::parse_count);
        let self_contracted = c.parse(col::SELF_CONTRACTED, values::parse_bool);
        let self_declared = c.parse(col::SELF_DECLARED, values::parse_bool);
        let shipped_on = c.date(col::SHIPPED_ON);
        let notified_on = c.date(col::NOTIFIED_ON);
        let currency = c.parse(col::CURRENCY, |v| values::parse_letters(v, 3).ok_or(Reason::InvalidCurrency));
        let loss = c.amount(col::LOSS_AMOUNT);
        let status = c.closed(col::STATUS, CLAIM_STATUSES);
        let paid_usd = c.parse_optional(col::PAID_USD, values::parse_amount_cents);
        let recovered = c.parse_optional(col::RECOVERED_AMOUNT, values::parse_amount_cents);
        let key = claim_id.as_deref().map(Text::new);
        let row = (|| {
            let obligor_type = obligor_type?;
            let obligor_id = obligor_id?;
            let obligor_key = match obligor_type {
                ObligorType::Buyer => ident::buyer_key(&obligor_id),
                ObligorType::IssuingBank => ident::bank_key(&obligor_id),
            };
            Some(Claim {
                claim_id: claim_id?,
                policy_no: policy_no?,
                uscc: uscc?.as_str().to_string(),
                obligor_type,
                obligor_id,
                obligor_key,
                obligor_name,
                obligor_country: country?,
                cause: cause?,
                payment_terms,
                credit_days: credit_days?,
                self_contracted: self_contracted?,
                self_declared: self_declared?,
                shipped_on: shipped_on?,
                notified_on: notified_on?,
                currency: currency?,
                loss_cents: loss?,
                status: status?,
                paid_usd_cents: paid_usd,
                recovered_cents: recovered,
                origin: c.origin(file),
            })
        })();
        Parsed { key, row }
    }
}
