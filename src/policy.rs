//! The policy file: one entry per policy period with every parameter of the programme.
//!
//! Money is held in cents and ratios in basis points; the file writes them as decimal
//! strings (or basis points), never as floats.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::values::{parse_amount_cents, parse_date};

/// The policy file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    period: Vec<PeriodFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodFile {
    id: String,
    /// First day in force, `YYYY-MM-DD`.
    start: String,
    /// Last day in force, `YYYY-MM-DD`.
    end: String,
    /// Inclusive ceiling on reference-year self-operated exports, USD as a decimal string.
    export_threshold_usd: String,
    /// Share of the covered loss indemnified, as a decimal string (`"0.80"`)...
    indemnity_ratio: Option<String>,
    /// ...or in basis points (8000).
    indemnity_ratio_bp: Option<u32>,
    /// Most indemnity per (policy, obligor) over the period, USD as a decimal string.
    cap_per_obligor_usd: String,
    /// Longest credit term covered, days.
    max_credit_days: i64,
    covered_causes: Vec<String>,
    /// Administrative division-code prefix of the city.
    city_prefix: String,
    /// `company_type` substrings of bodies that are not independent legal persons.
    #[serde(default = "default_non_legal_person")]
    non_legal_person_patterns: Vec<String>,
    /// `reg_status` substrings of deregistered or revoked firms.
    #[serde(default = "default_deregistered")]
    deregistered_patterns: Vec<String>,
    /// Enrollment statuses that count as enrolled.
    #[serde(default = "default_enrolled")]
    enrolled_statuses: Vec<String>,
    /// Upper edges of the export-size bands below the threshold, USD decimal strings.
    /// Default: USD 1M and 3M, those of them below the threshold.
    band_edges_usd: Option<Vec<String>>,
    /// Reference year per evaluation year, where it is not the year before.
    #[serde(default)]
    reference_year: BTreeMap<String, i32>,
    /// Free text: where the parameters come from.
    #[serde(default)]
    source: String,
}

fn default_non_legal_person() -> Vec<String> {
    ["分公司", "分支机构", "非法人", "个人独资", "合伙", "个体", "农民专业合作社"].map(String::from).to_vec()
}
fn default_deregistered() -> Vec<String> {
    ["注销", "吊销", "撤销"].map(String::from).to_vec()
}
fn default_enrolled() -> Vec<String> {
    ["accepted", "acknowledged"].map(String::from).to_vec()
}
fn default_band_edges() -> Vec<String> {
    ["1000000", "3000000"].map(String::from).to_vec()
}

/// One policy period, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub id: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub export_threshold_cents: i64,
    pub indemnity_ratio_bp: i64,
    pub cap_per_obligor_cents: i64,
    pub max_credit_days: i64,
    pub covered_causes: Vec<String>,
    pub city_prefix: String,
    pub non_legal_person_patterns: Vec<String>,
    pub deregistered_patterns: Vec<String>,
    pub enrolled_statuses: Vec<String>,
    pub band_edges_cents: Vec<i64>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub reference_year: BTreeMap<i32, i32>,
    pub source: String,
}

impl Period {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }

    /// The exports year that eligibility on `as_of` looks at: the year before, unless overridden.
    pub fn reference_year_for(&self, as_of: NaiveDate) -> i32 {
        self.reference_year.get(&as_of.year()).copied().unwrap_or(as_of.year() - 1)
    }

    pub fn covers_cause(&self, cause: &str) -> bool {
        self.covered_causes.iter().any(|c| c == cause)
    }
}

/// Every period of the policy file, sorted by start.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    pub periods: Vec<Period>,
}

/// Every fault of a policy file that parses but whose values cannot be right: one line
/// each, naming the period and the key. A run stops on them before reading any input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFaults {
    /// The policy file, when it was read from one.
    pub file: Option<String>,
    pub faults: Vec<String>,
}

impl std::fmt::Display for PolicyFaults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines: Vec<String> = match &self.file {
            Some(file) => self.faults.iter().map(|l| format!("policy file `{file}`: {l}")).collect(),
            None => self.faults.clone(),
        };
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for PolicyFaults {}

