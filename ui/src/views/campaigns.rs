//! The campaigns page: every campaign of the filter with its metrics over the range, searchable
//! by name and sortable by a column's header; a campaign's name opens it.

use egui_extras::{Column, TableBuilder};
use outreach_model::{
    CampaignId, CampaignPage, CampaignRow, CampaignSort, CampaignStatus, Filter, Metric, Page,
    ReportView,
};

use crate::api::DashboardApi;
use crate::fetch::Query;
use crate::format;
use crate::theme;

/// The metric columns, in order.
pub const METRICS: [Metric; 5] = [
    Metric::Reach,
    Metric::Impressions,
    Metric::EngagementRate,
    Metric::ConversionRate,
    Metric::OptOutRate,
];

/// The campaigns page's own state: the search, the sort, and its question.
#[derive(Debug)]
pub struct Campaigns {
    search: String,
    sort: CampaignSort,
    /// Whether the person asked for the sort's other direction (its header clicked twice).
    reversed: bool,
    query: Query<(Filter, String, CampaignSort), CampaignPage>,
}

impl Default for Campaigns {
    fn default() -> Self {
        Campaigns {
            search: String::new(),
            sort: CampaignSort::Name,
            reversed: false,
            query: Query::default(),
        }
    }
}

/// The order rows are shown in: the backend's order (names A to Z, latest start first, highest
/// metric first), or its reverse; campaigns without a value stay last either way.
pub fn order(rows: &[CampaignRow], sort: CampaignSort, reversed: bool) -> Vec<usize> {
    let has_value = |row: &CampaignRow| match sort {
        CampaignSort::Metric(metric) => row.metrics.get(metric).is_some(),
        CampaignSort::Name | CampaignSort::StartDate => true,
    };
    let (mut valued, without): (Vec<usize>, Vec<usize>) =
        (0..rows.len()).partition(|&i| has_value(&rows[i]));
    if reversed {
        valued.reverse();
    }
    valued.extend(without);
    valued
}

/// The sorted column's arrow: down for the backend's order (A to Z, latest, highest first), up
/// for its reverse. Drawn, not a glyph: the bundled font has no arrows.
fn sort_arrow(ui: &mut egui::Ui, reversed: bool) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    let (top, bottom) = (rect.top() + 2.0, rect.bottom() - 2.0);
    let (tip, base) = if reversed {
        (top, bottom)
    } else {
        (bottom, top)
    };
    let points = vec![
        egui::pos2(rect.left(), base),
        egui::pos2(rect.right(), base),
        egui::pos2(rect.center().x, tip),
    ];
    let colour = ui.visuals().text_color();
    ui.painter().add(egui::Shape::convex_polygon(
        points,
        colour,
        egui::Stroke::NONE,
    ));
}

/// A campaign's status as a chip, coloured by what it means for its figures.
pub fn status_chip(ui: &mut egui::Ui, status: CampaignStatus) {
    let palette = theme::palette(ui.ctx());
    let colour = match status {
        CampaignStatus::Active => palette.good,
        CampaignStatus::Paused => palette.accent,
        CampaignStatus::Cancelled => palette.bad,
        CampaignStatus::Draft | CampaignStatus::Scheduled | CampaignStatus::Completed => {
            palette.muted
        }
    };
    egui::Frame::new()
        .fill(colour.gamma_multiply(0.15))
        .corner_radius(8)
        .inner_margin(egui::Margin::symmetric(6, 1))
        .show(ui, |ui| {
            ui.label(egui::RichText::new(status.as_str()).color(colour));
        });
}

impl Campaigns {
    /// The list as an export shows it: every campaign of the search, in the backend's order of
    /// the sort (a reversed column is exported in its usual direction).
    pub fn report_view(&self) -> ReportView {
        let search = self.search.trim();
        ReportView::Campaigns {
            search: (!search.is_empty()).then(|| search.to_owned()),
            sort: self.sort,
        }
    }

    /// Whether the page's question is in flight.
    pub fn is_loading(&self) -> bool {
        self.query.is_loading()
    }

    /// Shows the page for `filter`; returns the campaign the person opened, if any.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        api: &dyn DashboardApi,
        filter: &Filter,
    ) -> Option<CampaignId> {
        let Self {
            search,
            sort,
            reversed,
            query,
        } = self;
        ui.horizontal(|ui| {
            let label = ui.label("Search");
            ui.add(
                egui::TextEdit::singleline(search)
                    .hint_text("part of a campaign's name")
                    .desired_width(280.0),
            )
            .labelled_by(label.id);
        });
        let key = (filter.clone(), search.trim().to_owned(), *sort);
        query.follow(ui.ctx(), &key, |(filter, search, sort)| {
            let search = Some(search.as_str()).filter(|s| !s.is_empty());
            // Every campaign: a table of thousands scrolls without cost (only visible rows
            // are laid out).
            let every = Page::new(1, Page::MAX_SIZE).unwrap_or_default();
            api.campaigns(filter, search, *sort, every)
        });
        let mut opened = None;
        let search = search.trim().to_owned();
        super::answer(ui, query, "Retry", |ui, page| {
            // In a scope of its own: the table changes its style (labels not selectable).
            opened = ui
                .scope(|ui| table_ui(ui, page, sort, reversed, &search))
                .inner;
        });
        opened
    }
}

