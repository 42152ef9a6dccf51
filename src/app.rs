//! From parsed command line to library call: resolve the config once, run the command.

use std::path::Path;

use crate::cli::{Cli, Command, ExplainArgs, ExplainWhat, Format, GenerateArgs, InputArgs, Lang, Tier};
use crate::generate::{self, OutFormat, Plan, Sizes};
use crate::config::{Config, Overrides};
use crate::error::CommandError;
use crate::progress::Progress;
use crate::schema::Input;

fn overrides(a: &InputArgs) -> Result<Overrides, CommandError> {
    let allow = crate::guards::Allow::parse(&a.allow_absent, &a.allow_empty, &a.allow_drift, &a.allow_rejects).map_err(CommandError::Config)?;
    let mut o = Overrides {
        allow,
        as_of: a.as_of,
        output_root: a.out.clone(),
        policy: a.policy.clone(),
        sql_dir: a.sql_dir.clone(),
        ..Overrides::default()
    };
    for (input, path) in [
        (Input::Firms, &a.firms),
        (Input::Exports, &a.exports),
        (Input::Blacklists, &a.blacklists),
        (Input::Enrollments, &a.enrollments),
        (Input::Claims, &a.claims),
        (Input::FxRates, &a.fx_rates),
        (Input::Reviews, &a.reviews),
    ] {
        if let Some(p) = path {
            o.inputs.insert(input, p.clone());
        }
    }
    Ok(o)
}

/// The day the job takes as today: the local date, or `TONGBAO_TODAY` (YYYY-MM-DD) to
/// replay a night as it would have run (`--as-of yesterday` then means the day before it).
fn today() -> Result<chrono::NaiveDate, CommandError> {
    match std::env::var("TONGBAO_TODAY") {
        Ok(v) => crate::values::parse_date(&v, false)
            .map_err(|_| CommandError::Config(anyhow::anyhow!("TONGBAO_TODAY=`{v}` is not a date (YYYY-MM-DD)"))),
        Err(_) => Ok(chrono::Local::now().date_naive()),
    }
}

/// Resolve the config: the file (when it exists, or was named), then the flags.
pub fn resolve_config(config_path: &Path, args: &InputArgs) -> Result<Config, CommandError> {
    let explicit = config_path != Path::new("tongbao.toml");
    let today = today()?;
    Config::from_path(config_path, explicit, &overrides(args)?, today).map_err(CommandError::from_config)
}

/// Run the command; data goes to stdout, everything else to stderr.
pub fn execute(cli: Cli) -> Result<(), CommandError> {
    let progress = Progress::new(cli.quiet);
    match &cli.command {
        Command::Run(args) => {
            let config = resolve_config(&cli.config, args)?;
            let started = std::time::Instant::now();
            let result = crate::run::run(&config, &progress);
            write_monitoring(&config, &result, started.elapsed().as_secs_f64());
            let out = result?;
            let m = &out.manifest;
            // under --quiet only what needs action: the warnings (a file skipped, a column
            // not read, a guard overridden by a flag)
            if !cli.quiet {
                println!("published `{}`", out.folder.display());
                for o in &m.outputs {
                    match o.rows {
                        Some(rows) => println!("  {:<30} {:>9} rows", o.file, rows),
                        None => println!("  {}", o.file),
                    }
                }
                if out.row_warnings > 0 {
                    println!("{} optional values could not be read: see `{}.parquet`", out.row_warnings, crate::schema::out::ROW_WARNINGS);
                }
                for p in out.pruned.runs.iter().chain(&out.pruned.failed) {
                    println!("removed `{p}` (retention.keep_runs)");
                }
            }
            for w in &m.warnings {
                crate::progress::log(&format!("tongbao: warning: {w}"));
            }
            Ok(())
        }
        Command::Prune(args) => {
            let config = resolve_config(&cli.config, &InputArgs { out: args.out.clone(), ..InputArgs::default() })?;
            let keep = args.keep.or(config.keep_runs).ok_or_else(|| {
                CommandError::Config(anyhow::anyhow!("how many runs to keep: pass --keep N or set [retention] keep_runs in the config"))
            })?;
            let _lock = crate::lock::RunLock::acquire(&config.output_root).map_err(CommandError::Locked)?;
            let pruned = crate::runs::prune(&config.output_root, keep, None).map_err(CommandError::Config)?;
            if !cli.quiet {
                for p in pruned.runs.iter().chain(&pruned.failed) {
                    println!("removed `{p}`");
                }
            }
            Ok(())
        }
        Command::Generate(args) => generate_inputs(args),
        Command::Explain(args) => explain(&cli.config, args, &progress),
        Command::Diff(args) => {
            // one run alone: compared with the run before it in its output root
            let (a, b) = match &args.b {
                Some(b) => (args.a.clone(), b.clone()),
                None => (crate::diff::run_before(&args.a).map_err(CommandError::Config)?, args.a.clone()),
            };
            let d = crate::diff::diff(&a, &b).map_err(CommandError::Config)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&d).map_err(anyhow::Error::from)?);
            } else {
                print!("{}", crate::diff::render(&d));
            }
            Ok(())
        }
        Command::Check(args) => {
            let config = resolve_config(&cli.config, &args.inputs)?;
            for line in crate::check::check(&config, &progress, args.rejects.as_deref())? {
                println!("{line}");
            }
            Ok(())
        }
    }
}

