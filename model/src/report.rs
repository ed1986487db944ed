//! The answers the dashboard gives: metrics, campaign rows, series, segments and health. Field
//! names are the metric names of docs/metrics.md; dates serialise as ISO 8601.

use time::{Date, OffsetDateTime};

use crate::{
    CampaignId, CampaignStatus, Channel, DateRange, Dimension, Interval, Metric, named_enum,
};

/// Every metric of docs/metrics.md over some campaigns and days. Rates are ratios of the
/// summed counts, `None` when the denominator is zero; reach is distinct members.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Metrics {
    /// Distinct members with a message delivered (estimated from the reach sketches).
    pub reach: i64,
    /// Messages delivered.
    pub impressions: i64,
    /// Delivered messages opened by a person.
    pub opens: i64,
    /// Delivered messages clicked.
    pub clicks: i64,
    /// Delivered messages with an engagement.
    pub engaged: i64,
    /// Members who converted.
    pub conversions: i64,
    /// Members who opted out.
    pub opt_outs: i64,
    /// Messages sent.
    pub sent: i64,
    /// Messages bounced.
    pub bounces: i64,
    /// Delivered messages opened by a mail client's privacy proxy; in no rate.
    pub machine_opens: i64,
    /// engaged / impressions.
    pub engagement_rate: Option<f64>,
    /// conversions / impressions.
    pub conversion_rate: Option<f64>,
    /// opt_outs / impressions.
    pub opt_out_rate: Option<f64>,
    /// impressions / sent.
    pub delivery_rate: Option<f64>,
}

impl Metrics {
    /// The value of `metric`, counts as floats; `None` for a rate without a denominator.
    pub fn get(&self, metric: Metric) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
        let count = |n: i64| Some(n as f64);
        match metric {
            Metric::Reach => count(self.reach),
            Metric::Impressions => count(self.impressions),
            Metric::Opens => count(self.opens),
            Metric::Clicks => count(self.clicks),
            Metric::Engaged => count(self.engaged),
            Metric::Conversions => count(self.conversions),
            Metric::OptOuts => count(self.opt_outs),
            Metric::Sent => count(self.sent),
            Metric::Bounces => count(self.bounces),
            Metric::MachineOpens => count(self.machine_opens),
            Metric::EngagementRate => self.engagement_rate,
            Metric::ConversionRate => self.conversion_rate,
            Metric::OptOutRate => self.opt_out_rate,
            Metric::DeliveryRate => self.delivery_rate,
        }
    }
}

/// A campaign with its metrics over a range.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CampaignRow {
    /// Its id.
    pub campaign_id: CampaignId,
    /// Its name (free text).
    pub campaign_name: String,
    /// Its type (free text), e.g. "Wellness".
    pub campaign_type: String,
    /// Its channel.
    pub channel: Channel,
    /// Its status.
    pub status: CampaignStatus,
    /// First day it runs.
    pub start_date: Date,
    /// Last day it runs; none when open-ended.
    pub end_date: Option<Date>,
    /// Its metrics over the range asked for.
    pub metrics: Metrics,
}

/// One page of the campaign list.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CampaignPage {
    /// Campaigns that match, on every page.
    pub total: u64,
    /// The page's number, from 1.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
    /// The rows of this page.
    pub campaigns: Vec<CampaignRow>,
}

/// A campaign as the campaign picker lists it: its id and name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CampaignName {
    /// Its id.
    pub campaign_id: CampaignId,
    /// Its name.
    pub campaign_name: String,
}

/// One page of the campaign picker's choices, and the names of the campaigns already chosen.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CampaignNames {
    /// Campaigns that match, on every page.
    pub total: u64,
    /// The page's number, from 1.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
    /// The campaigns of this page, names A to Z.
    pub campaigns: Vec<CampaignName>,
    /// The campaigns asked about by id (those the filter has chosen), wherever they are.
    pub chosen: Vec<CampaignName>,
}

