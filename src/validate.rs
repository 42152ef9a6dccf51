//! Validation: every row against its input's contract (docs/rules.md), into typed accepted
//! rows, rejects (one per row, column and reason) and warnings on optional columns.
//!
//! For every input, rows read = rows accepted + rows rejected.

use std::sync::Arc;

use crate::ident::{self, DocId, Uscc};
use crate::ingest::Sink;
use crate::model::*;
use crate::rejects::{Reason, Reject};
use crate::schema::{Input, col};
use crate::values;

/// Rows read, accepted and rejected for one input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
}

/// One input after validation.
#[derive(Debug, Default)]
pub struct Validated<T> {
    pub rows: T,
    pub rejects: Vec<Reject>,
    pub warnings: Vec<Reject>,
    pub counts: Counts,
    /// Where each rejected row whose key parsed stands: (key, where), in key order (firms:
    /// the USCCs the register knows but whose rows could not be used).
    pub rejected_rows: Vec<(Text, Origin)>,
}

/// The checks of one row: collects its rejects and warnings.
pub struct RowCheck<'a> {
    input: Input,
    file: &'a str,
    row: u64,
    cells: &'a [Option<&'a str>],
    spreadsheet: bool,
    rejects: Vec<Reject>,
    warnings: Vec<Reject>,
}

/// The position of a column in its input's schema. Called for every cell, so a linear
/// scan of the input's few columns, the same static name found by its address first.
fn index(input: Input, name: &str) -> usize {
    let columns = input.columns();
    let found = columns.iter().position(|c| std::ptr::eq(c.name, name)).or_else(|| columns.iter().position(|c| c.name == name));
    match found {
        Some(i) => i,
        None => panic!("schema: input `{}` has no column `{name}`", input.name()),
    }
}

impl<'a> RowCheck<'a> {
    fn raw(&self, name: &str) -> Option<&'a str> {
        self.cells[index(self.input, name)].map(str::trim).filter(|s| !s.is_empty())
    }

    /// A required value: `None` (and a `missing_value` reject) when empty.
    fn required(&mut self, name: &str) -> Option<&'a str> {
        let v = self.raw(name);
        if v.is_none() {
            self.reject(name, "", Reason::MissingValue);
        }
        v
    }

    fn optional(&self, name: &str) -> Option<&'a str> {
        self.raw(name)
    }

    fn reject(&mut self, name: &str, value: &str, reason: Reason) {
        self.rejects.push(Reject::new(self.input.name(), self.file, self.row, name, value, reason));
    }

    fn warn(&mut self, name: &str, value: &str, reason: Reason) {
        self.warnings.push(Reject::new(self.input.name(), self.file, self.row, name, value, reason));
    }

    /// Parse a required value; a failure is a reject with the parser's reason.
    fn parse<T>(&mut self, name: &str, f: impl FnOnce(&str) -> Result<T, Reason>) -> Option<T> {
        let v = self.required(name)?;
        match f(v) {
            Ok(t) => Some(t),
            Err(r) => {
                self.reject(name, v, r);
                None
            }
        }
    }

    /// Parse an optional value; a failure is a warning and the value is treated as absent.
    fn parse_optional<T>(&mut self, name: &str, f: impl FnOnce(&str) -> Result<T, Reason>) -> Option<T> {
        let v = self.optional(name)?;
        match f(v) {
            Ok(t) => Some(t),
            Err(r) => {
                self.warn(name, v, r);
                None
            }
        }
    }

    fn date(&mut self, name: &str) -> Option<chrono::NaiveDate> {
        let excel = self.spreadsheet;
        self.parse(name, |v| values::parse_date(v, excel))
    }

    fn uscc(&mut self) -> Option<Uscc> {
        self.parse(col::USCC, |v| Uscc::parse(v).ok_or(Reason::MalformedUscc))
    }

    fn amount(&mut self, name: &str) -> Option<i64> {
        self.parse(name, values::parse_amount_cents)
    }

    /// A value of a closed list: compared after trimming and case-folding.
    fn closed<T: Copy>(&mut self, name: &str, table: &[(&[&str], T)]) -> Option<T> {
        self.parse(name, |v| {
            let v = v.trim();
            // folded once, and only when the value is not ASCII (the Chinese words)
            let folded = (!v.is_ascii()).then(|| v.to_lowercase());
            table
                .iter()
                .find(|(words, _)| words.iter().any(|w| w.eq_ignore_ascii_case(v) || folded.as_deref() == Some(*w)))
                .map(|(_, t)| *t)
                .ok_or(Reason::UnknownValue)
        })
    }

    fn origin(&self, file: &Arc<str>) -> Origin {
        Origin { file: file.clone(), row: self.row }
    }
}

