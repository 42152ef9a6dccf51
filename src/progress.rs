//! Progress reporting: an indicatif spinner on a terminal, plain log lines otherwise.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Shows which stage the run is in, on stderr.
pub struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl Progress {
    /// A spinner when stderr is a terminal and `quiet` is off; otherwise log lines
    /// (or nothing, when quiet).
    pub fn new(quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let b = ProgressBar::new_spinner();
            b.set_style(ProgressStyle::with_template("{spinner} {elapsed} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        Progress { bar, quiet }
    }

    /// Silent: for tests and library use.
    pub fn hidden() -> Progress {
        Progress { bar: None, quiet: true }
    }

    pub fn stage(&self, what: &str) {
        match &self.bar {
            Some(b) => b.set_message(what.to_string()),
            None if !self.quiet => log(&format!("tongbao: {what}")),
            None => {}
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// Print one line to stderr: with an RFC 3339 time in front when stderr is not a terminal
/// (a log file, the journal, cron's mail), as it is on a terminal otherwise.
pub fn log(line: &str) {
    if std::io::stderr().is_terminal() {
        eprintln!("{line}");
    } else {
        eprintln!("{} {line}", chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false));
    }
}
