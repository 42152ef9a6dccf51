//! Fuzz reading one CSV input (any bytes, any encoding) through validation: never a
//! panic, and rows read = rows accepted + rows rejected.
#![no_main]

#[path = "../../src/ident.rs"]
mod ident;
#[path = "../../src/ingest/mod.rs"]
mod ingest;
#[path = "../../src/model.rs"]
mod model;
#[path = "../../src/rejects.rs"]
mod rejects;
#[path = "../../src/schema.rs"]
mod schema;
#[path = "../../src/validate/mod.rs"]
mod validate;
#[path = "../../src/values.rs"]
mod values;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("input.csv");
    std::fs::write(&path, bytes).expect("write");
    let source = ingest::InputSource {
        path,
        encoding: [ingest::Encoding::Auto, ingest::Encoding::Utf8, ingest::Encoding::Gb18030][selector as usize % 3],
        ..Default::default()
    };
    let input = schema::Input::ALL[(selector as usize / 3) % schema::Input::ALL.len()];
    macro_rules! check {
        ($sink:expr) => {{
            let mut sink = $sink;
            if ingest::read_input(input, &source, &mut sink).is_ok() {
                let v = sink.finish();
                assert_eq!(v.counts.read, v.counts.accepted + v.counts.rejected);
                for r in &v.rejects {
                    assert!(r.row >= 1);
                }
            }
        }};
    }
    match input {
        schema::Input::Firms => check!(validate::Validator::<validate::FirmParser>::default()),
        schema::Input::Exports => check!(validate::ExportValidator::default()),
        schema::Input::Blacklists => check!(validate::Validator::<validate::ListingParser>::default()),
        schema::Input::Enrollments => check!(validate::Validator::<validate::EnrollmentParser>::default()),
        schema::Input::Claims => check!(validate::Validator::<validate::ClaimParser>::default()),
        schema::Input::FxRates => check!(validate::Validator::<validate::FxParser>::default()),
        schema::Input::Reviews => check!(validate::Validator::<validate::ReviewParser>::default()),
    }
});
