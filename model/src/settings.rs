//! What the desktop app remembers between runs: the filter, with a preset range kept as the
//! preset (so "last 30 days" moves on with the calendar) and a custom range as its days.

use time::{Date, Month};

use crate::{CampaignId, CampaignStatus, Channel, DateRange, Filter, named_enum};

named_enum!(
    /// The date ranges offered with one click, by the names the settings file keeps them under.
    RangePreset, "date range preset", {
        Last7Days => "last_7_days",
        Last30Days => "last_30_days",
        Last90Days => "last_90_days",
        QuarterToDate => "quarter_to_date",
        YearToDate => "year_to_date",
    }
);

impl RangePreset {
    /// The button's label.
    pub const fn label(self) -> &'static str {
        match self {
            RangePreset::Last7Days => "Last 7 days",
            RangePreset::Last30Days => "Last 30 days",
            RangePreset::Last90Days => "Last 90 days",
            RangePreset::QuarterToDate => "Quarter to date",
            RangePreset::YearToDate => "Year to date",
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
            RangePreset::Last7Days => DateRange::last_days(today, 7),
            RangePreset::Last30Days => DateRange::last_days(today, 30),
            RangePreset::Last90Days => DateRange::last_days(today, 90),
            RangePreset::QuarterToDate => {
                let first = (u8::from(today.month()) - 1) / 3 * 3 + 1;
                since(Month::try_from(first).unwrap_or(Month::January))
            }
            RangePreset::YearToDate => since(Month::January),
        }
    }

    /// The preset that means `range` when today is `today`, if one does.
    pub fn of(range: DateRange, today: Date) -> Option<RangePreset> {
        RangePreset::ALL
            .iter()
            .copied()
            .find(|preset| preset.range(today) == range)
    }
}

/// A remembered date range: a preset, or fixed days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum SavedRange {
    /// A preset, worked out again each day.
    Preset(RangePreset),
    /// The same days every time.
    Custom(DateRange),
}

impl Default for SavedRange {
    fn default() -> Self {
        SavedRange::Preset(RangePreset::Last30Days)
    }
}

/// The app's remembered view: the filter every page shares.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ViewSettings {
    /// The date range.
    pub range: SavedRange,
    /// Only these channels (none: every channel).
    pub channels: Vec<Channel>,
    /// Only these campaigns.
    pub campaigns: Vec<CampaignId>,
    /// Only campaigns of these types.
    pub campaign_types: Vec<String>,
    /// Only campaigns in these statuses.
    pub statuses: Vec<CampaignStatus>,
}

impl ViewSettings {
    /// The settings that bring `filter` back, its range kept as a preset when one means it.
    pub fn remember(filter: &Filter, today: Date) -> Self {
        ViewSettings {
            range: match RangePreset::of(filter.range, today) {
                Some(preset) => SavedRange::Preset(preset),
                None => SavedRange::Custom(filter.range),
            },
            channels: filter.channels.clone(),
            campaigns: filter.campaigns.clone(),
            campaign_types: filter.campaign_types.clone(),
            statuses: filter.statuses.clone(),
        }
    }

    /// The filter the settings mean when today is `today`.
    pub fn filter(&self, today: Date) -> Filter {
        Filter {
            range: match self.range {
                SavedRange::Preset(preset) => preset.range(today),
                SavedRange::Custom(range) => range,
            },
            channels: self.channels.clone(),
            campaigns: self.campaigns.clone(),
            campaign_types: self.campaign_types.clone(),
            statuses: self.statuses.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn presets_end_today_and_start_where_they_say() {
        let today = date!(2026 - 11 - 28);
        let starts: Vec<Date> = RangePreset::ALL
            .iter()
            .map(|p| p.range(today).start())
            .collect();
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
        assert!(
            RangePreset::ALL
                .iter()
                .all(|p| p.range(today).end() == today)
        );
        // The first day of a quarter is a range of one day.
        assert_eq!(
            RangePreset::QuarterToDate
                .range(date!(2026 - 04 - 01))
                .days(),
            1
        );
    }

    #[test]
    fn a_preset_moves_on_with_the_calendar_and_custom_days_stay() {
        let monday = date!(2026 - 11 - 30);
        let mut filter = Filter::new(RangePreset::Last7Days.range(monday));
        filter.channels = vec![Channel::Sms];
        let saved = ViewSettings::remember(&filter, monday);
        assert_eq!(saved.range, SavedRange::Preset(RangePreset::Last7Days));
        let next_day = saved.filter(date!(2026 - 12 - 01));
        assert_eq!(
            next_day.range,
            DateRange::last_days(date!(2026 - 12 - 01), 7)
        );
        assert_eq!(next_day.channels, [Channel::Sms]);

        let custom = DateRange::new(date!(2026 - 03 - 02), date!(2026 - 03 - 20)).expect("days");
        let saved = ViewSettings::remember(&Filter::new(custom), monday);
        assert_eq!(saved.filter(date!(2027 - 01 - 01)).range, custom);
    }
}
