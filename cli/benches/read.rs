//! Backend time of each dashboard question, warm: median and p95 over 50 runs each.
//!   BENCH_DATABASE_URL=postgres://…/dashboard cargo bench -p outreach-cli --bench read
//! (default: the dashboard database bench/etl.sh loads). Prints one line per question.

use std::time::{Duration, Instant};

use outreach_backend::Dashboard;
use outreach_model::{CampaignSort, DateRange, Filter, Interval, Metric, Page};

const RUNS: usize = 50;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

async fn measure<F, Fut, T, E>(name: &str, mut question: F) -> Result<(), E>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    question().await?; // warm-up
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        question().await?;
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "{name:<58} median {:>8.1} ms   p95 {:>8.1} ms",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        "postgres://postgres@127.0.0.1:5432/outreach_bench_dashboard".to_owned()
    });
    let dashboard = Dashboard::connect(&url).await?;
    let latest = dashboard
        .health()
        .await?
        .latest_metric_date
        .ok_or("the database holds no data: run bench/etl.sh first")?;
    let days90 = Filter::new(DateRange::last_days(latest, 90));
    let year = Filter::new(DateRange::last_days(latest, 365));
    let two_years = DateRange::last_days(latest, 730);
    let page = Page::new(1, 50)?;
    let campaign = dashboard
        .campaigns(
            &days90,
            None,
            CampaignSort::Metric(Metric::Impressions),
            page,
        )
        .await?
        .campaigns
        .first()
        .map(|c| c.campaign_id)
        .ok_or("no campaign")?;
    let one = Filter {
        campaigns: vec![campaign],
        ..days90.clone()
    };

    measure(
        "summary, all campaigns, 90 days, with previous period",
        || dashboard.summary(&days90),
    )
    .await?;
    measure("one campaign's metrics over two years by week", || {
        dashboard.campaign_metrics(campaign, two_years, Interval::Week)
    })
    .await?;
    measure(
        "campaign list, 90 days, sorted by opt_out_rate, page 1",
        || {
            dashboard.campaigns(
                &days90,
                None,
                CampaignSort::Metric(Metric::OptOutRate),
                page,
            )
        },
    )
    .await?;
    measure("segments of one campaign, 90 days", || {
        dashboard.segments(&one)
    })
    .await?;
    measure("segments of all campaigns, 90 days", || {
        dashboard.segments(&days90)
    })
    .await?;
    measure(
        "trend of opt_out_rate over a year by day, per channel",
        || dashboard.trend(&year, Metric::OptOutRate, Interval::Day),
    )
    .await?;
    measure("trend of reach over a year by week, per channel", || {
        dashboard.trend(&year, Metric::Reach, Interval::Week)
    })
    .await?;
    Ok(())
}
