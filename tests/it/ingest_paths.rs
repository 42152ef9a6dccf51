//! Reading paths: GB18030 CSV with Chinese headers and XLSX give the same rows as their
//! UTF-8 CSV twin; folders and globs read all their files; header errors name the column.

use std::path::Path;

use tongbao::ingest::{Encoding, InputSource, read_input};
use tongbao::model::Firm;
use tongbao::schema::Input;
use tongbao::validate::{FirmParser, Validated, Validator};

use crate::support::*;

pub fn source(path: &Path) -> InputSource {
    InputSource { path: path.to_path_buf(), encoding: Encoding::Auto, ..InputSource::default() }
}

fn read_firms(path: &Path) -> Validated<Vec<Firm>> {
    let mut v = Validator::<FirmParser>::default();
    read_input(Input::Firms, &source(path), &mut v).expect("readable");
    v.finish()
}

/// Firms without where they came from, for comparing across files.
fn content(v: &Validated<Vec<Firm>>) -> Vec<(String, String, String, String, Option<String>, String, Option<String>, Option<chrono::NaiveDate>)> {
    let mut rows: Vec<_> = v
        .rows
        .iter()
        .map(|f| {
            let s = |t: &tongbao::model::Text| t.to_string();
            (s(&f.uscc), f.name.to_string(), s(&f.company_type), s(&f.reg_status), f.district_code.as_ref().map(s), s(&f.legal_rep_name), f.legal_rep_id.as_ref().map(s), f.established_on)
        })
        .collect();
    rows.sort();
    rows
}

fn twins() -> std::path::PathBuf {
    repo().join("tests/fixtures/twins")
}

#[test]
fn gb18030_csv_with_chinese_headers_gives_the_same_rows_as_its_utf8_twin() {
    let utf8 = read_firms(&twins().join("firms_utf8.csv"));
    let gb = read_firms(&twins().join("firms_gb18030.csv"));
    assert!(!utf8.rows.is_empty());
    assert_eq!(content(&utf8), content(&gb));
    assert_eq!(utf8.counts, gb.counts);
}

#[test]
fn xlsx_gives_the_same_rows_as_its_utf8_twin() {
    let utf8 = read_firms(&twins().join("firms_utf8.csv"));
    let xlsx = read_firms(&twins().join("firms.xlsx"));
    assert_eq!(content(&utf8), content(&xlsx));
    assert_eq!(utf8.counts, xlsx.counts);
}

#[test]
fn the_gb18030_file_is_really_not_utf8() {
    let bytes = std::fs::read(twins().join("firms_gb18030.csv")).expect("fixture");
    assert!(std::str::from_utf8(&bytes).is_err());
}

#[test]
fn a_folder_reads_all_its_files_and_skips_others_with_a_warning() {
    let dir = tempfile::tempdir().expect("tmp");
    let u1 = uscc("91", "350203", "AAAAAAA1");
    let u2 = uscc("91", "350203", "BBBBBBB1");
    std::fs::write(dir.path().join("a.csv"), format!("uscc,month,trade_channel,export_usd\n{u1},2021-01,self,100.50\n")).unwrap();
    std::fs::write(dir.path().join("b.csv"), format!("uscc,month,trade_channel,export_usd\n{u2},2021-02,agency,7\n")).unwrap();
    std::fs::write(dir.path().join("readme.txt"), "not data").unwrap();
    let mut v = tongbao::validate::ExportValidator::default();
    let (files, notes) = read_input(Input::Exports, &source(dir.path()), &mut v).expect("folder");
    assert_eq!(files.len(), 2);
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("readme.txt"), "{notes:?}");
    let r = v.finish();
    assert_eq!((r.counts.read, r.counts.accepted, r.counts.rejected), (2, 2, 0));
    assert_eq!(r.rows[&(ukey(&u1), 2021)].self_cents, 10050);
    assert_eq!(r.rows[&(ukey(&u2), 2021)].agency_cents, 700);
}

#[test]
fn a_run_sums_only_its_reference_years_exports_and_checks_every_year() {
    let dir = tempfile::tempdir().expect("tmp");
    let u1 = uscc("91", "350203", "AAAAAAA1");
    let rows = format!("uscc,month,trade_channel,export_usd\n{u1},2021-01,self,1\n{u1},2020-12,self,2\n{u1},2022-01,agency,3\n{u1},2020-13,self,4\n{u1},2021-02,agency,5\n");
    std::fs::write(dir.path().join("e.csv"), rows).unwrap();
    let mut v = tongbao::validate::ExportValidator::for_year(2021);
    read_input(Input::Exports, &source(&dir.path().join("e.csv")), &mut v).expect("readable");
    let r = v.finish();
    // the 2020 and 2022 rows are accepted and counted, not summed; the bad month of 2020 is a reject
    assert_eq!((r.counts.read, r.counts.accepted, r.counts.rejected), (5, 4, 1));
    assert_eq!(r.rejects.iter().map(|x| (x.row, x.column.as_str())).collect::<Vec<_>>(), vec![(5, "month")]);
    assert_eq!(r.rows.len(), 1);
    let t = r.rows[&(ukey(&u1), 2021)];
    assert_eq!((t.self_cents, t.agency_cents, t.rows), (100, 500, 2));
}

