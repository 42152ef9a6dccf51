//! Guards (docs/rules.md): the checks that stop a run (exit 3, nothing published) rather than
//! let it publish a normal-looking wrong answer when a feed drifts.
//!
//! Each guard looks at what loading reported (columns each file lacks, rows read,
//! accepted and rejected) and, for drift, at the newest published run for an earlier date.
//! Every guard has a config key and a one-run flag that override it; an override is
//! recorded in the manifest with what made it. The policy file's own checks live in
//! `policy`, which runs before any input is read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use chrono::NaiveDate;
use serde::Serialize;

use crate::load::InputReport;
use crate::schema::Input;

/// Most-allowed fall of an input's accepted rows against the last published run.
pub const DEFAULT_MAX_DROP_SHARE: f64 = 0.20;
/// Most-allowed share of an input's rows rejected.
pub const DEFAULT_MAX_REJECT_SHARE: f64 = 0.05;
/// Inputs that must have at least one accepted row: an empty blacklist screens nobody,
/// an empty register or exports feed makes every firm ineligible.
pub const DEFAULT_REQUIRED_ROWS: [Input; 3] = [Input::Firms, Input::Exports, Input::Blacklists];

/// One guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Guard {
    /// An optional column that a rule or an output reads is missing from a file.
    AbsentColumn,
    /// An input that must have rows has no accepted row.
    EmptyInput,
    /// Accepted rows fell past the allowed share against the last published run.
    Drift,
    /// Rejected rows are past the allowed share of the rows read.
    RejectShare,
}

impl Guard {
    pub fn name(self) -> &'static str {
        match self {
            Guard::AbsentColumn => "absent_column",
            Guard::EmptyInput => "empty_input",
            Guard::Drift => "drift",
            Guard::RejectShare => "reject_share",
        }
    }

    /// The one-run flag that overrides the guard.
    pub fn flag(self) -> &'static str {
        match self {
            Guard::AbsentColumn => "--allow-absent",
            Guard::EmptyInput => "--allow-empty",
            Guard::Drift => "--allow-drift",
            Guard::RejectShare => "--allow-rejects",
        }
    }
}

/// One-run overrides, from the command line.
#[derive(Debug, Clone, Default)]
pub struct Allow {
    /// (input, column) pairs, from `--allow-absent firms.legal_rep_id`.
    pub absent: BTreeSet<(Input, String)>,
    pub empty: BTreeSet<Input>,
    pub drift: BTreeSet<Input>,
    pub rejects: BTreeSet<Input>,
}

impl Allow {
    /// Parse the flags' values: input names or `all`; `--allow-absent` takes `input.column`.
    pub fn parse(absent: &[String], empty: &[String], drift: &[String], rejects: &[String]) -> Result<Allow> {
        let mut allow = Allow::default();
        for v in absent {
            let Some((name, column)) = v.split_once('.') else {
                bail!("--allow-absent `{v}`: write it as INPUT.COLUMN, for example `firms.legal_rep_id`");
            };
            let input = input_named(name, "--allow-absent")?;
            if !input.columns().iter().any(|c| c.guarded && c.name == column) {
                bail!("--allow-absent `{v}`: `{column}` is not an optional column of `{name}` that a rule reads ({})", guarded_names(input));
            }
            allow.absent.insert((input, column.to_string()));
        }
        for (values, set, flag) in
            [(empty, &mut allow.empty, "--allow-empty"), (drift, &mut allow.drift, "--allow-drift"), (rejects, &mut allow.rejects, "--allow-rejects")]
        {
            for v in values {
                if v == "all" {
                    set.extend(Input::ALL);
                } else {
                    set.insert(input_named(v, flag)?);
                }
            }
        }
        Ok(allow)
    }
}

fn input_named(name: &str, what: &str) -> Result<Input> {
    match Input::from_name(name) {
        Some(i) => Ok(i),
        None => bail!("{what}: unknown input `{name}` (known: {}, or all)", Input::ALL.map(Input::name).join(", ")),
    }
}

/// The optional columns of an input that a rule or an output reads.
pub fn guarded_names(input: Input) -> String {
    input.columns().iter().filter(|c| c.guarded).map(|c| c.name).collect::<Vec<_>>().join(", ")
}

