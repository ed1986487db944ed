//! A campaign's page: its header, KPI tiles, funnel, metrics over time and segment drill-down,
//! over the filter's range. The filter's channels, types and statuses do not hide the campaign
//! that was opened.

use outreach_model::{
    CampaignId, CampaignMetrics, CampaignPage, CampaignRow, CampaignSort, DateRange, Filter,
    Interval, Metric, Metrics, Page, ReportView, SegmentReport,
};

use super::campaigns::status_chip;
use super::chart::{self, DayLine};
use super::segments::SegmentView;
use super::trend::interval_ui;
use crate::api::DashboardApi;
use crate::fetch::Query;
use crate::format;
use crate::theme;

/// The funnel's steps, in order: each a label and the metric that counts it.
pub const FUNNEL: [(&str, Metric); 5] = [
    ("Sent", Metric::Sent),
    ("Delivered", Metric::Impressions),
    ("Opened", Metric::Opens),
    ("Clicked", Metric::Clicks),
    ("Converted", Metric::Conversions),
];

/// The metrics the over-time chart can draw.
const CHARTED: [Metric; 6] = [
    Metric::EngagementRate,
    Metric::ConversionRate,
    Metric::OptOutRate,
    Metric::DeliveryRate,
    Metric::Impressions,
    Metric::Reach,
];

/// The KPI tiles of a campaign, in order.
const TILES: [Metric; 5] = [
    Metric::Reach,
    Metric::Impressions,
    Metric::EngagementRate,
    Metric::ConversionRate,
    Metric::OptOutRate,
];

/// The filter of one campaign's page: that campaign over the range.
pub fn campaign_filter(campaign: CampaignId, range: DateRange) -> Filter {
    let mut filter = Filter::new(range);
    filter.campaigns = vec![campaign];
    filter
}

/// One campaign's page: which campaign, the chosen chart, and its questions.
#[derive(Debug)]
pub struct CampaignDetail {
    campaign: CampaignId,
    interval: Interval,
    charted: Metric,
    row: Query<Filter, CampaignPage>,
    over_time: Query<(CampaignId, DateRange, Interval), CampaignMetrics>,
    segments: Query<Filter, SegmentReport>,
    segment_view: SegmentView,
}

impl CampaignDetail {
    /// The page as an export shows it: the campaign's metrics per the chosen interval.
    pub fn report_view(&self) -> ReportView {
        ReportView::Campaign {
            campaign_id: self.campaign,
            interval: self.interval,
        }
    }

    /// The page of `campaign`.
    pub fn new(campaign: CampaignId) -> Self {
        CampaignDetail {
            campaign,
            interval: Interval::Day,
            charted: Metric::EngagementRate,
            row: Query::default(),
            over_time: Query::default(),
            segments: Query::default(),
            segment_view: SegmentView::default(),
        }
    }

    /// Which campaign the page shows.
    pub fn campaign(&self) -> CampaignId {
        self.campaign
    }

    /// Whether an answer of the page is a failure.
    pub fn has_failed(&self) -> bool {
        self.row.failed() || self.over_time.failed() || self.segments.failed()
    }

    /// Whether any of the page's questions is in flight.
    pub fn is_loading(&self) -> bool {
        self.row.is_loading() || self.over_time.is_loading() || self.segments.is_loading()
    }

    /// Asks the page's questions for the filter's range (those not asked yet): called by `ui`,
    /// and by the app in the frame that opens the page, so its questions leave with the click.
    pub fn ask(&mut self, ctx: &egui::Context, api: &dyn DashboardApi, filter: &Filter) {
        let one = campaign_filter(self.campaign, filter.range);
        self.row.follow(ctx, &one, |filter| {
            api.campaigns(filter, None, CampaignSort::Name.into(), Page::default())
        });
        let key = (self.campaign, filter.range, self.interval);
        self.over_time
            .follow(ctx, &key, |(campaign, range, interval)| {
                api.campaign_metrics(*campaign, *range, *interval)
            });
        self.segments
            .follow(ctx, &one, |filter| api.segments(filter));
    }

    /// Shows the page over the filter's range.
    pub fn ui(&mut self, ui: &mut egui::Ui, api: &dyn DashboardApi, filter: &Filter) {
        self.ask(ui.ctx(), api, filter);
        let Self {
            campaign,
            interval,
            charted,
            row,
            over_time,
            segments,
            segment_view,
        } = self;
        let ctx = ui.ctx().clone();
        let range = filter.range;
        super::answer(ui, row, "Retry", |ui, page| match page.campaigns.first() {
            Some(row) => header_ui(ui, row),
            None => super::empty(
                ui,
                &format!(
                    "This campaign neither ran nor delivered a message from {} to {}: choose a longer range.",
                    range.start(),
                    range.end()
                ),
            ),
        });

        super::section(ui, "Over time");
        ui.horizontal(|ui| {
            let shown = charted.label();
            super::picker_ui(
                ui,
                "Metric",
                "campaign metric",
                shown,
                super::Choices::One,
                |ui| {
                    for metric in CHARTED {
                        ui.selectable_value(charted, metric, metric.label())
                            .on_hover_text(metric.definition());
                    }
                },
            );
            interval_ui(ui, interval);
        });
        let key = (*campaign, filter.range, *interval);
        over_time.follow(&ctx, &key, |(campaign, range, interval)| {
            api.campaign_metrics(*campaign, *range, *interval)
        });
        let charted = *charted;
        super::answer(ui, over_time, "Retry the chart", |ui, metrics| {
            let line = DayLine {
                name: charted.label().to_owned(),
                series: None,
                points: metrics
                    .periods
                    .iter()
                    .map(|p| (p.start, p.metrics.get(charted)))
                    .collect(),
            };
            chart::day_chart(ui, "campaign over time", &[line], charted.is_rate());
        });

        super::section(ui, "Member segments");
        super::answer(ui, segments, "Retry the segments", |ui, report| {
            segment_view.ui(ui, "campaign segments", report);
        });
    }
}

/// The campaign's name, facts, KPI tiles and funnel.
fn header_ui(ui: &mut egui::Ui, row: &CampaignRow) {
    let palette = theme::palette(ui.ctx());
    ui.heading(&row.campaign_name);
    ui.horizontal(|ui| {
        let dates = match row.end_date {
            Some(end) => format!("{} to {end}", row.start_date),
            None => format!("from {}, no end date", row.start_date),
        };
        ui.label(
            egui::RichText::new(format!(
                "{} · {} · {dates}",
                row.campaign_type,
                row.channel.as_str()
            ))
            .color(palette.muted),
        );
        status_chip(ui, row.status);
    });
    ui.add_space(theme::GAP);
    ui.horizontal_wrapped(|ui| {
        for metric in TILES {
            super::tile(
                ui,
                metric,
                &format::metric(metric, row.metrics.get(metric)),
                |_| {},
            );
        }
    });
    super::section(ui, "Funnel");
    funnel_ui(ui, &row.metrics);
}

/// The funnel: one bar per step, as long as its share of the messages sent.
fn funnel_ui(ui: &mut egui::Ui, metrics: &Metrics) {
    let sent = metrics.sent.max(1) as f64;
    egui::Grid::new("funnel").num_columns(3).show(ui, |ui| {
        for (label, metric) in FUNNEL {
            let count = metrics.get(metric).unwrap_or(0.0);
            ui.label(label).on_hover_text(metric.definition());
            chart::bar(ui, count / sent, 360.0);
            ui.label(format::metric(metric, Some(count)));
            ui.end_row();
        }
    });
}
