//! The accepted rows of every input, typed: what validation hands to the rules.

use std::sync::Arc;

use chrono::NaiveDate;

use crate::ident::DocId;

/// Short text: kept inline up to 24 bytes (USCCs, codes, statuses, most people's names),
/// so that a national register of ten million firms does not cost an allocation per value.
pub type Text = compact_str::CompactString;

/// A normalised USCC's 18 bytes (`ident::uscc_key`): the key of per-firm maps that hold
/// millions of entries.
pub type UsccKey = [u8; 18];

/// Where an accepted row came from, for explanations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: Arc<str>,
    pub row: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firm {
    /// Normalised USCC (well-formed; its check characters may be wrong).
    pub uscc: Text,
    /// Both check characters hold.
    pub uscc_valid: bool,
    /// Shared with the output rows that name the firm.
    pub name: Arc<str>,
    pub company_type: Text,
    pub reg_status: Text,
    /// Six-digit division code, when given and well-formed.
    pub district_code: Option<Text>,
    pub legal_rep_name: Text,
    /// Full resident ID, masked ID or other document number, normalised.
    pub legal_rep_id: Option<Text>,
    pub established_on: Option<NaiveDate>,
    pub origin: Origin,
}

/// One firm's exports in one year, summed over months and rows while reading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportTotals {
    pub self_cents: i64,
    pub agency_cents: i64,
    pub rows: u32,
}

/// Exports by (USCC, year), in key order: one entry a key, summed. A run's loading keeps
/// the reference year's only (`ExportValidator::for_year`).
///
/// A sorted list rather than a hash map: the firms are judged in USCC order, so that each
/// looks a little further along the list than the one before (one pass over memory, where
/// a map of ten million keys misses the cache on every firm), and sums are added by
/// appending and sorting, never by rehashing a growing map while the input streams in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exports {
    totals: Vec<((UsccKey, i32), ExportTotals)>,
}

impl Exports {
    /// Sums of `runs` (keys in any order, repeated or not), one entry a key.
    pub fn from_runs(mut runs: Vec<((UsccKey, i32), ExportTotals)>) -> Exports {
        use rayon::prelude::*;
        // stable: a list whose first part is sorted already (the sums so far, see
        // `validate::ExportValidator`) is merged with the sorted rest, not sorted anew
        runs.par_sort_by(|a, b| a.0.cmp(&b.0));
        runs.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1.self_cents += later.1.self_cents;
                kept.1.agency_cents += later.1.agency_cents;
                kept.1.rows += later.1.rows;
            }
            same
        });
        Exports { totals: runs }
    }

    /// The sums in key order, given back to be added to (`from_runs` takes them again).
    pub fn into_runs(self) -> Vec<((UsccKey, i32), ExportTotals)> {
        self.totals
    }

    pub fn len(&self) -> usize {
        self.totals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.totals.is_empty()
    }

    /// The sums, in key order.
    pub fn values(&self) -> impl Iterator<Item = &ExportTotals> {
        self.totals.iter().map(|(_, totals)| totals)
    }

    pub fn get(&self, key: &(UsccKey, i32)) -> Option<&ExportTotals> {
        let mut at = 0;
        self.get_from(&mut at, key)
    }

    /// The sums of `key`, looked for from position `*at` on when `key` is not below the
    /// key there (keys asked for in rising order are found in one pass), from the start
    /// otherwise; `*at` is left where `key` is or would be.
    pub fn get_from(&self, at: &mut usize, key: &(UsccKey, i32)) -> Option<&ExportTotals> {
        let t = &self.totals;
        let mut lo = if t.get(*at).is_some_and(|(k, _)| k <= key) { *at } else { 0 };
        // gallop: the next key is usually near, a binary search would start far away
        let mut step = 1;
        while lo + step < t.len() && t[lo + step].0 <= *key {
            lo += step;
            step *= 2;
        }
        let hi = (lo + step).min(t.len());
        let i = lo + t[lo..hi].partition_point(|(k, _)| k < key);
        *at = i;
        t.get(i).filter(|(k, _)| k == key).map(|(_, totals)| totals)
    }
}

impl std::ops::Index<&(UsccKey, i32)> for Exports {
    type Output = ExportTotals;

