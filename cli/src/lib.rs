//! outreach-cli's library: the dashboard database setting that both `outreach` and the desktop
//! app read (a flag, `OUTREACH_DATABASE_URL`, the config file, else the demo database built on
//! first use).

pub mod config;