/// A campaign in the best or worst list: its rate and the volume the rate is a share of.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RankedCampaign {
    /// Its id.
    pub campaign_id: CampaignId,
    /// Its name.
    pub campaign_name: String,
    /// Its channel.
    pub channel: Channel,
    /// The rate it is ranked by.
    pub value: f64,
    /// The rate's denominator: impressions (sent messages for the delivery rate).
    pub volume: i64,
}

/// The best and the worst campaigns of a filter by a rate, among those with enough volume for
/// the rate to mean something.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Ranking {
    /// The rate.
    pub metric: Metric,
    /// The least volume (the rate's denominator) a campaign needs to be ranked.
    pub min_volume: i64,
    /// Campaigns ranked (with at least `min_volume`).
    pub ranked: u64,
    /// Campaigns with some volume but less than `min_volume`, left out.
    pub below_minimum: u64,
    /// The best first; never a campaign of `worst`.
    pub best: Vec<RankedCampaign>,
    /// The worst first.
    pub worst: Vec<RankedCampaign>,
}

impl Ranking {
    /// What the minimum means, in words: "at least 100 impressions".
    pub fn minimum_words(&self) -> String {
        let unit = match self.metric.denominator() {
            Some(crate::Count::Sent) => "messages sent",
            _ => "impressions",
        };
        format!("at least {} {unit}", crate::format::count(self.min_volume))
    }
}

/// Metrics of one interval of a series.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PeriodMetrics {
    /// First day of the interval (cut by the range).
    pub start: Date,
    /// Last day of the interval (cut by the range).
    pub end: Date,
    /// The metrics over those days.
    pub metrics: Metrics,
}

/// One campaign's metrics per interval.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CampaignMetrics {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// Its name.
    pub campaign_name: String,
    /// How the range is cut.
    pub interval: Interval,
    /// One entry per interval of the range, empty ones included.
    pub periods: Vec<PeriodMetrics>,
}

/// The metrics of a filter and of the period before it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// The filter's range.
    pub range: DateRange,
    /// The range of equal length just before.
    pub previous_range: DateRange,
    /// Metrics over the filter.
    pub current: Metrics,
    /// Metrics of the same campaigns over the previous range.
    pub previous: Metrics,
}

/// How a metric moved against the previous period: a count by a fraction of its previous
/// value, a rate by the difference of the two rates (in rate units: 0.002 is 0.2 points).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PeriodChange {
    /// (current - previous) / previous, for a count.
    Relative(f64),
    /// current - previous, for a rate.
    Points(f64),
}

impl Summary {
    /// How `metric` moved against the previous period; none when there is nothing to compare
    /// with (a count that was 0, a rate without a denominator in either period).
    pub fn change(&self, metric: Metric) -> Option<PeriodChange> {
        let current = self.current.get(metric)?;
        let previous = self.previous.get(metric)?;
        if metric.is_rate() {
            Some(PeriodChange::Points(current - previous))
        } else if previous == 0.0 {
            None
        } else {
            Some(PeriodChange::Relative((current - previous) / previous))
        }
    }
}

/// A point of a trend: an interval's first day and the metric's value (none: no denominator).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrendPoint {
    /// First day of the interval (cut by the range).
    pub start: Date,
    /// The value.
    pub value: Option<f64>,
}

/// What a line of a chart sums: one channel's campaigns, or every campaign of the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Series {
    /// The campaigns of one channel.
    Channel(Channel),
    /// Every campaign of the filter.
    Total,
}

impl Series {
    /// The legend's name: the channel's, or "Total".
    pub const fn as_str(self) -> &'static str {
        match self {
            Series::Channel(channel) => channel.as_str(),
            Series::Total => "Total",
        }
    }

    /// The series' colour as RGB: Okabe and Ito's colour-blind-safe blue, orange and bluish
    /// green for the channels and near-black for the total on a light background (paper, the
    /// light theme); on a dark one the blue lightened to sky blue and the total near-white. The
    /// one list the screen's charts and the PDF reports draw with.
    pub const fn colour(self, dark: bool) -> [u8; 3] {
        match (self, dark) {
            (Series::Channel(Channel::Email), false) => [0x00, 0x72, 0xb2],
            (Series::Channel(Channel::Email), true) => [0x56, 0xb4, 0xe9],
            (Series::Channel(Channel::Sms), _) => [0xe6, 0x9f, 0x00],
            (Series::Channel(Channel::Push), _) => [0x00, 0x9e, 0x73],
            (Series::Total, false) => [0x1a, 0x1a, 0x1f],
            (Series::Total, true) => [0xe6, 0xe6, 0xe6],
        }
    }

    /// The channels' series in display order, then the total.
    pub fn all() -> impl Iterator<Item = Series> {
        Channel::ALL
            .iter()
            .map(|c| Series::Channel(*c))
            .chain(std::iter::once(Series::Total))
    }
}

