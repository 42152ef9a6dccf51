//! Firm eligibility and blacklist screening, case by case, with hand-checked answers.

use tongbao::model::*;
use tongbao::rules::{self, Evaluation};

use crate::support::*;

const AS_OF: &str = "2022-05-07";

fn evaluate(inputs: &Inputs) -> Evaluation {
    let policy = policy();
    let period = policy.period_on(d(AS_OF)).expect("period").clone();
    rules::evaluate(inputs, &policy, &period, d(AS_OF))
}

/// Eligibility of one firm, with its reasons as text.
fn judge(f: Firm, exports_2021_self: i64, listings: Vec<Listing>) -> (bool, String) {
    let u = f.uscc.clone();
    let inputs = Inputs {
        firms: vec![f],
        exports: exports(&[(&u, 2021, exports_2021_self, 0)]),
        listings: listings.into_iter().map(Into::into).collect(),
        ..Inputs::default()
    };
    let e = evaluate(&inputs);
    (e.eligibility[0].is_eligible, e.eligibility[0].reasons_text())
}

fn siming() -> String {
    uscc("91", "350203", "MA33GULG")
}

#[test]
fn exports_of_exactly_the_threshold_are_eligible() {
    assert_eq!(judge(firm(&siming()), 600_000_000, vec![]), (true, String::new()));
}

#[test]
fn exports_one_cent_over_the_threshold_are_not() {
    assert_eq!(judge(firm(&siming()), 600_000_001, vec![]), (false, "exports_over_threshold".into()));
}

#[test]
fn zero_exports_are_not_eligible() {
    assert_eq!(judge(firm(&siming()), 0, vec![]), (false, "no_exports".into()));
}

#[test]
fn a_firm_with_no_export_rows_has_no_exports() {
    let f = firm(&siming());
    let inputs = Inputs { firms: vec![f], ..Inputs::default() };
    let e = evaluate(&inputs);
    assert_eq!(e.eligibility[0].reasons_text(), "no_exports");
    assert_eq!(e.eligibility[0].self_exports_cents, 0);
}

#[test]
fn only_agency_exports_do_not_count() {
    let f = firm(&siming());
    let u = f.uscc.clone();
    let inputs = Inputs { firms: vec![f], exports: exports(&[(&u, 2021, 0, 250_000_000)]), ..Inputs::default() };
    let e = evaluate(&inputs);
    assert_eq!(e.eligibility[0].reasons_text(), "no_exports");
    assert_eq!(e.eligibility[0].agency_exports_cents, 250_000_000);
}

#[test]
fn exports_of_other_years_do_not_count() {
    let f = firm(&siming());
    let u = f.uscc.clone();
    let inputs = Inputs { firms: vec![f], exports: exports(&[(&u, 2022, 100_000, 0), (&u, 2020, 100_000, 0)]), ..Inputs::default() };
    assert_eq!(evaluate(&inputs).eligibility[0].reasons_text(), "no_exports");
}

#[test]
fn a_deregistered_firm_is_not_eligible() {
    for status in ["注销", "吊销，未注销", "已撤销"] {
        let mut f = firm(&siming());
        f.reg_status = status.into();
        assert_eq!(judge(f, 100_000_000, vec![]), (false, "deregistered".into()), "{status}");
    }
}

#[test]
fn a_branch_is_not_a_legal_person() {
    let mut f = firm(&siming());
    f.company_type = "有限责任公司分公司".into();
    assert_eq!(judge(f, 100_000_000, vec![]), (false, "not_legal_person".into()));
}

#[test]
fn an_individual_business_uscc_is_not_a_legal_person() {
    let f = firm(&uscc("92", "350203", "MA33GULG"));
    assert_eq!(judge(f, 100_000_000, vec![]), (false, "not_legal_person".into()));
}

#[test]
fn the_district_code_decides_the_city_not_the_uscc() {
    // issued in Fuzhou (350102), registered now in Siming (350203): in the city
    let mut f = firm(&uscc("91", "350102", "MA33GULG"));
    f.district_code = Some("350203".into());
    assert_eq!(judge(f, 100_000_000, vec![]), (true, String::new()));
    // issued in Xiamen, registered now in Fuzhou: not in the city
    let mut f = firm(&siming());
    f.district_code = Some("350102".into());
    assert_eq!(judge(f, 100_000_000, vec![]), (false, "not_in_city".into()));
}

