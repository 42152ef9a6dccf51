//! Builders of accepted rows for rule tests, and helpers for end-to-end tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use tongbao::ident::{DocId, org_check_char, uscc_check_char};
use tongbao::model::*;
use tongbao::policy::Policy;

pub fn d(s: &str) -> NaiveDate {
    tongbao::values::parse_date(s, false).expect("test date")
}

/// A USCC with both check characters right: `kind` (2), `division` (6), `org8` (8).
pub fn uscc(kind: &str, division: &str, org8: &str) -> String {
    let org = format!("{org8}{}", org_check_char(org8).expect("org8"));
    let first17 = format!("{kind}{division}{org}");
    format!("{first17}{}", uscc_check_char(&first17).expect("first17"))
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
    let mut e = Exports::default();
    for (u, year, self_cents, agency_cents) in rows {
        let t = e.entry((ukey(u), *year)).or_default();
        t.self_cents += self_cents;
        t.agency_cents += agency_cents;
        t.rows += 1;
    }
    e
}

pub fn listing(list_type: ListType, subject: SubjectType, name: &str, id: &str, listed_on: &str, removed_on: Option<&str>) -> Listing {
    Listing {
        list_type,
        subject_type: subject,
        name: name.into(),
        name_key: tongbao::ident::normalise_name(name).into(),
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
