//! The report itself, view by view: the key figures against the previous period, the trends,
//! a campaign's periods, the best and worst campaigns, the campaign table, the segment
//! drill-down, and the appendix of definitions.

use outreach_model::format;
use outreach_model::{
    CampaignMetrics, CampaignRow, Metric, Metrics, Ranking, ReportView, SegmentMetrics,
    SegmentReport, day_in_words,
};

use super::canvas::Canvas;
use super::chart::interval_words;
use super::table::{Column, number_column, text_column};
use super::{BODY, MARGIN, ROW, SMALL};
use crate::export::Report;

/// The report's sections for its view.
pub(super) fn body(canvas: &mut Canvas<'_>, report: &Report) {
    let summary = &report.summary;
    let rows: Vec<Vec<String>> = Metric::ALL
        .iter()
        .map(|m| {
            vec![
                m.label().to_owned(),
                format::metric(*m, summary.current.get(*m)),
                format::metric(*m, summary.previous.get(*m)),
                format::change(summary.change(*m), m.better()).text,
            ]
        })
        .collect();
    let columns = [
        text_column("Metric"),
        number_column("This period"),
        number_column("Previous period"),
        number_column("Change"),
    ];
    canvas.table("Key figures", &columns, &rows, BODY);
    canvas.paragraph(
        &format!(
            "This period: {} to {}. Previous period: {} to {}, the same number of days just before. \
             Changes are in percent for counts and in percentage points (pp) for rates.",
            day_in_words(summary.range.start()),
            day_in_words(summary.range.end()),
            day_in_words(summary.previous_range.start()),
            day_in_words(summary.previous_range.end()),
        ),
        SMALL,
    );
    if !report.trends.is_empty() {
        canvas.heading("Trends");
        for trend in &report.trends {
            canvas.chart(trend);
        }
    }
    if let Some(campaign) = &report.campaign {
        periods_table(canvas, campaign);
    }
    if let Some(ranking) = &report.ranking {
        ranking_tables(canvas, ranking);
    }
    if matches!(
        report.view,
        ReportView::Overview { .. } | ReportView::Campaigns { .. }
    ) {
        campaigns_table(canvas, &report.campaigns);
    }
    if let Some(segments) = &report.segments {
        segments_tables(
            canvas,
            segments,
            matches!(report.view, ReportView::Segments),
        );
    }
}

/// The metrics of the campaign table, and of a campaign's periods.
const CAMPAIGN_METRICS: [Metric; 5] = [
    Metric::Reach,
    Metric::Impressions,
    Metric::EngagementRate,
    Metric::ConversionRate,
    Metric::OptOutRate,
];
const PERIOD_METRICS: [Metric; 8] = [
    Metric::Reach,
    Metric::Impressions,
    Metric::Engaged,
    Metric::Conversions,
    Metric::OptOuts,
    Metric::EngagementRate,
    Metric::ConversionRate,
    Metric::OptOutRate,
];

/// A column per metric, titled with its label.
fn metric_columns(metrics: &[Metric]) -> impl Iterator<Item = Column> + '_ {
    metrics.iter().map(|m| number_column(m.label()))
}

/// The cells of `metrics` as the screen shows them.
fn metric_cells<'m>(
    shown: &'m [Metric],
    metrics: &'m Metrics,
) -> impl Iterator<Item = String> + 'm {
    shown.iter().map(|m| format::metric(*m, metrics.get(*m)))
}

fn campaigns_table(canvas: &mut Canvas<'_>, campaigns: &[CampaignRow]) {
    let mut columns = vec![
        text_column("Campaign"),
        text_column("Channel"),
        text_column("Status"),
    ];
    columns.extend(metric_columns(&CAMPAIGN_METRICS));
    let rows: Vec<Vec<String>> = campaigns
        .iter()
        .map(|c| {
            let mut row = vec![
                c.campaign_name.clone(),
                c.channel.to_string(),
                c.status.to_string(),
            ];
            row.extend(metric_cells(&CAMPAIGN_METRICS, &c.metrics));
            row
        })
        .collect();
    let title = format!("Campaigns ({})", format::count(campaigns.len() as i64));
    if rows.is_empty() {
        canvas.heading(&title);
        canvas.paragraph("No campaign matches this filter.", BODY);
    } else {
        canvas.table(&title, &columns, &rows, BODY);
    }
}

