//! Printing answers: aligned tables for people, JSON and CSV for scripts. Values are printed as
//! the backend gives them; tables format rates as percentages, JSON and CSV keep full precision.
//! CSV is written by the exports' writer (`outreach_backend::export::csv`).

use std::io::Write;

use outreach_backend::audit::AuditEntry;
use outreach_backend::export::csv::{self, Cell, CsvWriter};
use outreach_model::format::NO_VALUE;
use outreach_model::{
    CampaignMetrics, CampaignPage, DateRange, Health, Metric, Ranking, SegmentMetrics,
    SegmentReport, SegmentValue, Summary, Trend,
};

/// How an answer is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for a terminal.
    Table,
    /// JSON (field names are the metric names of docs/metrics.md).
    Json,
    /// CSV with a header row (RFC 4180).
    Csv,
}

type Out<'a> = &'a mut dyn Write;

/// What the terminal table shows of a row (the rest is in JSON and CSV).
const TABLE_METRICS: &[Metric] = &[
    Metric::Reach,
    Metric::Impressions,
    Metric::Engaged,
    Metric::Conversions,
    Metric::OptOuts,
    Metric::EngagementRate,
    Metric::ConversionRate,
    Metric::OptOutRate,
];

fn json(out: Out<'_>, value: &impl serde::Serialize) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// A value for a table: counts as they are, rates as percentages, none as [`NO_VALUE`].
fn cell(metric: Metric, value: Option<f64>) -> String {
    match value {
        Some(v) if !metric.is_rate() => format!("{v:.0}"),
        rate => rate_cell(rate),
    }
}

/// A rate for a table: a percentage with two decimals, none as [`NO_VALUE`].
fn rate_cell(value: Option<f64>) -> String {
    value.map_or_else(|| NO_VALUE.to_owned(), |v| format!("{:.2}%", v * 100.0))
}

fn table(out: Out<'_>, header: &[String], rows: &[Vec<String>]) -> anyhow::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, value) in row.iter().enumerate() {
            widths[i] = widths[i].max(value.chars().count());
        }
    }
    let line = |values: &[String]| {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let pad = widths[i].saturating_sub(v.chars().count());
                // Numbers right, text left.
                if (v
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit() || c == '<' || c == '-' || c == '+')
                    || v == NO_VALUE)
                    && i > 0
                {
                    format!("{}{v}", " ".repeat(pad))
                } else {
                    format!("{v}{}", " ".repeat(pad))
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    writeln!(out, "{}", line(header))?;
    for row in rows {
        writeln!(out, "{}", line(row))?;
    }
    Ok(())
}

fn csv_writer(out: Out<'_>) -> ::csv::Writer<&mut dyn Write> {
    ::csv::WriterBuilder::new().from_writer(out)
}

/// An answer as CSV through the exports' writer (the same columns, quoting and neutralised
/// text as `outreach export csv`).
fn csv_out(
    out: Out<'_>,
    write: impl FnOnce(&mut CsvWriter<&mut dyn Write>) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let mut w = CsvWriter::new(out, false)?;
    write(&mut w)?;
    w.finish()?.flush()?;
    Ok(())
}

fn names(metrics: &[Metric]) -> impl Iterator<Item = String> + '_ {
    metrics.iter().map(|m| m.as_str().to_owned())
}

