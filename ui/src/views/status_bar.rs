//! The status bar: which database answers, how fresh its data is, and the reporting time zone.

use outreach_model::{Health, StoreKind};

use crate::theme;

/// The status line for `health`.
pub fn status_text(health: &Health) -> String {
    let database = match (health.demo, health.store) {
        (true, _) => "Demo: no sign-in · synthetic data",
        (false, StoreKind::Postgres) => "Dashboard database (PostgreSQL)",
        (false, StoreKind::Sqlite) => "Dashboard database (SQLite file)",
    };
    let as_of = match health.latest_metric_date {
        Some(day) => format!("data up to {day}"),
        None => "no data yet".to_owned(),
    };
    let last_run = match health.last_run.as_ref().and_then(|run| run.finished_at) {
        Some(finished) => format!("last ETL run {}", finished.date()),
        None => "no ETL run".to_owned(),
    };
    format!(
        "{database} · {as_of} · {last_run} · days in {}",
        health.reporting_time_zone
    )
}

/// The status bar's own state.
#[derive(Debug, Default)]
pub struct StatusBar {}

impl StatusBar {
    /// Shows the status of `health`.
    pub fn ui(&mut self, ui: &mut egui::Ui, health: &Health) {
        let Self {} = self;
        ui.label(egui::RichText::new(status_text(health)).color(theme::palette(ui.ctx()).muted));
    }
}
