//! The views suite: the egui view layer (outreach-ui) driven as a person would, with
//! egui_kittest, over the real backend in-process on a demo database. The implementation of
//! `DashboardApi` lives here, outside `ui/`, so the view layer never depends on the backend.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use egui_kittest::kittest::{self, NodeT as _, Queryable as _};
use egui_kittest::{Harness, HarnessBuilder};
use outreach_backend::DEFAULT_MIN_VOLUME;
use outreach_backend::Dashboard;
use outreach_model::{
    CampaignOrder, CampaignPage, CampaignSort, CampaignStatus, Channel, DateRange, Filter, Metric,
    Page, SegmentCount, Summary,
};
use outreach_ui::{DashboardApp, PageName, format};
use time::macros::date;

mod in_process;
use in_process::{InProcess, TODAY, ask, demo, lock, new_demo, runtime};

fn harness(dashboard: Arc<Dashboard>) -> Harness<'static, DashboardApp> {
    counted_harness(dashboard).0
}

/// A harness on a window `height` points tall, so a long page is laid out whole.
fn tall_harness(dashboard: Arc<Dashboard>, height: f32) -> Harness<'static, DashboardApp> {
    let mut harness = harness(dashboard);
    harness.set_size(egui::vec2(1280.0, height));
    harness
}

/// Every campaign of the list, in the backend's order (`sort`, or its reverse).
fn every_campaign(
    dashboard: &Dashboard,
    filter: &Filter,
    search: Option<&str>,
    sort: impl Into<CampaignOrder>,
) -> CampaignPage {
    let every = Page::new(1, Page::MAX_SIZE).expect("a page");
    ask(dashboard.campaigns(filter, search, sort.into(), every))
}

/// Whether a node labelled `right` is level with, and right of, a node labelled `left`, as in
/// a table's row.
fn in_one_row(harness: &Harness<'_, DashboardApp>, left: &str, right: &str) -> bool {
    harness.query_all_by_label(left).any(|left| {
        let left = left.rect();
        harness.query_all_by_label(right).any(|node| {
            let rect = node.rect();
            (rect.center().y - left.center().y).abs() < 4.0 && rect.left() > left.right()
        })
    })
}

/// Clicks the page's name in the navigation row, the highest of the nodes with that label (the
/// filter bar's campaign picker is also "Campaigns").
fn open_page(harness: &mut Harness<'_, DashboardApp>, page: &str) {
    harness
        .query_all_by_label(page)
        .min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()))
        .expect("the page's name in the navigation row")
        .click();
}

/// The names of the two campaigns of `list` highest on the page.
fn first_two<'a>(harness: &Harness<'_, DashboardApp>, list: &'a CampaignPage) -> Vec<&'a str> {
    let mut shown: Vec<(f32, &str)> = list
        .campaigns
        .iter()
        .filter_map(|c| {
            let node = harness.query_all_by_label(&c.campaign_name).next()?;
            Some((node.rect().top(), c.campaign_name.as_str()))
        })
        .collect();
    shown.sort_by(|a, b| a.0.total_cmp(&b.0));
    shown.into_iter().take(2).map(|(_, name)| name).collect()
}

/// A harness, and the filters of the summaries its view asks for.
fn counted_harness(
    dashboard: Arc<Dashboard>,
) -> (Harness<'static, DashboardApp>, Arc<Mutex<Vec<Filter>>>) {
    let api = InProcess::new(dashboard);
    let summaries_asked = api.summaries_asked.clone();
    (harness_on(api), summaries_asked)
}

/// A harness over `api`, on a window of 1280 by 800 points.
fn harness_on(api: InProcess) -> Harness<'static, DashboardApp> {
    new_harness(api, |builder| builder)
}

/// The suite's one way to build a harness: the app over `api` on a window of 1280 by 800
/// points, with what `configure` adds (a theme, a renderer).
fn new_harness(
    api: InProcess,
    configure: impl FnOnce(HarnessBuilder<DashboardApp>) -> HarnessBuilder<DashboardApp>,
) -> Harness<'static, DashboardApp> {
    let app = DashboardApp::new(Box::new(api), TODAY);
    configure(Harness::builder().with_size([1280.0, 800.0]))
        .build_ui_state(|ui, app: &mut DashboardApp| app.ui(ui), app)
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
            // A few frames more, as a person looks before clicking: a new table measures its
            // columns in a first pass whose places are not yet the final ones.
            for _ in 0..3 {
                harness.step();
            }
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the view never showed {what}");
}

/// Opens the picker labelled `picker` and chooses `option` in it: of the nodes labelled
/// `option` that were not there before it opened (a KPI's or a table's may be elsewhere on the
/// page), the one nearest below the picker, once every answer is on screen.
fn choose(harness: &mut Harness<'_, DashboardApp>, picker: &str, option: &str) {
    let ids = |h: &Harness<'_, DashboardApp>| -> Vec<_> {
        h.query_all_by_label(option)
            .map(|node| node.accesskit_node().id())
            .collect()
    };
    // Every answer on screen first: a table arriving later would add nodes of the same label.
    settle(harness, "every answer before opening the picker", |h| {
        !h.state().is_loading()
    });
    let before = ids(harness);
    // The picker: the highest node its label names that is not the label itself.
    let button = || {
        harness
            .query_all_by_label(picker)
            .filter(|node| node.accesskit_node().role() != egui::accesskit::Role::Label)
            .min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()))
            .expect("the picker")
    };
    let under = button().rect().bottom();
    button().click();
    settle(harness, &format!("{option:?} in the open picker"), |h| {
        ids(h).len() > before.len()
    });
    harness
        .query_all_by_label(option)
        .filter(|node| !before.contains(&node.accesskit_node().id()))
        .min_by(|a, b| {
            let distance = |node: &egui_kittest::Node<'_>| (node.rect().top() - under).abs();
            distance(a).total_cmp(&distance(b))
        })
        .expect("the picker's option")
        .click();
}

