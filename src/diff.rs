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

fn read(dir: &Path, stem: &str) -> Result<DataFrame> {
    let path = dir.join(format!("{stem}.parquet"));
    let f = std::fs::File::open(&path).with_context(|| format!("cannot open `{}`", path.display()))?;
    ParquetReader::new(f).finish().map_err(anyhow::Error::from).with_context(|| format!("cannot read `{}`", path.display()))
}

fn texts(df: &DataFrame, name: &str) -> Result<Vec<String>> {
    let s = df.column(name).map_err(anyhow::Error::from).with_context(|| format!("no column `{name}`"))?.as_materialized_series().cast(&DataType::String)?;
    Ok(s.str()?.iter().map(|v| v.unwrap_or("").to_string()).collect())
}

fn keyed(df: &DataFrame, key: &str, columns: &[&str]) -> Result<Keyed> {
    keyed_by(df, texts(df, key)?, columns)
}

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
    pub firms_only_in_a: Vec<String>,
    pub firms_only_in_b: Vec<String>,
    pub claims_only_in_a: Vec<String>,
    pub claims_only_in_b: Vec<String>,
}

impl RunDiff {
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
            && self.districts.is_empty()
            && self.firms.is_empty()
            && self.reconciliation.is_empty()
            && self.claims.is_empty()
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

/// Compare two published run folders.
pub fn diff(a: &Path, b: &Path) -> Result<RunDiff> {
    let firm_cols = ["is_eligible", "reasons", "district", "self_exports_usd"];
    let recon_cols = ["status", "application_id", "district", "subsidy_cny"];
    let claim_cols = ["is_covered", "reasons", "usd_loss", "indemnity_usd", "cut_by_cap_usd", "paid_exposure_usd", "outstanding_exposure_usd", "status"];
    let load = |dir: &Path| -> Result<(Keyed, Keyed, Keyed)> {
        let recon = read(dir, out::ENROLLMENT_RECONCILIATION)?;
        // a firm's row is keyed by its USCC; an enrolled application of no known firm
        // (one row per application) by USCC and application
        let (usccs, apps, statuses) = (texts(&recon, "uscc")?, texts(&recon, "application_id")?, texts(&recon, "status")?);
        let keys = (0..recon.height())
            .map(|i| if matches!(statuses[i].as_str(), "enrolled_unknown_firm" | "enrolled_firm_rejected") { format!("{} {}", usccs[i], apps[i]) } else { usccs[i].clone() })
            .collect();
        let rk = keyed_by(&recon, keys, &recon_cols)?;
        Ok((keyed(&read(dir, out::FIRM_ELIGIBILITY)?, "uscc", &firm_cols)?, rk, keyed(&read(dir, out::CLAIM_INDEMNITY)?, "claim_id", &claim_cols)?))
    };
    let (fa, ra, ca) = load(a)?;
    let (fb, rb, cb) = load(b)?;
    Ok(RunDiff {
        a: a.display().to_string(),
        b: b.display().to_string(),
        counts: moved(&manifest_counts(a)?, &manifest_counts(b)?),
        districts: moved(&district_counts(&ra), &district_counts(&rb)),
        firms: changes(&fa, &fb, &firm_cols),
        reconciliation: changes(&ra, &rb, &["status", "application_id", "subsidy_cny"]),
        claims: changes(&ca, &cb, &claim_cols),
        firms_only_in_a: only_in(&fa, &fb),
        firms_only_in_b: only_in(&fb, &fa),
        claims_only_in_a: only_in(&ca, &cb),
        claims_only_in_b: only_in(&cb, &ca),
    })
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
    for (title, keys) in [
        ("firms only in a", &d.firms_only_in_a),
        ("firms only in b", &d.firms_only_in_b),
        ("claims only in a", &d.claims_only_in_a),
        ("claims only in b", &d.claims_only_in_b),
    ] {
        if !keys.is_empty() {
            let _ = writeln!(s, "\n{title}: {}", keys.join(", "));
        }
    }
    s
}
