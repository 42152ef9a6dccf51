//! The catalogue of bad input: each kind a named test that shows a clear error, or a
//! reject with its reason and the right counts, and nothing published damaged.

use std::path::{Path, PathBuf};

use tongbao::ident::DocId;
use tongbao::ingest::{Encoding, InputSource, read_input};
use tongbao::model::SubjectType;
use tongbao::rejects::Reason;
use tongbao::schema::Input;
use tongbao::validate::{EnrollmentParser, ExportValidator, FirmParser, Validator};

use crate::support::*;

const AS_OF: &str = "2022-05-07";
const FIRMS: &str = "uscc,name,company_type,reg_status,legal_rep_name,legal_rep_id";
const EXPORTS: &str = "uscc,month,trade_channel,export_usd";

fn u() -> String {
    uscc("91", "350203", "MA33GULG")
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

fn src(path: &Path) -> InputSource {
    InputSource { path: path.to_path_buf(), encoding: Encoding::Auto, ..InputSource::default() }
}

/// A published sample run in a fresh output root, and its bytes.
fn published() -> (tempfile::TempDir, PathBuf, Vec<(String, Vec<u8>)>) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    tongbao().args(["-q", "run", "--as-of", AS_OF, "--out"]).arg(&out).assert().success();
    let folder = out.join(format!("as_of={AS_OF}"));
    let bytes = folder_bytes(&folder);
    (tmp, out, bytes)
}

/// Run with one input replaced; the run must fail with `code` and leave `out` as it was.
fn run_fails_and_changes_nothing(flag: &str, path: &Path, code: i32, says: &[&str]) {
    let (_tmp, out, before) = published();
    let mut o = tongbao().args(["-q", "run", "--as-of", AS_OF, "--out"]).arg(&out).arg(flag).arg(path).assert().code(code);
    for s in says {
        o = o.stderr_has(s);
    }
    assert_eq!(folder_bytes(&out.join(format!("as_of={AS_OF}"))), before);
    assert_eq!(o.stderr.lines().count(), 1, "a one-line error:\n{}", o.stderr);
}

fn export_counts(path: &Path) -> (tongbao::validate::Counts, Vec<tongbao::rejects::Reject>) {
    let mut v = ExportValidator::default();
    read_input(Input::Exports, &src(path), &mut v).expect("readable");
    let r = v.finish();
    assert_eq!(r.counts.read, r.counts.accepted + r.counts.rejected);
    (r.counts, r.rejects)
}

#[test]
fn an_empty_file_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "firms.csv", "");
    run_fails_and_changes_nothing("--firms", &p, 2, &["firms.csv", "no header row"]);
}

#[test]
fn a_header_only_file_has_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "exports.csv", format!("{EXPORTS}\n"));
    let (c, _) = export_counts(&p);
    assert_eq!((c.read, c.accepted, c.rejected), (0, 0, 0));
}

#[test]
fn a_truncated_last_line_is_a_reject() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "exports.csv", format!("{EXPORTS}\n{},2021-03,self,100\n{},2021-0", u(), u()));
    let (c, r) = export_counts(&p);
    assert_eq!((c.read, c.accepted, c.rejected), (2, 1, 1));
    assert_eq!((r[0].row, r[0].reason), (3, Reason::WrongFieldCount));
}

#[test]
fn an_unterminated_quote_at_the_end_is_a_reject() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "exports.csv", format!("{EXPORTS}\n{},2021-03,self,100\n{},\"2021-03,self", u(), u()));
    let (c, _) = export_counts(&p);
    assert_eq!((c.read, c.accepted, c.rejected), (2, 1, 1));
}

