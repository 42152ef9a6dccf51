//! Every reject reason, each shown on a CSV row, with rows read = accepted + rejected.

use tongbao::ingest::read_input;
use tongbao::rejects::{Reason, Reject};
use tongbao::schema::Input;
use tongbao::validate::{ClaimParser, Counts, EnrollmentParser, ExportValidator, FirmParser, FxParser, ListingParser, ReviewParser, Validator};

use crate::ingest_paths::source;
use crate::support::*;

/// Validate `text` as the CSV file of `input`: its counts and rejects.
fn validate(input: Input, text: &[u8]) -> (Counts, Vec<Reject>) {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join(format!("{}.csv", input.name()));
    std::fs::write(&p, text).expect("write");
    let src = source(&p);
    macro_rules! go {
        ($v:expr) => {{
            let mut v = $v;
            read_input(input, &src, &mut v).expect("readable");
            let r = v.finish();
            (r.counts, r.rejects)
        }};
    }
    let (counts, rejects) = match input {
        Input::Firms => go!(Validator::<FirmParser>::default()),
        Input::Exports => go!(ExportValidator::default()),
        Input::Blacklists => go!(Validator::<ListingParser>::default()),
        Input::Enrollments => go!(Validator::<EnrollmentParser>::default()),
        Input::Claims => go!(Validator::<ClaimParser>::default()),
        Input::FxRates => go!(Validator::<FxParser>::default()),
        Input::Reviews => go!(Validator::<ReviewParser>::default()),
    };
    assert_eq!(counts.read, counts.accepted + counts.rejected, "{counts:?}");
    (counts, rejects)
}

/// The one reject of a one-row file.
fn only_reject(input: Input, header: &str, row: &str) -> (String, Reason) {
    let (counts, rejects) = validate(input, format!("{header}\n{row}\n").as_bytes());
    assert_eq!((counts.read, counts.rejected), (1, 1), "{rejects:?}");
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert_eq!(rejects[0].row, 2);
    (rejects[0].column.clone(), rejects[0].reason)
}

const EXPORTS: &str = "uscc,month,trade_channel,export_usd";
const FX: &str = "currency,rate_date,cny_per_unit,units";
const CLAIMS: &str = "claim_id,policy_no,uscc,obligor_type,obligor_id,obligor_country,cause,credit_days,self_contracted,self_declared,shipped_on,notified_on,currency,loss_amount,status";
const ENROLLMENTS: &str = "application_id,uscc,policy_no,policy_year,applied_on,effective_on,status,premium_cny";

fn good_uscc() -> String {
    uscc("91", "350203", "MA33GULG")
}

