//! Configuration: the TOML config file as written, and the one resolved [`Config`] that
//! the rest of the program reads, with command-line overrides applied.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::ingest::{Encoding, InputSource};
use crate::policy::Policy;
use crate::schema::Input;

/// The config file as written (`tongbao.toml`). Relative paths are relative to the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The policy file (TOML, one entry per period). Default `policy.toml`.
    pub policy: Option<PathBuf>,
    /// The folder under which each run writes `as_of=YYYY-MM-DD/`. Default `out`.
    pub output_root: Option<PathBuf>,
    /// Every input by name: a path, or a table with `path` and reading options.
    #[serde(default)]
    pub inputs: BTreeMap<String, InputEntry>,
    #[serde(default)]
    pub quality: QualityFile,
    /// A folder of summary queries (`*.sql`) run after the built-in ones; a file with a
    /// built-in's name replaces it. Default: none.
    pub sql_dir: Option<PathBuf>,
}

/// An input as the config names it.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum InputEntry {
    Path(PathBuf),
    Table(InputTable),
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
}

/// Data-quality thresholds.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityFile {
    /// Most-allowed share of rejected rows per input (0.0–1.0), by input name, or `all`.
    /// Off unless set. Past it the run publishes nothing and exits with code 3.
    #[serde(default)]
    pub max_reject_share: BTreeMap<String, f64>,
}

/// Command-line values that override the config file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub as_of: Option<NaiveDate>,
    pub output_root: Option<PathBuf>,
    pub policy: Option<PathBuf>,
    pub inputs: BTreeMap<Input, PathBuf>,
    pub sql_dir: Option<PathBuf>,
}

/// The resolved configuration: every required value present and checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub as_of: NaiveDate,
    pub inputs: BTreeMap<Input, InputSource>,
    pub output_root: PathBuf,
    pub policy_path: PathBuf,
    pub policy: Policy,
    pub max_reject_share: BTreeMap<Input, f64>,
    pub sql_dir: Option<PathBuf>,
}

impl ConfigFile {
    pub fn load(path: &Path) -> Result<ConfigFile> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config `{}`", path.display()))?;
        toml::from_str(&text).with_context(|| format!("config `{}`", path.display()))
    }
}

fn relative_to(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() || base.as_os_str().is_empty() { p.to_path_buf() } else { base.join(p) }
}

impl Config {
    /// Resolve a config file (when there is one) and the overrides.
    pub fn resolve(file: ConfigFile, base: &Path, o: &Overrides, today: NaiveDate) -> Result<Config> {
        let mut inputs = BTreeMap::new();
        for (name, entry) in file.inputs {
            let input = Input::from_name(&name).with_context(|| {
                format!("config: unknown input `{name}` (known: firms, exports, blacklists, enrollments, claims, fx_rates)")
            })?;
            let source = match entry {
                InputEntry::Path(p) => InputSource { path: relative_to(base, &p), encoding: Encoding::Auto, sheet: None, aliases: HashMap::new() },
                InputEntry::Table(t) => {
                    for k in t.aliases.keys() {
                        if !input.columns().iter().any(|c| c.name == k) {
                            bail!("config: input `{name}` has no column `{k}` to alias");
                        }
                    }
                    InputSource { path: relative_to(base, &t.path), encoding: t.encoding, sheet: t.sheet, aliases: t.aliases }
                }
            };
            inputs.insert(input, source);
        }
        for (input, path) in &o.inputs {
            let entry = inputs.entry(*input).or_insert_with(|| InputSource {
                path: path.clone(),
                encoding: Encoding::Auto,
                sheet: None,
                aliases: HashMap::new(),
            });
            entry.path = path.clone();
        }
        for input in Input::ALL {
            if !inputs.contains_key(&input) {
                bail!("config: input `{}` is not named (set [inputs] {} in the config or pass --{})", input.name(), input.name(), input.name().replace('_', "-"));
            }
        }
        let mut max_reject_share = BTreeMap::new();
        for (name, share) in file.quality.max_reject_share {
            if !(0.0..=1.0).contains(&share) {
                bail!("config: quality.max_reject_share.{name} must be between 0 and 1");
            }
            if name == "all" {
                for input in Input::ALL {
                    max_reject_share.entry(input).or_insert(share);
                }
            } else {
                let input = Input::from_name(&name).with_context(|| format!("config: quality.max_reject_share has unknown input `{name}`"))?;
                max_reject_share.insert(input, share);
            }
        }
        let policy_path = o.policy.clone().unwrap_or_else(|| relative_to(base, file.policy.as_deref().unwrap_or(Path::new("policy.toml"))));
        let policy = Policy::load(&policy_path)?;
        let output_root = o.output_root.clone().unwrap_or_else(|| relative_to(base, file.output_root.as_deref().unwrap_or(Path::new("out"))));
        let sql_dir = o.sql_dir.clone().or_else(|| file.sql_dir.as_deref().map(|p| relative_to(base, p)));
        Ok(Config { as_of: o.as_of.unwrap_or(today), inputs, output_root, policy_path, policy, max_reject_share, sql_dir })
    }

    /// Load the config file at `path` (if it exists, or if it was asked for) and resolve it.
    pub fn from_path(path: &Path, explicit: bool, o: &Overrides, today: NaiveDate) -> Result<Config> {
        let (file, base) = if path.exists() || explicit {
            (ConfigFile::load(path)?, path.parent().map(Path::to_path_buf).unwrap_or_default())
        } else {
            (ConfigFile::default(), PathBuf::new())
        };
        Config::resolve(file, &base, o, today)
    }
}
