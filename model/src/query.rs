//! What a question to the dashboard is made of: a campaign id, a date range, an interval, a
//! metric, a filter, a sort and a page. Each is parsed once, here, with a message that says
//! what is wrong and what to do.

use std::fmt;
use std::str::FromStr;

use time::{Date, Duration};

use crate::{CampaignStatus, Channel, named_enum};

/// A campaign's id: a UUID, written in its hyphenated lower-case form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CampaignId(u128);

/// Text that is not a campaign id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a campaign id: expected a UUID such as 2f1c0c4e-8a4b-4e8e-9a57-0d6c1c7b5e21 (`outreach campaigns` lists them)"
)]
pub struct InvalidCampaignId(String);

impl CampaignId {
    /// The id from its 128 bits.
    pub const fn from_u128(bits: u128) -> Self {
        CampaignId(bits)
    }

    /// The id's 128 bits.
    pub const fn as_u128(self) -> u128 {
        self.0
    }
}

impl FromStr for CampaignId {
    type Err = InvalidCampaignId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidCampaignId(text.to_owned());
        let groups: Vec<&str> = text.split('-').collect();
        let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        if lengths != [8, 4, 4, 4, 12] {
            return Err(invalid());
        }
        let hex: String = groups.concat();
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        u128::from_str_radix(&hex, 16)
            .map(CampaignId)
            .map_err(|_| invalid())
    }
}

impl fmt::Display for CampaignId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // 8-4-4-4-12 hex digits, without an allocation (a CSV export writes one per row).
        let v = self.0;
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            (v >> 96) as u32,
            (v >> 80) as u16,
            (v >> 64) as u16,
            (v >> 48) as u16,
            v & 0xffff_ffff_ffff
        )
    }
}

impl serde::Serialize for CampaignId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for CampaignId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The form a campaign name is searched in, on every store: Unicode lower case ("Grippe
/// ÉTÉ" is "grippe été"). The ETL stores each name's, and a search looks for the search text's.
pub fn search_key(text: &str) -> String {
    text.trim().to_lowercase()
}

/// Parses a day written as ISO 8601 (`2026-11-28`).
pub fn parse_date(text: &str) -> Result<Date, InvalidDate> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), format).map_err(|_| InvalidDate(text.to_owned()))
}

/// Text that is not a day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a date: write it as YYYY-MM-DD, e.g. 2026-11-28")]
pub struct InvalidDate(String);

/// Days from `start` to `end`, both included; never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "RawRange")]
pub struct DateRange {
    start: Date,
    end: Date,
}

#[derive(serde::Deserialize)]
struct RawRange {
    start: Date,
    end: Date,
}

impl TryFrom<RawRange> for DateRange {
    type Error = InvalidRange;
    fn try_from(raw: RawRange) -> Result<Self, Self::Error> {
        DateRange::new(raw.start, raw.end)
    }
}

/// Days that are no range the dashboard shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRange {
    /// It ends before it starts.
    #[error(
        "the range starts on {start} but ends on {end}, before it: give a start on or before the end"
    )]
    Backwards {
        /// The first day asked for.
        start: Date,
        /// The last day asked for.
        end: Date,
    },
    /// It is longer than any report needs (a day-by-day series of it would not fit on a screen).
    #[error(
        "the range from {start} to {end} is longer than {max} days: give a range of ten years or less",
        max = DateRange::MAX_DAYS
    )]
    TooLong {
        /// The first day asked for.
        start: Date,
        /// The last day asked for.
        end: Date,
    },
}

impl DateRange {
    /// The longest range: ten years.
    pub const MAX_DAYS: i64 = 3_653;

    /// The days from `start` to `end`, both included.
    pub fn new(start: Date, end: Date) -> Result<Self, InvalidRange> {
        if start > end {
            return Err(InvalidRange::Backwards { start, end });
        }
        if (end - start).whole_days() + 1 > Self::MAX_DAYS {
            return Err(InvalidRange::TooLong { start, end });
        }
        Ok(DateRange { start, end })
    }

    /// The `days` days that end on `end`.
    pub fn last_days(end: Date, days: u16) -> Self {
        let start = end - Duration::days(i64::from(days.max(1)) - 1);
        DateRange { start, end }
    }