fn claim_row(edit: impl FnOnce(&mut Vec<String>)) -> String {
    let mut cells: Vec<String> = vec![
        "C1", "P1", &good_uscc(), "buyer", "B1", "US", "protracted_default", "90", "yes", "是", "2022-02-01", "2022-03-01", "USD", "1000.00", "filed",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    edit(&mut cells);
    cells.join(",")
}

#[test]
fn a_good_row_of_each_input_is_accepted() {
    let u = good_uscc();
    let cases: Vec<(Input, String)> = vec![
        (Input::Exports, format!("{EXPORTS}\n{u},2021-03,self,100\n")),
        (Input::FxRates, format!("{FX}\nJPY,2022-01-04,5.8012,100\n")),
        (Input::Claims, format!("{CLAIMS}\n{}\n", claim_row(|_| {}))),
        (Input::Enrollments, format!("{ENROLLMENTS}\nA1,{u},P1,2022,2022-01-10,2022-01-15,承保,3000\n")),
        (Input::Firms, format!("uscc,name,company_type,reg_status,legal_rep_name\n{u},厦门甲,有限责任公司,存续,张三\n")),
        (Input::Blacklists, "list_type,subject_type,name,listed_on\n失信被执行人,个人,张三,2021-01-01\n".to_string()),
    ];
    for (input, text) in cases {
        let (counts, rejects) = validate(input, text.as_bytes());
        assert_eq!((counts.read, counts.accepted), (1, 1), "{}: {rejects:?}", input.name());
    }
}

#[test]
fn missing_value_rejects_an_empty_required_cell() {
    assert_eq!(only_reject(Input::Exports, EXPORTS, &format!("{},2021-03,self,", good_uscc())), ("export_usd".into(), Reason::MissingValue));
}

#[test]
fn malformed_uscc_rejects_a_code_outside_the_alphabet() {
    let bad = format!("{}I", &good_uscc()[..17]);
    assert_eq!(only_reject(Input::Exports, EXPORTS, &format!("{bad},2021-03,self,1")), ("uscc".into(), Reason::MalformedUscc));
    assert_eq!(only_reject(Input::Exports, EXPORTS, "9135020,2021-03,self,1"), ("uscc".into(), Reason::MalformedUscc));
}

#[test]
fn full_width_and_lower_case_usccs_are_normalised_and_accepted() {
    let u = good_uscc().to_lowercase();
    let full: String = u.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect();
    let (counts, _) = validate(Input::Exports, format!("{EXPORTS}\n{u},2021-03,self,1\n{full},2021-03,self,1\n").as_bytes());
    assert_eq!(counts.accepted, 2);
}

#[test]
fn invalid_date_rejects_an_impossible_date() {
    let row = claim_row(|c| c[10] = "2022-02-30".into());
    assert_eq!(only_reject(Input::Claims, CLAIMS, &row), ("shipped_on".into(), Reason::InvalidDate));
}

#[test]
fn invalid_month_rejects_a_month_that_is_not_yyyy_mm() {
    assert_eq!(only_reject(Input::Exports, EXPORTS, &format!("{},2021-13,self,1", good_uscc())), ("month".into(), Reason::InvalidMonth));
}

#[test]
fn invalid_amount_rejects_text_nan_and_infinity() {
    for v in ["abc", "NaN", "inf", "-inf", "1e5"] {
        assert_eq!(only_reject(Input::Exports, EXPORTS, &format!("{},2021-03,self,{v}", good_uscc())), ("export_usd".into(), Reason::InvalidAmount), "{v}");
    }
}

#[test]
fn negative_amount_is_rejected() {
    assert_eq!(only_reject(Input::Exports, EXPORTS, &format!("{},2021-03,self,-1.00", good_uscc())), ("export_usd".into(), Reason::NegativeAmount));
}

#[test]
fn too_many_decimals_is_rejected() {
    assert_eq!(only_reject(Input::Exports, EXPORTS, &format!("{},2021-03,self,1.005", good_uscc())), ("export_usd".into(), Reason::TooManyDecimals));
}

#[test]
fn amount_too_large_is_rejected() {
    assert_eq!(only_reject(Input::Exports, EXPORTS, &format!("{},2021-03,self,99999999999999", good_uscc())), ("export_usd".into(), Reason::AmountTooLarge));
}

#[test]
fn invalid_rate_rejects_zero_and_negative_fixings() {
    assert_eq!(only_reject(Input::FxRates, FX, "USD,2022-01-04,0,1"), ("cny_per_unit".into(), Reason::InvalidRate));
    assert_eq!(only_reject(Input::FxRates, FX, "USD,2022-01-04,-6.3,1"), ("cny_per_unit".into(), Reason::InvalidRate));
}

#[test]
fn unknown_value_rejects_a_word_outside_a_closed_list() {
    assert_eq!(only_reject(Input::Exports, EXPORTS, &format!("{},2021-03,barter,1", good_uscc())), ("trade_channel".into(), Reason::UnknownValue));
    let row = claim_row(|c| c[14] = "settled".into());
    assert_eq!(only_reject(Input::Claims, CLAIMS, &row), ("status".into(), Reason::UnknownValue));
}

#[test]
fn closed_lists_compare_after_trimming_and_case_folding() {
    let (counts, _) = validate(Input::Exports, format!("{EXPORTS}\n{}, 2021-03 , SELF ,1\n", good_uscc()).as_bytes());
    assert_eq!(counts.accepted, 1);
}

#[test]
fn invalid_boolean_is_rejected() {
    let row = claim_row(|c| c[8] = "maybe".into());
    assert_eq!(only_reject(Input::Claims, CLAIMS, &row), ("self_contracted".into(), Reason::InvalidBoolean));
}

#[test]
fn invalid_integer_rejects_a_credit_term_that_is_not_a_whole_number() {
    let row = claim_row(|c| c[7] = "90 days".into());
    assert_eq!(only_reject(Input::Claims, CLAIMS, &row), ("credit_days".into(), Reason::InvalidInteger));
}

#[test]
fn invalid_currency_is_rejected() {
    let row = claim_row(|c| c[12] = "US$".into());
    assert_eq!(only_reject(Input::Claims, CLAIMS, &row), ("currency".into(), Reason::InvalidCurrency));
}

#[test]
fn invalid_country_is_rejected() {
    let row = claim_row(|c| c[5] = "USA".into());
    assert_eq!(only_reject(Input::Claims, CLAIMS, &row), ("obligor_country".into(), Reason::InvalidCountry));
}

#[test]
fn duplicate_key_rejects_every_row_of_the_key() {
    let text = format!("{FX}\nUSD,2022-01-04,6.3794,1\nusd,2022/01/04,6.3795,1\nUSD,2022-01-05,6.3790,1\n");
    let (counts, rejects) = validate(Input::FxRates, text.as_bytes());
    assert_eq!((counts.read, counts.accepted, counts.rejected), (3, 1, 2));
    assert!(rejects.iter().all(|r| r.reason == Reason::DuplicateKey));
    assert_eq!(rejects.iter().map(|r| r.row).collect::<Vec<_>>(), vec![2, 3]);
}

#[test]
fn a_duplicate_key_counts_rows_rejected_for_other_reasons_too() {
    let u = good_uscc();
    let text = format!("{ENROLLMENTS}\nA1,{u},P1,2022,2022-01-10,2022-01-15,accepted,1\nA1,{u},P1,2022,2022-02-30,2022-01-15,accepted,1\n");
    let (counts, rejects) = validate(Input::Enrollments, text.as_bytes());
    assert_eq!((counts.accepted, counts.rejected), (0, 2));
    assert_eq!(rejects.iter().filter(|r| r.reason == Reason::DuplicateKey).count(), 2);
}

#[test]
fn wrong_field_count_rejects_a_ragged_row() {
    let (counts, rejects) = validate(Input::Exports, format!("{EXPORTS}\n{},2021-03,self,1,extra\n", good_uscc()).as_bytes());
    assert_eq!(counts.rejected, 1);
    assert_eq!(rejects[0].reason, Reason::WrongFieldCount);
}

#[test]
fn invalid_encoding_rejects_bytes_that_are_not_text() {
    // declared UTF-8, with one row carrying GBK bytes for 自营
    let mut text = format!("{EXPORTS}\n{},2021-03,self,1\n{},2021-03,", good_uscc(), good_uscc()).into_bytes();
    text.extend_from_slice(&[0xD7, 0xD4, 0xD3, 0xAA]);
    text.extend_from_slice(b",1\n");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("e.csv");
    std::fs::write(&p, &text).unwrap();
    let mut src = source(&p);
    src.encoding = tongbao::ingest::Encoding::Utf8;
    let mut v = ExportValidator::default();
    read_input(Input::Exports, &src, &mut v).unwrap();
    let r = v.finish();
    assert_eq!((r.counts.read, r.counts.accepted, r.counts.rejected), (2, 1, 1));
    assert_eq!(r.rejects[0].reason, Reason::InvalidEncoding);
    assert_eq!(r.rejects[0].row, 3);
}

#[test]
fn a_bad_optional_value_is_a_warning_not_a_reject() {
    let u = good_uscc();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("e.csv");
    std::fs::write(&p, format!("{ENROLLMENTS}\nA1,{u},P1,2022,2022-01-10,2022-01-15,accepted,lots\n")).unwrap();
    let mut v = Validator::<EnrollmentParser>::default();
    read_input(Input::Enrollments, &source(&p), &mut v).unwrap();
    let r = v.finish();
    assert_eq!(r.counts.accepted, 1);
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].column, "premium_cny");
    assert_eq!(r.rows[0].premium_cny_cents, None);
}

