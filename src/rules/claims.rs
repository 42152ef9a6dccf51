//! Claim coverage and indemnity (docs/rules.md): coverage reasons, USD loss, 80% rounded
//! down, the cap per (policy, obligor) consumed in notification order, recoveries and
//! exposure.

use foldhash::HashMap;

use chrono::NaiveDate;

use crate::model::{Claim, ClaimStatus, Enrollment, FxRate, ObligorType};
use crate::policy::{Period, Policy};
use crate::rules::fx::FxTable;

/// Why a claim is not covered, in the order they are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClaimReason {
    NoPolicy,
    ShippedOutsideCover,
    CauseNotCovered,
    CreditTermTooLong,
    NotSelfContracted,
    NotSelfDeclared,
    MissingFxRate,
}

impl ClaimReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimReason::NoPolicy => "no_policy",
            ClaimReason::ShippedOutsideCover => "shipped_outside_cover",
            ClaimReason::CauseNotCovered => "cause_not_covered",
            ClaimReason::CreditTermTooLong => "credit_term_too_long",
            ClaimReason::NotSelfContracted => "not_self_contracted",
            ClaimReason::NotSelfDeclared => "not_self_declared",
            ClaimReason::MissingFxRate => "missing_fx_rate",
        }
    }
}

/// One claim priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimResult {
    pub claim_id: String,
    pub policy_no: String,
    pub uscc: String,
    pub application_id: Option<String>,
    pub period_id: Option<String>,
    pub obligor_type: ObligorType,
    pub obligor_key: String,
    pub obligor_country: String,
    pub cause: String,
    pub status: ClaimStatus,
    pub shipped_on: NaiveDate,
    pub notified_on: NaiveDate,
    pub currency: String,
    pub loss_cents: i64,
    pub fx_rate: Option<FxRate>,
    pub usd_rate: Option<FxRate>,
    pub is_covered: bool,
    pub reasons: Vec<ClaimReason>,
    /// `None` when the loss cannot be converted (no fixing).
    pub usd_loss_cents: Option<i64>,
    pub indemnity_before_cap_cents: Option<i64>,
    /// After the cap; zero for claims that are not covered or not live.
    pub indemnity_cents: Option<i64>,
    pub cut_by_cap_cents: Option<i64>,
    /// Capacity left on the (policy, obligor) after this claim; only for claims that consume it.
    pub capacity_left_cents: Option<i64>,
    /// What earlier claims on the same (policy, obligor) had taken of the cap.
    pub cap_taken_before_cents: Option<i64>,
    pub cap_cents: Option<i64>,
    pub ratio_bp: Option<i64>,
    pub recovered_usd_cents: Option<i64>,
    pub insurer_recovery_cents: Option<i64>,
    pub net_indemnity_cents: Option<i64>,
    pub paid_exposure_cents: Option<i64>,
    pub outstanding_exposure_cents: Option<i64>,
    pub paid_usd_cents: Option<i64>,
    pub paid_mismatch: Option<bool>,
}

impl ClaimResult {
    pub fn reasons_text(&self) -> String {
        self.reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(";")
    }
}

/// The enrolled application a claim is judged under: status counts as enrolled, same
/// policy number and USCC, any policy year; the earliest when several (`apps` holds only
/// the earliest of each policy number and USCC).
fn find_application<'a>(apps: &HashMap<(&str, &str), &'a Enrollment>, claim: &Claim) -> Option<&'a Enrollment> {
    apps.get(&(claim.policy_no.as_str(), claim.uscc.as_str())).copied()
}

/// The capacity each (policy, obligor type, obligor) has taken so far, keyed by the texts
/// of the claims priced.
type Ledger<'c> = HashMap<(&'c str, ObligorType, &'c str), i64>;

