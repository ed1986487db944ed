//! The campaigns page: every campaign of the filter with its metrics over the range, searched by
//! name (the search asked once typing pauses) and ordered by a column's header (a second click
//! reverses it), both by the backend. The table is virtualised and paged: it asks the backend
//! for the pages of the rows on screen as the person scrolls, and knows the total at once; a
//! click on a row opens its campaign.

use std::collections::BTreeMap;

use egui_extras::{Column, TableBuilder};
use outreach_model::{
    CampaignId, CampaignOrder, CampaignPage, CampaignRow, CampaignSort, CampaignStatus, Filter,
    Metric, Page, ReportView, Search,
};

use crate::api::DashboardApi;
use crate::fetch::{Fetch, Query};
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

/// Rows the table asks for at a time.
pub const PAGE_ROWS: u32 = 100;

/// How long typing must pause before the search is asked, in seconds.
pub const SEARCH_PAUSE: f64 = 0.3;

/// More rows than any screen shows at once: a bound on the rows looked at after a jump.
const ROWS_ON_SCREEN_AT_MOST: usize = 200;

/// The question the table answers: the filter, the search asked and the order.
type Key = (Filter, String, CampaignOrder);

/// A text field whose value is asked for once typing pauses for [`SEARCH_PAUSE`].
#[derive(Debug, Default)]
pub struct Debounced {
    /// What is typed.
    pub text: String,
    /// What is asked.
    asked: String,
    /// When the text last changed, if it has not been asked yet.
    changed_at: Option<f64>,
}

impl Debounced {
    /// Notes a change of the text at `now`.
    pub fn typed(&mut self, now: f64) {
        self.changed_at = Some(now);
    }

    /// The text to ask at `now`: the typed text once it has rested, else what was asked
    /// before; asks for a frame when the pause ends.
    pub fn settled(&mut self, ctx: &egui::Context) -> &str {
        let now = ctx.input(|i| i.time);
        if let Some(changed) = self.changed_at {
            let waited = now - changed;
            if waited >= SEARCH_PAUSE {
                self.asked = self.text.trim().to_owned();
                self.changed_at = None;
            } else {
                ctx.request_repaint_after(std::time::Duration::from_secs_f64(
                    SEARCH_PAUSE - waited,
                ));
            }
        }
        &self.asked
    }

    /// Whether typed text is waiting to be asked.
    pub fn is_pending(&self) -> bool {
        self.changed_at.is_some()
    }
}

/// The campaigns page's own state: the search, the order, and the pages asked.
#[derive(Debug)]
pub struct Campaigns {
    search: Debounced,
    order: CampaignOrder,
    /// The first page: it carries the total, and the previous list stays on screen while a
    /// new one loads.
    first: Query<Key, CampaignPage>,
    /// The other pages of the list on screen, by number (from 2), and the list they are of.
    more: BTreeMap<u32, Fetch<CampaignPage>>,
    more_key: Option<Key>,
}

impl Default for Campaigns {
    fn default() -> Self {
        Campaigns {
            search: Debounced::default(),
            order: CampaignSort::Name.into(),
            first: Query::default(),
            more: BTreeMap::new(),
            more_key: None,
        }
    }
}

/// The sorted column's arrow: down for the usual order (A to Z, latest, highest first), up for
/// its reverse. Drawn, not a glyph: the bundled font has no arrows.
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

/// The page of the list that holds row `index` (from 0), and the row's place in it.
pub fn page_of(index: usize) -> (u32, usize) {
    let rows = PAGE_ROWS as usize;
    (
        u32::try_from(index / rows + 1).unwrap_or(u32::MAX),
        index % rows,
    )
}

impl Campaigns {
    /// The list as an export shows it: every campaign of the search, in the order on screen.
    pub fn report_view(&self) -> ReportView {
        let search = self.search.text.trim();
        ReportView::Campaigns {
            search: (!search.is_empty()).then(|| search.to_owned()),
            sort: self.order.sort,
            reversed: self.order.reversed,
        }
    }

    /// Whether the list, or a page of it on screen, could not be read.
    pub fn has_failed(&self) -> bool {
        self.first.failed() || self.more.values().any(Fetch::failed)
    }

