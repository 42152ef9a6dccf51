//! Identifiers: USCC, organisation code, resident ID, masked ID, names and issuing banks.
//!
//! Every function here is pure and total: malformed input gives `None` or
//! `false`, never a panic.

use unicode_normalization::UnicodeNormalization;

/// The 31 characters a USCC is written in (GB 32100-2015), in value order.
pub const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Full-width ASCII to half-width, ideographic space to space.
fn to_half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Trim, full-width to half-width and upper-case: the normal form of every code.
pub fn normalise_code(raw: &str) -> String {
    // fast path: a code already in normal form, as nearly every value of a large feed is
    if code_is_normal(raw) {
        return raw.to_string();
    }
    normalise_code_steps(raw)
}

/// ASCII without lower case and without white space at either end: its own normal form.
fn code_is_normal(raw: &str) -> bool {
    // `trim` takes any Unicode white space, the vertical tab too (`is_ascii_whitespace` does not)
    raw.bytes().all(|c| c.is_ascii() && !c.is_ascii_lowercase())
        && !raw.chars().next().is_some_and(char::is_whitespace)
        && !raw.chars().next_back().is_some_and(char::is_whitespace)
}

/// The full steps of [`normalise_code`], which takes a fast path when it can (property
/// tests and fuzzing hold the two equal).
pub(crate) fn normalise_code_steps(raw: &str) -> String {
    raw.trim()
        .chars()
        .map(to_half_width)
        .collect::<String>()
        .trim()
        .to_ascii_uppercase()
}

/// Value of each byte in the USCC alphabet (255: not in it).
const USCC_VALUES: [u8; 256] = {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 31 {
        t[USCC_ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

fn uscc_value(b: u8) -> Option<u32> {
    match USCC_VALUES[b as usize] {
        255 => None,
        v => Some(v as u32),
    }
}

/// A well-formed USCC: 18 characters of the alphabet, after normalisation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

impl Uscc {
    /// Parse a USCC; `None` when it is not 18 characters of the alphabet after
    /// normalisation. A wrong check character still parses: see [`Uscc::is_valid`].
    pub fn parse(raw: &str) -> Option<Uscc> {
        // fast path: already normal, as nearly every value of a large feed is
        let t = raw.trim();
        if t.len() == 18 && t.bytes().all(|b| uscc_value(b).is_some()) {
            return Some(Uscc(t.to_string()));
        }
        let s = normalise_code(raw);
        if s.len() == 18 && s.bytes().all(|b| uscc_value(b).is_some()) {
            Some(Uscc(s))
        } else {
            None
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Both check characters hold: the USCC's own (18th) and the embedded
    /// organisation code's (17th).
    pub fn is_valid(&self) -> bool {
        uscc_check_char(&self.0[..17]) == Some(self.0.as_bytes()[17] as char)
            && org_code_is_valid(self.org_code())
    }

    /// Positions 3–8: the division code of the issuing authority.
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17: the 9-character organisation code (GB 11714).
    pub fn org_code(&self) -> &str {
        &self.0[8..17]
    }
}

/// A well-formed USCC as its 18 bytes, without allocating when it is already normal.
pub fn uscc_key(raw: &str) -> Option<[u8; 18]> {
    let t = raw.trim();
    if t.len() == 18 && t.bytes().all(|b| uscc_value(b).is_some()) {
        return t.as_bytes().try_into().ok();
    }
    Uscc::parse(raw)?.0.as_bytes().try_into().ok()
}

/// The 18th character of a USCC whose first 17 are given: weights 3^(i-1) mod 31.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    let mut weight = 1u32;
    for b in first17.bytes() {
        sum += uscc_value(b)? * weight;
        weight = weight * 3 % 31;
    }
    let check = (31 - sum % 31) % 31;
    Some(USCC_ALPHABET[check as usize] as char)
}

fn org_value(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some((b - b'0') as u32),
        b'A'..=b'Z' => Some((b - b'A') as u32 + 10),
        _ => None,
    }
}

/// The 9th character of an organisation code whose first 8 are given.
pub fn org_check_char(first8: &str) -> Option<char> {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    if first8.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (b, w) in first8.bytes().zip(WEIGHTS) {
        sum += org_value(b)? * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap_or('?'),
    })
}

/// An organisation code (9 characters, hyphen before the last ignored) passes its check.
pub fn org_code_is_valid(code: &str) -> bool {
    match normalise_org_code(code) {
        Some(c) => org_check_char(&c[..8]) == Some(c.as_bytes()[8] as char),
        None => false,
    }
}

/// `MA33GULG-9` or `MA33GULG9` → `MA33GULG9`; `None` unless 9 characters of 0-9A-Z.
pub fn normalise_org_code(raw: &str) -> Option<String> {
    let s: String = normalise_code(raw).chars().filter(|&c| c != '-').collect();
    (s.len() == 9 && s.bytes().all(|b| org_value(b).is_some())).then_some(s)
}

/// A resident ID (GB 11643-1999): 17 digits and a check character, upper-cased.
pub fn parse_resident_id(raw: &str) -> Option<String> {
    let s = normalise_code(raw);
    has_resident_id_shape(&s).then_some(s)
}

/// 17 digits and a digit or `X`, in a code already normalised.
fn has_resident_id_shape(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 18 && b[..17].iter().all(u8::is_ascii_digit) && (b[17].is_ascii_digit() || b[17] == b'X')
}

/// The check character of a resident ID whose first 17 digits are given.
pub fn resident_id_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut sum = 0u32;
    for (i, b) in first17.bytes().enumerate() {
        let weight = (1u32 << (17 - i)) % 11;
        sum += (b - b'0') as u32 * weight;
    }
    Some(b"10X98765432"[(sum % 11) as usize] as char)
}

/// A resident ID whose check character holds.
pub fn resident_id_is_valid(id: &str) -> bool {
    parse_resident_id(id)
        .is_some_and(|s| resident_id_check_char(&s[..17]) == Some(s.as_bytes()[17] as char))
}

/// A masked ID: a run of digits, a run of `*`, a run of digits ending in a digit or X.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MaskedId {
    pub prefix: String,
    pub suffix: String,
}

