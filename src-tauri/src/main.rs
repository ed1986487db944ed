//! outreach-desktop: the Tauri shell of Outreach Dashboard. It owns the window, holds the
//! backend, and answers the view layer's questions: one command per question, each one line
//! into the backend through `ipc`, which decodes the webview's arguments. No SQL and no metric
//! math here; the configuration, settings and demo database are the backend's and
//! outreach-warehouse's.

// No console window behind the app on Windows.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod ipc;
mod state;
mod telemetry;

use outreach_backend::config::Overrides;
use outreach_backend::paths::AppDirs;

fn main() -> std::process::ExitCode {
    let dirs = AppDirs::new();
    if let Ok(dirs) = &dirs {
        telemetry::init(dirs);
    }
    let backend = state::Backend::new(dirs, Overrides::default());
    let built = tauri::Builder::default()
        .manage(backend)
        .setup(|app| {
            // Open the database (building the demo on first use) while the window appears.
            let backend = tauri::Manager::state::<state::Backend>(app).inner().clone();
            tauri::async_runtime::spawn(async move {
                if let Err(err) = backend.opened().await {
                    tracing::warn!(%err, "the dashboard database did not open at launch");
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::summary,
            commands::trend,
            commands::campaigns,
            commands::campaign_names,
            commands::campaign_types,
            commands::ranking,
            commands::campaign_metrics,
            commands::segments,
            commands::settings,
            commands::save_settings,
            commands::health,
            commands::export,
            commands::session,
            commands::sign_in,
            commands::sign_out
        ])
        .run(tauri::generate_context!());
    match built {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(%err, "the app could not start");
            eprintln!("Outreach Dashboard could not start: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
