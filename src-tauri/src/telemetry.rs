//! Logs: appended to `outreach-dashboard.log` in the OS's place for an app's logs
//! (`~/Library/Logs/outreach-dashboard` on macOS; the local data directory's
//! `outreach-dashboard/logs` on Windows and Linux, where the OS names none), at `info` unless
//! `RUST_LOG` says otherwise. Without a home directory the app runs without logs rather than
//! not at all.

use std::path::PathBuf;

use tracing_subscriber::EnvFilter;

/// The directory of the app's log file.
fn log_dir(dirs: &directories::ProjectDirs) -> PathBuf {
    if cfg!(target_os = "macos")
        && let Some(base) = directories::BaseDirs::new()
    {
        return base.home_dir().join("Library/Logs/outreach-dashboard");
    }
    dirs.data_local_dir().join("logs")
}

/// Sets up the one subscriber of the app.
pub fn init() {
    let Some(dirs) = directories::ProjectDirs::from("", "", "outreach-dashboard") else {
        return;
    };
    let logs = log_dir(&dirs);
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
