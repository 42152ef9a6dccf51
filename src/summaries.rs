//! Summaries: every `.sql` file of the SQL folder run through the polars SQL context over
//! the run's detail tables; each file's stem is its output's name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use polars::sql::SQLContext;

use crate::policy::Period;

/// The queries that ship with tongbao, used when no SQL folder is configured and
/// overridden by a file of the same stem in it.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("enrollment_by_district_band", include_str!("../sql/enrollment_by_district_band.sql")),
    ("exposure_by_cause", include_str!("../sql/exposure_by_cause.sql")),
    ("exposure_by_country", include_str!("../sql/exposure_by_country.sql")),
    ("obligor_exposure", include_str!("../sql/obligor_exposure.sql")),
    ("claims_by_quarter", include_str!("../sql/claims_by_quarter.sql")),
    ("rejects_by_reason", include_str!("../sql/rejects_by_reason.sql")),
    ("headline", include_str!("../sql/headline.sql")),
];

/// One summary query: its output name, where it came from and its text.
#[derive(Debug, Clone)]
pub struct Query {
    pub name: String,
    pub source: String,
    pub sql: String,
}

/// A query that failed, named by its file.
#[derive(Debug, thiserror::Error)]
#[error("summary `{file}`: {message}")]
pub struct QueryError {
    pub file: String,
    pub message: String,
}

impl QueryError {
    /// `query` failed with `e`: its file, and the error's first line.
    fn of(query: &Query, e: &PolarsError) -> QueryError {
        QueryError { file: query.source.clone(), message: e.to_string().lines().next().unwrap_or("").to_string() }
    }
}

/// The built-in queries, then every `.sql` file of `dir` (which replaces a built-in of
/// the same stem), in name order.
pub fn queries(dir: Option<&Path>) -> Result<Vec<Query>, QueryError> {
    let mut by_name: BTreeMap<String, Query> = BUILT_IN
        .iter()
        .map(|(name, sql)| (name.to_string(), Query { name: name.to_string(), source: format!("built-in {name}.sql"), sql: sql.to_string() }))
        .collect();
    if let Some(dir) = dir {
        let entries = std::fs::read_dir(dir).map_err(|e| QueryError { file: dir.display().to_string(), message: e.to_string() })?;
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "sql")).collect();
        paths.sort();
        for p in paths {
            let name = p.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
            if let Some(taken) = reserved(&name) {
                return Err(QueryError { file: p.display().to_string(), message: format!("the name `{name}` is {taken}'s: a summary would replace it; rename the file") });
            }
            let sql = std::fs::read_to_string(&p).map_err(|e| QueryError { file: p.display().to_string(), message: e.to_string() })?;
            by_name.insert(name.clone(), Query { name, source: p.display().to_string(), sql });
        }
    }
    Ok(by_name.into_values().collect())
}

/// What a summary's name would clash with: a detail table, the manifest or the report.
fn reserved(name: &str) -> Option<&'static str> {
    use crate::schema::out;
    let stem = |file: &'static str| file.split('.').next().unwrap_or(file);
    if out::DETAIL_TABLES.contains(&name) {
        Some("a detail table")
    } else if name == stem(out::MANIFEST) {
        Some("the manifest")
    } else if name == stem(out::REPORT) {
        Some("the report")
    } else {
        None
    }
}

fn money_value(name: &str, cents: i64) -> PolarsResult<Column> {
    let ca: Int128Chunked = std::iter::once(Some(cents as i128)).collect();
    Ok(ca.with_name(name.into()).into_decimal(crate::frames::MONEY_PRECISION, 2)?.into_series().into_column())
}

/// `(lo, hi]` in readable USD: `(1,000,000, 3,000,000]`.
fn band_label(lo: i64, hi: i64) -> String {
    format!("({}, {}]", thousands(lo), thousands(hi))
}

/// Whole dollars without their `.00`: `1,000,000`.
fn thousands(cents: i64) -> String {
    let text = crate::values::format_cents_grouped(cents);
    text.strip_suffix(".00").map(str::to_string).unwrap_or(text)
}

/// The one-row `params` table: the policy figures a query may need.
pub fn params(period: &Period, as_of: chrono::NaiveDate, reference_year: i32) -> PolarsResult<DataFrame> {
    let edge = |i: usize| period.band_edges_cents.get(i).copied().unwrap_or(period.export_threshold_cents).min(period.export_threshold_cents);
    let (b1, b2, t) = (edge(0), edge(1), period.export_threshold_cents);
    DataFrame::new(
        1,
        vec![
            Column::new("as_of".into(), [as_of.to_string()]),
            Column::new("period_id".into(), [period.id.clone()]),
            Column::new("reference_year".into(), [reference_year as i64]),
            money_value("threshold_usd", t)?,
            money_value("band_1_usd", b1)?,
            money_value("band_2_usd", b2)?,
            Column::new("band_1_label".into(), [band_label(0, b1)]),
            Column::new("band_2_label".into(), [band_label(b1, b2)]),
            Column::new("band_3_label".into(), [band_label(b2, t)]),
            money_value("cap_usd", period.cap_per_obligor_cents)?,
            Column::new("indemnity_ratio_bp".into(), [period.indemnity_ratio_bp]),
        ],
    )
}

