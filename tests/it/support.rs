//! Builders of accepted rows for rule tests, and helpers for end-to-end tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use tongbao::ident::DocId;
use tongbao::model::*;
use tongbao::policy::Policy;

pub fn d(s: &str) -> NaiveDate {
    tongbao::values::parse_date(s, false).expect("test date")
}

/// A USCC with both check characters right: `kind` (2), `division` (6), `org8` (8). The
/// check characters are computed here from the standards' formulas, written out plainly,
/// not by the code under test.
pub fn uscc(kind: &str, division: &str, org8: &str) -> String {
    let org = format!("{org8}{}", reference_org_check(org8));
    let first17 = format!("{kind}{division}{org}");
    format!("{first17}{}", reference_uscc_check(&first17))
}

/// GB 32100-2015: the USCC alphabet; a character's value is its position.
const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// GB 32100-2015: weights 3^(i-1) mod 31 for i = 1..17; check = (31 - Σ mod 31) mod 31.
pub fn reference_uscc_check(first17: &str) -> char {
    let mut weight = 1u32;
    let mut sum = 0u32;
    for c in first17.chars() {
        let value = USCC_ALPHABET.find(c).expect("a USCC character") as u32;
        sum += value * weight;
        weight = weight * 3 % 31;
    }
    USCC_ALPHABET.as_bytes()[((31 - sum % 31) % 31) as usize] as char
}

/// GB 11714: weights 3,7,9,10,5,8,4,2; digits are their value, A-Z are 10-35;
/// check = 11 - Σ mod 11, where 10 is X and 11 is 0.
pub fn reference_org_check(first8: &str) -> char {
    let weights = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first8.chars().zip(weights).map(|(c, w)| c.to_digit(36).expect("a code character") * w).sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).expect("a digit"),
    }
}

#[test]
fn the_reference_check_characters_agree_with_published_codes() {
    // real USCCs quoted by the programme's rules, each passing both checks
    for code in ["91350200MA33GULG91", "913502000658928472", "91350203065880862R"] {
        assert_eq!(reference_org_check(&code[8..16]), code.as_bytes()[16] as char, "{code}");
        assert_eq!(reference_uscc_check(&code[..17]), code.as_bytes()[17] as char, "{code}");
    }
}

pub fn origin() -> Origin {
    Origin { file: Arc::from("test.csv"), row: 2 }
}

