//! The report in a real browser: headless Chromium lays out the report of the sample and
//! of tier S, and a script in the page checks through the DOM that no text overflows its
//! box or its chart and that no code stands where a label exists. Screenshots are saved
//! beside the test binary's scratch files for a person to look at.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// The checks, run in the page once it has loaded; the faults go into `#layout-check`.
const CHECK: &str = r#"<script>
window.addEventListener('load', () => {
  const faults = [];
  for (const el of document.querySelectorAll('.cards div, .cards b, .cards i, td, th, h1, h2, .sub, figcaption, p')) {
    if (el.scrollWidth > el.clientWidth + 1) faults.push('overflow: ' + el.tagName + ' ' + el.textContent.slice(0, 60));
  }
  for (const svg of document.querySelectorAll('svg')) {
    const w = svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) {
      const b = t.getBBox();
      if (b.x < -1 || b.x + b.width > w + 1) faults.push('past the chart: ' + t.textContent.slice(0, 60));
    }
  }
  const codes = /^(political|insolvency|protracted_default|rejection|non_acceptance|firms|exports|blacklists|enrollments|claims|fx_rates|reviews|invalid_encoding|wrong_field_count|missing_value|malformed_uscc|invalid_date|invalid_month|invalid_amount|negative_amount|too_many_decimals|amount_too_large|invalid_rate|unknown_value|invalid_boolean|invalid_integer|invalid_currency|invalid_country|duplicate_key|invalid_check_character|identifier_as_number)$/;
  for (const el of document.querySelectorAll('td, text')) {
    if (codes.test(el.textContent.trim())) faults.push('a code where a label exists: ' + el.textContent.trim());
  }
  const out = document.createElement('pre');
  out.id = 'layout-check';
  out.textContent = JSON.stringify(faults);
  document.body.appendChild(out);
});
</script>"#;

/// Debian's Chromium, when installed (`.ci/run` installs it).
fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"].iter().map(PathBuf::from).find(|p| p.exists())
}

/// The layout faults the page reports, and a screenshot of it under `shot`.
fn faults(chrome: &Path, html: &str, shot: &Path) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    std::fs::write(&page, html.replace("</body>", &format!("{CHECK}</body>"))).unwrap();
    let url = format!("file://{}", page.display());
    let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=5000"];
    let dom = Command::new(chrome).args(common).args(["--window-size=1000,1400", "--dump-dom"]).arg(&url).output().expect("chromium runs");
    let dom = String::from_utf8_lossy(&dom.stdout).to_string();
    let start = dom.find(r#"<pre id="layout-check">"#).unwrap_or_else(|| panic!("the check did not run:\n{}", &dom[..dom.len().min(400)])) + r#"<pre id="layout-check">"#.len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let json = dom[start..end].replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    let _ = Command::new(chrome).args(common).args(["--window-size=1000,3200"]).arg(format!("--screenshot={}", shot.display())).arg(&url).output();
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

fn browser_or_skip() -> Option<PathBuf> {
    let c = chromium();
    if c.is_none() {
        assert!(std::env::var("CI").is_err(), "CI installs chromium: the report must be checked in a browser there");
        eprintln!("chromium is not installed: the report is not checked in a browser (apt-get install chromium fonts-noto-cjk)");
    }
    c
}

#[test]
fn the_check_finds_an_overflow_and_a_code_for_a_label() {
    let Some(chrome) = browser_or_skip() else { return };
    let html = r#"<!doctype html><html><body><table style="width:120px;table-layout:fixed"><tr><td style="overflow:hidden;white-space:nowrap">USD 284,163,812,345,678.00 and more</td><td>insolvency</td></tr></table></body></html>"#;
    let found = faults(&chrome, html, &PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-check-self-test.png"));
    assert!(found.iter().any(|f| f.starts_with("overflow")), "{found:?}");
    assert!(found.iter().any(|f| f.contains("insolvency")), "{found:?}");
}

#[test]
fn the_reports_of_the_sample_and_of_tier_s_lay_out_in_a_browser() {
    let Some(chrome) = browser_or_skip() else { return };
    let tmp = tempfile::tempdir().unwrap();
    // the sample over two nights, so that the report has a change and a trend
    let out = tmp.path().join("sample");
    for date in ["2022-05-06", "2022-05-07"] {
        tongbao().args(["-q", "run", "--as-of", date, "--out"]).arg(&out).assert().success();
    }
    // tier S: ten thousand firms, numbers with more digits
    let data = tmp.path().join("tier-s");
    tongbao().args(["-q", "generate", "--tier", "s", "--seed", "5", "--out"]).arg(&data).assert().success();
    tongbao().arg("-q").arg("--config").arg(data.join("tongbao.toml")).args(["run", "--as-of", "2022-12-31"]).assert().success();
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    for (name, report) in [("sample", out.join("as_of=2022-05-07/report.html")), ("tier-s", data.join("out/as_of=2022-12-31/report.html"))] {
        let html = std::fs::read_to_string(&report).unwrap();
        let shot = shots.join(format!("report-{name}.png"));
        let found = faults(&chrome, &html, &shot);
        assert!(found.is_empty(), "{name}: {found:#?}");
        eprintln!("screenshot of the {name} report: {}", shot.display());
    }
}