fn summary(dashboard: &Dashboard, filter: &Filter) -> Summary {
    ask(dashboard.summary(filter))
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
    // The SMS reach in the tile and in the channels' table (where it was before), and the
    // reach of every channel nowhere.
    settle(
        &mut harness,
        "the SMS reach instead of the old figure",
        |h| h.query_all_by_label(&sms).count() == 2 && h.query_by_label(&all).is_none(),
    );
    assert_eq!(harness.state().filter(), &sms_only);

    harness.get_by_label("All channels").click();
    settle(&mut harness, "the reach over every channel again", |h| {
        h.query_by_label(&all).is_some()
    });
}

/// The widget `label` is centred within 8 pixels of `at`, where scripts/e2e-app.py clicks it
/// (its AT table, at 1280 by 800).
fn assert_drawn_at(harness: &Harness<'_, DashboardApp>, label: &str, at: (f32, f32)) {
    let centre = harness.get_by_label(label).rect().center();
    assert!(
        (centre.x - at.0).abs() < 8.0 && (centre.y - at.1).abs() < 8.0,
        "{label} moved to {centre:?}: update AT in scripts/e2e-app.py"
    );
}

#[test]
fn a_sign_in_screen_until_someone_signs_in_and_no_export_for_a_viewer() {
    let mut api = InProcess::new(demo());
    let session = Arc::new(std::sync::Mutex::new(outreach_model::Session {
        demo: false,
        sign_in_configured: true,
        subject: None,
        role: None,
    }));
    api.session = Some(session.clone());
    let mut harness = harness_on(api);
    settle(&mut harness, "the sign-in screen", |h| {
        h.query_by_label("Sign in").is_some()
    });
    assert!(
        harness.query_by_label("Overview").is_none(),
        "no page before the sign-in"
    );
    assert_eq!(harness.state().title(), "Outreach Dashboard · Sign in");
    // Where scripts/e2e-app.py clicks it (AT["Sign in"]), at 1280 by 800.
    assert_drawn_at(&harness, "Sign in", (640.0, 286.5));
    harness.get_by_label("Sign in").click();
    settle(&mut harness, "the overview, signed in", |h| {
        h.query_by_label_contains("Signed in as vera@example.org")
            .is_some()
            && h.query_by_label_contains("Best and worst campaigns")
                .is_some()
            && !h.state().is_loading()
    });
    assert!(
        harness.query_by_label("Export…").is_none(),
        "a viewer is not offered Export"
    );
    // scripts/e2e-app.py clicks where Export… and CSV… are on the demo: on a viewer's window
    // those clicks must not land on Sign out.
    let sign_out = harness.get_by_label("Sign out").rect();
    for at in [egui::pos2(485.0, 20.0), egui::pos2(539.0, 48.0)] {
        assert!(
            !sign_out.contains(at),
            "{at:?} is on Sign out ({sign_out:?})"
        );
    }

    // Signed out, the screen is back and nothing of the person's answers is on it.
    harness.get_by_label("Sign out").click();
    settle(&mut harness, "the sign-in screen again", |h| {
        h.query_by_label("Sign in").is_some()
    });
    assert!(
        harness
            .query_by_label_contains("Best and worst campaigns")
            .is_none()
    );
    assert_eq!(session.lock().expect("the session").subject, None);
}

#[test]
fn the_demo_offers_export_and_needs_no_sign_in() {
    let mut harness = harness(demo());
    settle(&mut harness, "the overview", |h| {
        h.query_by_label_contains("Best and worst campaigns")
            .is_some()
            && !h.state().is_loading()
    });
    assert!(harness.query_by_label("Sign in").is_none());
    // Where scripts/e2e-app.py clicks them (AT["Export…"], AT["CSV…"]), at 1280 by 800: there
    // the demo opens the save dialog, and a viewer's window, which has no Export, opens none.
    assert_drawn_at(&harness, "Export…", (485.0, 20.5));
    harness.get_by_label("Export…").click();
    settle(&mut harness, "the export menu", |h| {
        h.query_by_label("CSV…").is_some()
    });
    assert_drawn_at(&harness, "CSV…", (539.0, 48.0));
    assert!(
        harness
            .query_by_label_contains("Demo: no sign-in")
            .is_some()
    );
}

#[test]
fn the_status_bar_names_the_demo_database_and_the_time_zone() {
    let mut harness = harness(demo());
    settle(&mut harness, "the status bar", |h| {
        h.query_by_label_contains("Demo: no sign-in · synthetic data")
            .is_some()
    });
    settle(&mut harness, "every answer in", |h| !h.state().is_loading());
    assert_eq!(
        harness.state().title(),
        "Outreach Dashboard · Overview",
        "no failure, nothing loading"
    );
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
    // The window's title, which the end-to-end run reads through WebDriver, says so.
    settle(&mut harness, "every answer or failure in", |h| {
        !h.state().is_loading()
    });
    assert_eq!(
        harness.state().title(),
        "Outreach Dashboard · Overview (failed)"
    );
    assert!(
        harness.query_by_label("Reach").is_none(),
        "no tile shows a figure it does not have"
    );
    // The overview's own summary (the channels' summaries name a channel each).
    let filter = harness.state().filter().clone();
    let of_the_filter = || {
        lock(&summaries_asked)
            .iter()
            .filter(|asked| **asked == filter)
            .count()
    };
    assert_eq!(of_the_filter(), 1);
    harness.get_by_label("Retry").click();
    settle(&mut harness, "a second question after Retry", |_| {
        of_the_filter() == 2
    });
    settle(&mut harness, "the error again", failed);
}

#[test]
fn the_trend_follows_the_interval_and_metric_chosen() {
    let mut harness = harness(demo());
    // Every answer on screen before a click, as a person looks before clicking: an answer
    // arriving in the click's frame can move the button from under it.
    settle(&mut harness, "the daily engagement trend", |h| {
        h.query_by_label("Engagement rate by day").is_some() && !h.state().is_loading()
    });
    harness.get_by_label("Weekly").click();
    settle(&mut harness, "the weekly trend", |h| {
        h.query_by_label("Engagement rate by week").is_some() && !h.state().is_loading()
    });
    choose(&mut harness, "Metric:", "Opt-out rate");
    settle(&mut harness, "the weekly opt-out trend", |h| {
        h.query_by_label("Opt-out rate by week").is_some()
    });
}

