//! Properties that must always hold, over generated claims and inputs.

use proptest::prelude::*;
use tongbao::model::*;
use tongbao::rules::claims::price;

use crate::support::*;

fn arb_claim(n: usize) -> impl Strategy<Value = Claim> {
    (
        0..n,
        0i64..10_000_000,
        0usize..3,
        0usize..4,
        0usize..6,
        1u32..28,
        prop::option::of(0i64..2_000_000),
        0usize..3,
    )
        .prop_map(|(i, loss, obligor, policy, status, day, recovered, currency)| {
            let mut c = claim(&format!("C{i:04}"), &uscc("91", "350203", "MA33GULG"), loss, &format!("2022-03-{day:02}"));
            c.obligor_key = ["B1", "B2", "B3"][obligor].into();
            c.obligor_id = c.obligor_key.clone();
            c.policy_no = ["P1", "P2", "P3", "PX"][policy].into();
            c.status = [
                ClaimStatus::Notified,
                ClaimStatus::Filed,
                ClaimStatus::UnderReview,
                ClaimStatus::Paid,
                ClaimStatus::Rejected,
                ClaimStatus::Withdrawn,
            ][status];
            c.recovered_cents = recovered;
            c.currency = ["USD", "CNY", "JPY"][currency].into();
            c
        })
}

fn apps() -> Vec<Enrollment> {
    let u = uscc("91", "350203", "MA33GULG");
    ["P1", "P2", "P3"]
        .iter()
        .map(|p| enrollment(&format!("A{p}"), &u, p, 2022, "2022-01-10", "2022-01-15", EnrollmentStatus::Accepted))
        .collect()
}

