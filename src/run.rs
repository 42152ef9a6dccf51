//! The nightly run: lock, load, evaluate, summarise, publish. Reads like the pipeline.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, anyhow};
use polars::prelude::DataFrame;

use crate::config::Config;
use crate::error::{CommandError, exit};
use crate::guards::{self, Verdict};
use crate::load::{self, Loaded};
use crate::lock::RunLock;
use crate::manifest::{InputEntry, Manifest, OutputEntry, Timing};
use crate::model::{Inputs, Text};
use crate::monitor::Figures;
use crate::runs::{self, Pruned};
use crate::stopwatch::{Stage, Stopwatch};
use crate::policy::Period;
use crate::progress::Progress;
use crate::publish::{self, Staging};
use crate::rejects::Reject;
use crate::rules::{self, Evaluation, Rule};
use crate::schema::{Input, out};
use crate::{frames, summaries};

/// What a published run left behind.
#[derive(Debug)]
pub struct RunOutput {
    pub folder: PathBuf,
    pub manifest: Manifest,
    /// Optional values that could not be read (each a row of `row_warnings`).
    pub row_warnings: usize,
    /// What the run decided, for the monitoring file.
    pub figures: Figures,
    /// Runs removed by retention after publishing.
    pub pruned: Pruned,
}

/// The policy period that contains the evaluation date, or a configuration error.
pub fn period_for(config: &Config) -> Result<&Period, CommandError> {
    config.policy.period_on(config.as_of).ok_or_else(|| {
        CommandError::Config(anyhow!(
            "no policy period in `{}` covers the evaluation date {}",
            config.policy_path.display(),
            config.as_of
        ))
    })
}

/// The detail tables of an evaluation, by output name. The evaluation and the inputs are
/// taken whole and freed as soon as they are no longer needed, each rule's rows as soon
/// as its table is built: for a national register each is gigabytes.
pub fn detail_tables(
    eval: Evaluation,
    inputs: Inputs,
    rejects: &[Reject],
    warnings: &[Reject],
    previous_queue: Option<&HashSet<String>>,
) -> anyhow::Result<BTreeMap<&'static str, DataFrame>> {
    // from the inputs, only the names of the firms with hits are needed
    let hit_firms: foldhash::HashSet<&str> = eval.hits.iter().map(|h| h.uscc.as_str()).collect();
    let names: foldhash::HashMap<Text, Arc<str>> =
        inputs.firms.iter().filter(|f| hit_firms.contains(f.uscc.as_str())).map(|f| (f.uscc.clone(), f.name.clone())).collect();
    drop(hit_firms);
    drop(inputs);
    let Evaluation { as_of, period, eligibility, hits, reconciliation, claims, reviews, .. } = eval;
    let mut t = BTreeMap::new();
    t.insert(out::FIRM_ELIGIBILITY, frames::firm_eligibility(&eligibility, as_of, &period.id)?);
    drop(eligibility);
    t.insert(out::ENROLLMENT_RECONCILIATION, frames::reconciliation(&reconciliation)?);
    drop(reconciliation);
    t.insert(out::BLACKLIST_HITS, frames::blacklist_hits(&hits, &names)?);
    t.insert(out::REVIEW_QUEUE, frames::review_queue(&hits, &names, previous_queue)?);
    drop(hits);
    t.insert(out::REVIEW_DECISIONS, frames::review_decisions(&reviews)?);
    t.insert(out::CLAIM_INDEMNITY, frames::claim_indemnity(&claims)?);
    t.insert(out::REJECTS, frames::rejects(rejects, true)?);
    t.insert(out::ROW_WARNINGS, frames::rejects(warnings, false)?);
    Ok(t)
}

/// The possible matches in a published run's review queue, by [`frames::queue_key`];
/// `None` when the run has no readable queue.
fn queue_keys(folder: &std::path::Path) -> Option<HashSet<String>> {
    let df = frames::read_table(folder, out::REVIEW_QUEUE).ok()?;
    let cols: Vec<Vec<String>> =
        ["uscc", "match", "list_type", "case_no", "listed_name", "listed_id", "listed_on"].iter().map(|c| frames::column_texts(&df, c).ok()).collect::<Option<_>>()?;
    Some((0..df.height()).map(|i| frames::queue_key(&cols[0][i], &cols[1][i], &cols[2][i], &cols[3][i], &cols[4][i], &cols[5][i], &cols[6][i])).collect())
}

/// How many earlier runs the report's trend shows.
const TREND_RUNS: usize = 30;

