//! The overview page: the KPI tiles of the filter (each with its change against the previous
//! period, coloured by whether the change is good news, and a sparkline), the trend chart, the
//! channels side by side, and the best and worst campaigns by a chosen rate.

use outreach_model::{
    CampaignId, CampaignPage, CampaignRow, CampaignSort, Channel, Filter, Interval, Metric, Page,
    ReportView, Summary, Trend,
};

use super::chart;
use super::trend::TrendChart;
use crate::api::{self, ApiFuture, DashboardApi};
use crate::fetch::Query;
use crate::format::{self, Better, Change, Verdict};
use crate::theme;

/// The KPIs on the overview, in order, and which way each should move.
pub const KPIS: [(Metric, Better); 5] = [
    (Metric::Reach, Better::Higher),
    (Metric::Impressions, Better::Higher),
    (Metric::EngagementRate, Better::Higher),
    (Metric::ConversionRate, Better::Higher),
    (Metric::OptOutRate, Better::Lower),
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
        .map(|&(metric, better)| Kpi {
            metric,
            figure: format::metric(metric, summary.current.get(metric)),
            change: format::change(summary.change(metric), better),
        })
        .collect()
}

/// The rates the best and worst campaigns are ranked by.
const RANKED_BY: [(Metric, Better); 3] = [
    (Metric::EngagementRate, Better::Higher),
    (Metric::ConversionRate, Better::Higher),
    (Metric::OptOutRate, Better::Lower),
];

/// How many campaigns the best and the worst lists hold.
pub const RANKED: usize = 5;

/// The interval of the KPI tiles' sparklines: days, unless the range is long.
pub fn sparkline_interval(filter: &Filter) -> Interval {
    if filter.range.days() > 92 {
        Interval::Week
    } else {
        Interval::Day
    }
}

/// The best and the worst campaigns of a list ordered by `metric` (highest first, campaigns
/// without a value last): each list best first or worst first, never a campaign in both.
pub fn best_and_worst(
    page: &CampaignPage,
    metric: Metric,
    better: Better,
) -> (Vec<&CampaignRow>, Vec<&CampaignRow>) {
    let ranked: Vec<&CampaignRow> = page
        .campaigns
        .iter()
        .filter(|row| row.metrics.get(metric).is_some())
        .collect();
    let take = RANKED.min(ranked.len() / 2 + ranked.len() % 2);
    let highest: Vec<&CampaignRow> = ranked.iter().take(take).copied().collect();
    let lowest: Vec<&CampaignRow> = ranked
        .iter()
        .rev()
        .take(RANKED.min(ranked.len() - take))
        .copied()
        .collect();
    match better {
        Better::Higher => (highest, lowest),
        Better::Lower => (lowest, highest),
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
    ranking: Query<(Filter, Metric), CampaignPage>,
}

impl Overview {
    /// The page as an export shows it: with the trend chart's metric and interval.
    pub fn report_view(&self) -> ReportView {
        ReportView::Overview {
            metric: self.trend.choice.metric,
            interval: self.trend.choice.interval,
        }
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
                .map(|(metric, _)| api.trend(filter, *metric, *interval))
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

/// The best and worst campaigns by the rate chosen (`ranked_by`, an index of `RANKED_BY`);
/// returns the campaign the person opened, if any.
fn ranking_ui(
    ui: &mut egui::Ui,
    api: &dyn DashboardApi,
    filter: &Filter,
    ranked_by: &mut usize,
    ranking: &mut Query<(Filter, Metric), CampaignPage>,
) -> Option<CampaignId> {
    let (metric, better) = RANKED_BY[(*ranked_by).min(RANKED_BY.len() - 1)];
    egui::ComboBox::new("ranked by", "Ranked by")
        .selected_text(metric.label())
        .show_ui(ui, |ui| {
            for (i, (metric, _)) in RANKED_BY.iter().enumerate() {
                ui.selectable_value(ranked_by, i, metric.label())
                    .on_hover_text(metric.definition());
            }
        });
    ranking.follow(ui.ctx(), &(filter.clone(), metric), |(filter, metric)| {
        // Every campaign: the worst are at the end of the list.
        let every = Page::new(1, Page::MAX_SIZE).unwrap_or_default();
        api.campaigns(filter, None, CampaignSort::Metric(*metric), every)
    });
    let mut opened = None;
    super::answer(ui, ranking, "Retry the ranking", |ui, page| {
        let (best, worst) = best_and_worst(page, metric, better);
        if best.is_empty() {
            super::empty(ui, "No campaign delivered a message in this range.");
            return;
        }
        for (title, rows) in [("Best", best), ("Worst", worst)] {
            ui.label(egui::RichText::new(title).strong());
            egui::Grid::new(("ranking", title))
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for row in rows {
                        if ui.link(&row.campaign_name).clicked() {
                            opened = Some(row.campaign_id);
                        }
                        ui.label(format::rate(row.metrics.get(metric)));
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
            for (metric, _) in KPIS {
                ui.label(egui::RichText::new(metric.label()).strong())
                    .on_hover_text(metric.definition());
            }
            ui.end_row();
            for (channel, summary) in channels {
                ui.label(channel.as_str());
                for (metric, _) in KPIS {
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

#[cfg(test)]
mod tests {
    use super::*;
    use outreach_model::{CampaignStatus, Metrics};
    use time::macros::date;

    /// Campaigns in the backend's order for the opt-out rate: highest first, no value last.
    fn page(rates: &[Option<f64>]) -> CampaignPage {
        let campaigns = rates
            .iter()
            .enumerate()
            .map(|(i, rate)| CampaignRow {
                campaign_id: CampaignId::from_u128(i as u128),
                campaign_name: format!("c{i}"),
                campaign_type: "Wellness".to_owned(),
                channel: Channel::Email,
                status: CampaignStatus::Active,
                start_date: date!(2026 - 01 - 01),
                end_date: None,
                metrics: Metrics {
                    opt_out_rate: *rate,
                    ..Metrics::default()
                },
            })
            .collect::<Vec<_>>();
        CampaignPage {
            total: campaigns.len() as u64,
            page: 1,
            page_size: 50,
            campaigns,
        }
    }

    fn names(rows: &[&CampaignRow]) -> Vec<String> {
        rows.iter().map(|r| r.campaign_name.clone()).collect()
    }

    #[test]
    fn the_best_opt_out_rate_is_the_lowest_and_no_campaign_is_in_both_lists() {
        let many = page(&[
            Some(0.9),
            Some(0.8),
            Some(0.7),
            Some(0.6),
            Some(0.5),
            Some(0.4),
            Some(0.3),
            Some(0.2),
            Some(0.1),
            Some(0.05),
            Some(0.01),
            None,
        ]);
        let (best, worst) = best_and_worst(&many, Metric::OptOutRate, Better::Lower);
        assert_eq!(names(&best), ["c10", "c9", "c8", "c7", "c6"]);
        assert_eq!(names(&worst), ["c0", "c1", "c2", "c3", "c4"]);

        // Three campaigns with a rate: two best, one worst, none twice, none without a rate.
        let few = page(&[Some(0.3), Some(0.2), Some(0.1), None]);
        let (best, worst) = best_and_worst(&few, Metric::EngagementRate, Better::Higher);
        assert!(
            best.is_empty() && worst.is_empty(),
            "no engagement rate, no ranking"
        );
        let (best, worst) = best_and_worst(&few, Metric::OptOutRate, Better::Higher);
        assert_eq!(names(&best), ["c0", "c1"]);
        assert_eq!(names(&worst), ["c2"]);
    }
}
