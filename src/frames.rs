//! Output tables as polars DataFrames: the one place their columns and types are
//! declared. Money is `Decimal(18, 2)`, exact to the cent; dates are `Date`.

use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;

use crate::model::{Firm, FxRate};
use crate::order::{sorted, text_prefix};
use crate::rejects::Reject;
use crate::rules::blacklist::Hit;
use crate::rules::claims::ClaimResult;
use crate::rules::eligibility::Eligibility;
use crate::rules::reconcile::Reconciliation;

/// Decimal precision of money columns: 16 integer digits and 2 decimals.
pub const MONEY_PRECISION: usize = 18;

fn money(name: &str, cents: impl IntoIterator<Item = Option<i64>>) -> PolarsResult<Column> {
    let ca: Int128Chunked = cents.into_iter().map(|c| c.map(i128::from)).collect();
    Ok(ca.with_name(name.into()).into_decimal(MONEY_PRECISION, 2)?.into_series().into_column())
}

/// A ratio in basis points as `Decimal(6, 4)`: 8000 is 0.8000.
fn ratio(name: &str, basis_points: impl IntoIterator<Item = Option<i64>>) -> PolarsResult<Column> {
    let ca: Int128Chunked = basis_points.into_iter().map(|c| c.map(i128::from)).collect();
    Ok(ca.with_name(name.into()).into_decimal(6, 4)?.into_series().into_column())
}

fn days_since_epoch(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (d - epoch).num_days() as i32
}

fn date(name: &str, dates: impl IntoIterator<Item = Option<NaiveDate>>) -> PolarsResult<Column> {
    let ca: Int32Chunked = dates.into_iter().map(|d| d.map(days_since_epoch)).collect();
    Ok(ca.with_name(name.into()).into_series().cast(&DataType::Date)?.into_column())
}

/// A text column. At national scale a column's texts lie all over the heap (a firm's name,
/// a listing's case number behind its `Arc`): where each lies is gathered first, in a tight
/// loop whose loads overlap, and the texts are then copied with the one a few rows ahead
/// already asked for (copied as they came, a third of the tables' time was spent waiting
/// for texts). The array is the one polars collects from the same values.
fn text<'a, S: AsRef<str> + ?Sized + 'a>(name: &str, values: impl IntoIterator<Item = Option<&'a S>>) -> PolarsResult<Column> {
    let texts: Vec<Option<&str>> = values.into_iter().map(|v| v.map(AsRef::as_ref)).collect();
    texts_column(name, &texts)
}

/// A text column of texts made for it.
fn owned_text(name: &str, values: impl IntoIterator<Item = Option<String>>) -> PolarsResult<Column> {
    let owned: Vec<Option<String>> = values.into_iter().collect();
    let texts: Vec<Option<&str>> = owned.iter().map(|v| v.as_deref()).collect();
    texts_column(name, &texts)
}

fn texts_column(name: &str, texts: &[Option<&str>]) -> PolarsResult<Column> {
    const AHEAD: usize = 16;
    let mut column = StringChunkedBuilder::new(name.into(), texts.len());
    for (i, v) in texts.iter().enumerate() {
        if let Some(Some(ahead)) = texts.get(i + AHEAD) {
            crate::prefetch::prefetch(ahead.as_bytes());
        }
        column.append_option(*v);
    }
    Ok(column.finish().into_series().into_column())
}

fn flag(name: &str, values: impl IntoIterator<Item = Option<bool>>) -> PolarsResult<Column> {
    let ca: BooleanChunked = values.into_iter().collect();
    Ok(ca.with_name(name.into()).into_series().into_column())
}

fn int(name: &str, values: impl IntoIterator<Item = Option<i64>>) -> PolarsResult<Column> {
    let ca: Int64Chunked = values.into_iter().collect();
    Ok(ca.with_name(name.into()).into_series().into_column())
}

/// How one column is built from the rows.
type Build<'a> = Box<dyn Fn() -> PolarsResult<Column> + Send + Sync + 'a>;

