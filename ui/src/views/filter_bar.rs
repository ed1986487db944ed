//! The filter bar, shared by every page: the date range (presets, or a custom range picked on
//! calendars), the channels, the campaign types, the statuses and the campaigns.

use egui::Widget as _;
use egui_extras::DatePickerButton;
use outreach_model::{
    CampaignId, CampaignNames, CampaignStatus, Channel, DateRange, Filter, Page, RangePreset,
    Search,
};
use time::Date;

use crate::api::DashboardApi;
use crate::fetch::{Fetch, Query};
use crate::format;
use crate::theme;

/// Campaigns the picker lists at a time.
pub const PICKER_PAGE: u32 = 50;

/// The picker's question: the range, the search asked, the campaigns chosen.
type NamesKey = (DateRange, String, Vec<CampaignId>);

/// The filter bar's own state: the choices it offers (asked lightly: names and types, no
/// metric), the picker's search, and a custom range being picked.
#[derive(Debug, Default)]
pub struct FilterBar {
    /// The range's campaign types: the type picker's choices.
    types: Query<DateRange, Vec<String>>,
    /// The picker's first page of campaigns, and the names of those chosen.
    names: Query<NamesKey, CampaignNames>,
    /// The picker's next pages, asked with "Show more", and the question they are of.
    more_names: Vec<Fetch<CampaignNames>>,
    more_key: Option<NamesKey>,
    /// Text that narrows the campaign picker's list, asked at each keystroke (the question
    /// is light; the one in flight is dropped for the next).
    campaign_search: String,
    /// A custom range whose start is after its end: kept, with a message, until it is fixed.
    draft: Option<(Date, Date)>,
}

/// The custom range from `start` to `end`, or why it cannot be one.
pub fn custom_range(start: Date, end: Date) -> Result<DateRange, String> {
    DateRange::new(start, end).map_err(|_| {
        format!("The range would start on {start}, after its end on {end}: pick a start on or before the end.")
    })
}

/// A short summary of a multiple choice: "All …" when nothing is chosen.
fn chosen_text(all: &str, chosen: &[String]) -> String {
    match chosen {
        [] => all.to_owned(),
        [one] => one.clone(),
        many => format!("{} chosen", many.len()),
    }
}

fn to_picker(day: Date) -> jiff::civil::Date {
    jiff::civil::Date::new(
        i16::try_from(day.year()).unwrap_or(i16::MAX),
        u8::from(day.month()) as i8,
        day.day() as i8,
    )
    .unwrap_or_default()
}

fn from_picker(day: jiff::civil::Date) -> Option<Date> {
    let month = time::Month::try_from(u8::try_from(day.month()).ok()?).ok()?;
    Date::from_calendar_date(i32::from(day.year()), month, u8::try_from(day.day()).ok()?).ok()
}

/// Toggles `value` in `chosen`, kept sorted.
fn toggle<T: Ord + Clone>(chosen: &mut Vec<T>, value: &T) {
    if let Some(at) = chosen.iter().position(|c| c == value) {
        chosen.remove(at);
    } else {
        chosen.push(value.clone());
        chosen.sort();
    }
}

impl FilterBar {
    /// Whether the choices could not be read.
    pub fn has_failed(&self) -> bool {
        self.types.failed() || self.names.failed() || self.more_names.iter().any(Fetch::failed)
    }

    /// Whether the choices are loading.
    pub fn is_loading(&self) -> bool {
        self.types.is_loading()
            || self.names.is_loading()
            || self.more_names.iter().any(Fetch::is_loading)
    }

