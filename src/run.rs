//! The nightly run: lock, load, evaluate, summarise, publish. Reads like the pipeline.

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use polars::prelude::DataFrame;

use crate::config::Config;
use crate::error::{CommandError, exit};
use crate::guards::{self, Verdict};
use crate::load::{self, Loaded};
use crate::lock::RunLock;
use crate::manifest::{InputEntry, Manifest, OutputEntry, Timing};
use crate::model::Inputs;
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

/// Build the detail tables of an evaluation and write them into `staging` as they are
/// built: the large ones a row group at a time, each part written on a thread of its own
/// while the next is built, so that no large table is ever whole in memory (for a national
/// register each is gigabytes). The evaluation and the inputs are taken whole and freed as
/// soon as they are no longer needed, each rule's rows as soon as its table is written, on
/// a thread of their own (at tier L freeing the firms, the hits or the reconciliation
/// takes a second or two, which the next table need not wait for).
/// Returns the manifest's entry of each table, in name order.
pub fn write_detail_tables(
    staging: &mut Staging,
    eval: Evaluation,
    inputs: Inputs,
    rejects: &[Reject],
    warnings: &[Reject],
    previous_queue: Option<&frames::QueueKeys>,
) -> anyhow::Result<Vec<OutputEntry>> {
    std::thread::scope(|scope| {
        // a rendezvous: the writer holds the part it writes, the builder the one it built;
        // `None` says every table is built, and only then is the last one finished
        let (tx, rx) = std::sync::mpsc::sync_channel::<Option<(&'static str, DataFrame)>>(0);
        let writer = scope.spawn(move || -> anyhow::Result<Vec<OutputEntry>> {
            let mut outputs = Vec::new();
            let mut open: Option<(&'static str, publish::TableFile)> = None;
            let mut close = |open: &mut Option<(&'static str, publish::TableFile)>, staging: &mut Staging| -> anyhow::Result<()> {
                if let Some((name, file)) = open.take() {
                    let rows = file.finish(staging)?;
                    outputs.push(OutputEntry { name: name.to_string(), file: format!("{name}.parquet"), rows: Some(rows) });
                }
                Ok(())
            };
            // a builder that failed hangs up without `None`: its last table is left unfinished
            while let Ok(Some((name, mut part))) = rx.recv() {
                if open.as_ref().is_none_or(|(table, _)| *table != name) {
                    close(&mut open, staging)?;
                    open = Some((name, staging.create_table(name, part.schema())?));
                }
                if let Some((_, file)) = open.as_mut() {
                    file.write(&mut part)?;
                }
            }
            close(&mut open, staging)?;
            Ok(outputs)
        });
        let (discard, discarded) = std::sync::mpsc::channel::<Box<dyn Send>>();
        scope.spawn(move || discarded.into_iter().for_each(drop));
        let send = |message| tx.send(message).map_err(|_| anyhow::Error::new(WriterStopped));
        let built = build_detail_tables(eval, inputs, rejects, warnings, previous_queue, &mut |name, df| send(Some((name, df))), &|done| {
            // the freeing thread ends with the scope; were it gone, the rows are freed here
            let _ = discard.send(done);
        })
        .and_then(|()| send(None));
        drop(tx);
        let written = writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match (built, written) {
            (Ok(()), Ok(mut outputs)) => {
                outputs.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(outputs)
            }
            // the builder stopped because the writer did: the writer's error says why
            (Err(b), Err(w)) if b.is::<WriterStopped>() => Err(w),
            (Err(b), _) => Err(b),
            (Ok(()), Err(w)) => Err(w),
        }
    })
}

/// The builder of the detail tables found their writer gone (its own error says why).
#[derive(Debug, thiserror::Error)]
#[error("the writer of the detail tables stopped")]
struct WriterStopped;

/// Each detail table, handed to `emit` in parts (the large ones, a row group each) or
/// whole, one table after the other; rows no later table needs are handed to `discard`.
fn build_detail_tables(
    eval: Evaluation,
    mut inputs: Inputs,
    rejects: &[Reject],
    warnings: &[Reject],
    previous_queue: Option<&frames::QueueKeys>,
    emit: &mut dyn FnMut(&'static str, DataFrame) -> anyhow::Result<()>,
    discard: &dyn Fn(Box<dyn Send>),
) -> anyhow::Result<()> {
    // of the inputs, only the firms are still needed: their words for `firm_eligibility`,
    // then the names of those with hits (a hit names its firm by position)
    let firms = std::mem::take(&mut inputs.firms);
    discard(Box::new(inputs));
    let Evaluation { as_of, period, eligibility, hits, reconciliation, claims, reviews, .. } = eval;
    frames::firm_eligibility_parts(&firms, &eligibility, as_of, &period.id, &mut |part| emit(out::FIRM_ELIGIBILITY, part))?;
    discard(Box::new(eligibility));
    frames::reconciliation_parts(&reconciliation, &mut |part| emit(out::ENROLLMENT_RECONCILIATION, part))?;
    discard(Box::new(reconciliation));
    frames::blacklist_hits_parts(&hits, &firms, &mut |part| emit(out::BLACKLIST_HITS, part))?;
    frames::review_queue_parts(&hits, &firms, previous_queue, &mut |part| emit(out::REVIEW_QUEUE, part))?;
    discard(Box::new(hits));
    discard(Box::new(firms));
    emit(out::REVIEW_DECISIONS, frames::review_decisions(&reviews)?)?;
    emit(out::CLAIM_INDEMNITY, frames::claim_indemnity(&claims)?)?;
    emit(out::REJECTS, frames::rejects(rejects, true)?)?;
    emit(out::ROW_WARNINGS, frames::rejects(warnings, false)?)
}

/// The possible matches in a published run's review queue, by [`frames::queue_key`];
/// `None` when the run has no readable queue. Only the key's columns are read, and their
/// texts are made a slice of rows at a time: a national queue has eleven million rows.
fn queue_keys(folder: &std::path::Path) -> Option<frames::QueueKeys> {
    const COLUMNS: [&str; 7] = ["uscc", "match", "list_type", "case_no", "listed_name", "listed_id", "listed_on"];
    const SLICE: usize = 1 << 16;
    use polars::prelude::{ParquetReader, SerReader};
    let file = std::fs::File::open(folder.join(format!("{}.parquet", out::REVIEW_QUEUE))).ok()?;
    let df = ParquetReader::new(file).with_columns(Some(COLUMNS.map(String::from).to_vec())).finish().ok()?;
    let mut keys = frames::QueueKeys::default();
    keys.reserve(df.height());
    for offset in (0..df.height()).step_by(SLICE) {
        let part = df.slice(offset as i64, SLICE);
        let cols: Vec<Vec<String>> = COLUMNS.iter().map(|c| frames::column_texts(&part, c).ok()).collect::<Option<_>>()?;
        keys.extend((0..part.height()).map(|i| frames::queue_key(&cols[0][i], &cols[1][i], &cols[2][i], &cols[3][i], &cols[4][i], &cols[5][i], &cols[6][i])));
    }
    Some(keys)
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

/// What every manifest of a run holds, published or failed, but its outputs and status;
/// and the stopwatch of the stage under way.
struct Record<'a> {
    config: &'a Config,
    period: &'a Period,
    started_at: String,
    started: Stopwatch,
    timings: Vec<Timing>,
    warnings: Vec<String>,
    lap: Stopwatch,
}

impl<'a> Record<'a> {
    fn start(config: &'a Config) -> Result<Record<'a>, CommandError> {
        Ok(Record {
            config,
            period: period_for(config)?,
            started_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            started: Stopwatch::start(),
            timings: Vec::new(),
            warnings: Vec::new(),
            lap: Stopwatch::start(),
        })
    }

    /// The stage under way is done: its wall and CPU time since the last lap.
    fn lap(&mut self, stage: Stage, rows: Option<u64>) {
        let (seconds, cpu_seconds) = self.lap.lap();
        self.timings.push(Timing { stage: stage.name(), seconds, cpu_seconds, rows });
    }

    fn manifest(&self, reports: &[load::InputReport], out_of_run: impl Fn(Input) -> u64, outputs: Vec<OutputEntry>, guards: Verdict, exit_status: i32) -> Manifest {
        let mut timings = self.timings.clone();
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
            warnings: self.warnings.clone(),
            exit_status,
            started_at: self.started_at.clone(),
            finished_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

/// A run stopped by a guard leaves its evidence, rejects, row warnings and a manifest
/// naming the guards, under `<output_root>/failed/as_of=DATE/`, never under a published
/// name; the next failure for that date replaces it whole.
fn write_failed(record: &Record, loaded: &Loaded, verdict: Verdict) -> anyhow::Result<PathBuf> {
    let root = record.config.output_root.join(out::FAILED_DIR);
    let mut staging = Staging::new(&root, &publish::folder_name(record.config.as_of))?;
    let frames = vec![(out::REJECTS.to_string(), frames::rejects(&loaded.rejects, true)?), (out::ROW_WARNINGS.to_string(), frames::rejects(&loaded.warnings, false)?)];
    let outputs = write_tables(&mut staging, frames)?;
    let manifest = record.manifest(&loaded.reports, |_| 0, outputs, verdict, exit::STOPPED);
    staging.write_bytes(out::MANIFEST, &serde_json::to_vec_pretty(&manifest)?)?;
    staging.publish()
}

/// Run the nightly job for `config.as_of` and publish its folder whole: the steps below, in
/// order, each timed as a stage of the manifest.
pub fn run(config: &Config, progress: &Progress) -> Result<RunOutput, CommandError> {
    let mut record = Record::start(config)?;
    let _lock = take_lock(&mut record)?;
    // the summary queries are configuration: a broken or clashing one stops the run
    // before any input is read
    let queries = summaries::queries(config.sql_dir.as_deref()).map_err(|e| CommandError::Queries(vec![e]))?;
    let mut loaded = read_inputs(&mut record, progress)?;
    let previous = guards::previous_run(&config.output_root, config.as_of);
    let verdict = guard(&mut record, &loaded, previous.as_ref())?;
    let eval = evaluate(&mut record, &mut loaded.inputs, progress);
    let figures = Figures::of(&eval);
    let counts = OutOfRun::of(&eval);
    let reference_year = eval.reference_year;
    let Loaded { inputs, reports, rejects, warnings: row_warnings } = loaded;
    progress.stage("building tables");
    let previous_queue = previous.as_ref().and_then(|p| queue_keys(&p.folder));
    // the run's folder is written aside from here on, the detail tables first
    let mut staging = Staging::new(&config.output_root, &publish::folder_name(config.as_of))?;
    let tables = write_detail_tables(&mut staging, eval, inputs, &rejects, &row_warnings, previous_queue.as_ref())?;
    let row_warning_count = row_warnings.len();
    drop((rejects, row_warnings));
    record.lap(Stage::Tables, None);
    let summary_frames = run_summaries(&mut record, &queries, &staging, reference_year, progress)?;
    let report = render_report(&mut record, &summary_frames, progress)?;
    let (folder, manifest) = publish(&mut record, staging, tables, summary_frames, &report, &reports, &counts, verdict, progress)?;
    let pruned = retain(config, &folder)?;
    progress.finish();
    Ok(RunOutput { folder, manifest, row_warnings: row_warning_count, figures, pruned })
}

/// Take the lock on the output root, and clear what runs that did not finish left.
fn take_lock(record: &mut Record) -> Result<RunLock, CommandError> {
    let root = &record.config.output_root;
    let lock = RunLock::acquire(root).map_err(CommandError::Locked)?;
    crate::faults::hold_after_lock();
    for dir in [root.clone(), root.join(out::FAILED_DIR)] {
        for stale in publish::remove_stale_staging(&dir) {
            record.warnings.push(format!("removed `{stale}`, left by a run that did not finish"));
        }
    }
    record.lap = Stopwatch::start();
    Ok(lock)
}

/// Read and validate every input; each input's time, and the reading's as a whole.
fn read_inputs(record: &mut Record, progress: &Progress) -> Result<Loaded, CommandError> {
    let loaded = load::load(record.config, progress)?;
    for r in &loaded.reports {
        record.timings.push(Timing { stage: Stage::Read(r.input).name(), seconds: r.seconds, cpu_seconds: r.cpu_seconds, rows: Some(r.counts.read) });
        record.warnings.extend(r.notes.iter().cloned());
    }
    record.lap(Stage::ReadAll, Some(loaded.reports.iter().map(|r| r.counts.read).sum()));
    Ok(loaded)
}

/// The guards: stop rather than publish a normal-looking wrong answer. A stop leaves its
/// evidence under `failed/` and is the error; otherwise the verdict, for the manifest.
fn guard(record: &mut Record, loaded: &Loaded, previous: Option<&guards::PreviousRun>) -> Result<Verdict, CommandError> {
    let verdict = guards::check(&record.config.guards, &loaded.reports, previous);
    if verdict.stops() {
        let mut lines = verdict.messages();
        let warnings = record.warnings.clone();
        let folder = write_failed(record, loaded, verdict)?;
        lines.push(format!("nothing was published; the rejects and the manifest of this run are in `{}`", folder.display()));
        return Err(CommandError::Stopped { lines, warnings });
    }
    for f in verdict.overridden.iter().filter(|f| f.overridden_by.as_deref().is_some_and(|b| b.starts_with("flag"))) {
        record.warnings.push(format!("overridden by {}: {}", f.overridden_by.as_deref().unwrap_or_default(), f.message));
    }
    record.lap = Stopwatch::start();
    Ok(verdict)
}

/// Every rule, each timed as its own stage. The rules take out of the inputs what no later
/// step needs (`rules::evaluate_observed`).
fn evaluate(record: &mut Record, inputs: &mut crate::model::Inputs, progress: &Progress) -> Evaluation {
    progress.stage("evaluating");
    let (firms, listings, enrollments, claims) = (inputs.firms.len(), inputs.listings.len(), inputs.enrollments.len(), inputs.claims.len());
    let rows = |rule: Rule| -> u64 {
        (match rule {
            Rule::Screen => firms + listings,
            Rule::Eligibility => firms,
            Rule::Reconciliation => firms + enrollments,
            Rule::Claims => claims,
        }) as u64
    };
    let (config, period) = (record.config, record.period);
    rules::evaluate_observed(inputs, &config.policy, period, config.as_of, &mut |rule, took| match took {
        None => record.lap(Stage::Rule(rule), Some(rows(rule))),
        // a rule that ran beside the others: its own time; the wait for it is in no stage
        Some((seconds, cpu_seconds)) => {
            record.timings.push(Timing { stage: Stage::Rule(rule).name(), seconds, cpu_seconds, rows: Some(rows(rule)) });
            record.lap.lap();
        }
    })
}

/// Rows of the inputs read but out of this run, for the manifest.
struct OutOfRun {
    enrollments: u64,
    claims: u64,
    reviews: u64,
}

impl OutOfRun {
    fn of(eval: &Evaluation) -> OutOfRun {
        OutOfRun { enrollments: eval.enrollments_out_of_run, claims: eval.claims_out_of_run, reviews: eval.reviews_out_of_run() }
    }

    fn of_input(&self, input: Input) -> u64 {
        match input {
            Input::Enrollments => self.enrollments,
            Input::Claims => self.claims,
            Input::Reviews => self.reviews,
            _ => 0,
        }
    }
}

/// The summary queries over the detail tables as staged and the `params` table.
fn run_summaries(
    record: &mut Record,
    queries: &[summaries::Query],
    staging: &Staging,
    reference_year: i32,
    progress: &Progress,
) -> Result<Vec<(String, DataFrame)>, CommandError> {
    progress.stage("summaries");
    let params = summaries::params(record.period, record.config.as_of, reference_year).context("params table")?;
    let frames = summaries::run_on_files(queries, &staging.dir, params)?.map_err(CommandError::Queries)?;
    record.lap(Stage::Summaries, None);
    Ok(frames)
}

/// The report, from this run's summaries and the earlier runs' headlines.
fn render_report(record: &mut Record, summary_frames: &[(String, DataFrame)], progress: &Progress) -> Result<String, CommandError> {
    progress.stage("report");
    let config = record.config;
    let summary_refs: crate::report::Summaries = summary_frames.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let history = headlines_before(&config.output_root, config.as_of);
    let ctx = crate::report::ReportContext { history: &history, districts: &config.districts };
    let report = crate::report::render(&config.as_of.to_string(), &record.period.id, &summary_refs, &ctx).context("report")?;
    record.lap(Stage::Report, None);
    Ok(report)
}

/// Write the rest of the run's files beside its detail tables and put the folder in place
/// whole; then `latest`.
#[allow(clippy::too_many_arguments)]
fn publish(
    record: &mut Record,
    mut staging: Staging,
    tables: Vec<OutputEntry>,
    summary_frames: Vec<(String, DataFrame)>,
    report: &str,
    reports: &[load::InputReport],
    out_of_run: &OutOfRun,
    verdict: Verdict,
    progress: &Progress,
) -> Result<(PathBuf, Manifest), CommandError> {
    progress.stage("publishing");
    let config = record.config;
    let mut outputs = tables;
    outputs.extend(write_tables(&mut staging, summary_frames)?);
    outputs.push(OutputEntry { name: "report".into(), file: out::REPORT.into(), rows: None });
    record.lap(Stage::Write, None);
    let manifest = record.manifest(reports, |i| out_of_run.of_input(i), outputs, verdict, exit::SUCCESS);
    staging.write_bytes(out::REPORT, report.as_bytes())?;
    let json = serde_json::to_vec_pretty(&manifest).context("manifest")?;
    staging.write_bytes(out::MANIFEST, &json)?;
    let folder = staging.publish()?;
    crate::faults::point("published");
    // still under the lock: `latest` to the newest run
    runs::point_latest(&config.output_root)?;
    Ok((folder, manifest))
}

/// Write the tables as `<name>.parquet`, side by side; the manifest's entry of each.
fn write_tables(staging: &mut Staging, mut frames: Vec<(String, DataFrame)>) -> anyhow::Result<Vec<OutputEntry>> {
    let rows = staging.write_parquets(&mut frames)?;
    Ok(frames.into_iter().zip(rows).map(|((name, _), rows)| OutputEntry { file: format!("{name}.parquet"), name, rows: Some(rows) }).collect())
}

/// Retention, still under the lock: the oldest runs beyond `keep_runs` removed.
fn retain(config: &Config, folder: &std::path::Path) -> Result<Pruned, CommandError> {
    Ok(match config.keep_runs {
        Some(keep) => runs::prune(&config.output_root, keep, Some(folder))?,
        None => Pruned::default(),
    })
}
