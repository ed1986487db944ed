//! The exports benchmark (BENCHMARKS.md): `cargo bench -p outreach-backend --bench export`.
//!
//! 1. CSV of 1,000,000 rows (a synthetic long campaign table, names with commas, quotes and
//!    non-Latin text) streamed into a file atomically: time, and the process's peak resident
//!    memory (Linux's VmHWM) after it. Target: under 3 s and under 100 MB.
//! 2. A 20-page PDF report (KPIs, five trend charts of 90 days, a campaign table of some
//!    hundreds of rows, the appendix) drawn and written: the first (which parses the fonts) and
//!    the median of ten. Target: under 1 s.

use std::time::{Duration, Instant};

use outreach_backend::export::csv::{CsvWriter, campaign_row, campaigns_header};
use outreach_backend::export::{AtomicFile, Report, ReportContext, pdf, write_atomically};
use outreach_model::{
    CampaignId, CampaignRow, CampaignStatus, Channel, DateRange, Filter, Health, Interval, LastRun,
    Metric, Metrics, PaperSize, ReportView, Series, StoreKind, Summary, Trend, TrendPoint,
    TrendSeries,
};
use time::macros::{date, datetime};

const NAMES: [&str; 4] = [
    "Flu shots, \"annual\" reminder",
    "Medication adherence (SMS, Q4 2026)",
    "流感疫苗接种提醒",
    "=Wellness check-in",
];

fn metrics(i: u64) -> Metrics {
    let impressions = 1_000 + (i * 7_919 % 50_000) as i64;
    let engaged = impressions / 6;
    let conversions = impressions / 90;
    let opt_outs = impressions / 250;
    Metrics {
        reach: impressions * 9 / 10,
        impressions,
        opens: engaged * 3 / 4,
        clicks: engaged / 3,
        engaged,
        conversions,
        opt_outs,
        sent: impressions + impressions / 20,
        bounces: impressions / 20,
        machine_opens: engaged / 2,
        engagement_rate: Some(engaged as f64 / impressions as f64),
        conversion_rate: Some(conversions as f64 / impressions as f64),
        opt_out_rate: Some(opt_outs as f64 / impressions as f64),
        delivery_rate: Some(impressions as f64 / (impressions + impressions / 20) as f64),
    }
}

fn campaign(i: u64) -> CampaignRow {
    CampaignRow {
        campaign_id: CampaignId::from_u128(u128::from(i) + 1),
        campaign_name: format!("{} #{i}", NAMES[(i % 4) as usize]),
        campaign_type: "Wellness".to_owned(),
        channel: Channel::ALL[(i % 3) as usize],
        status: CampaignStatus::ALL[(i % 4) as usize],
        start_date: date!(2026 - 01 - 05),
        end_date: None,
        metrics: metrics(i),
    }
}

/// The process's peak resident memory so far, in MiB (Linux).
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn csv_million(dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let rows = 1_000_000_u64;
    let before = peak_mib().unwrap_or(0.0);
    let path = dir.join("long.csv");
    let started = Instant::now();
    let mut file = AtomicFile::create(&path)?;
    {
        let mut csv = CsvWriter::new(file.writer(), true)?;
        campaigns_header(&mut csv)?;
        for i in 0..rows {
            // Rows are made and written one at a time: nothing holds the table.
            campaign_row(&mut csv, &campaign(i))?;
        }
        csv.finish()?;
    }
    let written = started.elapsed();
    let bytes = file.commit()?;
    let elapsed = started.elapsed();
    let made = Instant::now();
    let mut sink = 0_usize;
    for i in 0..rows {
        sink += campaign(i).campaign_name.len();
    }
    println!(
        "csv: rows written in {:.2} s, then flushed to disk and renamed in {:.2} s; making the synthetic rows alone takes {:.2} s ({sink})",
        written.as_secs_f64(),
        (elapsed - written).as_secs_f64(),
        made.elapsed().as_secs_f64()
    );
    println!(
        "csv: {rows} rows, {:.1} MB in {:.2} s ({:.0} rows/s); peak memory {:.1} MiB (before: {before:.1} MiB)",
        bytes as f64 / 1e6,
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64(),
        peak_mib().unwrap_or(f64::NAN),
    );
    Ok(())
}

