//! The trend chart: one metric per interval, one line per channel plus the total, with a metric
//! picker and a day / week / month switch.

use outreach_model::{Interval, Metric, Trend};

use crate::format;

/// The metrics the picker offers, in order.
const METRICS: [Metric; 6] = [
    Metric::Reach,
    Metric::Impressions,
    Metric::EngagementRate,
    Metric::ConversionRate,
    Metric::OptOutRate,
    Metric::DeliveryRate,
];

/// What the chart asks for, chosen by the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendChoice {
    /// The metric drawn.
    pub metric: Metric,
    /// How the range is cut.
    pub interval: Interval,
}

impl Default for TrendChoice {
    fn default() -> Self {
        TrendChoice {
            metric: Metric::EngagementRate,
            interval: Interval::Day,
        }
    }
}

/// The trend chart's own state: what it shows.
#[derive(Debug, Default)]
pub struct TrendChart {
    /// The metric and interval asked for.
    pub choice: TrendChoice,
}

fn interval_label(interval: Interval) -> &'static str {
    match interval {
        Interval::Day => "Daily",
        Interval::Week => "Weekly",
        Interval::Month => "Monthly",
    }
}

/// The chart's caption, from the answer (not from the question), so it says what is drawn.
pub fn caption(trend: &Trend) -> String {
    let per = match trend.interval {
        Interval::Day => "day",
        Interval::Week => "week",
        Interval::Month => "month",
    };
    format!("{} by {per}", trend.metric.label())
}

impl TrendChart {
    /// The controls: the metric picker and the interval switch.
    pub fn controls_ui(&mut self, ui: &mut egui::Ui) {
        let Self { choice } = self;
        ui.horizontal(|ui| {
            egui::ComboBox::new("trend metric", "Metric")
                .selected_text(choice.metric.label())
                .show_ui(ui, |ui| {
                    for metric in METRICS {
                        ui.selectable_value(&mut choice.metric, metric, metric.label())
                            .on_hover_text(metric.definition());
                    }
                });
            for interval in Interval::ALL {
                ui.selectable_value(&mut choice.interval, *interval, interval_label(*interval));
            }
        });
    }

    /// The chart of `trend`: x is days since the first point, y the value (rates in percent).
    pub fn chart_ui(&mut self, ui: &mut egui::Ui, trend: &Trend) {
        let Self { choice: _ } = self;
        ui.label(caption(trend));
        let first = trend
            .series
            .iter()
            .flat_map(|s| s.points.first())
            .map(|p| p.start)
            .min();
        let Some(first) = first else {
            ui.label("No days in the range.");
            return;
        };
        let scale = if trend.metric.is_rate() { 100.0 } else { 1.0 };
        let rate = trend.metric.is_rate();
        egui_plot::Plot::new("trend")
            .height(280.0)
            .legend(egui_plot::Legend::default())
            .x_axis_formatter(move |mark, _| {
                (first + time::Duration::days(mark.value.round() as i64)).to_string()
            })
            .y_axis_formatter(move |mark, _| {
                if rate {
                    format!("{:.1}%", mark.value)
                } else {
                    format::count(mark.value.round() as i64)
                }
            })
            .show(ui, |plot| {
                for series in &trend.series {
                    let points: Vec<[f64; 2]> = series
                        .points
                        .iter()
                        .filter_map(|p| {
                            let x = (p.start - first).whole_days() as f64;
                            p.value.map(|v| [x, v * scale])
                        })
                        .collect();
                    plot.line(egui_plot::Line::new(series.name.clone(), points));
                }
            });
    }
}