pub fn policy() -> Policy {
    Policy::load(&repo().join("policy.toml")).expect("shipped policy")
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An eligible-looking firm in Siming district (350203) with a legal representative.
pub fn firm(uscc: &str) -> Firm {
    Firm {
        uscc: uscc.into(),
        uscc_valid: tongbao::ident::Uscc::parse(uscc).is_some_and(|u| u.is_valid()),
        name: format!("厦门{}贸易有限公司", &uscc[10..14]).into(),
        company_type: "有限责任公司".into(),
        reg_status: "存续".into(),
        district_code: Some("350203".into()),
        legal_rep_name: "张三".into(),
        legal_rep_id: Some("11010519491231002X".into()),
        established_on: None,
        origin: origin(),
    }
}

/// The key of a USCC in the exports map.
pub fn ukey(uscc: &str) -> tongbao::model::UsccKey {
    tongbao::ident::uscc_key(uscc).expect("a well-formed USCC")
}

pub fn exports(rows: &[(&str, i32, i64, i64)]) -> Exports {
    Exports::from_runs(
        rows.iter()
            .map(|(u, year, self_cents, agency_cents)| ((ukey(u), *year), ExportTotals { self_cents: *self_cents, agency_cents: *agency_cents, rows: 1 }))
            .collect(),
    )
}

pub fn listing(list_type: ListType, subject: SubjectType, name: &str, id: &str, listed_on: &str, removed_on: Option<&str>) -> Listing {
    Listing {
        list_type,
        subject_type: subject,
        name: name.into(),
        name_key: tongbao::ident::name_key(name),
        id: match subject {
            SubjectType::Org => DocId::classify_org(id),
            SubjectType::Person => DocId::classify_person(id),
        },
        id_raw: id.into(),
        listed_on: d(listed_on),
        removed_on: removed_on.map(d),
        case_no: "(2022)闽0203执1号".into(),
        origin: origin(),
    }
}

pub fn enrollment(app: &str, uscc: &str, policy_no: &str, year: i32, applied_on: &str, effective_on: &str, status: EnrollmentStatus) -> Enrollment {
    Enrollment {
        application_id: app.into(),
        uscc: uscc.into(),
        policy_no: policy_no.into(),
        policy_year: year,
        applied_on: d(applied_on),
        effective_on: d(effective_on),
        status,
        premium_cny_cents: Some(300_000),
        origin: origin(),
    }
}

/// A covered-looking USD claim on buyer `B1` under policy `P1`.
pub fn claim(id: &str, uscc: &str, loss_cents: i64, notified_on: &str) -> Claim {
    Claim {
        claim_id: id.into(),
        policy_no: "P1".into(),
        uscc: uscc.into(),
        obligor_type: ObligorType::Buyer,
        obligor_id: "B1".into(),
        obligor_key: "B1".into(),
        obligor_name: "Buyer One".into(),
        obligor_country: "US".into(),
        cause: "protracted_default".into(),
        payment_terms: "OA 90".into(),
        credit_days: 90,
        self_contracted: true,
        self_declared: true,
        shipped_on: d("2022-02-01"),
        notified_on: d(notified_on),
        currency: "USD".into(),
        loss_cents,
        status: ClaimStatus::Filed,
        paid_usd_cents: None,
        recovered_cents: None,
        origin: origin(),
    }
}

pub fn fx(currency: &str, date: &str, mantissa: i128, scale: u32, units: i64) -> FxRate {
    FxRate { currency: currency.into(), rate_date: d(date), mantissa, scale, units }
}

/// The tongbao binary, run from the repository root.
pub fn tongbao() -> Cmd {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_tongbao"));
    c.current_dir(repo());
    c.env_remove("TONGBAO_FAULT_AFTER_FILES");
    Cmd(c)
}

/// A command to run (std only: no test crate that would change polars' features).
pub struct Cmd(pub std::process::Command);

impl Cmd {
    pub fn arg(mut self, a: impl AsRef<std::ffi::OsStr>) -> Self {
        self.0.arg(a);
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(mut self, a: I) -> Self {
        self.0.args(a);
        self
    }

    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Self {
        self.0.env(k, v);
        self
    }

    pub fn assert(mut self) -> Outcome {
        let out = self.0.output().expect("the tongbao binary runs");
        Outcome {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).to_string(),
        }
    }
}

/// What a finished command gave.
#[derive(Debug)]
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    pub fn code(self, expected: i32) -> Self {
        assert_eq!(self.code, Some(expected), "exit code; stderr:\n{}", self.stderr);
        self
    }

    pub fn success(self) -> Self {
        self.code(0)
    }

    pub fn stderr_has(self, s: &str) -> Self {
        assert!(self.stderr.contains(s), "stderr lacks `{s}`:\n{}", self.stderr);
        self
    }

    pub fn stdout_has(self, s: &str) -> Self {
        assert!(self.stdout.contains(s), "stdout lacks `{s}`:\n{}", self.stdout);
        self
    }
}

/// Read a Parquet file into a frame.
pub fn read_parquet(path: &Path) -> polars::prelude::DataFrame {
    use polars::prelude::*;
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ParquetReader::new(f).finish().expect("parquet")
}

/// Every file of a folder and its bytes, sorted by name.
pub fn folder_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("folder")
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().to_string(), std::fs::read(e.path()).expect("file")))
        .collect();
    v.sort();
    v
}

/// The sample's run as of 2022-05-07, published once per test binary into its own output
/// root: what `explain` reads.
pub fn published_sample() -> &'static Path {
    static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        // one per test process: a runner that starts a process per test gets one each;
        // those of earlier runs (over an hour old) are cleared away
        let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        for e in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
            let old = e.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age.as_secs() > 3600);
            if old && e.file_name().to_string_lossy().starts_with("published-sample-") {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
        let root = tmp.join(format!("published-sample-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        tongbao().args(["-q", "run", "--as-of", "2022-05-07", "--out"]).arg(&root).assert().success();
        root
    })
}

/// `tongbao -q explain` on [`published_sample`].
pub fn explain_sample() -> Cmd {
    tongbao().args(["-q", "explain", "--out"]).arg(published_sample())
}