#[test]
fn rows_across_many_batches_keep_their_numbers_order_and_sums() {
    // 40,000 rows: more than two of the reader's batches, with a quoted field over two
    // lines early on and ragged rows at a batch's edge and at the end
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!("{EXPORTS}\n");
    for i in 0..40_000 {
        match i {
            100 => text += &format!("{},2021-03,\"se\nlf\",0.01\n", u()),
            16_383 | 16_384 | 39_999 => text += &format!("{},2021-03\n", u()),
            _ => text += &format!("{},2021-03,self,0.01\n", u()),
        }
    }
    let p = write(dir.path(), "exports.csv", text);
    let mut v = ExportValidator::default();
    read_input(Input::Exports, &src(&p), &mut v).expect("readable");
    let r = v.finish();
    assert_eq!((r.counts.read, r.counts.accepted, r.counts.rejected), (40_000, 39_996, 4));
    // a row is numbered by the line it starts on: after the two-line record, one more
    let got: Vec<(u64, Reason)> = r.rejects.iter().map(|x| (x.row, x.reason)).collect();
    assert_eq!(got, vec![(102, Reason::UnknownValue), (16_386, Reason::WrongFieldCount), (16_387, Reason::WrongFieldCount), (40_002, Reason::WrongFieldCount)]);
    let totals: Vec<_> = r.rows.values().collect();
    assert_eq!(totals.len(), 1);
    assert_eq!((totals[0].self_cents, totals[0].rows), (39_996, 39_996));
}

#[test]
fn ragged_rows_are_rejects_and_the_others_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "exports.csv", format!("{EXPORTS}\n{u},2021-03\n{u},2021-03,self,1\n{u},2021-03,self,1,2,3\n", u = u()));
    let (c, r) = export_counts(&p);
    assert_eq!((c.read, c.accepted, c.rejected), (3, 1, 2));
    assert!(r.iter().all(|x| x.reason == Reason::WrongFieldCount));
    assert_eq!(r.iter().map(|x| x.row).collect::<Vec<_>>(), vec![2, 4]);
}

/// A character split across two fields: each field alone is not UTF-8, although the
/// record's bytes without the comma between them are.
#[test]
fn a_character_split_by_a_delimiter_is_an_encoding_fault_of_its_first_field() {
    // `自` is E8 87 AA: its first byte ends the month, its other two begin the channel
    let mut bytes = format!("{EXPORTS}\n{u},2021-03", u = u()).into_bytes();
    bytes.extend_from_slice(b"\xE8,\x87\xAAself,1\n");
    bytes.extend_from_slice(format!("{u},2021-04,self,2\n", u = u()).as_bytes());
    let r = exports_declared_utf8(&bytes);
    assert_eq!((r.counts.read, r.counts.accepted, r.counts.rejected), (2, 1, 1));
    assert_eq!((r.rejects[0].row, r.rejects[0].column.as_str(), r.rejects[0].reason), (2, "month", Reason::InvalidEncoding));
}

/// `bytes` read as an exports file declared UTF-8.
fn exports_declared_utf8(bytes: &[u8]) -> tongbao::validate::Validated<tongbao::model::Exports> {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "exports.csv", bytes);
    let mut s = src(&p);
    s.encoding = Encoding::Utf8;
    let mut v = ExportValidator::default();
    read_input(Input::Exports, &s, &mut v).unwrap();
    v.finish()
}

#[test]
fn a_gbk_file_declared_utf8_rejects_its_chinese_rows() {
    let text = format!("{EXPORTS}\n{u},2021-03,自营,1\n{u},2021-04,self,2\n", u = u());
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let r = exports_declared_utf8(&gbk);
    assert_eq!((r.counts.read, r.counts.accepted, r.counts.rejected), (2, 1, 1));
    assert_eq!((r.rejects[0].row, r.rejects[0].column.as_str(), r.rejects[0].reason), (2, "trade_channel", Reason::InvalidEncoding));
}

#[test]
fn a_gbk_file_is_detected_when_not_declared() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{EXPORTS}\n{u},2021-03,自营,1\n", u = u());
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let p = write(dir.path(), "exports.csv", gbk.as_ref());
    let (c, _) = export_counts(&p);
    assert_eq!(c.accepted, 1);
}

#[test]
fn a_utf8_file_declared_gb18030_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "exports.csv", format!("{EXPORTS}\n{u},2021-03,自营,1\n", u = u()));
    let mut s = src(&p);
    s.encoding = Encoding::Gb18030;
    let mut v = ExportValidator::default();
    let err = read_input(Input::Exports, &s, &mut v).unwrap_err().to_string();
    assert!(err.contains("declared gb18030") && err.contains("exports.csv"), "{err}");
}

#[test]
fn utf8_with_a_bom_reads_its_first_header() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "exports.csv", format!("\u{feff}{EXPORTS}\n{},2021-03,self,1\n", u()));
    let (c, _) = export_counts(&p);
    assert_eq!(c.accepted, 1);
}

