//! Validation: every row against its input's contract (docs/rules.md), into typed accepted
//! rows, rejects (one per row, column and reason) and warnings on optional columns.
//!
//! For every input, rows read = rows accepted + rows rejected.

mod claims;
mod enrollments;
mod exports;
mod firms;
mod fx_rates;
mod listings;
mod reviews;
mod row;
mod validator;

pub use claims::{ClaimParser, canonical_cause};
pub use enrollments::EnrollmentParser;
pub use exports::ExportValidator;
pub use firms::FirmParser;
pub use fx_rates::FxParser;
pub use listings::{ListingParser, ScreenKeys};
pub use reviews::ReviewParser;
pub use row::{Counts, Parsed, RowCheck, RowParser, Validated};
pub use validator::Validator;