#[test]
fn without_a_district_code_the_uscc_division_is_used() {
    let mut f = firm(&uscc("91", "350102", "MA33GULG"));
    f.district_code = None;
    assert_eq!(judge(f, 100_000_000, vec![]), (false, "not_in_city".into()));
}

#[test]
fn every_failing_reason_is_reported() {
    let mut f = firm(&uscc("92", "350102", "MA33GULG"));
    f.district_code = None;
    f.reg_status = "吊销".into();
    f.uscc.replace_range(17..18, if f.uscc.ends_with('0') { "1" } else { "0" });
    f.uscc_valid = false;
    let (ok, reasons) = judge(f, 0, vec![]);
    assert!(!ok);
    assert_eq!(reasons, "invalid_uscc;not_in_city;not_legal_person;deregistered;no_exports");
}

#[test]
fn a_listing_by_organisation_code_with_a_hyphen_is_a_firm_hit() {
    let u = siming();
    let org = format!("{}-{}", &u[8..16], &u[16..17]);
    let l = listing(ListType::DishonestDebtor, SubjectType::Org, "别的名字", &org, "2021-01-01", None);
    assert_eq!(judge(firm(&u), 100_000_000, vec![l]), (false, "firm_blacklisted".into()));
}

#[test]
fn a_listing_by_uscc_is_a_firm_hit() {
    let u = siming();
    let l = listing(ListType::SeriousDishonesty, SubjectType::Org, "x", &u.to_lowercase(), "2021-01-01", None);
    assert_eq!(judge(firm(&u), 100_000_000, vec![l]), (false, "firm_blacklisted".into()));
}

#[test]
fn an_org_listing_without_id_matches_by_normalised_name() {
    let mut f = firm(&siming());
    f.name = "厦门某某贸易有限公司（分公司）".into();
    f.company_type = "有限责任公司".into();
    let l = listing(ListType::GangRelated, SubjectType::Org, "厦门某某贸易有限公司 (分公司)", "", "2021-01-01", None);
    assert_eq!(judge(f, 100_000_000, vec![l]), (false, "firm_blacklisted".into()));
}

#[test]
fn a_listing_removed_the_day_before_is_not_in_force() {
    let u = siming();
    let l = listing(ListType::DishonestDebtor, SubjectType::Org, "x", &u, "2020-01-01", Some("2022-05-06"));
    assert_eq!(judge(firm(&u), 100_000_000, vec![l]), (true, String::new()));
}

#[test]
fn a_listing_removed_on_the_evaluation_date_is_not_in_force_but_the_day_after_is() {
    let u = siming();
    let on = listing(ListType::DishonestDebtor, SubjectType::Org, "x", &u, "2020-01-01", Some("2022-05-07"));
    assert_eq!(judge(firm(&u), 100_000_000, vec![on]), (true, String::new()));
    let after = listing(ListType::DishonestDebtor, SubjectType::Org, "x", &u, "2020-01-01", Some("2022-05-08"));
    assert_eq!(judge(firm(&u), 100_000_000, vec![after]), (false, "firm_blacklisted".into()));
}

#[test]
fn a_listing_dated_the_day_after_is_not_in_force() {
    let u = siming();
    let l = listing(ListType::DishonestDebtor, SubjectType::Org, "x", &u, "2022-05-08", None);
    assert_eq!(judge(firm(&u), 100_000_000, vec![l]), (true, String::new()));
    let l = listing(ListType::DishonestDebtor, SubjectType::Org, "x", &u, "2022-05-07", None);
    assert_eq!(judge(firm(&u), 100_000_000, vec![l]), (false, "firm_blacklisted".into()));
}

#[test]
fn blacklisted_legal_rep_by_full_id_makes_firm_ineligible() {
    let l = listing(ListType::DishonestDebtor, SubjectType::Person, "张 三", "11010519491231002x", "2021-01-01", None);
    assert_eq!(judge(firm(&siming()), 100_000_000, vec![l]), (false, "legal_rep_blacklisted".into()));
}

#[test]
fn blacklisted_legal_rep_by_masked_id_makes_firm_ineligible() {
    let l = listing(ListType::DishonestDebtor, SubjectType::Person, "张三", "1101051949****002X", "2021-01-01", None);
    assert_eq!(judge(firm(&siming()), 100_000_000, vec![l]), (false, "legal_rep_blacklisted".into()));
}