impl MaskedId {
    pub fn parse(raw: &str) -> Option<MaskedId> {
        Self::parse_normal(&normalise_code(raw))
    }

    /// [`MaskedId::parse`] of a code already normal ([`normalise_code`]'s result).
    fn parse_normal(s: &str) -> Option<MaskedId> {
        let star_start = s.find('*')?;
        let star_end = s.rfind('*')? + 1;
        let (prefix, stars, suffix) = (&s[..star_start], &s[star_start..star_end], &s[star_end..]);
        let prefix_ok = !prefix.is_empty() && prefix.bytes().all(|b| b.is_ascii_digit());
        let stars_ok = stars.bytes().all(|b| b == b'*');
        let suffix_ok = !suffix.is_empty() && {
            let (last, body) = suffix.as_bytes().split_last()?;
            body.iter().all(u8::is_ascii_digit) && (last.is_ascii_digit() || *last == b'X')
        };
        (prefix_ok && stars_ok && suffix_ok).then(|| MaskedId {
            prefix: prefix.to_string(),
            suffix: suffix.to_string(),
        })
    }

    /// The full ID starts with the prefix and ends with the suffix (the name must agree too).
    pub fn matches(&self, full_id: &str) -> bool {
        full_id.len() >= self.prefix.len() + self.suffix.len()
            && full_id.starts_with(&self.prefix)
            && full_id.ends_with(&self.suffix)
    }
}

/// What a document number in a listing is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocId {
    Uscc(String),
    OrgCode(String),
    ResidentId(String),
    Masked(MaskedId),
    Opaque(String),
}

impl DocId {
    /// Classify the document number of an organisation: USCC, organisation code, or opaque.
    /// `None` for an empty one.
    pub fn classify_org(raw: &str) -> Option<DocId> {
        let s = normalise_code(raw);
        if s.is_empty() {
            return None;
        }
        if let Some(u) = Uscc::parse(&s) {
            return Some(DocId::Uscc(u.0));
        }
        if let Some(o) = normalise_org_code(&s) {
            return Some(DocId::OrgCode(o));
        }
        Some(DocId::Opaque(s))
    }