/// The guards' settings: from the config, with the one-run flags.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Inputs that must have at least one accepted row (`quality.required_rows`).
    pub required_rows: BTreeSet<Input>,
    /// By input (`quality.max_drop_share`).
    pub max_drop_share: BTreeMap<Input, f64>,
    /// By input (`quality.max_reject_share`).
    pub max_reject_share: BTreeMap<Input, f64>,
    /// Optional columns the config declares absent, by input (`[inputs.X] absent`).
    pub absent: BTreeMap<Input, BTreeSet<String>>,
    pub allow: Allow,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            required_rows: DEFAULT_REQUIRED_ROWS.into_iter().collect(),
            max_drop_share: Input::ALL.into_iter().map(|i| (i, DEFAULT_MAX_DROP_SHARE)).collect(),
            max_reject_share: Input::ALL.into_iter().map(|i| (i, DEFAULT_MAX_REJECT_SHARE)).collect(),
            absent: BTreeMap::new(),
            allow: Allow::default(),
        }
    }
}

/// What one guard found on one input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub guard: &'static str,
    pub input: &'static str,
    /// One line: the input, the figure, the threshold, and how to override it.
    pub message: String,
    /// What let the run go on: a flag or a config key. `None`: the run stops.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overridden_by: Option<String>,
}

/// Every finding of the guards on one run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verdict {
    /// Findings that stop the run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stopped_by: Vec<Finding>,
    /// Findings that would have stopped it under the defaults or without a flag.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overridden: Vec<Finding>,
    /// The published run that drift was measured against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compared_with: Option<String>,
}

impl Verdict {
    pub fn stops(&self) -> bool {
        !self.stopped_by.is_empty()
    }

    /// The one-line messages of the findings that stop the run.
    pub fn messages(&self) -> Vec<String> {
        self.stopped_by.iter().map(|f| f.message.clone()).collect()
    }

    /// Record what a guard found. `flagged`: the argument of the one-run flag that lets it
    /// through, if one was given; `config`: the config key that let it through, if any.
    fn add(&mut self, guard: Guard, input: Input, message: String, fires: bool, flagged: Option<String>, config: Option<String>) {
        let finding = |overridden_by| Finding { guard: guard.name(), input: input.name(), message: message.clone(), overridden_by };
        if let (true, Some(arg)) = (fires, &flagged) {
            self.overridden.push(finding(Some(format!("flag {} {arg}", guard.flag()))));
        } else if fires {
            self.stopped_by.push(finding(None));
        } else if let Some(key) = config {
            self.overridden.push(finding(Some(key)));
        }
    }
}

/// The newest published run for a date before this run's: what drift compares with.
#[derive(Debug, Clone)]
pub struct PreviousRun {
    pub as_of: NaiveDate,
    pub folder: PathBuf,
    /// Accepted rows by input name, from its manifest.
    pub accepted: BTreeMap<String, u64>,
}

/// Find the newest `as_of=` folder under `root` dated before `as_of` whose manifest reads.
pub fn previous_run(root: &Path, as_of: NaiveDate) -> Option<PreviousRun> {
    crate::runs::published(root).into_iter().rev().filter(|(date, _)| *date < as_of).find_map(|(date, folder)| {
        let text = std::fs::read_to_string(folder.join(crate::schema::out::MANIFEST)).ok()?;
        let m: serde_json::Value = serde_json::from_str(&text).ok()?;
        let accepted = m["inputs"]
            .as_array()?
            .iter()
            .filter_map(|i| Some((i["input"].as_str()?.to_string(), i["counts"]["accepted"].as_u64()?)))
            .collect();
        Some(PreviousRun { as_of: date, folder, accepted })
    })
}

fn pct(share: f64) -> String {
    format!("{:.2}%", share * 100.0)
}

