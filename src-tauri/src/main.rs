//! outreach-desktop: the Tauri shell of Outreach Dashboard. It owns the window, holds the
//! backend, and answers the view layer's questions: one command per question, each one line
//! into the backend. No SQL and no metric math here.

// No console window behind the app on Windows.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod state;
mod telemetry;

fn main() -> std::process::ExitCode {
    telemetry::init();
    let built = tauri::Builder::default()
        .manage(state::Backend::default())
        .setup(|app| {
            // Open the database (building the demo on first use) while the window appears.
            let backend = tauri::Manager::state::<state::Backend>(app).inner().clone();
            tauri::async_runtime::spawn(async move {
                let _ = backend.dashboard().await;
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::summary,
            commands::trend,
            commands::campaigns,
            commands::campaign_metrics,
            commands::segments,
            commands::settings,
            commands::save_settings,
            commands::health,
            commands::export
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