    fn index(&self, key: &(UsccKey, i32)) -> &ExportTotals {
        self.get(key).expect("no exports of this key")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ListType {
    DishonestDebtor,
    SeriousDishonesty,
    GangRelated,
}

impl ListType {
    pub fn as_str(self) -> &'static str {
        match self {
            ListType::DishonestDebtor => "dishonest_debtor",
            ListType::SeriousDishonesty => "serious_dishonesty",
            ListType::GangRelated => "gang_related",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectType {
    Org,
    Person,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub list_type: ListType,
    pub subject_type: SubjectType,
    pub name: Text,
    /// The name's comparison key.
    pub name_key: Text,
    pub id: Option<DocId>,
    /// The id as written, for the hits table.
    pub id_raw: Text,
    pub listed_on: NaiveDate,
    pub removed_on: Option<NaiveDate>,
    pub case_no: Text,
    pub origin: Origin,
}

impl Listing {
    /// In force on `d`: listed on or before it and not yet removed.
    pub fn in_force(&self, d: NaiveDate) -> bool {
        in_force(self.listed_on, self.removed_on, d)
    }
}

/// A listing in force on `d`: listed on or before it, and not removed on or before it.
pub fn in_force(listed_on: NaiveDate, removed_on: Option<NaiveDate>, d: NaiveDate) -> bool {
    listed_on <= d && removed_on.is_none_or(|r| r > d)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnrollmentStatus {
    Submitted,
    Accepted,
    Acknowledged,
    Rejected,
    Cancelled,
}

impl EnrollmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EnrollmentStatus::Submitted => "submitted",
            EnrollmentStatus::Accepted => "accepted",
            EnrollmentStatus::Acknowledged => "acknowledged",
            EnrollmentStatus::Rejected => "rejected",
            EnrollmentStatus::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    pub application_id: Text,
    pub uscc: Text,
    pub policy_no: Text,
    pub policy_year: i32,
    pub applied_on: NaiveDate,
    pub effective_on: NaiveDate,
    pub status: EnrollmentStatus,
    pub premium_cny_cents: Option<i64>,
    pub origin: Origin,
}

impl Enrollment {
    /// Which of a firm's applications counts, lowest first: the earliest applied, then the
    /// smaller id (reconciliation and the claims' cover both take the lowest).
    pub fn seniority(&self) -> (NaiveDate, &str) {
        (self.applied_on, &self.application_id)
    }
}

/// A reviewer's decision on the possible matches of one firm and one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReviewDecision {
    /// Not the listed person: the possible match stays, marked cleared, and decides nothing.
    Cleared,
    /// The listed person: the possible match counts as a hit of its listing's subject.
    Confirmed,
}

impl ReviewDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewDecision::Cleared => "cleared",
            ReviewDecision::Confirmed => "confirmed",
        }
    }
}

/// One row of the `reviews` input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub uscc: Text,
    /// The case number as written.
    pub case_no: Text,
    /// The case number as compared: normalised as names are.
    pub case_key: Text,
    pub decision: ReviewDecision,
    pub decided_on: NaiveDate,
    pub reviewer: Text,
    pub note: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObligorType {
    Buyer,
    IssuingBank,
}