#[test]
fn the_campaigns_table_sorts_searches_and_opens_a_campaign() {
    let dashboard = demo();
    let filter = Filter::new(DateRange::last_days(TODAY, 30));
    let by_name = every_campaign(&dashboard, &filter, None, CampaignSort::Name);
    assert!(
        by_name.campaigns.len() > 3,
        "the demo has campaigns in the range"
    );
    let count = format!("{} campaigns", by_name.total);

    let mut harness = tall_harness(dashboard.clone(), 2_400.0);
    open_page(&mut harness, "Campaigns");
    settle(&mut harness, "the campaign count", |h| {
        h.query_by_label(&count).is_some()
    });
    // Names A to Z, each row with the backend's figures.
    let (a, b) = (&by_name.campaigns[0], &by_name.campaigns[1]);
    assert_eq!(
        first_two(&harness, &by_name),
        [a.campaign_name.as_str(), b.campaign_name.as_str()]
    );
    assert!(
        harness
            .query_by_label(&format::rate(a.metrics.engagement_rate))
            .is_some()
    );

    // A header sorts by its metric, highest first; a second click reverses the order.
    let by_rate = every_campaign(
        &dashboard,
        &filter,
        None,
        CampaignSort::Metric(Metric::EngagementRate),
    );
    let best = &by_rate.campaigns[0].campaign_name;
    let second = &by_rate.campaigns[1].campaign_name;
    harness.get_by_label("Engagement rate").click();
    settle(&mut harness, "the best engagement first", |h| {
        first_two(h, &by_name) == [best.as_str(), second.as_str()]
    });
    // Reversed, the lowest rate comes first (campaigns without a rate stay last), as the
    // backend orders it.
    let reversed = every_campaign(
        &dashboard,
        &filter,
        None,
        CampaignOrder::from(CampaignSort::Metric(Metric::EngagementRate)).reverse(),
    );
    let (worst, next) = (
        reversed.campaigns[0].campaign_name.as_str(),
        reversed.campaigns[1].campaign_name.as_str(),
    );
    assert!(
        reversed.campaigns[0].metrics.engagement_rate
            <= reversed.campaigns[1].metrics.engagement_rate
    );
    harness.get_by_label("Engagement rate").click();
    settle(&mut harness, "the order reversed", |h| {
        first_two(h, &by_name) == [worst, next]
    });

    // Searching keeps the campaigns whose name contains the text, as the backend says.
    let word = a
        .campaign_name
        .split_whitespace()
        .max_by_key(|w| w.len())
        .expect("a word in the name")
        .to_owned();
    let found = every_campaign(&dashboard, &filter, Some(&word), CampaignSort::Name);
    let missing = by_name
        .campaigns
        .iter()
        .find(|c| {
            !found
                .campaigns
                .iter()
                .any(|f| f.campaign_id == c.campaign_id)
        })
        .expect("a campaign the search leaves out");
    let search = harness.get_by_label("Search:");
    search.focus();
    search.type_text(&word);
    let found_count = format!("{} campaigns", found.total);
    settle(&mut harness, "the campaigns found", |h| {
        h.query_by_label(&found_count).is_some()
            && h.query_by_label(&missing.campaign_name).is_none()
    });

    // A name opens the campaign's page: its header and its funnel's counts.
    harness.get_by_label(&a.campaign_name).click();
    settle(&mut harness, "the campaign's funnel", |h| {
        h.query_by_label("Funnel").is_some()
    });
    assert_eq!(harness.state().page(), PageName::Campaign);
    assert_eq!(harness.state().campaign(), Some(a.campaign_id));
    assert!(
        harness.query_by_label(&a.campaign_name).is_some(),
        "the page's heading"
    );
    for (step, figure) in [
        ("Sent", a.metrics.sent),
        ("Delivered", a.metrics.impressions),
        ("Opened", a.metrics.opens),
        ("Converted", a.metrics.conversions),
    ] {
        let figure = format::count(figure);
        assert!(
            in_one_row(&harness, step, &figure),
            "the funnel's {step} shows {figure}"
        );
    }
    // Its segments: the backend's drill-down of that one campaign over the range.
    let mut one = Filter::new(filter.range);
    one.campaigns = vec![a.campaign_id];
    let report = ask(dashboard.segments(&one));
    let band = report
        .dimensions
        .iter()
        .find(|row| row.dimension == outreach_model::Dimension::AgeBand)
        .expect("an age band");
    let impressions = format::segment_count(band.metrics.impressions);
    settle(&mut harness, "the campaign's segments", |h| {
        in_one_row(h, &band.value, &impressions)
    });

    // A click elsewhere on a row (its type's cell) opens that row's campaign too.
    open_page(&mut harness, "Campaigns");
    let other = found
        .campaigns
        .iter()
        .rfind(|c| c.campaign_id != a.campaign_id)
        .expect("the search finds another campaign");
    settle(&mut harness, "the campaigns found again", |h| {
        h.query_by_label(&other.campaign_name).is_some()
    });
    // The type's cell: level with the name, in the column headed "Type" (the table's header,
    // below the filter bar's picker of the same name).
    let header = harness
        .query_all_by_label("Type")
        .map(|node| node.rect())
        .max_by(|a, b| a.top().total_cmp(&b.top()))
        .expect("the Type column");
    let at = egui::pos2(
        header.center().x,
        harness.get_by_label(&other.campaign_name).rect().center().y,
    );
    harness.hover_at(at);
    harness.step();
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::default(),
        });
    }
    settle(&mut harness, "the row's campaign opened", |h| {
        h.state().campaign() == Some(other.campaign_id)
    });
}

/// Opens the Export menu and chooses `choice`, then waits for the outcome's message.
fn export_as(harness: &mut Harness<'_, DashboardApp>, choice: &str) {
    settle(harness, "an answer on every panel", |h| {
        !h.state().is_loading()
    });
    harness.get_by_label("Export…").click();
    settle(harness, "the export menu", |h| {
        h.query_by_label(choice).is_some()
    });
    harness.get_by_label(choice).click();
    settle(harness, "the export's outcome", |h| {
        !h.state().is_loading()
            && (h.query_by_label_contains("Saved ").is_some()
                || h.query_by_label_contains("Export cancelled").is_some()
                || h.query_by_label_contains("Export failed").is_some())
    });
}

