//! `tongbao diff`: how two published runs differ: counts that moved (per input and per
//! district), firms whose eligibility or reconciliation changed and why, claims whose
//! indemnity or exposure changed, and rows only in one run.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use polars::prelude::*;
use serde::Serialize;

use crate::schema::out;

/// A table of a run as rows of text, keyed by one column.
type Keyed = BTreeMap<String, BTreeMap<String, String>>;

use crate::frames::read_table as read;

use crate::frames::column_texts as texts;

/// Rows of `df` as text, under the given keys (one per row).
fn keyed_by(df: &DataFrame, keys: Vec<String>, columns: &[&str]) -> Result<Keyed> {
    let cols: Vec<(String, Vec<String>)> = columns.iter().map(|c| Ok((c.to_string(), texts(df, c)?))).collect::<Result<_>>()?;
    Ok(keys
        .into_iter()
        .enumerate()
        .map(|(i, k)| (k, cols.iter().map(|(c, v)| (c.clone(), v[i].clone())).collect()))
        .collect())
}

/// One value that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub key: String,
    pub field: String,
    pub before: String,
    pub after: String,
}

/// A count in both runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moved {
    pub what: String,
    pub before: i64,
    pub after: i64,
}

/// Everything that differs between two runs.
#[derive(Debug, Default, Serialize)]
pub struct RunDiff {
    pub a: String,
    pub b: String,
    pub counts: Vec<Moved>,
    pub districts: Vec<Moved>,
    pub firms: Vec<Change>,
    pub reconciliation: Vec<Change>,
    pub claims: Vec<Change>,
    /// Hits and possible matches whose other columns changed (a review, `is_hit`).
    pub hits: Vec<Change>,
    /// Review decisions whose effect (or anything else) changed.
    pub reviews: Vec<Change>,
    /// Reconciliation rows only in one run (applications of no accepted firm that appeared or
    /// went away, keyed by USCC and application).
    pub reconciliation_only_in_a: Vec<String>,
    pub reconciliation_only_in_b: Vec<String>,
    pub firms_only_in_a: Vec<String>,
    pub firms_only_in_b: Vec<String>,
    pub claims_only_in_a: Vec<String>,
    pub claims_only_in_b: Vec<String>,
    /// Hits and possible matches that went away, and that appeared.
    pub hits_only_in_a: Vec<String>,
    pub hits_only_in_b: Vec<String>,
    /// Review decisions only in one run.
    pub reviews_only_in_a: Vec<String>,
    pub reviews_only_in_b: Vec<String>,
}

impl RunDiff {
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
            && self.districts.is_empty()
            && self.firms.is_empty()
            && self.reconciliation.is_empty()
            && self.claims.is_empty()
            && self.hits.is_empty()
            && self.reviews.is_empty()
            && self.hits_only_in_a.is_empty()
            && self.hits_only_in_b.is_empty()
            && self.reviews_only_in_a.is_empty()
            && self.reviews_only_in_b.is_empty()
            && self.reconciliation_only_in_a.is_empty()
            && self.reconciliation_only_in_b.is_empty()
            && self.firms_only_in_a.is_empty()
            && self.firms_only_in_b.is_empty()
            && self.claims_only_in_a.is_empty()
            && self.claims_only_in_b.is_empty()
    }
}

fn changes(a: &Keyed, b: &Keyed, fields: &[&str]) -> Vec<Change> {
    let mut out = Vec::new();
    for (k, ra) in a {
        let Some(rb) = b.get(k) else { continue };
        for f in fields {
            if ra.get(*f) != rb.get(*f) {
                out.push(Change {
                    key: k.clone(),
                    field: f.to_string(),
                    before: ra.get(*f).cloned().unwrap_or_default(),
                    after: rb.get(*f).cloned().unwrap_or_default(),
                });
            }
        }
    }
    out
}

fn only_in(a: &Keyed, b: &Keyed) -> Vec<String> {
    a.keys().filter(|k| !b.contains_key(*k)).cloned().collect()
}

fn manifest_counts(dir: &Path) -> Result<BTreeMap<String, i64>> {
    let path = dir.join(out::MANIFEST);
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).with_context(|| format!("cannot read `{}`", path.display()))?)
        .with_context(|| format!("`{}` is not JSON", path.display()))?;
    let mut counts = BTreeMap::new();
    for i in m["inputs"].as_array().into_iter().flatten() {
        let name = i["input"].as_str().unwrap_or("?");
        for k in ["read", "accepted", "rejected"] {
            counts.insert(format!("{name} {k}"), i["counts"][k].as_i64().unwrap_or(0));
        }
    }
    for o in m["outputs"].as_array().into_iter().flatten().filter(|o| o["rows"].is_number()) {
        counts.insert(format!("{} rows", o["name"].as_str().unwrap_or("?")), o["rows"].as_i64().unwrap_or(0));
    }
    Ok(counts)
}