#[test]
fn every_reason_has_a_test_above() {
    // the reasons covered by the tests of this file; a new reason must get its test
    let covered = [
        Reason::InvalidEncoding,
        Reason::WrongFieldCount,
        Reason::MissingValue,
        Reason::MalformedUscc,
        Reason::InvalidDate,
        Reason::InvalidMonth,
        Reason::InvalidAmount,
        Reason::NegativeAmount,
        Reason::TooManyDecimals,
        Reason::AmountTooLarge,
        Reason::InvalidRate,
        Reason::UnknownValue,
        Reason::InvalidBoolean,
        Reason::InvalidInteger,
        Reason::InvalidCurrency,
        Reason::InvalidCountry,
        Reason::DuplicateKey,
        Reason::IdentifierAsNumber,
    ];
    for r in Reason::ALL {
        assert!(covered.contains(&r) || r == Reason::InvalidCheckCharacter, "no test for {r}");
    }
}

#[test]
fn a_bad_units_value_is_a_warning_and_the_default_stands() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("fx.csv");
    std::fs::write(&p, format!("{FX}\nJPY,2022-01-04,5.8012,hundred\n")).unwrap();
    let mut v = Validator::<FxParser>::default();
    read_input(Input::FxRates, &source(&p), &mut v).unwrap();
    let r = v.finish();
    assert_eq!((r.counts.accepted, r.counts.rejected), (1, 0));
    assert_eq!((r.warnings[0].column.as_str(), r.warnings[0].reason), ("units", Reason::InvalidInteger));
    assert_eq!(r.rows[0].units, 1);
}

