//! Fuzz the identifier and value parsers: never a panic, and what parses is consistent.
#![no_main]

#[path = "../../src/ident.rs"]
mod ident;
#[path = "../../src/rejects.rs"]
mod rejects;
#[path = "../../src/values.rs"]
mod values;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Some(u) = ident::Uscc::parse(s) {
        // a parsed USCC is 18 characters of the alphabet, and parses again to itself
        assert_eq!(u.as_str().len(), 18);
        assert_eq!(ident::Uscc::parse(u.as_str()).as_ref(), Some(&u));
        let _ = u.is_valid();
        assert_eq!(ident::uscc_key(s).map(|k| k.to_vec()), Some(u.as_str().as_bytes().to_vec()));
    } else {
        assert!(ident::uscc_key(s).is_none());
    }
    let _ = ident::DocId::classify_org(s);
    if let Some(ident::DocId::Masked(m)) = ident::DocId::classify_person(s) {
        assert!(!m.prefix.is_empty() && !m.suffix.is_empty());
    }
    let _ = ident::resident_id_is_valid(s);
    let _ = ident::org_code_is_valid(s);
    let n = ident::normalise_name(s);
    assert_eq!(ident::normalise_name(&n), n, "name normalisation is idempotent");
    assert_eq!(n, ident::normalise_name_steps(s), "the name fast path gives what the full steps give");
    assert_eq!(ident::normalise_code(s), ident::normalise_code_steps(s), "the code fast path gives what the full steps give");
    let _ = ident::bank_key(s);
    if let Ok(c) = values::parse_amount_cents(s) {
        assert!((0..=values::MAX_AMOUNT_CENTS).contains(&c));
        // the cents print back to an amount that parses to the same cents
        assert_eq!(values::parse_amount_cents(&values::format_cents(c)), Ok(c));
    }
    let _ = values::parse_date(s, true);
    let _ = values::parse_month(s, false);
    let _ = values::parse_rate(s);
    let _ = values::parse_count(s);
    let _ = values::parse_bool(s);
});