/// Firms, eligible and enrolled per district.
fn district_counts(recon: &Keyed) -> BTreeMap<String, i64> {
    let mut c = BTreeMap::new();
    for r in recon.values() {
        let d = r.get("district").cloned().unwrap_or_default();
        let status = r.get("status").map(String::as_str).unwrap_or("");
        *c.entry(format!("{d} firms")).or_insert(0) += 1;
        if matches!(status, "eligible_enrolled" | "eligible_not_enrolled") {
            *c.entry(format!("{d} eligible")).or_insert(0) += 1;
        }
        if matches!(status, "eligible_enrolled" | "enrolled_not_eligible" | "enrolled_firm_rejected" | "enrolled_unknown_firm") {
            *c.entry(format!("{d} enrolled")).or_insert(0) += 1;
        }
    }
    c
}

fn moved(a: &BTreeMap<String, i64>, b: &BTreeMap<String, i64>) -> Vec<Moved> {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (x, y) = (a.get(k).copied().unwrap_or(0), b.get(k).copied().unwrap_or(0));
            (x != y).then(|| Moved { what: k.clone(), before: x, after: y })
        })
        .collect()
}

/// Columns never compared: where a row came from (row numbers move when a feed is
/// re-sorted) and the run's own date (shown in the header).
const NOT_COMPARED: [&str; 3] = ["source_file", "source_row", "as_of"];

/// Every column both runs' tables have, but the key's and those never compared: the
/// column list comes from the files' own schema, so a new output column is compared too.
fn shared_columns(a: &DataFrame, b: &DataFrame, key: &[&str]) -> Vec<String> {
    let in_b: BTreeSet<String> = b.get_column_names().iter().map(|n| n.to_string()).collect();
    a.get_column_names()
        .iter()
        .map(|n| n.to_string())
        .filter(|n| in_b.contains(n) && !key.contains(&n.as_str()) && !NOT_COMPARED.contains(&n.as_str()))
        .collect()
}

/// Rows of `df` keyed by the joined values of `key`.
fn keyed_on(df: &DataFrame, key: &[&str], columns: &[String]) -> Result<Keyed> {
    let parts: Vec<Vec<String>> = key.iter().map(|k| texts(df, k)).collect::<Result<_>>()?;
    // every part kept, empty ones included, so that two keys never run together
    let keys = (0..df.height()).map(|i| parts.iter().map(|p| p[i].as_str()).collect::<Vec<_>>().join(" | ")).collect();
    let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
    keyed_by(df, keys, &cols)
}

/// One detail table of both runs: its changed values and the keys only in one of them.
fn compare(a: &Path, b: &Path, stem: &str, key: &[&str], key_of: Option<&dyn Fn(&DataFrame) -> Result<Vec<String>>>) -> Result<(Vec<Change>, Vec<String>, Vec<String>, Keyed, Keyed)> {
    let (da, db) = (read(a, stem)?, read(b, stem)?);
    let columns = shared_columns(&da, &db, key);
    let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
    let (ka, kb) = match key_of {
        Some(f) => (keyed_by(&da, f(&da)?, &cols)?, keyed_by(&db, f(&db)?, &cols)?),
        None => (keyed_on(&da, key, &columns)?, keyed_on(&db, key, &columns)?),
    };
    Ok((changes(&ka, &kb, &cols), only_in(&ka, &kb), only_in(&kb, &ka), ka, kb))
}

/// Compare two published run folders: every column of every detail table.
pub fn diff(a: &Path, b: &Path) -> Result<RunDiff> {
    // a firm's row is keyed by its USCC; an enrolled application of no accepted firm (one
    // row per application) by USCC and application
    let recon_key = |df: &DataFrame| -> Result<Vec<String>> {
        let (usccs, apps, statuses) = (texts(df, "uscc")?, texts(df, "application_id")?, texts(df, "status")?);
        Ok((0..df.height())
            .map(|i| if matches!(statuses[i].as_str(), "enrolled_unknown_firm" | "enrolled_firm_rejected") { format!("{} {}", usccs[i], apps[i]) } else { usccs[i].clone() })
            .collect())
    };
    let (firms, firms_only_in_a, firms_only_in_b, _, _) = compare(a, b, out::FIRM_ELIGIBILITY, &["uscc"], None)?;
    let (reconciliation, reconciliation_only_in_a, reconciliation_only_in_b, ra, rb) =
        compare(a, b, out::ENROLLMENT_RECONCILIATION, &["uscc"], Some(&recon_key))?;
    let (claims, claims_only_in_a, claims_only_in_b, _, _) = compare(a, b, out::CLAIM_INDEMNITY, &["claim_id"], None)?;
    let hit_key = ["uscc", "match", "list_type", "case_no", "listed_name", "listed_id", "listed_on"];
    let (hits, hits_only_in_a, hits_only_in_b, _, _) = compare(a, b, out::BLACKLIST_HITS, &hit_key, None)?;
    // runs published before review decisions existed have no such table
    let (reviews, reviews_only_in_a, reviews_only_in_b) = if a.join(format!("{}.parquet", out::REVIEW_DECISIONS)).exists() && b.join(format!("{}.parquet", out::REVIEW_DECISIONS)).exists() {
        let (c, x, y, _, _) = compare(a, b, out::REVIEW_DECISIONS, &["uscc", "case_no", "decided_on"], None)?;
        (c, x, y)
    } else {
        Default::default()
    };
    Ok(RunDiff {
        a: a.display().to_string(),
        b: b.display().to_string(),
        counts: moved(&manifest_counts(a)?, &manifest_counts(b)?),
        districts: moved(&district_counts(&ra), &district_counts(&rb)),
        firms,
        reconciliation,
        claims,
        hits,
        reviews,
        reconciliation_only_in_a,
        reconciliation_only_in_b,
        firms_only_in_a,
        firms_only_in_b,
        claims_only_in_a,
        claims_only_in_b,
        hits_only_in_a,
        hits_only_in_b,
        reviews_only_in_a,
        reviews_only_in_b,
    })
}

