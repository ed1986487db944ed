//! The views benchmark: `cargo bench -p outreach-testkit --bench views` (release build). The
//! real view layer over the real backend in-process (the views suite's `InProcess`), on a demo
//! database with a year of daily data, driven through egui_kittest's harness:
//!
//! - frame CPU time of each page once its answers are on screen (the time of one `step`: the
//!   whole page laid out, as every frame does; the harness also builds the accessibility tree,
//!   which the app does not, so this is an upper bound);
//! - a filter change (a channel chip clicked) to the first frame with every answer on screen:
//!   the question, the query and the frames in between, without the webview's IPC (measured
//!   apart, below);
//! - what JSON costs a large answer on its way through the IPC (serialised in the shell, parsed
//!   in the view), against the query that produced it.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use outreach_model::{CampaignPage, CampaignSort, DateRange, Filter, Interval, Metric, Page};
use outreach_ui::DashboardApp;

// The views suite's module; the benchmark uses part of it.
#[allow(dead_code)]
#[path = "in_process.rs"]
mod in_process;
use in_process::{InProcess, TODAY, ask, demo_of};

/// The value below which `share` of `samples` lie.
fn percentile(samples: &[Duration], share: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let at = ((sorted.len() as f64 - 1.0) * share).round() as usize;
    sorted[at]
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// Runs frames until every question of the page on screen is answered (at most 30 s), then a
/// few more so the page is at rest.
fn settle(harness: &mut Harness<'_, DashboardApp>) {
    settle_without_tail(harness);
    harness.run_steps(3);
}

/// Clicks the highest node labelled `label` (the navigation row and the filter bar are on top).
fn click_top(harness: &mut Harness<'_, DashboardApp>, label: &str) {
    harness
        .query_all_by_label(label)
        .min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()))
        .unwrap_or_else(|| panic!("no {label:?} on the page"))
        .click();
}

/// The time of each of `frames` frames of the page on screen.
fn frame_times(harness: &mut Harness<'_, DashboardApp>, frames: usize) -> Vec<Duration> {
    (0..frames)
        .map(|_| {
            let started = Instant::now();
            harness.step();
            started.elapsed()
        })
        .collect()
}

fn main() {
    let options = outreach_warehouse::synthetic::GenerateOptions {
        days: 365,
        ..outreach_warehouse::demo::default_options(TODAY)
    };
    let started = Instant::now();
    let (_dir, _path, dashboard) = demo_of(&options);
    println!(
        "demo database: {} members, {} campaigns, {} days to {TODAY}, built in {:.1} s",
        options.members,
        options.campaigns,
        options.days,
        started.elapsed().as_secs_f64()
    );

    let api = InProcess::new(dashboard.clone());
    let app = DashboardApp::new(Box::new(api), TODAY);
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_max_steps(10_000)
        .build_ui_state(|ui, app: &mut DashboardApp| app.ui(ui), app);
    settle(&mut harness);
    // A year of daily data per channel on the overview: the trend (three channels and the
    // total, 365 points each) and the KPIs' sparklines.
    harness.get_by_label("Year to date").click();
    settle(&mut harness);
    let year = DateRange::last_days(TODAY, 365);
    let year_filter = Filter::new(harness.state().filter().range);

    println!("\nframe CPU time, page on screen with every answer (300 frames each):");
    println!("| page | p50 | p95 | max |");
    println!("|---|---|---|---|");
    let report = |harness: &mut Harness<'_, DashboardApp>, page: &str| {
        let times = frame_times(harness, 300);
        println!(
            "| {page} | {} | {} | {} |",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(percentile(&times, 1.0))
        );
    };
    report(&mut harness, "overview, year to date, daily trend");
    // At idle no frame is asked for: the webview then draws nothing.
    match harness.try_run() {
        Ok(frames) => println!("| idle: the overview stops asking for frames after {frames} |"),
        Err(_) => println!("| idle: the overview keeps asking for frames |"),
    }
    click_top(&mut harness, "Campaigns");
    settle(&mut harness);
    report(&mut harness, "campaigns");
    let every = Page::new(1, Page::MAX_SIZE).expect("a page");
    let first: CampaignPage =
        ask(dashboard.campaigns(&year_filter, None, CampaignSort::Name.into(), every));
    let name = first.campaigns[0].campaign_name.clone();
    click_top(&mut harness, &name);
    settle(&mut harness);
    report(&mut harness, "campaign (daily over the range)");
    click_top(&mut harness, "Segments");
    settle(&mut harness);
    click_top(&mut harness, "Full segment");
    settle(&mut harness);
    report(&mut harness, "segments, full segment");

    println!("\nfilter change to every answer on screen (a channel chip, 40 changes):");
    click_top(&mut harness, "Overview");
    click_top(&mut harness, "Last 30 days");
    settle(&mut harness);
    for (page, label) in [("overview", "Overview"), ("campaigns", "Campaigns")] {
        click_top(&mut harness, label);
        settle(&mut harness);
        let mut times = Vec::new();
        for i in 0..40 {
            let chip = if i % 2 == 0 { "SMS" } else { "All channels" };
            click_top(&mut harness, chip);
            let started = Instant::now();
            settle_without_tail(&mut harness);
            times.push(started.elapsed());
        }
        println!(
            "| {page}, last 30 days | p50 {} | p95 {} | max {} |",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(percentile(&times, 1.0))
        );
    }

    println!("\nIPC: JSON of large answers against their query:");
    let campaigns =
        ask(dashboard.campaigns(&Filter::new(year), None, CampaignSort::Name.into(), every));
    let started = Instant::now();
    let series: Vec<_> = campaigns
        .campaigns
        .iter()
        .map(|c| ask(dashboard.campaign_metrics(c.campaign_id, year, Interval::Day)))
        .collect();
    let queried = started.elapsed();
    json_cost(
        &format!(
            "a year of daily metrics for every campaign ({} campaigns)",
            series.len()
        ),
        &series,
        queried,
    );
    let started = Instant::now();
    let trend = ask(dashboard.trend(&Filter::new(year), Metric::EngagementRate, Interval::Day));
    json_cost(
        "the overview's daily trend over a year",
        &trend,
        started.elapsed(),
    );
    let started = Instant::now();
    let segments = ask(dashboard.segments(&Filter::new(year)));
    json_cost(
        "the segment drill-down over a year",
        &segments,
        started.elapsed(),
    );
}

/// Runs frames until every question is answered, and no more.
fn settle_without_tail(harness: &mut Harness<'_, DashboardApp>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        harness.step();
        if !harness.state().is_loading() {
            return;
        }
        assert!(Instant::now() < deadline, "the page never finished loading");
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Prints the JSON size of `answer` and the time to write and read it back, beside `queried`.
fn json_cost<T: serde::Serialize + serde::de::DeserializeOwned>(
    what: &str,
    answer: &T,
    queried: Duration,
) {
    let started = Instant::now();
    let mut bytes = 0;
    for _ in 0..10 {
        let text = serde_json::to_string(answer).expect("JSON");
        let back: T = serde_json::from_str(&text).expect("read back");
        bytes = text.len();
        drop(back);
    }
    let json = started.elapsed() / 10;
    println!(
        "| {what} | {:.1} KB | JSON out and in {} | query {} |",
        bytes as f64 / 1000.0,
        ms(json),
        ms(queried)
    );
}
