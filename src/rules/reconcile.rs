//! Enrollment reconciliation (docs/rules.md): who is eligible against who enrolled, and the
//! premium the city pays.

use foldhash::HashMap;

use chrono::{Datelike, NaiveDate};

use std::sync::Arc;

use crate::model::{Enrollment, Firm, Text};
use crate::policy::Period;
use crate::rules::eligibility::Eligibility;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReconStatus {
    EligibleEnrolled,
    EligibleNotEnrolled,
    EnrolledNotEligible,
    NotEligibleNotEnrolled,
    /// Enrolled, and the USCC is on a firm row that was rejected: a known firm whose row
    /// is unusable (see the rejects), not a stranger.
    EnrolledFirmRejected,
    /// Enrolled, and the USCC is on no firm row at all.
    EnrolledUnknownFirm,
}

impl ReconStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReconStatus::EligibleEnrolled => "eligible_enrolled",
            ReconStatus::EligibleNotEnrolled => "eligible_not_enrolled",
            ReconStatus::EnrolledNotEligible => "enrolled_not_eligible",
            ReconStatus::NotEligibleNotEnrolled => "not_eligible_not_enrolled",
            ReconStatus::EnrolledFirmRejected => "enrolled_firm_rejected",
            ReconStatus::EnrolledUnknownFirm => "enrolled_unknown_firm",
        }
    }
}

/// One reconciliation row: a firm, or an enrolled application of no known firm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    pub uscc: Text,
    /// The firm's name, shared with the firm (empty for an unknown firm).
    pub name: Arc<str>,
    pub district: Text,
    pub is_eligible: Option<bool>,
    pub status: ReconStatus,
    /// The application that enrols the firm (the earliest by applied_on, application_id).
    pub application_id: Option<Text>,
    pub policy_no: Option<Text>,
    pub applied_on: Option<NaiveDate>,
    /// More than one enrolled application for the year.
    pub duplicate_enrollment: bool,
    /// The other enrolled applications, `;`-joined.
    pub other_applications: Text,
    pub premium_cny_cents: Option<i64>,
    /// The premium the city pays: that of the counted application of an eligible enrolled firm.
    pub subsidy_cny_cents: Option<i64>,
}

/// Is this application an enrollment for the evaluation year?
pub fn enrolls_for(e: &Enrollment, period: &Period, as_of: NaiveDate) -> bool {
    e.policy_year == as_of.year() && e.applied_on <= as_of && period.enrolled_statuses.iter().any(|s| s == e.status.as_str())
}

/// Reconcile. `enrollments` must already exclude rows applied after the evaluation date;
/// `rejected_firms` are the sorted USCCs of rejected firm rows.
pub fn reconcile(firms: &[Firm], rejected_firms: &[Text], eligibility: &[Eligibility], enrollments: &[Enrollment], period: &Period, as_of: NaiveDate) -> Vec<Reconciliation> {
    let mut by_uscc: HashMap<&str, Vec<&Enrollment>> = HashMap::default();
    for e in enrollments.iter().filter(|e| enrolls_for(e, period, as_of)) {
        by_uscc.entry(e.uscc.as_str()).or_default().push(e);
    }
    for v in by_uscc.values_mut() {
        v.sort_by(|a, b| a.seniority().cmp(&b.seniority()));
    }
    let others = |apps: &[&Enrollment]| Text::from(apps.iter().skip(1).map(|e| e.application_id.as_str()).collect::<Vec<_>>().join(";"));
    // firm by firm in parallel (a USCC is one accepted firm's at most: a duplicated one is
    // rejected), then the enrollments that met no firm
    use rayon::prelude::*;
    let mut out: Vec<Reconciliation> = firms
        .par_iter()
        .zip(eligibility)
        .map(|(firm, el)| {
            let apps: &[&Enrollment] = by_uscc.get(firm.uscc.as_str()).map_or(&[], Vec::as_slice);
            let first = apps.first();
            let status = match (el.is_eligible, first.is_some()) {
                (true, true) => ReconStatus::EligibleEnrolled,
                (true, false) => ReconStatus::EligibleNotEnrolled,
                (false, true) => ReconStatus::EnrolledNotEligible,
                (false, false) => ReconStatus::NotEligibleNotEnrolled,
            };
            let premium = first.and_then(|e| e.premium_cny_cents);
            Reconciliation {
                uscc: firm.uscc.clone(),
                name: firm.name.clone(),
                district: el.district.clone(),
                is_eligible: Some(el.is_eligible),
                status,
                application_id: first.map(|e| e.application_id.clone()),
                policy_no: first.map(|e| e.policy_no.clone()),
                applied_on: first.map(|e| e.applied_on),
                duplicate_enrollment: apps.len() > 1,
                other_applications: others(apps),
                premium_cny_cents: premium,
                // the article: the city pays the whole premium of eligible enrolled firms
                subsidy_cny_cents: if status == ReconStatus::EligibleEnrolled { premium } else { None },
            }
        })
        .collect();
    // enrolled applications of no accepted firm: one row per application, told apart by
    // whether the register has the firm on a rejected row
    // (a firm's row names an application exactly when its USCC has some: those are taken
    // out, not looked up again for ten million firms)
    for r in out.iter().filter(|r| r.application_id.is_some()) {
        by_uscc.remove(r.uscc.as_str());
    }
    let status_of = |uscc: &str| {
        if rejected_firms.binary_search_by(|k| k.as_str().cmp(uscc)).is_ok() { ReconStatus::EnrolledFirmRejected } else { ReconStatus::EnrolledUnknownFirm }
    };
    let mut unknown: Vec<(&str, Vec<&Enrollment>)> = by_uscc.into_iter().collect();
    unknown.sort_by(|a, b| a.0.cmp(b.0));
    for (uscc, apps) in unknown {
        for (i, e) in apps.iter().enumerate() {
            out.push(Reconciliation {
                uscc: Text::new(uscc),
                name: Arc::from(""),
                district: Text::new(uscc.get(2..8).unwrap_or("")),
                is_eligible: None,
                status: status_of(uscc),
                application_id: Some(e.application_id.clone()),
                policy_no: Some(e.policy_no.clone()),
                applied_on: Some(e.applied_on),
                duplicate_enrollment: i > 0,
                other_applications: Text::default(),
                premium_cny_cents: e.premium_cny_cents,
                subsidy_cny_cents: None,
            });
        }
    }
    out
}