/// What an input's row parser gives: the row's key (when it parses) and the row.
pub struct Parsed<T> {
    pub key: Option<Text>,
    pub row: Option<T>,
}

/// An input whose rows are parsed one by one and kept, with an optional unique key.
pub trait RowParser {
    type Row: Send;
    const INPUT: Input;
    /// The column under which a duplicate key is reported.
    const KEY_COLUMN: Option<&'static str>;
    fn parse(c: &mut RowCheck, file: &Arc<str>) -> Parsed<Self::Row>;
}

struct Pending<T> {
    file: Arc<str>,
    row: u64,
    key: Option<Text>,
    value: Option<T>,
}

/// A sink that validates an input's rows into typed rows.
pub struct Validator<P: RowParser> {
    /// Accepted rows that no rule of this run can use are counted but not kept (for
    /// example listings not in force on the evaluation date). Only for inputs without a key.
    keep: Keep<P::Row>,
    pending: Vec<Pending<P::Row>>,
    rejects: Vec<Reject>,
    warnings: Vec<Reject>,
    read: u64,
    /// Accepted rows not kept because of `keep`.
    dropped: u64,
    file: Arc<str>,
}

impl<P: RowParser> Default for Validator<P> {
    fn default() -> Self {
        Validator { keep: None, dropped: 0, pending: Vec::new(), rejects: Vec::new(), warnings: Vec::new(), read: 0, file: Arc::from("") }
    }
}

impl<P: RowParser> Validator<P> {
    /// Keep only the accepted rows for which `keep` holds; the others still count as accepted.
    pub fn keeping(keep: impl Fn(&P::Row) -> bool + Send + Sync + 'static) -> Self {
        debug_assert!(P::KEY_COLUMN.is_none(), "a keyed input must keep every row for duplicate detection");
        Validator { keep: Some(Box::new(keep)), ..Validator::default() }
    }

    fn file_arc(&mut self, file: &str) -> Arc<str> {
        if &*self.file != file {
            self.file = Arc::from(file);
        }
        self.file.clone()
    }

