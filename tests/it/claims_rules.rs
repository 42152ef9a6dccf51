//! Claim coverage and indemnity, case by case, with hand-checked answers.

use tongbao::model::*;
use tongbao::rules::claims::{ClaimResult, price};

use crate::support::*;

fn u() -> String {
    uscc("91", "350203", "MA33GULG")
}

fn policy_app() -> Enrollment {
    enrollment("A1", &u(), "P1", 2022, "2022-01-10", "2022-01-15", EnrollmentStatus::Accepted)
}

fn usd_rates() -> Vec<FxRate> {
    vec![fx("USD", "2022-01-04", 63794, 4, 1), fx("USD", "2022-01-28", 63757, 4, 1), fx("JPY", "2022-01-28", 58012, 4, 100)]
}

fn price_all(claims: Vec<Claim>) -> Vec<ClaimResult> {
    let mut r = price(&claims, &[policy_app()], &usd_rates(), &policy());
    r.sort_by(|a, b| a.claim_id.cmp(&b.claim_id));
    r
}

fn one(c: Claim) -> ClaimResult {
    price_all(vec![c]).remove(0)
}

#[test]
fn three_claims_on_one_buyer_consume_the_cap_in_notification_order() {
    let r = price_all(vec![
        claim("C3", &u(), 1_000_000, "2022-03-03"),
        claim("C1", &u(), 4_000_000, "2022-03-01"),
        claim("C2", &u(), 3_000_000, "2022-03-02"),
    ]);
    let got: Vec<_> = r.iter().map(|c| (c.indemnity_before_cap_cents, c.indemnity_cents, c.cut_by_cap_cents, c.capacity_left_cents)).collect();
    assert_eq!(
        got,
        vec![
            (Some(3_200_000), Some(3_200_000), Some(0), Some(1_800_000)),
            (Some(2_400_000), Some(1_800_000), Some(600_000), Some(0)),
            (Some(800_000), Some(0), Some(800_000), Some(0)),
        ]
    );
}

#[test]
fn claims_notified_the_same_day_are_ordered_by_claim_id_as_text() {
    let r = price_all(vec![claim("C10", &u(), 4_000_000, "2022-03-01"), claim("C9", &u(), 4_000_000, "2022-03-01")]);
    // "C10" < "C9" as text: C10 takes 32,000 first
    assert_eq!(r[0].claim_id, "C10");
    assert_eq!(r[0].indemnity_cents, Some(3_200_000));
    assert_eq!(r[1].indemnity_cents, Some(1_800_000));
}

#[test]
fn an_issuing_bank_is_the_bank_not_the_branch() {
    let mut a = claim("C1", &u(), 5_000_000, "2022-03-01");
    let mut b = claim("C2", &u(), 2_000_000, "2022-03-02");
    for (c, bic) in [(&mut a, "BKCHCNBJ"), (&mut b, "BKCHCNBJ300")] {
        c.obligor_type = ObligorType::IssuingBank;
        c.obligor_id = bic.into();
        c.obligor_key = tongbao::ident::bank_key(bic);
        c.cause = "non_acceptance".into();
    }
    let r = price_all(vec![a, b]);
    assert_eq!(r[0].obligor_key, "BKCHCNBJ");
    assert_eq!(r[1].obligor_key, "BKCHCNBJ");
    assert_eq!(r[0].indemnity_cents, Some(4_000_000));
    assert_eq!(r[1].indemnity_cents, Some(1_000_000));
    assert_eq!(r[1].cut_by_cap_cents, Some(600_000));
}

#[test]
fn a_jpy_claim_is_converted_through_both_fixings_per_hundred_yen() {
    let mut c = claim("C1", &u(), 100_000_000, "2022-03-01");
    c.currency = "JPY".into();
    c.shipped_on = d("2022-02-01");
    let r = one(c);
    // 1,000,000 JPY × 5.8012/100 ÷ 6.3757 = 9,098.922… → 9,098.92; 80% = 7,279.136 → 7,279.13
    assert_eq!(r.usd_loss_cents, Some(909_892));
    assert_eq!(r.indemnity_cents, Some(727_913));
    assert_eq!(r.fx_rate.as_ref().map(|f| f.rate_date), Some(d("2022-01-28")));
}