    /// The first day.
    pub const fn start(&self) -> Date {
        self.start
    }

    /// The last day.
    pub const fn end(&self) -> Date {
        self.end
    }

    /// How many days the range holds.
    pub fn days(&self) -> i64 {
        (self.end - self.start).whole_days() + 1
    }

    /// The range of equal length that ends the day before this one starts.
    pub fn previous(&self) -> Self {
        let end = self.start - Duration::days(1);
        DateRange {
            start: end - Duration::days(self.days() - 1),
            end,
        }
    }

    /// Whether `day` is in the range.
    pub fn contains(&self, day: Date) -> bool {
        self.start <= day && day <= self.end
    }

    /// The first day of the interval holding `day`, cut by the start of the range: the day
    /// itself, the Monday of its ISO week, or the first of its month.
    pub fn bucket(&self, interval: Interval, day: Date) -> Date {
        let start = match interval {
            Interval::Day => day,
            Interval::Week => {
                day - Duration::days(i64::from(day.weekday().number_days_from_monday()))
            }
            Interval::Month => day.replace_day(1).unwrap_or(day),
        };
        start.max(self.start)
    }

    /// Every interval of the range as its first and last day, in order (the last one ends
    /// with the range).
    pub fn periods(&self, interval: Interval) -> Vec<(Date, Date)> {
        let starts = self.buckets(interval);
        starts
            .iter()
            .enumerate()
            .map(|(i, start)| {
                let end = starts
                    .get(i + 1)
                    .and_then(|next| next.previous_day())
                    .unwrap_or(self.end);
                (*start, end)
            })
            .collect()
    }

    /// The labels of every interval of the range, in order.
    pub fn buckets(&self, interval: Interval) -> Vec<Date> {
        let mut labels = Vec::new();
        let mut day = self.start;
        while day <= self.end {
            let label = self.bucket(interval, day);
            if labels.last() != Some(&label) {
                labels.push(label);
            }
            day = match day.next_day() {
                Some(next) => next,
                None => break,
            };
        }
        labels
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", self.start, self.end)
    }
}

named_enum!(
    /// How a series is cut: by day, ISO week (from Monday) or calendar month.
    Interval, "interval", {
        Day => "day",
        Week => "week",
        Month => "month",
    }
);

named_enum!(
    /// The metrics of docs/metrics.md, by their names there.
    Metric, "metric", {
        Reach => "reach",
        Impressions => "impressions",
        Opens => "opens",
        Clicks => "clicks",
        Engaged => "engaged",
        Conversions => "conversions",
        OptOuts => "opt_outs",
        Sent => "sent",
        Bounces => "bounces",
        MachineOpens => "machine_opens",
        EngagementRate => "engagement_rate",
        ConversionRate => "conversion_rate",
        OptOutRate => "opt_out_rate",
        DeliveryRate => "delivery_rate",
    }
);