#[test]
fn each_page_exports_what_it_shows_and_says_where() {
    let dashboard = demo();
    let api = InProcess::new(dashboard.clone());
    let (save_as, asked) = (api.save_as.clone(), api.exports_asked.clone());
    let folder = tempfile::tempdir().expect("a folder");
    let mut harness = harness_on(api);
    harness.get_by_label("Last 7 days").click();

    // The overview as CSV: the trend series of its chart, where the dialog said.
    let csv = folder.path().join("overview.csv");
    *lock(&save_as) = Some(csv.clone());
    export_as(&mut harness, "CSV…");
    let text = std::fs::read_to_string(&csv).expect("the CSV is written");
    let rows = text.lines().count() - 1;
    assert!(
        text.starts_with("period_start,period_end,channel,engagement_rate"),
        "{text}"
    );
    assert!(
        harness
            .query_by_label(&format!("Saved {} ({rows} rows)", csv.display()))
            .is_some(),
        "the message names the file and its rows"
    );
    let request = lock(&asked).last().cloned().expect("an export asked");
    assert_eq!(
        &request.filter,
        harness.state().filter(),
        "the filter on screen"
    );
    assert!(!request.byte_order_mark);

    // The segments page as a US Letter PDF.
    open_page(&mut harness, "Segments");
    let pdf = folder.path().join("segments.pdf");
    *lock(&save_as) = Some(pdf.clone());
    export_as(&mut harness, "PDF report, US Letter…");
    let bytes = std::fs::read(&pdf).expect("the PDF is written");
    assert!(bytes.starts_with(b"%PDF-"));
    let request = lock(&asked).last().cloned().expect("an export asked");
    assert_eq!(request.view, outreach_model::ReportView::Segments);
    assert_eq!(request.paper, outreach_model::PaperSize::Letter);
    assert!(harness.query_by_label_contains("pages)").is_some());

    // A cancelled dialog: nothing is written, and the page says so.
    *lock(&save_as) = None;
    export_as(&mut harness, "CSV for Excel (Windows)…");
    assert!(
        harness
            .query_by_label("Export cancelled; nothing was saved.")
            .is_some()
    );
    assert!(lock(&asked).last().is_some_and(|r| r.byte_order_mark));
    let files = std::fs::read_dir(folder.path()).expect("listed").count();
    assert_eq!(files, 2, "the cancelled export wrote nothing");

    // A folder that cannot be written: the message says what to do, and nothing is left.
    *lock(&save_as) = Some(csv.join("inside-a-file.csv"));
    export_as(&mut harness, "CSV…");
    assert!(
        harness
            .query_by_label_contains("Export failed: cannot write in")
            .is_some()
            && harness
                .query_by_label_contains("Choose a folder you can write to")
                .is_some(),
        "the failure is shown with what to do"
    );
    assert_eq!(std::fs::read_dir(folder.path()).expect("listed").count(), 2);
}

#[test]
fn the_segment_drill_down_never_shows_a_count_from_1_to_10() {
    let dashboard = demo();
    let filter = Filter::new(DateRange::last_days(TODAY, 7));
    let report = ask(dashboard.segments(&filter));
    let suppressed = report
        .segments
        .iter()
        .flat_map(|row| row.metrics.counts())
        .filter(|c| *c == SegmentCount::Suppressed)
        .count();
    assert!(suppressed > 0, "the demo's last week has small cells");

    let mut harness = tall_harness(dashboard, 12_000.0);
    harness.get_by_label("Last 7 days").click();
    open_page(&mut harness, "Segments");
    // By age band first: one row per band the backend returns.
    let first_band = report
        .dimensions
        .iter()
        .find(|row| row.dimension == outreach_model::Dimension::AgeBand)
        .expect("an age band");
    settle(&mut harness, "the age bands", |h| {
        h.query_by_label(&first_band.value).is_some()
    });
    harness.get_by_label("Full segment").click();
    let first_segment = &report.segments[0].member_segment;
    settle(&mut harness, "the full segments", |h| {
        h.query_by_label(first_segment).is_some()
    });
    assert_eq!(
        harness.query_all_by_label("<11").count(),
        suppressed,
        "every suppressed cell shows as <11"
    );
    // No label anywhere is a count from 1 to 10.
    let small = harness
        .query_all(kittest::By::new().predicate(|node| {
            node.label()
                .and_then(|label| label.replace(',', "").parse::<i64>().ok())
                .is_some_and(|n| (1..=10).contains(&n))
        }))
        .count();
    assert_eq!(small, 0, "no count from 1 to 10 is on screen");
}

#[test]
fn the_overview_compares_channels_and_opens_the_best_campaign() {
    let dashboard = demo();
    let filter = Filter::new(DateRange::last_days(TODAY, 30));
    let mut harness = tall_harness(dashboard.clone(), 1_400.0);
    // Each channel's row shows that channel's reach and engagement rate, as the backend says.
    for channel in Channel::ALL {
        let mut one = filter.clone();
        one.channels = vec![*channel];
        let answer = summary(&dashboard, &one);
        let reach = format::count(answer.current.reach);
        let rate = format::rate(answer.current.engagement_rate);
        settle(&mut harness, &format!("the {channel} row"), |h| {
            in_one_row(h, channel.as_str(), &reach) && in_one_row(h, channel.as_str(), &rate)
        });
    }
    // The best campaign by engagement rate, as the backend ranks it, leads the Best list, and
    // opens its page.
    let ranking = ask(dashboard.ranking(&filter, Metric::EngagementRate, 5, DEFAULT_MIN_VOLUME));
    let best = &ranking.best[0];
    let rate = format::rate(Some(best.value));
    settle(&mut harness, "the best campaign", |h| {
        in_one_row(h, &best.campaign_name, &rate)
    });
    harness.get_by_label(&best.campaign_name).click();
    settle(&mut harness, "the best campaign's page", |h| {
        h.state().campaign() == Some(best.campaign_id) && h.query_by_label("Funnel").is_some()
    });
}

