//! The views suite: the egui view layer (outreach-ui) driven as a person would, with
//! egui_kittest, over the real backend in-process on a demo database. The implementation of
//! `DashboardApi` lives here, outside `ui/`, so the view layer never depends on the backend.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use outreach_backend::Dashboard;
use outreach_model::{
    ApiError, Channel, DateRange, ErrorCode, Filter, Health, Interval, Metric, Summary, Trend,
};
use outreach_ui::{ApiFuture, DashboardApi, DashboardApp, format};
use time::Date;
use time::macros::date;

/// The demo's last day, and the app's "today".
const TODAY: Date = date!(2026 - 11 - 27);

/// The runtime the backend's queries run on; the views poll their answers from the UI thread.
fn runtime() -> &'static tokio::runtime::Runtime {
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
fn new_demo() -> (tempfile::TempDir, PathBuf, Arc<Dashboard>) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("demo.sqlite");
    runtime()
        .block_on(outreach_etl::demo::build(
            &path,
            &outreach_etl::demo::default_options(TODAY),
        ))
        .expect("build the demo database");
    let dashboard = runtime()
        .block_on(Dashboard::connect(&path.display().to_string()))
        .expect("open the demo database");
    (dir, path, Arc::new(dashboard))
}

/// The suite's shared demo database, built once.
fn demo() -> Arc<Dashboard> {
    static DEMO: OnceLock<(tempfile::TempDir, PathBuf, Arc<Dashboard>)> = OnceLock::new();
    DEMO.get_or_init(new_demo).2.clone()
}

/// `DashboardApi` over the real backend: each question runs on the runtime, and the view
/// polls the task.
struct InProcess {
    dashboard: Arc<Dashboard>,
    /// How many summaries the view asked for.
    summaries_asked: Arc<AtomicUsize>,
}

impl DashboardApi for InProcess {
    fn summary(&self, filter: &Filter) -> ApiFuture<Summary> {
        self.summaries_asked.fetch_add(1, Ordering::SeqCst);
        let dashboard = self.dashboard.clone();
        let filter = filter.clone();
        let task = runtime().spawn(async move { dashboard.summary(&filter).await });
        Box::pin(async move { answer(task.await) })
    }

    fn trend(&self, filter: &Filter, metric: Metric, interval: Interval) -> ApiFuture<Trend> {
        let dashboard = self.dashboard.clone();
        let filter = filter.clone();
        let task = runtime().spawn(async move { dashboard.trend(&filter, metric, interval).await });
        Box::pin(async move { answer(task.await) })
    }

    fn health(&self) -> ApiFuture<Health> {
        let dashboard = self.dashboard.clone();
        let task = runtime().spawn(async move { dashboard.health().await });
        Box::pin(async move { answer(task.await) })
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

fn harness(dashboard: Arc<Dashboard>) -> Harness<'static, DashboardApp> {
    counted_harness(dashboard).0
}

/// A harness, and the count of summaries its view asks for.
fn counted_harness(
    dashboard: Arc<Dashboard>,
) -> (Harness<'static, DashboardApp>, Arc<AtomicUsize>) {
    let summaries_asked = Arc::new(AtomicUsize::new(0));
    let api = InProcess {
        dashboard,
        summaries_asked: summaries_asked.clone(),
    };
    let app = DashboardApp::new(Box::new(api), TODAY);
    let harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut DashboardApp| app.ui(ui), app);
    (harness, summaries_asked)
}

