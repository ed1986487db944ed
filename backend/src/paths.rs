//! Where Outreach Dashboard keeps its files, named once for the app and the `outreach` command:
//! `config.toml` (written by people, never by the app), `settings.toml` (the remembered view)
//! and `exports.toml` (the last export folder) in the OS config directory, the demo database in
//! the OS data directory, and the logs in the OS's place for an app's logs.

use std::path::{Path, PathBuf};

/// The app's name in the OS directories.
const APP: &str = "outreach-dashboard";

/// There is no home directory to keep files in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot find your home directory to keep Outreach Dashboard's files in: set HOME (or, for the outreach command, pass --database)"
)]
pub struct NoHome;

/// The app's directories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppDirs {
    config: PathBuf,
    data: PathBuf,
    logs: PathBuf,
}

impl AppDirs {
    /// The OS's directories for the app: `~/.config/outreach-dashboard` and
    /// `~/.local/share/outreach-dashboard` on Linux, `~/Library/Application Support/…` on
    /// macOS, `%APPDATA%\outreach-dashboard` on Windows.
    pub fn new() -> Result<AppDirs, NoHome> {
        let dirs = directories::ProjectDirs::from("", "", APP).ok_or(NoHome)?;
        let logs = match directories::BaseDirs::new() {
            Some(base) if cfg!(target_os = "macos") => {
                base.home_dir().join("Library/Logs").join(APP)
            }
            // Windows and Linux name no place for logs: beside the app's data.
            _ => dirs.data_local_dir().join("logs"),
        };
        Ok(AppDirs {
            config: dirs.config_dir().to_path_buf(),
            data: dirs.data_dir().to_path_buf(),
            logs,
        })
    }

    /// Every directory under `root` (`config`, `data`, `logs`): for tests.
    pub fn under(root: &Path) -> AppDirs {
        AppDirs {
            config: root.join("config"),
            data: root.join("data"),
            logs: root.join("logs"),
        }
    }

    /// The configuration people write: the database, the ranking's minimum.
    pub fn config_file(&self) -> PathBuf {
        self.config.join("config.toml")
    }

    /// The app's remembered view.
    pub fn settings_file(&self) -> PathBuf {
        self.config.join("settings.toml")
    }

    /// Where exports were last saved.
    pub fn exports_file(&self) -> PathBuf {
        self.config.join("exports.toml")
    }

    /// The demo database, built on first use.
    pub fn demo_database(&self) -> PathBuf {
        self.data.join("demo.sqlite")
    }

    /// The queue of audit events not yet recorded by the database, one folder per signed-in
    /// person (`key` names them: see `audit::queue`).
    pub fn audit_queue(&self, key: &str) -> PathBuf {
        self.data.join("audit-queue").join(key)
    }

    /// The folder of the app's log file.
    pub fn log_dir(&self) -> &Path {
        &self.logs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_has_one_place() {
        let dirs = AppDirs::under(Path::new("/home/a"));
        assert_eq!(dirs.config_file(), Path::new("/home/a/config/config.toml"));
        assert_eq!(
            dirs.settings_file(),
            Path::new("/home/a/config/settings.toml")
        );
        assert_eq!(
            dirs.exports_file(),
            Path::new("/home/a/config/exports.toml")
        );
        assert_eq!(dirs.demo_database(), Path::new("/home/a/data/demo.sqlite"));
        assert_eq!(dirs.log_dir(), Path::new("/home/a/logs"));
        assert_eq!(
            dirs.audit_queue("k"),
            Path::new("/home/a/data/audit-queue/k")
        );
    }
}