    /// Whether a page of the list is in flight, or typed text waits to be asked.
    pub fn is_loading(&self) -> bool {
        self.first.is_loading()
            || self.search.is_pending()
            || self.more.values().any(Fetch::is_loading)
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
            order,
            first,
            more,
            more_key,
        } = self;
        ui.horizontal(|ui| {
            let label = ui.label("Search:");
            let edit = ui
                .add(
                    egui::TextEdit::singleline(&mut search.text)
                        .hint_text("part of a campaign's name")
                        .char_limit(Search::MAX_CHARS)
                        .desired_width(280.0),
                )
                .labelled_by(label.id);
            if edit.changed() {
                search.typed(ui.input(|i| i.time));
            }
        });
        let ctx = ui.ctx().clone();
        let key: Key = (filter.clone(), search.settled(&ctx).to_owned(), *order);
        follow_first(&ctx, api, key, first, more, more_key);
        for fetch in more.values_mut() {
            fetch.poll(&ctx);
        }
        let mut opened = None;
        let mut wanted = Vec::new();
        let asked = search.settled(ui.ctx()).to_owned();
        super::answer(ui, first, "Retry", |ui, page| {
            // In a scope of its own: the table changes its style (labels not selectable).
            opened = ui
                .scope(|ui| {
                    let rows = Rows { first: page, more };
                    table_ui(ui, &rows, order, &asked, &mut wanted)
                })
                .inner;
        });
        // A header clicked in this frame: the first page of the new order is asked now.
        let key: Key = (filter.clone(), asked, *order);
        follow_first(&ctx, api, key, first, more, more_key);
        // The pages of the rows on screen that are not asked yet.
        for number in wanted {
            if let (Some(page), Some((filter, search, order))) =
                (Page::new(number, PAGE_ROWS).ok(), more_key.as_ref())
            {
                let search = Some(search.as_str()).filter(|s| !s.is_empty());
                let mut fetch = Fetch::default();
                fetch.ask(api.campaigns(filter, search, *order, page));
                fetch.poll(&ctx);
                more.insert(number, fetch);
            }
        }
        opened
    }
}

/// Asks the first page of the list for `key` when it changed, and forgets the pages asked
/// after it for another key.
fn follow_first(
    ctx: &egui::Context,
    api: &dyn DashboardApi,
    key: Key,
    first: &mut Query<Key, CampaignPage>,
    more: &mut BTreeMap<u32, Fetch<CampaignPage>>,
    more_key: &mut Option<Key>,
) {
    first.follow(ctx, &key, |(filter, search, order)| {
        let search = Some(search.as_str()).filter(|s| !s.is_empty());
        api.campaigns(filter, search, *order, first_page())
    });
    if more_key.as_ref() != Some(&key) {
        more.clear();
        *more_key = Some(key);
    }
}

fn first_page() -> Page {
    Page::new(1, PAGE_ROWS).unwrap_or_default()
}

/// The rows of the list known so far.
struct Rows<'a> {
    first: &'a CampaignPage,
    more: &'a BTreeMap<u32, Fetch<CampaignPage>>,
}

impl Rows<'_> {
    /// Row `index`, if its page has come; or why not (asked, failed).
    fn get(&self, index: usize) -> Result<&CampaignRow, RowState> {
        let (number, at) = page_of(index);
        let page = if number == 1 {
            Some(self.first)
        } else {
            match self.more.get(&number) {
                None => return Err(RowState::NotAsked(number)),
                Some(fetch) => match fetch.answer() {
                    Some(Ok(page)) => Some(page),
                    Some(Err(err)) => return Err(RowState::Failed(err.message.clone())),
                    None => None,
                },
            }
        };
        page.and_then(|p| p.campaigns.get(at))
            .ok_or(RowState::Loading)
    }
}

/// Why a row is not on screen yet.
enum RowState {
    /// Its page is to be asked for.
    NotAsked(u32),
    /// Its page is on its way.
    Loading,
    /// Its page could not be read.
    Failed(String),
}

/// Adds page `number` to the pages to ask for, once.
fn want(wanted: &mut Vec<u32>, number: u32) {
    if !wanted.contains(&number) {
        wanted.push(number);
    }
}

