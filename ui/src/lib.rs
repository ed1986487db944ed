//! outreach-ui: the egui view layer of Outreach Dashboard. It shows the backend's answers and
//! asks its questions only through [`DashboardApi`]; every number on screen comes from an
//! answer, none is computed here beyond formatting. It depends on outreach-model and egui, never
//! on sqlx, tokio or tauri (scripts/check-dependencies.sh), so it builds for wasm32, where the
//! desktop shell's webview shows it, and natively, where the tests drive it.

pub mod api;
mod app;
pub mod fetch;
/// Numbers as shown: shared with the exports (the model's `format`), so a PDF prints what the
/// screen shows.
pub use outreach_model::format;
pub mod theme;
mod views;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use api::{ApiFuture, DashboardApi};
pub use app::{DashboardApp, PageName};
pub use views::campaigns::PAGE_ROWS;