    /// Reject every row of a duplicated key and return the result.
    pub fn finish(mut self) -> Validated<Vec<P::Row>> {
        let mut seen: foldhash::HashMap<&str, u32> = foldhash::HashMap::with_capacity_and_hasher(self.pending.len(), Default::default());
        for p in &self.pending {
            if let Some(k) = &p.key {
                *seen.entry(k.as_str()).or_default() += 1;
            }
        }
        let duplicated: std::collections::HashSet<Text> = seen.into_iter().filter(|(_, n)| *n > 1).map(|(k, _)| Text::new(k)).collect();
        let pending = std::mem::take(&mut self.pending);
        let mut rejected = self.read - pending.len() as u64 - self.dropped;
        let rejects = &mut self.rejects;
        let mut rejected_rows = Vec::new();
        // collected in place: a pending row is at least as large as its row, so the
        // accepted rows reuse the pending rows' memory instead of doubling it
        let rows: Vec<P::Row> = pending
            .into_iter()
            .filter_map(|p| {
                let dup = p.key.as_ref().is_some_and(|k| duplicated.contains(k));
                if dup {
                    let column = P::KEY_COLUMN.unwrap_or("");
                    rejects.push(Reject::new(P::INPUT.name(), &p.file, p.row, column, p.key.as_deref().unwrap_or(""), Reason::DuplicateKey));
                }
                match p.value {
                    Some(v) if !dup => Some(v),
                    _ => {
                        rejected += 1;
                        if let Some(k) = p.key {
                            rejected_rows.push((k, Origin { file: p.file.clone(), row: p.row }));
                        }
                        None
                    }
                }
            })
            .collect();
        let counts = Counts { read: self.read, accepted: rows.len() as u64 + self.dropped, rejected };
        rejected_rows.sort_by(|a: &(Text, Origin), b| (&a.0, &a.1.file, a.1.row).cmp(&(&b.0, &b.1.file, b.1.row)));
        // each reject names its row's key, so that a firm or a claim finds its rejected rows
        let keys: std::collections::HashMap<(&str, u64), &Text> = rejected_rows.iter().map(|(k, o)| ((&*o.file, o.row), k)).collect();
        for r in self.rejects.iter_mut() {
            r.key = keys.get(&(r.file.as_str(), r.row)).map(|k| k.to_string());
        }
        Validated { rows, rejects: self.rejects, warnings: self.warnings, counts, rejected_rows }
    }
}

/// One row checked: what it parsed to, and its rejects and warnings.
struct Checked<T> {
    row: u64,
    parsed: Parsed<T>,
    rejects: Vec<Reject>,
    warnings: Vec<Reject>,
    /// Accepted, but no rule of this run can use it (`keep` said no).
    unused: bool,
}

/// What decides which accepted rows are kept.
type Keep<T> = Option<Box<dyn Fn(&T) -> bool + Send + Sync>>;

fn check_row<P: RowParser>(keep: &Keep<P::Row>, file: &str, arc: &Arc<str>, row: u64, cells: &[Option<&str>], spreadsheet: bool) -> Checked<P::Row> {
    let mut c = RowCheck { input: P::INPUT, file, row, cells, spreadsheet, rejects: Vec::new(), warnings: Vec::new() };
    let parsed = P::parse(&mut c, arc);
    let unused = match (keep, &parsed.row) {
        (Some(k), Some(v)) if c.rejects.is_empty() => !k(v),
        _ => false,
    };
    Checked { row, parsed, rejects: c.rejects, warnings: c.warnings, unused }
}

impl<P: RowParser> Validator<P> {
    /// Take in one checked row, in file order.
    fn absorb(&mut self, arc: &Arc<str>, checked: Checked<P::Row>) {
        let Checked { row, parsed, mut rejects, mut warnings, unused } = checked;
        self.read += 1;
        let ok = rejects.is_empty();
        self.rejects.append(&mut rejects);
        self.warnings.append(&mut warnings);
        if unused {
            self.dropped += 1;
            return;
        }
        let value = if ok { parsed.row } else { None };
        if ok || parsed.key.is_some() {
            self.pending.push(Pending { file: arc.clone(), row, key: parsed.key, value });
        }
    }
}

impl<P: RowParser> Sink for Validator<P> {
    fn row(&mut self, file: &str, row: u64, cells: &[Option<&str>], spreadsheet: bool) {
        let arc = self.file_arc(file);
        let checked = check_row::<P>(&self.keep, file, &arc, row, cells, spreadsheet);
        self.absorb(&arc, checked);
    }

    /// Rows are checked in parallel (each check is a pure function of its cells) and
    /// taken in, in order, one by one.
    fn rows(&mut self, file: &str, rows: &[(u64, Vec<Option<&str>>)], spreadsheet: bool) {
        use rayon::prelude::*;
        let arc = self.file_arc(file);
        let keep = &self.keep;
        let checked: Vec<Checked<P::Row>> = rows.par_iter().map(|(row, cells)| check_row::<P>(keep, file, &arc, *row, cells, spreadsheet)).collect();
        for c in checked {
            self.absorb(&arc, c);
        }
    }