/// The builders of a table's columns, in order: `columns![text(..), money(..), ...]`.
macro_rules! columns {
    ($($build:expr),* $(,)?) => {
        vec![$(Box::new(|| $build) as Build<'_>),*]
    };
}

/// A table of `height` rows whose columns are built in parallel: at national scale each
/// is ten million values.
fn frame(height: usize, columns: Vec<Build<'_>>) -> PolarsResult<DataFrame> {
    let columns = columns.into_par_iter().map(|build| build()).collect::<PolarsResult<Vec<Column>>>()?;
    DataFrame::new(height, columns)
}

/// Where a large table's parts go as they are built: one row group each
/// (`publish::row_groups`), so that the whole table is never in memory.
pub type Parts<'a> = &'a mut dyn FnMut(DataFrame) -> anyhow::Result<()>;

/// Build the table of `rows` (already in the table's order) a row group at a time and hand
/// each part to `each`; a table with no rows is one empty part.
fn in_parts<R>(rows: &[R], build: impl Fn(&[R]) -> PolarsResult<DataFrame>, each: Parts) -> anyhow::Result<()> {
    let mut start = 0;
    for n in crate::publish::row_groups(rows.len()) {
        each(build(&rows[start..start + n])?)?;
        start += n;
    }
    Ok(())
}

/// A published table of a run folder, `<dir>/<stem>.parquet`.
pub fn read_table(dir: &std::path::Path, stem: &str) -> anyhow::Result<DataFrame> {
    use anyhow::Context;
    let path = dir.join(format!("{stem}.parquet"));
    let f = std::fs::File::open(&path).with_context(|| format!("cannot open `{}`", path.display()))?;
    ParquetReader::new(f).finish().map_err(anyhow::Error::from).with_context(|| format!("cannot read `{}`", path.display()))
}

/// A column of an output table as text (decimals exact, dates ISO, nulls empty): how
/// `diff`, the report and a run reading its predecessor compare and show values.
pub fn column_texts(df: &DataFrame, name: &str) -> anyhow::Result<Vec<String>> {
    use anyhow::Context;
    let s = df.column(name).map_err(anyhow::Error::from).with_context(|| format!("no column `{name}`"))?.as_materialized_series().cast(&DataType::String)?;
    Ok(s.str()?.iter().map(|v| v.unwrap_or("").to_string()).collect())
}

/// An exact rate as text: (63757, 4) → `6.3757`.
pub fn rate_text(r: &FxRate) -> String {
    let digits = r.mantissa.to_string();
    let scale = r.scale as usize;
    if scale == 0 {
        return digits;
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int_part, frac) = padded.split_at(padded.len() - scale);
    format!("{int_part}.{frac}")
}

/// `firm_eligibility`: one row per accepted firm, sorted by USCC. `eligibility` is the
/// verdict on each of `firms`, in the same order.
pub fn firm_eligibility(firms: &[Firm], eligibility: &[Eligibility], as_of: NaiveDate, period_id: &str) -> PolarsResult<DataFrame> {
    eligibility_frame(&eligibility_rows(firms, eligibility)?, as_of, period_id)
}

/// `firm_eligibility`, a row group at a time.
pub fn firm_eligibility_parts(firms: &[Firm], eligibility: &[Eligibility], as_of: NaiveDate, period_id: &str, each: Parts) -> anyhow::Result<()> {
    in_parts(&eligibility_rows(firms, eligibility)?, |rows| eligibility_frame(rows, as_of, period_id), each)
}

fn eligibility_rows<'a>(firms: &'a [Firm], eligibility: &'a [Eligibility]) -> PolarsResult<Vec<(&'a Firm, &'a Eligibility)>> {
    polars_ensure!(firms.len() == eligibility.len(), ComputeError: "{} firms but {} verdicts", firms.len(), eligibility.len());
    let mut rows: Vec<(&Firm, &Eligibility)> = firms.iter().zip(eligibility).collect();
    // stable and adaptive: rows already in USCC order (the firms are kept so) cost one pass
    rows.par_sort_by(|a, b| a.0.uscc.as_bytes().cmp(b.0.uscc.as_bytes()));
    Ok(rows)
}

fn eligibility_frame(rows: &[(&Firm, &Eligibility)], as_of: NaiveDate, period_id: &str) -> PolarsResult<DataFrame> {
    let n = rows.len();
    frame(
        n,
        columns![
            date("as_of", std::iter::repeat_n(Some(as_of), n)),
            text("period_id", std::iter::repeat_n(Some(period_id), n)),
            text("uscc", rows.iter().map(|(f, _)| Some(&f.uscc))),
            text("name", rows.iter().map(|(f, _)| Some(&f.name))),
            text("company_type", rows.iter().map(|(f, _)| Some(&f.company_type))),
            text("reg_status", rows.iter().map(|(f, _)| Some(&f.reg_status))),
            text("legal_rep_name", rows.iter().map(|(f, _)| Some(&f.legal_rep_name))),
            text("district", rows.iter().map(|(_, r)| Some(&r.district))),
            text("district_source", rows.iter().map(|(_, r)| Some(r.district_source))),
            int("reference_year", rows.iter().map(|(_, r)| Some(r.reference_year as i64))),
            money("self_exports_usd", rows.iter().map(|(_, r)| Some(r.self_exports_cents))),
            money("agency_exports_usd", rows.iter().map(|(_, r)| Some(r.agency_exports_cents))),
            flag("is_eligible", rows.iter().map(|(_, r)| Some(r.is_eligible))),
            text("reasons", rows.iter().map(|(_, r)| Some(r.reasons.as_str()))),
            int("blacklist_hits", rows.iter().map(|(_, r)| Some(r.hits as i64))),
            int("possible_matches", rows.iter().map(|(_, r)| Some(r.possible_matches as i64))),
        ],
    )
}

/// `blacklist_hits`: every hit and possible match, sorted by firm, then how it matched.
/// `firms` are those the hits were screened from (a hit names its firm by position).
pub fn blacklist_hits(hits: &[Hit], firms: &[Firm]) -> PolarsResult<DataFrame> {
    hits_frame(&hits_rows(hits), firms)
}

/// `blacklist_hits`, a row group at a time.
pub fn blacklist_hits_parts(hits: &[Hit], firms: &[Firm], each: Parts) -> anyhow::Result<()> {
    in_parts(&hits_rows(hits), |rows| hits_frame(rows, firms), each)
}

/// The name of a hit's firm: the firm at the hit's position among `firms`, when that is
/// the firm of the hit's USCC (empty otherwise, as for a firm that is not there).
fn firm_name<'a>(hit: &Hit, firms: &'a [Firm]) -> Option<&'a str> {
    firms.get(hit.firm as usize).filter(|f| f.uscc.as_bytes() == hit.uscc.as_bytes()).map(|f| &*f.name)
}