#[test]
fn a_cny_claim_uses_the_usd_fixing_on_or_before_shipment() {
    let mut c = claim("C1", &u(), 1_000_000, "2022-03-01");
    c.currency = "CNY".into();
    c.shipped_on = d("2022-01-27");
    let r = one(c);
    // 10,000 CNY ÷ 6.3794 (the 2022-01-04 fixing) = 1,567.545… → 1,567.55
    assert_eq!(r.usd_loss_cents, Some(156_755));
    assert_eq!(r.indemnity_cents, Some(125_404));
}

#[test]
fn a_claim_with_no_fixing_for_its_currency_has_unknown_amounts() {
    let mut c = claim("C1", &u(), 1_000_000, "2022-03-01");
    c.currency = "GBP".into();
    let r = one(c);
    assert!(!r.is_covered);
    assert_eq!(r.reasons_text(), "missing_fx_rate");
    assert_eq!(r.usd_loss_cents, None);
    assert_eq!(r.indemnity_cents, None);
    assert_eq!(r.capacity_left_cents, None);
}

#[test]
fn withdrawn_and_rejected_claims_owe_nothing_and_consume_no_cap() {
    let mut w = claim("C1", &u(), 4_000_000, "2022-03-01");
    w.status = ClaimStatus::Withdrawn;
    let mut rj = claim("C2", &u(), 4_000_000, "2022-03-02");
    rj.status = ClaimStatus::Rejected;
    let live = claim("C3", &u(), 6_250_000, "2022-03-03");
    let r = price_all(vec![w, rj, live]);
    assert!(r[0].is_covered && r[1].is_covered);
    assert_eq!((r[0].indemnity_cents, r[1].indemnity_cents), (Some(0), Some(0)));
    assert_eq!((r[0].paid_exposure_cents, r[0].outstanding_exposure_cents), (Some(0), Some(0)));
    assert_eq!(r[2].indemnity_cents, Some(5_000_000));
    assert_eq!(r[2].cut_by_cap_cents, Some(0));
}

#[test]
fn a_shipment_one_day_before_the_policy_took_effect_is_not_covered() {
    let mut c = claim("C1", &u(), 1_000_000, "2022-03-01");
    c.shipped_on = d("2022-01-14");
    let r = one(c);
    assert_eq!(r.reasons_text(), "shipped_outside_cover");
    assert_eq!(r.indemnity_cents, Some(0));
    let mut c = claim("C1", &u(), 1_000_000, "2022-03-01");
    c.shipped_on = d("2022-01-15");
    assert!(one(c).is_covered);
}

#[test]
fn a_shipment_after_the_policy_year_is_not_covered() {
    let mut c = claim("C1", &u(), 1_000_000, "2023-03-01");
    c.shipped_on = d("2023-01-01");
    assert_eq!(one(c).reasons_text(), "shipped_outside_cover");
}

#[test]
fn credit_terms_of_365_days_are_covered_and_366_are_not() {
    let mut c = claim("C1", &u(), 1_000_000, "2022-03-01");
    c.credit_days = 365;
    assert!(one(c.clone()).is_covered);
    c.credit_days = 366;
    assert_eq!(one(c).reasons_text(), "credit_term_too_long");
}

#[test]
fn every_failing_coverage_reason_is_reported() {
    let mut c = claim("C1", &u(), 1_000_000, "2022-03-01");
    c.shipped_on = d("2022-01-01");
    c.cause = "quality_dispute".into();
    c.credit_days = 400;
    c.self_contracted = false;
    c.self_declared = false;
    c.currency = "GBP".into();
    assert_eq!(
        one(c).reasons_text(),
        "shipped_outside_cover;cause_not_covered;credit_term_too_long;not_self_contracted;not_self_declared;missing_fx_rate"
    );
}

