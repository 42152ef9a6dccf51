//! Configuration: the TOML config file as written, and the one resolved [`Config`] that
//! the rest of the program reads, with command-line overrides applied.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::guards::{self, Allow};
use crate::ingest::{Encoding, InputSource};
use crate::policy::{Policy, PolicyFaults};
use crate::schema::Input;

/// The evaluation date as asked for: a date, or one relative to the day the job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    Today,
    /// The nightly job's usual date: the day that has just ended.
    Yesterday,
    Date(NaiveDate),
}

impl AsOf {
    /// `today`, `yesterday` or a date (`YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD`).
    pub fn parse(s: &str) -> Option<AsOf> {
        match s.trim().to_ascii_lowercase().as_str() {
            "today" => Some(AsOf::Today),
            "yesterday" => Some(AsOf::Yesterday),
            other => crate::values::parse_date(other, false).ok().map(AsOf::Date),
        }
    }

    pub fn on(self, today: NaiveDate) -> NaiveDate {
        match self {
            AsOf::Today => today,
            AsOf::Yesterday => today.pred_opt().unwrap_or(today),
            AsOf::Date(d) => d,
        }
    }
}

/// The config file as written (`tongbao.toml`). Relative paths are relative to the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The evaluation date when no `--as-of` is given: `today` (default), `yesterday` or a date.
    pub as_of: Option<String>,
    /// The policy file (TOML, one entry per period). Default `policy.toml`.
    pub policy: Option<PathBuf>,
    /// The folder under which each run writes `as_of=YYYY-MM-DD/`. Default `out`.
    pub output_root: Option<PathBuf>,
    /// Every input by name: a path, or a table with `path` and reading options (read
    /// as [`InputEntry`] in `resolve`, so that an error names the input's table).
    #[serde(default)]
    pub inputs: BTreeMap<String, toml::Value>,
    #[serde(default)]
    pub quality: QualityFile,
    /// A folder of summary queries (`*.sql`) run after the built-in ones; a file with a
    /// built-in's name replaces it. Default: none.
    pub sql_dir: Option<PathBuf>,
    /// District code → name, as the city publishes them: the report shows names.
    #[serde(default)]
    pub districts: BTreeMap<String, String>,
    #[serde(default)]
    pub retention: RetentionFile,
    #[serde(default)]
    pub monitoring: MonitoringFile,
}

/// How many published runs to keep.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionFile {
    /// After each published run, keep this many newest runs (at least 1); default: all.
    pub keep_runs: Option<usize>,
}

/// Where the monitoring file goes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringFile {
    /// node_exporter's textfile-collector directory: every run writes `tongbao.prom` there.
    pub textfile_dir: Option<PathBuf>,
}

/// An input as the config names it.
#[derive(Debug)]
pub enum InputEntry {
    Path(PathBuf),
    Table(InputTable),
}