impl std::fmt::Display for Series {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Series {
    type Err = crate::UnknownName;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "Total" => Ok(Series::Total),
            _ => text
                .parse()
                .map(Series::Channel)
                .map_err(|_| crate::UnknownName {
                    kind: "series",
                    value: text.to_owned(),
                    expected: "Email, SMS, Push, Total",
                }),
        }
    }
}

impl serde::Serialize for Series {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Series {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// One line of a trend chart.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrendSeries {
    /// Which campaigns it sums ("Email", "SMS", "Push" or "Total" in JSON).
    pub name: Series,
    /// One point per interval, in order.
    pub points: Vec<TrendPoint>,
}

/// A metric over time: one series per channel of the filter and one for the total.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Trend {
    /// The metric.
    pub metric: Metric,
    /// How the range is cut.
    pub interval: Interval,
    /// Channels in display order, then "Total".
    pub series: Vec<TrendSeries>,
}

/// A count in a segment table: 0, 11 and more exactly, 1 to 10 never (docs/metrics.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SegmentCount {
    /// The count, 0 or at least 11.
    Exact(i64),
    /// Between 1 and 10: shown and exported as "<11".
    Suppressed,
}

impl SegmentCount {
    /// The smallest count shown as a number, apart from 0.
    pub const SMALLEST_SHOWN: i64 = 11;

    /// Suppresses `count` when it is from 1 to 10.
    pub fn new(count: i64) -> Self {
        if (1..Self::SMALLEST_SHOWN).contains(&count) {
            SegmentCount::Suppressed
        } else {
            SegmentCount::Exact(count)
        }
    }

    /// The count when it may be shown.
    pub const fn exact(self) -> Option<i64> {
        match self {
            SegmentCount::Exact(n) => Some(n),
            SegmentCount::Suppressed => None,
        }
    }
}

impl std::fmt::Display for SegmentCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SegmentCount::Exact(n) => write!(f, "{n}"),
            SegmentCount::Suppressed => f.write_str("<11"),
        }
    }
}

impl serde::Serialize for SegmentCount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SegmentCount::Exact(n) => serializer.serialize_i64(*n),
            SegmentCount::Suppressed => serializer.serialize_str("<11"),
        }
    }
}

impl<'de> serde::Deserialize<'de> for SegmentCount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(i64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Number(n) if !(1..Self::SMALLEST_SHOWN).contains(&n) => Ok(SegmentCount::Exact(n)),
            Raw::Text(text) if text == "<11" => Ok(SegmentCount::Suppressed),
            _ => Err(serde::de::Error::custom(
                "a segment count is 0, 11 or more, or \"<11\"",
            )),
        }
    }
}

/// Metrics of a segment or a segment dimension's value. Only what `member_interactions` holds
/// per segment: there is no sent, bounce or reach count per segment. A rate is `None` when its
/// denominator is zero or when either of its counts is suppressed (it would give it away).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SegmentMetrics {
    /// Messages delivered.
    pub impressions: SegmentCount,
    /// Delivered messages opened by a person.
    pub opens: SegmentCount,
    /// Delivered messages clicked.
    pub clicks: SegmentCount,
    /// Delivered messages with an engagement.
    pub engaged: SegmentCount,
    /// Members who converted.
    pub conversions: SegmentCount,
    /// Members who opted out.
    pub opt_outs: SegmentCount,
    /// engaged / impressions.
    pub engagement_rate: Option<f64>,
    /// conversions / impressions.
    pub conversion_rate: Option<f64>,
    /// opt_outs / impressions.
    pub opt_out_rate: Option<f64>,
}