    /// Classify the document number of a person: resident ID, masked ID, or opaque
    /// (a permit, a passport, an old 15-digit ID). `None` for an empty one.
    pub fn classify_person(raw: &str) -> Option<DocId> {
        let s = normalise_code(raw);
        if s.is_empty() {
            return None;
        }
        // `s` is normal already: no second normalisation, no second copy
        if has_resident_id_shape(&s) {
            return Some(DocId::ResidentId(s));
        }
        if let Some(m) = MaskedId::parse_normal(&s) {
            return Some(DocId::Masked(m));
        }
        Some(DocId::Opaque(s))
    }
}

/// A name's comparison key: NFKC, no white space, letters upper-cased, 【】〔〕 as ().
///
/// The steps repeat until the text no longer changes, so that the key of a key is itself:
/// removing white space can let a mark compose with a letter (fuzzing found `A\r\u{304}`),
/// NFKC can make lower case (`ſ` → `s`), and upper case can decompose (`ΐ`).
pub fn normalise_name(raw: &str) -> String {
    // fast path: a name of CJK ideographs and ASCII without lower case or white space is
    // its own key, as nearly every name of a large feed is
    if name_is_normal(raw) {
        return raw.to_string();
    }
    normalise_name_steps(raw)
}

/// [`normalise_name`] as a compact text: a key of at most 24 bytes (a person's name, most
/// firms' names) is kept inline, without an allocation, as the keys of every listing in
/// force and every firm are.
pub fn name_key(raw: &str) -> compact_str::CompactString {
    if name_is_normal(raw) {
        return compact_str::CompactString::new(raw);
    }
    normalise_name_steps(raw).into()
}

/// Every character is its own key: an ASCII character that is neither lower case nor
/// white space, or a CJK unified ideograph (unchanged by NFKC, without case).
fn name_is_normal(raw: &str) -> bool {
    raw.chars().all(|c| {
        if c.is_ascii() { !c.is_ascii_lowercase() && !c.is_ascii_whitespace() && !c.is_ascii_control() } else { ('\u{4E00}'..='\u{9FFF}').contains(&c) }
    })
}

/// The full steps of [`normalise_name`], which takes a fast path when it can (property
/// tests and fuzzing hold the two equal).
pub(crate) fn normalise_name_steps(raw: &str) -> String {
    let (mut s, mut unsettled) = name_pass(raw);
    // only a pass that normalised or upper-cased beyond ASCII can leave work for the next
    for _ in 0..4 {
        if !unsettled {
            break;
        }
        let (again, more) = name_pass(&s);
        unsettled = more && again != s;
        s = again;
    }
    s
}

/// One pass of the name key; also says whether it did anything a second pass could undo
/// or carry further (NFKC, or upper case beyond ASCII).
fn name_pass(raw: &str) -> (String, bool) {
    use unicode_normalization::{IsNormalized, is_nfkc_quick};
    let mut s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let mut unsettled = false;
    // most names are already NFKC, and this is skipped
    if is_nfkc_quick(s.chars()) != IsNormalized::Yes {
        s = s.nfkc().filter(|c| !c.is_whitespace()).collect();
        unsettled = true;
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '【' | '〔' => out.push('('),
            '】' | '〕' => out.push(')'),
            c if c.is_ascii() => out.push(c.to_ascii_uppercase()),
            // every cased letter, Latin beyond ASCII too: Société = SOCIÉTÉ
            c => {
                let mut upper = c.to_uppercase();
                if upper.len() == 1 && upper.clone().next() == Some(c) {
                    out.push(c);
                } else {
                    unsettled = true;
                    out.extend(&mut upper);
                }
            }
        }
    }
    (out, unsettled)
}

/// The obligor key of an issuing bank: the first 8 characters of its BIC.
pub fn bank_key(bic: &str) -> String {
    normalise_code(bic).chars().take(8).collect()
}

