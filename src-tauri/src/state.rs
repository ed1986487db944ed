//! The backend the commands share: the configuration and the dashboard database, opened on
//! first use. A failure to open is not kept: the next question (a Retry) tries again, so an app
//! started while the database is down recovers once it is up.

use std::sync::Arc;

use outreach_backend::Dashboard;
use outreach_backend::config::{Config, Database, Overrides};
use outreach_backend::paths::{AppDirs, NoHome};
use outreach_model::{ApiError, ErrorCode};
use outreach_warehouse::demo::{self, DemoOutcome};
use tokio::sync::OnceCell;

/// The dashboard as opened, with the configuration it was opened with.
#[derive(Debug)]
pub struct Opened {
    /// The questions.
    pub dashboard: Dashboard,
    /// The configuration (the ranking's minimum, and next the sign-in's).
    pub config: Config,
}

/// The app's backend: where its files are, what overrides its configuration, and the dashboard
/// once it is open.
#[derive(Debug, Clone)]
pub struct Backend {
    dirs: Result<AppDirs, NoHome>,
    overrides: Overrides,
    opened: Arc<OnceCell<Arc<Opened>>>,
}

impl Backend {
    /// The backend of the app's files in `dirs`, its configuration read from them and the
    /// environment, under `overrides`.
    pub fn new(dirs: Result<AppDirs, NoHome>, overrides: Overrides) -> Self {
        Backend {
            dirs,
            overrides,
            opened: Arc::default(),
        }
    }

    /// The app's directories, or why there are none.
    pub fn dirs(&self) -> Result<&AppDirs, ApiError> {
        self.dirs
            .as_ref()
            .map_err(|err| ApiError::new(ErrorCode::Unavailable, err.to_string()))
    }

    /// The open dashboard, opening it (and building the demo) when it is not yet: a failure is
    /// answered, and the next call tries again.
    pub async fn opened(&self) -> Result<Arc<Opened>, ApiError> {
        let opened = self
            .opened
            .get_or_try_init(|| open_on_a_blocking_thread(self.clone()))
            .await?;
        Ok(opened.clone())
    }
}

/// Opening (and building the demo) holds futures the compiler cannot prove `Send` (sqlx's
/// migrations over a borrowed connection), so it runs to completion on a blocking thread.
async fn open_on_a_blocking_thread(backend: Backend) -> Result<Arc<Opened>, ApiError> {
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || runtime.block_on(open(&backend)))
        .await
        .unwrap_or_else(|err| {
            Err(ApiError::new(
                ErrorCode::Internal,
                format!("opening the dashboard database stopped: {err}"),
            ))
        })
}

async fn open(backend: &Backend) -> Result<Arc<Opened>, ApiError> {
    let dirs = backend.dirs()?;
    let config = Config::load(dirs, backend.overrides.clone())
        .map_err(|err| ApiError::new(ErrorCode::Unavailable, err.to_string()))?;
    let dashboard = match &config.database {
        Database::Configured(url) => Dashboard::connect(url.expose()).await?,
        Database::Demo => {
            let path = dirs.demo_database();
            let today = time::OffsetDateTime::now_utc().date();
            let outcome = demo::ensure(&path, today, |work| {
                tracing::info!(?work, path = %path.display(), "building the demo database");
            })
            .await
            .map_err(|err| ApiError::new(ErrorCode::Unavailable, err.to_string()))?;
            if let DemoOutcome::Built { summary, .. } = outcome {
                tracing::info!(
                    campaigns = summary.campaigns,
                    campaign_days = summary.campaign_days,
                    "the demo database is ready"
                );
            }
            Dashboard::connect_demo(&path).await?
        }
    };
    tracing::info!(store = %dashboard.store().kind(), "opened the dashboard database");
    Ok(Arc::new(Opened { dashboard, config }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_down_at_launch_answers_once_it_is_up() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let home = tempfile::tempdir().expect("a home");
        // A port nothing listens on yet: the database is down.
        let port = outreach_testkit::free_port();
        let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        let backend = Backend::new(
            Ok(AppDirs::under(home.path())),
            Overrides {
                database: Some(url),
                min_volume: None,
            },
        );
        let down = runtime
            .block_on(backend.opened())
            .expect_err("the database is down");
        assert_eq!(down.code, ErrorCode::Unavailable, "{down:?}");
        assert!(
            down.message.contains("cannot reach the dashboard database"),
            "{down:?}"
        );

        // The database comes up (a cluster of the test's own, on that port), with the schema.
        let _cluster = outreach_testkit::Cluster::start(port);
        runtime.block_on(async {
            use sqlx::Connection;
            let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
            let mut conn = sqlx::PgConnection::connect(&url)
                .await
                .expect("the new cluster");
            outreach_backend::schema::POSTGRES
                .run(&mut conn)
                .await
                .expect("the schema");
        });
        let opened = runtime
            .block_on(backend.opened())
            .expect("the retry answers");
        let health = runtime
            .block_on(opened.dashboard.health())
            .expect("a question answers");
        assert!(health.reachable && !health.demo, "{health:?}");
        // Opened once: the next call is the same dashboard.
        let again = runtime.block_on(backend.opened()).expect("open");
        assert!(Arc::ptr_eq(&opened, &again));
    }

    #[test]
    fn no_home_is_said_on_every_question() {
        let backend = Backend::new(Err(NoHome), Overrides::default());
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        let err = runtime.block_on(backend.opened()).expect_err("no home");
        assert_eq!(err.code, ErrorCode::Unavailable);
        assert!(err.message.contains("set HOME"), "{err:?}");
    }
}