fn hits_rows(hits: &[Hit]) -> Vec<&Hit> {
    // the screen gives them in this order already when the firms are in USCC order
    sorted(hits.iter().collect(), |h| text_prefix(&h.uscc), |a, b| a.uscc.as_bytes().cmp(b.uscc.as_bytes()).then_with(|| a.order_key().cmp(&b.order_key())))
}

fn hits_frame(rows: &[&Hit], firms: &[Firm]) -> PolarsResult<DataFrame> {
    let n = rows.len();
    frame(
        n,
        columns![
            text("uscc", rows.iter().map(|r| Some(&r.uscc))),
            text("firm_name", rows.iter().map(|r| firm_name(r, firms))),
            text("subject", rows.iter().map(|r| Some(r.kind.subject()))),
            text("match", rows.iter().map(|r| Some(r.kind.as_str()))),
            flag("is_hit", rows.iter().map(|r| Some(r.counts_as_hit()))),
            text("list_type", rows.iter().map(|r| Some(r.listing.list_type.as_str()))),
            text("case_no", rows.iter().map(|r| Some(&r.listing.case_no))),
            text("listed_name", rows.iter().map(|r| Some(&r.listing.name))),
            text("listed_id", rows.iter().map(|r| Some(&r.listing.id_raw))),
            date("listed_on", rows.iter().map(|r| Some(r.listing.listed_on))),
            date("removed_on", rows.iter().map(|r| r.listing.removed_on)),
            text("review", rows.iter().map(|r| r.review.as_ref().map(|a| a.decision.as_str()))),
            date("reviewed_on", rows.iter().map(|r| r.review.as_ref().map(|a| a.decided_on))),
            text("reviewer", rows.iter().map(|r| r.review.as_ref().map(|a| &a.reviewer))),
            text("source_file", rows.iter().map(|r| Some(&*r.listing.origin.file))),
            int("source_row", rows.iter().map(|r| Some(r.listing.origin.row as i64))),
        ],
    )
}