#[test]
fn a_duplicated_header_is_an_error_naming_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "exports.csv", format!("uscc,month,trade_channel,export_usd,出口额(美元)\n{},2021-03,self,1,2\n", u()));
    run_fails_and_changes_nothing("--exports", &p, 2, &["export_usd", "more than once"]);
}

#[test]
fn a_missing_required_column_is_an_error_naming_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "firms.csv", format!("uscc,name,company_type,legal_rep_name\n{},x,有限责任公司,张三\n", u()));
    run_fails_and_changes_nothing("--firms", &p, 2, &["reg_status", "firms.csv"]);
}

#[test]
fn extra_columns_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "exports.csv", format!("备注,uscc,month,trade_channel,export_usd,来源\nx,{},2021-03,self,1,海关\n", u()));
    let (c, _) = export_counts(&p);
    assert_eq!(c.accepted, 1);
}

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/bad").join(name)
}

fn enrollments(s: &InputSource) -> tongbao::validate::Validated<Vec<tongbao::model::Enrollment>> {
    let mut v = Validator::<EnrollmentParser>::default();
    read_input(Input::Enrollments, s, &mut v).expect("readable");
    v.finish()
}

#[test]
fn excel_dates_stored_as_numbers_are_read_as_dates() {
    let r = enrollments(&src(&fixture("serial_dates.xlsx")));
    assert_eq!(r.counts.accepted, 2, "{:?}", r.rejects);
    assert_eq!(r.rows[0].applied_on, d("2022-01-10"));
    assert_eq!(r.rows[0].effective_on, d("2022-01-15"));
    assert_eq!(r.rows[1].premium_cny_cents, Some(123_456));
}

#[test]
fn an_xlsx_with_several_sheets_reads_the_named_sheet() {
    let mut s = src(&fixture("several_sheets.xlsx"));
    s.sheet = Some("2022".into());
    let r = enrollments(&s);
    assert_eq!((r.counts.read, r.counts.accepted), (2, 2));
    // without the name, the first sheet is read, and it has no such columns
    let mut v = Validator::<EnrollmentParser>::default();
    let err = read_input(Input::Enrollments, &src(&fixture("several_sheets.xlsx")), &mut v).unwrap_err().to_string();
    assert!(err.contains("application_id"), "{err}");
}

#[test]
fn merged_cells_leave_the_lower_rows_empty_and_they_are_rejected() {
    let r = enrollments(&src(&fixture("merged_cells.xlsx")));
    assert_eq!((r.counts.read, r.counts.accepted, r.counts.rejected), (2, 1, 1));
    assert_eq!((r.rejects[0].row, r.rejects[0].column.as_str(), r.rejects[0].reason), (3, "status", Reason::MissingValue));
}

#[test]
fn a_parquet_file_with_the_wrong_column_types_gives_rejects_not_a_crash() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("exports.parquet");
    let mut df = df!(
        "uscc" => [u(), u(), u()],
        "month" => [202103i64, 202104, 202113],
        "trade_channel" => [true, false, true],
        "export_usd" => ["12.5", "abc", "7"],
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&p).unwrap()).finish(&mut df).unwrap();
    let (c, r) = export_counts(&p);
    // booleans are no trade channel, and "abc" is no amount: every row has a reason
    assert_eq!((c.read, c.rejected), (3, 3));
    assert!(r.iter().any(|x| x.reason == Reason::UnknownValue && x.column == "trade_channel"));
    assert!(r.iter().any(|x| x.reason == Reason::InvalidAmount && x.row == 2));
    assert!(r.iter().any(|x| x.reason == Reason::InvalidMonth && x.row == 3));
}

#[test]
fn negative_nan_infinite_and_absurd_amounts_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<String> = ["-1", "NaN", "inf", "-Infinity", "1e308", "123456789012345678"].iter().map(|a| format!("{},2021-03,self,{a}", u())).collect();
    let p = write(dir.path(), "exports.csv", format!("{EXPORTS}\n{}\n", rows.join("\n")));
    let (c, r) = export_counts(&p);
    assert_eq!((c.read, c.rejected), (6, 6));
    let reasons: Vec<Reason> = r.iter().map(|x| x.reason).collect();
    assert_eq!(
        reasons,
        vec![Reason::NegativeAmount, Reason::InvalidAmount, Reason::InvalidAmount, Reason::InvalidAmount, Reason::InvalidAmount, Reason::AmountTooLarge]
    );
}