#[test]
fn a_glob_reads_every_matching_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let u1 = uscc("91", "350203", "AAAAAAA1");
    for name in ["x1.csv", "x2.csv", "y.csv"] {
        std::fs::write(dir.path().join(name), format!("uscc,month,trade_channel,export_usd\n{u1},2021-01,self,1\n")).unwrap();
    }
    let mut v = tongbao::validate::ExportValidator::default();
    let (files, _) = read_input(Input::Exports, &source(&dir.path().join("x*.csv")), &mut v).expect("glob");
    assert_eq!(files.len(), 2);
    assert_eq!(v.finish().rows[&(ukey(&u1), 2021)].self_cents, 200);
}

#[test]
fn a_missing_required_column_is_an_error_naming_file_and_column() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("exports.csv");
    std::fs::write(&p, "uscc,month,export_usd\n").unwrap();
    let mut v = tongbao::validate::ExportValidator::default();
    let err = read_input(Input::Exports, &source(&p), &mut v).unwrap_err().to_string();
    assert!(err.contains("trade_channel") && err.contains("exports.csv"), "{err}");
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let mut v = tongbao::validate::ExportValidator::default();
    let err = read_input(Input::Exports, &source(Path::new("no/such/file.csv")), &mut v).unwrap_err().to_string();
    assert!(err.contains("no/such/file.csv"), "{err}");
}

#[test]
fn parquet_inputs_read_floats_by_their_shortest_text() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("exports.parquet");
    let u1 = uscc("91", "350203", "AAAAAAA1");
    let mut df = df!(
        "uscc" => [u1.as_str(), u1.as_str()],
        "month" => ["2021-01", "2021-02"],
        "trade_channel" => ["self", "自营"],
        "export_usd" => [1234.56f64, 0.1f64],
    )
    .expect("frame");
    ParquetWriter::new(std::fs::File::create(&p).unwrap()).finish(&mut df).expect("write");
    let mut v = tongbao::validate::ExportValidator::default();
    read_input(Input::Exports, &source(&p), &mut v).expect("parquet");
    let r = v.finish();
    assert_eq!(r.rows[&(ukey(&u1), 2021)].self_cents, 123_466);
}

#[test]
fn a_folder_skips_the_files_it_is_told_to_ignore_without_a_warning() {
    let dir = tempfile::tempdir().expect("tmp");
    let u1 = uscc("91", "350203", "AAAAAAA1");
    std::fs::write(dir.path().join("a.csv"), format!("uscc,month,trade_channel,export_usd\n{u1},2021-01,self,1\n")).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not data").unwrap();
    std::fs::write(dir.path().join("old.csv.bak"), "not data").unwrap();
    let mut s = source(dir.path());
    s.ignore = vec!["*.txt".into(), "*.bak".into()];
    let mut v = tongbao::validate::ExportValidator::default();
    let (files, notes) = read_input(Input::Exports, &s, &mut v).expect("folder");
    assert_eq!((files.len(), notes.len()), (1, 0), "{notes:?}");
}

#[test]
fn gb18030_text_after_a_long_ascii_start_is_still_detected() {
    // English headers and 4,000 ASCII rows (about 150 KB) before the first Chinese word
    let dir = tempfile::tempdir().expect("tmp");
    let u1 = uscc("91", "350203", "AAAAAAA1");
    let mut text = String::from("uscc,month,trade_channel,export_usd\n");
    for _ in 0..4000 {
        text.push_str(&format!("{u1},2021-01,self,1.00\n"));
    }
    assert!(text.len() > 120_000);
    for _ in 0..10 {
        text.push_str(&format!("{u1},2021-02,自营,2.00\n{u1},2021-02,代理,3.00\n"));
    }
    let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
    let p = dir.path().join("exports.csv");
    std::fs::write(&p, &bytes).unwrap();
    let mut v = tongbao::validate::ExportValidator::default();
    read_input(Input::Exports, &source(&p), &mut v).expect("readable");
    let r = v.finish();
    assert_eq!((r.counts.read, r.counts.accepted, r.counts.rejected), (4020, 4020, 0), "{:?}", r.rejects.first());
    assert_eq!(r.rows[&(ukey(&u1), 2021)].self_cents, 4000 * 100 + 10 * 200);
    assert_eq!(r.rows[&(ukey(&u1), 2021)].agency_cents, 10 * 300);
}

#[test]
fn gb18030_four_byte_characters_read_back_exactly() {
    // 𠮷 (U+20BB7) is outside the BMP: GB18030 writes it in four bytes
    let dir = tempfile::tempdir().expect("tmp");
    let u1 = uscc("91", "350203", "AAAAAAA1");
    let text = format!("uscc,name,company_type,reg_status,district_code,legal_rep_name,legal_rep_id\n{u1},厦门𠮷祥贸易有限公司,有限责任公司,存续,350203,𠮷野,\n");
    let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
    assert!(bytes.windows(4).any(|w| w == [0x95, 0x34, 0xb2, 0x35]), "the four-byte form of 𠮷");
    let p = dir.path().join("firms.csv");
    std::fs::write(&p, &bytes).unwrap();
    let r = read_firms(&p);
    assert_eq!(r.counts.accepted, 1);
    assert_eq!(&*r.rows[0].name, "厦门𠮷祥贸易有限公司");
    assert_eq!(r.rows[0].legal_rep_name.as_str(), "𠮷野");
}
