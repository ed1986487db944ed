//! The backend the commands share: the configuration and the dashboard database, opened on
//! first use. A failure to open is not kept: the next question (a Retry) tries again, so an app
//! started while the database is down recovers once it is up.

use std::sync::Arc;

use outreach_backend::Dashboard;
use outreach_backend::config::{Config, Database, Overrides};
use outreach_backend::paths::{AppDirs, NoHome};
use outreach_model::{ApiError, ErrorCode};
use outreach_warehouse::demo::{self, DemoOutcome};
use std::sync::OnceLock;
use std::time::Instant;

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
    opened: Arc<OnceLock<Arc<Opened>>>,
    /// Held while the dashboard is being opened, with when the last attempt failed and why.
    attempt: Arc<tokio::sync::Mutex<Option<(Instant, ApiError)>>>,
}

impl Backend {
    /// The backend of the app's files in `dirs`, its configuration read from them and the
    /// environment, under `overrides`.
    pub fn new(dirs: Result<AppDirs, NoHome>, overrides: Overrides) -> Self {
        Backend {
            dirs,
            overrides,
            opened: Arc::default(),
            attempt: Arc::default(),
        }
    }

    /// The app's directories, or why there are none.
    pub fn dirs(&self) -> Result<&AppDirs, ApiError> {
        self.dirs
            .as_ref()
            .map_err(|err| ApiError::new(ErrorCode::Unavailable, err.to_string()))
    }

    /// The open dashboard, opening it (and building the demo) when it is not yet. One attempt
    /// runs at a time, and the questions that waited for it share its failure (the overview
    /// asks a dozen at once: they fail together after one connection timeout, not one after
    /// another); a question asked after a failure tries again.
    pub async fn opened(&self) -> Result<Arc<Opened>, ApiError> {
        if let Some(opened) = self.opened.get() {
            return Ok(opened.clone());
        }
        let asked = Instant::now();
        let mut attempt = self.attempt.lock().await;
        if let Some(opened) = self.opened.get() {
            return Ok(opened.clone());
        }
        if let Some((failed_at, err)) = attempt.as_ref()
            && *failed_at > asked
        {
            return Err(err.clone());
        }
        match open_on_a_blocking_thread(self.clone()).await {
            Ok(opened) => {
                let opened = self.opened.get_or_init(|| opened).clone();
                *attempt = None;
                Ok(opened)
            }
            Err(err) => {
                *attempt = Some((Instant::now(), err.clone()));
                Err(err)
            }
        }
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

    /// A server that accepts connections and never answers (a database that hangs): each
    /// attempt to open waits out the connection timeout. The questions asked together share
    /// one attempt and its failure, so the last is answered after one timeout, not a dozen.
    #[test]
    fn questions_waiting_on_a_hung_database_share_one_attempt() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let accepted = Arc::new(AtomicUsize::new(0));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("a loopback port");
        let port = listener.local_addr().expect("its port").port();
        let counter = accepted.clone();
        runtime.spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                held.push(socket);
            }
        });
        let home = tempfile::tempdir().expect("a home");
        let backend = Backend::new(
            Ok(AppDirs::under(home.path())),
            Overrides {
                database: Some(format!("postgres://reader@127.0.0.1:{port}/dashboard")),
                min_volume: None,
            },
        );
        // One question alone: how many connections one attempt makes.
        let alone = runtime
            .block_on(backend.opened())
            .expect_err("the database hangs");
        assert_eq!(alone.code, ErrorCode::Unavailable, "{alone:?}");
        let per_attempt = accepted.swap(0, Ordering::SeqCst);
        assert!(per_attempt >= 1, "the attempt reached the server");

        // A dozen at once, as the overview asks.
        let started = Instant::now();
        let failures = runtime.block_on(async {
            let asked: Vec<_> = (0..12)
                .map(|_| {
                    let backend = backend.clone();
                    tokio::spawn(async move { backend.opened().await })
                })
                .collect();
            let mut failures = Vec::new();
            for question in asked {
                failures.push(question.await.expect("a task").expect_err("hung"));
            }
            failures
        });
        let waited = started.elapsed();
        assert!(
            failures.iter().all(|err| err == &failures[0]),
            "{failures:?}"
        );
        assert!(
            failures[0]
                .message
                .contains("cannot reach the dashboard database"),
            "{failures:?}"
        );
        assert_eq!(
            accepted.load(Ordering::SeqCst),
            per_attempt,
            "one attempt for the twelve questions"
        );
        let timeout = outreach_backend::store::CONNECT_TIMEOUT;
        assert!(
            waited < timeout * 3,
            "the last answer came after {waited:?}, one attempt takes about {timeout:?}"
        );
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