impl Policy {
    /// Read and check a policy file: a file that does not parse is an error with its
    /// position; one that parses but has faults is [`PolicyFaults`], every fault listed.
    pub fn load(path: &Path) -> Result<Policy> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read policy file `{}`", path.display()))?;
        let file: PolicyFile = toml::from_str(&text).map_err(|e| anyhow::anyhow!("policy file `{}`: {}", path.display(), e.to_string().trim_end()))?;
        check(file).map_err(|mut f| {
            f.file = Some(path.display().to_string());
            anyhow::Error::new(f)
        })
    }

    pub fn parse(text: &str) -> Result<Policy> {
        let file: PolicyFile = toml::from_str(text)?;
        Ok(check(file)?)
    }

    /// The period whose dates contain `d`.
    pub fn period_on(&self, d: NaiveDate) -> Option<&Period> {
        self.periods.iter().find(|p| p.contains(d))
    }
}

/// Resolve every period and check the file whole.
fn check(file: PolicyFile) -> std::result::Result<Policy, PolicyFaults> {
    let mut faults = Vec::new();
    if file.period.is_empty() {
        faults.push("no [[period]]".to_string());
    }
    let periods: Vec<Period> = file.period.into_iter().map(|p| resolve(p, &mut faults)).collect();
    for pair in periods.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if b.start < a.start {
            faults.push(format!("period `{}`: start {} is before that of period `{}` listed above it: list the periods in date order", b.id, b.start, a.id));
        } else if b.start <= a.end {
            faults.push(format!("period `{}`: start {} is not after the end {} of period `{}`: periods may not overlap", b.id, b.start, a.end, a.id));
        }
    }
    if faults.is_empty() { Ok(Policy { periods }) } else { Err(PolicyFaults { file: None, faults }) }
}