#[test]
fn an_impossible_date_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "e.csv", format!("application_id,uscc,policy_no,policy_year,applied_on,effective_on,status\nA1,{},P1,2022,2022-02-30,2022-03-01,accepted\n", u()));
    let r = enrollments(&src(&p));
    assert_eq!((r.rejects[0].column.as_str(), r.rejects[0].reason), ("applied_on", Reason::InvalidDate));
}

#[test]
fn dates_in_the_future_are_out_of_the_run_not_rejected() {
    let (_tmp, out, _) = published();
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join(format!("as_of={AS_OF}/manifest.json"))).unwrap()).unwrap();
    let claims = manifest["inputs"].as_array().unwrap().iter().find(|i| i["input"] == "claims").unwrap();
    // the sample has a claim notified after the evaluation date: accepted, out of the run
    assert_eq!(claims["out_of_run"], 1);
    // and a run on a date before every row's date sees none of them, without rejecting
    let early = tempfile::tempdir().unwrap();
    tongbao().args(["-q", "run", "--as-of", "2020-01-02", "--out"]).arg(early.path()).assert().success();
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(early.path().join("as_of=2020-01-02/manifest.json")).unwrap()).unwrap();
    let c = m["inputs"].as_array().unwrap().iter().find(|i| i["input"] == "claims").unwrap();
    assert_eq!(c["counts"]["rejected"], claims["counts"]["rejected"]);
    assert_eq!(c["out_of_run"], c["counts"]["accepted"]);
}

#[test]
fn full_width_and_lower_case_usccs_are_normalised_and_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let lower = u().to_lowercase();
    let full: String = u().chars().map(|ch| char::from_u32(ch as u32 + 0xFEE0).unwrap()).collect();
    let p = write(dir.path(), "exports.csv", format!("{EXPORTS}\n{lower},2021-03,self,1\n{full},2021-04,self,2\n"));
    let mut v = ExportValidator::default();
    read_input(Input::Exports, &src(&p), &mut v).unwrap();
    let r = v.finish();
    assert_eq!(r.counts.accepted, 2);
    assert_eq!(r.rows[&(ukey(&u()), 2021)].self_cents, 300);
}

#[test]
fn an_id_with_a_lower_case_x_matches_its_listing() {
    let dir = tempfile::tempdir().unwrap();
    let firms = write(dir.path(), "firms.csv", format!("{FIRMS}\n{},厦门甲贸易有限公司,有限责任公司,存续,张三,11010519491231002x\n", u()));
    let mut v = Validator::<FirmParser>::default();
    read_input(Input::Firms, &src(&firms), &mut v).unwrap();
    let r = v.finish();
    assert_eq!(r.rows[0].legal_rep_id.as_deref(), Some("11010519491231002X"));
}

#[test]
fn usccs_with_letters_outside_the_alphabet_are_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<String> = ['I', 'O', 'S', 'V', 'Z'].iter().map(|ch| format!("{}{ch}{},2021-03,self,1", &u()[..10], &u()[11..])).collect();
    let p = write(dir.path(), "exports.csv", format!("{EXPORTS}\n{}\n", rows.join("\n")));
    let (c, r) = export_counts(&p);
    assert_eq!(c.rejected, 5);
    assert!(r.iter().all(|x| x.reason == Reason::MalformedUscc));
}

#[test]
fn duplicate_keys_across_two_files_of_one_input_reject_both() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.csv", format!("{FIRMS}\n{},甲,有限责任公司,存续,张三,\n", u()));
    write(dir.path(), "b.csv", format!("{FIRMS}\n{},甲,有限责任公司,存续,张三,\n{},乙,有限责任公司,存续,李四,\n", u(), uscc("91", "350203", "BBBBBBB1")));
    let mut v = Validator::<FirmParser>::default();
    read_input(Input::Firms, &src(dir.path()), &mut v).unwrap();
    let r = v.finish();
    assert_eq!((r.counts.read, r.counts.accepted, r.counts.rejected), (3, 1, 2));
    let mut files: Vec<(String, u64)> = r.rejects.iter().map(|x| (Path::new(&x.file).file_name().unwrap().to_string_lossy().to_string(), x.row)).collect();
    files.sort();
    assert_eq!(files, vec![("a.csv".to_string(), 2), ("b.csv".to_string(), 2)]);
}

