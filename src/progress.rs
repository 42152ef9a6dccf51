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
            None if !self.quiet => eprintln!("tongbao: {what}"),
            None => {}
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
