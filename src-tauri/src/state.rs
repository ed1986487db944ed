//! The backend the commands share: the configuration and the dashboard database, opened on
//! first use. A failure to open is not kept: the next question (a Retry) tries again, so an app
//! started while the database is down recovers once it is up.

use std::sync::Arc;

use outreach_backend::Dashboard;
use outreach_backend::audit::queue::{AuditQueue, queue_key};
use outreach_backend::config::{Config, Database, DatabaseUrl, Overrides};
use outreach_backend::paths::{AppDirs, NoHome};
use outreach_backend::signin::keychain::Keychain;
use outreach_backend::signin::session::KeptSession;
use outreach_backend::signin::{self, Provider, SignInError, Tokens};
use outreach_model::{ApiError, ErrorCode, Session};
use outreach_warehouse::demo::{self, DemoOutcome};
use std::sync::RwLock;
use std::time::Instant;

/// The dashboard as opened, with the configuration it was opened with.
#[derive(Debug)]
pub struct Opened {
    /// The questions.
    pub dashboard: Dashboard,
    /// The configuration (the ranking's minimum, the sign-in's).
    pub config: Config,
    /// When a person is signed in: the queue their audit events go through.
    pub audit: Option<AuditQueue>,
    /// The sign-in, kept fresh while the app runs.
    pub session: Option<KeptSession>,
}