#[test]
fn a_folder_input_with_an_unrelated_file_skips_it_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "exports.csv", format!("{EXPORTS}\n{},2021-03,self,1\n", u()));
    write(dir.path(), "readme.docx", "not data");
    let out = tempfile::tempdir().unwrap();
    tongbao()
        .args(["run", "--as-of", AS_OF, "--out"])
        .arg(out.path())
        .arg("--exports")
        .arg(dir.path())
        .assert()
        .success()
        .stderr_has("skipped")
        .stderr_has("readme.docx");
}

#[test]
fn a_policy_file_with_overlapping_periods_stops_the_run_as_a_guard() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo().join("policy.toml")).unwrap().replace("end = \"2021-12-31\"", "end = \"2022-01-01\"");
    let p = write(dir.path(), "policy.toml", text);
    let out = tempfile::tempdir().unwrap();
    tongbao().args(["-q", "run", "--as-of", AS_OF, "--out"]).arg(out.path()).arg("--policy").arg(&p).assert().code(3).stderr_has("overlap");
}

#[test]
fn an_evaluation_date_no_period_covers_is_an_error() {
    let out = tempfile::tempdir().unwrap();
    tongbao().args(["-q", "run", "--as-of", "2019-06-30", "--out"]).arg(out.path()).assert().code(2).stderr_has("no policy period").stderr_has("2019-06-30");
}

#[test]
fn an_unknown_config_key_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(dir.path(), "tongbao.toml", "polcy = \"policy.toml\"\n");
    tongbao().arg("--config").arg(&cfg).args(["-q", "check"]).assert().code(2).stderr_has("polcy");
}

#[test]
fn with_two_unreadable_inputs_the_first_in_the_usual_order_is_the_error() {
    // the inputs are read in lanes at once (firms then blacklists; exports; the small
    // inputs once either of those is done): whichever lane fails first, the error is the
    // one a reading in the order firms, exports, blacklists, enrollments, claims, fx_rates
    // would meet
    let dir = tempfile::tempdir().unwrap();
    let broken = |name: &str| write(dir.path(), name, "not_a_column,nor_this\n1,2\n");
    for (a, b, first) in [
        ("--exports", "--blacklists", "exports"),
        ("--blacklists", "--enrollments", "blacklists"),
        ("--firms", "--claims", "firms"),
        ("--blacklists", "--fx-rates", "blacklists"),
        ("--exports", "--claims", "exports"),
        ("--enrollments", "--claims", "enrollments"),
    ] {
        let (pa, pb) = (broken(&format!("a{a}.csv")), broken(&format!("b{b}.csv")));
        let o = tongbao().args(["-q", "check", "--as-of", AS_OF, a]).arg(&pa).arg(b).arg(&pb).assert().code(2);
        let errors: Vec<&str> = o.stderr.lines().filter(|l| l.contains("error:")).collect();
        assert!(errors.first().is_some_and(|l| l.contains(&format!("input `{first}`"))), "{a} and {b} broken: {}", o.stderr);
        assert!(!o.stderr.contains(&format!("input `{}`", if first == a.trim_start_matches('-') { b.trim_start_matches('-') } else { a.trim_start_matches('-') }.replace('-', "_"))), "{}", o.stderr);
    }
}

