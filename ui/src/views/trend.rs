//! The trend chart: one metric per interval, one line per channel plus the total, with a metric
//! picker and a day / week / month switch.

use outreach_model::{Filter, Interval, Metric, Trend};

use super::chart::{self, DayLine};
use crate::api::DashboardApi;
use crate::fetch::Query;

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

/// The trend chart's own state: what it shows, and its question.
#[derive(Debug, Default)]
pub struct TrendChart {
    /// The metric and interval asked for.
    pub choice: TrendChoice,
    query: Query<(Filter, TrendChoice), Trend>,
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
    /// The controls, then the chart of the filter's trend (asked when the filter or the
    /// choice changes).
    pub fn ui(&mut self, ui: &mut egui::Ui, api: &dyn DashboardApi, filter: &Filter) {
        let Self { choice, query } = self;
        controls_ui(ui, choice);
        let key = (filter.clone(), *choice);
        query.follow(ui.ctx(), &key, |(filter, choice)| {
            api.trend(filter, choice.metric, choice.interval)
        });
        super::answer(ui, query, "Retry the trend", |ui, trend| {
            chart_ui(ui, trend);
        });
    }

    /// Whether the trend could not be read.
    pub fn has_failed(&self) -> bool {
        self.query.failed()
    }

    /// Whether its question is in flight.
    pub fn is_loading(&self) -> bool {
        self.query.is_loading()
    }
}

/// The controls: the metric picker and the interval switch.
fn controls_ui(ui: &mut egui::Ui, choice: &mut TrendChoice) {
    ui.horizontal(|ui| {
        super::picker_ui(
            ui,
            "Metric",
            "trend metric",
            choice.metric.label(),
            super::Choices::One,
            |ui| {
                for metric in METRICS {
                    ui.selectable_value(&mut choice.metric, metric, metric.label())
                        .on_hover_text(metric.definition());
                }
            },
        );
        interval_ui(ui, &mut choice.interval);
    });
}

/// The day / week / month switch.
pub fn interval_ui(ui: &mut egui::Ui, interval: &mut Interval) {
    for option in Interval::ALL {
        ui.selectable_value(interval, *option, interval_label(*option));
    }
}

/// The chart of `trend`: its caption, then one line per series.
fn chart_ui(ui: &mut egui::Ui, trend: &Trend) {
    ui.label(caption(trend));
    let lines: Vec<DayLine> = trend
        .series
        .iter()
        .map(|series| DayLine {
            name: series.name.to_string(),
            series: Some(series.name),
            points: series.points.iter().map(|p| (p.start, p.value)).collect(),
        })
        .collect();
    chart::day_chart(ui, "trend", &lines, trend.metric.is_rate());
}