/// The best and worst campaigns by a rate, with the minimum volume they needed and how many
/// had less.
fn ranking_tables(canvas: &mut Canvas<'_>, ranking: &Ranking) {
    let volume = match ranking.metric.denominator() {
        Some(outreach_model::Count::Sent) => "Sent",
        _ => "Impressions",
    };
    let columns = [
        text_column("Campaign"),
        text_column("Channel"),
        number_column(ranking.metric.label()),
        number_column(volume),
    ];
    let title = format!(
        "Best and worst campaigns by {}",
        ranking.metric.label().to_lowercase()
    );
    canvas.heading(&title);
    canvas.paragraph(
        &format!(
            "Campaigns with {} are ranked ({} of them); {} with less are not, so that a handful of messages cannot make a campaign the best or the worst.",
            ranking.minimum_words(),
            format::count(i64::try_from(ranking.ranked).unwrap_or(i64::MAX)),
            format::count(i64::try_from(ranking.below_minimum).unwrap_or(i64::MAX)),
        ),
        SMALL,
    );
    if ranking.best.is_empty() {
        canvas.paragraph("No campaign has enough volume in this range.", BODY);
        return;
    }
    for (list, campaigns) in [("Best", &ranking.best), ("Worst", &ranking.worst)] {
        let rows: Vec<Vec<String>> = campaigns
            .iter()
            .map(|c| {
                vec![
                    c.campaign_name.clone(),
                    c.channel.to_string(),
                    format::rate(Some(c.value)),
                    format::count(c.volume),
                ]
            })
            .collect();
        canvas.table(list, &columns, &rows, BODY);
    }
}

fn periods_table(canvas: &mut Canvas<'_>, campaign: &CampaignMetrics) {
    let mut columns = vec![text_column("Period")];
    columns.extend(metric_columns(&PERIOD_METRICS));
    let rows: Vec<Vec<String>> = campaign
        .periods
        .iter()
        .map(|p| {
            let mut row = vec![if p.start == p.end {
                day_in_words(p.start)
            } else {
                format!("{} – {}", day_in_words(p.start), day_in_words(p.end))
            }];
            row.extend(metric_cells(&PERIOD_METRICS, &p.metrics));
            row
        })
        .collect();
    let title = format!(
        "{} by {}",
        campaign.campaign_name,
        interval_words(campaign.interval)
    );
    canvas.table(&title, &columns, &rows, BODY);
}

fn segment_cells(metrics: &SegmentMetrics) -> Vec<String> {
    SegmentMetrics::SHOWN
        .iter()
        .filter_map(|metric| metrics.value(*metric))
        .map(format::segment_value)
        .collect()
}

fn segment_columns() -> impl Iterator<Item = Column> {
    metric_columns(&SegmentMetrics::SHOWN)
}

fn segments_tables(canvas: &mut Canvas<'_>, report: &SegmentReport, every_segment: bool) {
    let mut columns = vec![text_column("Dimension"), text_column("Value")];
    columns.extend(segment_columns());
    let rows: Vec<Vec<String>> = report
        .dimensions
        .iter()
        .map(|d| {
            let mut row = vec![d.dimension.label().to_owned(), d.value.clone()];
            row.extend(segment_cells(&d.metrics));
            row
        })
        .collect();
    canvas.table(
        "Member segments by dimension (counts from 1 to 10 show as <11)",
        &columns,
        &rows,
        SMALL,
    );
    if every_segment {
        let mut columns = vec![
            text_column("Age"),
            text_column("Plan"),
            text_column("Risk"),
            text_column("Region"),
        ];
        columns.extend(segment_columns());
        let rows: Vec<Vec<String>> = report
            .segments
            .iter()
            .map(|s| {
                let mut row = vec![
                    s.age_band.clone(),
                    s.plan_type.clone(),
                    s.risk_tier.clone(),
                    s.region.clone(),
                ];
                row.extend(segment_cells(&s.metrics));
                row
            })
            .collect();
        canvas.table(
            "Every member segment (counts from 1 to 10 show as <11)",
            &columns,
            &rows,
            SMALL,
        );
    }
}

/// The definition of every metric shown, and how to read the report's marks.
pub(super) fn appendix(canvas: &mut Canvas<'_>, shown: &[Metric]) {
    canvas.heading("Appendix: metric definitions");
    for metric in shown {
        let lines = canvas.faces.wrap(
            metric.definition(),
            SMALL + 0.5,
            false,
            canvas.content_width() - 110.0,
        );
        canvas.room_for(ROW * lines.len() as f32 + 4.0);
        let label = format!("{} ({})", metric.label(), metric.as_str());
        let first = canvas.y + ROW - 2.0;
        let label_lines = canvas.faces.wrap(&label, SMALL + 0.5, true, 105.0);
        for (i, line) in label_lines.iter().enumerate() {
            canvas.text(MARGIN, first + i as f32 * ROW, line, SMALL + 0.5, true);
        }
        for (i, line) in lines.iter().enumerate() {
            canvas.text_muted(MARGIN + 110.0, first + i as f32 * ROW, line, SMALL + 0.5);
        }
        canvas.y += ROW * lines.len().max(label_lines.len()) as f32 + 4.0;
    }
    canvas.paragraph(
        "n/a: a rate with nothing to divide by (no message delivered). <11: a member segment count \
         from 1 to 10, never shown so that no member can be singled out; a rate that would give such \
         a count away is shown as n/a, and where one hidden count could be worked out from the \
         totals another is hidden with it. Every number is the dashboard's own, as on screen; the \
         definitions are those of docs/metrics.md.",
        SMALL + 0.5,
    );
}