/// A cell of a segment table: a count, or a rate (none when either of its counts is hidden or
/// nothing was delivered).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SegmentValue {
    /// A count, "<11" when it is from 1 to 10.
    Count(SegmentCount),
    /// A rate.
    Rate(Option<f64>),
}

impl SegmentMetrics {
    /// The columns of every segment table (the screen's, the CSV's, the PDF's, the command's):
    /// the counts, then the rates.
    pub const SHOWN: [Metric; 9] = [
        Metric::Impressions,
        Metric::Opens,
        Metric::Clicks,
        Metric::Engaged,
        Metric::Conversions,
        Metric::OptOuts,
        Metric::EngagementRate,
        Metric::ConversionRate,
        Metric::OptOutRate,
    ];

    /// The cell of `metric`, when it is one of [`SegmentMetrics::SHOWN`].
    pub fn value(&self, metric: Metric) -> Option<SegmentValue> {
        match metric {
            Metric::EngagementRate => Some(SegmentValue::Rate(self.engagement_rate)),
            Metric::ConversionRate => Some(SegmentValue::Rate(self.conversion_rate)),
            Metric::OptOutRate => Some(SegmentValue::Rate(self.opt_out_rate)),
            _ => self.count(metric).map(SegmentValue::Count),
        }
    }

    /// The metrics a segment counts, in the order of [`SegmentMetrics::counts`].
    pub const COUNTED: [Metric; 6] = [
        Metric::Impressions,
        Metric::Opens,
        Metric::Clicks,
        Metric::Engaged,
        Metric::Conversions,
        Metric::OptOuts,
    ];

    /// The count of `metric`, when it is one of [`SegmentMetrics::COUNTED`].
    pub fn count(&self, metric: Metric) -> Option<SegmentCount> {
        let at = Self::COUNTED.iter().position(|m| *m == metric)?;
        Some(self.counts()[at])
    }

    /// The counts in the order of docs/metrics.md: impressions, opens, clicks, engaged,
    /// conversions, opt-outs.
    pub const fn counts(&self) -> [SegmentCount; 6] {
        [
            self.impressions,
            self.opens,
            self.clicks,
            self.engaged,
            self.conversions,
            self.opt_outs,
        ]
    }
}

/// One member segment's metrics.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SegmentRow {
    /// Its key, `age band/plan type/risk tier/region`.
    pub member_segment: String,
    /// Age band.
    pub age_band: String,
    /// Plan type.
    pub plan_type: String,
    /// Risk tier.
    pub risk_tier: String,
    /// Region.
    pub region: String,
    /// Its metrics.
    pub metrics: SegmentMetrics,
}

/// One value of one segment dimension, with the metrics of every segment that has it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DimensionRow {
    /// Which part of the segment ("age_band", "plan_type", "risk_tier" or "region" in JSON).
    pub dimension: Dimension,
    /// The value, e.g. "65+".
    pub value: String,
    /// Its metrics.
    pub metrics: SegmentMetrics,
}

/// The drill-down by member segment.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SegmentReport {
    /// Segments with any interaction, by key.
    pub segments: Vec<SegmentRow>,
    /// Per dimension, its values in the model's order.
    pub dimensions: Vec<DimensionRow>,
}

/// The last ETL run the dashboard database holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LastRun {
    /// Its id.
    pub run_id: i64,
    /// "full" or "incremental".
    pub mode: String,
    /// When it committed.
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// The latest warehouse load it read.
    #[serde(with = "time::serde::rfc3339::option")]
    pub watermark: Option<OffsetDateTime>,
}

named_enum!(
    /// The kind of database behind the dashboard.
    StoreKind, "store", {
        Postgres => "postgres",
        Sqlite => "sqlite",
    }
);

