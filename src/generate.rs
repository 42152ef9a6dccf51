//! `tongbao generate`: synthetic inputs of the benchmark tiers' sizes, deterministic for a seed,
//! with real check characters, realistic shares and a chosen share of broken rows.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::ident::{USCC_ALPHABET, org_check_char, resident_id_check_char, uscc_check_char};

/// Sizes of one tier: S, M and L, as the README's benchmark lists them.
/// The evaluation date the generated data is made for: exports of 2021 (and some 2020),
/// enrollments and claims of 2022, inside the 2022-2023 policy period.
pub const AS_OF: &str = "2022-12-31";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub firms: u64,
    pub export_rows: u64,
    pub listings: u64,
    pub enrollments: u64,
    pub claims: u64,
}

impl Sizes {
    pub const S: Sizes = Sizes { firms: 10_000, export_rows: 120_000, listings: 100_000, enrollments: 3_000, claims: 1_000 };
    pub const M: Sizes = Sizes { firms: 1_000_000, export_rows: 12_000_000, listings: 10_000_000, enrollments: 300_000, claims: 100_000 };
    pub const L: Sizes = Sizes { firms: 10_000_000, export_rows: 120_000_000, listings: 50_000_000, enrollments: 3_000_000, claims: 1_000_000 };

    pub fn scaled_down(self, by: u64) -> Sizes {
        let by = by.max(1);
        Sizes {
            firms: (self.firms / by).max(10),
            export_rows: (self.export_rows / by).max(10),
            listings: (self.listings / by).max(10),
            enrollments: (self.enrollments / by).max(5),
            claims: (self.claims / by).max(5),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    Csv,
    Parquet,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Plan {
    pub sizes: Sizes,
    pub seed: u64,
    pub format: OutFormat,
    /// Share of rows of every input that carry a deliberate defect.
    pub broken_share: f64,
}

/// A cell of a generated row.
#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Num(f64),
    Empty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Float,
}

/// Writes one input as CSV or as Parquet parts in a folder.
trait TableSink {
    fn row(&mut self, cells: Vec<Cell>) -> Result<()>;
    fn finish(self: Box<Self>) -> Result<()>;
}

struct CsvSink {
    w: csv::Writer<BufWriter<File>>,
}

impl TableSink for CsvSink {
    fn row(&mut self, cells: Vec<Cell>) -> Result<()> {
        let texts = cells.into_iter().map(|c| match c {
            Cell::Text(s) => s,
            Cell::Num(f) => crate::ingest::float_text(f),
            Cell::Empty => String::new(),
        });
        self.w.write_record(texts.collect::<Vec<_>>())?;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.w.flush()?;
        Ok(())
    }
}

struct ParquetSink {
    dir: PathBuf,
    columns: Vec<(&'static str, Kind)>,
    part_columns: Vec<PartColumn>,
    rows: usize,
    part: usize,
}

const PART_ROWS: usize = 1_000_000;

/// A column of a Parquet part as it fills: the values go straight into Arrow buffers. (A
/// `String` kept per cell until the part was written cost more in malloc than the writing.)
enum PartColumn {
    Text(polars::prelude::StringChunkedBuilder),
    Float(polars::prelude::PrimitiveChunkedBuilder<polars::prelude::Float64Type>),
}

impl PartColumn {
    fn new(name: &str, kind: Kind) -> PartColumn {
        match kind {
            Kind::Text => PartColumn::Text(polars::prelude::StringChunkedBuilder::new(name.into(), PART_ROWS)),
            Kind::Float => PartColumn::Float(polars::prelude::PrimitiveChunkedBuilder::new(name.into(), PART_ROWS)),
        }
    }

    fn push(&mut self, cell: Cell) {
        use polars::prelude::ChunkedBuilder;
        match (self, cell) {
            (PartColumn::Text(b), Cell::Text(s)) => b.append_value(s),
            (PartColumn::Text(b), Cell::Num(f)) => b.append_value(crate::ingest::float_text(f)),
            (PartColumn::Float(b), Cell::Num(f)) => b.append_value(f),
            (PartColumn::Float(b), Cell::Text(s)) => b.append_value(s.parse().unwrap_or(f64::NAN)),
            (PartColumn::Text(b), Cell::Empty) => b.append_null(),
            (PartColumn::Float(b), Cell::Empty) => b.append_null(),
        }
    }

    fn finish(self) -> polars::prelude::Column {
        use polars::prelude::{ChunkedBuilder, IntoColumn};
        match self {
            PartColumn::Text(b) => b.finish().into_column(),
            PartColumn::Float(b) => b.finish().into_column(),
        }
    }
}

impl ParquetSink {
    fn flush_part(&mut self) -> Result<()> {
        use polars::prelude::*;
        if self.rows == 0 {
            return Ok(());
        }
        let cols: Vec<Column> = self
            .columns
            .iter()
            .zip(&mut self.part_columns)
            .map(|((name, kind), c)| std::mem::replace(c, PartColumn::new(name, *kind)).finish())
            .collect();
        let mut df = DataFrame::new(self.rows, cols)?;
        let path = self.dir.join(format!("part-{:05}.parquet", self.part));
        let f = File::create(&path).with_context(|| format!("cannot create `{}`", path.display()))?;
        ParquetWriter::new(f).with_compression(ParquetCompression::Zstd(None)).finish(&mut df)?;
        self.part += 1;
        self.rows = 0;
        Ok(())
    }
}

impl TableSink for ParquetSink {
    fn row(&mut self, cells: Vec<Cell>) -> Result<()> {
        for (c, cell) in self.part_columns.iter_mut().zip(cells) {
            c.push(cell);
        }
        self.rows += 1;
        if self.rows >= PART_ROWS {
            self.flush_part()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.flush_part()
    }
}

fn sink(out: &Path, name: &str, format: OutFormat, columns: &[(&'static str, Kind)]) -> Result<Box<dyn TableSink>> {
    match format {
        OutFormat::Csv => {
            let path = out.join(format!("{name}.csv"));
            let f = File::create(&path).with_context(|| format!("cannot create `{}`", path.display()))?;
            let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, f));
            w.write_record(columns.iter().map(|(n, _)| *n))?;
            Ok(Box::new(CsvSink { w }))
        }
        OutFormat::Parquet => {
            let dir = out.join(name);
            std::fs::create_dir_all(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
            Ok(Box::new(ParquetSink {
                dir,
                columns: columns.to_vec(),
                part_columns: columns.iter().map(|(name, kind)| PartColumn::new(name, *kind)).collect(),
                rows: 0,
                part: 0,
            }))
        }
    }
}

const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "林", "郑", "蔡"];
const GIVEN: &[&str] = &["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建华", "志强"];
const WORDS: &[&str] = &["海", "鹭", "嘉", "禾", "鼓", "浪", "同", "安", "翔", "集", "美", "湖", "里", "思", "明", "金", "鑫", "源", "达", "丰"];
const TRADES: &[&str] = &["贸易", "进出口", "实业", "科技", "电子", "服装", "食品", "机械", "工贸", "供应链"];
const DISTRICTS: &[&str] = &["350203", "350205", "350206", "350211", "350212", "350213"];
const OTHER_DIVISIONS: &[&str] = &["350102", "350104", "440300", "310115", "330212"];
const CAUSES: &[&str] = &["protracted_default", "insolvency", "rejection", "non_acceptance", "political", "quality_dispute"];
const COUNTRIES: &[&str] = &["US", "DE", "JP", "GB", "BR", "IN", "RU", "NG", "AE", "VN"];

fn pick<'a, T>(rng: &mut ChaCha8Rng, v: &'a [T]) -> &'a T {
    &v[rng.gen_range(0..v.len())]
}

/// A name from about 5,000 (two characters, 5%) or 96,000 (three): common enough to
/// collide, as real names do.
fn person_name(rng: &mut ChaCha8Rng) -> String {
    if rng.gen_bool(0.05) {
        format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN))
    } else {
        format!("{}{}{}{}", pick(rng, SURNAMES), pick(rng, WORDS), pick(rng, WORDS), pick(rng, GIVEN))
    }
}