/// One query on polars' streaming engine, which works through the detail tables (ten
/// million rows at national scale) in batches; the results are those of the in-memory
/// engine (the golden tests run on it).
fn collect(lf: LazyFrame) -> PolarsResult<DataFrame> {
    // a query collected to no sink gives one table (several come only from several sinks)
    lf.collect_with_engine(Engine::Streaming).map(|result| result.unwrap_single())
}

/// Run every query over `tables` in memory; every query is tried, and all failures are
/// returned together, each naming its file.
pub fn run(queries: &[Query], tables: &BTreeMap<&str, DataFrame>) -> Result<Vec<(String, DataFrame)>, Vec<QueryError>> {
    run_over(queries, tables.iter().map(|(name, df)| (*name, df.clone().lazy())))
}

/// Run every query over the parquet files of the detail tables (`<stem>.parquet` in `dir`,
/// as a run stages them) and the in-memory `params`: the queries stream through the files,
/// so a national register's tables need not be held in memory to be summarised. A file
/// that cannot be read is the outer error (the run's fault, not a query's); the inner one
/// lists the queries that failed.
pub fn run_on_files(queries: &[Query], dir: &Path, params: DataFrame) -> anyhow::Result<Result<Vec<(String, DataFrame)>, Vec<QueryError>>> {
    use anyhow::Context;
    let mut tables = vec![("params", params.lazy())];
    for stem in crate::schema::out::DETAIL_TABLES {
        let path = dir.join(format!("{stem}.parquet"));
        let cannot = || format!("cannot read the staged table `{}`", path.display());
        // read its footer now, so that a file fault is not taken for a query's
        let file = std::fs::File::open(&path).with_context(cannot)?;
        ParquetReader::new(file).schema().map_err(anyhow::Error::from).with_context(cannot)?;
        // the path is a file's, never a pattern: an output root may have `[` or `*` in its name
        let args = ScanArgsParquet { glob: false, ..ScanArgsParquet::default() };
        let scan = LazyFrame::scan_parquet(PlRefPath::try_from_path(&path)?, args).map_err(anyhow::Error::from).with_context(cannot)?;
        tables.push((stem, scan));
    }
    Ok(run_over(queries, tables))
}

fn run_over<'a>(queries: &[Query], tables: impl IntoIterator<Item = (&'a str, LazyFrame)>) -> Result<Vec<(String, DataFrame)>, Vec<QueryError>> {
    let mut ctx = SQLContext::new();
    for (name, lf) in tables {
        ctx.register(name, lf);
    }
    let plans: Vec<Result<LazyFrame, QueryError>> = queries.iter().map(|q| ctx.execute(&q.sql).map_err(|e| QueryError::of(q, &e))).collect();
    // all together first, as one plan: queries over the same table then share its scan
    if let Ok(lfs) = plans.iter().map(|p| p.as_ref().map(|lf| lf.logical_plan.clone())).collect::<Result<Vec<_>, _>>() {
        let opt_state = plans.iter().flatten().next().map(LazyFrame::get_current_optimizations).unwrap_or_default();
        if let Ok(frames) = LazyFrame::collect_all_with_engine(lfs, Engine::Streaming, opt_state)
            && frames.len() == queries.len()
        {
            return Ok(queries.iter().zip(frames).map(|(q, df)| (q.name.clone(), df)).collect());
        }
    }
    // some query failed: each on its own, so that every failure names its query's file (in
    // the queries' order, whether it failed being planned or being run)
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (q, plan) in queries.iter().zip(plans) {
        match plan.and_then(|lf| collect(lf).map_err(|e| QueryError::of(q, &e))) {
            Ok(df) => out.push((q.name.clone(), df)),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every failing query is named, in the queries' order, whether it failed being
    /// planned (`b`) or being run (`a`), and the good one is not reported.
    #[test]
    fn failing_queries_are_named_in_their_order_however_they_fail() {
        let query = |name: &str, sql: &str| Query { name: name.into(), source: format!("{name}.sql"), sql: sql.into() };
        let queries = [
            query("a", "select cast(name as int) as n from t"),
            query("b", "selec 1"),
            query("c", "select count(*) as rows from t"),
        ];
        let t = df!("name" => ["x", "y"]).unwrap();
        let tables = BTreeMap::from([("t", t)]);
        let errors = run(&queries, &tables).expect_err("two queries fail");
        assert_eq!(errors.iter().map(|e| e.file.as_str()).collect::<Vec<_>>(), ["a.sql", "b.sql"]);
        let good = run(&queries[2..], &tables).expect("the good query runs");
        assert_eq!(good[0].1.height(), 1);
    }

    #[test]
    fn band_labels_read_like_money() {
        assert_eq!(band_label(0, 100_000_000), "(0, 1,000,000]");
        assert_eq!(band_label(300_000_000, 600_000_000), "(3,000,000, 6,000,000]");
        assert_eq!(thousands(123_456), "1,234.56");
    }
}