#[test]
fn a_masked_id_that_agrees_but_a_different_name_is_no_hit() {
    let l = listing(ListType::DishonestDebtor, SubjectType::Person, "李四", "1101051949****002X", "2021-01-01", None);
    let f = firm(&siming());
    let u = f.uscc.clone();
    let inputs = Inputs { firms: vec![f], exports: exports(&[(&u, 2021, 100, 0)]), listings: vec![l.into()], ..Inputs::default() };
    let e = evaluate(&inputs);
    assert!(e.eligibility[0].is_eligible);
    assert!(e.hits.is_empty());
}

#[test]
fn a_person_listing_with_the_right_name_and_no_id_is_a_possible_match_only() {
    let l = listing(ListType::DishonestDebtor, SubjectType::Person, "张三", "", "2021-01-01", None);
    let f = firm(&siming());
    let u = f.uscc.clone();
    let inputs = Inputs { firms: vec![f], exports: exports(&[(&u, 2021, 100, 0)]), listings: vec![l.into()], ..Inputs::default() };
    let e = evaluate(&inputs);
    assert!(e.eligibility[0].is_eligible);
    assert_eq!(e.eligibility[0].possible_matches, 1);
    assert_eq!(e.hits.len(), 1);
    assert_eq!(e.hits[0].kind.as_str(), "possible_name_only");
    assert!(!e.hits[0].kind.is_hit());
}

#[test]
fn a_firm_without_legal_rep_id_gets_possible_matches_only() {
    let mut f = firm(&siming());
    f.legal_rep_id = None;
    let l = listing(ListType::DishonestDebtor, SubjectType::Person, "张三", "11010519491231002X", "2021-01-01", None);
    let (ok, _) = judge(f, 100, vec![l]);
    assert!(ok);
}

/// Each firm's hits are found by the firm's position: hits in another order than the
/// screen's give every firm the same verdict and counts.
#[test]
fn eligibility_counts_each_firms_own_hits_in_whatever_order_they_come() {
    let a = firm(&siming());
    let mut b = firm(&uscc("91", "350206", "MA2XN0AB"));
    b.legal_rep_id = None;
    let mut c = firm(&uscc("91", "350211", "MA34KQ7T"));
    c.legal_rep_name = "李四".into();
    let u = b.uscc.clone();
    let listings: Vec<std::sync::Arc<Listing>> = vec![
        listing(ListType::GangRelated, SubjectType::Org, "x", &u, "2021-01-01", None).into(),
        listing(ListType::DishonestDebtor, SubjectType::Person, "张三", "", "2021-01-01", None).into(),
        listing(ListType::DishonestDebtor, SubjectType::Person, "张三", "11010519491231002X", "2021-02-01", None).into(),
    ];
    let firms = vec![a, b, c];
    let hits = tongbao::rules::blacklist::screen(&firms, &listings, d(AS_OF));
    let policy = policy();
    let period = policy.period_on(d(AS_OF)).expect("period").clone();
    let ex = exports(&[]);
    let judged = |hits: &[tongbao::rules::blacklist::Hit]| {
        rules::eligibility::judge_all(&firms, &ex, &period, 2021, hits).iter().map(|e| (e.reasons_text(), e.hits, e.possible_matches)).collect::<Vec<_>>()
    };
    let in_order = judged(&hits);
    assert_eq!(
        in_order,
        vec![
            // 张三 by the same full id (a hit) and 张三 with no id (a possible match)
            ("no_exports;legal_rep_blacklisted".to_string(), 1, 1),
            // its USCC listed; its legal representative has no id: both 张三 listings possible
            ("no_exports;firm_blacklisted".to_string(), 1, 2),
            // 李四 is listed nowhere
            ("no_exports".to_string(), 0, 0),
        ]
    );
    let mut reversed = hits.clone();
    reversed.reverse();
    assert_eq!(judged(&reversed), in_order);
}