fn org8(rng: &mut ChaCha8Rng) -> String {
    (0..8).map(|_| USCC_ALPHABET[rng.gen_range(0..31)] as char).collect()
}

/// A USCC with both check characters right.
fn make_uscc(kind: &str, division: &str, org: &str) -> String {
    let org_code = format!("{org}{}", org_check_char(org).unwrap_or('0'));
    let first17 = format!("{kind}{division}{org_code}");
    let check = uscc_check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

fn resident_id(rng: &mut ChaCha8Rng) -> String {
    let area = pick(rng, &["350203", "350206", "350211", "110105", "440304", "330106"]);
    let birth = NaiveDate::from_ymd_opt(rng.gen_range(1955..2000), rng.gen_range(1..13), rng.gen_range(1..29)).unwrap_or_default();
    let first17 = format!("{area}{}{:03}", birth.format("%Y%m%d"), rng.gen_range(0..1000));
    format!("{first17}{}", resident_id_check_char(&first17).unwrap_or('0'))
}

fn masked(id: &str, rng: &mut ChaCha8Rng) -> String {
    let stars = if rng.gen_bool(0.3) { 5 } else { 4 };
    format!("{}{}{}", &id[..10], "*".repeat(stars), &id[14..])
}

fn date_between(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from + chrono::Duration::days(rng.gen_range(0..=span))
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

struct GenFirm {
    uscc: String,
    name: String,
    rep_name: String,
    rep_id: String,
}

/// Damage one cell of a row, the way real feeds are damaged; returns the damaged row.
/// The fallback empties one of the `required` columns (an empty optional cell is no defect).
#[allow(clippy::too_many_arguments)]
fn break_row(rng: &mut ChaCha8Rng, mut cells: Vec<Cell>, required: &[usize], uscc_col: Option<usize>, date_col: Option<usize>, amount_col: Option<usize>, closed_col: Option<usize>) -> Vec<Cell> {
    match rng.gen_range(0..5) {
        0 if uscc_col.is_some() => {
            if let Some(i) = uscc_col {
                cells[i] = t(format!("91350203MA33GULGO{}", rng.gen_range(0..9)));
            }
        }
        1 if date_col.is_some() => {
            if let Some(i) = date_col {
                cells[i] = t(pick(rng, &["2022-02-30", "2021-13-01", "yesterday"]).to_string());
            }
        }
        2 if amount_col.is_some() => {
            if let Some(i) = amount_col {
                cells[i] = t(pick(rng, &["-100.00", "NaN", "12.345", "abc"]).to_string());
            }
        }
        3 if closed_col.is_some() => {
            if let Some(i) = closed_col {
                cells[i] = t("unknown_thing");
            }
        }
        _ => {
            let i = required[rng.gen_range(0..required.len())];
            cells[i] = Cell::Empty;
        }
    }
    cells
}

/// Write all six inputs into `out`; returns the path of a config file naming them.
pub fn generate(plan: &Plan, out: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create `{}`", out.display()))?;
    let mut rng = ChaCha8Rng::seed_from_u64(plan.seed);
    let s = plan.sizes;
    let broken = plan.broken_share.clamp(0.0, 1.0);
    let fmt = plan.format;

    // firms
    let mut firms = Vec::with_capacity(s.firms as usize);
    let mut w = sink(out, "firms", fmt, &[
        ("uscc", Kind::Text), ("name", Kind::Text), ("company_type", Kind::Text), ("reg_status", Kind::Text),
        ("district_code", Kind::Text), ("legal_rep_name", Kind::Text), ("legal_rep_id", Kind::Text), ("established_on", Kind::Text),
    ])?;
    for i in 0..s.firms {
        let kind = if rng.gen_bool(0.95) { "91" } else { "92" };
        let division = if rng.gen_bool(0.9) { *pick(&mut rng, DISTRICTS) } else { *pick(&mut rng, OTHER_DIVISIONS) };
        let mut uscc = make_uscc(kind, division, &org8(&mut rng));
        if rng.gen_bool(0.005) {
            // a well-formed code with a wrong check character
            let last = uscc.pop().unwrap_or('0');
            uscc.push(if last == '1' { '2' } else { '1' });
        }
        let name = format!("厦门{}{}{}有限公司{}", pick(&mut rng, WORDS), pick(&mut rng, WORDS), pick(&mut rng, TRADES), i);
        let company_type = if rng.gen_bool(0.03) { "有限责任公司分公司" } else { "有限责任公司" };
        let reg_status = if rng.gen_bool(0.03) { "注销" } else { "存续" };
        let district = if rng.gen_bool(0.7) { division.to_string() } else { String::new() };
        let rep_name = person_name(&mut rng);
        let rep_id = resident_id(&mut rng);
        let est = date_between(&mut rng, ymd(2000, 1, 1), ymd(2020, 12, 31));
        let mut cells = vec![t(&uscc), t(&name), t(company_type), t(reg_status), t(district), t(&rep_name), t(&rep_id), t(est.to_string())];
        if rng.gen_bool(broken) {
            cells = break_row(&mut rng, cells, &[0, 1, 2, 3, 5], Some(0), None, None, None);
        }
        w.row(cells)?;
        firms.push(GenFirm { uscc, name, rep_name, rep_id });
    }
    w.finish()?;

    // exports: a firm's yearly target, split over months and rows
    let mut w = sink(out, "exports", fmt, &[("uscc", Kind::Text), ("month", Kind::Text), ("trade_channel", Kind::Text), ("export_usd", Kind::Float)])?;
    let per_firm = (s.export_rows / s.firms.max(1)).max(1);
    let mut written = 0u64;
    let mut f_idx = 0usize;
    while written < s.export_rows && !firms.is_empty() {
        let f = &firms[f_idx % firms.len()];
        f_idx += 1;
        let big = rng.gen_bool(0.1);
        let yearly: f64 = if big { rng.gen_range(6_000_000.0..50_000_000.0) } else { rng.gen_range(1_000.0..6_000_000.0) };
        let rows = per_firm.min(s.export_rows - written);
        for r in 0..rows {
            let year = if rng.gen_bool(0.85) { 2021 } else { 2020 };
            let month = (r % 12) as u32 + 1;
            let amount = (yearly / per_firm as f64 * rng.gen_range(0.5..1.5) * 100.0).round() / 100.0;
            let channel = if rng.gen_bool(0.9) { "self" } else if rng.gen_bool(0.5) { "agency" } else { "代理" };
            let mut cells = vec![t(&f.uscc), t(format!("{year}-{month:02}")), t(channel), Cell::Num(amount)];
            if rng.gen_bool(broken) {
                cells = break_row(&mut rng, cells, &[0, 1, 2, 3], Some(0), Some(1), Some(3), Some(2));
            }
            w.row(cells)?;
            written += 1;
        }
    }
    w.finish()?;

    // blacklists: about 1% name a firm of ours; the rest are the national list
    let mut w = sink(out, "blacklists", fmt, &[
        ("list_type", Kind::Text), ("subject_type", Kind::Text), ("name", Kind::Text), ("id_number", Kind::Text),
        ("legal_rep_name", Kind::Text), ("listed_on", Kind::Text), ("removed_on", Kind::Text), ("case_no", Kind::Text),
    ])?;
    for i in 0..s.listings {
        let list_type = *pick(&mut rng, &["dishonest_debtor", "dishonest_debtor", "dishonest_debtor", "serious_dishonesty", "gang_related", "失信被执行人"]);
        let listed = date_between(&mut rng, ymd(2015, 1, 1), ymd(2023, 6, 30));
        let removed = if rng.gen_bool(0.3) { date_between(&mut rng, listed, ymd(2024, 12, 31)).to_string() } else { String::new() };
        let case_no = format!("({}){}执{}号", listed.year(), pick(&mut rng, &["闽0203", "闽0206", "京0105", "粤0304"]), i);
        let ours = !firms.is_empty() && rng.gen_bool(0.01);
        let (subject, name, id) = if ours {
            let f = &firms[rng.gen_range(0..firms.len())];
            match rng.gen_range(0..6) {
                0 => ("org", f.name.clone(), f.uscc.clone()),
                1 => ("org", f.name.clone(), format!("{}-{}", &f.uscc[8..16], &f.uscc[16..17])),
                2 => ("org", f.name.replace("有限公司", " 有限公司"), String::new()),
                3 => ("person", f.rep_name.clone(), f.rep_id.clone()),
                4 => ("person", f.rep_name.clone(), masked(&f.rep_id, &mut rng)),
                _ => ("person", f.rep_name.clone(), String::new()),
            }
        } else if rng.gen_bool(0.3) {
            let division = *pick(&mut rng, OTHER_DIVISIONS);
            ("org", format!("{}{}商贸有限公司{i}", pick(&mut rng, WORDS), pick(&mut rng, WORDS)), make_uscc("91", division, &org8(&mut rng)))
        } else {
            let id = resident_id(&mut rng);
            let id = if rng.gen_bool(0.5) { masked(&id, &mut rng) } else { id };
            ("person", person_name(&mut rng), id)
        };
        let mut cells = vec![t(list_type), t(subject), t(name), t(id), Cell::Empty, t(listed.to_string()), t(removed), t(case_no)];
        if rng.gen_bool(broken) {
            cells = break_row(&mut rng, cells, &[0, 1, 2, 5], None, Some(5), None, Some(0));
        }
        w.row(cells)?;
    }
    w.finish()?;

    // enrollments
    let mut w = sink(out, "enrollments", fmt, &[
        ("application_id", Kind::Text), ("uscc", Kind::Text), ("policy_no", Kind::Text), ("policy_year", Kind::Text),
        ("applied_on", Kind::Text), ("effective_on", Kind::Text), ("status", Kind::Text), ("premium_cny", Kind::Float),
    ])?;
    let mut policies: Vec<(String, String, NaiveDate)> = Vec::new();
    for i in 0..s.enrollments {
        let f = &firms[rng.gen_range(0..firms.len().max(1)) % firms.len().max(1)];
        let year = if rng.gen_bool(0.8) { 2022 } else { 2021 };
        let applied = date_between(&mut rng, ymd(year, 1, 1), ymd(year, 4, 30));
        let effective = applied + chrono::Duration::days(rng.gen_range(1..15));
        let status = *pick(&mut rng, &["accepted", "accepted", "accepted", "acknowledged", "承保", "submitted", "rejected", "cancelled"]);
        let policy_no = format!("XM{year}{i:07}");
        if matches!(status, "accepted" | "acknowledged" | "承保") {
            policies.push((policy_no.clone(), f.uscc.clone(), effective));
        }
        let premium = (rng.gen_range(1_000.0..20_000.0f64) * 100.0).round() / 100.0;
        let mut cells = vec![t(format!("APP{i:08}")), t(&f.uscc), t(policy_no), t(year.to_string()), t(applied.to_string()), t(effective.to_string()), t(status), Cell::Num(premium)];
        if rng.gen_bool(broken) {
            cells = break_row(&mut rng, cells, &[0, 1, 2, 3, 4, 5, 6], Some(1), Some(4), None, Some(6));
        }
        w.row(cells)?;
    }
    w.finish()?;

    // claims: obligors drawn from a small pool, so that some reach their cap
    let mut w = sink(out, "claims", fmt, &[
        ("claim_id", Kind::Text), ("policy_no", Kind::Text), ("uscc", Kind::Text), ("obligor_type", Kind::Text),
        ("obligor_id", Kind::Text), ("obligor_name", Kind::Text), ("obligor_country", Kind::Text), ("cause", Kind::Text),
        ("payment_terms", Kind::Text), ("credit_days", Kind::Text), ("self_contracted", Kind::Text), ("self_declared", Kind::Text),
        ("shipped_on", Kind::Text), ("notified_on", Kind::Text), ("currency", Kind::Text), ("loss_amount", Kind::Float),
        ("status", Kind::Text), ("paid_usd", Kind::Float), ("recovered_amount", Kind::Float),
    ])?;
    let obligors = (s.claims / 4).max(1);
    for i in 0..s.claims {
        let (policy_no, uscc, effective) = if policies.is_empty() || rng.gen_bool(0.02) {
            ("XM-NONE".to_string(), firms[0].uscc.clone(), ymd(2022, 1, 1))
        } else {
            // obligors cluster on a few policies so that caps bind
            policies[rng.gen_range(0..policies.len().min(obligors as usize).max(1))].clone()
        };
        let bank = rng.gen_bool(0.2);
        let ob = rng.gen_range(0..obligors);
        let obligor_id = if bank { format!("BK{:04}CN{}", ob % 10_000, if rng.gen_bool(0.5) { "BJ" } else { "BJ300" }) } else { format!("BUYER{ob:06}") };
        // shipped while the policy is in force (a few days early), notified within the
        // year, so that a run at the year's end sees most claims
        let shipped = effective + chrono::Duration::days(rng.gen_range(-3..150));
        let notified = (shipped + chrono::Duration::days(rng.gen_range(30..200))).min(ymd(effective.year(), 12, 31));
        let currency = *pick(&mut rng, &["USD", "USD", "USD", "EUR", "JPY", "CNY", "GBP", "XAU"]);
        let loss = (rng.gen_range(1_000.0..120_000.0f64) * if currency == "JPY" { 130.0 } else { 1.0 } * 100.0).round() / 100.0;
        let status = *pick(&mut rng, &["notified", "filed", "under_review", "paid", "paid", "rejected", "withdrawn"]);
        let paid = if status == "paid" { Cell::Num((loss * 0.8 * 100.0).floor() / 100.0) } else { Cell::Empty };
        let recovered = if rng.gen_bool(0.1) { Cell::Num((loss * 0.1 * 100.0).round() / 100.0) } else { Cell::Empty };
        let credit = if rng.gen_bool(0.95) { rng.gen_range(30..=365) } else { rng.gen_range(366..720) };
        let mut cells = vec![
            t(format!("CL{i:08}")), t(policy_no), t(uscc),
            t(if bank { "issuing_bank" } else { "buyer" }), t(obligor_id), t(format!("Obligor {ob}")),
            t(*pick(&mut rng, COUNTRIES)), t(*pick(&mut rng, CAUSES)), t("OA"), t(credit.to_string()),
            t(if rng.gen_bool(0.97) { "yes" } else { "no" }), t(if rng.gen_bool(0.97) { "是" } else { "否" }),
            t(shipped.to_string()), t(notified.to_string()), t(currency), Cell::Num(loss), t(status), paid, recovered,
        ];
        if rng.gen_bool(broken) {
            cells = break_row(&mut rng, cells, &[0, 1, 2, 3, 4, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16], Some(2), Some(12), Some(15), Some(16));
        }
        w.row(cells)?;
    }
    w.finish()?;

    // fx: working-day fixings 2019–2023
    let mut w = sink(out, "fx_rates", fmt, &[("currency", Kind::Text), ("rate_date", Kind::Text), ("cny_per_unit", Kind::Text), ("units", Kind::Text)])?;
    let mut day = ymd(2019, 1, 1);
    while day <= ymd(2023, 12, 31) {
        if day.weekday().number_from_monday() <= 5 {
            for (cur, base, units) in [("USD", 6.5, 1), ("EUR", 7.3, 1), ("JPY", 5.9, 100), ("HKD", 0.83, 1)] {
                let rate = base * rng.gen_range(0.97..1.03);
                w.row(vec![t(cur), t(day.to_string()), t(format!("{rate:.4}")), t(units.to_string())])?;
            }
        }
        day += chrono::Duration::days(1);
    }
    w.finish()?;

    let ext = match fmt {
        OutFormat::Csv => ".csv",
        OutFormat::Parquet => "",
    };
    let config = out.join("tongbao.toml");
    // the shipped policy goes with the data, so that the folder runs anywhere
    std::fs::write(out.join("policy.toml"), include_str!("../policy.toml"))?;
    std::fs::write(
        &config,
        format!(
            "# generated by `tongbao generate` (seed {seed})\npolicy = \"policy.toml\"\noutput_root = \"out\"\n\n[inputs]\nfirms = \"firms{ext}\"\nexports = \"exports{ext}\"\nblacklists = \"blacklists{ext}\"\nenrollments = \"enrollments{ext}\"\nclaims = \"claims{ext}\"\nfx_rates = \"fx_rates{ext}\"\n",
            seed = plan.seed,
        ),
    )?;
    Ok(config)
}