fn resolve(p: PeriodFile, faults: &mut Vec<String>) -> Period {
    let id = p.id.clone();
    let mut fault = |key: &str, text: String| faults.push(format!("period `{id}`: {key}: {text}"));
    let date = |s: &str, key: &str, fault: &mut dyn FnMut(&str, String)| match parse_date(s, false) {
        Ok(d) => d,
        Err(_) => {
            fault(key, format!("`{s}` is not a date (YYYY-MM-DD)"));
            NaiveDate::MIN
        }
    };
    let start = date(&p.start, "start", &mut fault);
    let end = date(&p.end, "end", &mut fault);
    if start != NaiveDate::MIN && end != NaiveDate::MIN && end < start {
        fault("end", format!("{end} is before start {start}"));
    }
    let positive_money = |s: &str, key: &str, fault: &mut dyn FnMut(&str, String)| match parse_amount_cents(s) {
        Ok(c) if c > 0 => c,
        Ok(_) => {
            fault(key, format!("`{s}` must be more than zero"));
            0
        }
        Err(r) => {
            fault(key, format!("`{s}` is not an amount ({r})"));
            0
        }
    };
    let export_threshold_cents = positive_money(&p.export_threshold_usd, "export_threshold_usd", &mut fault);
    let cap_per_obligor_cents = positive_money(&p.cap_per_obligor_usd, "cap_per_obligor_usd", &mut fault);
    let indemnity_ratio_bp = match (&p.indemnity_ratio, p.indemnity_ratio_bp) {
        (Some(s), None) => match ratio_to_bp(s) {
            Ok(bp) => bp,
            Err(e) => {
                fault("indemnity_ratio", e.to_string());
                0
            }
        },
        (None, Some(bp)) => bp as i64,
        _ => {
            fault("indemnity_ratio", "give exactly one of indemnity_ratio and indemnity_ratio_bp".into());
            -1
        }
    };
    if !(1..=10_000).contains(&indemnity_ratio_bp) && indemnity_ratio_bp != -1 {
        let key = if p.indemnity_ratio_bp.is_some() { "indemnity_ratio_bp" } else { "indemnity_ratio" };
        fault(key, format!("{} basis points: the ratio must be more than 0 and at most 1", indemnity_ratio_bp));
    }
    if p.max_credit_days <= 0 {
        fault("max_credit_days", format!("{} must be more than zero", p.max_credit_days));
    }
    let city_prefix = p.city_prefix.trim().to_string();
    if city_prefix.is_empty() || city_prefix.len() > 6 || !city_prefix.bytes().all(|b| b.is_ascii_digit()) {
        fault("city_prefix", format!("`{}` must be 1 to 6 digits, the start of the city's administrative division code (3502 for Xiamen)", p.city_prefix));
    }
    for (key, list) in [
        ("covered_causes", &p.covered_causes),
        ("non_legal_person_patterns", &p.non_legal_person_patterns),
        ("deregistered_patterns", &p.deregistered_patterns),
        ("enrolled_statuses", &p.enrolled_statuses),
    ] {
        if list.is_empty() {
            fault(key, "the list is empty".into());
        } else if list.iter().any(|v| v.trim().is_empty()) {
            // an empty pattern is in every text: it would match every firm
            fault(key, "holds an empty value".into());
        }
    }
    // the default edges are those below the threshold; edges written out must all be
    let edges = match &p.band_edges_usd {
        Some(edges) => edges.clone(),
        None => default_band_edges().into_iter().filter(|e| parse_amount_cents(e).is_ok_and(|c| c < export_threshold_cents)).collect(),
    };
    for (key, list, known) in [
        ("enrolled_statuses", &p.enrolled_statuses, &["submitted", "accepted", "acknowledged", "rejected", "cancelled"][..]),
        ("covered_causes", &p.covered_causes, &["political", "insolvency", "protracted_default", "rejection", "non_acceptance"][..]),
    ] {
        for v in list.iter().filter(|v| !v.trim().is_empty() && !known.contains(&v.trim().to_lowercase().as_str())) {
            fault(key, format!("`{v}` is not one of {}: a typo here would silently change who is enrolled or what is covered", known.join(", ")));
        }
    }
    let mut band_edges_cents = Vec::new();
    for s in &edges {
        let c = positive_money(s, "band_edges_usd", &mut fault);
        if let Some(&last) = band_edges_cents.last() {
            if c <= last {
                fault("band_edges_usd", format!("`{s}` is not above the edge before it: edges must increase"));
            }
        }
        if c >= export_threshold_cents && export_threshold_cents > 0 {
            fault("band_edges_usd", format!("`{s}` is not below export_threshold_usd `{}`", p.export_threshold_usd));
        }
        band_edges_cents.push(c);
    }
    let mut reference_year = BTreeMap::new();
    for (k, v) in p.reference_year {
        match k.parse::<i32>() {
            Ok(year) => {
                reference_year.insert(year, v);
            }
            Err(_) => fault("reference_year", format!("key `{k}` is not a year")),
        }
    }
    Period {
        export_threshold_cents,
        cap_per_obligor_cents,
        indemnity_ratio_bp,
        max_credit_days: p.max_credit_days,
        covered_causes: p.covered_causes.iter().map(|c| c.trim().to_lowercase()).collect(),
        city_prefix,
        non_legal_person_patterns: p.non_legal_person_patterns,
        deregistered_patterns: p.deregistered_patterns,
        enrolled_statuses: p.enrolled_statuses.iter().map(|c| c.trim().to_lowercase()).collect(),
        band_edges_cents,
        reference_year,
        source: p.source,
        id: p.id,
        start,
        end,
    }
}