    fn broken(&mut self, file: &str, row: u64, column: &str, value: &str, reason: Reason) {
        self.read += 1;
        self.rejects.push(Reject::new(P::INPUT.name(), file, row, column, value, reason));
    }

    fn row_with_reject(&mut self, file: &str, row: u64, cells: &[Option<&str>], spreadsheet: bool, column: &str, value: &str, reason: Reason) {
        let arc = self.file_arc(file);
        let mut checked = check_row::<P>(&self.keep, file, &arc, row, cells, spreadsheet);
        // the untrusted cell came in as absent: its own fault is this reason, not a missing value
        checked.rejects.retain(|r| !(r.column == column && r.reason == Reason::MissingValue));
        checked.rejects.push(Reject::new(P::INPUT.name(), file, row, column, value, reason));
        checked.unused = false;
        self.absorb(&arc, checked);
    }
}

pub struct FirmParser;

impl RowParser for FirmParser {
    type Row = Firm;
    const INPUT: Input = Input::Firms;
    const KEY_COLUMN: Option<&'static str> = Some(col::USCC);

    fn parse(c: &mut RowCheck, file: &Arc<str>) -> Parsed<Firm> {
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

const LIST_TYPES: &[(&[&str], ListType)] = &[
    (&["dishonest_debtor", "失信被执行人"], ListType::DishonestDebtor),
    (&["serious_dishonesty", "严重失信主体", "严重失信主体名单"], ListType::SeriousDishonesty),
    (&["gang_related", "涉黑涉恶"], ListType::GangRelated),
];
const SUBJECT_TYPES: &[(&[&str], SubjectType)] =
    &[(&["org", "单位", "organisation", "organization"], SubjectType::Org), (&["person", "个人", "自然人"], SubjectType::Person)];

pub struct ListingParser;

impl RowParser for ListingParser {
    type Row = Listing;
    const INPUT: Input = Input::Blacklists;
    const KEY_COLUMN: Option<&'static str> = None;

    fn parse(c: &mut RowCheck, file: &Arc<str>) -> Parsed<Listing> {
        let list_type = c.closed(col::LIST_TYPE, LIST_TYPES);
        let subject_type = c.closed(col::SUBJECT_TYPE, SUBJECT_TYPES);
        let name = c.required(col::NAME);
        let listed_on = c.date(col::LISTED_ON);
        let excel = c.spreadsheet;
        let removed_on = c.optional(col::REMOVED_ON).and_then(|v| match values::parse_date(v, excel) {
            Ok(d) => Some(d),
            Err(r) => {
                // a listing whose removal date cannot be read is not taken as removed:
                // the bureau would rather review a possible hit than miss one
                c.warn(col::REMOVED_ON, v, r);
                None
            }
        });
        let id_raw = c.optional(col::ID_NUMBER).unwrap_or("");
        let case_no = Text::new(c.optional(col::CASE_NO).unwrap_or(""));
        let row = match (list_type, subject_type, name, listed_on) {
            (Some(lt), Some(st), Some(n), Some(l)) => Some(Listing {
                list_type: lt,
                subject_type: st,
                name: Text::new(n),
                name_key: Text::new(ident::normalise_name(n)),
                id: match st {
                    SubjectType::Org => DocId::classify_org(id_raw),
                    SubjectType::Person => DocId::classify_person(id_raw),
                },
                id_raw: Text::new(id_raw),
                listed_on: l,
                removed_on,
                case_no,
                origin: c.origin(file),
            }),
            _ => None,
        };
        Parsed { key: None, row }
    }
}

const ENROLLMENT_STATUSES: &[(&[&str], EnrollmentStatus)] = &[
    (&["submitted", "已提交", "提交"], EnrollmentStatus::Submitted),
    (&["accepted", "承保"], EnrollmentStatus::Accepted),
    (&["acknowledged", "收悉"], EnrollmentStatus::Acknowledged),
    (&["rejected", "拒绝", "已拒绝"], EnrollmentStatus::Rejected),
    (&["cancelled", "canceled", "取消", "已取消"], EnrollmentStatus::Cancelled),
];

pub struct EnrollmentParser;

impl RowParser for EnrollmentParser {
    type Row = Enrollment;
    const INPUT: Input = Input::Enrollments;
    const KEY_COLUMN: Option<&'static str> = Some(col::APPLICATION_ID);

    fn parse(c: &mut RowCheck, file: &Arc<str>) -> Parsed<Enrollment> {
        let application_id = c.required(col::APPLICATION_ID).map(|v| Text::new(ident::normalise_code(v)));
        let uscc = c.uscc();
        let policy_no = c.required(col::POLICY_NO).map(|v| Text::new(ident::normalise_code(v)));
        let policy_year = c.parse(col::POLICY_YEAR, |v| {
            values::parse_count(v).ok().filter(|y| (1900..=9999).contains(y)).map(|y| y as i32).ok_or(Reason::InvalidInteger)
        });
        let applied_on = c.date(col::APPLIED_ON);
        let effective_on = c.date(col::EFFECTIVE_ON);
        let status = c.closed(col::STATUS, ENROLLMENT_STATUSES);
        let premium = c.parse_optional(col::PREMIUM_CNY, values::parse_amount_cents);
        let key = application_id.clone();
        let row = match (application_id, uscc, policy_no, policy_year, applied_on, effective_on, status) {
            (Some(a), Some(u), Some(p), Some(y), Some(ap), Some(ef), Some(s)) => Some(Enrollment {
                application_id: a,
                uscc: Text::new(u.as_str()),
                policy_no: p,
                policy_year: y,
                applied_on: ap,
                effective_on: ef,
                status: s,
                premium_cny_cents: premium,
                origin: c.origin(file),
            }),
            _ => None,
        };
        Parsed { key, row }
    }
}

const REVIEW_DECISIONS: &[(&[&str], ReviewDecision)] =
    &[(&["cleared", "排除"], ReviewDecision::Cleared), (&["confirmed", "确认"], ReviewDecision::Confirmed)];

pub struct ReviewParser;

impl RowParser for ReviewParser {
    type Row = Review;
    const INPUT: Input = Input::Reviews;
    /// The key is (uscc, case number as compared, decided_on): reported under `case_no`.
    const KEY_COLUMN: Option<&'static str> = Some(col::CASE_NO);

    fn parse(c: &mut RowCheck, file: &Arc<str>) -> Parsed<Review> {
        let uscc = c.uscc();
        let case_no = c.required(col::CASE_NO);
        let decision = c.closed(col::DECISION, REVIEW_DECISIONS);
        let decided_on = c.date(col::DECIDED_ON);
        let reviewer = c.optional(col::REVIEWER).unwrap_or("");
        let note = c.optional(col::NOTE).unwrap_or("").to_string();
        let case_key = case_no.map(ident::normalise_name);
        let key = match (&uscc, &case_key, decided_on) {
            (Some(u), Some(k), Some(d)) => Some(Text::from(format!("{} {k} {d}", u.as_str()))),
            _ => None,
        };
        let row = match (uscc, case_no, case_key, decision, decided_on) {
            (Some(u), Some(n), Some(k), Some(dec), Some(d)) => Some(Review {
                uscc: Text::new(u.as_str()),
                case_no: Text::new(n),
                case_key: Text::from(k),
                decision: dec,
                decided_on: d,
                reviewer: Text::new(reviewer),
                note,
                origin: c.origin(file),
            }),
            _ => None,
        };
        Parsed { key, row }
    }
}

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

pub struct ClaimParser;

impl RowParser for ClaimParser {
    type Row = Claim;
    const INPUT: Input = Input::Claims;
    const KEY_COLUMN: Option<&'static str> = Some(col::CLAIM_ID);

    fn parse(c: &mut RowCheck, file: &Arc<str>) -> Parsed<Claim> {
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

pub struct FxParser;

impl RowParser for FxParser {
    type Row = FxRate;
    const INPUT: Input = Input::FxRates;
    const KEY_COLUMN: Option<&'static str> = Some("currency,rate_date");

    fn parse(c: &mut RowCheck, _file: &Arc<str>) -> Parsed<FxRate> {
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

/// Exports are summed by (USCC, year) while they are read: the input is the largest and
/// no rule needs its single rows.
#[derive(Default)]
pub struct ExportValidator {
    /// Keyed by the USCC's 18 bytes, so that a row costs no allocation.
    totals: Exports,
    rejects: Vec<Reject>,
    warnings: Vec<Reject>,
    counts: Counts,
}

const TRADE_CHANNELS: &[(&[&str], bool)] = &[(&["self", "自营"], true), (&["agency", "代理"], false)];

/// One export row checked: its (USCC, year, self?, cents), or its rejects.
type ExportRow = (Option<([u8; 18], i32, bool, i64)>, Vec<Reject>, Vec<Reject>);

fn check_export(file: &str, row: u64, cells: &[Option<&str>], spreadsheet: bool) -> ExportRow {
    let mut c = RowCheck { input: Input::Exports, file, row, cells, spreadsheet, rejects: Vec::new(), warnings: Vec::new() };
    let uscc = c.parse(col::USCC, |v| ident::uscc_key(v).ok_or(Reason::MalformedUscc));
    let month = c.parse(col::MONTH, |v| values::parse_month(v, spreadsheet));
    let channel = c.closed(col::TRADE_CHANNEL, TRADE_CHANNELS);
    let usd = c.amount(col::EXPORT_USD);
    let value = match (uscc, month, channel, usd) {
        (Some(u), Some((year, _)), Some(is_self), Some(cents)) if c.rejects.is_empty() => Some((u, year, is_self, cents)),
        _ => None,
    };
    (value, c.rejects, c.warnings)
}

impl ExportValidator {
    fn absorb(&mut self, checked: ExportRow) {
        let (value, mut rejects, mut warnings) = checked;
        self.counts.read += 1;
        self.warnings.append(&mut warnings);
        if !rejects.is_empty() {
            self.rejects.append(&mut rejects);
            self.counts.rejected += 1;
            return;
        }
        if let Some((u, year, is_self, cents)) = value {
            self.counts.accepted += 1;
            let t = self.totals.entry((u, year)).or_default();
            if is_self {
                t.self_cents += cents;
            } else {
                t.agency_cents += cents;
            }
            t.rows += 1;
        }
    }
}

impl Sink for ExportValidator {
    fn row(&mut self, file: &str, row: u64, cells: &[Option<&str>], spreadsheet: bool) {
        let checked = check_export(file, row, cells, spreadsheet);
        self.absorb(checked);
    }

    fn rows(&mut self, file: &str, rows: &[(u64, Vec<Option<&str>>)], spreadsheet: bool) {
        use rayon::prelude::*;
        let checked: Vec<ExportRow> = rows.par_iter().map(|(row, cells)| check_export(file, *row, cells, spreadsheet)).collect();
        for c in checked {
            self.absorb(c);
        }
    }

    fn broken(&mut self, file: &str, row: u64, column: &str, value: &str, reason: Reason) {
        self.counts.read += 1;
        self.counts.rejected += 1;
        self.rejects.push(Reject::new(Input::Exports.name(), file, row, column, value, reason));
    }
}

impl ExportValidator {
    pub fn finish(self) -> Validated<Exports> {
        Validated { rows: self.totals, rejects: self.rejects, warnings: self.warnings, counts: self.counts, rejected_rows: Vec::new() }
    }
}
