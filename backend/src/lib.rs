//! outreach-backend: the local backend module, the library both binaries (the desktop app and
//! the `outreach` command) are thin over. It owns the dashboard database's schema (the sqlx
//! migrations for PostgreSQL and SQLite), the metric math shared by every reader, the reach
//! sketches and rollups, the dashboard's questions over either store ([`Dashboard`]), the
//! exports (`export`: streamed CSV and PDF reports), and the app's home: its configuration
//! (`config`: typed and layered), its files (`paths`), what it remembers (`settings`), and the
//! one way files are written (`atomic`), a person's sign-in with the identity provider
//! (`signin`: the browser flow, the keychain), and a database connection's sign-in (`access`).
//! The offline cache comes next, here too.
//!
//! Depends on outreach-model, sqlx and small helpers; never on egui, tauri, a command-line
//! parser or a progress bar. It prints nothing: it returns what it did.

pub mod access;
pub mod atomic;
pub mod audit;
pub mod config;
mod dashboard;
mod error;
pub mod export;
pub mod metrics;
pub mod paths;
pub mod reach;
pub mod rollup;
pub mod schema;
pub mod settings;
pub mod signin;
pub mod store;

pub use dashboard::{DEFAULT_MIN_VOLUME, Dashboard, MAX_RANKED, RankingError, Trace};
pub use error::DashboardError;