impl InputEntry {
    /// Read `[inputs.NAME]`: a path string or a table; an error names the table and the key.
    fn from_value(name: &str, value: toml::Value) -> Result<InputEntry> {
        match value {
            toml::Value::String(s) => Ok(InputEntry::Path(PathBuf::from(s))),
            toml::Value::Table(t) => toml::Value::Table(t)
                .try_into::<InputTable>()
                .map(InputEntry::Table)
                .map_err(|e| anyhow::anyhow!("[inputs.{name}]: {}", e.message().trim())),
            other => bail!("[inputs.{name}]: expected a path or a table with `path`, found a {}", other.type_str()),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputTable {
    /// A file, a folder or a glob.
    pub path: PathBuf,
    /// CSV encoding: `auto` (default), `utf8` or `gb18030`.
    #[serde(default)]
    pub encoding: Encoding,
    /// XLSX sheet name; default the first sheet.
    pub sheet: Option<String>,
    /// Extra header aliases: canonical column → header names.
    #[serde(default)]
    pub aliases: HashMap<String, Vec<String>>,
    /// Optional columns this feed does not have, declared so that their absence does not
    /// stop the run (the `absent_column` guard).
    #[serde(default)]
    pub absent: Vec<String>,
    /// File-name patterns of a folder or glob input that are not data (`*.txt`).
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Headers the files carry that tongbao does not read: not warned about.
    #[serde(default)]
    pub extra_columns: Vec<String>,
}

/// Data-quality thresholds: the guards' settings (docs/rules.md).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityFile {
    /// Most-allowed share of rejected rows per input (0.0–1.0), by input name, or `all`.
    /// Default 0.05 for every input. Past it the run stops with exit code 3.
    #[serde(default)]
    pub max_reject_share: BTreeMap<String, f64>,
    /// Most-allowed fall of accepted rows against the newest published run for an earlier
    /// date (0.0–1.0), by input name, or `all`. Default 0.20.
    #[serde(default)]
    pub max_drop_share: BTreeMap<String, f64>,
    /// Inputs that must have at least one accepted row. Default firms, exports, blacklists.
    pub required_rows: Option<Vec<String>>,
}

/// Command-line values that override the config file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub as_of: Option<AsOf>,
    pub output_root: Option<PathBuf>,
    pub policy: Option<PathBuf>,
    pub inputs: BTreeMap<Input, PathBuf>,
    pub sql_dir: Option<PathBuf>,
    /// One-run overrides of the guards.
    pub allow: Allow,
}

/// The resolved configuration: every required value present and checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub as_of: NaiveDate,
    pub inputs: BTreeMap<Input, InputSource>,
    pub output_root: PathBuf,
    pub policy_path: PathBuf,
    pub policy: Policy,
    /// The guards' thresholds, declared absences and one-run overrides.
    pub guards: guards::Settings,
    pub sql_dir: Option<PathBuf>,
    /// Published runs kept after each run (`retention.keep_runs`); `None`: all.
    pub keep_runs: Option<usize>,
    /// Where `tongbao.prom` is written (`monitoring.textfile_dir`); `None`: nowhere.
    pub textfile_dir: Option<PathBuf>,
    /// District code → name (`[districts]`), for the report.
    pub districts: BTreeMap<String, String>,
}

impl ConfigFile {
    pub fn load(path: &Path) -> Result<ConfigFile> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config `{}`", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}", e.to_string().trim_end()))
    }
}

fn relative_to(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() || base.as_os_str().is_empty() { p.to_path_buf() } else { base.join(p) }
}

/// A share (0–1) by input name or `all`, over the defaults: `all` first, then each input.
fn shares(key: &str, given: BTreeMap<String, f64>, defaults: &mut BTreeMap<Input, f64>) -> Result<()> {
    for (name, share) in &given {
        if !(0.0..=1.0).contains(share) {
            bail!("[quality] {key}.{name} = {share}: a share must be between 0 and 1");
        }
    }
    if let Some(all) = given.get("all") {
        defaults.values_mut().for_each(|v| *v = *all);
    }
    for (name, share) in given.into_iter().filter(|(n, _)| n != "all") {
        let input = Input::from_name(&name).with_context(|| format!("[quality] {key}: unknown input `{name}` (known: {}, or all)", known_inputs()))?;
        defaults.insert(input, share);
    }
    Ok(())
}

fn known_inputs() -> String {
    Input::ALL.map(Input::name).join(", ")
}

