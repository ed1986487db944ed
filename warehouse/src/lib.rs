//! outreach-warehouse: the warehouse's data as Rust values, and what is computed from it in
//! memory. `source` is the contract's rows (docs/warehouse-contract.md), `zone` the reporting
//! time zone every day is counted in, `aggregates` what events become (the dashboard
//! database's rows, whether the ETL computes them in the warehouse's SQL or `reference` in
//! memory), `reference` the metric definitions over events in memory (the ETL's cross-check),
//! `synthetic` a realistic synthetic health plan, and `demo` the embedded SQLite demo database
//! built from it, which the desktop app and the `outreach` command open when no database is
//! configured.
//!
//! Depends on outreach-backend (the schema, the metric math, the sketches) and outreach-model;
//! never on the ETL, a command line, egui or tauri, so the desktop app can build its demo
//! without them.

pub mod aggregates;
pub mod demo;
pub mod reference;
pub mod source;
pub mod synthetic;
pub mod zone;

pub use zone::{ReportingZone, UnknownZone};
