//! outreach-cli's library: the dashboard database setting that both `outreach` and the desktop
//! app read (a flag, `OUTREACH_DATABASE_URL`, the config file, else the demo database built on
//! first use), and the desktop app's remembered view (settings.toml).

pub mod config;
pub mod settings;
