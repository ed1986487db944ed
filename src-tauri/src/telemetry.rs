//! Logs: appended to `outreach-dashboard.log` in the OS's local data directory
//! (`…/outreach-dashboard/logs`), at `info` unless `RUST_LOG` says otherwise. Without a home
//! directory the app runs without logs rather than not at all.

use tracing_subscriber::EnvFilter;

/// Sets up the one subscriber of the app.
pub fn init() {
    let Some(dirs) = directories::ProjectDirs::from("", "", "outreach-dashboard") else {
        return;
    };
    let logs = dirs.data_local_dir().join("logs");
    let file = std::fs::create_dir_all(&logs).and_then(|()| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(logs.join("outreach-dashboard.log"))
    });
    let Ok(file) = file else {
        return;
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .init();
}
