//! The schema, written once: every input's columns (canonical name, Chinese aliases,
//! required or optional) and every output table's file name.

/// One of the six inputs (docs/rules.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    Firms,
    Exports,
    Blacklists,
    Enrollments,
    Claims,
    FxRates,
    /// Review decisions on possible matches: the one optional input.
    Reviews,
}

impl Input {
    pub const ALL: [Input; 7] = [
        Input::Firms,
        Input::Exports,
        Input::Blacklists,
        Input::Enrollments,
        Input::Claims,
        Input::FxRates,
        Input::Reviews,
    ];

    /// An input the config may leave out: it then has no rows.
    pub fn is_optional(self) -> bool {
        self == Input::Reviews
    }

    pub fn name(self) -> &'static str {
        match self {
            Input::Firms => "firms",
            Input::Exports => "exports",
            Input::Blacklists => "blacklists",
            Input::Enrollments => "enrollments",
            Input::Claims => "claims",
            Input::FxRates => "fx_rates",
            Input::Reviews => "reviews",
        }
    }

    pub fn from_name(name: &str) -> Option<Input> {
        Input::ALL.into_iter().find(|i| i.name() == name)
    }

    /// The input's columns, in canonical order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Input::Firms => FIRMS,
            Input::Exports => EXPORTS,
            Input::Blacklists => BLACKLISTS,
            Input::Enrollments => ENROLLMENTS,
            Input::Claims => CLAIMS,
            Input::FxRates => FX_RATES,
            Input::Reviews => REVIEWS,
        }
    }
}

/// One column of an input.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The canonical header.
    pub name: &'static str,
    /// Built-in Chinese (and other) header aliases.
    pub aliases: &'static [&'static str],
    /// Read by a rule or a summary: a bad or empty value rejects the row.
    pub required: bool,
    /// Optional, but a rule or an output reads it: a file without it stops the run
    /// unless the config declares it absent (the `absent_column` guard).
    pub guarded: bool,
}

