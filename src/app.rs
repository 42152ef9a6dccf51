//! From parsed command line to library call: resolve the config once, run the command.

use std::path::Path;

use crate::cli::{Cli, Command, Format, GenerateArgs, InputArgs, Tier};
use crate::generate::{self, OutFormat, Plan, Sizes};
use crate::config::{Config, Overrides};
use crate::error::CommandError;
use crate::progress::Progress;
use crate::schema::Input;

fn overrides(a: &InputArgs) -> Overrides {
    let mut o = Overrides {
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
    ] {
        if let Some(p) = path {
            o.inputs.insert(input, p.clone());
        }
    }
    o
}

/// Resolve the config: the file (when it exists, or was named), then the flags.
pub fn resolve_config(config_path: &Path, args: &InputArgs) -> Result<Config, CommandError> {
    let explicit = config_path != Path::new("tongbao.toml");
    let today = chrono::Local::now().date_naive();
    Config::from_path(config_path, explicit, &overrides(args), today).map_err(CommandError::Config)
}

/// Run the command; data goes to stdout, everything else to stderr.
pub fn execute(cli: Cli) -> Result<(), CommandError> {
    let progress = Progress::new(cli.quiet);
    match &cli.command {
        Command::Run(args) => {
            let config = resolve_config(&cli.config, args)?;
            let out = crate::run::run(&config, &progress)?;
            let m = &out.manifest;
            println!("published `{}`", out.folder.display());
            for o in &m.outputs {
                println!("  {:<30} {:>9} rows", o.file, o.rows);
            }
            for w in &m.warnings {
                eprintln!("tongbao: warning: {w}");
            }
            Ok(())
        }
        Command::Generate(args) => generate_inputs(args),
        Command::Check(args) => {
            let config = resolve_config(&cli.config, args)?;
            for line in crate::check::check(&config, &progress)? {
                println!("{line}");
            }
            Ok(())
        }
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
    println!("wrote inputs to `{}`; run them with `tongbao --config {} run`", args.out.display(), config.display());
    Ok(())
}