/// Runs frames until `ready` holds (answers arrive from another thread), or fails after 20 s.
fn settle(
    harness: &mut Harness<'_, DashboardApp>,
    what: &str,
    ready: impl Fn(&Harness<'_, DashboardApp>) -> bool,
) {
    for _ in 0..2_000 {
        harness.step();
        if ready(harness) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the view never showed {what}");
}

fn summary(dashboard: &Dashboard, filter: &Filter) -> Summary {
    runtime()
        .block_on(dashboard.summary(filter))
        .expect("the backend answers")
}

#[test]
fn choosing_sms_shows_the_sms_reach_the_backend_returns() {
    let dashboard = demo();
    let every_channel = Filter::new(DateRange::last_days(TODAY, 30));
    let mut sms_only = every_channel.clone();
    sms_only.channels = vec![Channel::Sms];
    let all = format::count(summary(&dashboard, &every_channel).current.reach);
    let sms = format::count(summary(&dashboard, &sms_only).current.reach);
    assert_ne!(
        all, sms,
        "the demo's SMS reach differs from all channels' reach"
    );

    let mut harness = harness(dashboard);
    settle(&mut harness, "the reach over every channel", |h| {
        h.query_by_label(&all).is_some()
    });
    // The filter bar's chip, not the chart legend's entry below it.
    harness
        .get_all_by_label("SMS")
        .next()
        .expect("the SMS chip")
        .click();
    settle(&mut harness, "the SMS reach", |h| {
        h.query_by_label(&sms).is_some()
    });
    assert!(
        harness.query_by_label(&all).is_none(),
        "the old figure is gone"
    );
    assert_eq!(harness.state().filter(), &sms_only);

    harness.get_by_label("All channels").click();
    settle(&mut harness, "the reach over every channel again", |h| {
        h.query_by_label(&all).is_some()
    });
}

#[test]
fn the_status_bar_names_the_demo_database_and_the_time_zone() {
    let mut harness = harness(demo());
    settle(&mut harness, "the status bar", |h| {
        h.query_by_label_contains("Demo database (synthetic data)")
            .is_some()
    });
    for part in [
        "days in UTC",
        &format!("data up to {TODAY}"),
        "last ETL run",
    ] {
        assert!(
            harness.query_by_label_contains(part).is_some(),
            "the status bar says {part:?}"
        );
    }
}

#[test]
fn a_failed_question_says_what_happened_and_offers_a_retry() {
    use sqlx::{Connection, Executor};
    let (_dir, path, dashboard) = new_demo();
    // The database loses the tables the summary reads, as a damaged file would.
    runtime().block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .expect("a second connection");
        conn.execute("DROP TABLE channel_metrics_daily; DROP TABLE campaign_metrics_daily")
            .await
            .expect("break the database");
    });

    let (mut harness, summaries_asked) = counted_harness(dashboard);
    // The summary's failure (the trend's, with its own retry, may come first).
    let failed = |h: &Harness<'_, DashboardApp>| {
        h.query_by_label("Retry").is_some()
            && h.query_all_by_label_contains("the dashboard database failed while")
                .next()
                .is_some()
    };
    settle(&mut harness, "the error", failed);
    assert!(
        harness.query_by_label("Reach").is_none(),
        "no tile shows a figure it does not have"
    );
    assert_eq!(summaries_asked.load(Ordering::SeqCst), 1);
    harness.get_by_label("Retry").click();
    settle(&mut harness, "a second question after Retry", |_| {
        summaries_asked.load(Ordering::SeqCst) == 2
    });
    settle(&mut harness, "the error again", failed);
}

#[test]
fn the_trend_follows_the_interval_and_metric_chosen() {
    let mut harness = harness(demo());
    settle(&mut harness, "the daily engagement trend", |h| {
        h.query_by_label("Engagement rate by day").is_some()
    });
    harness.get_by_label("Weekly").click();
    settle(&mut harness, "the weekly trend", |h| {
        h.query_by_label("Engagement rate by week").is_some()
    });
    harness.get_by_label("Metric").click();
    settle(&mut harness, "the metric picker open", |h| {
        h.query_all_by_label("Opt-out rate").count() >= 2
    });
    // The picker's entry: it opens below the KPI tile of the same name.
    harness
        .get_all_by_label("Opt-out rate")
        .last()
        .expect("the picker's entry")
        .click();
    settle(&mut harness, "the weekly opt-out trend", |h| {
        h.query_by_label("Opt-out rate by week").is_some()
    });
}
