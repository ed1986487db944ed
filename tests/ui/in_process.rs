//! `DashboardApi` over the real backend, in-process, on a demo database: the views suite's and
//! the views benchmark's. It lives here, outside `ui/`, so the view layer never depends on the
//! backend.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use outreach_backend::{DEFAULT_MIN_VOLUME, Dashboard};
use outreach_model::{
    ApiError, CampaignId, CampaignMetrics, CampaignNames, CampaignOrder, CampaignPage, DateRange,
    ErrorCode, ExportOutcome, ExportRequest, Filter, Health, Interval, Metric, Page, Ranking,
    SegmentReport, Session, Summary, Trend, ViewSettings,
};
use outreach_ui::{ApiFuture, DashboardApi};
use outreach_warehouse::synthetic::GenerateOptions;
use time::Date;
use time::macros::date;

/// The demo's last day, and the app's "today".
pub const TODAY: Date = date!(2026 - 11 - 27);

/// The runtime the backend's queries run on; the views poll their answers from the UI thread.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

/// A demo database built with the demo builder of `outreach` in a new temporary directory,
/// and the dashboard over it.
pub fn new_demo() -> (tempfile::TempDir, PathBuf, Arc<Dashboard>) {
    demo_of(&outreach_warehouse::demo::default_options(TODAY))
}

/// A demo database of `options` in a new temporary directory, and the dashboard over it.
pub fn demo_of(options: &GenerateOptions) -> (tempfile::TempDir, PathBuf, Arc<Dashboard>) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("demo.sqlite");
    runtime()
        .block_on(outreach_warehouse::demo::build(&path, options))
        .expect("build the demo database");
    let dashboard = runtime()
        .block_on(Dashboard::connect_demo(&path))
        .expect("open the demo database");
    (dir, path, Arc::new(dashboard))
}

/// The suite's shared demo database, built once.
pub fn demo() -> Arc<Dashboard> {
    static DEMO: OnceLock<(tempfile::TempDir, PathBuf, Arc<Dashboard>)> = OnceLock::new();
    DEMO.get_or_init(new_demo).2.clone()
}

/// `DashboardApi` over the real backend: each question runs on the runtime, and the view
/// polls the task.
pub struct InProcess {
    pub dashboard: Arc<Dashboard>,
    /// The filters of the summaries the view asked for.
    pub summaries_asked: Arc<Mutex<Vec<Filter>>>,
    /// Every page of campaigns the view asked for (the list's and the picker's), in order.
    pub pages_asked: Arc<Mutex<Vec<Page>>>,
    /// The app's settings file (read and written as the shell does, with the backend's
    /// settings module).
    pub settings: PathBuf,
    /// What the save dialog answers: the file chosen, or none when it is cancelled (the
    /// shell's dialog is the only part the suite cannot drive; the export itself is real).
    pub save_as: Arc<Mutex<Option<PathBuf>>>,
    /// The exports asked for.
    pub exports_asked: Arc<Mutex<Vec<ExportRequest>>>,
    /// A sign-in of the shell's, scripted: `None`, no one signs in (the demo); else the
    /// session, which a sign-in fills with `signs_in_as` (the browser and the identity
    /// provider are the shell's: src-tauri's tests drive them for real).
    pub session: Option<Arc<Mutex<Session>>>,
    /// Who a scripted sign-in signs in, with which role.
    pub signs_in_as: (String, outreach_model::Role),
}

impl InProcess {
    /// Over `dashboard`, with a settings file of its own that does not exist yet.
    pub fn new(dashboard: Arc<Dashboard>) -> Self {
        static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let dir = DIR.get_or_init(|| tempfile::tempdir().expect("a temp dir"));
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        InProcess {
            dashboard,
            summaries_asked: Arc::default(),
            pages_asked: Arc::default(),
            settings: dir.path().join(format!("settings-{n}.toml")),
            save_as: Arc::default(),
            exports_asked: Arc::default(),
            session: None,
            signs_in_as: ("vera@example.org".into(), outreach_model::Role::Viewer),
        }
    }

    /// Runs `question` on the runtime; the view polls its task.
    fn ask<T, F>(&self, question: impl FnOnce(Arc<Dashboard>) -> F) -> ApiFuture<T>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, outreach_backend::DashboardError>> + Send + 'static,
    {
        let task = runtime().spawn(question(self.dashboard.clone()));
        Box::pin(async move { answer(task.await) })
    }
}

impl DashboardApi for InProcess {
    fn session(&self) -> ApiFuture<Session> {
        let session = match &self.session {
            Some(session) => lock(session).clone(),
            None => Session {
                demo: true,
                sign_in_configured: false,
                subject: None,
                role: None,
            },
        };
        Box::pin(std::future::ready(Ok(session)))
    }

    fn sign_in(&self) -> ApiFuture<String> {
        let Some(session) = &self.session else {
            return Box::pin(std::future::ready(Err(ApiError::new(
                ErrorCode::BadRequest,
                "no identity provider is configured",
            ))));
        };
        let (subject, role) = self.signs_in_as.clone();
        let mut session = lock(session);
        session.subject = Some(subject.clone());
        session.role = Some(role);
        Box::pin(std::future::ready(Ok(subject)))
    }