/// Whether the dashboard database can answer, and how fresh its data is.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Health {
    /// PostgreSQL (the dashboard database) or an SQLite file.
    pub store: StoreKind,
    /// The embedded demo database of synthetic data, built on first use.
    pub demo: bool,
    /// The database answered.
    pub reachable: bool,
    /// The latest migration applied.
    pub schema_version: i64,
    /// The migration this build expects.
    pub expected_schema_version: i64,
    /// The last successful ETL run, if any.
    pub last_run: Option<LastRun>,
    /// Seconds since the last run's watermark; none without a run.
    pub data_age_seconds: Option<i64>,
    /// The IANA time zone days are counted in.
    pub reporting_time_zone: String,
    /// The latest day with data.
    pub latest_metric_date: Option<Date>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_changes_by_a_fraction_and_a_rate_by_points_and_nothing_is_guessed() {
        let range = DateRange::last_days(time::macros::date!(2026 - 11 - 28), 30);
        let mut summary = Summary {
            range,
            previous_range: range.previous(),
            current: Metrics {
                reach: 1_100,
                impressions: 10,
                engagement_rate: Some(0.012),
                opt_out_rate: Some(0.1),
                ..Metrics::default()
            },
            previous: Metrics {
                reach: 1_000,
                impressions: 0,
                engagement_rate: Some(0.010),
                ..Metrics::default()
            },
        };
        let Some(PeriodChange::Relative(reach)) = summary.change(Metric::Reach) else {
            panic!("reach changes by a fraction");
        };
        assert!((reach - 0.1).abs() < 1e-12);
        let Some(PeriodChange::Points(engagement)) = summary.change(Metric::EngagementRate) else {
            panic!("a rate changes by points");
        };
        assert!((engagement - 0.002).abs() < 1e-12);
        // A count that was 0, and a rate with no value before, have nothing to compare with.
        assert_eq!(summary.change(Metric::Impressions), None);
        assert_eq!(summary.change(Metric::OptOutRate), None);
        summary.current.opt_out_rate = None;
        summary.previous.opt_out_rate = Some(0.1);
        assert_eq!(summary.change(Metric::OptOutRate), None);
    }

    #[test]
    fn segment_counts_from_one_to_ten_are_never_shown() {
        assert_eq!(SegmentCount::new(0), SegmentCount::Exact(0));
        for n in 1..=10 {
            assert_eq!(SegmentCount::new(n), SegmentCount::Suppressed);
            assert_eq!(SegmentCount::new(n).to_string(), "<11");
            assert_eq!(SegmentCount::new(n).exact(), None);
        }
        assert_eq!(SegmentCount::new(11).to_string(), "11");
    }

    #[test]
    fn series_cross_json_as_their_names() {
        for series in Series::all() {
            let json = serde_json::to_string(&series).expect("serialise");
            assert_eq!(json, format!("\"{series}\""));
            assert_eq!(serde_json::from_str::<Series>(&json).ok(), Some(series));
        }
        assert!(serde_json::from_str::<Series>("\"Fax\"").is_err());
    }

    #[test]
    fn a_segment_table_shows_counts_then_rates() {
        let metrics = SegmentMetrics {
            impressions: SegmentCount::new(1_000),
            opens: SegmentCount::new(3),
            clicks: SegmentCount::new(0),
            engaged: SegmentCount::new(250),
            conversions: SegmentCount::new(40),
            opt_outs: SegmentCount::new(12),
            engagement_rate: Some(0.25),
            conversion_rate: Some(0.04),
            opt_out_rate: None,
        };
        let cells: Vec<SegmentValue> = SegmentMetrics::SHOWN
            .iter()
            .filter_map(|m| metrics.value(*m))
            .collect();
        assert_eq!(cells.len(), 9);
        assert_eq!(cells[1], SegmentValue::Count(SegmentCount::Suppressed));
        assert_eq!(cells[6], SegmentValue::Rate(Some(0.25)));
        assert_eq!(metrics.value(Metric::Reach), None);
    }

    #[test]
    fn metrics_are_read_by_name() {
        let metrics = Metrics {
            opt_outs: 3,
            opt_out_rate: Some(0.25),
            ..Metrics::default()
        };
        assert_eq!(metrics.get(Metric::OptOuts), Some(3.0));
        assert_eq!(metrics.get(Metric::OptOutRate), Some(0.25));
        assert_eq!(metrics.get(Metric::DeliveryRate), None);
    }
}
