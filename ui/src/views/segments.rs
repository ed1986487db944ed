//! The segment drill-down: by one segment dimension (age band, plan type, risk tier, region) or
//! by full segment, as a bar chart and a table. Counts from 1 to 10 come from the backend as
//! suppressed and are shown as "<11"; the page shows no total, so none can be worked out.

use egui_extras::{Column, TableBuilder};
use outreach_model::{Dimension, Filter, Metric, SegmentMetrics, SegmentReport, SegmentValue};

use crate::api::DashboardApi;
use crate::fetch::Query;
use crate::format;
use crate::theme;

/// How the drill-down cuts the members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// By one dimension.
    Dimension(Dimension),
    /// By full segment (every dimension at once).
    Segment,
}

/// The cuts offered, in order: each dimension, then the full segment.
pub const CUTS: [Cut; 5] = [
    Cut::Dimension(Dimension::AgeBand),
    Cut::Dimension(Dimension::PlanType),
    Cut::Dimension(Dimension::RiskTier),
    Cut::Dimension(Dimension::Region),
    Cut::Segment,
];

impl Cut {
    /// Its label.
    pub const fn label(self) -> &'static str {
        match self {
            Cut::Dimension(dimension) => dimension.label(),
            Cut::Segment => "Full segment",
        }
    }
}

/// What the chart can draw per segment: the metrics a segment has.
const CHARTED: [Metric; 4] = [
    Metric::EngagementRate,
    Metric::ConversionRate,
    Metric::OptOutRate,
    Metric::Impressions,
];

/// A segment's cell for `metric` (one of [`SegmentMetrics::SHOWN`]): a count (or "<11"), or
/// a rate.
pub fn cell(metrics: &SegmentMetrics, metric: Metric) -> String {
    metrics
        .value(metric)
        .map_or_else(String::new, format::segment_value)
}

/// A segment's value of `metric` for the chart; `None` for a suppressed count or a rate
/// without a value (no bar is drawn).
pub fn value(metrics: &SegmentMetrics, metric: Metric) -> Option<f64> {
    match metrics.value(metric)? {
        // Counts stay far below 2^52.
        SegmentValue::Count(count) => count.exact().map(|n| n as f64),
        SegmentValue::Rate(rate) => rate,
    }
}

/// The rows of `cut`: each one's label and metrics, in the answer's order.
pub fn rows(report: &SegmentReport, cut: Cut) -> Vec<(&str, &SegmentMetrics)> {
    match cut {
        Cut::Dimension(dimension) => report
            .dimensions
            .iter()
            .filter(|row| row.dimension == dimension)
            .map(|row| (row.value.as_str(), &row.metrics))
            .collect(),
        Cut::Segment => report
            .segments
            .iter()
            .map(|row| (row.member_segment.as_str(), &row.metrics))
            .collect(),
    }
}

/// The drill-down's own choices: the cut and the charted metric.
#[derive(Debug)]
pub struct SegmentView {
    cut: Cut,
    charted: Metric,
}

impl Default for SegmentView {
    fn default() -> Self {
        SegmentView {
            cut: CUTS[0],
            charted: Metric::EngagementRate,
        }
    }
}

impl SegmentView {
    /// Shows `report` cut as chosen; `id` tells this drill-down's widgets from another's.
    pub fn ui(&mut self, ui: &mut egui::Ui, id: &str, report: &SegmentReport) {
        let Self {
            cut: chosen,
            charted,
        } = self;
        ui.horizontal_wrapped(|ui| {
            for cut in CUTS {
                ui.selectable_value(chosen, cut, cut.label());
            }
            ui.separator();
            super::picker_ui(
                ui,
                "Chart",
                &format!("{id} charted"),
                charted.label(),
                super::Choices::One,
                |ui| {
                    for metric in CHARTED {
                        ui.selectable_value(charted, metric, metric.label())
                            .on_hover_text(metric.definition());
                    }
                },
            );
        });
        let rows = rows(report, *chosen);
        if rows.is_empty() {
            super::empty(
                ui,
                "No member of these campaigns had a message delivered in this range.",
            );
            return;
        }
        bar_chart(ui, id, &rows, *charted);
        table(ui, id, &rows, *chosen);
        super::empty(
            ui,
            "Counts from 1 to 10 are shown as \u{201c}<11\u{201d} to protect members' privacy; their rates are not shown.",
        );
    }
}