impl Config {
    /// Resolve a config file (when there is one) and the overrides.
    pub fn resolve(file: ConfigFile, base: &Path, o: &Overrides, today: NaiveDate) -> Result<Config> {
        let mut inputs = BTreeMap::new();
        let mut settings = guards::Settings { allow: o.allow.clone(), ..guards::Settings::default() };
        for (name, value) in file.inputs {
            let input = Input::from_name(&name).with_context(|| format!("[inputs]: unknown input `{name}` (known: {})", known_inputs()))?;
            let source = match InputEntry::from_value(&name, value)? {
                InputEntry::Path(p) => InputSource { path: relative_to(base, &p), ..InputSource::default() },
                InputEntry::Table(t) => {
                    for k in t.aliases.keys() {
                        if !input.columns().iter().any(|c| c.name == k) {
                            bail!("[inputs.{name}] aliases: input `{name}` has no column `{k}` to alias");
                        }
                    }
                    for k in &t.absent {
                        if !input.columns().iter().any(|c| c.guarded && c.name == k) {
                            bail!("[inputs.{name}] absent: `{k}` is not an optional column of `{name}` that a rule reads ({})", guards::guarded_names(input));
                        }
                    }
                    settings.absent.insert(input, t.absent.iter().cloned().collect::<BTreeSet<_>>());
                    InputSource {
                        path: relative_to(base, &t.path),
                        encoding: t.encoding,
                        sheet: t.sheet,
                        aliases: t.aliases,
                        ignore: t.ignore,
                        extra_columns: t.extra_columns,
                    }
                }
            };
            inputs.insert(input, source);
        }
        for (input, path) in &o.inputs {
            inputs.entry(*input).or_insert_with(InputSource::default).path = path.clone();
        }
        for input in Input::ALL.into_iter().filter(|i| !i.is_optional()) {
            if !inputs.contains_key(&input) {
                bail!("[inputs]: input `{}` is not named (set [inputs] {} in the config or pass --{})", input.name(), input.name(), input.name().replace('_', "-"));
            }
        }
        let q = file.quality;
        shares("max_reject_share", q.max_reject_share, &mut settings.max_reject_share)?;
        shares("max_drop_share", q.max_drop_share, &mut settings.max_drop_share)?;
        if let Some(names) = q.required_rows {
            settings.required_rows = names
                .iter()
                .map(|n| Input::from_name(n).with_context(|| format!("[quality] required_rows: unknown input `{n}` (known: {})", known_inputs())))
                .collect::<Result<_>>()?;
        }
        let policy_path = o.policy.clone().unwrap_or_else(|| relative_to(base, file.policy.as_deref().unwrap_or(Path::new("policy.toml"))));
        let policy = Policy::load(&policy_path)?;
        let output_root = o.output_root.clone().unwrap_or_else(|| relative_to(base, file.output_root.as_deref().unwrap_or(Path::new("out"))));
        let sql_dir = o.sql_dir.clone().or_else(|| file.sql_dir.as_deref().map(|p| relative_to(base, p)));
        if file.retention.keep_runs == Some(0) {
            bail!("[retention] keep_runs = 0: keep at least one run (the newest is never removed)");
        }
        let textfile_dir = file.monitoring.textfile_dir.as_deref().map(|p| relative_to(base, p));
        let as_of = match (o.as_of, &file.as_of) {
            (Some(a), _) => a,
            (None, Some(text)) => AsOf::parse(text).with_context(|| format!("as_of = \"{text}\": write today, yesterday or a date (YYYY-MM-DD)"))?,
            (None, None) => AsOf::Today,
        }
        .on(today);
        Ok(Config { as_of, inputs, output_root, policy_path, policy, guards: settings, sql_dir, keep_runs: file.retention.keep_runs, textfile_dir, districts: file.districts })
    }

    /// Load the config file at `path` (if it exists, or if it was asked for) and resolve it.
    pub fn from_path(path: &Path, explicit: bool, o: &Overrides, today: NaiveDate) -> Result<Config> {
        let named = path.exists() || explicit;
        let in_file = |e: anyhow::Error| if named && e.downcast_ref::<PolicyFaults>().is_none() { e.context(format!("config `{}`", path.display())) } else { e };
        let (file, base) = if named {
            (ConfigFile::load(path).map_err(in_file)?, path.parent().map(Path::to_path_buf).unwrap_or_default())
        } else {
            (ConfigFile::default(), PathBuf::new())
        };
        Config::resolve(file, &base, o, today).map_err(in_file)
    }
}