/// The `headline` summaries of the published runs before `as_of` (the newest
/// `TREND_RUNS`, oldest first); a run without a readable one is left out.
fn headlines_before(root: &std::path::Path, as_of: chrono::NaiveDate) -> Vec<(String, DataFrame)> {
    let runs: Vec<_> = runs::published(root).into_iter().filter(|(d, _)| *d < as_of).collect();
    runs[runs.len().saturating_sub(TREND_RUNS)..]
        .iter()
        .filter_map(|(d, folder)| Some((d.to_string(), frames::read_table(folder, "headline").ok()?)))
        .collect()
}

/// What every manifest of a run holds, published or failed, but its outputs and status.
struct Record<'a> {
    config: &'a Config,
    period: &'a Period,
    started_at: String,
    started: Stopwatch,
    timings: Vec<Timing>,
    warnings: Vec<String>,
}

impl Record<'_> {
    fn manifest(self, reports: &[load::InputReport], out_of_run: impl Fn(Input) -> u64, outputs: Vec<OutputEntry>, guards: Verdict, exit_status: i32) -> Manifest {
        let mut timings = self.timings;
        let (seconds, cpu_seconds) = self.started.elapsed();
        timings.push(Timing { stage: Stage::Total.name(), seconds, cpu_seconds, rows: None });
        Manifest {
            tool: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
            as_of: self.config.as_of.to_string(),
            reference_year: self.period.reference_year_for(self.config.as_of),
            policy_file: self.config.policy_path.display().to_string(),
            period: self.period.clone(),
            inputs: reports.iter().map(|r| InputEntry { report: r.clone(), out_of_run: out_of_run(r.input) }).collect(),
            outputs,
            guards,
            timings,
            warnings: self.warnings,
            exit_status,
            started_at: self.started_at,
            finished_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

/// A run stopped by a guard leaves its evidence, rejects, row warnings and a manifest
/// naming the guards, under `<output_root>/failed/as_of=DATE/`, never under a published
/// name; the next failure for that date replaces it whole.
fn write_failed(record: Record, loaded: &Loaded, verdict: Verdict) -> anyhow::Result<PathBuf> {
    let root = record.config.output_root.join(out::FAILED_DIR);
    let mut staging = Staging::new(&root, &publish::folder_name(record.config.as_of))?;
    let mut outputs = Vec::new();
    for (name, mut df) in [(out::REJECTS, frames::rejects(&loaded.rejects, true)?), (out::ROW_WARNINGS, frames::rejects(&loaded.warnings, false)?)] {
        let rows = staging.write_parquet(name, &mut df)?;
        outputs.push(OutputEntry { name: name.to_string(), file: format!("{name}.parquet"), rows: Some(rows) });
    }
    let manifest = record.manifest(&loaded.reports, |_| 0, outputs, verdict, exit::STOPPED);
    staging.write_bytes(out::MANIFEST, &serde_json::to_vec_pretty(&manifest)?)?;
    staging.publish()
}

/// Run the nightly job for `config.as_of` and publish its folder whole.
pub fn run(config: &Config, progress: &Progress) -> Result<RunOutput, CommandError> {
    let mut record = Record {
        config,
        period: period_for(config)?,
        started_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        started: Stopwatch::start(),
        timings: Vec::new(),
        warnings: Vec::new(),
    };
    fn lap(timings: &mut Vec<Timing>, stage: Stage, since: &mut Stopwatch, rows: Option<u64>) {
        let (seconds, cpu_seconds) = since.lap();
        timings.push(Timing { stage: stage.name(), seconds, cpu_seconds, rows });
    }

    let _lock = RunLock::acquire(&config.output_root).map_err(CommandError::Locked)?;
    crate::faults::hold_after_lock();
    for root in [config.output_root.clone(), config.output_root.join(out::FAILED_DIR)] {
        for stale in publish::remove_stale_staging(&root) {
            record.warnings.push(format!("removed `{stale}`, left by a run that did not finish"));
        }
    }
    let period = record.period;
    // the summary queries are configuration: a broken or clashing one stops the run
    // before any input is read
    let queries = summaries::queries(config.sql_dir.as_deref()).map_err(|e| CommandError::Queries(vec![e]))?;

    let mut t = Stopwatch::start();
    let loaded = load::load(config, progress)?;
    for r in &loaded.reports {
        record.timings.push(Timing { stage: Stage::Read(r.input).name(), seconds: r.seconds, cpu_seconds: r.cpu_seconds, rows: Some(r.counts.read) });
        record.warnings.extend(r.notes.iter().cloned());
    }
    lap(&mut record.timings, Stage::ReadAll, &mut t, Some(loaded.reports.iter().map(|r| r.counts.read).sum()));

    // the guards: stop rather than publish a normal-looking wrong answer
    let previous = guards::previous_run(&config.output_root, config.as_of);
    let verdict = guards::check(&config.guards, &loaded.reports, previous.as_ref());
    if verdict.stops() {
        let mut lines = verdict.messages();
        let warnings = record.warnings.clone();
        let folder = write_failed(record, &loaded, verdict)?;
        lines.push(format!("nothing was published; the rejects and the manifest of this run are in `{}`", folder.display()));
        return Err(CommandError::Stopped { lines, warnings });
    }
    for f in verdict.overridden.iter().filter(|f| f.overridden_by.as_deref().is_some_and(|b| b.starts_with("flag"))) {
        record.warnings.push(format!("overridden by {}: {}", f.overridden_by.as_deref().unwrap_or_default(), f.message));
    }
    // the laps of the later stages start here
    let mut t = Stopwatch::start();

    progress.stage("evaluating");
    let rows = |rule: Rule| -> u64 {
        let i = &loaded.inputs;
        (match rule {
            Rule::Screen => i.firms.len() + i.listings.len(),
            Rule::Eligibility => i.firms.len(),
            Rule::Reconciliation => i.firms.len() + i.enrollments.len(),
            Rule::Claims => i.claims.len(),
        }) as u64
    };
    let eval = rules::evaluate_observed(&loaded.inputs, &config.policy, period, config.as_of, &mut |rule| {
        lap(&mut record.timings, Stage::Rule(rule), &mut t, Some(rows(rule)));
    });

    let figures = Figures::of(&eval);

    progress.stage("building tables");
    let (reference_year, enrollments_out_of_run, claims_out_of_run) = (eval.reference_year, eval.enrollments_out_of_run, eval.claims_out_of_run);
    let reviews_out_of_run = eval.reviews_out_of_run();
    let Loaded { inputs, reports, rejects, warnings: row_warnings } = loaded;
    let row_warning_count = row_warnings.len();
    let previous_queue = previous.as_ref().and_then(|p| queue_keys(&p.folder));
    let tables = detail_tables(eval, inputs, &rejects, &row_warnings, previous_queue.as_ref())?;
    drop((rejects, row_warnings));
    lap(&mut record.timings, Stage::Tables, &mut t, None);

    progress.stage("summaries");
    let mut sql_tables: BTreeMap<&str, DataFrame> = tables.iter().map(|(k, v)| (*k, v.clone())).collect();
    sql_tables.insert("params", summaries::params(period, config.as_of, reference_year).context("params table")?);
    let summary_frames = summaries::run(&queries, &sql_tables).map_err(CommandError::Queries)?;
    lap(&mut record.timings, Stage::Summaries, &mut t, None);

    progress.stage("report");
    let summary_refs: crate::report::Summaries = summary_frames.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let history = headlines_before(&config.output_root, config.as_of);
    let ctx = crate::report::ReportContext { history: &history, districts: &config.districts };
    let report = crate::report::render(&config.as_of.to_string(), &period.id, &summary_refs, &ctx).context("report")?;
    lap(&mut record.timings, Stage::Report, &mut t, None);

    progress.stage("publishing");
    let folder_name = publish::folder_name(config.as_of);
    let mut staging = Staging::new(&config.output_root, &folder_name)?;
    let mut frames: Vec<(String, DataFrame)> = tables.into_iter().map(|(k, v)| (k.to_string(), v)).chain(summary_frames).collect();
    let rows = staging.write_parquets(&mut frames)?;
    let mut outputs: Vec<OutputEntry> =
        frames.into_iter().zip(rows).map(|((name, _), rows)| OutputEntry { file: format!("{name}.parquet"), name, rows: Some(rows) }).collect();
    outputs.push(OutputEntry { name: "report".into(), file: out::REPORT.into(), rows: None });
    lap(&mut record.timings, Stage::Write, &mut t, None);

    let out_of_run = |i: Input| match i {
        Input::Enrollments => enrollments_out_of_run,
        Input::Claims => claims_out_of_run,
        Input::Reviews => reviews_out_of_run,
        _ => 0,
    };
    let manifest = record.manifest(&reports, out_of_run, outputs, verdict, exit::SUCCESS);
    staging.write_bytes(out::REPORT, report.as_bytes())?;
    let json = serde_json::to_vec_pretty(&manifest).context("manifest")?;
    staging.write_bytes(out::MANIFEST, &json)?;
    let folder = staging.publish()?;
    crate::faults::point("published");
    // still under the lock: `latest` to the newest run, then retention
    runs::point_latest(&config.output_root)?;
    let pruned = match config.keep_runs {
        Some(keep) => runs::prune(&config.output_root, keep, Some(&folder))?,
        None => Pruned::default(),
    };
    progress.finish();
    Ok(RunOutput { folder, manifest, row_warnings: row_warning_count, figures, pruned })
}