/// Every guard over what loading reported.
pub fn check(settings: &Settings, reports: &[InputReport], previous: Option<&PreviousRun>) -> Verdict {
    let mut v = Verdict { compared_with: previous.map(|p| format!("as_of={}", p.as_of)), ..Verdict::default() };
    for r in reports {
        absent_columns(settings, r, &mut v);
    }
    for r in reports {
        let input = r.input;
        let name = input.name();
        let c = r.counts;

        // volume: no accepted row
        let required = settings.required_rows.contains(&input);
        let required_by_default = DEFAULT_REQUIRED_ROWS.contains(&input);
        if c.accepted == 0 && (required || required_by_default) {
            let message = format!(
                "guard empty_input: input `{name}`: 0 accepted rows (of {} read), at least 1 required; pass `{} {name}` for one run, or leave `{name}` out of `quality.required_rows` in the config",
                c.read,
                Guard::EmptyInput.flag()
            );
            let config = (!required).then(|| "config quality.required_rows".to_string());
            v.add(Guard::EmptyInput, input, message, required, settings.allow.empty.contains(&input).then(|| name.to_string()), config);
        }

        // volume: a fall against the last published run
        if let Some((p, before)) = previous.and_then(|p| Some((p, *p.accepted.get(name)?))).filter(|(_, n)| *n > 0) {
            let fall = before.saturating_sub(c.accepted) as f64 / before as f64;
            let figure = format!("{} accepted rows against {before} in the last published run (as_of={}), a fall of {}", c.accepted, p.as_of, pct(fall));
            let limit = Limit { guard: Guard::Drift, key: "max_drop_share", max: &settings.max_drop_share, default: DEFAULT_MAX_DROP_SHARE, allowed: &settings.allow.drift };
            limit.check(&mut v, input, fall, figure, "");
        }

        // rejected share
        let share = if c.read == 0 { 0.0 } else { c.rejected as f64 / c.read as f64 };
        let figure = format!("{} of {} rows rejected ({})", c.rejected, c.read, pct(share));
        let limit = Limit { guard: Guard::RejectShare, key: "max_reject_share", max: &settings.max_reject_share, default: DEFAULT_MAX_REJECT_SHARE, allowed: &settings.allow.rejects };
        limit.check(&mut v, input, share, figure, "see the rejects, then ");
    }
    v
}

/// A guard on a share of an input (a fall, a rejected share) against its most-allowed share.
struct Limit<'a> {
    guard: Guard,
    /// The key under `[quality]`.
    key: &'static str,
    max: &'a BTreeMap<Input, f64>,
    default: f64,
    /// Inputs a one-run flag lets through.
    allowed: &'a BTreeSet<Input>,
}

impl Limit<'_> {
    /// Judge `share`; past the configured share it stops the run (or is overridden by the
    /// flag), past only the default it is an override by the config.
    fn check(&self, v: &mut Verdict, input: Input, share: f64, figure: String, hint: &str) {
        let max = self.max.get(&input).copied().unwrap_or(self.default);
        let fires = share > max;
        if !fires && share <= self.default {
            return;
        }
        let name = input.name();
        let message = format!(
            "guard {}: input `{name}`: {figure}, more than the allowed {}; {hint}pass `{} {name}` for one run, or set `quality.{}.{name}` in the config",
            self.guard.name(),
            pct(if fires { max } else { self.default }),
            self.guard.flag(),
            self.key
        );
        let config = (!fires).then(|| format!("config quality.{}.{name} = {max}", self.key));
        v.add(self.guard, input, message, fires, self.allowed.contains(&input).then(|| input.name().to_string()), config);
    }
}