impl Metric {
    /// The name a person reads, in sentence case.
    pub const fn label(self) -> &'static str {
        match self {
            Metric::Reach => "Reach",
            Metric::Impressions => "Impressions",
            Metric::Opens => "Opens",
            Metric::Clicks => "Clicks",
            Metric::Engaged => "Engaged",
            Metric::Conversions => "Conversions",
            Metric::OptOuts => "Opt-outs",
            Metric::Sent => "Sent",
            Metric::Bounces => "Bounces",
            Metric::MachineOpens => "Machine opens",
            Metric::EngagementRate => "Engagement rate",
            Metric::ConversionRate => "Conversion rate",
            Metric::OptOutRate => "Opt-out rate",
            Metric::DeliveryRate => "Delivery rate",
        }
    }

    /// What the metric counts, in the words of docs/metrics.md, for hover cards and report
    /// appendices.
    pub const fn definition(self) -> &'static str {
        match self {
            Metric::Reach => {
                "Distinct members with a message delivered in the period (one member messaged on three days, or by two campaigns, is one member). Estimated from HyperLogLog sketches, within 2%."
            }
            Metric::Impressions => {
                "Messages delivered: each message counts once, on the day of its first delivery."
            }
            Metric::Opens => {
                "Delivered messages opened by a person, on the day of the first such open. Opens fired by a mail client's privacy proxy are not counted."
            }
            Metric::Clicks => "Delivered messages clicked, on the day of the first click.",
            Metric::Engaged => {
                "Delivered messages with an engagement (a human open, a click, or a reply that is not an opt-out), on the day of the first one."
            }
            Metric::Conversions => {
                "Members who converted, on the day of their first conversion in the campaign."
            }
            Metric::OptOuts => {
                "Members who opted out (unsubscribed, or replied STOP or a similar word), on the day of their first opt-out in the campaign."
            }
            Metric::Sent => "Messages sent, on the day of the first send.",
            Metric::Bounces => "Messages that bounced, on the day of the first bounce.",
            Metric::MachineOpens => {
                "Opens fired by a mail client's privacy proxy, not a person: shown apart and never in any rate."
            }
            Metric::EngagementRate => {
                "Engaged messages divided by impressions, both summed over the period and campaigns (never an average of daily rates)."
            }
            Metric::ConversionRate => {
                "Conversions divided by impressions, both summed over the period and campaigns."
            }
            Metric::OptOutRate => {
                "Opt-outs divided by impressions, both summed over the period and campaigns. Lower is better."
            }
            Metric::DeliveryRate => {
                "Impressions divided by messages sent, both summed over the period and campaigns."
            }
        }
    }

    /// Whether the metric is a ratio (shown as a percentage) rather than a count.
    pub const fn is_rate(self) -> bool {
        matches!(
            self,
            Metric::EngagementRate
                | Metric::ConversionRate
                | Metric::OptOutRate
                | Metric::DeliveryRate
        )
    }
}

/// Which campaigns and days a question is about. Empty lists mean "all". Read from JSON (the
/// IPC, an export request) through [`Filter::MAX_CAMPAIGNS`] and the other limits, with no
/// field it does not know.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "RawFilter")]
pub struct Filter {
    /// The days.
    pub range: DateRange,
    /// Only these campaigns.
    #[serde(default)]
    pub campaigns: Vec<CampaignId>,
    /// Only campaigns on these channels.
    #[serde(default)]
    pub channels: Vec<Channel>,
    /// Only campaigns of these types (free text in the warehouse, e.g. "Wellness").
    #[serde(default)]
    pub campaign_types: Vec<String>,
    /// Only campaigns in these statuses.
    #[serde(default)]
    pub statuses: Vec<CampaignStatus>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFilter {
    range: DateRange,
    #[serde(default)]
    campaigns: Vec<CampaignId>,
    #[serde(default)]
    channels: Vec<Channel>,
    #[serde(default)]
    campaign_types: Vec<String>,
    #[serde(default)]
    statuses: Vec<CampaignStatus>,
}

/// A filter too large to be one a person chose.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidFilter {
    /// Too many campaigns chosen.
    #[error("the filter chooses {0} campaigns: choose at most {max}, or filter by type or status instead", max = Filter::MAX_CAMPAIGNS)]
    Campaigns(usize),
    /// Too many types, or a type's name too long.
    #[error("the filter's campaign types are too many or too long: at most {max} types of at most {chars} characters", max = Filter::MAX_TYPES, chars = Filter::MAX_TEXT_CHARS)]
    Types,
}

impl TryFrom<RawFilter> for Filter {
    type Error = InvalidFilter;
    fn try_from(raw: RawFilter) -> Result<Self, Self::Error> {
        if raw.campaigns.len() > Filter::MAX_CAMPAIGNS {
            return Err(InvalidFilter::Campaigns(raw.campaigns.len()));
        }
        if raw.campaign_types.len() > Filter::MAX_TYPES
            || raw
                .campaign_types
                .iter()
                .any(|t| t.chars().count() > Filter::MAX_TEXT_CHARS)
        {
            return Err(InvalidFilter::Types);
        }
        Ok(Filter {
            range: raw.range,
            campaigns: raw.campaigns,
            channels: raw.channels,
            campaign_types: raw.campaign_types,
            statuses: raw.statuses,
        })
    }
}