/// The monitoring file for this night, when the config names its directory; a failure to
/// write it is a warning, never the run's failure.
fn write_monitoring(config: &crate::config::Config, result: &Result<crate::run::RunOutput, CommandError>, seconds: f64) {
    let Some(dir) = &config.textfile_dir else { return };
    // a run that found another holding the lock did nothing: the one holding it reports
    if matches!(result, Err(e) if e.exit_code() == crate::error::exit::LOCKED) {
        return;
    }
    let mut night = crate::monitor::Night {
        exit_code: match result {
            Ok(_) => crate::error::exit::SUCCESS,
            Err(e) => e.exit_code(),
        },
        ended_at: chrono::Utc::now().timestamp(),
        duration_seconds: seconds,
        as_of: Some(config.as_of),
        ..crate::monitor::Night::default()
    };
    if let Ok(out) = result {
        night.inputs = out
            .manifest
            .inputs
            .iter()
            .map(|i| crate::monitor::InputRows {
                input: i.report.input.name(),
                read: i.report.counts.read,
                accepted: i.report.counts.accepted,
                rejected: i.report.counts.rejected,
            })
            .collect();
        night.figures = Some(out.figures.clone());
    }
    if let Err(e) = crate::monitor::write(dir, &night) {
        crate::progress::log(&format!("tongbao: warning: cannot write `{}`: {e}", dir.join(crate::monitor::FILE).display()));
    }
}

fn generate_inputs(args: &GenerateArgs) -> Result<(), CommandError> {
    let sizes = match args.tier {
        Tier::S => Sizes::S,
        Tier::M => Sizes::M,
        Tier::L => Sizes::L,
    }
    .scaled_down(args.scale_down);
    let plan = Plan {
        sizes,
        seed: args.seed,
        format: match args.format {
            Format::Csv => OutFormat::Csv,
            Format::Parquet => OutFormat::Parquet,
        },
        broken_share: args.broken_share,
    };
    let config = generate::generate(&plan, &args.out)?;
    println!(
        "wrote inputs to `{}`; run them with `tongbao --config {} run --as-of {}`",
        args.out.display(),
        config.display(),
        generate::AS_OF
    );
    Ok(())
}

