//! Parsing of cell values: dates, months, money in cents, exact rates, booleans, integers.
//!
//! Each parser returns the typed value or the reject reason that names what was wrong.

use chrono::{Datelike, NaiveDate};

use crate::rejects::Reason;

/// The largest amount accepted: 13 integer digits (USD 9,999,999,999,999.99).
pub const MAX_AMOUNT_CENTS: i64 = 999_999_999_999_999;

/// `str::trim`, with the common cases first: a value that starts and ends with a visible
/// ASCII character has nothing to trim (every Unicode space is above ASCII or at most
/// `b' '`), checked on bytes alone; nor has one whose end characters are not white space
/// (a Chinese name), checked on the two characters; only the others pay for the search.
#[inline]
pub fn trim(s: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x80);
    if visible(s.as_bytes().first()) && visible(s.as_bytes().last()) {
        return s;
    }
    let kept = |c: Option<char>| c.is_some_and(|c| !c.is_whitespace());
    if kept(s.chars().next()) && kept(s.chars().next_back()) { s } else { s.trim() }
}

/// A date as `YYYY-MM-DD`, `YYYY/MM/DD` or `YYYYMMDD` (one-digit month and day allowed
/// with separators). An Excel serial day number is accepted only when `excel_serial` is set.
pub fn parse_date(raw: &str, excel_serial: bool) -> Result<NaiveDate, Reason> {
    let s = trim(raw);
    if let Some(date) = iso_date(s.as_bytes()) {
        return date;
    }
    parse_date_general(s, excel_serial)
}

/// [`parse_date`] of a trimmed value, in every spelling it takes.
fn parse_date_general(s: &str, excel_serial: bool) -> Result<NaiveDate, Reason> {
    let s = s.strip_suffix("T00:00:00").or_else(|| s.strip_suffix(" 00:00:00")).unwrap_or(s);
    if excel_serial
        && !s.is_empty()
        && s.len() <= 5
        && s.bytes().all(|b| b.is_ascii_digit())
        && let Ok(n) = s.parse::<i64>()
    {
        // Excel's day 1 is 1900-01-01, with its fictitious 1900-02-29: count from 1899-12-30.
        let base = NaiveDate::from_ymd_opt(1899, 12, 30).ok_or(Reason::InvalidDate)?;
        return base
            .checked_add_signed(chrono::Duration::days(n))
            .ok_or(Reason::InvalidDate);
    }
    let parts: Vec<&str> = if s.contains('-') {
        s.split('-').collect()
    } else if s.contains('/') {
        s.split('/').collect()
    } else if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        vec![&s[..4], &s[4..6], &s[6..]]
    } else {
        return Err(Reason::InvalidDate);
    };
    if parts.len() != 3
        || parts[0].len() != 4
        || !(1..=2).contains(&parts[1].len())
        || !(1..=2).contains(&parts[2].len())
        || !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Reason::InvalidDate);
    }
    let y: i32 = parts[0].parse().map_err(|_| Reason::InvalidDate)?;
    let m: u32 = parts[1].parse().map_err(|_| Reason::InvalidDate)?;
    let d: u32 = parts[2].parse().map_err(|_| Reason::InvalidDate)?;
    NaiveDate::from_ymd_opt(y, m, d).ok_or(Reason::InvalidDate)
}

/// The number ASCII digits `ds` write (checked to be digits by the caller).
fn decimal(ds: &[u8]) -> u32 {
    ds.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
}

/// The common shape first, without splitting: `YYYY-MM-DD` in ASCII digits (the general
/// path below gives the same answer for it; a unit test holds the two together).
fn iso_date(b: &[u8]) -> Option<Result<NaiveDate, Reason>> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *b else { return None };
    let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let (y, m, d) = (decimal(&digits[..4]) as i32, decimal(&digits[4..6]), decimal(&digits[6..]));
    Some(NaiveDate::from_ymd_opt(y, m, d).ok_or(Reason::InvalidDate))
}

/// A month as `YYYY-MM` (also `YYYY/MM`, `YYYYMM`, or a full date, whose day is ignored):
/// returns (year, month).
pub fn parse_month(raw: &str, excel_serial: bool) -> Result<(i32, u32), Reason> {
    if let Some(month) = iso_month(raw.as_bytes()) {
        return month;
    }
    parse_month_general(raw, excel_serial)
}

