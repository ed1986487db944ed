//! outreach-backend: the local backend module. It owns the dashboard database's schema (the sqlx
//! migrations for PostgreSQL and SQLite), the metric math shared by every reader, and the reach
//! sketches. Later it answers the dashboard's questions, signs users in and renders exports.
//!
//! Depends on outreach-model, sqlx and small helpers; never on egui or tauri.

pub mod metrics;
pub mod reach;
pub mod schema;
