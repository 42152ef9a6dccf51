//! Monitoring: after every run, failed ones included, a Prometheus text-format file
//! `tongbao.prom` in a configured directory (node_exporter's textfile collector), written
//! aside and renamed into place so that the collector never reads half a file.

use std::fmt::Write as _;
use std::path::Path;

use crate::rules::Evaluation;
use crate::rules::reconcile::ReconStatus;

/// The file's name in the textfile directory.
pub const FILE: &str = "tongbao.prom";

/// What a published run decided, in figures an alert can watch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub firms_eligible: u64,
    /// Reconciliation rows by status.
    pub reconciliation: Vec<(&'static str, u64)>,
    pub indemnity_paid_cents: i64,
    pub indemnity_outstanding_cents: i64,
}

impl Figures {
    pub fn of(eval: &Evaluation) -> Figures {
        let statuses = [
            ReconStatus::EligibleEnrolled,
            ReconStatus::EligibleNotEnrolled,
            ReconStatus::EnrolledNotEligible,
            ReconStatus::NotEligibleNotEnrolled,
            ReconStatus::EnrolledFirmRejected,
            ReconStatus::EnrolledUnknownFirm,
        ];
        Figures {
            firms_eligible: eval.eligibility.iter().filter(|e| e.is_eligible).count() as u64,
            reconciliation: statuses.iter().map(|s| (s.as_str(), eval.reconciliation.iter().filter(|r| r.status == *s).count() as u64)).collect(),
            indemnity_paid_cents: eval.claims.iter().filter_map(|c| c.paid_exposure_cents).sum(),
            indemnity_outstanding_cents: eval.claims.iter().filter_map(|c| c.outstanding_exposure_cents).sum(),
        }
    }
}

/// One input's rows, as the manifest counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputRows {
    pub input: &'static str,
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
}

/// One night's run as the monitoring file tells it.
#[derive(Debug, Clone, Default)]
pub struct Night {
    pub exit_code: i32,
    /// When the run ended, Unix seconds.
    pub ended_at: i64,
    pub duration_seconds: f64,
    /// The evaluation date, when the config resolved.
    pub as_of: Option<chrono::NaiveDate>,
    pub inputs: Vec<InputRows>,
    /// Only for a run that published.
    pub figures: Option<Figures>,
}

/// The file's text. `last_success` is this night's end when it published, else the value
/// the previous file held (0 when there was none).
pub fn render(night: &Night, last_success: i64) -> String {
    let mut t = String::new();
    let mut metric = |name: &str, help: &str, lines: &[(String, String)]| {
        let _ = writeln!(t, "# HELP {name} {help}");
        let _ = writeln!(t, "# TYPE {name} gauge");
        for (labels, value) in lines {
            let _ = writeln!(t, "{name}{labels} {value}");
        }
    };
    let one = |v: String| vec![(String::new(), v)];
    metric("tongbao_last_run_timestamp_seconds", "When the last run ended, Unix time.", &one(night.ended_at.to_string()));
    metric("tongbao_last_run_exit_code", "Exit code of the last run: 0 published, 1 failure, 2 bad input, 3 stopped by a guard, 4 locked.", &one(night.exit_code.to_string()));
    metric("tongbao_last_run_duration_seconds", "How long the last run took.", &one(format!("{:.3}", night.duration_seconds)));
    metric("tongbao_last_success_timestamp_seconds", "When the last run that published ended, Unix time (0: never).", &one(last_success.to_string()));
    if let Some(d) = night.as_of {
        let ts = d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or(0);
        metric("tongbao_last_run_as_of_timestamp_seconds", "Evaluation date of the last run, midnight UTC, Unix time.", &one(ts.to_string()));
    }
    if !night.inputs.is_empty() {
        let mut lines = Vec::new();
        for i in &night.inputs {
            for (state, n) in [("read", i.read), ("accepted", i.accepted), ("rejected", i.rejected)] {
                lines.push((format!("{{input=\"{}\",state=\"{state}\"}}", i.input), n.to_string()));
            }
        }
        metric("tongbao_input_rows", "Rows of each input in the last run: read, accepted, rejected.", &lines);
    }
    if let Some(f) = &night.figures {
        metric("tongbao_firms_eligible", "Firms eligible in the last published run.", &one(f.firms_eligible.to_string()));
        let lines: Vec<(String, String)> = f.reconciliation.iter().map(|(s, n)| (format!("{{status=\"{s}\"}}"), n.to_string())).collect();
        metric("tongbao_reconciliation_rows", "Reconciliation rows by status in the last published run (eligible_enrolled: firms eligible and enrolled).", &lines);
        metric("tongbao_indemnity_paid_usd", "Indemnity paid, USD, in the last published run.", &one(crate::values::format_cents(f.indemnity_paid_cents)));
        metric("tongbao_indemnity_outstanding_usd", "Indemnity outstanding, USD, in the last published run.", &one(crate::values::format_cents(f.indemnity_outstanding_cents)));
    }
    t
}

/// The last success time a previous file recorded.
fn previous_success(path: &Path) -> i64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| t.lines().find_map(|l| l.strip_prefix("tongbao_last_success_timestamp_seconds ")?.trim().parse().ok()))
        .unwrap_or(0)
}

/// Write `tongbao.prom` into `dir` atomically.
pub fn write(dir: &Path, night: &Night) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(FILE);
    let last_success = if night.exit_code == 0 { night.ended_at } else { previous_success(&path) };
    // the collector reads only `*.prom`: the file aside has another name
    let tmp = dir.join(format!(".{FILE}.{}", std::process::id()));
    std::fs::write(&tmp, render(night, last_success))?;
    std::fs::rename(&tmp, &path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_night_keeps_the_last_success_time() {
        let tmp = tempfile::tempdir().unwrap();
        let ok = Night { exit_code: 0, ended_at: 1_000, figures: Some(Figures::default()), ..Night::default() };
        write(tmp.path(), &ok).unwrap();
        let bad = Night { exit_code: 2, ended_at: 2_000, ..Night::default() };
        write(tmp.path(), &bad).unwrap();
        let text = std::fs::read_to_string(tmp.path().join(FILE)).unwrap();
        assert!(text.contains("\ntongbao_last_run_exit_code 2\n"), "{text}");
        assert!(text.contains("\ntongbao_last_success_timestamp_seconds 1000\n"), "{text}");
        assert!(text.contains("\ntongbao_last_run_timestamp_seconds 2000\n"), "{text}");
        assert!(!text.contains("tongbao_indemnity_paid_usd"), "no figures from a night that did not publish");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1, "nothing left aside");
    }

    #[test]
    fn money_is_written_to_the_cent() {
        let night = Night { figures: Some(Figures { indemnity_paid_cents: 8_872_348, indemnity_outstanding_cents: 5, ..Figures::default() }), ..Night::default() };
        let text = render(&night, 0);
        assert!(text.contains("\ntongbao_indemnity_paid_usd 88723.48\n"), "{text}");
        assert!(text.contains("\ntongbao_indemnity_outstanding_usd 0.05\n"), "{text}");
    }
}