/// The evaluation date and input paths of a published run, from its manifest; warns when
/// an input file changed since.
fn overrides_from_run(run: &Path, args: &InputArgs) -> Result<InputArgs, CommandError> {
    let path = run.join(crate::schema::out::MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| CommandError::Config(anyhow::anyhow!("cannot read `{}`: {e}", path.display())))?;
    let m: serde_json::Value = serde_json::from_str(&text).map_err(|e| CommandError::Config(anyhow::anyhow!("`{}`: {e}", path.display())))?;
    let mut a = args.clone();
    a.as_of = m["as_of"].as_str().and_then(|s| crate::values::parse_date(s, false).ok()).map(crate::config::AsOf::Date);
    a.policy = m["policy_file"].as_str().map(Into::into);
    for entry in m["inputs"].as_array().into_iter().flatten() {
        let p = entry["path"].as_str().map(std::path::PathBuf::from);
        match entry["input"].as_str() {
            Some("firms") => a.firms = p,
            Some("exports") => a.exports = p,
            Some("blacklists") => a.blacklists = p,
            Some("enrollments") => a.enrollments = p,
            Some("claims") => a.claims = p,
            Some("fx_rates") => a.fx_rates = p,
            Some("reviews") => a.reviews = p,
            _ => {}
        }
        for f in entry["files"].as_array().into_iter().flatten() {
            let (Some(fp), Some(hash)) = (f["path"].as_str(), f["sha256"].as_str()) else { continue };
            let now = std::fs::read(fp).map(|b| crate::ingest::sha256_hex(&b)).unwrap_or_default();
            if now != hash {
                crate::progress::log(&format!("tongbao: warning: `{fp}` changed since the run: the explanation uses it as it is now"));
            }
        }
    }
    Ok(a)
}

fn explain(config_path: &Path, args: &ExplainArgs, progress: &Progress) -> Result<(), CommandError> {
    if args.run.is_some() && args.inputs.as_of.is_some() {
        return Err(CommandError::Config(anyhow::anyhow!("--run explains a published run as of its own date: leave out --as-of, or leave out --run")));
    }
    // the run explained: the one named, or without a date the newest published one
    let run = match &args.run {
        Some(run) => Some(run.clone()),
        None if args.inputs.as_of.is_none() => crate::runs::published(&resolve_config(config_path, &args.inputs)?.output_root).pop().map(|(_, p)| p),
        None => None,
    };
    let inputs = match &run {
        Some(run) => overrides_from_run(run, &args.inputs)?,
        None => args.inputs.clone(),
    };
    let config = resolve_config(config_path, &inputs)?;
    let period = crate::run::period_for(&config)?;
    let loaded = crate::load::load(&config, progress)?;
    progress.finish();
    let eval = crate::rules::evaluate(&loaded.inputs, &config.policy, period, config.as_of);
    let lang = match args.lang {
        Lang::Zh => crate::explain::Lang::Zh,
        Lang::En => crate::explain::Lang::En,
    };
    let text = match &args.what {
        ExplainWhat::Firm { uscc } => crate::explain::firm(&eval, &loaded.inputs, &loaded.rejects, uscc, lang),
        ExplainWhat::Claim { claim_id } => crate::explain::claim(&eval, &loaded.inputs, &loaded.rejects, claim_id, lang),
    };
    print!("{}", text.map_err(|e| CommandError::Config(anyhow::anyhow!(e)))?);
    if let Some(run) = &run {
        if let Some(w) = disagreement_with_run(run, &args.what, &eval) {
            crate::progress::log(&format!("tongbao: warning: {w}"));
        }
    }
    Ok(())
}

/// Where the explanation, made from the inputs as they are now, disagrees with what the
/// run published (an input changed since): one line saying so, or `None`.
fn disagreement_with_run(run: &Path, what: &ExplainWhat, eval: &crate::rules::Evaluation) -> Option<String> {
    use crate::schema::out;
    let (label, published, now) = match what {
        ExplainWhat::Firm { uscc } => {
            let key = crate::ident::normalise_code(uscc);
            let e = eval.eligibility.iter().find(|e| e.uscc == key.as_str())?;
            let row = crate::diff::published_row(run, out::FIRM_ELIGIBILITY, "uscc", &key, &["is_eligible", "reasons"]).ok()??;
            (format!("firm {key}"), row.join(" "), format!("{} {}", e.is_eligible, e.reasons_text()))
        }
        ExplainWhat::Claim { claim_id } => {
            let key = crate::ident::normalise_code(claim_id);
            let c = eval.claims.iter().find(|c| c.claim_id == key)?;
            let row = crate::diff::published_row(run, out::CLAIM_INDEMNITY, "claim_id", &key, &["indemnity_usd"]).ok()??;
            (format!("claim {key}"), row.join(" "), c.indemnity_cents.map(crate::values::format_cents).unwrap_or_default())
        }
    };
    (published.trim() != now.trim()).then(|| {
        format!("the run `{}` published `{}` for {label}; the inputs as they are now give `{}`: they changed since the run", run.display(), published.trim(), now.trim())
    })
}