/// Text a campaign name is searched for, at most [`Search::MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Search(String);

/// A search longer than any campaign name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the search is {0} characters long: search for at most {max} characters of a campaign's name", max = Search::MAX_CHARS)]
pub struct InvalidSearch(usize);

impl Search {
    /// The longest search.
    pub const MAX_CHARS: usize = 200;

    /// `text` as a search; none when it is empty or only spaces.
    pub fn new(text: &str) -> Result<Option<Search>, InvalidSearch> {
        let text = text.trim();
        let chars = text.chars().count();
        if chars > Self::MAX_CHARS {
            return Err(InvalidSearch(chars));
        }
        Ok((!text.is_empty()).then(|| Search(text.to_owned())))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for Search {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Search::new(&text)
            .map_err(serde::de::Error::custom)?
            .ok_or_else(|| serde::de::Error::custom("an empty search: leave it out instead"))
    }
}

impl Filter {
    /// The most campaigns a filter may choose.
    pub const MAX_CAMPAIGNS: usize = 1_000;
    /// The most campaign types a filter may choose.
    pub const MAX_TYPES: usize = 100;
    /// The longest free text of a filter (a campaign type).
    pub const MAX_TEXT_CHARS: usize = 200;

    /// Every campaign over `range`.
    pub fn new(range: DateRange) -> Self {
        Filter {
            range,
            campaigns: Vec::new(),
            channels: Vec::new(),
            campaign_types: Vec::new(),
            statuses: Vec::new(),
        }
    }

    /// Whether only the range and channels narrow it (so the rollups over every campaign
    /// answer it).
    pub fn by_channel_only(&self) -> bool {
        self.campaign_types.is_empty() && self.by_type_and_channel()
    }

    /// Whether only the range, campaign types and channels narrow it (so the rollups per type
    /// answer it).
    pub fn by_type_and_channel(&self) -> bool {
        self.campaigns.is_empty() && self.statuses.is_empty()
    }

    /// The same filter over another range.
    pub fn with_range(&self, range: DateRange) -> Self {
        Filter {
            range,
            ..self.clone()
        }
    }
}

/// How the campaign list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CampaignSort {
    /// By name, A to Z.
    Name,
    /// By start date, latest first.
    StartDate,
    /// By a metric, highest first (campaigns without a value last).
    Metric(Metric),
}

/// The order of the campaign list: a column, in its usual direction (names A to Z, latest
/// start first, highest metric first) or reversed; campaigns without a value come last either
/// way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignOrder {
    /// The column.
    pub sort: CampaignSort,
    /// The other direction (the column's header clicked twice).
    #[serde(default)]
    pub reversed: bool,
}

impl From<CampaignSort> for CampaignOrder {
    fn from(sort: CampaignSort) -> Self {
        CampaignOrder {
            sort,
            reversed: false,
        }
    }
}

impl CampaignOrder {
    /// The same column in the other direction.
    pub fn reverse(self) -> Self {
        CampaignOrder {
            reversed: !self.reversed,
            ..self
        }
    }
}

/// One page of a list: `number` from 1, `size` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "RawPage")]
pub struct Page {
    number: u32,
    size: u32,
}

#[derive(serde::Deserialize)]
struct RawPage {
    number: u32,
    size: u32,
}

impl TryFrom<RawPage> for Page {
    type Error = InvalidPage;
    fn try_from(raw: RawPage) -> Result<Self, Self::Error> {
        Page::new(raw.number, raw.size)
    }
}

/// A page that cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "page {number} of {size} rows cannot be shown: pages start at 1 and hold 1 to {max} rows",
    max = Page::MAX_SIZE
)]
pub struct InvalidPage {
    /// The page number asked for.
    pub number: u32,
    /// The page size asked for.
    pub size: u32,
}

impl Page {
    /// The most rows one page holds.
    pub const MAX_SIZE: u32 = 10_000;

    /// Page `number` (from 1) of `size` rows.
    pub fn new(number: u32, size: u32) -> Result<Self, InvalidPage> {
        if number == 0 || size == 0 || size > Self::MAX_SIZE {
            return Err(InvalidPage { number, size });
        }
        Ok(Page { number, size })
    }