#[test]
fn an_identifier_in_an_xlsx_number_cell_that_lost_digits_is_rejected() {
    let mut v = Validator::<FirmParser>::default();
    read_input(Input::Firms, &source(&repo().join("tests/fixtures/bad/firms_number_uscc.xlsx")), &mut v).expect("readable");
    let r = v.finish();
    let lost: Vec<&Reject> = r.rejects.iter().filter(|x| x.reason == Reason::IdentifierAsNumber).collect();
    assert_eq!(lost.len(), 1, "{:?}", r.rejects);
    assert_eq!((lost[0].row, lost[0].column.as_str(), lost[0].value.as_str()), (41, "uscc", "913502000658928500"));
    assert_eq!(r.counts.read, r.counts.accepted + r.counts.rejected);
}

/// Write `df` as the Parquet file of an input and validate it with the parser `P`.
fn validate_parquet<P: tongbao::validate::RowParser + Default>(input: Input, mut df: polars::prelude::DataFrame) -> tongbao::validate::Validated<Vec<P::Row>> {
    use polars::prelude::*;
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join(format!("{}.parquet", input.name()));
    ParquetWriter::new(std::fs::File::create(&p).unwrap()).finish(&mut df).expect("write");
    let mut v = Validator::<P>::default();
    read_input(input, &source(&p), &mut v).expect("parquet");
    v.finish()
}