#[test]
fn hits_record_list_type_case_number_and_how_they_matched() {
    let u = siming();
    let l = listing(ListType::GangRelated, SubjectType::Org, "x", &u, "2021-01-01", None);
    let inputs = Inputs { firms: vec![firm(&u)], exports: exports(&[(&u, 2021, 100, 0)]), listings: vec![l.into()], ..Inputs::default() };
    let e = evaluate(&inputs);
    assert_eq!(e.hits.len(), 1);
    assert_eq!(e.hits[0].listing.list_type.as_str(), "gang_related");
    assert_eq!(e.hits[0].listing.case_no, "(2022)闽0203执1号");
    assert_eq!(e.hits[0].kind.as_str(), "firm_uscc");
}

#[test]
fn a_firm_listed_after_it_enrolled_is_enrolled_not_eligible() {
    let u = siming();
    let l = listing(ListType::DishonestDebtor, SubjectType::Org, "x", &u, "2022-03-01", None);
    let inputs = Inputs {
        firms: vec![firm(&u)],
        exports: exports(&[(&u, 2021, 100_000, 0)]),
        listings: vec![l.into()],
        enrollments: vec![enrollment("A1", &u, "P1", 2022, "2022-01-10", "2022-01-15", EnrollmentStatus::Accepted)],
        ..Inputs::default()
    };
    let e = evaluate(&inputs);
    assert_eq!(e.reconciliation[0].status.as_str(), "enrolled_not_eligible");
    assert_eq!(e.reconciliation[0].subsidy_cny_cents, None);
}

#[test]
fn reconciliation_statuses_and_the_subsidy() {
    let a = uscc("91", "350203", "AAAAAAA1");
    let b = uscc("91", "350203", "BBBBBBB1");
    let c = uscc("91", "350203", "CCCCCCC1");
    let unknown = uscc("91", "350205", "DDDDDDD1");
    let mut dup = enrollment("A3", &a, "P3", 2022, "2022-01-09", "2022-01-15", EnrollmentStatus::Acknowledged);
    dup.premium_cny_cents = Some(999);
    let inputs = Inputs {
        firms: vec![firm(&a), firm(&b), firm(&c)],
        exports: exports(&[(&a, 2021, 100, 0), (&b, 2021, 100, 0)]),
        enrollments: vec![
            enrollment("A2", &a, "P1", 2022, "2022-01-10", "2022-01-15", EnrollmentStatus::Accepted),
            dup,
            enrollment("A1", &b, "P2", 2022, "2022-01-10", "2022-01-15", EnrollmentStatus::Submitted),
            enrollment("A4", &c, "P4", 2021, "2021-01-10", "2021-01-15", EnrollmentStatus::Accepted),
            enrollment("A5", &unknown, "P5", 2022, "2022-01-10", "2022-01-15", EnrollmentStatus::Accepted),
            enrollment("A6", &b, "P6", 2022, "2022-05-08", "2022-05-10", EnrollmentStatus::Accepted),
        ],
        ..Inputs::default()
    };
    let e = evaluate(&inputs);
    let row = |u: &str| e.reconciliation.iter().find(|r| r.uscc == u).expect("row");
    // a: two enrolled applications; the earliest (A3, applied 2022-01-09) counts
    assert_eq!(row(&a).status.as_str(), "eligible_enrolled");
    assert_eq!(row(&a).application_id.as_deref(), Some("A3"));
    assert!(row(&a).duplicate_enrollment);
    assert_eq!(row(&a).subsidy_cny_cents, Some(999));
    // b: only a submitted application, and one applied after the evaluation date
    assert_eq!(row(&b).status.as_str(), "eligible_not_enrolled");
    assert_eq!(e.enrollments_out_of_run, 1);
    // c: no exports; enrolled only for 2021
    assert_eq!(row(&c).status.as_str(), "not_eligible_not_enrolled");
    assert_eq!(row(&unknown).status.as_str(), "enrolled_unknown_firm");
    assert_eq!(e.reconciliation.len(), 4);
}