    /// The page number, from 1.
    pub const fn number(&self) -> u32 {
        self.number
    }

    /// Rows per page.
    pub const fn size(&self) -> u32 {
        self.size
    }

    /// Rows before this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.number - 1) * u64::from(self.size)
    }
}

impl Default for Page {
    fn default() -> Self {
        Page {
            number: 1,
            size: 50,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn periods_cover_the_range_with_their_first_and_last_days() {
        // Thursday 26 Nov 2026 to Wednesday 9 Dec: a part week, a whole week, a part week.
        let range = DateRange::new(date!(2026 - 11 - 26), date!(2026 - 12 - 09)).expect("a range");
        assert_eq!(
            range.periods(Interval::Week),
            [
                (date!(2026 - 11 - 26), date!(2026 - 11 - 29)),
                (date!(2026 - 11 - 30), date!(2026 - 12 - 06)),
                (date!(2026 - 12 - 07), date!(2026 - 12 - 09)),
            ]
        );
        assert_eq!(
            range.periods(Interval::Month),
            [
                (date!(2026 - 11 - 26), date!(2026 - 11 - 30)),
                (date!(2026 - 12 - 01), date!(2026 - 12 - 09)),
            ]
        );
    }

    #[test]
    fn campaign_ids_round_trip_and_reject_other_text() {
        let text = "2f1c0c4e-8a4b-4e8e-9a57-0d6c1c7b5e21";
        let id: CampaignId = text.parse().expect("a uuid");
        assert_eq!(id.to_string(), text);
        assert_eq!(
            "2F1C0C4E-8A4B-4E8E-9A57-0D6C1C7B5E21"
                .parse::<CampaignId>()
                .map(|i| i.to_string()),
            Ok(text.to_owned())
        );
        for bad in [
            "",
            "42",
            "2f1c0c4e8a4b4e8e9a570d6c1c7b5e21",
            "2f1c0c4e-8a4b-4e8e-9a57-0d6c1c7b5e2g",
            "+f1c0c4e-8a4b-4e8e-9a57-0d6c1c7b5e21",
        ] {
            let err = bad.parse::<CampaignId>().expect_err(bad);
            assert!(err.to_string().contains("outreach campaigns"), "{err}");
        }
    }

    #[test]
    fn names_are_searched_in_unicode_lower_case() {
        assert_eq!(search_key(" Grippe ÉTÉ "), "grippe été");
        assert_eq!(search_key("ГРИПП"), "грипп");
        assert_eq!(search_key("İstanbul").chars().next(), Some('i'));
    }

    #[test]
    fn dates_are_iso_8601_and_say_how_to_write_them() {
        assert_eq!(parse_date("2026-02-28"), Ok(date!(2026 - 02 - 28)));
        for bad in ["2026-02-30", "28/02/2026", "2026-2-28x", "yesterday"] {
            let err = parse_date(bad).expect_err(bad);
            assert!(err.to_string().contains("YYYY-MM-DD"), "{err}");
        }
    }

    #[test]
    fn a_range_holds_at_most_ten_years() {
        let start = date!(2016 - 01 - 01);
        assert!(DateRange::new(start, start + Duration::days(DateRange::MAX_DAYS - 1)).is_ok());
        let err = DateRange::new(start, start + Duration::days(DateRange::MAX_DAYS))
            .expect_err("too long");
        assert!(err.to_string().contains("ten years or less"), "{err}");
    }

    #[test]
    fn a_filter_from_json_is_bounded_and_knows_its_fields() {
        let range = r#""range":{"start":"2026-01-01","end":"2026-01-31"}"#;
        let read = |json: String| serde_json::from_str::<Filter>(&json);
        assert!(read(format!("{{{range}}}")).is_ok());
        let err = read(format!("{{{range},\"colour\":1}}")).expect_err("an unknown field");
        assert!(err.to_string().contains("unknown field"), "{err}");
        let ids: Vec<String> = (0..=Filter::MAX_CAMPAIGNS)
            .map(|i| format!("\"{}\"", CampaignId::from_u128(i as u128)))
            .collect();
        let err = read(format!("{{{range},\"campaigns\":[{}]}}", ids.join(",")))
            .expect_err("too many campaigns");
        assert!(err.to_string().contains("at most 1000"), "{err}");
        let long = "x".repeat(Filter::MAX_TEXT_CHARS + 1);
        assert!(read(format!("{{{range},\"campaign_types\":[\"{long}\"]}}")).is_err());
    }

    #[test]
    fn a_search_is_short_and_never_empty() {
        assert_eq!(Search::new("  "), Ok(None));
        assert_eq!(
            Search::new(" flu ").map(|s| s.map(|s| s.as_str().to_owned())),
            Ok(Some("flu".to_owned()))
        );
        let err = Search::new(&"é".repeat(Search::MAX_CHARS + 1)).expect_err("too long");
        assert!(err.to_string().contains("at most 200"), "{err}");
    }

    #[test]
    fn a_range_never_ends_before_it_starts() {
        let err =
            DateRange::new(date!(2026 - 11 - 02), date!(2026 - 11 - 01)).expect_err("backwards");
        assert!(err.to_string().contains("before it"), "{err}");
        let one = DateRange::new(date!(2026 - 11 - 01), date!(2026 - 11 - 01)).expect("one day");
        assert_eq!(one.days(), 1);
        // Deserialising goes through `DateRange::new` too.
        let raw = RawRange {
            start: date!(2026 - 11 - 02),
            end: date!(2026 - 11 - 01),
        };
        assert!(DateRange::try_from(raw).is_err());
    }

    #[test]
    fn the_previous_period_has_equal_length_and_ends_the_day_before() {
        let range = DateRange::new(date!(2026 - 03 - 01), date!(2026 - 03 - 31)).expect("march");
        let previous = range.previous();
        assert_eq!(previous.days(), 31);
        assert_eq!(previous.end(), date!(2026 - 02 - 28));
        assert_eq!(previous.start(), date!(2026 - 01 - 29));
    }

    #[test]
    fn weeks_and_months_are_cut_by_the_range_and_labelled_by_their_first_day() {
        // 2026-11-04 is a Wednesday.
        let range = DateRange::new(date!(2026 - 11 - 04), date!(2026 - 12 - 08)).expect("range");
        assert_eq!(
            range.buckets(Interval::Week),
            vec![
                date!(2026 - 11 - 04),
                date!(2026 - 11 - 09),
                date!(2026 - 11 - 16),
                date!(2026 - 11 - 23),
                date!(2026 - 11 - 30),
                date!(2026 - 12 - 07),
            ]
        );
        assert_eq!(
            range.buckets(Interval::Month),
            vec![date!(2026 - 11 - 04), date!(2026 - 12 - 01)]
        );
        assert_eq!(range.buckets(Interval::Day).len(), 35);
        assert_eq!(
            range.bucket(Interval::Week, date!(2026 - 11 - 15)),
            date!(2026 - 11 - 09)
        );
    }

    #[test]
    fn metric_names_are_those_of_the_docs() {
        assert_eq!("opt_out_rate".parse(), Ok(Metric::OptOutRate));
        assert!(Metric::OptOutRate.is_rate() && !Metric::OptOuts.is_rate());
        let err = "ctr".parse::<Metric>().expect_err("not a metric");
        assert!(err.to_string().contains("engagement_rate"), "{err}");
    }

    #[test]
    fn pages_start_at_one_and_are_bounded() {
        assert_eq!(Page::new(3, 50).map(|p| p.offset()), Ok(100));
        assert!(Page::new(0, 50).is_err());
        assert!(Page::new(1, 0).is_err());
        assert!(Page::new(1, Page::MAX_SIZE + 1).is_err());
        // A page that crosses the IPC goes through `Page::new` too: page 0 would underflow.
        let read = |json: &str| serde_json::from_str::<Page>(json);
        assert_eq!(
            read(r#"{"number":2,"size":10}"#).ok(),
            Page::new(2, 10).ok()
        );
        let err = read(r#"{"number":0,"size":10}"#).expect_err("page 0");
        assert!(err.to_string().contains("pages start at 1"), "{err}");
        assert!(read(r#"{"number":1,"size":10001}"#).is_err());
    }
}