/// A harness that renders with wgpu on the CPU (Mesa's lavapipe here), in `theme`.
fn rendering_harness(
    dashboard: Arc<Dashboard>,
    theme: egui::Theme,
) -> Harness<'static, DashboardApp> {
    new_harness(InProcess::new(dashboard), |builder| {
        builder.with_theme(theme).wgpu()
    })
}

/// Waits until the page on screen has every answer, moves the pointer away, and compares the
/// frame with the committed snapshot tests/ui/snapshots/{name}.png (`UPDATE_SNAPSHOTS=1`
/// writes it anew).
fn snapshot(harness: &mut Harness<'_, DashboardApp>, name: &str, shown: &str) {
    settle(harness, shown, |h| {
        !h.state().is_loading() && h.query_all_by_label(shown).next().is_some()
    });
    harness.remove_cursor();
    harness.run_steps(4);
    let options = egui_kittest::SnapshotOptions::new().output_path("ui/snapshots");
    harness.snapshot_options(name, &options);
}

#[test]
fn every_page_matches_its_snapshot_in_light_and_dark() {
    let dashboard = demo();
    let filter = Filter::new(DateRange::last_days(TODAY, 30));
    let first = every_campaign(&dashboard, &filter, None, CampaignSort::Name).campaigns[0]
        .campaign_name
        .clone();
    // Every page is compared before the test fails, so one run shows (and with
    // UPDATE_SNAPSHOTS writes) every difference.
    let mut results = egui_kittest::SnapshotResults::new();
    for (theme, suffix) in [(egui::Theme::Light, "light"), (egui::Theme::Dark, "dark")] {
        let mut harness = rendering_harness(dashboard.clone(), theme);
        snapshot(
            &mut harness,
            &format!("overview_{suffix}"),
            "Best and worst campaigns",
        );
        open_page(&mut harness, "Campaigns");
        snapshot(&mut harness, &format!("campaigns_{suffix}"), &first);
        harness.get_by_label(&first).click();
        snapshot(&mut harness, &format!("campaign_{suffix}"), "Funnel");
        open_page(&mut harness, "Segments");
        snapshot(&mut harness, &format!("segments_{suffix}"), "Plan type");
        results.extend_harness(&mut harness);
    }
    // The overview on a 1920 by 1080 screen as well as on 1280 by 800.
    let mut harness = rendering_harness(dashboard, egui::Theme::Light);
    harness.set_size(egui::vec2(1920.0, 1080.0));
    snapshot(
        &mut harness,
        "overview_1920_light",
        "Best and worst campaigns",
    );
    results.extend_harness(&mut harness);
    results.unwrap();
}

#[test]
fn the_filter_bar_narrows_by_status_type_and_campaign_and_clears() {
    let dashboard = demo();
    let filter = Filter::new(DateRange::last_days(TODAY, 30));
    let all = every_campaign(&dashboard, &filter, None, CampaignSort::Name);
    let mut active = filter.clone();
    active.statuses = vec![CampaignStatus::Active];
    let active_count = every_campaign(&dashboard, &active, None, CampaignSort::Name).total;
    assert!(
        active_count < all.total,
        "the demo has campaigns in other statuses"
    );

    let mut harness = tall_harness(dashboard.clone(), 1_400.0);
    open_page(&mut harness, "Campaigns");
    let count = |n: u64| format!("{n} campaigns");
    settle(&mut harness, "every campaign", |h| {
        h.query_by_label(&count(all.total)).is_some()
    });
    choose(&mut harness, "Status:", "Active");
    settle(&mut harness, "the active campaigns", |h| {
        h.query_by_label(&count(active_count)).is_some()
    });
    assert_eq!(harness.state().filter(), &active);

    // A type of the active campaigns narrows further, as the backend says.
    let kind = every_campaign(&dashboard, &active, None, CampaignSort::Name).campaigns[0]
        .campaign_type
        .clone();
    let mut active_of_kind = active.clone();
    active_of_kind.campaign_types = vec![kind.clone()];
    let kind_count = every_campaign(&dashboard, &active_of_kind, None, CampaignSort::Name).total;
    choose(&mut harness, "Type:", &kind);
    settle(&mut harness, "the active campaigns of one type", |h| {
        h.state().filter() == &active_of_kind && h.query_by_label(&count(kind_count)).is_some()
    });

    harness.get_by_label("Clear filters").click();
    settle(&mut harness, "every campaign again", |h| {
        h.query_by_label(&count(all.total)).is_some()
    });
    assert_eq!(harness.state().filter(), &filter);
}

#[test]
fn the_filter_is_remembered_across_restarts_and_a_damaged_file_is_left_alone() {
    let dashboard = demo();
    let api = InProcess::new(dashboard.clone());
    let path = api.settings.clone();
    let mut harness = harness_on(api);
    settle(&mut harness, "the first answers", |h| {
        !h.state().is_loading()
    });
    harness.get_by_label("Last 7 days").click();
    harness
        .get_all_by_label("SMS")
        .next()
        .expect("the SMS chip")
        .click();
    let mut chosen = Filter::new(DateRange::last_days(TODAY, 7));
    chosen.channels = vec![Channel::Sms];
    settle(&mut harness, "the filter saved", |h| {
        h.state().filter() == &chosen && !h.state().is_loading()
    });
    drop(harness);

    // The next start opens on the same filter, read from the file.
    let again = InProcess {
        settings: path.clone(),
        ..InProcess::new(dashboard.clone())
    };
    let mut harness = harness_on(again);
    settle(&mut harness, "the remembered filter", |h| {
        h.state().filter() == &chosen
    });
    let text = std::fs::read_to_string(&path).expect("the settings file");
    assert!(
        text.contains("last_7_days") && text.contains("SMS"),
        "{text}"
    );
    drop(harness);

    // A damaged file: the app says so, starts on the defaults, and never writes over it.
    std::fs::write(&path, "range = \"last_8_days\"").expect("damage the file");
    let damaged = InProcess {
        settings: path.clone(),
        ..InProcess::new(dashboard)
    };
    let mut harness = harness_on(damaged);
    settle(&mut harness, "the settings' problem", |h| {
        h.query_by_label_contains("are not valid").is_some()
    });
    assert_eq!(
        harness.state().filter(),
        &Filter::new(DateRange::last_days(TODAY, 30))
    );
    harness.get_by_label("Last 90 days").click();
    settle(&mut harness, "the new range", |h| {
        h.state().filter().range == DateRange::last_days(TODAY, 90) && !h.state().is_loading()
    });
    assert_eq!(
        std::fs::read_to_string(&path).expect("the file"),
        "range = \"last_8_days\""
    );
}