fn rates() -> Vec<FxRate> {
    vec![fx("USD", "2022-01-04", 63794, 4, 1), fx("JPY", "2022-01-04", 55012, 4, 100)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn the_cap_is_never_exceeded_and_no_claim_gets_more_than_its_ratio(claims in prop::collection::vec(arb_claim(60), 1..60)) {
        let mut seen = std::collections::HashSet::new();
        let claims: Vec<Claim> = claims.into_iter().filter(|c| seen.insert(c.claim_id.clone())).collect();
        let results = price(&claims, &apps(), &rates(), &policy());
        let mut per_obligor: std::collections::HashMap<(String, String), i64> = Default::default();
        for r in &results {
            if let (Some(loss), Some(ind)) = (r.usd_loss_cents, r.indemnity_cents) {
                prop_assert!(ind >= 0);
                prop_assert!(ind * 10_000 <= loss * 8_000, "{} gets {} of {}", r.claim_id, ind, loss);
                *per_obligor.entry((r.policy_no.clone(), r.obligor_key.clone())).or_default() += ind;
                if let Some(left) = r.capacity_left_cents {
                    prop_assert!(left >= 0);
                }
            }
        }
        for (k, total) in per_obligor {
            prop_assert!(total <= 5_000_000, "{:?} takes {}", k, total);
        }
    }

    #[test]
    fn shuffling_the_claims_changes_no_result(claims in prop::collection::vec(arb_claim(40), 1..40), seed in any::<u64>()) {
        let mut seen = std::collections::HashSet::new();
        let claims: Vec<Claim> = claims.into_iter().filter(|c| seen.insert(c.claim_id.clone())).collect();
        let mut shuffled = claims.clone();
        // a deterministic Fisher-Yates from the seed
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let mut a = price(&claims, &apps(), &rates(), &policy());
        let mut b = price(&shuffled, &apps(), &rates(), &policy());
        a.sort_by(|x, y| x.claim_id.cmp(&y.claim_id));
        b.sort_by(|x, y| x.claim_id.cmp(&y.claim_id));
        prop_assert_eq!(a, b);
    }
}

mod screen {
    use proptest::prelude::*;
    use tongbao::model::*;
    use tongbao::rules::blacklist::screen;

    use crate::support::*;

    const NAMES: [&str; 3] = ["张三", "李四", "王五"];

    /// The rules for a legal representative and a person listing of the same name, written
    /// plainly on the texts (not with the code under test): no id on the listing, or none
    /// for the representative, is a possible match; masked against masked is one too; a
    /// masked id matches a full resident ID with its prefix and suffix; anything else
    /// matches by equality.
    fn reference_match(rep: &str, listed: &str) -> Option<&'static str> {
        let masked = |s: &str| s.contains('*');
        let resident = |s: &str| s.len() == 18 && s[..17].bytes().all(|b| b.is_ascii_digit());
        let covers = |mask: &str, full: &str| {
            let (prefix, suffix) = (&mask[..mask.find('*').unwrap()], &mask[mask.rfind('*').unwrap() + 1..]);
            resident(full) && full.starts_with(prefix) && full.ends_with(suffix)
        };
        match (rep, listed) {
            (_, "") => Some("possible_name_only"),
            ("", _) => Some("possible_no_rep_id"),
            (r, l) if masked(r) && masked(l) => Some("possible_masked_masked"),
            (r, l) if masked(l) => covers(l, r).then_some("legal_rep_masked_id"),
            (r, l) if masked(r) => covers(r, l).then_some("legal_rep_masked_id"),
            (r, l) => (r.eq_ignore_ascii_case(l)).then_some("legal_rep_id"),
        }
    }
    const IDS: [&str; 3] = ["11010519491231002X", "350203198001011234", "440304199012120017"];

    /// A legal representative's or a listing's id: none, full, masked in several shapes, opaque.
    fn id_text(kind: usize, which: usize, shape: usize) -> String {
        let full = IDS[which % 3];
        match kind {
            0 => String::new(),
            1 => full.to_string(),
            2 => {
                let (p, s) = [(6, 4), (10, 4), (10, 3), (1, 1)][shape % 4];
                format!("{}{}{}", &full[..p], "*".repeat(18 - p - s + shape % 2), &full[18 - s..])
            }
            _ => format!("H0{which}"),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// The screen's hash probes find exactly what comparing every listing would.
        #[test]
        fn the_hash_screen_equals_the_pairwise_rule(
            firms in prop::collection::vec((0usize..3, 0usize..4, 0usize..3, 0usize..4), 1..6),
            listings in prop::collection::vec((0usize..3, 0usize..4, 0usize..3, 0usize..4), 0..12),
        ) {
            let firms: Vec<Firm> = firms.iter().enumerate().map(|(i, (n, k, w, s))| {
                let mut f = firm(&uscc("91", "350203", &format!("AAAAAA{:02}", i)));
                f.legal_rep_name = NAMES[*n].into();
                let id = id_text(*k, *w, *s);
                f.legal_rep_id = (!id.is_empty()).then(|| id.into());
                f
            }).collect();
            let listings: Vec<std::sync::Arc<Listing>> = listings.iter().enumerate().map(|(i, (n, k, w, s))| {
                let mut l = listing(ListType::DishonestDebtor, SubjectType::Person, NAMES[*n], &id_text(*k, *w, *s), "2021-01-01", None);
                l.origin.row = i as u64 + 2;
                l.into()
            }).collect();
            let hits = screen(&firms, &listings, d("2022-05-07"));
            // a hit names its firm by position among those screened
            prop_assert!(hits.iter().all(|h| firms[h.firm as usize].uscc == h.uscc));
            let mut fast: Vec<(String, u64, &str)> = hits.iter().map(|h| (h.uscc.to_string(), h.listing.origin.row, h.kind.as_str())).collect();
            let mut slow: Vec<(String, u64, &str)> = Vec::new();
            for f in &firms {
                let rep = f.legal_rep_id.as_deref().unwrap_or("");
                for l in listings.iter().filter(|l| l.name.as_str() == f.legal_rep_name.as_str()) {
                    if let Some(kind) = reference_match(rep, &l.id_raw) {
                        slow.push((f.uscc.to_string(), l.origin.row, kind));
                    }
                }
            }
            fast.sort();
            slow.sort();
            prop_assert_eq!(&fast, &slow);
            // the listings kept while reading (those whose keys meet a firm's) give the same screen
            let keys = tongbao::rules::blacklist::FirmKeys::new(&firms);
            let kept: Vec<std::sync::Arc<Listing>> = listings.iter().filter(|l| keys.may_match(l)).cloned().collect();
            let mut from_kept: Vec<(String, u64, &str)> = screen(&firms, &kept, d("2022-05-07"))
                .iter().map(|h| (h.uscc.to_string(), h.listing.origin.row, h.kind.as_str())).collect();
            from_kept.sort();
            prop_assert_eq!(from_kept, fast);
        }
    }
}

mod ledger {
    use proptest::prelude::*;
    use tongbao::model::*;
    use tongbao::rules::claims::price;

    use crate::support::*;

    /// The cap ledger written plainly: claims in (notified_on, claim_id as bytes) order, each
    /// taking min(80% of its loss rounded down, USD 50,000 − what its (policy, obligor type,
    /// obligor) already took).
    fn reference(claims: &[(String, u8, u8, i64, u32)]) -> std::collections::BTreeMap<String, i64> {
        let mut order: Vec<&(String, u8, u8, i64, u32)> = claims.iter().collect();
        order.sort_by(|a, b| (a.4, a.0.as_bytes()).cmp(&(b.4, b.0.as_bytes())));
        let mut taken: std::collections::HashMap<(u8, u8), i64> = std::collections::HashMap::new();
        let mut out = std::collections::BTreeMap::new();
        for (id, kind, obligor, loss, _) in order {
            let before_cap = loss * 8000 / 10_000;
            let used = taken.entry((*kind, *obligor)).or_insert(0);
            let granted = before_cap.min(5_000_000 - *used);
            *used += granted;
            out.insert(id.clone(), granted);
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Random text ids (so id order and notification order disagree), two obligor
        /// types sharing ids: the ledger equals the plain one.
        #[test]
        fn the_cap_ledger_equals_a_plain_reference(
            raw in prop::collection::vec(("[A-Za-z0-9-]{1,6}", 0u8..2, 0u8..2, 0i64..4_000_000, 0u32..5), 1..12)
        ) {
            // unique ids, as the claims key makes them
            let mut seen = std::collections::HashSet::new();
            let claims_in: Vec<(String, u8, u8, i64, u32)> = raw.into_iter().filter(|c| seen.insert(c.0.to_uppercase())).map(|(id, k, o, l, day)| (id.to_uppercase(), k, o, l, day)).collect();
            let u = uscc("91", "350203", "MA33GULG");
            let claims: Vec<Claim> = claims_in.iter().map(|(id, kind, obligor, loss, day)| {
                let mut c = claim(id, &u, *loss, &format!("2022-03-{:02}", day + 1));
                c.obligor_type = if *kind == 0 { ObligorType::Buyer } else { ObligorType::IssuingBank };
                let key = if *obligor == 0 { "BKCHCNBJ" } else { "HSBCHKHH" };
                c.obligor_id = key.into();
                c.obligor_key = key.into();
                c
            }).collect();
            let app = enrollment("A1", &u, "P1", 2022, "2022-01-10", "2022-01-15", EnrollmentStatus::Accepted);
            let rates = vec![fx("USD", "2022-01-04", 63794, 4, 1)];
            let got: std::collections::BTreeMap<String, i64> =
                price(&claims, &[app], &rates, &policy()).into_iter().map(|r| (r.claim_id.clone(), r.indemnity_cents.unwrap_or(-1))).collect();
            prop_assert_eq!(got, reference(&claims_in));
        }
    }
}

/// Reconciliation the plain way: each USCC's enrolled applications in a map, sorted.
/// Rows as (uscc, status, application, duplicate, others, subsidy).
fn reconcile_by_map(firms: &[Firm], rejected: &[Text], eligible: &[bool], enrollments: &[Enrollment], period: &tongbao::policy::Period, as_of: chrono::NaiveDate) -> Vec<(String, &'static str, Option<String>, bool, String, Option<i64>)> {
    use std::collections::BTreeMap;
    use tongbao::rules::reconcile::{ReconStatus, enrolls_for};
    let mut by_uscc: BTreeMap<&str, Vec<&Enrollment>> = BTreeMap::new();
    for e in enrollments.iter().filter(|e| enrolls_for(e, period, as_of)) {
        by_uscc.entry(e.uscc.as_str()).or_default().push(e);
    }
    for v in by_uscc.values_mut() {
        v.sort_by(|a, b| (a.applied_on, &a.application_id).cmp(&(b.applied_on, &b.application_id)));
    }
    let mut rows = Vec::new();
    for (f, &ok) in firms.iter().zip(eligible) {
        let apps = by_uscc.remove(f.uscc.as_str()).unwrap_or_default();
        let status = match (ok, !apps.is_empty()) {
            (true, true) => ReconStatus::EligibleEnrolled,
            (true, false) => ReconStatus::EligibleNotEnrolled,
            (false, true) => ReconStatus::EnrolledNotEligible,
            (false, false) => ReconStatus::NotEligibleNotEnrolled,
        };
        let others: Vec<&str> = apps.iter().skip(1).map(|e| e.application_id.as_str()).collect();
        let subsidy = apps.first().filter(|_| status == ReconStatus::EligibleEnrolled).and_then(|e| e.premium_cny_cents);
        rows.push((f.uscc.to_string(), status.as_str(), apps.first().map(|e| e.application_id.to_string()), apps.len() > 1, others.join(";"), subsidy));
    }
    for (uscc, apps) in by_uscc {
        let status = if rejected.iter().any(|r| r.as_str() == uscc) { ReconStatus::EnrolledFirmRejected } else { ReconStatus::EnrolledUnknownFirm };
        for (i, e) in apps.iter().enumerate() {
            rows.push((uscc.to_string(), status.as_str(), Some(e.application_id.to_string()), i > 0, String::new(), None));
        }
    }
    rows
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Reconciliation finds each firm's applications in a sorted list (galloping, firms in
    /// any order) and the applications of no firm beside the firms' rows: the same rows as
    /// a map of each USCC's applications gives.
    #[test]
    fn reconciliation_agrees_with_a_map_of_each_firms_applications(
        firm_order in Just((0..6usize).collect::<Vec<_>>()).prop_shuffle(),
        n_firms in 0usize..=6,
        eligible in prop::collection::vec(any::<bool>(), 6),
        rejected in prop::sample::subsequence((6..9usize).collect::<Vec<_>>(), 0..=3),
        rows in prop::collection::vec((0usize..9, 1u32..6, 0usize..3, 0usize..3, 0usize..2), 0..24),
    ) {
        let pool: Vec<String> = ["AAAAAAA1", "BBBBBBB2", "CCCCCCC3", "DDDDDDD4", "EEEEEEE5", "FFFFFFF6", "GGGGGGG7", "HHHHHHH8", "JJJJJJJ9"]
            .iter().map(|o| uscc("91", "350203", o)).collect();
        let firms: Vec<Firm> = firm_order[..n_firms].iter().map(|&i| firm(&pool[i])).collect();
        let eligible = &eligible[..n_firms];
        let mut rejected: Vec<Text> = rejected.iter().map(|&i| Text::from(pool[i].as_str())).collect();
        rejected.sort();
        let statuses = [EnrollmentStatus::Accepted, EnrollmentStatus::Submitted, EnrollmentStatus::Acknowledged];
        let enrollments: Vec<Enrollment> = rows.iter().map(|&(u, day, app, status, year)| {
            enrollment(["A1", "A2", "A3"][app], &pool[u], "P1", [2022, 2021][year], &format!("2022-0{day}-01"), "2022-01-15", statuses[status])
        }).collect();
        let as_of = d("2022-05-07");
        let policy = policy();
        let period = policy.period_on(as_of).expect("a period");
        let eligibility: Vec<tongbao::rules::eligibility::Eligibility> = eligible.iter().map(|&ok| tongbao::rules::eligibility::Eligibility {
            district: "350203".into(), district_source: "district_code", reference_year: 2021, self_exports_cents: 1, agency_exports_cents: 0,
            is_eligible: ok, reasons: Default::default(), hits: 0, possible_matches: 0,
        }).collect();
        let got: Vec<_> = tongbao::rules::reconcile::reconcile(&firms, &rejected, &eligibility, &enrollments, period, as_of).iter().map(|r| (
            r.uscc.to_string(), r.status.as_str(), r.application_id.as_ref().map(|a| a.to_string()), r.duplicate_enrollment, r.other_applications.to_string(), r.subsidy_cny_cents,
        )).collect();
        prop_assert_eq!(got, reconcile_by_map(&firms, &rejected, eligible, &enrollments, period, as_of));
    }
}