#[test]
fn a_claim_under_no_enrolled_application_has_no_policy() {
    let mut c = claim("C1", &u(), 1_000_000, "2022-03-01");
    c.policy_no = "P-UNKNOWN".into();
    let r = one(c);
    assert_eq!(r.reasons_text(), "no_policy");
    assert_eq!(r.indemnity_cents, Some(0));
}

#[test]
fn a_claim_under_a_submitted_application_has_no_policy() {
    let c = claim("C1", &u(), 1_000_000, "2022-03-01");
    let mut app = policy_app();
    app.status = EnrollmentStatus::Submitted;
    let r = price(&[c], &[app], &usd_rates(), &policy());
    assert_eq!(r[0].reasons_text(), "no_policy");
}

#[test]
fn recoveries_are_shared_pro_rata_and_give_no_capacity_back() {
    let mut c = claim("C1", &u(), 1_000_000, "2022-03-01");
    c.recovered_cents = Some(100_000);
    c.status = ClaimStatus::Paid;
    c.paid_usd_cents = Some(800_000);
    let r = one(c);
    // indemnity 8,000; recovered 1,000 × 8,000 / 10,000 = 800 to the insurer
    assert_eq!(r.indemnity_cents, Some(800_000));
    assert_eq!(r.insurer_recovery_cents, Some(80_000));
    assert_eq!(r.net_indemnity_cents, Some(720_000));
    assert_eq!(r.capacity_left_cents, Some(4_200_000));
    assert_eq!(r.paid_exposure_cents, Some(800_000));
    assert_eq!(r.paid_mismatch, Some(false));
}

#[test]
fn a_paid_amount_more_than_a_cent_off_is_flagged() {
    let mut c = claim("C1", &u(), 1_000_000, "2022-03-01");
    c.status = ClaimStatus::Paid;
    c.paid_usd_cents = Some(800_001);
    assert_eq!(one(c.clone()).paid_mismatch, Some(false));
    c.paid_usd_cents = Some(800_002);
    assert_eq!(one(c).paid_mismatch, Some(true));
}

#[test]
fn outstanding_exposure_is_the_indemnity_of_open_claims() {
    for status in [ClaimStatus::Notified, ClaimStatus::Filed, ClaimStatus::UnderReview] {
        let mut c = claim("C1", &u(), 1_000_000, "2022-03-01");
        c.status = status;
        let r = one(c);
        assert_eq!((r.paid_exposure_cents, r.outstanding_exposure_cents), (Some(0), Some(800_000)));
    }
}

#[test]
fn a_claim_under_a_2021_policy_uses_that_period() {
    let app = enrollment("A0", &u(), "P0", 2021, "2021-01-05", "2021-01-10", EnrollmentStatus::Accepted);
    let mut c = claim("C1", &u(), 1_000_000, "2022-03-01");
    c.policy_no = "P0".into();
    c.shipped_on = d("2021-06-01");
    let r = price(&[c], &[app], &[], &policy());
    assert_eq!(r[0].period_id.as_deref(), Some("2020-2021"));
    assert_eq!(r[0].indemnity_cents, Some(800_000));
}

#[test]
fn the_indemnity_is_rounded_down_to_the_cent() {
    let r = one(claim("C1", &u(), 1_001, "2022-03-01"));
    // 80% of 10.01 = 8.008 → 8.00
    assert_eq!(r.indemnity_cents, Some(800));
}

#[test]
fn a_claim_with_no_policy_still_reports_every_other_failing_reason() {
    let mut c = claim("C1", &u(), 1_000_000, "2022-03-01");
    c.policy_no = "P-UNKNOWN".into();
    c.cause = "fraud".into();
    c.credit_days = 400;
    assert_eq!(one(c).reasons_text(), "no_policy;cause_not_covered;credit_term_too_long");
}