/// What identifies a possible match from one run to the next (row numbers may move):
/// firm, how it matched, and the listing, as a 128-bit hash of those texts. A run compares
/// its queue with the last one's: at national scale eleven million keys, which as texts
/// took gigabytes; two different keys share a hash with odds of about 2^-128 a pair.
pub type QueueKey = u128;

/// The keys of a review queue.
pub type QueueKeys = foldhash::HashSet<QueueKey>;

pub fn queue_key(uscc: &str, kind: &str, list_type: &str, case_no: &str, listed_name: &str, listed_id: &str, listed_on: &str) -> QueueKey {
    use std::hash::BuildHasher;
    let parts = (uscc, kind, list_type, case_no, listed_name, listed_id, listed_on);
    let half = |seed: u64| foldhash::quality::FixedState::with_seed(seed).hash_one(parts) as u128;
    half(0x7175_6575_6531) << 64 | half(0x7175_6575_6532)
}

/// `review_queue`: the open possible matches (no decision applies), newest listing first;
/// `is_new` when the last published run's queue did not hold it (`previous`: its keys, or
/// `None` when there is no earlier run with a queue).
pub fn review_queue(hits: &[Hit], firms: &[Firm], previous: Option<&QueueKeys>) -> PolarsResult<DataFrame> {
    queue_frame(&queue_rows(hits), firms, previous)
}

/// `review_queue`, a row group at a time.
pub fn review_queue_parts(hits: &[Hit], firms: &[Firm], previous: Option<&QueueKeys>, each: Parts) -> anyhow::Result<()> {
    in_parts(&queue_rows(hits), |rows| queue_frame(rows, firms, previous), each)
}

fn queue_rows(hits: &[Hit]) -> Vec<&Hit> {
    // stable, as the serial sort was: eleven million possible matches at national scale
    sorted(
        hits.iter().filter(|h| h.is_open()).collect(),
        |h| (std::cmp::Reverse(h.listing.listed_on), text_prefix(&h.uscc)),
        |a, b| b.listing.listed_on.cmp(&a.listing.listed_on).then_with(|| a.uscc.cmp(&b.uscc)).then_with(|| a.order_key().cmp(&b.order_key())),
    )
}

fn queue_frame(rows: &[&Hit], firms: &[Firm], previous: Option<&QueueKeys>) -> PolarsResult<DataFrame> {
    let key = |h: &Hit| {
        let l = &h.listing;
        queue_key(&h.uscc, h.kind.as_str(), l.list_type.as_str(), &l.case_no, &l.name, &l.id_raw, &l.listed_on.to_string())
    };
    let n = rows.len();
    frame(
        n,
        columns![
            date("listed_on", rows.iter().map(|r| Some(r.listing.listed_on))),
            text("uscc", rows.iter().map(|r| Some(&r.uscc))),
            text("firm_name", rows.iter().map(|r| firm_name(r, firms))),
            text("subject", rows.iter().map(|r| Some(r.kind.subject()))),
            text("match", rows.iter().map(|r| Some(r.kind.as_str()))),
            text("list_type", rows.iter().map(|r| Some(r.listing.list_type.as_str()))),
            text("case_no", rows.iter().map(|r| Some(&r.listing.case_no))),
            text("listed_name", rows.iter().map(|r| Some(&r.listing.name))),
            text("listed_id", rows.iter().map(|r| Some(&r.listing.id_raw))),
            flag("is_new", rows.iter().map(|r| Some(previous.is_none_or(|p| !p.contains(&key(r)))))),
            text("source_file", rows.iter().map(|r| Some(&*r.listing.origin.file))),
            int("source_row", rows.iter().map(|r| Some(r.listing.origin.row as i64))),
        ],
    )
}

