//! The command line as typed: clap structs only; `app` turns them into a resolved config.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::AsOf;

/// tongbao: screening, enrollment reconciliation and claim pricing for a city's
/// small/micro exporter export-credit-insurance programme.
#[derive(Debug, Parser)]
#[command(name = "tongbao", version = crate::VERSION, about, long_about = None)]
pub struct Cli {
    /// The config file (TOML) naming the inputs, the output root and the policy file.
    #[arg(long, short = 'c', global = true, default_value = "tongbao.toml")]
    pub config: PathBuf,
    /// No progress or log lines on stderr (errors are still printed).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The nightly run: evaluate on the as-of date and publish `<out>/as_of=<date>/` whole.
    Run(InputArgs),
    /// Read and validate every input and run the guards, print counts per input; writes
    /// nothing but the `--rejects` file. Exit 3 when a guard would stop `run`.
    Check(CheckArgs),
    /// Say in plain words why a firm is or is not eligible, or how a claim was priced.
    Explain(ExplainArgs),
    /// Compare two published runs.
    Diff(DiffArgs),
    /// Write synthetic inputs of a given size, with valid and deliberately broken rows.
    Generate(GenerateArgs),
    /// Remove the oldest published runs, keeping the newest N (never the newest), and the
    /// `failed/` records older than the oldest run kept.
    Prune(PruneArgs),
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// How many published runs to keep (default: the config's `retention.keep_runs`).
    #[arg(long)]
    pub keep: Option<usize>,
    /// Output root (default from the config, else `out`).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Overrides of the config file, shared by the commands that read inputs.
#[derive(Debug, Args, Clone, Default)]
pub struct InputArgs {
    /// Evaluation date: YYYY-MM-DD, `today` or `yesterday` (default: the config's
    /// `as_of`, else today). A nightly job after midnight takes `yesterday`.
    #[arg(long, value_parser = parse_as_of, value_name = "DATE|today|yesterday")]
    pub as_of: Option<AsOf>,
    /// Output root (default from the config, else `out`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Policy file (default from the config, else `policy.toml`).
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Folder of summary queries.
    #[arg(long)]
    pub sql_dir: Option<PathBuf>,
    /// The firms input: a file, folder or glob.
    #[arg(long)]
    pub firms: Option<PathBuf>,
    /// The exports input.
    #[arg(long)]
    pub exports: Option<PathBuf>,
    /// The blacklists input.
    #[arg(long)]
    pub blacklists: Option<PathBuf>,
    /// The enrollments input.
    #[arg(long)]
    pub enrollments: Option<PathBuf>,
    /// The claims input.
    #[arg(long)]
    pub claims: Option<PathBuf>,
    /// The fx_rates input.
    #[arg(long)]
    pub fx_rates: Option<PathBuf>,
    /// The reviews input (optional): decisions on possible matches.
    #[arg(long)]
    pub reviews: Option<PathBuf>,
    /// For this run only: an optional column a rule reads may be missing (INPUT.COLUMN,
    /// for example `firms.legal_rep_id`). Repeatable.
    #[arg(long, value_name = "INPUT.COLUMN")]
    pub allow_absent: Vec<String>,
    /// For this run only: the input may have no accepted row (an input name, or `all`).
    #[arg(long, value_name = "INPUT")]
    pub allow_empty: Vec<String>,
    /// For this run only: the input's accepted rows may fall past the allowed share
    /// against the last published run.
    #[arg(long, value_name = "INPUT")]
    pub allow_drift: Vec<String>,
    /// For this run only: the input's rejected rows may be past the allowed share.
    #[arg(long, value_name = "INPUT")]
    pub allow_rejects: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Write every reject (input, file, row, column, value, reason) to this file: CSV, or
    /// Parquet when its name ends in `.parquet`.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(subcommand)]
    pub what: ExplainWhat,
    /// Language of the explanation.
    #[arg(long, value_enum, default_value_t = Lang::Zh, global = true)]
    pub lang: Lang,
    /// A published run folder to explain (default: the newest published run under the
    /// output root, or with `--as-of` the one of that date).
    #[arg(long, global = true)]
    pub run: Option<PathBuf>,
    /// The evaluation date of the published run to explain: YYYY-MM-DD, `today` or
    /// `yesterday`.
    #[arg(long, value_parser = parse_as_of, value_name = "DATE|today|yesterday", global = true)]
    pub as_of: Option<AsOf>,
    /// Output root the runs are published under (default from the config, else `out`).
    #[arg(long, global = true)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ExplainWhat {
    /// Why a firm is or is not eligible.
    Firm { uscc: String },
    /// How a claim's indemnity was reached.
    Claim { claim_id: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    Zh,
    En,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier run folder (or, alone, the run to compare with the one before it).
    pub a: PathBuf,
    /// The later run folder.
    pub b: Option<PathBuf>,
    /// Print JSON for a machine instead of text for a person.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Tier {
    S,
    M,
    L,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Parquet,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Size tier: S (10k firms), M (1M firms, a national list of 10M), L (10M firms).
    #[arg(long, value_enum, ignore_case = true)]
    pub tier: Tier,
    /// Folder to write into (created).
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Share of deliberately broken rows per input.
    #[arg(long, default_value_t = 0.01)]
    pub broken_share: f64,
    /// Divide every tier size by this (for quick tests).
    #[arg(long, default_value_t = 1, hide = true)]
    pub scale_down: u64,
}

fn parse_as_of(s: &str) -> Result<AsOf, String> {
    AsOf::parse(s).ok_or_else(|| format!("`{s}` is not a date (YYYY-MM-DD), today or yesterday"))
}