/// Presses Tab until the highest node labelled `label` (the navigation's before the filter
/// bar's) has the keyboard focus (at most 200 times).
fn tab_to(harness: &mut Harness<'_, DashboardApp>, label: &str) {
    for _ in 0..200 {
        let highest = harness
            .query_all_by_label(label)
            .min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()));
        if highest.is_some_and(|node| node.is_focused()) {
            return;
        }
        harness.key_press(egui::Key::Tab);
        harness.step();
    }
    panic!("Tab never reached {label:?}");
}

#[test]
fn every_page_and_filter_is_reachable_from_the_keyboard() {
    let dashboard = demo();
    let filter = Filter::new(DateRange::last_days(TODAY, 30));
    let by_name = every_campaign(&dashboard, &filter, None, CampaignSort::Name);
    let mut harness = tall_harness(dashboard.clone(), 1_400.0);
    settle(&mut harness, "the overview", |h| !h.state().is_loading());

    // A channel chip, by Tab and Enter.
    tab_to(&mut harness, "SMS");
    harness.key_press(egui::Key::Enter);
    settle(&mut harness, "SMS chosen", |h| {
        h.state().filter().channels == [Channel::Sms]
    });
    tab_to(&mut harness, "All channels");
    harness.key_press(egui::Key::Space);
    settle(&mut harness, "every channel again", |h| {
        h.state().filter().channels.is_empty()
    });

    // The campaigns page, its search field, and a campaign, all without the mouse.
    tab_to(&mut harness, "Campaigns");
    harness.key_press(egui::Key::Enter);
    let count = format!("{} campaigns", by_name.total);
    settle(&mut harness, "the campaigns page", |h| {
        h.state().page() == PageName::Campaigns && h.query_by_label(&count).is_some()
    });
    tab_to(&mut harness, "Search:");
    let word = "screening";
    harness.get_by_label("Search:").type_text(word);
    let found = every_campaign(&dashboard, &filter, Some(word), CampaignSort::Name);
    let found_count = format!("{} campaigns", found.total);
    settle(&mut harness, "the campaigns found", |h| {
        h.query_by_label(&found_count).is_some()
    });
    let first = &found.campaigns[0];
    tab_to(&mut harness, &first.campaign_name);
    harness.key_press(egui::Key::Enter);
    settle(&mut harness, "the campaign's page", |h| {
        h.state().campaign() == Some(first.campaign_id) && h.query_by_label("Funnel").is_some()
    });
}

#[test]
fn a_custom_range_is_picked_on_calendars_and_a_backwards_one_is_refused() {
    let mut harness = tall_harness(demo(), 1_000.0);
    settle(&mut harness, "the overview", |h| !h.state().is_loading());
    let last_30 = DateRange::last_days(TODAY, 30);
    // The start's calendar, one month back, saved.
    harness.get_by_label(&last_30.start().to_string()).click();
    settle(&mut harness, "the start's calendar", |h| {
        h.query_by_label("<<").is_some()
    });
    harness.get_by_label("<<").click();
    harness.run_steps(3);
    harness.get_by_label("Save").click();
    let start = date!(2026 - 09 - 29);
    let custom = DateRange::new(start, TODAY).expect("a range");
    let previous = custom.previous();
    let caption = format!(
        "{start} to {TODAY}, compared with {} to {}",
        previous.start(),
        previous.end()
    );
    // The overview answers the custom range (the calendar may show its day before Save).
    settle(&mut harness, "the overview over the custom range", |h| {
        h.state().filter().range == custom
            && !h.state().is_loading()
            && h.query_by_label(&caption).is_some()
    });

    // The end a year back, before the start: said, and the filter keeps its range.
    harness.get_by_label(&TODAY.to_string()).click();
    settle(&mut harness, "the end's calendar", |h| {
        h.query_by_label("<<<").is_some()
    });
    harness.get_by_label("<<<").click();
    harness.run_steps(3);
    harness.get_by_label("Save").click();
    settle(&mut harness, "the refusal", |h| {
        h.query_by_label_contains("after its end").is_some()
    });
    assert_eq!(harness.state().filter().range, custom);
}

#[test]
fn a_metric_says_what_it_counts_on_hover_and_an_empty_search_says_why() {
    let mut harness = tall_harness(demo(), 1_000.0);
    settle(&mut harness, "the overview", |h| !h.state().is_loading());
    harness
        .query_all_by_label("Opt-out rate")
        .min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()))
        .expect("the opt-out rate tile")
        .hover();
    settle(&mut harness, "the opt-out rate's definition", |h| {
        h.query_by_label_contains(Metric::OptOutRate.definition())
            .is_some()
    });

    open_page(&mut harness, "Campaigns");
    settle(&mut harness, "the campaigns", |h| !h.state().is_loading());
    let search = harness.get_by_label("Search:");
    search.focus();
    search.type_text("zzz-no-such-campaign");
    settle(&mut harness, "why the table is empty", |h| {
        h.query_by_label("No campaign's name contains \u{201c}zzz-no-such-campaign\u{201d}.")
            .is_some()
    });
}

/// Visits every page, opens the campaign picker and searches in it, as a person would.
fn visit_every_page(harness: &mut Harness<'_, DashboardApp>, campaign: &str) {
    settle(harness, "the overview", |h| !h.state().is_loading());
    open_page(harness, "Campaigns");
    settle(harness, "the campaigns", |h| {
        h.query_by_label(campaign).is_some() && !h.state().is_loading()
    });
    harness.get_by_label(campaign).click();
    settle(harness, "the campaign's page", |h| {
        h.query_by_label("Funnel").is_some() && !h.state().is_loading()
    });
    open_page(harness, "Segments");
    settle(harness, "the segments", |h| !h.state().is_loading());
    choose(harness, "Campaigns:", "All campaigns");
    settle(harness, "the picker's answers", |h| !h.state().is_loading());
}

