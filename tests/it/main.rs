//! The one integration-test binary: it links polars once.

mod support;

mod analyst;
mod browser;
mod bad_input;
mod claims_rules;
mod docs;
mod crash;
mod end_to_end;
mod firm_rules;
mod guards;
mod operations;
mod ingest_paths;
mod properties;
mod reject_reasons;
mod reviews;
mod sql_golden;