/// Price every claim. `claims` and `enrollments` must already exclude rows dated after
/// the evaluation date. The output is in the claims' (notified_on, claim_id) order.
pub fn price(claims: &[Claim], enrollments: &[Enrollment], fx_rates: &[FxRate], policy: &Policy) -> Vec<ClaimResult> {
    // the earliest enrolled application of each (policy number, USCC), by application
    // date then id; of equal ones the first read (a national register holds millions: one
    // entry each, no list of them)
    let mut apps: HashMap<(&str, &str), &Enrollment> = HashMap::with_capacity_and_hasher(enrollments.len(), Default::default());
    for e in enrollments {
        // an application that no period covers still exists (its claims are then
        // shipped outside cover, not without a policy); it counts as enrolled by the
        // the rules' statuses
        let enrolled = match period_of(e, policy) {
            Some(p) => p.enrolled_statuses.iter().any(|s| s == e.status.as_str()),
            None => matches!(e.status, crate::model::EnrollmentStatus::Accepted | crate::model::EnrollmentStatus::Acknowledged),
        };
        if enrolled {
            let earliest = apps.entry((e.policy_no.as_str(), e.uscc.as_str())).or_insert(e);
            if e.seniority() < earliest.seniority() {
                *earliest = e;
            }
        }
    }
    let fx = FxTable::new(fx_rates);

    let mut order: Vec<&Claim> = claims.iter().collect();
    order.sort_by(|a, b| (a.notified_on, &a.claim_id).cmp(&(b.notified_on, &b.claim_id)));

    // capacity taken per (policy, obligor type, obligor)
    let mut taken = Ledger::default();
    let mut out = Vec::with_capacity(order.len());
    for claim in order {
        let app = find_application(&apps, claim);
        let period = app.and_then(|a| period_of(a, policy));
        // without an application, the cause and the credit term are still judged, by the
        // terms of the period the shipment fell in, so that every failing reason shows
        let terms = period.or_else(|| policy.period_on(claim.shipped_on));
        out.push(judge(claim, app, period, terms, &fx, &mut taken));
    }
    out
}

fn first_day(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 1, 1)
}

/// The period an application belongs to: the one containing its policy year (its first
/// day), else the one in force when it took effect.
pub fn period_of<'a>(app: &Enrollment, policy: &'a Policy) -> Option<&'a Period> {
    first_day(app.policy_year).and_then(|d| policy.period_on(d)).or_else(|| policy.period_on(app.effective_on))
}