#[test]
fn identifiers_in_parquet_number_columns_keep_every_digit_or_are_refused() {
    use polars::prelude::*;
    let u1 = uscc("91", "350203", "AAAAAAA1");
    let df = df!(
        // application ids as integers: 15 digits are kept, 18 digits are not
        "application_id" => [123_456_789_012_345i64, 913_502_000_658_928_472i64, 7i64],
        "uscc" => [u1.as_str(), u1.as_str(), u1.as_str()],
        // policy numbers as doubles: a fraction cannot be an identifier
        "policy_no" => [20220101f64, 20220102f64, 2022.5f64],
        "policy_year" => [2022i64, 2022, 2022],
        "applied_on" => ["2022-01-10", "2022-01-10", "2022-01-10"],
        "effective_on" => ["2022-01-15", "2022-01-15", "2022-01-15"],
        "status" => ["accepted", "accepted", "accepted"],
        "premium_cny" => ["3000", "3000", "3000"],
    )
    .expect("frame");
    let r = validate_parquet::<EnrollmentParser>(Input::Enrollments, df);
    assert_eq!((r.counts.read, r.counts.accepted, r.counts.rejected), (3, 1, 2), "{:?}", r.rejects);
    let got: Vec<(u64, &str, &str, Reason)> = r.rejects.iter().map(|x| (x.row, x.column.as_str(), x.value.as_str(), x.reason)).collect();
    assert_eq!(got, vec![(2, "application_id", "913502000658928472", Reason::IdentifierAsNumber), (3, "policy_no", "2022.5", Reason::IdentifierAsNumber)]);
    assert_eq!(r.rows[0].application_id.as_str(), "123456789012345");
    assert_eq!(r.rows[0].policy_no.as_str(), "20220101");
}

#[test]
fn an_optional_identifier_that_lost_digits_rejects_the_row_too() {
    // a listing's id_number typed as a number: kept without it, the listing would match by
    // name alone, so the row is rejected as for a required identifier
    use polars::prelude::*;
    let df = df!(
        "list_type" => ["dishonest_debtor", "dishonest_debtor"],
        "subject_type" => ["org", "org"],
        "name" => ["厦门某某贸易有限公司", "厦门某某贸易有限公司"],
        "id_number" => [913_502_000_658_928_472i64, 123_456_789i64],
        "listed_on" => ["2022-01-10", "2022-01-10"],
        "removed_on" => [None::<&str>, None],
        "case_no" => ["(2022)闽0203执1号", "(2022)闽0203执2号"],
    )
    .expect("frame");
    let r = validate_parquet::<ListingParser>(Input::Blacklists, df);
    assert_eq!((r.counts.read, r.counts.accepted, r.counts.rejected), (2, 1, 1), "{:?}", r.rejects);
    assert_eq!((r.rejects[0].row, r.rejects[0].column.as_str(), r.rejects[0].reason), (1, "id_number", Reason::IdentifierAsNumber));
    assert!(r.warnings.is_empty());
}

#[test]
fn a_row_rejected_for_a_lost_identifier_still_counts_for_its_key() {
    // A1 twice: the first row's policy number lost digits; both rows of the key are rejected
    use polars::prelude::*;
    let u1 = uscc("91", "350203", "AAAAAAA1");
    let df = df!(
        "application_id" => ["A1", "A1"],
        "uscc" => [u1.as_str(), u1.as_str()],
        "policy_no" => [913_502_000_658_928_472i64, 20_220_101],
        "policy_year" => [2022i64, 2022],
        "applied_on" => ["2022-01-10", "2022-01-10"],
        "effective_on" => ["2022-01-15", "2022-01-15"],
        "status" => ["accepted", "accepted"],
    )
    .expect("frame");
    let r = validate_parquet::<EnrollmentParser>(Input::Enrollments, df);
    assert_eq!((r.counts.read, r.counts.accepted, r.counts.rejected), (2, 0, 2), "{:?}", r.rejects);
    let mut got: Vec<(u64, &str, Reason)> = r.rejects.iter().map(|x| (x.row, x.column.as_str(), x.reason)).collect();
    got.sort();
    assert_eq!(got, vec![(1, "application_id", Reason::DuplicateKey), (1, "policy_no", Reason::IdentifierAsNumber), (2, "application_id", Reason::DuplicateKey)]);
}