#[test]
fn no_page_asks_for_more_than_a_page_of_campaigns() {
    let dashboard = demo();
    let filter = Filter::new(DateRange::last_days(TODAY, 30));
    let first = every_campaign(&dashboard, &filter, None, CampaignSort::Name).campaigns[0]
        .campaign_name
        .clone();
    let api = InProcess::new(dashboard);
    let asked = api.pages_asked.clone();
    let mut harness = harness_on(api);
    harness.set_size(egui::vec2(1280.0, 1_400.0));
    visit_every_page(&mut harness, &first);
    let pages = lock(&asked).clone();
    assert!(
        pages.len() >= 3,
        "the list, the campaign's row and the picker asked: {pages:?}"
    );
    let largest = pages.iter().map(|p| p.size()).max().unwrap_or(0);
    assert!(
        largest <= outreach_ui::PAGE_ROWS,
        "a question asked for {largest} campaigns at once: {pages:?}"
    );
}

#[test]
fn the_ranking_leaves_out_campaigns_under_the_minimum_volume() {
    let dashboard = demo();
    // A range in which the campaign with the best engagement rate, counting every campaign,
    // has fewer impressions than the minimum: the ranking must not show it.
    let found = (1..=60).find_map(|days| {
        let filter = Filter::new(DateRange::last_days(TODAY, days));
        let anyone = ask(dashboard.ranking(&filter, Metric::EngagementRate, 5, 0));
        let ranked = ask(dashboard.ranking(&filter, Metric::EngagementRate, 5, DEFAULT_MIN_VOLUME));
        let small = anyone.best.first()?.clone();
        (small.volume < DEFAULT_MIN_VOLUME && ranked.below_minimum > 0)
            .then_some((filter, small, ranked))
    });
    let (filter, small, ranked) = found.expect("a range where a small campaign rates best");
    assert!(ranked.best.iter().all(|c| c.volume >= DEFAULT_MIN_VOLUME));
    assert!(
        ranked
            .best
            .iter()
            .chain(&ranked.worst)
            .all(|c| c.campaign_id != small.campaign_id)
    );

    // The app on that range (remembered as a custom range), on a tall window.
    let api = InProcess::new(dashboard);
    let settings = outreach_model::ViewSettings {
        range: outreach_model::SavedRange::Custom(filter.range),
        ..Default::default()
    };
    outreach_backend::settings::write_view(&api.settings, &settings).expect("settings");
    let mut harness = harness_on(api);
    harness.set_size(egui::vec2(1280.0, 1_400.0));
    let best = ranked.best.first().expect("a ranked campaign").clone();
    settle(&mut harness, "the ranking", |h| {
        !h.state().is_loading()
            && in_one_row(h, &best.campaign_name, &format::rate(Some(best.value)))
    });
    assert!(
        harness.query_by_label(&small.campaign_name).is_none()
            || !in_one_row(
                &harness,
                &small.campaign_name,
                &format::rate(Some(small.value))
            ),
        "{} ({} impressions) is not ranked",
        small.campaign_name,
        small.volume
    );
    assert!(
        harness
            .query_by_label_contains("Campaigns with at least 100 impressions")
            .is_some(),
        "the minimum is said on screen"
    );
}

/// The numbers of the list's pages asked so far (the picker's pages are of another size).
fn list_pages(asked: &Arc<Mutex<Vec<Page>>>) -> Vec<u32> {
    lock(asked)
        .iter()
        .filter(|p| p.size() == outreach_ui::PAGE_ROWS)
        .map(Page::number)
        .collect()
}

/// The campaigns page of a plan of 300 campaigns over 60 days (more than two pages of rows
/// over the last 30 days), its first page on screen.
struct ThreePages {
    /// Holds the demo database.
    _dir: tempfile::TempDir,
    harness: Harness<'static, DashboardApp>,
    /// The pages of campaigns the view asked for.
    asked: Arc<Mutex<Vec<Page>>>,
    /// The whole list by name.
    every: CampaignPage,
    /// "N campaigns", which the page says once its first page came.
    count: String,
}

impl ThreePages {
    fn open() -> Self {
        let options = outreach_warehouse::synthetic::GenerateOptions {
            members: 4_000,
            campaigns: 300,
            days: 60,
            ..outreach_warehouse::demo::default_options(TODAY)
        };
        let (dir, _path, dashboard) = in_process::demo_of(&options);
        let filter = Filter::new(DateRange::last_days(TODAY, 30));
        let every = every_campaign(&dashboard, &filter, None, CampaignSort::Name);
        assert!(
            every.total > u64::from(outreach_ui::PAGE_ROWS) * 2,
            "{} campaigns",
            every.total
        );
        let api = InProcess::new(dashboard);
        let asked = api.pages_asked.clone();
        let mut harness = harness_on(api);
        open_page(&mut harness, "Campaigns");
        let count = format!("{} campaigns", every.total);
        let mut page = ThreePages {
            _dir: dir,
            harness,
            asked,
            every,
            count,
        };
        page.settle("the first page");
        page
    }

    /// Runs frames until the list's count is on screen and nothing is loading.
    fn settle(&mut self, what: &str) {
        let count = self.count.clone();
        settle(&mut self.harness, what, |h| {
            h.query_by_label(&count).is_some() && !h.state().is_loading()
        });
    }
}

/// The primary button pressed (or let go) at `pos`.
fn button(harness: &mut Harness<'_, DashboardApp>, pos: egui::Pos2, pressed: bool) {
    harness.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::default(),
    });
}