#[test]
fn listings_are_kept_while_reading_only_when_in_force_on_the_evaluation_date() {
    use tongbao::validate::ListingParser;
    let dir = tempfile::tempdir().unwrap();
    let head = "list_type,subject_type,name,id_number,listed_on,removed_on,case_no";
    // listed on the date: in force; removed on the date: not; removed the day after: in
    // force; listed the day after: not; a bad removal date: kept (a warning), as in force
    let rows = [
        "dishonest_debtor,org,甲公司,,2022-05-07,,C1",
        "dishonest_debtor,org,乙公司,,2021-01-01,2022-05-07,C2",
        "dishonest_debtor,org,丙公司,,2021-01-01,2022-05-08,C3",
        "dishonest_debtor,org,丁公司,,2022-05-08,,C4",
        "dishonest_debtor,org,戊公司,,2021-01-01,someday,C5",
        "dishonest_debtor,org,,,2021-01-01,,C6",
    ];
    let p = write(dir.path(), "blacklists.csv", format!("{head}\n{}\n", rows.join("\n")));
    let mut v = Validator::with(ListingParser::in_force_on(d(AS_OF)));
    read_input(Input::Blacklists, &src(&p), &mut v).expect("readable");
    let r = v.finish();
    // every row is read and checked: the nameless one is rejected, the others accepted
    assert_eq!((r.counts.read, r.counts.accepted, r.counts.rejected), (6, 5, 1));
    let kept: Vec<&str> = r.rows.iter().map(|l| l.case_no.as_str()).collect();
    assert_eq!(kept, ["C1", "C3", "C5"]);
    assert_eq!(r.warnings.iter().map(|w| w.row).collect::<Vec<_>>(), [6]);
}

/// Keys that keep the listings named in `keep` and note what they are told ahead.
struct NotingKeys {
    keep: Vec<&'static str>,
    told: std::sync::Mutex<Vec<(SubjectType, String, String)>>,
}

impl tongbao::validate::ScreenKeys for NotingKeys {
    fn may_match_parts(&self, _subject_type: SubjectType, name_key: &str, id: Option<&DocId>) -> bool {
        // an org listing with an id is asked by its id alone
        self.keep.contains(&name_key) || id.is_some_and(|i| matches!(i, DocId::Uscc(u) if self.keep.contains(&u.as_str())))
    }

    fn expect_parts(&self, subject_type: SubjectType, name: &str, id: &str) {
        self.told.lock().unwrap().push((subject_type, name.to_string(), id.to_string()));
    }

    fn worth_expecting(&self) -> bool {
        true
    }
}

#[test]
fn the_screens_keys_hear_of_listings_ahead_and_only_their_answers_decide_what_is_kept() {
    use tongbao::validate::ListingParser;
    let dir = tempfile::tempdir().unwrap();
    let head = "list_type,subject_type,name,id_number,listed_on,removed_on,case_no";
    let uscc = uscc("91", "110105", "MA01ABCD");
    let rows = [
        "dishonest_debtor,org,甲公司,,2021-01-01,,C1".to_string(),
        "dishonest_debtor,person,张三,11010519491231002X,2021-01-01,,C2".to_string(),
        format!("dishonest_debtor,org,乙公司,{uscc},2021-01-01,,C3"),
        "dishonest_debtor, 个人 ,李四,,2021-01-01,,C4".to_string(),
        "dishonest_debtor,org, 丙公司 ,,2021-01-01,,C5".to_string(),
        "dishonest_debtor,Person,王五,,2021-01-01,,C6".to_string(),
        "dishonest_debtor,org,丁公司,,2021-01-01,,C7".to_string(),
    ];
    let p = write(dir.path(), "blacklists.csv", format!("{head}\n{}\n", rows.join("\n")));
    let keys = std::sync::Arc::new(NotingKeys { keep: vec!["甲公司", "李四", "丙公司", "王五", uscc.clone().leak()], told: Default::default() });
    let mut v = Validator::with(ListingParser::for_screen(d(AS_OF), keys.clone()));
    read_input(Input::Blacklists, &src(&p), &mut v).expect("readable");
    let r = v.finish();
    assert_eq!((r.counts.read, r.counts.accepted, r.counts.rejected), (7, 7, 0));
    let kept: Vec<&str> = r.rows.iter().map(|l| l.case_no.as_str()).collect();
    assert_eq!(kept, ["C1", "C3", "C4", "C5", "C6"]);
    // told of rows ahead, as written but trimmed; a subject type spelled otherwise than the
    // list's words (`Person`) is not told, and is still read as the list says
    let told = keys.told.lock().unwrap().clone();
    let written = |subject, name: &str, id: &str| (subject, name.to_string(), id.to_string());
    assert!(told.contains(&written(SubjectType::Org, "乙公司", &uscc)), "{told:?}");
    assert!(told.contains(&written(SubjectType::Person, "李四", "")), "{told:?}");
    assert!(told.contains(&written(SubjectType::Org, "丙公司", "")), "{told:?}");
    assert!(told.contains(&written(SubjectType::Org, "丁公司", "")), "{told:?}");
    assert!(!told.iter().any(|(_, name, _)| name == "王五"), "{told:?}");
}

