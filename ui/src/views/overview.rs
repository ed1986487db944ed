//! The overview page: the KPI tiles of the filter (each with its change against the previous
//! period, coloured by whether the change is good news, and a sparkline), the trend chart, the
//! channels side by side, and the best and worst campaigns by a chosen rate.

use outreach_model::{
    CampaignId, Channel, Filter, Interval, Metric, Ranking, ReportView, Summary, Trend,
};

use super::chart;
use super::trend::TrendChart;
use crate::api::{self, ApiFuture, DashboardApi};
use crate::fetch::Query;
use crate::format::{self, Change, Verdict};
use crate::theme;

/// The KPIs on the overview, in order (each moves the way `Metric::better` says is good).
pub const KPIS: [Metric; 5] = [
    Metric::Reach,
    Metric::Impressions,
    Metric::EngagementRate,
    Metric::ConversionRate,
    Metric::OptOutRate,
];

/// One KPI as shown: its figure and its change.
#[derive(Debug, Clone, PartialEq)]
pub struct Kpi {
    /// Which metric.
    pub metric: Metric,
    /// The figure, formatted.
    pub figure: String,
    /// Against the previous period.
    pub change: Change,
}

/// The overview's KPIs from a summary.
pub fn kpis(summary: &Summary) -> Vec<Kpi> {
    KPIS.iter()
        .map(|&metric| Kpi {
            metric,
            figure: format::metric(metric, summary.current.get(metric)),
            change: format::change(summary.change(metric), metric.better()),
        })
        .collect()
}

/// The rates the best and worst campaigns are ranked by.
const RANKED_BY: [Metric; 3] = [
    Metric::EngagementRate,
    Metric::ConversionRate,
    Metric::OptOutRate,
];

/// How many campaigns the best and the worst lists hold.
pub const RANKED: u32 = 5;

/// The interval of the KPI tiles' sparklines: days, unless the range is long.
pub fn sparkline_interval(filter: &Filter) -> Interval {
    if filter.range.days() > 92 {
        Interval::Week
    } else {
        Interval::Day
    }
}

/// The overview page's own state: its questions and choices.
#[derive(Debug, Default)]
pub struct Overview {
    summary: Query<Filter, Summary>,
    sparklines: Query<(Filter, Interval), Vec<Trend>>,
    trend: TrendChart,
    channels: Query<Filter, Vec<(Channel, Summary)>>,
    /// Which of `RANKED_BY` ranks the campaigns.
    ranked_by: usize,
    ranking: Query<(Filter, Metric), Ranking>,
}

impl Overview {
    /// The page as an export shows it: with the trend chart's metric and interval.
    pub fn report_view(&self) -> ReportView {
        ReportView::Overview {
            metric: self.trend.choice.metric,
            interval: self.trend.choice.interval,
            ranked_by: RANKED_BY[self.ranked_by.min(RANKED_BY.len() - 1)],
        }
    }

    /// Whether any of the page's answers is a failure.
    pub fn has_failed(&self) -> bool {
        self.summary.failed()
            || self.sparklines.failed()
            || self.trend.has_failed()
            || self.channels.failed()
            || self.ranking.failed()
    }

    /// Whether any of the page's questions is in flight.
    pub fn is_loading(&self) -> bool {
        self.summary.is_loading()
            || self.sparklines.is_loading()
            || self.trend.is_loading()
            || self.channels.is_loading()
            || self.ranking.is_loading()
    }

    /// Shows the page for `filter`; returns the campaign the person opened, if any.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        api: &dyn DashboardApi,
        filter: &Filter,
    ) -> Option<CampaignId> {
        let Self {
            summary,
            sparklines,
            trend,
            channels,
            ranked_by,
            ranking,
        } = self;
        let ctx = ui.ctx().clone();
        summary.follow(&ctx, filter, |filter| api.summary(filter));
        let interval = sparkline_interval(filter);
        sparklines.follow(&ctx, &(filter.clone(), interval), |(filter, interval)| {
            let questions = KPIS
                .iter()
                .map(|metric| api.trend(filter, *metric, *interval))
                .collect();
            api::all(questions)
        });
        let trends = sparklines.ok().cloned();
        super::answer(ui, summary, "Retry", |ui, summary| {
            tiles_ui(ui, summary, trends.as_deref());
        });

        super::section(ui, "Trend");
        trend.ui(ui, api, filter);

        let mut opened = None;
        ui.columns(2, |columns| {
            super::section(&mut columns[0], "Channels");
            channels.follow(&ctx, filter, |filter| by_channel(api, filter));
            super::answer(&mut columns[0], channels, "Retry the channels", channels_ui);

            super::section(&mut columns[1], "Best and worst campaigns");
            opened = ranking_ui(&mut columns[1], api, filter, ranked_by, ranking);
        });
        opened
    }
}