/// The obligor key of a buyer: its id, trimmed and upper-cased.
pub fn buyer_key(id: &str) -> String {
    normalise_code(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn real_usccs_from_the_spec_pass_both_checks() {
        for code in ["91350200MA33GULG91", "913502000658928472", "91350203065880862R"] {
            let u = Uscc::parse(code).unwrap();
            assert!(u.is_valid(), "{code}");
        }
    }

    #[test]
    fn uscc_with_wrong_final_check_is_well_formed_but_invalid() {
        let u = Uscc::parse("91350200MA33GULG92").unwrap();
        assert!(!u.is_valid());
    }

    #[test]
    fn uscc_with_wrong_org_code_check_is_invalid() {
        // change the org code's check char and recompute the USCC check so only it fails
        let first16 = "91350200MA33GULG";
        let body = format!("{first16}8");
        let full = format!("{body}{}", uscc_check_char(&body).unwrap());
        let u = Uscc::parse(&full).unwrap();
        assert!(!u.is_valid());
    }

    #[test]
    fn uscc_normalises_full_width_and_case() {
        let u = Uscc::parse(" ９１３５０２００ma33gulg91 ").unwrap();
        assert_eq!(u.as_str(), "91350200MA33GULG91");
        assert!(u.is_valid());
    }

    #[test]
    fn uscc_with_letters_outside_the_alphabet_is_malformed() {
        for bad in ["91350200MA33GULGI1", "91350200MA33GULGO1", "91350200MA33GULGS1",
                    "91350200MA33GULGV1", "91350200MA33GULGZ1", "9135020MA33GULG91", ""] {
            assert!(Uscc::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_code_is_trimmed_made_half_width_and_upper_cased() {
        // written out by hand: U+FF21 is Ａ, U+FF11 is １, U+3000 the ideographic space
        assert_eq!(normalise_code("\u{3000}ａｂ\u{3000}１２\u{3000}"), "AB 12");
        assert_eq!(normalise_code("\u{FF01}\u{FF5E}x"), "!~X");
        assert_eq!(normalise_code("\u{FF00}\u{FF5F}"), "\u{FF00}\u{FF5F}");
    }

    #[test]
    fn uscc_parts() {
        let u = Uscc::parse("91350203065880862R").unwrap();
        assert_eq!(u.division_code(), "350203");
        assert_eq!(u.org_code(), "065880862");
    }

    #[test]
    fn org_code_with_or_without_hyphen() {
        assert!(org_code_is_valid("MA33GULG-9"));
        assert!(org_code_is_valid("MA33GULG9"));
        assert!(org_code_is_valid("06589284-7"));
        assert!(!org_code_is_valid("06589284-6"));
        assert_eq!(normalise_org_code("ma33gulg-9").as_deref(), Some("MA33GULG9"));
        // nine characters of the alphabet, no fewer, no more, no other
        assert_eq!(normalise_org_code("MA33GULG"), None);
        assert_eq!(normalise_org_code("MA33GULG97"), None);
        assert_eq!(normalise_org_code("MA33GUL*9"), None);
        assert_eq!(normalise_org_code("MA33GUL一9"), None);
    }

    #[test]
    fn resident_id_checks() {
        assert!(resident_id_is_valid("11010519491231002X"));
        assert!(resident_id_is_valid("11010519491231002x"));
        assert!(!resident_id_is_valid("110105194912310021"));
        assert!(!resident_id_is_valid("1101051949123100"));
        // the check character of the first 17 digits only: GB 11643's worked example
        assert_eq!(resident_id_check_char("11010519491231002"), Some('X'));
        assert_eq!(resident_id_check_char("1101051949123100"), None);
        assert_eq!(resident_id_check_char("110105194912310021"), None);
        assert_eq!(resident_id_check_char("1101051949123100A"), None);
    }

    #[test]
    fn masked_ids_parse_and_match() {
        let m = MaskedId::parse("3502031980****1234").unwrap();
        assert_eq!(m.prefix, "3502031980");
        assert_eq!(m.suffix, "1234");
        assert!(m.matches("350203198001011234"));
        assert!(!m.matches("350203198101011234"));
        let long = MaskedId::parse("35020319800****123x").unwrap();
        assert_eq!(long.suffix, "123X");
        assert!(MaskedId::parse("3502031980****").is_none());
        assert!(MaskedId::parse("****1234").is_none());
        assert!(MaskedId::parse("35020A1980****1234").is_none());
        // the kept end: digits, the last one a digit or X
        assert!(MaskedId::parse("3502031980****12A4").is_none());
        assert!(MaskedId::parse("3502031980****A234").is_none());
        assert!(MaskedId::parse("3502031980****123Y").is_none());
        assert!(MaskedId::parse("3502031980****123X").is_some());
    }

    #[test]
    fn doc_ids_are_classified() {
        assert!(matches!(DocId::classify_org("91350200MA33GULG91"), Some(DocId::Uscc(_))));
        assert!(matches!(DocId::classify_org("MA33GULG-9"), Some(DocId::OrgCode(_))));
        assert!(matches!(DocId::classify_org("Org 123"), Some(DocId::Opaque(_))));
        assert!(matches!(DocId::classify_person("11010519491231002X"), Some(DocId::ResidentId(_))));
        // an 18-digit ID is a resident ID for a person, even though its characters could spell a USCC
        assert!(matches!(DocId::classify_person("110105194912310021"), Some(DocId::ResidentId(_))));
        assert!(matches!(DocId::classify_person("3502031980****1234"), Some(DocId::Masked(_))));
        assert!(matches!(DocId::classify_person("H01234567"), Some(DocId::Opaque(_))));
        assert_eq!(DocId::classify_person("  "), None);
        assert_eq!(DocId::classify_org(""), None);
    }

    #[test]
    fn names_compare_after_normalisation() {
        assert_eq!(
            normalise_name("厦门某某贸易有限公司（分公司）"),
            normalise_name("厦门某某贸易有限公司(分公司)")
        );
        assert_eq!(normalise_name("厦门 某某【集团】 co ltd"), "厦门某某(集团)COLTD");
        assert_eq!(normalise_name("〔厦门〕"), "(厦门)");
    }

    #[test]
    fn name_keys_are_idempotent_on_the_fuzz_found_case() {
        let found = "\0\01o,234.59\u{3F2}A\r\u{304}0\u{b}1";
        let once = normalise_name(found);
        assert_eq!(normalise_name(&once), once);
        assert!(once.contains('Ā'), "{once}");
    }

    #[test]
    fn latin_letters_beyond_ascii_are_upper_cased() {
        assert_eq!(normalise_name("Société Générale"), normalise_name("SOCIÉTÉ GÉNÉRALE"));
        let k = normalise_name("ΐſ");
        assert_eq!(normalise_name(&k), k);
    }

    #[test]
    fn issuing_bank_is_the_bank_not_the_branch() {
        assert_eq!(bank_key("BKCHCNBJ300"), bank_key("BKCHCNBJ"));
        assert_eq!(bank_key(" bkchcnbj300 "), "BKCHCNBJ");
    }

    fn valid_uscc() -> impl Strategy<Value = String> {
        let org_chars = proptest::collection::vec(0usize..36, 8);
        let head = proptest::sample::select(vec!["91", "92", "93", "11", "51"]);
        let div = proptest::collection::vec(0u8..10, 6);
        (head, div, org_chars).prop_map(|(head, div, org)| {
            let alphabet: Vec<char> = "0123456789ABCDEFGHJKLMNPQRTUWXY".chars().collect();
            let _ = alphabet;
            let org8: String = org
                .iter()
                .map(|&v| {
                    // only characters of the USCC alphabet may appear in a USCC
                    let c = if v < 10 { (b'0' + v as u8) as char } else { (b'A' + (v - 10) as u8) as char };
                    if "IOSVZ".contains(c) { 'A' } else { c }
                })
                .collect();
            let org_check = org_check_char(&org8).unwrap();
            let div: String = div.iter().map(|d| (b'0' + d) as char).collect();
            let first17 = format!("{head}{div}{org8}{org_check}");
            format!("{first17}{}", uscc_check_char(&first17).unwrap())
        })
    }

    fn valid_resident_id() -> impl Strategy<Value = String> {
        proptest::collection::vec(0u8..10, 17).prop_map(|d| {
            let first17: String = d.iter().map(|x| (b'0' + x) as char).collect();
            format!("{first17}{}", resident_id_check_char(&first17).unwrap())
        })
    }

    /// The name and code fast paths give what the full steps give.
    fn fast_paths_agree(s: &str) -> Result<(), TestCaseError> {
        prop_assert_eq!(normalise_name(s), normalise_name_steps(s));
        prop_assert_eq!(name_key(s).to_string(), normalise_name_steps(s));
        prop_assert_eq!(normalise_code(s), normalise_code_steps(s));
        Ok(())
    }

    proptest! {
        #[test]
        fn every_generated_uscc_passes(code in valid_uscc()) {
            let u = Uscc::parse(&code).unwrap();
            prop_assert!(u.is_valid());
        }

        #[test]
        fn changing_one_character_of_a_uscc_fails(code in valid_uscc(), pos in 0usize..18, v in 1usize..31) {
            let mut bytes = code.into_bytes();
            let old = uscc_value(bytes[pos]).unwrap() as usize;
            bytes[pos] = USCC_ALPHABET[(old + v) % 31];
            let changed = String::from_utf8(bytes).unwrap();
            let u = Uscc::parse(&changed).unwrap();
            prop_assert!(!u.is_valid(), "{} passed", changed);
        }

        #[test]
        fn every_generated_resident_id_passes(id in valid_resident_id()) {
            prop_assert!(resident_id_is_valid(&id));
        }

        #[test]
        fn changing_one_digit_of_a_resident_id_fails(id in valid_resident_id(), pos in 0usize..17, v in 1u8..10) {
            let mut bytes = id.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + v) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(!resident_id_is_valid(&changed));
        }

        #[test]
        fn a_masked_form_of_an_id_matches_it(id in valid_resident_id(), p in 1usize..10, s in 1usize..8) {
            let masked = format!("{}{}{}", &id[..p], "*".repeat(18 - p - s), &id[18 - s..]);
            let m = MaskedId::parse(&masked).unwrap();
            prop_assert!(m.matches(&id));
        }

        #[test]
        fn the_fast_paths_give_what_the_full_steps_give(s in "[ \\ta-zA-Z0-9()（）【】\u{3000}\u{4E00}-\u{4E20}\u{9FF0}-\u{A010}\u{F900}-\u{F905}\u{FF01}-\u{FF10}]{0,12}") {
            fast_paths_agree(&s)?;
        }

        #[test]
        fn the_fast_paths_agree_on_control_characters(s in "[\\x00-\\x20a-zA-Z\\x7f\u{85}\u{a0}]{0,8}") {
            fast_paths_agree(&s)?;
        }

        #[test]
        fn the_fast_paths_agree_on_any_text(s in "\\PC{0,20}") {
            fast_paths_agree(&s)?;
        }

        /// `classify_person` reads a masked id from the code it has normalised already
        #[test]
        fn codes_are_idempotent(s in "\\PC{0,20}|[ 　０-９＊*Xx]{0,20}") {
            let once = normalise_code(&s);
            prop_assert_eq!(normalise_code(&once), once.clone());
            prop_assert_eq!(MaskedId::parse_normal(&once), MaskedId::parse(&s));
        }

        #[test]
        fn name_keys_are_idempotent(s in "\\PC{0,20}") {
            let once = normalise_name(&s);
            prop_assert_eq!(normalise_name(&once), once);
        }

        #[test]
        fn identifier_parsers_never_panic(s in "\\PC{0,30}") {
            let _ = Uscc::parse(&s).map(|u| u.is_valid());
            let _ = DocId::classify_org(&s);
            let _ = DocId::classify_person(&s);
            let _ = normalise_name(&s);
            let _ = bank_key(&s);
            let _ = resident_id_is_valid(&s);
        }
    }
}