#[test]
fn a_parquet_file_across_row_groups_batches_and_nulls_reads_as_its_csv_does() {
    // 70,000 listings in row groups of 25,000: the reader's batches of 65,536 rows cross
    // row groups; nulls in optional columns and one in a required column
    use polars::prelude::*;
    use tongbao::validate::ListingParser;
    let dir = tempfile::tempdir().unwrap();
    let n = 70_000usize;
    let id = |i: usize| (i % 7 != 0).then(|| format!("1101051949123100{:02}", i % 100));
    let name = |i: usize| (i != 500).then(|| format!("甲{i}公司"));
    let removed = |i: usize| (i % 11 == 0).then(|| "2023-01-01".to_string());
    let subject = |i: usize| if i % 2 == 0 { "org" } else { "person" };
    let mut df = df!(
        "list_type" => (0..n).map(|_| "dishonest_debtor").collect::<Vec<_>>(),
        "subject_type" => (0..n).map(subject).collect::<Vec<_>>(),
        "name" => (0..n).map(name).collect::<Vec<_>>(),
        "id_number" => (0..n).map(id).collect::<Vec<_>>(),
        "listed_on" => (0..n).map(|_| "2020-01-01").collect::<Vec<_>>(),
        "removed_on" => (0..n).map(removed).collect::<Vec<_>>(),
        "case_no" => (0..n).map(|i| format!("C{i}")).collect::<Vec<_>>(),
    )
    .unwrap();
    let pq = dir.path().join("blacklists.parquet");
    ParquetWriter::new(std::fs::File::create(&pq).unwrap()).with_row_group_size(Some(25_000)).finish(&mut df).unwrap();
    let mut csv = String::from("list_type,subject_type,name,id_number,listed_on,removed_on,case_no\n");
    for i in 0..n {
        let o = |v: Option<String>| v.unwrap_or_default();
        csv += &format!("dishonest_debtor,{},{},{},2020-01-01,{},C{i}\n", subject(i), o(name(i)), o(id(i)), o(removed(i)));
    }
    let csv = write(dir.path(), "blacklists.csv", csv);
    let read = |p: &Path| {
        let mut v = Validator::<ListingParser>::default();
        read_input(Input::Blacklists, &src(p), &mut v).expect("readable");
        v.finish()
    };
    let (from_pq, from_csv) = (read(&pq), read(&csv));
    assert_eq!((from_pq.counts.read, from_pq.counts.accepted, from_pq.counts.rejected), (70_000, 69_999, 1));
    assert_eq!(from_pq.counts, from_csv.counts);
    // a Parquet file has no header row: its row N is the CSV's line N + 1
    let rejects = |r: &tongbao::validate::Validated<Vec<tongbao::model::Listing>>, shift: u64| {
        r.rejects.iter().map(|x| (x.row - shift, x.column.clone(), x.reason)).collect::<Vec<_>>()
    };
    assert_eq!(rejects(&from_pq, 0), [(501, "name".to_string(), Reason::MissingValue)]);
    assert_eq!(rejects(&from_pq, 0), rejects(&from_csv, 1));
    assert_eq!(from_pq.rows.len(), from_csv.rows.len());
    for (a, b) in from_pq.rows.iter().zip(&from_csv.rows) {
        assert_eq!((&a.name, &a.name_key, &a.id, &a.id_raw, a.subject_type, a.listed_on, a.removed_on, &a.case_no), (&b.name, &b.name_key, &b.id, &b.id_raw, b.subject_type, b.listed_on, b.removed_on, &b.case_no));
        assert_eq!(a.origin.row + 1, b.origin.row);
    }
    // the last row, in the second batch and the third row group, with its id
    let last = from_pq.rows.last().unwrap();
    assert_eq!((last.case_no.as_str(), last.id_raw.as_str(), last.origin.row), ("C69999", "110105194912310099", 70_000));
}