#[test]
fn an_application_no_period_covers_leaves_its_claims_outside_cover() {
    let app = enrollment("A19", &u(), "P19", 2019, "2019-02-01", "2019-03-01", EnrollmentStatus::Accepted);
    let mut c = claim("C1", &u(), 1_000_000, "2019-09-01");
    c.policy_no = "P19".into();
    c.shipped_on = d("2019-06-01");
    let r = price(&[c], &[app], &usd_rates(), &policy());
    assert_eq!(r[0].reasons_text(), "shipped_outside_cover");
    assert_eq!(r[0].application_id.as_deref(), Some("A19"));
}

#[test]
fn an_application_effective_before_its_policy_year_belongs_to_that_year() {
    // policy year 2022, effective 2021-12-28: the 2022-2023 period, so a 2022 shipment is covered
    let app = enrollment("A1", &u(), "P1", 2022, "2021-12-20", "2021-12-28", EnrollmentStatus::Accepted);
    let r = price(&[claim("C1", &u(), 1_000_000, "2022-03-01")], &[app], &usd_rates(), &policy());
    assert_eq!(r[0].period_id.as_deref(), Some("2022-2023"));
    assert!(r[0].is_covered, "{}", r[0].reasons_text());
}

#[test]
fn the_largest_loss_does_not_overflow() {
    let r = one(claim("C1", &u(), 999_999_999_999_999, "2022-03-01"));
    assert_eq!(r.indemnity_before_cap_cents, Some(799_999_999_999_999));
    assert_eq!(r.indemnity_cents, Some(5_000_000));
    assert_eq!(r.cut_by_cap_cents, Some(799_999_999_999_999 - 5_000_000));
}

#[test]
fn the_cap_follows_notification_order_not_claim_id_order() {
    // C1 sorts first as an id but was notified last: C2 and C3 take the cap before it
    let r = price_all(vec![
        claim("C1", &u(), 4_000_000, "2022-03-09"),
        claim("C2", &u(), 4_000_000, "2022-03-01"),
        claim("C3", &u(), 2_000_000, "2022-03-05"),
    ]);
    let got: Vec<_> = r.iter().map(|c| (c.claim_id.as_str(), c.indemnity_cents, c.cut_by_cap_cents, c.cap_taken_before_cents)).collect();
    // C2: 32,000 of 32,000; C3: 16,000 of 16,000 (48,000 taken); C1: 2,000 of 32,000
    assert_eq!(
        got,
        vec![
            ("C1", Some(200_000), Some(3_000_000), Some(4_800_000)),
            ("C2", Some(3_200_000), Some(0), Some(0)),
            ("C3", Some(1_600_000), Some(0), Some(3_200_000)),
        ]
    );
}

#[test]
fn a_buyer_and_an_issuing_bank_with_the_same_id_are_two_obligors() {
    let mut buyer = claim("C1", &u(), 7_000_000, "2022-03-01");
    buyer.obligor_id = "BKCHCNBJ".into();
    buyer.obligor_key = "BKCHCNBJ".into();
    let mut bank = claim("C2", &u(), 7_000_000, "2022-03-02");
    bank.obligor_type = ObligorType::IssuingBank;
    bank.obligor_id = "BKCHCNBJ".into();
    bank.obligor_key = "BKCHCNBJ".into();
    let r = price_all(vec![buyer, bank]);
    // each its own USD 50,000: 80% of 70,000 is 56,000, cut by 6,000 each
    let got: Vec<_> = r.iter().map(|c| (c.indemnity_cents, c.cut_by_cap_cents, c.cap_taken_before_cents)).collect();
    assert_eq!(got, vec![(Some(5_000_000), Some(600_000), Some(0)), (Some(5_000_000), Some(600_000), Some(0))]);
}