/// `review_decisions`: every decision row of the `reviews` input and its effect, sorted
/// by firm, case and date.
pub fn review_decisions(outcomes: &[crate::rules::reviews::Outcome]) -> PolarsResult<DataFrame> {
    let mut rows: Vec<&crate::rules::reviews::Outcome> = outcomes.iter().collect();
    rows.sort_by(|a, b| {
        let k = |o: &crate::rules::reviews::Outcome| (o.review.uscc.clone(), o.review.case_key.clone(), o.review.decided_on, o.review.origin.file.clone(), o.review.origin.row);
        k(a).cmp(&k(b))
    });
    let n = rows.len();
    frame(
        n,
        columns![
            text("uscc", rows.iter().map(|r| Some(&r.review.uscc))),
            text("case_no", rows.iter().map(|r| Some(&r.review.case_no))),
            text("decision", rows.iter().map(|r| Some(r.review.decision.as_str()))),
            date("decided_on", rows.iter().map(|r| Some(r.review.decided_on))),
            text("reviewer", rows.iter().map(|r| Some(&r.review.reviewer))),
            text("note", rows.iter().map(|r| Some(&r.review.note))),
            text("effect", rows.iter().map(|r| Some(r.effect.as_str()))),
            int("possible_matches", rows.iter().map(|r| Some(i64::from(r.matches)))),
            text("source_file", rows.iter().map(|r| Some(&*r.review.origin.file))),
            int("source_row", rows.iter().map(|r| Some(r.review.origin.row as i64))),
        ],
    )
}

/// `enrollment_reconciliation`: one row per firm (and per enrolled application of no
/// known firm), sorted by USCC then application.
pub fn reconciliation(rows: &[Reconciliation]) -> PolarsResult<DataFrame> {
    reconciliation_frame(&reconciliation_rows(rows))
}

/// `enrollment_reconciliation`, a row group at a time.
pub fn reconciliation_parts(rows: &[Reconciliation], each: Parts) -> anyhow::Result<()> {
    in_parts(&reconciliation_rows(rows), |rows| reconciliation_frame(rows), each)
}

fn reconciliation_rows(rows: &[Reconciliation]) -> Vec<&Reconciliation> {
    let mut rows: Vec<&Reconciliation> = rows.iter().collect();
    rows.par_sort_by(|a, b| (&a.uscc, &a.application_id).cmp(&(&b.uscc, &b.application_id)));
    rows
}

fn reconciliation_frame(rows: &[&Reconciliation]) -> PolarsResult<DataFrame> {
    let n = rows.len();
    frame(
        n,
        columns![
            text("uscc", rows.iter().map(|r| Some(&r.uscc))),
            text("name", rows.iter().map(|r| Some(&r.name))),
            text("district", rows.iter().map(|r| Some(&r.district))),
            flag("is_eligible", rows.iter().map(|r| r.is_eligible)),
            text("status", rows.iter().map(|r| Some(r.status.as_str()))),
            text("application_id", rows.iter().map(|r| r.application_id.as_ref())),
            text("policy_no", rows.iter().map(|r| r.policy_no.as_ref())),
            date("applied_on", rows.iter().map(|r| r.applied_on)),
            flag("duplicate_enrollment", rows.iter().map(|r| Some(r.duplicate_enrollment))),
            text("other_applications", rows.iter().map(|r| Some(&r.other_applications))),
            money("premium_cny", rows.iter().map(|r| r.premium_cny_cents)),
            money("subsidy_cny", rows.iter().map(|r| r.subsidy_cny_cents)),
        ],
    )
}

