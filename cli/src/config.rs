//! Which dashboard database `outreach` reads: `--database`, else `OUTREACH_DATABASE_URL` (both
//! through clap), else `database_url` in the config file, else the embedded demo database, built
//! on first use in the OS data directory.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use directories::ProjectDirs;
use outreach_backend::{Dashboard, DashboardError};

/// The settings file, `config.toml` in the OS config directory.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    /// The dashboard database.
    database_url: Option<String>,
}

fn dirs() -> anyhow::Result<ProjectDirs> {
    ProjectDirs::from("", "", "outreach-dashboard")
        .ok_or_else(|| anyhow!("cannot find your home directory: set HOME (or pass --database)"))
}

/// The OS config directory of Outreach Dashboard (config.toml, settings.toml).
pub fn config_dir() -> anyhow::Result<PathBuf> {
    Ok(dirs()?.config_dir().to_path_buf())
}

/// The config file's path.
pub fn config_path() -> anyhow::Result<PathBuf> {
    Ok(config_dir()?.join("config.toml"))
}

/// The demo database's path.
pub fn demo_path() -> anyhow::Result<PathBuf> {
    Ok(dirs()?.data_dir().join("demo.sqlite"))
}

/// The database to read, building the demo database when none is configured.
pub async fn database_url(flag: Option<String>) -> anyhow::Result<String> {
    if let Some(url) = flag.filter(|u| !u.trim().is_empty()) {
        return Ok(url);
    }
    let config = config_path()?;
    if let Some(url) = read_config(&config)?.database_url {
        return Ok(url);
    }
    let demo = demo_path()?;
    if !demo.is_file() {
        eprintln!(
            "No dashboard database is configured (--database, OUTREACH_DATABASE_URL or database_url in {}): building the demo database from synthetic data at {} …",
            config.display(),
            demo.display()
        );
        build_demo(&demo).await?;
    } else if let Err(DashboardError::WrongSchema { found, expected }) =
        Dashboard::connect(&demo.display().to_string()).await
    {
        // Synthetic data only: a demo another version built is rebuilt, not refused.
        eprintln!(
            "The demo database at {} has schema version {found}, this build reads {expected}: rebuilding it …",
            demo.display()
        );
        build_demo(&demo).await?;
    }
    Ok(demo.display().to_string())
}

fn read_config(path: &Path) -> anyhow::Result<ConfigFile> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
        Err(err) => {
            return Err(anyhow!(
                "cannot read the config file {} ({err}): fix its permissions or remove it",
                path.display()
            ));
        }
    };
    toml::from_str(&text).map_err(|err| {
        let reason = err.message().to_owned();
        anyhow!(
            "the config file {} is not valid ({reason}): it holds one setting, database_url = \"postgres://…\"",
            path.display()
        )
    })
}

async fn build_demo(path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|err| {
            anyhow!(
                "cannot create {} for the demo database ({err}): check its permissions or pass --database",
                dir.display()
            )
        })?;
    }
    let today = time::OffsetDateTime::now_utc().date();
    let summary = outreach_etl::demo::build(path, &outreach_etl::demo::default_options(today))
        .await
        .map_err(|err| {
            anyhow!(
                "cannot build the demo database at {}: {err}",
                path.display()
            )
        })?;
    eprintln!(
        "Demo database ready: {} campaigns, {} campaign-days.",
        summary.campaigns, summary.campaign_days
    );
    Ok(())
}

/// The person running the app or the command, as a report's header names them: the OS account
/// (`USER`, or `USERNAME` on Windows) until sign-in gives a name.
pub fn account_name() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|key| std::env::var(key).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "an unknown account".to_owned())
}