#[test]
fn an_enrollment_of_a_firm_whose_register_row_was_rejected_is_told_apart_from_an_unknown_firm() {
    let known = uscc("91", "350203", "AAAAAAA1");
    let rejected = uscc("91", "350206", "EEEEEEE1");
    let stranger = uscc("91", "350205", "DDDDDDD1");
    let inputs = Inputs {
        firms: vec![firm(&known)],
        rejected_firms: vec![rejected.as_str().into()],
        exports: exports(&[(&known, 2021, 100, 0)]),
        enrollments: vec![
            enrollment("A1", &rejected, "P1", 2022, "2022-01-10", "2022-01-15", EnrollmentStatus::Accepted),
            enrollment("A2", &stranger, "P2", 2022, "2022-01-10", "2022-01-15", EnrollmentStatus::Accepted),
            enrollment("A3", &rejected, "P3", 2022, "2022-01-11", "2022-01-15", EnrollmentStatus::Accepted),
        ],
        ..Inputs::default()
    };
    let e = evaluate(&inputs);
    let got: Vec<(&str, &str, bool, Option<i64>)> = e
        .reconciliation
        .iter()
        .filter(|r| r.uscc != known.as_str())
        .map(|r| (r.application_id.as_deref().unwrap_or(""), r.status.as_str(), r.duplicate_enrollment, r.subsidy_cny_cents))
        .collect();
    assert_eq!(
        got,
        vec![("A2", "enrolled_unknown_firm", false, None), ("A1", "enrolled_firm_rejected", false, None), ("A3", "enrolled_firm_rejected", true, None)]
    );
}

#[test]
fn enrollments_and_claims_dated_after_the_evaluation_date_are_counted_out_of_the_run() {
    let a = uscc("91", "350203", "AAAAAAA1");
    let inputs = Inputs {
        firms: vec![firm(&a)],
        exports: exports(&[(&a, 2021, 100, 0)]),
        enrollments: vec![
            enrollment("A1", &a, "P1", 2022, "2022-01-10", "2022-01-15", EnrollmentStatus::Accepted),
            enrollment("A2", &a, "P2", 2022, "2022-05-08", "2022-05-10", EnrollmentStatus::Accepted),
            enrollment("A3", &a, "P3", 2022, "2022-06-01", "2022-06-10", EnrollmentStatus::Accepted),
        ],
        claims: vec![claim("C1", &a, 100, "2022-05-07"), claim("C2", &a, 100, "2022-05-08"), claim("C3", &a, 100, "2022-07-01"), claim("C4", &a, 100, "2022-09-01")],
        ..Inputs::default()
    };
    let e = evaluate(&inputs);
    // the evaluation date itself is in the run; every later date is out of it
    assert_eq!((e.enrollments_out_of_run, e.claims_out_of_run), (2, 3));
    assert_eq!(e.claims.len(), 1);
}

#[test]
fn the_listing_filter_drops_a_listing_that_meets_no_firm_and_keeps_one_that_may() {
    use tongbao::rules::blacklist::FirmKeys;
    let f = firm(&uscc("91", "350203", "MA33GULG"));
    let keys = FirmKeys::new(std::slice::from_ref(&f));
    let org = |name: &str, id: &str| listing(ListType::DishonestDebtor, SubjectType::Org, name, id, "2021-01-01", None);
    let person = |name: &str, id: &str| listing(ListType::DishonestDebtor, SubjectType::Person, name, id, "2021-01-01", None);
    // kept: the firm's USCC, its name, its representative by name and id, by name alone
    assert!(keys.may_match(&org("某某公司", &f.uscc)));
    assert!(keys.may_match(&org(&f.name, "")));
    assert!(keys.may_match(&person("张三", "11010519491231002X")));
    assert!(keys.may_match(&person("张三", "")));
    // a masked id showing the representative's first six and last four characters
    assert!(keys.may_match(&person("张三", "110105********002X")));
    // dropped: another firm's USCC, another firm's name, another person
    assert!(!keys.may_match(&org("某某公司", &uscc("91", "350206", "MA2YJ5LU"))));
    assert!(!keys.may_match(&org("另一家贸易有限公司", "")));
    assert!(!keys.may_match(&person("李四", "")));
    assert!(!keys.may_match(&person("李四", "110105194912310038")));
    // the representative's name with a masked id whose ends are not his
    assert!(!keys.may_match(&person("张三", "350203********1234")));
    // a representative with no id: a listing of the name may match whatever its id
    let mut loose = firm(&uscc("91", "350206", "MA2YJ5LU"));
    loose.legal_rep_name = "王五".into();
    loose.legal_rep_id = None;
    let keys = FirmKeys::new(&[f.clone(), loose.clone()]);
    assert!(keys.may_match(&person(&loose.legal_rep_name, "110105194912310038")));
    assert!(keys.may_match(&person(&loose.legal_rep_name, "350203********1234")));
    assert!(!keys.may_match(&person("李四", "110105194912310038")));
}