/// An optional column that a rule reads, missing from one or more files of an input.
fn absent_columns(settings: &Settings, r: &InputReport, v: &mut Verdict) {
    let input = r.input;
    let name = input.name();
    for column in input.columns().iter().filter(|c| c.guarded) {
        let lacking: Vec<&str> = r.files.iter().filter(|f| f.absent_columns.contains(&column.name)).map(|f| f.path.as_str()).collect();
        let Some(first) = lacking.first() else { continue };
        let more = match lacking.len() {
            1 => String::new(),
            n => format!(" (and {} more files)", n - 1),
        };
        let col = column.name;
        let message = format!(
            "guard absent_column: input `{name}`: `{first}`{more} has no column `{col}`, which a rule reads; declare it with `absent = [\"{col}\"]` under [inputs.{name}] in the config, or pass `{} {name}.{col}` for one run",
            Guard::AbsentColumn.flag()
        );
        let declared = settings.absent.get(&input).is_some_and(|s| s.contains(col));
        let flagged = settings.allow.absent.contains(&(input, col.to_string())).then(|| format!("{name}.{col}"));
        let config = declared.then(|| format!("config [inputs.{name}] absent = [\"{col}\"]"));
        v.add(Guard::AbsentColumn, input, message, !declared, flagged, config);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::FileInfo;
    use crate::validate::Counts;

    fn report(input: Input, read: u64, accepted: u64, absent: &[&'static str]) -> InputReport {
        InputReport {
            input,
            path: format!("{}.csv", input.name()),
            files: vec![FileInfo {
                path: format!("{}.csv", input.name()),
                size: 0,
                sha256: String::new(),
                unknown_columns: Vec::new(),
                absent_columns: absent.to_vec(),
            }],
            counts: Counts { read, accepted, rejected: read - accepted },
            notes: Vec::new(),
            seconds: 0.0,
            cpu_seconds: 0.0,
        }
    }

    #[test]
    fn a_clean_night_has_no_finding() {
        let v = check(&Settings::default(), &[report(Input::Firms, 100, 100, &[])], None);
        assert!(v.stopped_by.is_empty() && v.overridden.is_empty(), "{v:?}");
    }

    #[test]
    fn rejects_at_exactly_the_share_pass_and_one_more_stops() {
        let v = check(&Settings::default(), &[report(Input::Firms, 100, 95, &[])], None);
        assert!(!v.stops(), "5 of 100 is the allowed 5%: {v:?}");
        let v = check(&Settings::default(), &[report(Input::Firms, 100, 94, &[])], None);
        assert_eq!(v.messages(), vec![
            "guard reject_share: input `firms`: 6 of 100 rows rejected (6.00%), more than the allowed 5.00%; see the rejects, then pass `--allow-rejects firms` for one run, or set `quality.max_reject_share.firms` in the config".to_string()
        ]);
    }

    #[test]
    fn a_fall_of_exactly_the_share_passes_and_past_it_stops() {
        let prev = PreviousRun {
            as_of: NaiveDate::from_ymd_opt(2022, 5, 6).unwrap(),
            folder: PathBuf::new(),
            accepted: [("firms".to_string(), 100)].into_iter().collect(),
        };
        assert!(!check(&Settings::default(), &[report(Input::Firms, 80, 80, &[])], Some(&prev)).stops());
        let v = check(&Settings::default(), &[report(Input::Firms, 79, 79, &[])], Some(&prev));
        assert_eq!(v.stopped_by.len(), 1);
        assert!(v.stopped_by[0].message.contains("79 accepted rows against 100 in the last published run (as_of=2022-05-06), a fall of 21.00%, more than the allowed 20.00%"), "{v:?}");
        // a rise is never drift
        assert!(!check(&Settings::default(), &[report(Input::Firms, 500, 500, &[])], Some(&prev)).stops());
    }

    #[test]
    fn an_empty_required_input_stops_and_an_empty_optional_one_does_not() {
        let v = check(&Settings::default(), &[report(Input::Blacklists, 0, 0, &[]), report(Input::Claims, 0, 0, &[])], None);
        assert_eq!(v.stopped_by.len(), 1);
        assert_eq!(v.stopped_by[0].input, "blacklists");
        assert!(v.stopped_by[0].message.contains("0 accepted rows (of 0 read)"));
    }

    #[test]
    fn a_missing_guarded_column_stops_unless_declared_or_flagged() {
        let r = [report(Input::Firms, 10, 10, &["legal_rep_id", "established_on"])];
        let v = check(&Settings::default(), &r, None);
        assert_eq!(v.stopped_by.len(), 1, "established_on is read by no rule: {v:?}");
        assert!(v.stopped_by[0].message.contains("has no column `legal_rep_id`"));

        let mut s = Settings::default();
        s.absent.insert(Input::Firms, ["legal_rep_id".to_string()].into_iter().collect());
        let v = check(&s, &r, None);
        assert!(!v.stops());
        assert_eq!(v.overridden[0].overridden_by.as_deref(), Some("config [inputs.firms] absent = [\"legal_rep_id\"]"));

        let mut s = Settings::default();
        s.allow = Allow::parse(&["firms.legal_rep_id".into()], &[], &[], &[]).unwrap();
        let v = check(&s, &r, None);
        assert!(!v.stops());
        assert_eq!(v.overridden[0].overridden_by.as_deref(), Some("flag --allow-absent firms.legal_rep_id"));
    }

    #[test]
    fn a_threshold_raised_in_the_config_is_recorded_as_an_override() {
        let mut s = Settings::default();
        s.max_reject_share.insert(Input::Firms, 0.15);
        let v = check(&s, &[report(Input::Firms, 39, 35, &[])], None);
        assert!(!v.stops());
        assert_eq!(v.overridden[0].overridden_by.as_deref(), Some("config quality.max_reject_share.firms = 0.15"));
    }

    #[test]
    fn flags_name_inputs_and_columns_that_exist() {
        assert!(Allow::parse(&["firms.rep_id".into()], &[], &[], &[]).is_err());
        assert!(Allow::parse(&["firms.established_on".into()], &[], &[], &[]).is_err());
        assert!(Allow::parse(&[], &["blacklist".into()], &[], &[]).is_err());
        assert_eq!(Allow::parse(&[], &[], &["all".into()], &[]).unwrap().drift.len(), 7);
    }
}
