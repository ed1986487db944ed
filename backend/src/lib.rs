//! outreach-backend: the local backend module. It owns the dashboard database's schema (the sqlx
//! migrations for PostgreSQL and SQLite), the metric math shared by every reader, the reach
//! sketches, the dashboard's questions over either store (`Dashboard`), and the exports' writing
//! (`export`: streamed CSV, atomic files). Later it signs users in and renders PDF reports.
//!
//! Depends on outreach-model, sqlx and small helpers; never on egui or tauri.

mod dashboard;
mod error;
pub mod export;
pub mod metrics;
pub mod reach;
pub mod rollup;
pub mod schema;
pub mod store;

pub use dashboard::{Dashboard, TOTAL, Trace};
pub use error::DashboardError;
