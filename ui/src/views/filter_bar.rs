//! The filter bar: the date range and the channels, shared by every page.

use outreach_model::{Channel, DateRange, Filter};
use time::{Date, Month};

/// The date ranges offered with one click.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// The last 7 days, today included.
    Last7Days,
    /// The last 30 days.
    Last30Days,
    /// The last 90 days.
    Last90Days,
    /// From the first day of this quarter.
    QuarterToDate,
    /// From the first of January.
    YearToDate,
}

impl Preset {
    /// Every preset, in the order shown.
    pub const ALL: [Preset; 5] = [
        Preset::Last7Days,
        Preset::Last30Days,
        Preset::Last90Days,
        Preset::QuarterToDate,
        Preset::YearToDate,
    ];

    /// The button's label.
    pub const fn label(self) -> &'static str {
        match self {
            Preset::Last7Days => "Last 7 days",
            Preset::Last30Days => "Last 30 days",
            Preset::Last90Days => "Last 90 days",
            Preset::QuarterToDate => "Quarter to date",
            Preset::YearToDate => "Year to date",
        }
    }

    /// The days the preset means when today is `today`.
    pub fn range(self, today: Date) -> DateRange {
        // The first of `month` this year to today (cannot fail for a month of today's year).
        let since = |month: Month| {
            Date::from_calendar_date(today.year(), month, 1)
                .ok()
                .and_then(|start| DateRange::new(start, today).ok())
                .unwrap_or_else(|| DateRange::last_days(today, 1))
        };
        match self {
            Preset::Last7Days => DateRange::last_days(today, 7),
            Preset::Last30Days => DateRange::last_days(today, 30),
            Preset::Last90Days => DateRange::last_days(today, 90),
            Preset::QuarterToDate => {
                let first = (u8::from(today.month()) - 1) / 3 * 3 + 1;
                since(Month::try_from(first).unwrap_or(Month::January))
            }
            Preset::YearToDate => since(Month::January),
        }
    }
}

/// The filter bar's own state: nothing yet beyond the filter the app holds.
#[derive(Debug, Default)]
pub struct FilterBar {}

impl FilterBar {
    /// Shows the bar; returns whether the filter changed.
    pub fn ui(&mut self, ui: &mut egui::Ui, filter: &mut Filter, today: Date) -> bool {
        let Self {} = self;
        let mut changed = false;
        ui.horizontal_wrapped(|ui| {
            for preset in Preset::ALL {
                let range = preset.range(today);
                if ui
                    .selectable_label(filter.range == range, preset.label())
                    .clicked()
                    && filter.range != range
                {
                    filter.range = range;
                    changed = true;
                }
            }
            ui.separator();
            // No channel chosen means every channel.
            if ui
                .selectable_label(filter.channels.is_empty(), "All channels")
                .clicked()
                && !filter.channels.is_empty()
            {
                filter.channels.clear();
                changed = true;
            }
            for channel in Channel::ALL {
                let chosen = filter.channels.contains(channel);
                if ui.selectable_label(chosen, channel.as_str()).clicked() {
                    if chosen {
                        filter.channels.retain(|c| c != channel);
                    } else {
                        filter.channels.push(*channel);
                        filter.channels.sort();
                    }
                    changed = true;
                }
            }
        });
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn presets_end_today_and_start_where_they_say() {
        let today = date!(2026 - 11 - 28);
        let starts: Vec<Date> = Preset::ALL.iter().map(|p| p.range(today).start()).collect();
        assert_eq!(
            starts,
            [
                date!(2026 - 11 - 22),
                date!(2026 - 10 - 30),
                date!(2026 - 08 - 31),
                date!(2026 - 10 - 01),
                date!(2026 - 01 - 01),
            ]
        );
        assert!(Preset::ALL.iter().all(|p| p.range(today).end() == today));
        // The first day of a quarter is a range of one day.
        assert_eq!(Preset::QuarterToDate.range(date!(2026 - 04 - 01)).days(), 1);
    }
}