#[test]
fn scrolling_the_campaigns_table_asks_for_the_next_page() {
    let ThreePages {
        _dir,
        mut harness,
        asked,
        every,
        ..
    } = ThreePages::open();
    assert_eq!(
        list_pages(&asked),
        [1],
        "only the first page is asked at first"
    );
    // A long scroll over the table, to the rows of its third page. (Where the wheel's glide
    // ends depends on the frames' timing; the third page is asked as soon as its first row
    // comes on screen, and from there the list only goes on down.)
    let later_rows: Vec<String> = every.campaigns[2 * outreach_ui::PAGE_ROWS as usize..]
        .iter()
        .map(|c| c.campaign_name.clone())
        .collect();
    let a_later_row_shows = |h: &Harness<'_, DashboardApp>| {
        later_rows
            .iter()
            .any(|name| h.query_all_by_label(name).next().is_some())
    };
    let over = harness
        .query_all_by_label(&every.campaigns[0].campaign_name)
        .next()
        .expect("the first row")
        .rect()
        .center();
    harness.hover_at(over);
    for _ in 0..40 {
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -200.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::default(),
        });
        harness.step();
        if list_pages(&asked).contains(&3) {
            break;
        }
    }
    settle(&mut harness, "a row of the third page", |h| {
        a_later_row_shows(h) && !h.state().is_loading()
    });
    let pages = list_pages(&asked);
    assert!(pages.contains(&3), "the third page was asked: {pages:?}");
    assert!(
        pages.iter().all(|n| *n <= 4),
        "no page beyond those scrolled past: {pages:?}"
    );
}

#[test]
fn a_sort_and_a_jump_ask_for_their_rows_in_the_frame_of_the_click() {
    // Each frame costs where the webview draws on the CPU: a question left a frame late is an
    // answer a frame late.
    let mut page = ThreePages::open();

    // A header's click: the first page of the new order leaves in the click's frame.
    let before = list_pages(&page.asked).len();
    let header = page.harness.get_by_label("Impressions").rect().center();
    page.harness.hover_at(header);
    page.harness.step();
    button(&mut page.harness, header, true);
    button(&mut page.harness, header, false);
    page.harness.step();
    assert_eq!(
        list_pages(&page.asked)[before..],
        [1],
        "the sorted first page is asked in the click's frame"
    );
    page.settle("the sorted first page");

    // A press low in the scroll bar's track (at the table's right edge): the list jumps to its
    // last rows, and their page leaves in the press's frame.
    let before = list_pages(&page.asked).len();
    // (The window is 1280 by 800 points; the status bar is below y = 770.)
    let track = egui::pos2(1280.0 - 4.0, 760.0);
    page.harness.hover_at(track);
    page.harness.step();
    button(&mut page.harness, track, true);
    page.harness.step();
    let jumped = list_pages(&page.asked)[before..].to_vec();
    assert!(
        jumped.contains(&3),
        "the last rows' page is asked in the press's frame: {jumped:?}"
    );
    button(&mut page.harness, track, false);
    page.settle("the last rows");
}

/// Whether every picker named by `label` stands after the label it is labelled by, on its row:
/// "Type: All types ▾", not "All types ▾ Type".
fn label_stands_before_its_picker(harness: &Harness<'_, DashboardApp>, label: &str) -> bool {
    let mut pickers = harness
        .query_all_by_label(label)
        .filter(|node| node.accesskit_node().role() == egui::accesskit::Role::ComboBox)
        .peekable();
    pickers.peek().is_some()
        && pickers.all(|picker| {
            let rect = picker.rect();
            let labels: Vec<_> = picker
                .accesskit_node()
                .labelled_by()
                .filter_map(|text| text.bounding_box())
                .collect();
            !labels.is_empty()
                && labels.iter().all(|text| {
                    let middle = (text.y0 + text.y1) / 2.0;
                    (f64::from(rect.center().y) - middle).abs() < 4.0
                        && f64::from(rect.left()) >= text.x1 - 0.5
                })
        })
}

#[test]
fn each_label_stands_before_the_picker_it_names() {
    let mut harness = tall_harness(demo(), 1_400.0);
    settle(&mut harness, "the overview", |h| !h.state().is_loading());
    for label in ["Status:", "Type:", "Campaigns:", "Metric:"] {
        assert!(
            label_stands_before_its_picker(&harness, label),
            "{label} on the overview"
        );
    }
    open_page(&mut harness, "Segments");
    settle(&mut harness, "the segments", |h| {
        h.state().page() == PageName::Segments && !h.state().is_loading()
    });
    assert!(
        label_stands_before_its_picker(&harness, "Chart:"),
        "Chart: on the segments page"
    );
}

/// The campaign picker stays open while a person clicks into its search, types and ticks
/// campaigns (a picker of one choice closes on the click; this one must not).
#[test]
fn the_campaign_picker_stays_open_to_search_and_tick() {
    let dashboard = demo();
    let filter = Filter::new(DateRange::last_days(TODAY, 30));
    let flu = ask(dashboard.campaign_names(filter.range, Some("flu"), &[], Page::default()));
    let first = flu
        .campaigns
        .first()
        .expect("a flu campaign in the demo")
        .clone();
    let mut harness = harness(dashboard);
    settle(&mut harness, "the overview", |h| !h.state().is_loading());
    harness
        .query_all_by_label("Campaigns:")
        .find(|node| node.accesskit_node().role() == egui::accesskit::Role::ComboBox)
        .expect("the campaign picker")
        .click();
    settle(&mut harness, "the open picker", |h| {
        h.query_by_label("Find:").is_some()
    });
    // A pointer click into the search field, as a person makes it.
    harness.get_by_label("Find:").click();
    harness.step();
    harness.get_by_label("Find:").type_text("flu");
    // The picker's own count says its list is the search's answer (the list before it may
    // hold the same campaign, in another place).
    let counted = format!(
        "{} of {} campaigns",
        format::count(flu.campaigns.len() as i64),
        format::count(flu.total as i64)
    );
    settle(&mut harness, "the flu campaigns in the picker", |h| {
        !h.state().is_loading()
            && h.query_by_label(&counted).is_some()
            && h.query_all_by_label(&first.campaign_name)
                .any(|node| node.accesskit_node().role() == egui::accesskit::Role::CheckBox)
    });
    harness
        .query_all_by_label(&first.campaign_name)
        .find(|node| node.accesskit_node().role() == egui::accesskit::Role::CheckBox)
        .expect("its checkbox in the picker")
        .click();
    settle(&mut harness, "the filter on that campaign", |h| {
        h.state().filter().campaigns == vec![first.campaign_id]
    });
    assert!(
        harness.query_by_label("Find:").is_some(),
        "the picker is still open after a tick"
    );
}