/// [`parse_month`] of `YYYY-MM`, the spelling nearly every month of a register has, read
/// straight from its seven bytes; `None`: any other spelling.
fn iso_month(s: &[u8]) -> Option<Result<(i32, u32), Reason>> {
    let &[y1, y2, y3, y4, b'-', m1, m2] = s else { return None };
    let digits = [y1, y2, y3, y4, m1, m2];
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let (year, month) = (decimal(&digits[..4]) as i32, decimal(&digits[4..]));
    Some(if (1..=12).contains(&month) { Ok((year, month)) } else { Err(Reason::InvalidMonth) })
}

/// [`parse_month`] of any spelling.
fn parse_month_general(raw: &str, excel_serial: bool) -> Result<(i32, u32), Reason> {
    let s = trim(raw);
    let (y, m) = if let Some((y, m)) = s.split_once(['-', '/']).filter(|(_, m)| !m.contains(['-', '/'])) {
        (y, m)
    } else if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        (&s[..4], &s[4..])
    } else {
        return parse_date(s, excel_serial)
            .map(|d| (d.year(), d.month()))
            .map_err(|_| Reason::InvalidMonth);
    };
    if y.len() != 4 || !(1..=2).contains(&m.len()) {
        return Err(Reason::InvalidMonth);
    }
    let y: i32 = y.parse().map_err(|_| Reason::InvalidMonth)?;
    let m: u32 = m.parse().map_err(|_| Reason::InvalidMonth)?;
    if (1..=12).contains(&m) { Ok((y, m)) } else { Err(Reason::InvalidMonth) }
}

/// An amount of money in cents: a plain decimal, at most two decimals, not negative.
/// Thousands separators (`1,234.56`) are accepted, as spreadsheets write them.
pub fn parse_amount_cents(raw: &str) -> Result<i64, Reason> {
    match plain_cents(raw.as_bytes()) {
        Some(cents) => Ok(cents),
        None => parse_amount_general(raw),
    }
}

/// [`parse_amount_cents`] of the spelling nearly every amount has, in one pass over its
/// bytes: at most 13 digits, then at most two decimals after a point, nothing else (a
/// national export register is 120 million of them). `None`: any other spelling, left to
/// the general parser.
fn plain_cents(s: &[u8]) -> Option<i64> {
    let (int_part, frac) = match s.iter().position(|&b| b == b'.') {
        Some(point) => (&s[..point], &s[point + 1..]),
        None => (s, &[][..]),
    };
    if int_part.len() > 13 || frac.len() > 2 || (int_part.is_empty() && frac.is_empty()) {
        return None;
    }
    let digits = |part: &[u8], padded_to: usize| -> Option<i64> {
        let mut value = 0i64;
        for i in 0..part.len().max(padded_to) {
            let d = part.get(i).copied().unwrap_or(b'0');
            if !d.is_ascii_digit() {
                return None;
            }
            value = value * 10 + i64::from(d - b'0');
        }
        Some(value)
    };
    Some(digits(int_part, 0)? * 100 + digits(frac, 2)?)
}

/// [`parse_amount_cents`] of any spelling: signs, spaces, thousands separators.
fn parse_amount_general(raw: &str) -> Result<i64, Reason> {
    let trimmed = trim(raw);
    // thousands separators only in their places: `1,234,567.89`, never `1234,56`
    let s: std::borrow::Cow<str> = if trimmed.contains(',') {
        let int_part = trimmed.split('.').next().unwrap_or("");
        let int_part = int_part.trim_start_matches(['-', '+']);
        let groups: Vec<&str> = int_part.split(',').collect();
        let well_grouped = groups.len() > 1
            && (1..=3).contains(&groups[0].len())
            && groups[1..].iter().all(|g| g.len() == 3)
            && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
        if !well_grouped || trimmed.split('.').nth(1).is_some_and(|f| f.contains(',')) {
            return Err(Reason::InvalidAmount);
        }
        trimmed.replace(',', "").into()
    } else {
        trimmed.into()
    };
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
    if (int_part.is_empty() && frac_part.is_empty())
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(Reason::InvalidAmount);
    }
    // the rules: at most two decimals, as written (`12.300` has three)
    if frac_part.len() > 2 {
        return Err(Reason::TooManyDecimals);
    }
    let frac_trimmed = frac_part;
    let int_digits = int_part.trim_start_matches('0');
    if int_digits.len() > 13 {
        return Err(Reason::AmountTooLarge);
    }
    let int_value: i64 = if int_digits.is_empty() { 0 } else { int_digits.parse().map_err(|_| Reason::AmountTooLarge)? };
    // "", "5" and "05" are 0, 50 and 5 cents: the digits as written, padded to two
    let frac = frac_trimmed.bytes().chain(std::iter::repeat(b'0')).take(2).fold(0i64, |acc, d| acc * 10 + (d - b'0') as i64);
    let cents = int_value * 100 + frac;
    if neg && cents != 0 {
        return Err(Reason::NegativeAmount);
    }
    Ok(cents)
}