/// The table of `page`; a header click sorts, a click on a row opens its campaign.
fn table_ui(
    ui: &mut egui::Ui,
    page: &CampaignPage,
    sort: &mut CampaignSort,
    reversed: &mut bool,
    search: &str,
) -> Option<CampaignId> {
    let shown = page.campaigns.len() as u64;
    let count = if shown < page.total {
        format!(
            "{} of {} campaigns: search to narrow the list",
            format::count(shown as i64),
            format::count(page.total as i64)
        )
    } else {
        format!("{} campaigns", format::count(shown as i64))
    };
    super::empty(ui, &count);
    if page.campaigns.is_empty() {
        let why = if search.is_empty() {
            "No campaign of the filter has a message in this range.".to_owned()
        } else {
            format!("No campaign's name contains \u{201c}{search}\u{201d}.")
        };
        super::empty(ui, &why);
        return None;
    }
    let rows = order(&page.campaigns, *sort, *reversed);
    let mut clicked_sort = None;
    let mut opened = None;
    let sort_header = |ui: &mut egui::Ui, label: &str, by: CampaignSort, hover: Option<&str>| {
        let response = ui.button(label);
        if *sort == by {
            sort_arrow(ui, *reversed);
        }
        let response = match hover {
            Some(text) => response.on_hover_text(text),
            None => response,
        };
        response.clicked().then_some(by)
    };
    let height = ui.available_height();
    // A row's text is not selectable, so a click on it is the row's (it opens the campaign).
    ui.style_mut().interaction.selectable_labels = false;
    TableBuilder::new(ui)
        .id_salt("campaigns")
        .striped(true)
        .max_scroll_height(height)
        // A click anywhere on a row opens its campaign, as the name's link does.
        .sense(egui::Sense::click())
        // One line per row: cells never wrap, and a sorted header's arrow sits beside it.
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::remainder().at_least(220.0).clip(true))
        .columns(Column::auto(), 4)
        .columns(Column::auto().at_least(90.0), METRICS.len())
        .header(theme::ROW_HEIGHT + 4.0, |mut header| {
            header.col(|ui| {
                clicked_sort =
                    clicked_sort.or(sort_header(ui, "Campaign", CampaignSort::Name, None));
            });
            for title in ["Type", "Channel", "Status"] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
            header.col(|ui| {
                clicked_sort =
                    clicked_sort.or(sort_header(ui, "Start", CampaignSort::StartDate, None));
            });
            for metric in METRICS {
                header.col(|ui| {
                    let by = CampaignSort::Metric(metric);
                    clicked_sort = clicked_sort.or(sort_header(
                        ui,
                        metric.label(),
                        by,
                        Some(metric.definition()),
                    ));
                });
            }
        })
        .body(|body| {
            body.rows(theme::ROW_HEIGHT, rows.len(), |mut row| {
                let campaign = &page.campaigns[rows[row.index()]];
                row.col(|ui| {
                    if ui.link(&campaign.campaign_name).clicked() {
                        opened = Some(campaign.campaign_id);
                    }
                });
                row.col(|ui| {
                    ui.label(&campaign.campaign_type);
                });
                row.col(|ui| {
                    ui.label(campaign.channel.as_str());
                });
                row.col(|ui| status_chip(ui, campaign.status));
                row.col(|ui| {
                    ui.label(campaign.start_date.to_string());
                });
                for metric in METRICS {
                    row.col(|ui| {
                        ui.label(format::metric(metric, campaign.metrics.get(metric)));
                    });
                }
                if row.response().clicked() {
                    opened = Some(campaign.campaign_id);
                }
            });
        });
    if let Some(by) = clicked_sort {
        if *sort == by {
            *reversed = !*reversed;
        } else {
            *sort = by;
            *reversed = false;
        }
    }
    opened
}

#[cfg(test)]
mod tests {
    use super::*;
    use outreach_model::{Channel, Metrics};
    use time::macros::date;

    fn row(name: &str, engagement: Option<f64>) -> CampaignRow {
        CampaignRow {
            campaign_id: CampaignId::from_u128(name.len() as u128),
            campaign_name: name.to_owned(),
            campaign_type: "Wellness".to_owned(),
            channel: Channel::Email,
            status: CampaignStatus::Active,
            start_date: date!(2026 - 01 - 01),
            end_date: None,
            metrics: Metrics {
                engagement_rate: engagement,
                ..Metrics::default()
            },
        }
    }

    #[test]
    fn reversing_keeps_campaigns_without_a_value_last() {
        let rows = [
            row("a", Some(0.3)),
            row("bb", Some(0.2)),
            row("ccc", Some(0.1)),
            row("dddd", None),
        ];
        let by = CampaignSort::Metric(Metric::EngagementRate);
        assert_eq!(order(&rows, by, false), [0, 1, 2, 3]);
        assert_eq!(order(&rows, by, true), [2, 1, 0, 3]);
        assert_eq!(order(&rows, CampaignSort::Name, true), [3, 2, 1, 0]);
    }
}