    /// Shows the bar; returns whether the filter changed.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        api: &dyn DashboardApi,
        filter: &mut Filter,
        today: Date,
    ) -> bool {
        let before = filter.clone();
        let ctx = ui.ctx().clone();
        self.types
            .follow(&ctx, &filter.range, |range| api.campaign_types(*range));
        self.follow_names(&ctx, api, filter);
        for fetch in &mut self.more_names {
            fetch.poll(&ctx);
        }
        ui.horizontal_wrapped(|ui| {
            for preset in RangePreset::ALL {
                let range = preset.range(today);
                if ui
                    .selectable_label(filter.range == range, preset.label())
                    .clicked()
                {
                    filter.range = range;
                    self.draft = None;
                }
            }
            ui.separator();
            self.custom_range_ui(ui, filter);
        });
        if let Some((start, end)) = self.draft
            && let Err(why) = custom_range(start, end)
        {
            ui.colored_label(theme::palette(ui.ctx()).bad, why);
        }
        ui.horizontal_wrapped(|ui| {
            // No channel chosen means every channel.
            if ui
                .selectable_label(filter.channels.is_empty(), "All channels")
                .clicked()
            {
                filter.channels.clear();
            }
            for channel in Channel::ALL {
                let chosen = filter.channels.contains(channel);
                if ui.selectable_label(chosen, channel.as_str()).clicked() {
                    toggle(&mut filter.channels, channel);
                }
            }
            ui.separator();
            self.types_ui(ui, filter);
            statuses_ui(ui, filter);
            self.campaigns_ui(ui, api, filter);
            let narrowed = !(filter.channels.is_empty() && filter.by_channel_only());
            if ui
                .add_enabled(narrowed, egui::Button::new("Clear filters"))
                .on_hover_text("Every channel, type, status and campaign; the dates stay.")
                .clicked()
            {
                *filter = Filter::new(filter.range);
            }
        });
        // A keystroke in the picker's search or a tick asks in the frame that made it, so the
        // title says "(loading)" from that frame on.
        self.follow_names(&ctx, api, filter);
        *filter != before
    }

    /// Asks the picker's first page of names for the range, the search and the chosen
    /// campaigns, when they changed (and forgets the pages shown after it).
    fn follow_names(&mut self, ctx: &egui::Context, api: &dyn DashboardApi, filter: &Filter) {
        let key: NamesKey = (
            filter.range,
            self.campaign_search.trim().to_owned(),
            filter.campaigns.clone(),
        );
        self.names.follow(ctx, &key, |(range, search, chosen)| {
            let search = Some(search.as_str()).filter(|s| !s.is_empty());
            api.campaign_names(*range, search, chosen, first_names_page())
        });
        if self.more_key.as_ref() != Some(&key) {
            self.more_names.clear();
            self.more_key = Some(key);
        }
    }

    /// The two calendars of a custom range. A start after the end is kept as a draft, with a
    /// message, and the filter keeps its range.
    fn custom_range_ui(&mut self, ui: &mut egui::Ui, filter: &mut Filter) {
        let (start, end) = self
            .draft
            .unwrap_or((filter.range.start(), filter.range.end()));
        let (mut start_pick, mut end_pick) = (to_picker(start), to_picker(end));
        ui.label("From");
        let start_changed = DatePickerButton::new(&mut start_pick)
            .id_salt("range start")
            .show_icon(false)
            .calendar_week(false)
            .ui(ui)
            .changed();
        ui.label("to");
        let end_changed = DatePickerButton::new(&mut end_pick)
            .id_salt("range end")
            .show_icon(false)
            .calendar_week(false)
            .ui(ui)
            .changed();
        if !(start_changed || end_changed) {
            return;
        }
        let picked = (
            from_picker(start_pick).unwrap_or(start),
            from_picker(end_pick).unwrap_or(end),
        );
        match custom_range(picked.0, picked.1) {
            Ok(range) => {
                filter.range = range;
                self.draft = None;
            }
            Err(_) => self.draft = Some(picked),
        }
    }

    /// The campaign types of the range's campaigns, each a checkbox.
    fn types_ui(&mut self, ui: &mut egui::Ui, filter: &mut Filter) {
        let types: &[String] = self.types.ok().map_or(&[], Vec::as_slice);
        super::picker_ui(
            ui,
            "Type",
            "campaign types",
            &chosen_text("All types", &filter.campaign_types),
            super::Choices::Several,
            |ui| {
                if ui.button("All types").clicked() {
                    filter.campaign_types.clear();
                }
                for kind in types {
                    let mut chosen = filter.campaign_types.contains(kind);
                    if ui.checkbox(&mut chosen, kind).changed() {
                        toggle(&mut filter.campaign_types, kind);
                    }
                }
            },
        );
    }

    /// The range's campaigns by name, narrowed by a search and shown a page at a time, each a
    /// checkbox.
    fn campaigns_ui(&mut self, ui: &mut egui::Ui, api: &dyn DashboardApi, filter: &mut Filter) {
        let Self {
            names,
            more_names,
            more_key,
            campaign_search,
            ..
        } = self;
        let chosen: Vec<String> = names
            .ok()
            .map(|answer| {
                answer
                    .chosen
                    .iter()
                    .map(|c| c.campaign_name.clone())
                    .collect()
            })
            .unwrap_or_default();
        let summary = match (filter.campaigns.len(), chosen.as_slice()) {
            (0, _) => "All campaigns".to_owned(),
            (1, [name]) => name.clone(),
            (n, _) => format!("{n} chosen"),
        };
        super::picker_ui(
            ui,
            "Campaigns",
            "campaign picker",
            &summary,
            super::Choices::Several,
            |ui| {
                ui.set_min_width(240.0);
                ui.horizontal(|ui| {
                    let label = ui.label("Find:");
                    ui.add(
                        egui::TextEdit::singleline(campaign_search).char_limit(Search::MAX_CHARS),
                    )
                    .labelled_by(label.id);
                });
                if ui.button("All campaigns").clicked() {
                    filter.campaigns.clear();
                }
                let Some(first) = names.ok() else {
                    ui.spinner();
                    return;
                };
                egui::ScrollArea::vertical()
                    .max_height(320.0)
                    .show(ui, |ui| {
                        let pages = std::iter::once(first)
                            .chain(more_names.iter().filter_map(|f| f.answer()?.as_ref().ok()));
                        let mut shown = 0;
                        for campaign in pages.flat_map(|page| page.campaigns.iter()) {
                            shown += 1;
                            let mut on = filter.campaigns.contains(&campaign.campaign_id);
                            if ui.checkbox(&mut on, &campaign.campaign_name).changed() {
                                toggle(&mut filter.campaigns, &campaign.campaign_id);
                            }
                        }
                        if first.total == 0 {
                            super::empty(ui, "No campaign of these dates has that in its name.");
                            return;
                        }
                        super::empty(
                            ui,
                            &format!(
                                "{} of {} campaigns",
                                format::count(shown),
                                format::count(i64::try_from(first.total).unwrap_or(i64::MAX))
                            ),
                        );
                        let loading = more_names.iter().any(Fetch::is_loading);
                        if loading {
                            ui.spinner();
                        } else if (shown as u64) < first.total && ui.button("Show more").clicked() {
                            let number = u32::try_from(more_names.len() + 2).unwrap_or(u32::MAX);
                            if let (Ok(page), Some((range, search, chosen))) =
                                (Page::new(number, PICKER_PAGE), more_key.as_ref())
                            {
                                let search = Some(search.as_str()).filter(|s| !s.is_empty());
                                let mut fetch = Fetch::default();
                                fetch.ask(api.campaign_names(*range, search, chosen, page));
                                more_names.push(fetch);
                            }
                        }
                    });
            },
        );
    }
}