fn judge<'c>(
    claim: &'c Claim,
    app: Option<&Enrollment>,
    period: Option<&Period>,
    terms: Option<&Period>,
    fx: &FxTable,
    taken: &mut Ledger<'c>,
) -> ClaimResult {
    let mut reasons = Vec::new();
    match (app, period) {
        (None, _) => reasons.push(ClaimReason::NoPolicy),
        (Some(a), p) => {
            let year_end = NaiveDate::from_ymd_opt(a.policy_year, 12, 31);
            let outside = claim.shipped_on < a.effective_on
                || year_end.is_none_or(|e| claim.shipped_on > e)
                // an application that no policy period covers has no cover at all
                || p.is_none_or(|p| claim.shipped_on > p.end);
            if outside {
                reasons.push(ClaimReason::ShippedOutsideCover);
            }
        }
    }
    if let Some(p) = terms {
        // the article: political risk, bankruptcy, protracted default, rejection of
        // goods and refusal to accept are covered; anything else is not
        if !p.covers_cause(&claim.cause) {
            reasons.push(ClaimReason::CauseNotCovered);
        }
        // the article: credit terms of at most one year
        if claim.credit_days > p.max_credit_days {
            reasons.push(ClaimReason::CreditTermTooLong);
        }
    }
    if !claim.self_contracted {
        reasons.push(ClaimReason::NotSelfContracted);
    }
    if !claim.self_declared {
        reasons.push(ClaimReason::NotSelfDeclared);
    }
    let conversion = fx.conversion(&claim.currency, claim.shipped_on);
    let usd_loss = conversion.as_ref().and_then(|c| c.to_usd_cents(claim.loss_cents));
    if usd_loss.is_none() {
        reasons.push(ClaimReason::MissingFxRate);
    }
    let is_covered = reasons.is_empty();
    let recovered_usd = match (&conversion, claim.recovered_cents) {
        (Some(c), Some(r)) => c.to_usd_cents(r),
        _ => None,
    };

    let mut r = ClaimResult {
        claim_id: claim.claim_id.clone(),
        policy_no: claim.policy_no.clone(),
        uscc: claim.uscc.clone(),
        application_id: app.map(|a| a.application_id.to_string()),
        period_id: period.map(|p| p.id.clone()),
        obligor_type: claim.obligor_type,
        obligor_key: claim.obligor_key.clone(),
        obligor_country: claim.obligor_country.clone(),
        cause: claim.cause.clone(),
        status: claim.status,
        shipped_on: claim.shipped_on,
        notified_on: claim.notified_on,
        currency: claim.currency.clone(),
        loss_cents: claim.loss_cents,
        fx_rate: conversion.as_ref().and_then(|c| c.rate.clone()),
        usd_rate: conversion.as_ref().and_then(|c| c.usd_rate.clone()),
        is_covered,
        reasons,
        usd_loss_cents: usd_loss,
        indemnity_before_cap_cents: None,
        indemnity_cents: None,
        cut_by_cap_cents: None,
        capacity_left_cents: None,
        cap_taken_before_cents: None,
        cap_cents: period.map(|p| p.cap_per_obligor_cents),
        ratio_bp: period.map(|p| p.indemnity_ratio_bp),
        recovered_usd_cents: recovered_usd,
        insurer_recovery_cents: None,
        net_indemnity_cents: None,
        paid_exposure_cents: None,
        outstanding_exposure_cents: None,
        paid_usd_cents: claim.paid_usd_cents,
        paid_mismatch: None,
    };

    let Some(loss) = usd_loss else {
        // amounts are unknown, not zero; a paid claim we cannot price is still flagged
        r.paid_mismatch = Some(claim.status == ClaimStatus::Paid && claim.paid_usd_cents.is_some());
        return r;
    };
    let (ratio, cap) = match period {
        Some(p) => (p.indemnity_ratio_bp, p.cap_per_obligor_cents),
        None => (0, 0),
    };
    // the article: 80% of the loss, rounded down to the cent
    let before_cap = if is_covered { (loss as i128 * ratio as i128 / 10_000) as i64 } else { 0 };
    r.indemnity_before_cap_cents = Some(before_cap);
    let (indemnity, cut) = if is_covered && claim.status.is_live() {
        // the article: at most USD 50,000 per single buyer or issuing bank, per policy
        let key = (claim.policy_no.as_str(), claim.obligor_type, claim.obligor_key.as_str());
        let used = taken.entry(key).or_insert(0);
        let room = (cap - *used).max(0);
        let granted = before_cap.min(room);
        r.cap_taken_before_cents = Some(*used);
        *used += granted;
        r.capacity_left_cents = Some(cap - *used);
        (granted, before_cap - granted)
    } else {
        (0, 0)
    };
    r.indemnity_cents = Some(indemnity);
    r.cut_by_cap_cents = Some(cut);
    // recoveries are shared pro rata: the insurer's share is indemnity ÷ loss; they
    // never give capacity back to the cap
    let share = match (&conversion, claim.recovered_cents) {
        (Some(c), Some(rec)) if loss > 0 => c.share_of(rec, indemnity, loss).min(indemnity),
        _ => 0,
    };
    r.insurer_recovery_cents = Some(share);
    r.net_indemnity_cents = Some(indemnity - share);
    let (paid, outstanding) = match claim.status {
        ClaimStatus::Paid => (indemnity, 0),
        ClaimStatus::Notified | ClaimStatus::Filed | ClaimStatus::UnderReview => (0, indemnity),
        ClaimStatus::Rejected | ClaimStatus::Withdrawn => (0, 0),
    };
    r.paid_exposure_cents = Some(paid);
    r.outstanding_exposure_cents = Some(outstanding);
    r.paid_mismatch = Some(match (claim.status, claim.paid_usd_cents) {
        (ClaimStatus::Paid, Some(p)) => (p - indemnity).abs() > 1,
        _ => false,
    });
    r
}