/// The app's backend: where its files are, what overrides its configuration, and the dashboard
/// once it is open.
#[derive(Debug, Clone)]
pub struct Backend {
    dirs: Result<AppDirs, NoHome>,
    overrides: Overrides,
    opened: Arc<RwLock<Option<Arc<Opened>>>>,
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
        if let Some(opened) = self.current() {
            return Ok(opened);
        }
        let asked = Instant::now();
        let mut attempt = self.attempt.lock().await;
        if let Some(opened) = self.current() {
            return Ok(opened);
        }
        if let Some((failed_at, err)) = attempt.as_ref()
            && *failed_at > asked
        {
            return Err(err.clone());
        }
        match open_on_a_blocking_thread(self.clone()).await {
            Ok(opened) => {
                self.keep(opened.clone());
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

impl Backend {
    fn current(&self) -> Option<Arc<Opened>> {
        self.opened
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn keep(&self, opened: Arc<Opened>) {
        *self
            .opened
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(opened);
    }

    /// Signs a person in: the identity provider's page in the browser (`open` opens it), the
    /// refresh token into the OS keychain, then the dashboard opened as that person. Their
    /// subject.
    pub async fn sign_in(
        &self,
        open: impl FnOnce(&str) -> Result<(), String> + Send,
        timeout: std::time::Duration,
    ) -> Result<String, ApiError> {
        let dirs = self.dirs()?.clone();
        let config = Config::load(&dirs, self.overrides.clone())
            .map_err(|err| ApiError::new(ErrorCode::Unavailable, err.to_string()))?;
        let (Some(sign_in), Database::Configured(url)) = (&config.sign_in, &config.database) else {
            return Err(ApiError::new(
                ErrorCode::BadRequest,
                "no identity provider is configured: the demo database needs no sign-in (docs/security.md says how to configure one)",
            ));
        };
        let url = url.clone();
        let mut provider = Provider::discover(sign_in.clone())
            .await
            .map_err(sign_in_error)?;
        let keychain = Keychain::for_provider(provider.config());
        let tokens = signin::sign_in(&mut provider, &keychain, open, timeout)
            .await
            .map_err(sign_in_error)?;
        let subject = tokens.subject.clone();
        let _attempt = self.attempt.lock().await;
        let opened = signed_in(&dirs, config, &url, provider, keychain, tokens).await?;
        self.keep(Arc::new(opened));
        tracing::info!("signed in");
        Ok(subject)
    }

    /// Signs out: the refresh token leaves the keychain and the dashboard is closed (the next
    /// question asks to sign in again).
    pub async fn sign_out(&self) -> Result<(), ApiError> {
        let dirs = self.dirs()?;
        let config = Config::load(dirs, self.overrides.clone())
            .map_err(|err| ApiError::new(ErrorCode::Unavailable, err.to_string()))?;
        if let Some(sign_in) = &config.sign_in {
            signin::sign_out(&Keychain::for_provider(sign_in))
                .await
                .map_err(sign_in_error)?;
        }
        let _attempt = self.attempt.lock().await;
        let opened = self
            .opened
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        // Recorded in the trail when the database answers; the keychain is empty either way.
        if let Some(opened) = opened
            && let Err(err) = opened.dashboard.sign_out().await
        {
            tracing::warn!(%err, "the sign-out could not be recorded");
        }
        tracing::info!("signed out");
        Ok(())
    }

    /// How the app is signed in, for the view layer: a sign-in screen, "Demo: no sign-in", or
    /// the person and their role (which hides Export from a viewer).
    pub async fn session(&self) -> Result<Session, ApiError> {
        let dirs = self.dirs()?;
        let config = Config::load(dirs, self.overrides.clone())
            .map_err(|err| ApiError::new(ErrorCode::Unavailable, err.to_string()))?;
        let sign_in_configured =
            config.sign_in.is_some() && matches!(config.database, Database::Configured(_));
        let mut session = Session {
            demo: matches!(config.database, Database::Demo),
            sign_in_configured,
            subject: None,
            role: None,
        };
        let ended = |opened: &Opened| {
            opened.session.as_ref().is_some_and(|session| {
                matches!(
                    session.state(),
                    outreach_backend::signin::session::SessionState::Ended(_)
                )
            })
        };
        // A sign-in kept in the keychain is resumed here rather than shown the sign-in screen
        // (a failure to resume is that screen).
        let opened = if sign_in_configured {
            self.opened().await.ok()
        } else {
            self.current()
        };
        if let Some(opened) = opened
            && !ended(&opened)
            && let Some(identity) = opened.dashboard.identity().await?
        {
            session.subject = Some(identity.subject);
            session.role = Some(identity.role);
        }
        Ok(session)
    }
}

/// A sign-in's failure as the view layer shows it: what to do.
fn sign_in_error(err: SignInError) -> ApiError {
    let code = match err {
        SignInError::Discovery { .. } | SignInError::TokenRequest(_) => ErrorCode::Unavailable,
        _ => ErrorCode::SignIn,
    };
    ApiError::new(code, err.to_string())
}

/// The dashboard opened as the person of `tokens`: their sign-in kept fresh, their audit
/// queue, and what an earlier run could not send sent first.
async fn signed_in(
    dirs: &AppDirs,
    config: Config,
    url: &DatabaseUrl,
    provider: Provider,
    keychain: Keychain,
    tokens: Tokens,
) -> Result<Opened, ApiError> {
    let queue = AuditQueue::open(&dirs.audit_queue(&queue_key(
        &provider.config().issuer,
        &tokens.subject,
        url.expose(),
    )))
    .map_err(|err| ApiError::new(ErrorCode::Unavailable, err.to_string()))?;
    let session = KeptSession::start(provider, Arc::new(keychain), tokens);
    let dashboard = Dashboard::connect_signed_in(url.expose(), session.sign_in()).await?;
    match dashboard.send_queued(&queue).await {
        Ok(delivery) if !delivery.recorded() => {
            tracing::warn!(?delivery, "audit events wait to be recorded");
        }
        Ok(_) => {}
        Err(err) => tracing::warn!(%err, "the audit queue cannot be read"),
    }
    Ok(Opened {
        dashboard,
        config,
        audit: Some(queue),
        session: Some(session),
    })
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
    if let (Database::Configured(url), Some(sign_in)) = (&config.database, &config.sign_in)
        && is_postgres(url.expose())
    {
        // The person signed in before (the keychain holds their refresh token), or the view
        // layer shows the sign-in screen.
        let mut provider = Provider::discover(sign_in.clone())
            .await
            .map_err(sign_in_error)?;
        let keychain = Keychain::for_provider(provider.config());
        let tokens = signin::resume(&mut provider, &keychain)
            .await
            .map_err(sign_in_error)?;
        let url = url.clone();
        let opened = signed_in(dirs, config, &url, provider, keychain, tokens).await?;
        tracing::info!("opened the dashboard database, signed in");
        return Ok(Arc::new(opened));
    }
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
    Ok(Arc::new(Opened {
        dashboard,
        config,
        audit: None,
        session: None,
    }))
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
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

    /// The parent of [`signed_in_app`]: a real OpenID provider, a dashboard database that
    /// trusts it, and a real Secret Service on a bus of the test's own, which the app's
    /// keychain reaches through `DBUS_SESSION_BUS_ADDRESS`. That variable is read when the
    /// keychain connects, so the app's part runs in a child process started with it set.
    #[test]
    fn a_person_signs_in_from_the_app_and_what_they_do_is_audited() {
        use outreach_testkit::identity::CLIENT_ID;
        use outreach_testkit::keyring::SecretService;
        use outreach_testkit::oidc::IdentityProvider;
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        let idp = IdentityProvider::start(&[("ana@example.org", &["email-analysts"])]);
        let db = runtime.block_on(outreach_testkit::TestDb::new("desktop_signin"));
        let reader = runtime.block_on(async {
            let mut owner = db.connect().await;
            outreach_backend::schema::POSTGRES
                .run(&mut owner)
                .await
                .expect("the schema");
            sqlx::query("SELECT auth.configure($1, $2, 'groups', 60)")
                .bind(&idp.issuer)
                .bind(vec![CLIENT_ID.to_owned()])
                .execute(&mut owner)
                .await
                .expect("trust the provider");
            sqlx::query("SELECT auth.set_keys($1::jsonb)")
                .bind(idp.jwks.to_string())
                .execute(&mut owner)
                .await
                .expect("its keys");
            outreach_testkit::identity::grant(
                &mut owner,
                "email-analysts",
                "analyst",
                None,
                Some(&["Email"]),
            )
            .await;
            db.login_with(outreach_backend::schema::READER_ROLE).await
        });
        let home = tempfile::tempdir().expect("a home");
        let keychain = SecretService::start(home.path());
        let dirs = AppDirs::under(home.path());
        std::fs::create_dir_all(dirs.config_file().parent().expect("a folder"))
            .expect("the config folder");
        std::fs::write(
            dirs.config_file(),
            format!(
                "database_url = \"{}\"\n[sign_in]\nissuer = \"{}\"\nclient_id = \"{CLIENT_ID}\"\nprompt = \"consent\"\n",
                reader.url(),
                idp.issuer
            ),
        )
        .expect("write the config");
        let output = std::process::Command::new(std::env::current_exe().expect("this test"))
            .args([
                "--exact",
                "state::tests::signed_in_app",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &keychain.address)
            .env("OUTREACH_TEST_HOME", home.path())
            .env("OIDC_BROWSER_LOGIN", "ana@example.org")
            .output()
            .expect("run the app's part");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.status.success(), "{printed}");
        assert!(
            printed.contains("1 passed"),
            "the app's part ran: {printed}"
        );

        // The trail, read as the owner: the person the database verified, each thing done.
        let rows: Vec<(String, Option<String>, String, serde_json::Value)> =
            runtime.block_on(async {
                let mut owner = db.connect().await;
                sqlx::query_as::<_, (String, Option<String>, String, String)>(
                    "SELECT actor, role, kind, detail::text FROM audit.events ORDER BY seq",
                )
                .fetch_all(&mut owner)
                .await
                .expect("the trail")
                .into_iter()
                .map(|(actor, role, kind, detail)| {
                    (
                        actor,
                        role,
                        kind,
                        serde_json::from_str(&detail).expect("JSON"),
                    )
                })
                .collect()
            });
        let ana: Vec<_> = rows
            .iter()
            .filter(|(actor, ..)| actor == "ana@example.org")
            .collect();
        let kinds: Vec<&str> = ana.iter().map(|(_, _, kind, _)| kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["sign_in", "view", "view", "export", "sign_out"],
            "{rows:?}"
        );
        assert_eq!(ana[1].3["question"], "summary");
        assert_eq!(ana[2].3["question"], "segments");
        assert_eq!(ana[3].3["format"], "csv");
        assert!(
            ana[..4]
                .iter()
                .all(|(_, role, ..)| role.as_deref() == Some("analyst"))
        );
        // Nothing of the sign-in is left in the keychain.
        let (_, kept) = keychain.secret_tool(&["search", "service", "outreach-dashboard"]);
        assert!(!kept.contains("secret ="), "{kept}");
    }

    /// The app's part of [`a_person_signs_in_from_the_app_and_what_they_do_is_audited`]: run
    /// by it, with the keychain's bus and the home it prepared.
    #[test]
    #[ignore = "run by a_person_signs_in_from_the_app_and_what_they_do_is_audited"]
    fn signed_in_app() {
        let home = std::env::var_os("OUTREACH_TEST_HOME")
            .map(std::path::PathBuf::from)
            .expect("run by a_person_signs_in_from_the_app_and_what_they_do_is_audited");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let backend = Backend::new(Ok(AppDirs::under(&home)), Overrides::default());
        runtime.block_on(async {
            // Before: the app asks the person to sign in.
            let session = backend.session().await.expect("the session");
            assert!(session.sign_in_configured && !session.demo, "{session:?}");
            assert_eq!(session.subject, None);
            let err = backend.opened().await.expect_err("not signed in");
            assert_eq!(err.code, ErrorCode::SignIn, "{err:?}");

            // The browser signs in; the app is signed in as the person the provider names.
            let browser = outreach_testkit::oidc::browser();
            let subject = backend
                .sign_in(
                    move |url| {
                        std::process::Command::new(browser)
                            .arg(url)
                            .spawn()
                            .map(drop)
                            .map_err(|err| err.to_string())
                    },
                    std::time::Duration::from_secs(60),
                )
                .await
                .expect("signed in");
            assert_eq!(subject, "ana@example.org");
            let session = backend.session().await.expect("the session");
            assert_eq!(session.subject.as_deref(), Some("ana@example.org"));
            assert_eq!(session.role, Some(outreach_model::Role::Analyst));
            assert!(session.may_export());

            // Two questions and an export, each recorded.
            let range =
                outreach_model::DateRange::last_days(time::macros::date!(2026 - 11 - 27), 90);
            let filter = serde_json::to_value(outreach_model::Filter::new(range)).expect("JSON");
            crate::ipc::summary(&backend, filter.clone())
                .await
                .expect("a summary");
            crate::ipc::segments(&backend, filter.clone())
                .await
                .expect("segments");
            let request = outreach_model::ExportRequest {
                format: outreach_model::ExportFormat::Csv,
                view: outreach_model::ReportView::Segments,
                filter: outreach_model::Filter::new(range),
                paper: outreach_model::PaperSize::A4,
                byte_order_mark: false,
            };
            let file = home.join("segments.csv");
            crate::ipc::export_to(&backend, &request, &file)
                .await
                .expect("an export");
            assert!(file.is_file());

            // Signing out ends it: the next question asks to sign in again.
            backend.sign_out().await.expect("signed out");
            let err = backend.opened().await.expect_err("signed out");
            assert_eq!(err.code, ErrorCode::SignIn, "{err:?}");
        });
    }
}