const fn req(name: &'static str, aliases: &'static [&'static str]) -> Column {
    Column { name, aliases, required: true, guarded: false }
}

/// Optional and read by nothing but explanations: its absence changes no output.
const fn opt(name: &'static str, aliases: &'static [&'static str]) -> Column {
    Column { name, aliases, required: false, guarded: false }
}

/// Optional, an empty cell is allowed, but the whole column missing is a guard stop.
const fn read(name: &'static str, aliases: &'static [&'static str]) -> Column {
    Column { name, aliases, required: false, guarded: true }
}

/// A text's bytes as an array of its length (for the statics of [`col`]).
const fn bytes<const N: usize>(text: &str) -> [u8; N] {
    let (mut out, b) = ([0u8; N], text.as_bytes());
    let mut i = 0;
    while i < N {
        out[i] = b[i];
        i += 1;
    }
    out
}

/// Column names, so that code never types a header twice.
pub mod col {
    /// Each name is a `&str` into a static of its own, so that every use of it (the schema's
    /// tables, the parsers, the rejects) holds the same address, and a column is found by
    /// its name's address instead of by comparing texts on every cell.
    macro_rules! names {
        ($($name:ident = $text:literal;)*) => {$(
            pub const $name: &str = {
                static TEXT: [u8; $text.len()] = super::bytes($text);
                match std::str::from_utf8(&TEXT) {
                    Ok(s) => s,
                    Err(_) => panic!("a column name is UTF-8"),
                }
            };
        )*};
    }

    names! {
        USCC = "uscc";
        NAME = "name";
        COMPANY_TYPE = "company_type";
        REG_STATUS = "reg_status";
        DISTRICT_CODE = "district_code";
        LEGAL_REP_NAME = "legal_rep_name";
        LEGAL_REP_ID = "legal_rep_id";
        ESTABLISHED_ON = "established_on";
        MONTH = "month";
        TRADE_CHANNEL = "trade_channel";
        EXPORT_USD = "export_usd";
        LIST_TYPE = "list_type";
        SUBJECT_TYPE = "subject_type";
        ID_NUMBER = "id_number";
        LISTED_ON = "listed_on";
        REMOVED_ON = "removed_on";
        CASE_NO = "case_no";
        APPLICATION_ID = "application_id";
        POLICY_NO = "policy_no";
        POLICY_YEAR = "policy_year";
        APPLIED_ON = "applied_on";
        EFFECTIVE_ON = "effective_on";
        STATUS = "status";
        PREMIUM_CNY = "premium_cny";
        CLAIM_ID = "claim_id";
        OBLIGOR_TYPE = "obligor_type";
        OBLIGOR_ID = "obligor_id";
        OBLIGOR_NAME = "obligor_name";
        OBLIGOR_COUNTRY = "obligor_country";
        CAUSE = "cause";
        PAYMENT_TERMS = "payment_terms";
        CREDIT_DAYS = "credit_days";
        SELF_CONTRACTED = "self_contracted";
        SELF_DECLARED = "self_declared";
        SHIPPED_ON = "shipped_on";
        NOTIFIED_ON = "notified_on";
        CURRENCY = "currency";
        LOSS_AMOUNT = "loss_amount";
        PAID_USD = "paid_usd";
        RECOVERED_AMOUNT = "recovered_amount";
        RATE_DATE = "rate_date";
        CNY_PER_UNIT = "cny_per_unit";
        UNITS = "units";
        DECISION = "decision";
        DECIDED_ON = "decided_on";
        REVIEWER = "reviewer";
        NOTE = "note";
    }
}

use col::*;

/// Columns that hold identifiers: text, whose digits a number type may have lost (docs/rules.md).
const IDENTIFIERS: &[&str] = &[USCC, LEGAL_REP_ID, ID_NUMBER, APPLICATION_ID, POLICY_NO, CLAIM_ID, OBLIGOR_ID];

impl Column {
    /// An identifier: a number arriving in it is checked for lost digits.
    pub fn is_identifier(&self) -> bool {
        IDENTIFIERS.contains(&self.name)
    }
}

const FIRMS: &[Column] = &[
    req(USCC, &["统一社会信用代码"]),
    req(NAME, &["企业名称"]),
    req(COMPANY_TYPE, &["企业类型"]),
    req(REG_STATUS, &["登记状态"]),
    read(DISTRICT_CODE, &["登记机关区划代码"]),
    req(LEGAL_REP_NAME, &["法定代表人"]),
    read(LEGAL_REP_ID, &["法定代表人证件号码"]),
    opt(ESTABLISHED_ON, &["成立日期"]),
];

const EXPORTS: &[Column] = &[
    req(USCC, &["统一社会信用代码"]),
    req(MONTH, &["统计月份"]),
    req(TRADE_CHANNEL, &["经营方式"]),
    req(EXPORT_USD, &["出口额(美元)", "出口额（美元）", "出口额"]),
];

const BLACKLISTS: &[Column] = &[
    req(LIST_TYPE, &["名单类型"]),
    req(SUBJECT_TYPE, &["主体类型"]),
    req(NAME, &["名称/姓名", "名称", "姓名"]),
    read(ID_NUMBER, &["证件号码"]),
    opt(LEGAL_REP_NAME, &["法定代表人或者负责人姓名"]),
    req(LISTED_ON, &["列入日期"]),
    read(REMOVED_ON, &["移出日期"]),
    read(CASE_NO, &["案号"]),
];

const ENROLLMENTS: &[Column] = &[
    req(APPLICATION_ID, &["申请编号"]),
    req(USCC, &["统一社会信用代码"]),
    req(POLICY_NO, &["保单号"]),
    req(POLICY_YEAR, &["保单年度"]),
    req(APPLIED_ON, &["申请日期"]),
    req(EFFECTIVE_ON, &["生效日期"]),
    req(STATUS, &["状态"]),
    read(PREMIUM_CNY, &["保费"]),
];

const CLAIMS: &[Column] = &[
    req(CLAIM_ID, &["案件编号"]),
    req(POLICY_NO, &["保单号"]),
    req(USCC, &["统一社会信用代码"]),
    req(OBLIGOR_TYPE, &["债务人类型"]),
    req(OBLIGOR_ID, &["债务人代码"]),
    opt(OBLIGOR_NAME, &["债务人名称"]),
    req(OBLIGOR_COUNTRY, &["债务人国别"]),
    req(CAUSE, &["损失原因"]),
    opt(PAYMENT_TERMS, &["支付方式"]),
    req(CREDIT_DAYS, &["信用期限"]),
    req(SELF_CONTRACTED, &["自签合同"]),
    req(SELF_DECLARED, &["自营报关"]),
    req(SHIPPED_ON, &["出运日期"]),
    req(NOTIFIED_ON, &["可能损失通知日"]),
    req(CURRENCY, &["币种"]),
    req(LOSS_AMOUNT, &["损失金额"]),
    req(STATUS, &["状态"]),
    read(PAID_USD, &["已赔付(美元)"]),
    read(RECOVERED_AMOUNT, &["追回金额"]),
];

const FX_RATES: &[Column] = &[
    req(CURRENCY, &["币种"]),
    req(RATE_DATE, &["日期"]),
    req(CNY_PER_UNIT, &["中间价"]),
    read(UNITS, &["单位"]),
];

const REVIEWS: &[Column] = &[
    req(USCC, &["统一社会信用代码"]),
    req(CASE_NO, &["案号"]),
    req(DECISION, &["复核结论", "决定"]),
    req(DECIDED_ON, &["复核日期", "决定日期"]),
    opt(REVIEWER, &["复核人"]),
    opt(NOTE, &["备注"]),
];

/// Output tables of a run, by file stem.
pub mod out {
    pub const FIRM_ELIGIBILITY: &str = "firm_eligibility";
    pub const BLACKLIST_HITS: &str = "blacklist_hits";
    pub const ENROLLMENT_RECONCILIATION: &str = "enrollment_reconciliation";
    pub const CLAIM_INDEMNITY: &str = "claim_indemnity";
    pub const REJECTS: &str = "rejects";
    pub const ROW_WARNINGS: &str = "row_warnings";
    pub const REVIEW_QUEUE: &str = "review_queue";
    pub const REVIEW_DECISIONS: &str = "review_decisions";
    pub const MANIFEST: &str = "manifest.json";
    pub const REPORT: &str = "report.html";

    /// The detail tables, by file stem: a summary query may not take one of these names.
    pub const DETAIL_TABLES: [&str; 8] = [
        FIRM_ELIGIBILITY,
        BLACKLIST_HITS,
        ENROLLMENT_RECONCILIATION,
        CLAIM_INDEMNITY,
        REJECTS,
        ROW_WARNINGS,
        REVIEW_QUEUE,
        REVIEW_DECISIONS,
    ];

    /// Where a run stopped by a guard leaves its evidence, under the output root.
    pub const FAILED_DIR: &str = "failed";
}