fn first_names_page() -> Page {
    Page::new(1, PICKER_PAGE).unwrap_or_default()
}

/// The statuses, each a checkbox.
fn statuses_ui(ui: &mut egui::Ui, filter: &mut Filter) {
    let chosen: Vec<String> = filter
        .statuses
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    super::picker_ui(
        ui,
        "Status",
        "campaign statuses",
        &chosen_text("All statuses", &chosen),
        super::Choices::Several,
        |ui| {
            if ui.button("All statuses").clicked() {
                filter.statuses.clear();
            }
            for status in CampaignStatus::ALL {
                let mut on = filter.statuses.contains(status);
                if ui.checkbox(&mut on, status.as_str()).changed() {
                    toggle(&mut filter.statuses, status);
                }
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_custom_range_must_start_on_or_before_its_end() {
        let range = custom_range(date!(2026 - 03 - 01), date!(2026 - 03 - 31)).expect("a range");
        assert_eq!(range.days(), 31);
        let why =
            custom_range(date!(2026 - 04 - 02), date!(2026 - 04 - 01)).expect_err("backwards");
        assert!(why.contains("on or before the end"), "{why}");
        // The picker's days and ours are the same days.
        let day = date!(2024 - 02 - 29);
        assert_eq!(from_picker(to_picker(day)), Some(day));
    }

    #[test]
    fn choices_toggle_and_stay_sorted() {
        let mut chosen = vec![Channel::Sms];
        toggle(&mut chosen, &Channel::Email);
        assert_eq!(chosen, [Channel::Email, Channel::Sms]);
        toggle(&mut chosen, &Channel::Sms);
        assert_eq!(chosen, [Channel::Email]);
        assert_eq!(chosen_text("All types", &[]), "All types");
        assert_eq!(chosen_text("All", &["a".into(), "b".into()]), "2 chosen");
    }
}