/// `outreach campaigns`.
pub fn campaigns(out: Out<'_>, format: Format, page: &CampaignPage) -> anyhow::Result<()> {
    match format {
        Format::Json => json(out, page),
        Format::Csv => csv_out(out, |w| csv::campaign_page(w, page)),
        Format::Table => {
            let mut header: Vec<String> = ["campaign", "campaign_id", "channel", "status"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
            header.extend(names(TABLE_METRICS));
            let rows: Vec<Vec<String>> = page
                .campaigns
                .iter()
                .map(|c| {
                    let mut row = vec![
                        c.campaign_name.replace(['\n', '\r', '\t'], " "),
                        c.campaign_id.to_string(),
                        c.channel.to_string(),
                        c.status.to_string(),
                    ];
                    row.extend(TABLE_METRICS.iter().map(|m| cell(*m, c.metrics.get(*m))));
                    row
                })
                .collect();
            table(&mut *out, &header, &rows)?;
            let pages = page.total.div_ceil(u64::from(page.page_size)).max(1);
            writeln!(
                out,
                "\npage {} of {pages} ({} campaigns); --format json or csv shows every metric",
                page.page, page.total
            )?;
            Ok(())
        }
    }
}

/// `outreach metrics`.
pub fn campaign_metrics(
    out: Out<'_>,
    format: Format,
    answer: &CampaignMetrics,
) -> anyhow::Result<()> {
    match format {
        Format::Json => json(out, answer),
        Format::Csv => csv_out(out, |w| csv::campaign_metrics(w, answer).map(drop)),
        Format::Table => {
            writeln!(
                out,
                "{} ({}), by {}\n",
                answer.campaign_name, answer.campaign_id, answer.interval
            )?;
            let mut header = vec!["start".to_owned(), "end".to_owned()];
            header.extend(names(TABLE_METRICS));
            let rows: Vec<Vec<String>> = answer
                .periods
                .iter()
                .map(|p| {
                    let mut row = vec![p.start.to_string(), p.end.to_string()];
                    row.extend(TABLE_METRICS.iter().map(|m| cell(*m, p.metrics.get(*m))));
                    row
                })
                .collect();
            table(out, &header, &rows)
        }
    }
}

/// `outreach summary`.
pub fn summary(out: Out<'_>, format: Format, answer: &Summary) -> anyhow::Result<()> {
    match format {
        Format::Json => json(out, answer),
        Format::Csv => csv_out(out, |w| csv::summary(w, answer)),
        Format::Table => {
            writeln!(
                out,
                "{} compared with {}\n",
                answer.range, answer.previous_range
            )?;
            let header: Vec<String> = ["metric", "current", "previous", "change"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
            let rows: Vec<Vec<String>> = Metric::ALL
                .iter()
                .map(|m| {
                    let (now, before) = (answer.current.get(*m), answer.previous.get(*m));
                    let change = match (now, before) {
                        (Some(a), Some(b)) if m.is_rate() => format!("{:+.2} pts", (a - b) * 100.0),
                        (Some(a), Some(b)) if b > 0.0 => format!("{:+.1}%", (a - b) / b * 100.0),
                        _ => NO_VALUE.to_owned(),
                    };
                    vec![
                        m.as_str().to_owned(),
                        cell(*m, now),
                        cell(*m, before),
                        change,
                    ]
                })
                .collect();
            table(out, &header, &rows)
        }
    }
}

/// `outreach trend`.
pub fn trend(out: Out<'_>, format: Format, answer: &Trend, range: DateRange) -> anyhow::Result<()> {
    match format {
        Format::Json => json(out, answer),
        Format::Csv => csv_out(out, |w| csv::trend(w, answer, range).map(drop)),
        Format::Table => {
            let mut header = vec!["start".to_owned()];
            header.extend(answer.series.iter().map(|s| s.name.to_string()));
            let points = answer.series.first().map_or(0, |s| s.points.len());
            let rows: Vec<Vec<String>> =
                (0..points)
                    .map(|i| {
                        let start = answer.series[0].points[i].start.to_string();
                        std::iter::once(start)
                            .chain(answer.series.iter().map(|s| {
                                cell(answer.metric, s.points.get(i).and_then(|p| p.value))
                            }))
                            .collect()
                    })
                    .collect();
            writeln!(out, "{} by {}\n", answer.metric, answer.interval)?;
            table(out, &header, &rows)
        }
    }
}

/// A segment row's cells: the counts ("<11" for 1 to 10), then the rates.
fn segment_cells(m: &SegmentMetrics) -> Vec<String> {
    SegmentMetrics::SHOWN
        .iter()
        .filter_map(|metric| m.value(*metric))
        .map(|value| match value {
            SegmentValue::Count(count) => count.to_string(),
            SegmentValue::Rate(rate) => rate_cell(rate),
        })
        .collect()
}

/// `outreach segments`.
pub fn segments(out: Out<'_>, format: Format, answer: &SegmentReport) -> anyhow::Result<()> {
    let metric_names = names(&SegmentMetrics::SHOWN);
    match format {
        Format::Json => json(out, answer),
        Format::Csv => csv_out(out, |w| csv::segments(w, answer).map(drop)),
        Format::Table => {
            let mut header = vec!["dimension".to_owned(), "value".to_owned()];
            header.extend(metric_names);
            let rows: Vec<Vec<String>> = answer
                .dimensions
                .iter()
                .map(|d| {
                    let mut row = vec![d.dimension.to_string(), d.value.clone()];
                    row.extend(segment_cells(&d.metrics));
                    row
                })
                .chain(answer.segments.iter().map(|s| {
                    let mut row = vec!["segment".to_owned(), s.member_segment.clone()];
                    row.extend(segment_cells(&s.metrics));
                    row
                }))
                .collect();
            table(out, &header, &rows)
        }
    }
}

/// `outreach health`.
pub fn health(out: Out<'_>, format: Format, answer: &Health) -> anyhow::Result<()> {
    let fields: Vec<(&str, String)> = vec![
        ("store", answer.store.to_string()),
        ("demo", answer.demo.to_string()),
        ("reachable", answer.reachable.to_string()),
        ("schema_version", answer.schema_version.to_string()),
        (
            "expected_schema_version",
            answer.expected_schema_version.to_string(),
        ),
        ("reporting_time_zone", answer.reporting_time_zone.clone()),
        (
            "latest_metric_date",
            answer
                .latest_metric_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        (
            "last_run_id",
            answer
                .last_run
                .as_ref()
                .map(|r| r.run_id.to_string())
                .unwrap_or_default(),
        ),
        (
            "last_run_mode",
            answer
                .last_run
                .as_ref()
                .map(|r| r.mode.clone())
                .unwrap_or_default(),
        ),
        (
            "last_run_finished_at",
            answer
                .last_run
                .as_ref()
                .and_then(|r| r.finished_at)
                .map(rfc3339)
                .unwrap_or_default(),
        ),
        (
            "watermark",
            answer
                .last_run
                .as_ref()
                .and_then(|r| r.watermark)
                .map(rfc3339)
                .unwrap_or_default(),
        ),
        (
            "data_age_seconds",
            answer
                .data_age_seconds
                .map(|s| s.to_string())
                .unwrap_or_default(),
        ),
    ];
    match format {
        Format::Json => json(out, answer),
        Format::Csv => {
            let mut w = csv_writer(out);
            w.write_record(fields.iter().map(|(k, _)| *k))?;
            w.write_record(fields.iter().map(|(_, v)| v.as_str()))?;
            w.flush()?;
            Ok(())
        }
        Format::Table => {
            for (key, value) in fields {
                writeln!(
                    out,
                    "{key:<24} {}",
                    if value.is_empty() { NO_VALUE } else { &value }
                )?;
            }
            Ok(())
        }
    }
}

/// `outreach ranking`.
pub fn ranking(out: Out<'_>, format: Format, answer: &Ranking) -> anyhow::Result<()> {
    let rows: Vec<Vec<String>> = [("best", &answer.best), ("worst", &answer.worst)]
        .iter()
        .flat_map(|(list, campaigns)| {
            campaigns.iter().enumerate().map(move |(i, c)| {
                vec![
                    (*list).to_owned(),
                    (i + 1).to_string(),
                    c.campaign_name.replace(['\n', '\r', '\t'], " "),
                    c.campaign_id.to_string(),
                    c.channel.to_string(),
                    c.value.to_string(),
                    c.volume.to_string(),
                ]
            })
        })
        .collect();
    let header: Vec<String> = [
        "list",
        "rank",
        "campaign_name",
        "campaign_id",
        "channel",
        answer.metric.as_str(),
        "volume",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    match format {
        Format::Json => json(out, answer),
        Format::Csv => csv_out(out, |w| csv::ranking(w, answer).map(drop)),
        Format::Table => {
            let shown: Vec<Vec<String>> = rows
                .into_iter()
                .map(|mut row| {
                    if let Ok(value) = row[5].parse::<f64>() {
                        row[5] = rate_cell(Some(value));
                    }
                    row
                })
                .collect();
            writeln!(
                out,
                "{} of {} campaigns with {} ({} with less left out)\n",
                answer.metric.label(),
                answer.ranked,
                answer.minimum_words(),
                answer.below_minimum
            )?;
            table(out, &header, &shown)
        }
    }
}

fn rfc3339(instant: time::OffsetDateTime) -> String {
    instant
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `outreach audit report`: one line per event, oldest first.
pub fn audit_report(out: Out<'_>, format: Format, entries: &[AuditEntry]) -> anyhow::Result<()> {
    const HEADER: [&str; 7] = [
        "seq",
        "recorded_at",
        "occurred_at",
        "person",
        "role",
        "kind",
        "detail",
    ];
    match format {
        Format::Json => {
            let rows: Vec<serde_json::Value> = entries
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "seq": e.seq, "event_id": e.event_id, "recorded_at": e.recorded_at,
                        "occurred_at": e.occurred_at, "person": e.actor, "role": e.role,
                        "kind": e.kind, "detail": e.detail,
                    })
                })
                .collect();
            json(out, &rows)
        }
        Format::Csv => csv_out(out, |w| {
            w.header(&HEADER)?;
            for e in entries {
                let detail = e.detail.to_string();
                w.row(&[
                    Cell::Count(e.seq),
                    Cell::Text(&e.recorded_at),
                    Cell::Text(&e.occurred_at),
                    Cell::Text(&e.actor),
                    Cell::Text(e.role.as_deref().unwrap_or("")),
                    Cell::Text(&e.kind),
                    Cell::Text(&detail),
                ])?;
            }
            Ok(())
        }),
        Format::Table => {
            let header: Vec<String> = HEADER.iter().map(|h| (*h).to_owned()).collect();
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        e.seq.to_string(),
                        e.recorded_at.clone(),
                        e.occurred_at.clone(),
                        e.actor.clone(),
                        e.role.clone().unwrap_or_default(),
                        e.kind.clone(),
                        e.detail.to_string(),
                    ]
                })
                .collect();
            table(out, &header, &rows)
        }
    }
}
