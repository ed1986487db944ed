//! Logs: appended to `outreach-dashboard.log` in the OS's place for an app's logs (the
//! backend's `AppDirs::log_dir`), at `info` unless `RUST_LOG` says otherwise. When the file
//! cannot be opened the app runs without logs rather than not at all.

use outreach_backend::paths::AppDirs;
use tracing_subscriber::EnvFilter;

/// Sets up the one subscriber of the app.
pub fn init(dirs: &AppDirs) {
    let logs = dirs.log_dir();
    let file = std::fs::create_dir_all(logs).and_then(|()| {
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
        // Each command's time when it ends ("close time.busy=… time.idle=…"): how long the
        // backend took over a question, apart from the IPC around it.
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(std::sync::Mutex::new(file))
        .init();
}