/// `"0.80"` → 8000 basis points; at most four decimals.
fn ratio_to_bp(s: &str) -> Result<i64> {
    let s = s.trim();
    let (int_part, frac) = s.split_once('.').unwrap_or((s, ""));
    if int_part.is_empty() && frac.is_empty() || !int_part.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        bail!("`{s}` is not a decimal");
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > 4 {
        bail!("`{s}` has more than four decimals");
    }
    let int_value: i64 = if int_part.is_empty() { 0 } else { int_part.parse()? };
    let frac_value: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<4}").parse()? };
    Ok(int_value * 10_000 + frac_value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../policy.toml");

    #[test]
    fn the_shipped_policy_has_both_periods() {
        let p = Policy::parse(SHIPPED).unwrap();
        assert_eq!(p.periods.len(), 2);
        let d = |s| parse_date(s, false).unwrap();
        let now = p.period_on(d("2022-05-07")).unwrap();
        assert_eq!(now.export_threshold_cents, 600_000_000);
        assert_eq!(now.indemnity_ratio_bp, 8000);
        assert_eq!(now.cap_per_obligor_cents, 5_000_000);
        assert_eq!(now.max_credit_days, 365);
        assert_eq!(now.reference_year_for(d("2022-05-07")), 2021);
        assert_eq!(now.reference_year_for(d("2023-05-07")), 2022);
        let before = p.period_on(d("2021-12-31")).unwrap();
        assert_eq!(before.export_threshold_cents, 300_000_000);
        assert!(p.period_on(d("2024-01-01")).is_none());
    }

    #[test]
    fn ratios_in_basis_points() {
        assert_eq!(ratio_to_bp("0.80").unwrap(), 8000);
        assert_eq!(ratio_to_bp("0.8").unwrap(), 8000);
        assert_eq!(ratio_to_bp("1").unwrap(), 10000);
        assert_eq!(ratio_to_bp("0.8125").unwrap(), 8125);
        assert!(ratio_to_bp("0.81255").is_err());
        assert!(ratio_to_bp("eighty").is_err());
    }

    fn period(id: &str, start: &str, end: &str) -> String {
        format!(
            "[[period]]\nid = \"{id}\"\nstart = \"{start}\"\nend = \"{end}\"\nexport_threshold_usd = \"6000000\"\nindemnity_ratio = \"0.8\"\ncap_per_obligor_usd = \"50000\"\nmax_credit_days = 365\ncovered_causes = [\"political\"]\ncity_prefix = \"3502\"\n"
        )
    }

    #[test]
    fn overlapping_periods_are_an_error() {
        let text = period("a", "2020-01-01", "2021-12-31") + &period("b", "2021-12-31", "2023-12-31");
        let err = Policy::parse(&text).unwrap_err().to_string();
        assert!(err.contains("overlap"), "{err}");
    }

    #[test]
    fn end_before_start_is_an_error() {
        let err = Policy::parse(&period("a", "2021-01-01", "2020-12-31")).unwrap_err().to_string();
        assert!(err.contains("before start"), "{err}");
    }

    #[test]
    fn unknown_keys_are_an_error() {
        let text = period("a", "2020-01-01", "2021-12-31") + "thresold = 1\n";
        let err = format!("{:#}", Policy::parse(&text).unwrap_err());
        assert!(err.contains("thresold"), "{err}");
    }

    #[test]
    fn default_band_edges_are_those_below_the_threshold() {
        // a USD 3M period that leaves out band_edges_usd: the 3M default edge is not one of them
        let text = period("a", "2020-01-01", "2021-12-31").replace("6000000", "3000000");
        let p = Policy::parse(&text).unwrap();
        assert_eq!(p.periods[0].band_edges_cents, vec![100_000_000]);
        // written out, an edge at the threshold is a fault
        let err = Policy::parse(&(text + "band_edges_usd = [\"1000000\", \"3000000\"]\n")).unwrap_err().to_string();
        assert!(err.contains("is not below export_threshold_usd"), "{err}");
    }

    #[test]
    fn a_mistyped_status_or_cause_is_a_fault() {
        let text = period("a", "2020-01-01", "2021-12-31").replace("[\"political\"]", "[\"politcal\"]") + "enrolled_statuses = [\"acepted\"]\n";
        let faults = Policy::parse(&text).unwrap_err().downcast::<PolicyFaults>().unwrap().faults;
        assert_eq!(faults.len(), 2, "{faults:?}");
        assert!(faults[0].starts_with("period `a`: enrolled_statuses: `acepted` is not one of"), "{faults:?}");
        assert!(faults[1].starts_with("period `a`: covered_causes: `politcal` is not one of"), "{faults:?}");
    }
}