/// The best and worst campaigns by the rate chosen (`ranked_by`, an index of `RANKED_BY`),
/// as the backend ranks them; returns the campaign the person opened, if any.
fn ranking_ui(
    ui: &mut egui::Ui,
    api: &dyn DashboardApi,
    filter: &Filter,
    ranked_by: &mut usize,
    ranking: &mut Query<(Filter, Metric), Ranking>,
) -> Option<CampaignId> {
    let metric = RANKED_BY[(*ranked_by).min(RANKED_BY.len() - 1)];
    ui.horizontal(|ui| {
        let label = ui.label("Ranked by:");
        egui::ComboBox::from_id_salt("ranked by")
            .selected_text(metric.label())
            .show_ui(ui, |ui| {
                for (i, metric) in RANKED_BY.iter().enumerate() {
                    ui.selectable_value(ranked_by, i, metric.label())
                        .on_hover_text(metric.definition());
                }
            })
            .response
            .labelled_by(label.id);
    });
    ranking.follow(ui.ctx(), &(filter.clone(), metric), |(filter, metric)| {
        api.ranking(filter, *metric, RANKED)
    });
    let mut opened = None;
    super::answer(ui, ranking, "Retry the ranking", |ui, ranking| {
        let muted = theme::palette(ui.ctx()).muted;
        ui.label(
            egui::RichText::new(format!(
                "Campaigns with {} ({} with less not ranked)",
                ranking.minimum_words(),
                format::count(i64::try_from(ranking.below_minimum).unwrap_or(i64::MAX))
            ))
            .color(muted),
        );
        if ranking.best.is_empty() {
            super::empty(
                ui,
                &format!("No campaign has {} in this range.", ranking.minimum_words()),
            );
            return;
        }
        for (title, rows) in [("Best", &ranking.best), ("Worst", &ranking.worst)] {
            ui.label(egui::RichText::new(title).strong());
            egui::Grid::new(("ranking", title))
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for row in rows {
                        if ui.link(&row.campaign_name).clicked() {
                            opened = Some(row.campaign_id);
                        }
                        ui.label(format::rate(Some(row.value)));
                        ui.end_row();
                    }
                });
        }
    });
    opened
}

/// The summary of each channel of the filter (every channel when it names none).
fn by_channel(api: &dyn DashboardApi, filter: &Filter) -> ApiFuture<Vec<(Channel, Summary)>> {
    let channels: Vec<Channel> = if filter.channels.is_empty() {
        Channel::ALL.to_vec()
    } else {
        filter.channels.clone()
    };
    let questions = channels
        .iter()
        .map(|channel| {
            let mut one = filter.clone();
            one.channels = vec![*channel];
            api.summary(&one)
        })
        .collect();
    let answers = api::all(questions);
    Box::pin(async move { Ok(channels.into_iter().zip(answers.await?).collect()) })
}

/// The channels side by side: each KPI per channel, with a bar for its engagement rate.
fn channels_ui(ui: &mut egui::Ui, channels: &Vec<(Channel, Summary)>) {
    egui::Grid::new("channels")
        .num_columns(KPIS.len() + 1)
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            for metric in KPIS {
                ui.label(egui::RichText::new(metric.label()).strong())
                    .on_hover_text(metric.definition());
            }
            ui.end_row();
            for (channel, summary) in channels {
                ui.label(channel.as_str());
                for metric in KPIS {
                    ui.label(format::metric(metric, summary.current.get(metric)));
                }
                ui.end_row();
            }
        });
}

/// The KPI tiles of `summary`, with the sparklines of `trends` (one per KPI, in order) when
/// they came.
fn tiles_ui(ui: &mut egui::Ui, summary: &Summary, trends: Option<&[Trend]>) {
    let palette = theme::palette(ui.ctx());
    ui.horizontal_wrapped(|ui| {
        for (i, kpi) in kpis(summary).into_iter().enumerate() {
            super::tile(ui, kpi.metric, &kpi.figure, |ui| {
                let colour = match kpi.change.verdict {
                    Verdict::Good => palette.good,
                    Verdict::Bad => palette.bad,
                    Verdict::Neutral => palette.muted,
                };
                ui.label(
                    egui::RichText::new(format!("{} vs previous period", kpi.change.text))
                        .color(colour),
                );
                // The total's line: the last series of the KPI's trend.
                let values: Vec<f64> = trends
                    .and_then(|trends| trends.get(i))
                    .and_then(|trend| trend.series.last())
                    .map(|total| total.points.iter().filter_map(|p| p.value).collect())
                    .unwrap_or_default();
                chart::sparkline(ui, &values);
            });
        }
    });
    ui.add_space(theme::GAP);
    ui.label(
        egui::RichText::new(format!(
            "{} to {}, compared with {} to {}",
            summary.range.start(),
            summary.range.end(),
            summary.previous_range.start(),
            summary.previous_range.end()
        ))
        .color(palette.muted),
    );
}