fn trend(metric: Metric, range: DateRange) -> Trend {
    let days = range.buckets(Interval::Day);
    let series = Series::all()
        .enumerate()
        .map(|(s, name)| TrendSeries {
            name,
            points: days
                .iter()
                .enumerate()
                .map(|(d, start)| TrendPoint {
                    start: *start,
                    value: metrics((d * 31 + s * 7) as u64).get(metric),
                })
                .collect(),
        })
        .collect();
    Trend {
        metric,
        interval: Interval::Day,
        series,
    }
}

fn report(campaigns: u64) -> Result<Report, Box<dyn std::error::Error>> {
    let range = DateRange::new(date!(2026 - 08 - 30), date!(2026 - 11 - 27))?;
    let at = datetime!(2026-11-28 06:00 UTC);
    Ok(Report {
        view: ReportView::Overview {
            metric: Metric::EngagementRate,
            interval: Interval::Day,
            ranked_by: Metric::EngagementRate,
        },
        filter: Filter::new(range),
        paper: PaperSize::A4,
        context: ReportContext {
            generated_by: "bench".to_owned(),
            generated_at: at,
            min_volume: outreach_backend::DEFAULT_MIN_VOLUME,
        },
        filter_words: Filter::new(range).in_words(|_| None),
        health: Health {
            store: StoreKind::Postgres,
            demo: false,
            reachable: true,
            schema_version: 1,
            expected_schema_version: 1,
            last_run: Some(LastRun {
                run_id: 1,
                mode: "incremental".to_owned(),
                finished_at: Some(at),
                watermark: Some(at),
            }),
            data_age_seconds: Some(60),
            reporting_time_zone: "America/New_York".to_owned(),
            latest_metric_date: Some(range.end()),
        },
        summary: Summary {
            range,
            previous_range: range.previous(),
            current: metrics(1),
            previous: metrics(2),
        },
        trends: [
            Metric::EngagementRate,
            Metric::Reach,
            Metric::Impressions,
            Metric::ConversionRate,
            Metric::OptOutRate,
        ]
        .iter()
        .map(|m| trend(*m, range))
        .collect(),
        campaigns: (0..campaigns).map(campaign).collect(),
        campaign: None,
        segments: None,
        ranking: None,
    })
}

fn pdf_pages(dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    // The campaign count that makes the report 20 pages long; the first drawing also parses
    // the fonts, once per process.
    let mut rows = 600;
    let mut cold = None;
    let report = loop {
        let candidate = report(rows)?;
        let started = Instant::now();
        let pages = pdf::render(&candidate)?.pages;
        cold.get_or_insert(started.elapsed());
        if pages >= 20 {
            break candidate;
        }
        rows += 20;
    };
    let path = dir.join("report.pdf");
    let mut times: Vec<Duration> = Vec::new();
    let mut pages = 0;
    let mut bytes = 0;
    for _ in 0..10 {
        let started = Instant::now();
        let drawn = pdf::render(&report)?;
        bytes = write_atomically(&path, |out| std::io::Write::write_all(out, &drawn.bytes))?;
        times.push(started.elapsed());
        pages = drawn.pages;
    }
    times.sort();
    println!(
        "pdf: {pages} pages ({} campaigns, five 90-day charts), {:.0} KB: median {:.0} ms, slowest {:.0} ms of 10; the process's first (parsing the fonts) {:.0} ms",
        report.campaigns.len(),
        bytes as f64 / 1e3,
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        cold.unwrap_or_default().as_secs_f64() * 1e3,
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        // CSV first, so its peak memory is not the PDF's.
        csv_million(dir.path())?;
        pdf_pages(dir.path())?;
        Ok(())
    };
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("export benchmark failed: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