/// An exact positive decimal rate as (mantissa, scale): `6.3757` → (63757, 4).
pub fn parse_rate(raw: &str) -> Result<(i128, u32), Reason> {
    let s = trim(raw);
    let (int_part, frac_part) = s.split_once('.').unwrap_or((s, ""));
    let frac_part = frac_part.trim_end_matches('0');
    if (int_part.is_empty() && frac_part.is_empty())
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
        || int_part.len() + frac_part.len() > 30
        || frac_part.len() > 12
    {
        return Err(Reason::InvalidRate);
    }
    let digits = format!("{int_part}{frac_part}");
    let mantissa: i128 = digits.parse().map_err(|_| Reason::InvalidRate)?;
    if mantissa <= 0 {
        return Err(Reason::InvalidRate);
    }
    Ok((mantissa, frac_part.len() as u32))
}

/// A non-negative integer (a float with no fraction, as spreadsheets store them, is accepted).
pub fn parse_count(raw: &str) -> Result<i64, Reason> {
    let s = trim(raw);
    let s = s.strip_suffix(".0").unwrap_or(s);
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Reason::InvalidInteger);
    }
    s.parse().map_err(|_| Reason::InvalidInteger)
}

/// true/false, 1/0, y/n, yes/no, 是/否, in any case.
pub fn parse_bool(raw: &str) -> Result<bool, Reason> {
    match trim(raw).to_lowercase().as_str() {
        "true" | "1" | "y" | "yes" | "是" => Ok(true),
        "false" | "0" | "n" | "no" | "否" => Ok(false),
        _ => Err(Reason::InvalidBoolean),
    }
}

/// Upper-case ASCII letters of exactly `len` characters (ISO currency or country codes).
pub fn parse_letters(raw: &str, len: usize) -> Option<String> {
    let s = crate::ident::normalise_code(raw);
    (s.len() == len && s.bytes().all(|b| b.is_ascii_uppercase())).then_some(s)
}