/// The table of the list; a header click orders, a click on a row opens its campaign. The
/// numbers of pages on screen that were never asked go into `wanted`.
fn table_ui(
    ui: &mut egui::Ui,
    rows: &Rows<'_>,
    order: &mut CampaignOrder,
    search: &str,
    wanted: &mut Vec<u32>,
) -> Option<CampaignId> {
    let total = rows.first.total;
    super::empty(ui, &format!("{} campaigns", format::count(total as i64)));
    if total == 0 {
        let why = if search.is_empty() {
            "No campaign of the filter has a message in this range.".to_owned()
        } else {
            format!("No campaign's name contains \u{201c}{search}\u{201d}.")
        };
        super::empty(ui, &why);
        return None;
    }
    let mut clicked_sort = None;
    let mut opened = None;
    let sort_header = |ui: &mut egui::Ui, label: &str, by: CampaignSort, hover: Option<&str>| {
        let response = ui.button(label);
        if order.sort == by {
            sort_arrow(ui, order.reversed);
        }
        let response = match hover {
            Some(text) => response.on_hover_text(text),
            None => response,
        };
        response.clicked().then_some(by)
    };
    let height = ui.available_height();
    // A press in the scroll bar's track (at the table's right edge) moves the list after its
    // rows were laid out (egui handles the bar last), and nothing else may ask for a frame
    // until the button is let go: the next frame draws the rows where it landed (their page
    // is asked in this one, below). (Only there: a frame of this table is dear where the
    // webview draws on the CPU.)
    let bar = ui.max_rect().right() - 2.0 * ui.style().spacing.scroll.bar_width;
    let pressed_at = ui.input(|i| i.pointer.press_origin().filter(|_| i.pointer.any_pressed()));
    if pressed_at.is_some_and(|at| at.x >= bar) {
        ui.ctx().request_repaint();
    }
    // A row's text is not selectable, so a click on it is the row's (it opens the campaign).
    ui.style_mut().interaction.selectable_labels = false;
    let muted = theme::palette(ui.ctx()).muted;
    let row_step = theme::ROW_HEIGHT + ui.spacing().item_spacing.y;
    let scrolled = TableBuilder::new(ui)
        .id_salt("campaigns")
        .striped(true)
        .max_scroll_height(height)
        // A jump by the scroll bar (a click in its track, a drag) lands at once: the rows then
        // asked for are those of where it lands, not of every page on the way. (A wheel's
        // scroll glides whatever this says: egui smooths it where it reads its input.)
        .animate_scrolling(false)
        // A click anywhere on a row opens its campaign, as the name's link does.
        .sense(egui::Sense::click())
        // One line per row: cells never wrap, and a sorted header's arrow sits beside it.
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        // Fixed widths: pages arriving as the table scrolls never move its columns.
        .column(Column::remainder().at_least(220.0).clip(true))
        .column(Column::exact(150.0).clip(true))
        .column(Column::exact(60.0))
        .column(Column::exact(90.0))
        .column(Column::exact(85.0))
        .columns(Column::exact(116.0), METRICS.len())
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
            let count = usize::try_from(total).unwrap_or(usize::MAX);
            body.rows(theme::ROW_HEIGHT, count, |mut row| {
                let campaign = match rows.get(row.index()) {
                    Ok(campaign) => campaign,
                    Err(state) => {
                        let text = match state {
                            RowState::NotAsked(number) => {
                                want(wanted, number);
                                "…".to_owned()
                            }
                            RowState::Loading => "…".to_owned(),
                            RowState::Failed(why) => why,
                        };
                        row.col(|ui| {
                            ui.label(egui::RichText::new(text).color(muted));
                        });
                        return;
                    }
                };
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
    // Where the list stands after this frame (a press in the scroll bar moves it after the
    // rows were drawn): the pages of the rows there are asked now, not a frame later.
    let top = scrolled.state.clamped_offset().y;
    let seen = (top / row_step).floor().max(0.0) as usize
        ..((top + scrolled.inner_rect.height()) / row_step)
            .ceil()
            .max(0.0) as usize;
    let count = usize::try_from(total).unwrap_or(usize::MAX);
    for index in seen.take(ROWS_ON_SCREEN_AT_MOST).filter(|i| *i < count) {
        if let Err(RowState::NotAsked(number)) = rows.get(index) {
            want(wanted, number);
        }
    }
    if let Some(by) = clicked_sort {
        *order = if order.sort == by {
            order.reverse()
        } else {
            by.into()
        };
    }
    opened
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_fall_in_pages_of_a_hundred() {
        assert_eq!(page_of(0), (1, 0));
        assert_eq!(page_of(99), (1, 99));
        assert_eq!(page_of(100), (2, 0));
        assert_eq!(page_of(5_000), (51, 0));
    }

    #[test]
    fn a_search_is_asked_once_typing_pauses() {
        let ctx = egui::Context::default();
        let mut search = Debounced::default();
        let frame = |ctx: &egui::Context, time: f64, search: &mut Debounced| {
            let input = egui::RawInput {
                time: Some(time),
                ..Default::default()
            };
            let mut asked = String::new();
            let mut output = ctx.run_ui(input, |ui| asked = search.settled(ui.ctx()).to_owned());
            // No painter here: the frame's font texture is dropped on purpose.
            output.textures_delta.clear();
            asked
        };
        assert_eq!(frame(&ctx, 0.0, &mut search), "");
        search.text = "flu".to_owned();
        search.typed(0.0);
        assert_eq!(frame(&ctx, 0.1, &mut search), "", "still typing");
        assert!(search.is_pending());
        search.text = "flu shot".to_owned();
        search.typed(0.2);
        assert_eq!(frame(&ctx, 0.4, &mut search), "", "the pause starts again");
        assert_eq!(frame(&ctx, 0.55, &mut search), "flu shot");
        assert!(!search.is_pending());
    }
}