impl ObligorType {
    pub fn as_str(self) -> &'static str {
        match self {
            ObligorType::Buyer => "buyer",
            ObligorType::IssuingBank => "issuing_bank",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClaimStatus {
    Notified,
    Filed,
    UnderReview,
    Paid,
    Rejected,
    Withdrawn,
}

impl ClaimStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Notified => "notified",
            ClaimStatus::Filed => "filed",
            ClaimStatus::UnderReview => "under_review",
            ClaimStatus::Paid => "paid",
            ClaimStatus::Rejected => "rejected",
            ClaimStatus::Withdrawn => "withdrawn",
        }
    }

    /// Notified, filed, under review or paid: the claim consumes the cap.
    pub fn is_live(self) -> bool {
        !matches!(self, ClaimStatus::Rejected | ClaimStatus::Withdrawn)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub claim_id: String,
    pub policy_no: String,
    pub uscc: String,
    pub obligor_type: ObligorType,
    /// The obligor id as given, normalised.
    pub obligor_id: String,
    /// The obligor the cap is counted on: the buyer's id, or the bank's BIC's first 8.
    pub obligor_key: String,
    pub obligor_name: String,
    pub obligor_country: String,
    /// Trimmed, lower-cased; Chinese names of covered causes mapped to their codes.
    pub cause: String,
    pub payment_terms: String,
    pub credit_days: i64,
    pub self_contracted: bool,
    pub self_declared: bool,
    pub shipped_on: NaiveDate,
    pub notified_on: NaiveDate,
    pub currency: String,
    pub loss_cents: i64,
    pub status: ClaimStatus,
    pub paid_usd_cents: Option<i64>,
    pub recovered_cents: Option<i64>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FxRate {
    pub currency: String,
    pub rate_date: NaiveDate,
    /// CNY per `units` units, exact: mantissa × 10^-scale.
    pub mantissa: i128,
    pub scale: u32,
    pub units: i64,
}

/// Every accepted row of every input.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub firms: Vec<Firm>,
    /// USCCs of firm rows that were rejected (a duplicate key, a missing value), sorted:
    /// the register knows these firms, but their rows are unusable.
    pub rejected_firms: Vec<Text>,
    /// Where the rejected rows with a key stand, by input and key: what `explain` shows of
    /// a firm or claim that was rejected.
    pub rejected_rows: Vec<(crate::schema::Input, Text, Origin)>,
    pub exports: Exports,
    /// Shared with the hits made of them (`blacklist::Hit`).
    pub listings: Vec<Arc<Listing>>,
    pub enrollments: Vec<Enrollment>,
    pub claims: Vec<Claim>,
    pub fx_rates: Vec<FxRate>,
    pub reviews: Vec<Review>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(firm: u8, year: i32) -> (UsccKey, i32) {
        let mut k = [b'0'; 18];
        k[17] = b'A' + firm;
        (k, year)
    }

    fn totals(self_cents: i64, agency_cents: i64) -> ExportTotals {
        ExportTotals { self_cents, agency_cents, rows: 1 }
    }

    #[test]
    fn runs_of_one_key_are_summed_wherever_they_stand() {
        let e = Exports::from_runs(vec![(key(2, 2021), totals(5, 0)), (key(1, 2021), totals(1, 2)), (key(2, 2021), totals(7, 3)), (key(2, 2020), totals(100, 0))]);
        assert_eq!(e.len(), 3);
        assert_eq!(e[&key(2, 2021)], ExportTotals { self_cents: 12, agency_cents: 3, rows: 2 });
        assert_eq!(e[&key(2, 2020)].self_cents, 100);
        assert_eq!(e.get(&key(3, 2021)), None);
        assert_eq!(Exports::default().get(&key(0, 2021)), None);
    }

    proptest! {
        /// The sums are a map's, and a key is found from any position, in any order of asking.
        #[test]
        fn sums_and_lookups_agree_with_a_map(
            runs in proptest::collection::vec((0u8..20, 2019i32..2023, -1000i64..1000), 0..200),
            asks in proptest::collection::vec((0u8..22, 2018i32..2024), 0..100),
            sorted_asks in any::<bool>(),
        ) {
            let mut map: std::collections::HashMap<(UsccKey, i32), ExportTotals> = Default::default();
            for &(f, y, c) in &runs {
                let t = map.entry(key(f, y)).or_default();
                t.self_cents += c;
                t.rows += 1;
            }
            let e = Exports::from_runs(runs.iter().map(|&(f, y, c)| (key(f, y), totals(c, 0))).collect());
            prop_assert_eq!(e.len(), map.len());
            let mut asks: Vec<_> = asks.into_iter().map(|(f, y)| key(f, y)).collect();
            if sorted_asks {
                asks.sort();
            }
            let mut at = 0;
            for k in &asks {
                prop_assert_eq!(e.get_from(&mut at, k), map.get(k));
                prop_assert_eq!(e.get(k), map.get(k));
            }
            // added to again: the sums given back and more runs sum as all the runs at once
            let again = Exports::from_runs(e.clone().into_runs().into_iter().chain(e.clone().into_runs()).collect());
            for (k, t) in &map {
                prop_assert_eq!(again[k].self_cents, 2 * t.self_cents);
            }
        }
    }
}
