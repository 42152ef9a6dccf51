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

/// Exports by (USCC, year). A run's loading keeps the reference year's only
/// (`ExportValidator::for_year`).
pub type Exports = foldhash::HashMap<(UsccKey, i32), ExportTotals>;

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
