//! A report's numbers: the answers to the questions the view asks on screen, gathered before
//! anything is drawn or written.

use std::collections::HashMap;

use outreach_model::{
    CampaignId, CampaignMetrics, CampaignOrder, CampaignRow, CampaignSort, ExportRequest, Filter,
    Health, Metric, Page, PaperSize, Ranking, ReportView, SegmentReport, Summary, Trend,
};
use time::OffsetDateTime;

use crate::{Dashboard, DashboardError};

/// Who asks for a report and when: printed in its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportContext {
    /// The person (their sign-in name; the OS account until sign-in is set up).
    pub generated_by: String,
    /// When.
    pub generated_at: OffsetDateTime,
    /// The least volume a campaign needs to be ranked (the configured one).
    pub min_volume: i64,
}

impl ReportContext {
    /// A report generated `at` by the OS account running the app or the command (`USER`, or
    /// `USERNAME` on Windows) until sign-in gives a person's name; the default minimum volume.
    pub fn for_os_account(at: OffsetDateTime) -> Self {
        let generated_by = ["USER", "USERNAME", "LOGNAME"]
            .iter()
            .find_map(|key| std::env::var(key).ok().filter(|v| !v.trim().is_empty()))
            .unwrap_or_else(|| "an unknown account".to_owned());
        ReportContext {
            generated_by,
            generated_at: at,
            min_volume: crate::DEFAULT_MIN_VOLUME,
        }
    }
}

/// How many campaigns the report's best and worst lists hold, as on screen.
pub const RANKED: u32 = 5;

/// The trend charts of the overview, after the one chosen on screen: the KPIs of the screen.
const OVERVIEW_CHARTS: [Metric; 5] = [
    Metric::Reach,
    Metric::Impressions,
    Metric::EngagementRate,
    Metric::ConversionRate,
    Metric::OptOutRate,
];

/// The trend charts of one campaign's report.
const CAMPAIGN_CHARTS: [Metric; 3] = [
    Metric::EngagementRate,
    Metric::ConversionRate,
    Metric::OptOutRate,
];

/// Everything a PDF report prints.
#[derive(Debug, Clone)]
pub struct Report {
    /// The view and its choices.
    pub view: ReportView,
    /// The filter as asked (a campaign's report narrows it to the campaign).
    pub filter: Filter,
    /// The paper.
    pub paper: PaperSize,
    /// Who and when.
    pub context: ReportContext,
    /// The filter in words.
    pub filter_words: String,
    /// The database's health: reporting time zone, last load, latest day.
    pub health: Health,
    /// The KPIs against the previous period.
    pub summary: Summary,
    /// Trend charts, one per metric.
    pub trends: Vec<Trend>,
    /// The campaign table, every row.
    pub campaigns: Vec<CampaignRow>,
    /// One campaign's metrics per period.
    pub campaign: Option<CampaignMetrics>,
    /// The segment drill-down.
    pub segments: Option<SegmentReport>,
    /// The best and worst campaigns (the overview's).
    pub ranking: Option<Ranking>,
}

impl Report {
    /// Asks the dashboard the view's questions for `request`.
    pub async fn gather(
        dashboard: &Dashboard,
        request: &ExportRequest,
        context: &ReportContext,
    ) -> Result<Report, DashboardError> {
        let mut filter = request.filter.clone();
        let mut trends = Vec::new();
        let mut campaigns = Vec::new();
        let mut campaign = None;
        let mut segments = None;
        let mut ranking = None;
        match &request.view {
            ReportView::Overview {
                metric,
                interval,
                ranked_by,
            } => {
                ranking = Some(
                    dashboard
                        .ranking(&filter, *ranked_by, RANKED, context.min_volume)
                        .await?,
                );
                let mut metrics = vec![*metric];
                metrics.extend(OVERVIEW_CHARTS.iter().filter(|m| *m != metric));
                for metric in metrics {
                    trends.push(dashboard.trend(&filter, metric, *interval).await?);
                }
                campaigns =
                    all_campaigns(dashboard, &filter, None, CampaignSort::Name.into()).await?;
                segments = Some(dashboard.segments(&filter).await?);
            }
            ReportView::Campaigns {
                search,
                sort,
                reversed,
            } => {
                let order = CampaignOrder {
                    sort: *sort,
                    reversed: *reversed,
                };
                campaigns = all_campaigns(dashboard, &filter, search.as_deref(), order).await?;
            }
            ReportView::Campaign {
                campaign_id,
                interval,
            } => {
                filter = Filter {
                    campaigns: vec![*campaign_id],
                    ..filter
                };
                let answer = dashboard
                    .campaign_metrics(*campaign_id, filter.range, *interval)
                    .await?;
                for metric in CAMPAIGN_CHARTS {
                    trends.push(dashboard.trend(&filter, metric, *interval).await?);
                }
                campaign = Some(answer);
            }
            ReportView::Segments => {
                segments = Some(dashboard.segments(&filter).await?);
            }
        }
        let summary = dashboard.summary(&filter).await?;
        let health = dashboard.health().await?;
        let mut names: HashMap<CampaignId, String> = campaigns
            .iter()
            .map(|c| (c.campaign_id, c.campaign_name.clone()))
            .collect();
        if let Some(answer) = &campaign {
            names.insert(answer.campaign_id, answer.campaign_name.clone());
        }
        if filter.campaigns.iter().any(|id| !names.contains_key(id)) {
            for row in all_campaigns(dashboard, &filter, None, CampaignSort::Name.into()).await? {
                names.insert(row.campaign_id, row.campaign_name);
            }
        }
        let filter_words = filter.in_words(|id| names.get(&id).cloned());
        Ok(Report {
            view: request.view.clone(),
            filter,
            paper: request.paper,
            context: context.clone(),
            filter_words,
            health,
            summary,
            trends,
            campaigns,
            campaign,
            segments,
            ranking,
        })
    }
}

/// Every campaign of the filter, a page at a time.
async fn all_campaigns(
    dashboard: &Dashboard,
    filter: &Filter,
    search: Option<&str>,
    order: CampaignOrder,
) -> Result<Vec<CampaignRow>, DashboardError> {
    let mut rows = Vec::new();
    let mut number = 1;
    while let Ok(page) = Page::new(number, Page::MAX_SIZE) {
        let answer = dashboard.campaigns(filter, search, order, page).await?;
        let done = answer.campaigns.is_empty();
        rows.extend(answer.campaigns);
        if done || rows.len() as u64 >= answer.total {
            break;
        }
        number += 1;
    }
    Ok(rows)
}
