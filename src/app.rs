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
                let width = m.outputs.iter().map(|o| o.file.chars().count()).max().unwrap_or(0);
                for o in &m.outputs {
                    match o.rows {
                        Some(rows) => println!("  {:<width$} {:>9} rows", o.file, crate::values::group_digits(&rows.to_string())),
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
        Command::Explain(args) => explain(&cli.config, args),
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

fn explain(config_path: &Path, args: &ExplainArgs) -> Result<(), CommandError> {
    let fail = |e: anyhow::Error| CommandError::Config(e);
    if args.run.is_some() && args.as_of.is_some() {
        return Err(fail(anyhow::anyhow!("--run explains a published run as of its own date: leave out --as-of, or leave out --run")));
    }
    // the run explained: the one named, else the one of the date asked for, else the newest
    let run = match &args.run {
        Some(run) => run.clone(),
        None => {
            let config = resolve_config(config_path, &InputArgs { as_of: args.as_of, out: args.out.clone(), ..InputArgs::default() })?;
            let root = &config.output_root;
            let mut runs = crate::runs::published(root);
            let found = match args.as_of {
                None => runs.pop(),
                Some(_) => runs.into_iter().find(|(d, _)| *d == config.as_of),
            };
            match (found, args.as_of) {
                (Some((_, p)), _) => p,
                (None, None) => return Err(fail(anyhow::anyhow!("no published run in `{}`: explain reads a run's tables, so run the job first", root.display()))),
                (None, Some(_)) => return Err(fail(anyhow::anyhow!("no run as of {} is published in `{}`", config.as_of, root.display()))),
            }
        }
    };
    let run = crate::explain::Run::open(&run).map_err(fail)?;
    let lang = match args.lang {
        Lang::Zh => crate::explain::Lang::Zh,
        Lang::En => crate::explain::Lang::En,
    };
    let text = match &args.what {
        ExplainWhat::Firm { uscc } => crate::explain::firm(&run, uscc, lang),
        ExplainWhat::Claim { claim_id } => crate::explain::claim(&run, claim_id, lang),
    };
    print!("{}", text.map_err(fail)?);
    Ok(())
}