#[test]
fn a_paid_claim_whose_loss_cannot_be_converted_is_flagged_for_reconciliation() {
    // documented decision: the insurer paid an amount nobody can check against the rules
    let mut c = claim("C1", &u(), 1_000_000, "2022-03-01");
    c.currency = "EUR".into();
    c.status = ClaimStatus::Paid;
    c.paid_usd_cents = Some(800_000);
    let r = one(c.clone());
    assert_eq!((r.usd_loss_cents, r.indemnity_cents), (None, None));
    assert_eq!(r.paid_mismatch, Some(true));
    // with no paid_usd there is nothing to reconcile
    c.paid_usd_cents = None;
    assert_eq!(one(c).paid_mismatch, Some(false));
}

#[test]
fn a_shipment_on_the_last_day_of_the_policy_year_and_of_the_period_is_covered() {
    let rates = usd_rates();
    let price_under = |app: Enrollment, shipped: &str| {
        let mut c = claim("C1", &u(), 1_000_000, "2024-01-05");
        c.shipped_on = d(shipped);
        price(&[c], &[app], &rates, &policy()).remove(0)
    };
    // policy year 2022: 31 December is in it, 1 January is not
    assert!(price_under(policy_app(), "2022-12-31").is_covered);
    assert_eq!(price_under(policy_app(), "2023-01-01").reasons_text(), "shipped_outside_cover");
    // policy year 2023 ends with the 2022-2023 period: its last day is covered too
    let app_2023 = enrollment("A1", &u(), "P1", 2023, "2023-01-10", "2023-01-15", EnrollmentStatus::Accepted);
    assert!(price_under(app_2023.clone(), "2023-12-31").is_covered);
    assert_eq!(price_under(app_2023, "2024-01-01").reasons_text(), "shipped_outside_cover");
}

#[test]
fn a_recovery_in_yen_after_a_cap_cut_is_converted_at_the_loss_fixings_and_shared_pro_rata() {
    // JPY 10,000,000 at 5.8012 per 100 and USD 6.3757: USD 90,989.22; 80% is 72,791.37, cut
    // to the USD 50,000 cap. JPY 1,000,000 recovered is USD 9,098.92 (9,098.9218…), a tenth
    // of the loss: the insurer's share is a tenth of 50,000.00
    let mut c = claim("C1", &u(), 1_000_000_000, "2022-03-01");
    c.currency = "JPY".into();
    c.recovered_cents = Some(100_000_000);
    let r = one(c);
    assert_eq!((r.usd_loss_cents, r.indemnity_before_cap_cents, r.indemnity_cents, r.cut_by_cap_cents), (Some(9_098_922), Some(7_279_137), Some(5_000_000), Some(2_279_137)));
    assert_eq!((r.recovered_usd_cents, r.insurer_recovery_cents, r.net_indemnity_cents), (Some(909_892), Some(500_000), Some(4_500_000)));
    // recoveries give no capacity back
    assert_eq!(r.capacity_left_cents, Some(0));
}

#[test]
fn a_claim_is_judged_under_the_earliest_enrolled_application_of_its_policy_number_and_firm() {
    let apps = [
        enrollment("A3", &u(), "P1", 2022, "2022-01-12", "2022-01-15", EnrollmentStatus::Accepted),
        // applied the same day as A1: the smaller id is the earlier
        enrollment("A2", &u(), "P1", 2022, "2022-01-10", "2022-01-15", EnrollmentStatus::Accepted),
        enrollment("A1", &u(), "P1", 2022, "2022-01-10", "2022-01-20", EnrollmentStatus::Acknowledged),
        // earlier still, but not enrolled
        enrollment("A0", &u(), "P1", 2022, "2022-01-02", "2022-01-05", EnrollmentStatus::Submitted),
    ];
    let r = price(&[claim("C1", &u(), 1_000_000, "2022-03-01")], &apps, &usd_rates(), &policy());
    assert_eq!(r[0].application_id.as_deref(), Some("A1"));
}