    fn sign_out(&self) -> ApiFuture<()> {
        if let Some(session) = &self.session {
            let mut session = lock(session);
            session.subject = None;
            session.role = None;
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn summary(&self, filter: &Filter) -> ApiFuture<Summary> {
        lock(&self.summaries_asked).push(filter.clone());
        let filter = filter.clone();
        self.ask(|d| async move { d.summary(&filter).await })
    }

    fn trend(&self, filter: &Filter, metric: Metric, interval: Interval) -> ApiFuture<Trend> {
        let filter = filter.clone();
        self.ask(move |d| async move { d.trend(&filter, metric, interval).await })
    }

    fn campaigns(
        &self,
        filter: &Filter,
        search: Option<&str>,
        order: CampaignOrder,
        page: Page,
    ) -> ApiFuture<CampaignPage> {
        lock(&self.pages_asked).push(page);
        let filter = filter.clone();
        let search = search.map(str::to_owned);
        self.ask(move |d| async move { d.campaigns(&filter, search.as_deref(), order, page).await })
    }

    fn campaign_names(
        &self,
        range: DateRange,
        search: Option<&str>,
        chosen: &[CampaignId],
        page: Page,
    ) -> ApiFuture<CampaignNames> {
        lock(&self.pages_asked).push(page);
        let (search, chosen) = (search.map(str::to_owned), chosen.to_vec());
        self.ask(move |d| async move {
            d.campaign_names(range, search.as_deref(), &chosen, page)
                .await
        })
    }

    fn campaign_types(&self, range: DateRange) -> ApiFuture<Vec<String>> {
        self.ask(move |d| async move { d.campaign_types(range).await })
    }

    /// With the default minimum volume, as the shell with no configuration.
    fn ranking(&self, filter: &Filter, metric: Metric, count: u32) -> ApiFuture<Ranking> {
        let filter = filter.clone();
        self.ask(
            move |d| async move { d.ranking(&filter, metric, count, DEFAULT_MIN_VOLUME).await },
        )
    }

    fn campaign_metrics(
        &self,
        campaign: CampaignId,
        range: DateRange,
        interval: Interval,
    ) -> ApiFuture<CampaignMetrics> {
        self.ask(move |d| async move { d.campaign_metrics(campaign, range, interval).await })
    }

    fn segments(&self, filter: &Filter) -> ApiFuture<SegmentReport> {
        let filter = filter.clone();
        self.ask(|d| async move { d.segments(&filter).await })
    }

    fn health(&self) -> ApiFuture<Health> {
        self.ask(|d| async move { d.health().await })
    }

    fn settings(&self) -> ApiFuture<ViewSettings> {
        let answer = outreach_backend::settings::read_view(&self.settings)
            .map_err(|err| ApiError::new(ErrorCode::BadRequest, err.to_string()));
        Box::pin(async move { answer })
    }

    fn save_settings(&self, settings: &ViewSettings) -> ApiFuture<()> {
        let answer = outreach_backend::settings::write_view(&self.settings, settings)
            .map_err(|err| ApiError::new(ErrorCode::BadRequest, err.to_string()));
        Box::pin(async move { answer })
    }

    /// As the shell's command, with `save_as` for its dialog.
    fn export(&self, request: &ExportRequest) -> ApiFuture<ExportOutcome> {
        lock(&self.exports_asked).push(request.clone());
        let Some(path) = lock(&self.save_as).clone() else {
            return Box::pin(async { Ok(ExportOutcome::Cancelled) });
        };
        let (dashboard, request) = (self.dashboard.clone(), request.clone());
        let task = runtime().spawn(async move {
            let context = outreach_backend::export::ReportContext {
                generated_by: "views suite".to_owned(),
                generated_at: time::OffsetDateTime::now_utc(),
                min_volume: DEFAULT_MIN_VOLUME,
            };
            outreach_backend::export::export(&dashboard, &request, &path, &context).await
        });
        Box::pin(async move {
            match task.await {
                Ok(Ok(done)) => Ok(ExportOutcome::Written(done)),
                Ok(Err(err)) => Err(ApiError::new(ErrorCode::Unavailable, err.to_string())),
                Err(err) => Err(ApiError::new(ErrorCode::Internal, err.to_string())),
            }
        })
    }
}

/// The IPC's form of a task's outcome.
fn answer<T>(
    outcome: Result<Result<T, outreach_backend::DashboardError>, tokio::task::JoinError>,
) -> Result<T, ApiError> {
    match outcome {
        Ok(result) => result.map_err(ApiError::from),
        Err(err) => Err(ApiError::new(ErrorCode::Internal, err.to_string())),
    }
}

/// The backend's answer, asked directly.
pub fn ask<T>(question: impl Future<Output = Result<T, outreach_backend::DashboardError>>) -> T {
    runtime().block_on(question).expect("the backend answers")
}

/// The list, even if a test thread panicked while holding it.
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