/// Cents as text with two decimals: 123456 → `1234.56`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Digits grouped by thousands for people: `1234567.8` → `1,234,567.8`. Text that is not
/// a plain decimal comes back as it was.
pub fn group_digits(text: &str) -> String {
    let (sign, body) = text.strip_prefix('-').map(|b| ("-", b)).unwrap_or(("", text));
    let (int_part, frac) = body.split_once('.').map(|(a, b)| (a, Some(b))).unwrap_or((body, None));
    if int_part.is_empty() || !int_part.bytes().all(|b| b.is_ascii_digit()) {
        return text.to_string();
    }
    let mut out = String::new();
    for (i, ch) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// Cents for people: 123456789 → `1,234,567.89`.
pub fn format_cents_grouped(cents: i64) -> String {
    group_digits(&format_cents(cents))
}

/// An identifier that arrived as a whole number (a Parquet integer): its text, or `Err`
/// with the value as read when a digit may have been lost. Excel keeps 15 significant
/// digits and fills the rest with zeros, so `913502000658928472` typed as a number is
/// stored as `913502000658928500`, another firm: a number of more than 15 digits may
/// have passed through such a system, trailing zeros or not, and is refused.
pub fn identifier_from_integer(v: i128) -> Result<String, String> {
    let text = v.to_string();
    if text.trim_start_matches('-').len() > 15 { Err(text) } else { Ok(text) }
}

/// An identifier that arrived as a binary float (an XLSX number cell, a Parquet double):
/// its text when it is a whole number below 10^15, else `Err` with its shortest text (a
/// fraction, an exponent form, or a magnitude past which a float cannot hold every digit).
pub fn identifier_from_float(f: f64) -> Result<String, String> {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        Ok(format!("{}", f as i64))
    } else {
        // Rust prints a float's shortest round trip without an exponent: 913502000658928500
        Err(format!("{f}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_that_arrive_as_numbers_keep_every_digit_or_are_refused() {
        // docs/rules.md: Excel keeps 15 digits; 913502000658928472 becomes 913502000658928500
        assert_eq!(identifier_from_float(913502000658928472.0), Err("913502000658928500".to_string()));
        assert_eq!(identifier_from_float(350203197603150.0), Ok("350203197603150".to_string()));
        assert_eq!(identifier_from_float(999_999_999_999_999.0), Ok("999999999999999".to_string()));
        assert_eq!(identifier_from_float(1e15), Err("1000000000000000".to_string()));
        assert_eq!(identifier_from_float(12345.5), Err("12345.5".to_string()));
        assert!(identifier_from_float(f64::NAN).is_err());
        assert_eq!(identifier_from_integer(913502000658928472), Err("913502000658928472".to_string()));
        assert_eq!(identifier_from_integer(123_456_789_012_345), Ok("123456789012345".to_string()));
        // what Excel leaves of an 18-digit USCC: 15 digits and zeros, refused all the same
        assert_eq!(identifier_from_integer(913_502_000_658_928_000), Err("913502000658928000".to_string()));
        assert_eq!(identifier_from_integer(-42), Ok("-42".to_string()));
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_iso_fast_path_agrees_with_the_general_parser() {
        for s in ["2022-12-31", "2022-02-29", "2024-02-29", "0000-01-01", "9999-12-31", "2022-13-01", "2022-00-10", "2022-1-05", "２０２２-01-01", "2022/12/31", "2022-12-3a"] {
            if let Some(fast) = iso_date(s.as_bytes()) {
                assert_eq!(fast, parse_date_general(s, false), "{s}");
            }
        }
        assert!(iso_date(b"2022-12-31").is_some() && iso_date(b"2022/12/31").is_none() && iso_date(b"2022-1-05").is_none());
    }

    proptest::proptest! {
        #[test]
        fn the_plain_amount_fast_path_agrees_with_the_general_parser(s in "[0-9]{0,15}(\\.[0-9]{0,3})?|[0-9., +-]{0,18}|\\PC{0,6}") {
            if let Some(fast) = plain_cents(s.as_bytes()) {
                proptest::prop_assert_eq!(Ok(fast), parse_amount_general(&s));
            }
            let plain = s.len() <= 16
                && s.bytes().filter(|&b| b == b'.').count() <= 1
                && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && s.split('.').next().is_some_and(|i| i.len() <= 13)
                && s.split('.').nth(1).is_none_or(|f| f.len() <= 2)
                && s != "." && !s.is_empty();
            proptest::prop_assert_eq!(plain_cents(s.as_bytes()).is_some(), plain, "{}", s);
        }

        #[test]
        fn the_iso_month_fast_path_agrees_with_the_general_parser(s in "[0-9]{4}-[0-9]{2}|[0-9/ -]{5,8}") {
            let fast = iso_month(s.as_bytes());
            let iso_shape = s.len() == 7 && s.bytes().enumerate().all(|(i, b)| if i == 4 { b == b'-' } else { b.is_ascii_digit() });
            proptest::prop_assert_eq!(fast.is_some(), iso_shape);
            if let Some(fast) = fast {
                proptest::prop_assert_eq!(fast, parse_month_general(&s, false));
            }
        }

        #[test]
        fn the_iso_fast_path_agrees_with_the_general_parser_on_any_shape(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9-]{10}") {
            let fast = iso_date(s.as_bytes());
            let iso_shape = s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
            proptest::prop_assert_eq!(fast.is_some(), iso_shape);
            if let Some(fast) = fast {
                proptest::prop_assert_eq!(fast, parse_date_general(&s, false));
            }
        }
    }

    #[test]
    fn dates_in_three_spellings() {
        assert_eq!(parse_date("2022-05-07", false), Ok(d(2022, 5, 7)));
        assert_eq!(parse_date("2022/5/7", false), Ok(d(2022, 5, 7)));
        assert_eq!(parse_date("20220507", false), Ok(d(2022, 5, 7)));
        assert_eq!(parse_date("2022-05-07 00:00:00", false), Ok(d(2022, 5, 7)));
    }

    #[test]
    fn impossible_dates_are_rejected() {
        assert_eq!(parse_date("2022-02-30", false), Err(Reason::InvalidDate));
        assert_eq!(parse_date("2022-13-01", false), Err(Reason::InvalidDate));
        assert_eq!(parse_date("7 May 2022", false), Err(Reason::InvalidDate));
        assert_eq!(parse_date("44688", false), Err(Reason::InvalidDate));
    }

    #[test]
    fn excel_serial_dates_only_from_spreadsheets() {
        assert_eq!(parse_date("44688", true), Ok(d(2022, 5, 7)));
        assert_eq!(parse_date("44562", true), Ok(d(2022, 1, 1)));
    }

    #[test]
    fn months() {
        assert_eq!(parse_month("2021-03", false), Ok((2021, 3)));
        assert_eq!(parse_month("202103", false), Ok((2021, 3)));
        assert_eq!(parse_month("2021-03-01", false), Ok((2021, 3)));
        assert_eq!(parse_month("2021-13", false), Err(Reason::InvalidMonth));
        assert_eq!(parse_month("March", false), Err(Reason::InvalidMonth));
    }

    #[test]
    fn amounts_are_exact_cents() {
        assert_eq!(parse_amount_cents("1234.56"), Ok(123456));
        assert_eq!(parse_amount_cents("6000000"), Ok(600_000_000));
        assert_eq!(parse_amount_cents("6000000.01"), Ok(600_000_001));
        assert_eq!(parse_amount_cents("1,234.5"), Ok(123450));
        assert_eq!(parse_amount_cents("0.10"), Ok(10));
        assert_eq!(parse_amount_cents("1,234,567.89"), Ok(123_456_789));
        assert_eq!(parse_amount_cents("-0"), Ok(0));
    }

    #[test]
    fn bad_amounts_have_their_reason() {
        assert_eq!(parse_amount_cents("-5"), Err(Reason::NegativeAmount));
        assert_eq!(parse_amount_cents("NaN"), Err(Reason::InvalidAmount));
        assert_eq!(parse_amount_cents("inf"), Err(Reason::InvalidAmount));
        assert_eq!(parse_amount_cents("-inf"), Err(Reason::InvalidAmount));
        assert_eq!(parse_amount_cents("abc"), Err(Reason::InvalidAmount));
        assert_eq!(parse_amount_cents("1e5"), Err(Reason::InvalidAmount));
        assert_eq!(parse_amount_cents("1.234"), Err(Reason::TooManyDecimals));
        assert_eq!(parse_amount_cents("12.300"), Err(Reason::TooManyDecimals));
        assert_eq!(parse_amount_cents("1234,56"), Err(Reason::InvalidAmount));
        assert_eq!(parse_amount_cents("1,2,3"), Err(Reason::InvalidAmount));
        assert_eq!(parse_amount_cents("12,34.5"), Err(Reason::InvalidAmount));
        assert_eq!(parse_amount_cents("1_000"), Err(Reason::InvalidAmount));
        assert_eq!(parse_amount_cents("12345678901234"), Err(Reason::AmountTooLarge));
        assert_eq!(parse_amount_cents("1234567890123"), Ok(123456789012300));
    }

    #[test]
    fn rates_are_exact() {
        assert_eq!(parse_rate("6.3757"), Ok((63757, 4)));
        assert_eq!(parse_rate("5.80120"), Ok((58012, 4)));
        assert_eq!(parse_rate("1"), Ok((1, 0)));
        assert_eq!(parse_rate("0"), Err(Reason::InvalidRate));
        assert_eq!(parse_rate("-6.3"), Err(Reason::InvalidRate));
        assert_eq!(parse_rate("x"), Err(Reason::InvalidRate));
    }

    #[test]
    fn booleans_in_many_spellings() {
        for t in ["true", "TRUE", "1", "y", "Yes", "是"] {
            assert_eq!(parse_bool(t), Ok(true), "{t}");
        }
        for f in ["false", "0", "N", "no", "否"] {
            assert_eq!(parse_bool(f), Ok(false), "{f}");
        }
        assert_eq!(parse_bool("maybe"), Err(Reason::InvalidBoolean));
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("365"), Ok(365));
        assert_eq!(parse_count("365.0"), Ok(365));
        assert_eq!(parse_count("-1"), Err(Reason::InvalidInteger));
        assert_eq!(parse_count("90 days"), Err(Reason::InvalidInteger));
    }

    #[test]
    fn grouped_digits() {
        assert_eq!(group_digits("1234567.80"), "1,234,567.80");
        assert_eq!(group_digits("-1000"), "-1,000");
        assert_eq!(group_digits("999"), "999");
        assert_eq!(group_digits("n/a"), "n/a");
        assert_eq!(format_cents_grouped(5_000_000), "50,000.00");
    }

    #[test]
    fn cents_format() {
        assert_eq!(format_cents(123456), "1234.56");
        assert_eq!(format_cents(5), "0.05");
        assert_eq!(format_cents(-5), "-0.05");
    }
}

#[cfg(test)]
mod trim_tests {
    use super::trim;

    #[test]
    fn trim_agrees_with_str_trim() {
        for s in ["", " ", "a", " a", "a ", "\ta\n", "\u{3000}失信\u{3000}", "失信", "a\u{a0}", "\u{85}x", "x\u{2003}", "\u{7f}", " (2021)闽0203执88号 "] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn trim_agrees_with_str_trim_on_any_text(s in "\\PC*|[ \\t\\u{3000}\\u{a0}a-z\\u{4e00}-\\u{4e10}]{0,6}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
        }
    }
}