/// One bar per row for `metric` (rates in percent); a row without a value has no bar.
fn bar_chart(ui: &mut egui::Ui, id: &str, rows: &[(&str, &SegmentMetrics)], metric: Metric) {
    let scale = if metric.is_rate() { 100.0 } else { 1.0 };
    let bars: Vec<egui_plot::Bar> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, (label, metrics))| {
            value(metrics, metric).map(|v| {
                egui_plot::Bar::new(i as f64, v * scale)
                    .name(format!("{label}: {}", cell(metrics, metric)))
                    .width(0.7)
            })
        })
        .collect();
    let labels: Vec<String> = rows.iter().map(|(label, _)| (*label).to_owned()).collect();
    let rate = metric.is_rate();
    let colour = theme::palette(ui.ctx()).accent;
    egui_plot::Plot::new((id, "bars"))
        .height(theme::CHART_HEIGHT * 0.8)
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_axis_formatter(move |mark, _| {
            if rate {
                format!("{:.1}%", mark.value)
            } else {
                format::count(mark.value.round() as i64)
            }
        })
        .show(ui, |plot| {
            plot.bar_chart(egui_plot::BarChart::new(metric.label(), bars).color(colour));
        });
}

/// The table of the rows: every count and rate, no total.
fn table(ui: &mut egui::Ui, id: &str, rows: &[(&str, &SegmentMetrics)], cut: Cut) {
    let first = cut.label();
    ui.push_id((id, "table"), |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .vscroll(false)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::auto().at_least(160.0))
            .columns(Column::auto().at_least(80.0), SegmentMetrics::SHOWN.len())
            .header(theme::ROW_HEIGHT, |mut header| {
                header.col(|ui| {
                    ui.strong(first);
                });
                for metric in SegmentMetrics::SHOWN.iter() {
                    header.col(|ui| {
                        ui.strong(metric.label()).on_hover_text(metric.definition());
                    });
                }
            })
            .body(|mut body| {
                for (label, metrics) in rows {
                    body.row(theme::ROW_HEIGHT, |mut row| {
                        row.col(|ui| {
                            ui.label(*label);
                        });
                        for metric in SegmentMetrics::SHOWN.iter() {
                            row.col(|ui| {
                                ui.label(cell(metrics, *metric));
                            });
                        }
                    });
                }
            });
    });
}

/// The segments page: the drill-down of the filter.
#[derive(Debug, Default)]
pub struct Segments {
    view: SegmentView,
    query: Query<Filter, SegmentReport>,
}

impl Segments {
    /// Whether the drill-down could not be read.
    pub fn has_failed(&self) -> bool {
        self.query.failed()
    }

    /// Whether the page's question is in flight.
    pub fn is_loading(&self) -> bool {
        self.query.is_loading()
    }

    /// Shows the page for `filter`.
    pub fn ui(&mut self, ui: &mut egui::Ui, api: &dyn DashboardApi, filter: &Filter) {
        let Self { view, query } = self;
        query.follow(ui.ctx(), filter, |filter| api.segments(filter));
        super::answer(ui, query, "Retry", |ui, report| {
            view.ui(ui, "segments", report);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use outreach_model::SegmentCount;

    #[test]
    fn suppressed_counts_show_as_under_eleven_and_draw_no_bar() {
        let metrics = SegmentMetrics {
            impressions: SegmentCount::new(9),
            opens: SegmentCount::new(0),
            clicks: SegmentCount::new(1_500),
            engaged: SegmentCount::new(3),
            conversions: SegmentCount::new(11),
            opt_outs: SegmentCount::new(10),
            engagement_rate: None,
            conversion_rate: Some(0.25),
            opt_out_rate: None,
        };
        let cells: Vec<String> = SegmentMetrics::COUNTED
            .iter()
            .map(|m| cell(&metrics, *m))
            .collect();
        assert_eq!(cells, ["<11", "0", "1,500", "<11", "11", "<11"]);
        assert_eq!(cell(&metrics, Metric::EngagementRate), "n/a");
        assert_eq!(cell(&metrics, Metric::ConversionRate), "25.0%");
        assert_eq!(value(&metrics, Metric::Impressions), None);
        assert_eq!(value(&metrics, Metric::ConversionRate), Some(0.25));
    }
}
