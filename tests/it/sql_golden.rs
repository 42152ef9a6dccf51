//! Golden tests of the summary queries, in the manner of sqllogictest files: small input
//! tables built by hand, each query run on them, and the expected rows written out by hand,
//! with the edge cases of rounding, bands and the year-on-year change.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::support::*;

/// A money column (decimal(18, 2)) from cents.
fn money(name: &str, cents: &[Option<i64>]) -> Column {
    let ca: Int128Chunked = cents.iter().map(|c| c.map(i128::from)).collect();
    ca.with_name(name.into()).into_decimal(18, 2).unwrap().into_series().into_column()
}

fn dates(name: &str, values: &[&str]) -> Column {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let ca: Int32Chunked = values.iter().map(|v| Some((d(v) - epoch).num_days() as i32)).collect();
    ca.with_name(name.into()).into_series().cast(&DataType::Date).unwrap().into_column()
}

/// Run one built-in summary over `tables` (and the shipped policy's `params` for 2022-05-07).
fn run(name: &str, tables: Vec<(&'static str, DataFrame)>) -> DataFrame {
    let policy = policy();
    let as_of = d("2022-05-07");
    let period = policy.period_on(as_of).unwrap();
    let mut t: BTreeMap<&str, DataFrame> = tables.into_iter().collect();
    t.insert("params", tongbao::summaries::params(period, as_of, 2021).unwrap());
    let queries: Vec<_> = tongbao::summaries::queries(None).unwrap().into_iter().filter(|q| q.name == name).collect();
    assert_eq!(queries.len(), 1, "no built-in `{name}`");
    tongbao::summaries::run(&queries, &t).unwrap_or_else(|e| panic!("{e:?}")).remove(0).1
}

/// The rows of `df` in `columns`, as text ("" for null), joined by ` | `.
fn rows(df: &DataFrame, columns: &[&str]) -> Vec<String> {
    let cols: Vec<Vec<String>> = columns.iter().map(|c| crate::end_to_end::texts(df, c)).collect();
    (0..df.height()).map(|i| cols.iter().map(|c| c[i].as_str()).collect::<Vec<_>>().join(" | ")).collect()
}

/// Claims notified on the given days, each with a status and an indemnity in cents.
fn claims(rows: &[(&str, &str, i64)]) -> DataFrame {
    let days: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let status: Vec<&str> = rows.iter().map(|r| r.1).collect();
    let ind: Vec<Option<i64>> = rows.iter().map(|r| Some(r.2)).collect();
    DataFrame::new(rows.len(), vec![dates("notified_on", &days), Column::new("status".into(), status), money("indemnity_usd", &ind)]).unwrap()
}

/// `n` filed claims on `day`.
fn filed(day: &'static str, n: usize) -> Vec<(&'static str, &'static str, i64)> {
    vec![(day, "filed", 1_000); n]
}

#[test]
fn claims_by_quarter_counts_every_claim_and_the_paid_indemnity_with_the_change_on_last_year() {
    let mut c = Vec::new();
    // 2021 Q1: 5 claims, two paid (100.00 and 50.00)
    c.extend(filed("2021-02-01", 3));
    c.extend([("2021-03-31", "paid", 10_000), ("2021-01-01", "paid", 5_000)]);
    // 2022 Q1: 13 claims, none paid: the article's "13 claims, up 160%"; paid falls 100%
    c.extend(filed("2022-03-31", 13));
    // 2021 Q4: 3 claims; 2022 Q4: 1 claim, paid 0.10: down 66.67% (66.666… rounded)
    c.extend(filed("2021-10-01", 3));
    c.extend([("2022-12-31", "paid", 10)]);
    // 2022 Q2: 2 claims, none the year before: no change can be given
    c.extend(filed("2022-04-01", 2));
    // 2021 Q3 and 2022 Q3: both years' paid indemnity zero: no change; claims 4 -> 4
    c.extend(filed("2021-07-01", 4));
    c.extend(filed("2022-09-30", 4));
    // a withdrawn claim counts as a claim, and its indemnity is not paid
    c.extend([("2023-01-15", "withdrawn", 0)]);
    let df = run("claims_by_quarter", vec![("claim_indemnity", claims(&c))]);
    let columns = ["year", "quarter", "claims", "claims_last_year", "claims_yoy_pct", "paid_indemnity_usd", "paid_indemnity_last_year_usd", "paid_indemnity_yoy_pct"];
    assert_eq!(
        rows(&df, &columns),
        vec![
            "2021 | 1 | 5 | 0 |  | 150.00 |  | ",
            "2021 | 3 | 4 | 0 |  | 0.00 |  | ",
            "2021 | 4 | 3 | 0 |  | 0.00 |  | ",
            "2022 | 1 | 13 | 5 | 160.00 | 0.00 | 150.00 | -100.00",
            "2022 | 2 | 2 | 0 |  | 0.00 |  | ",
            "2022 | 3 | 4 | 4 | 0.00 | 0.00 | 0.00 | ",
            "2022 | 4 | 1 | 3 | -66.67 | 0.10 | 0.00 | ",
            "2023 | 1 | 1 | 13 | -92.31 | 0.00 | 0.00 | ",
        ]
    );
}

#[test]
fn a_change_of_exactly_half_a_hundredth_of_a_percent_rounds_away_from_zero() {
    // 800 -> 801 claims: +0.125% -> 0.13; 800 -> 799: -0.125% -> -0.13 (not to even)
    let mut c = filed("2021-05-01", 800);
    c.extend(filed("2022-05-01", 801));
    c.extend(filed("2021-08-01", 800));
    c.extend(filed("2022-08-01", 799));
    let df = run("claims_by_quarter", vec![("claim_indemnity", claims(&c))]);
    let got = rows(&df, &["year", "quarter", "claims_yoy_pct"]);
    assert_eq!(got, vec!["2021 | 2 | ", "2021 | 3 | ", "2022 | 2 | 0.13", "2022 | 3 | -0.13"]);
}

/// A firm and its reconciliation row for the band summary.
struct F {
    uscc: &'static str,
    district: &'static str,
    status: &'static str,
    self_exports_cents: Option<i64>,
    premium: Option<i64>,
}

fn band_tables(firms: &[F]) -> Vec<(&'static str, DataFrame)> {
    let known: Vec<&F> = firms.iter().filter(|f| f.self_exports_cents.is_some()).collect();
    let fe = DataFrame::new(
        known.len(),
        vec![Column::new("uscc".into(), known.iter().map(|f| f.uscc).collect::<Vec<_>>()), money("self_exports_usd", &known.iter().map(|f| f.self_exports_cents).collect::<Vec<_>>())],
    )
    .unwrap();
    let n = firms.len();
    let eligible: Vec<Option<bool>> = firms.iter().map(|f| f.self_exports_cents.map(|_| f.status.starts_with("eligible"))).collect();
    let subsidy: Vec<Option<i64>> = firms.iter().map(|f| if f.status == "eligible_enrolled" { f.premium } else { None }).collect();
    let recon = DataFrame::new(
        n,
        vec![
            Column::new("uscc".into(), firms.iter().map(|f| f.uscc).collect::<Vec<_>>()),
            Column::new("district".into(), firms.iter().map(|f| f.district).collect::<Vec<_>>()),
            Column::new("status".into(), firms.iter().map(|f| f.status).collect::<Vec<_>>()),
            Column::new("is_eligible".into(), eligible),
            money("premium_cny", &firms.iter().map(|f| f.premium).collect::<Vec<_>>()),
            money("subsidy_cny", &subsidy),
        ],
    )
    .unwrap();
    vec![("firm_eligibility", fe), ("enrollment_reconciliation", recon)]
}

#[test]
fn enrollment_bands_take_their_upper_edge_and_the_coverage_rate_rounds_half_away() {
    let f = |uscc, status, cents: Option<i64>, premium| F { uscc, district: "350203", status, self_exports_cents: cents, premium };
    let firms = vec![
        // exactly on the edges: in the band below; a cent over: the next band
        f("A", "eligible_enrolled", Some(100_000_000), Some(100_00)),
        f("B", "eligible_not_enrolled", Some(100_000_001), None),
        f("C", "eligible_enrolled", Some(300_000_000), Some(200_00)),
        f("D", "eligible_enrolled", Some(600_000_000), Some(300_00)),
        f("E", "enrolled_not_eligible", Some(600_000_001), Some(400_00)),
        f("G", "not_eligible_not_enrolled", Some(0), None),
        f("H", "enrolled_firm_rejected", None, Some(500_00)),
        f("I", "enrolled_unknown_firm", None, Some(600_00)),
    ];
    let df = run("enrollment_by_district_band", band_tables(&firms));
    let columns = ["district", "export_band", "firms", "eligible", "enrolled", "eligible_enrolled", "enrolled_firm_rejected", "enrolled_unknown_firm", "coverage_rate", "premium_cny", "subsidy_cny"];
    assert_eq!(
        rows(&df, &columns),
        vec![
            "350203 | none | 1 | 0 | 0 | 0 | 0 | 0 |  |  | ",
            "350203 | (0, 1,000,000] | 1 | 1 | 1 | 1 | 0 | 0 | 1.0000 | 100.00 | 100.00",
            "350203 | (1,000,000, 3,000,000] | 2 | 2 | 1 | 1 | 0 | 0 | 0.5000 | 200.00 | 200.00",
            "350203 | (3,000,000, 6,000,000] | 1 | 1 | 1 | 1 | 0 | 0 | 1.0000 | 300.00 | 300.00",
            "350203 | above | 1 | 0 | 1 | 0 | 0 | 0 |  | 400.00 | ",
            "350203 | unknown_firm | 2 | 0 | 2 | 0 | 1 | 1 |  | 1100.00 | ",
        ]
    );

    // 1 of 32 eligible enrolled: 0.03125 -> 0.0313; 2 of 3: 0.6666… -> 0.6667
    let mut many = Vec::new();
    let names: Vec<&'static str> = (0..32).map(|i| &*Box::leak(format!("F{i:02}").into_boxed_str())).collect();
    for (i, n) in names.iter().enumerate() {
        many.push(F { uscc: n, district: "350205", status: if i == 0 { "eligible_enrolled" } else { "eligible_not_enrolled" }, self_exports_cents: Some(50_000_00), premium: None });
    }
    for (i, n) in ["X1", "X2", "X3"].into_iter().enumerate() {
        many.push(F { uscc: n, district: "350206", status: if i < 2 { "eligible_enrolled" } else { "eligible_not_enrolled" }, self_exports_cents: Some(50_000_00), premium: None });
    }
    let df = run("enrollment_by_district_band", band_tables(&many));
    assert_eq!(rows(&df, &["district", "coverage_rate"]), vec!["350205 | 0.0313", "350206 | 0.6667"]);
}

#[test]
fn the_headline_of_a_run_with_nothing_in_it_is_zeros_and_no_coverage_rate() {
    let empty = |cols: Vec<Column>| DataFrame::new(0, cols).unwrap();
    let tables = vec![
        ("firm_eligibility", empty(vec![Column::new("uscc".into(), Vec::<&str>::new()), Column::new("is_eligible".into(), Vec::<bool>::new())])),
        (
            "enrollment_reconciliation",
            empty(vec![Column::new("status".into(), Vec::<&str>::new()), money("premium_cny", &[]), money("subsidy_cny", &[])]),
        ),
        (
            "claim_indemnity",
            empty(vec![
                Column::new("policy_no".into(), Vec::<&str>::new()),
                Column::new("obligor_type".into(), Vec::<&str>::new()),
                Column::new("obligor_key".into(), Vec::<&str>::new()),
                money("paid_exposure_usd", &[]),
                money("outstanding_exposure_usd", &[]),
                money("cut_by_cap_usd", &[]),
                money("capacity_left_usd", &[]),
            ]),
        ),
        ("blacklist_hits", empty(vec![Column::new("is_hit".into(), Vec::<bool>::new()), Column::new("review".into(), Vec::<&str>::new())])),
        ("review_queue", empty(vec![Column::new("is_new".into(), Vec::<bool>::new())])),
    ];
    let df = run("headline", tables);
    let columns = ["firms", "eligible", "eligible_enrolled", "coverage_rate", "subsidy_cny", "paid_usd", "outstanding_usd", "obligors_capped", "blacklist_hits", "possible_matches_open"];
    assert_eq!(rows(&df, &columns), vec!["0 | 0 | 0 |  | 0.00 | 0.00 | 0.00 | 0 | 0 | 0"]);
}

fn texts_col(name: &str, v: &[&str]) -> Column {
    Column::new(name.into(), v.to_vec())
}

fn flags(name: &str, v: &[bool]) -> Column {
    Column::new(name.into(), v.to_vec())
}

#[test]
fn exposure_by_cause_counts_unpriced_claims_and_sums_what_is_known() {
    // insolvency: a paid claim, an open one, and one no fixing could price (amounts unknown)
    let df = DataFrame::new(
        4,
        vec![
            texts_col("cause", &["insolvency", "insolvency", "insolvency", "political"]),
            flags("is_covered", &[true, true, false, true]),
            money("usd_loss", &[Some(100_000), Some(50_000), None, Some(7_000_000)]),
            money("paid_exposure_usd", &[Some(80_000), Some(0), None, Some(5_000_000)]),
            money("outstanding_exposure_usd", &[Some(0), Some(40_000), None, Some(0)]),
            money("cut_by_cap_usd", &[Some(0), Some(0), None, Some(600_000)]),
        ],
    )
    .unwrap();
    let out = run("exposure_by_cause", vec![("claim_indemnity", df)]);
    let columns = ["cause", "claims", "covered", "unpriced", "usd_loss", "paid_usd", "outstanding_usd", "cut_by_cap_usd"];
    assert_eq!(rows(&out, &columns), vec!["insolvency | 3 | 2 | 1 | 1500.00 | 800.00 | 400.00 | 0.00", "political | 1 | 1 | 0 | 70000.00 | 50000.00 | 0.00 | 6000.00"]);
}

#[test]
fn obligor_exposure_keeps_a_buyer_and_a_bank_apart_and_puts_the_fullest_first() {
    let df = DataFrame::new(
        4,
        vec![
            texts_col("policy_no", &["P1", "P1", "P1", "P2"]),
            texts_col("obligor_type", &["buyer", "buyer", "issuing_bank", "buyer"]),
            texts_col("obligor_key", &["B1", "B1", "B1", "B2"]),
            texts_col("obligor_country", &["US", "US", "US", "DE"]),
            flags("is_covered", &[true, true, true, false]),
            texts_col("status", &["paid", "filed", "filed", "filed"]),
            money("usd_loss", &[Some(4_000_000), Some(3_000_000), Some(1_250_000), None]),
            money("cap_usd", &[Some(5_000_000), Some(5_000_000), Some(5_000_000), Some(5_000_000)]),
            money("indemnity_usd", &[Some(3_200_000), Some(1_800_000), Some(1_000_000), None]),
            money("paid_exposure_usd", &[Some(3_200_000), Some(0), Some(0), None]),
            money("outstanding_exposure_usd", &[Some(0), Some(1_800_000), Some(1_000_000), None]),
            money("cut_by_cap_usd", &[Some(0), Some(600_000), Some(0), None]),
        ],
    )
    .unwrap();
    let out = run("obligor_exposure", vec![("claim_indemnity", df)]);
    let columns = ["policy_no", "obligor_type", "obligor_key", "claims", "indemnity_usd", "paid_usd", "outstanding_usd", "cut_by_cap_usd", "capacity_left_usd"];
    assert_eq!(
        rows(&out, &columns),
        vec![
            "P1 | buyer | B1 | 2 | 50000.00 | 32000.00 | 18000.00 | 6000.00 | 0.00",
            "P1 | issuing_bank | B1 | 1 | 10000.00 | 0.00 | 10000.00 | 0.00 | 40000.00",
            "P2 | buyer | B2 | 1 |  |  |  |  | 50000.00",
        ]
    );
}

#[test]
fn rejects_by_reason_counts_records_most_frequent_first() {
    let df = DataFrame::new(
        6,
        vec![
            texts_col("input", &["claims", "claims", "claims", "claims", "claims", "firms"]),
            texts_col("file", &["c.csv"; 6]),
            Column::new("row".into(), vec![2i64, 3, 4, 5, 6, 2]),
            texts_col("reason", &["unknown_value", "invalid_date", "unknown_value", "invalid_date", "duplicate_key", "malformed_uscc"]),
        ],
    )
    .unwrap();
    let out = run("rejects_by_reason", vec![("rejects", df)]);
    assert_eq!(
        rows(&out, &["input", "reason", "rejects"]),
        vec!["claims | invalid_date | 2", "claims | unknown_value | 2", "claims | duplicate_key | 1", "firms | malformed_uscc | 1"]
    );
}