/// `claim_indemnity`: one row per claim in the run, sorted by claim id.
pub fn claim_indemnity(rows: &[ClaimResult]) -> PolarsResult<DataFrame> {
    let mut rows: Vec<&ClaimResult> = rows.iter().collect();
    rows.par_sort_by(|a, b| a.claim_id.cmp(&b.claim_id));
    let n = rows.len();
    frame(
        n,
        columns![
            text("claim_id", rows.iter().map(|r| Some(&r.claim_id))),
            text("policy_no", rows.iter().map(|r| Some(&r.policy_no))),
            text("uscc", rows.iter().map(|r| Some(&r.uscc))),
            text("application_id", rows.iter().map(|r| r.application_id.as_ref())),
            text("period_id", rows.iter().map(|r| r.period_id.as_ref())),
            text("obligor_type", rows.iter().map(|r| Some(r.obligor_type.as_str()))),
            text("obligor_key", rows.iter().map(|r| Some(&r.obligor_key))),
            text("obligor_country", rows.iter().map(|r| Some(&r.obligor_country))),
            text("cause", rows.iter().map(|r| Some(&r.cause))),
            text("status", rows.iter().map(|r| Some(r.status.as_str()))),
            date("shipped_on", rows.iter().map(|r| Some(r.shipped_on))),
            date("notified_on", rows.iter().map(|r| Some(r.notified_on))),
            text("currency", rows.iter().map(|r| Some(&r.currency))),
            money("loss_amount", rows.iter().map(|r| Some(r.loss_cents))),
            date("fx_rate_date", rows.iter().map(|r| r.fx_rate.as_ref().map(|f| f.rate_date))),
            owned_text("fx_cny_per_unit", rows.iter().map(|r| r.fx_rate.as_ref().map(rate_text))),
            int("fx_units", rows.iter().map(|r| r.fx_rate.as_ref().map(|f| f.units))),
            date("usd_rate_date", rows.iter().map(|r| r.usd_rate.as_ref().map(|f| f.rate_date))),
            owned_text("usd_cny_per_unit", rows.iter().map(|r| r.usd_rate.as_ref().map(rate_text))),
            int("usd_units", rows.iter().map(|r| r.usd_rate.as_ref().map(|f| f.units))),
            money("usd_loss", rows.iter().map(|r| r.usd_loss_cents)),
            flag("is_covered", rows.iter().map(|r| Some(r.is_covered))),
            owned_text("reasons", rows.iter().map(|r| Some(r.reasons_text()))),
            ratio("indemnity_ratio", rows.iter().map(|r| r.ratio_bp)),
            money("indemnity_before_cap_usd", rows.iter().map(|r| r.indemnity_before_cap_cents)),
            money("cap_usd", rows.iter().map(|r| r.cap_cents)),
            money("cap_taken_before_usd", rows.iter().map(|r| r.cap_taken_before_cents)),
            money("indemnity_usd", rows.iter().map(|r| r.indemnity_cents)),
            money("cut_by_cap_usd", rows.iter().map(|r| r.cut_by_cap_cents)),
            money("capacity_left_usd", rows.iter().map(|r| r.capacity_left_cents)),
            money("recovered_usd", rows.iter().map(|r| r.recovered_usd_cents)),
            money("insurer_recovery_usd", rows.iter().map(|r| r.insurer_recovery_cents)),
            money("net_indemnity_usd", rows.iter().map(|r| r.net_indemnity_cents)),
            money("paid_exposure_usd", rows.iter().map(|r| r.paid_exposure_cents)),
            money("outstanding_exposure_usd", rows.iter().map(|r| r.outstanding_exposure_cents)),
            money("paid_usd", rows.iter().map(|r| r.paid_usd_cents)),
            flag("paid_mismatch", rows.iter().map(|r| r.paid_mismatch)),
        ],
    )
}

/// `rejects` (and `row_warnings`): one row per (row, column, reason), sorted.
/// The rejects (`with_key`: with the rejected row's key) or the row warnings.
pub fn rejects(rows: &[Reject], with_key: bool) -> PolarsResult<DataFrame> {
    let mut rows: Vec<&Reject> = rows.iter().collect();
    rows.par_sort();
    let n = rows.len();
    frame(
        n,
        columns![
            text("input", rows.iter().map(|r| Some(r.input))),
            text("file", rows.iter().map(|r| Some(&r.file))),
            int("row", rows.iter().map(|r| Some(r.row as i64))),
            text("column", rows.iter().map(|r| Some(&r.column))),
            text("value", rows.iter().map(|r| Some(&r.value))),
            text("reason", rows.iter().map(|r| Some(r.reason.as_str()))),
        ],
    )
    .and_then(|mut df| {
        if with_key {
            df.with_column(text("key", rows.iter().map(|r| r.key.as_ref()))?)?;
        }
        Ok(df)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_print_exactly() {
        let r = |m, s| FxRate { currency: "X".into(), rate_date: NaiveDate::default(), mantissa: m, scale: s, units: 1 };
        assert_eq!(rate_text(&r(63757, 4)), "6.3757");
        assert_eq!(rate_text(&r(5, 3)), "0.005");
        assert_eq!(rate_text(&r(7, 0)), "7");
    }
}