/// The values of `columns` in the row of a published table whose `key_column` is `key`
/// (`None` when no row has it).
pub fn published_row(run: &Path, stem: &str, key_column: &str, key: &str, columns: &[&str]) -> Result<Option<Vec<String>>> {
    let df = read(run, stem)?;
    let keys = texts(&df, key_column)?;
    let Some(i) = keys.iter().position(|k| k == key) else { return Ok(None) };
    columns.iter().map(|c| Ok(texts(&df, c)?[i].clone())).collect::<Result<Vec<_>>>().map(Some)
}

/// The published run before `run` in its output root (the newest for an earlier date).
pub fn run_before(run: &Path) -> Result<std::path::PathBuf> {
    let root = run.parent().context("the run folder has no parent")?;
    let name = run.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let date = name.strip_prefix("as_of=").and_then(|d| crate::values::parse_date(d, false).ok()).with_context(|| format!("`{}` is not a run folder (as_of=YYYY-MM-DD)", run.display()))?;
    crate::runs::published(root)
        .into_iter()
        .rev()
        .find(|(d, _)| *d < date)
        .map(|(_, p)| p)
        .with_context(|| format!("no published run before {date} in `{}`", root.display()))
}

/// The diff for a person.
pub fn render(d: &RunDiff) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "a: {}\nb: {}", d.a, d.b);
    if d.is_empty() {
        s += "no differences\n";
        return s;
    }
    let section = |s: &mut String, title: &str, rows: &[Moved]| {
        if !rows.is_empty() {
            let _ = writeln!(s, "\n{title}");
            for m in rows {
                let _ = writeln!(s, "  {:<40} {:>10} -> {:<10} ({:+})", m.what, m.before, m.after, m.after - m.before);
            }
        }
    };
    section(&mut s, "counts that moved", &d.counts);
    section(&mut s, "per district", &d.districts);
    let changes = |s: &mut String, title: &str, rows: &[Change]| {
        if !rows.is_empty() {
            let _ = writeln!(s, "\n{title}");
            for c in rows {
                let show = |v: &str| if v.is_empty() { "(none)".to_string() } else { v.to_string() };
                let _ = writeln!(s, "  {:<22} {:<26} {} -> {}", c.key, c.field, show(&c.before), show(&c.after));
            }
        }
    };
    changes(&mut s, "firms whose eligibility changed", &d.firms);
    changes(&mut s, "reconciliation changes", &d.reconciliation);
    changes(&mut s, "claims whose pricing changed", &d.claims);
    changes(&mut s, "hits and possible matches that changed", &d.hits);
    changes(&mut s, "review decisions whose effect changed", &d.reviews);
    for (title, keys) in [
        ("reconciliation rows only in a", &d.reconciliation_only_in_a),
        ("reconciliation rows only in b", &d.reconciliation_only_in_b),
        ("firms only in a", &d.firms_only_in_a),
        ("firms only in b", &d.firms_only_in_b),
        ("claims only in a", &d.claims_only_in_a),
        ("claims only in b", &d.claims_only_in_b),
        ("hits and possible matches that went away", &d.hits_only_in_a),
        ("hits and possible matches that appeared", &d.hits_only_in_b),
        ("review decisions only in a", &d.reviews_only_in_a),
        ("review decisions only in b", &d.reviews_only_in_b),
    ] {
        if !keys.is_empty() {
            let _ = writeln!(s, "\n{title}:");
            for k in keys {
                let _ = writeln!(s, "  {k}");
            }
        }
    }
    s
}
