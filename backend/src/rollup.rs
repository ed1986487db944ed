//! Rollups: sums and reach sketches over every campaign, written beside the facts so that the
//! dashboard's widest questions (no campaign, type or status filter) read thousands of rows
//! instead of millions (docs/dashboard-database.md, "Rollups"). Both writers, the ETL on
//! PostgreSQL and the demo builder on SQLite, build them with what is here, and the readers
//! pick the fewest stored periods with [`cover`].

use std::collections::BTreeMap;

use outreach_model::{Channel, Interval};
use time::{Date, Duration, Weekday};

use crate::reach::{CorruptSketch, RunningUnion, Sketch};

/// The scope of the reach rollups over every channel.
pub const ALL: &str = "All";

/// The first day of the `period` (a day, an ISO week from Monday, a calendar month) holding `day`.
pub fn period_start(period: Interval, day: Date) -> Date {
    match period {
        Interval::Day => day,
        Interval::Week => day - Duration::days(i64::from(day.weekday().number_days_from_monday())),
        Interval::Month => day.replace_day(1).unwrap_or(day),
    }
}

/// The last day of the `period` that starts on `start`.
pub fn period_end(period: Interval, start: Date) -> Date {
    match period {
        Interval::Day => start,
        Interval::Week => start + Duration::days(6),
        Interval::Month => {
            let next = start
                .replace_day(1)
                .ok()
                .and_then(|first| first.checked_add(Duration::days(31)))
                .and_then(|later| later.replace_day(1).ok());
            next.and_then(Date::previous_day).unwrap_or(start)
        }
    }
}

/// The fewest stored periods whose days are exactly `start..=end`: whole calendar months, then
/// whole ISO weeks, then single days. A week is not taken when it would cut into a month that
/// the range holds whole, so that month is still read as one sketch.
pub fn cover(start: Date, end: Date) -> Vec<(Interval, Date)> {
    let mut periods = Vec::new();
    let mut day = start;
    while day <= end {
        let month_end = period_end(Interval::Month, day);
        let (period, last) = if day.day() == 1 && month_end <= end {
            (Interval::Month, month_end)
        } else if day.weekday() == Weekday::Monday
            && period_end(Interval::Week, day) <= end
            && !(month_end < period_end(Interval::Week, day)
                && month_end
                    .next_day()
                    .is_some_and(|next| period_end(Interval::Month, next) <= end))
        {
            (Interval::Week, period_end(Interval::Week, day))
        } else {
            (Interval::Day, day)
        };
        periods.push((period, day));
        match last.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    periods
}

/// Widens a set of days to the whole weeks and months that hold them: the days whose sketches a
/// rebuild of those periods reads.
pub fn whole_periods(days: impl IntoIterator<Item = Date>) -> Vec<Date> {
    let mut widened = std::collections::BTreeSet::new();
    for day in days {
        for period in [Interval::Week, Interval::Month] {
            let start = period_start(period, day);
            let mut d = start;
            while d <= period_end(period, start) {
                widened.insert(d);
                match d.next_day() {
                    Some(next) => d = next,
                    None => break,
                }
            }
        }
    }
    widened.into_iter().collect()
}

/// Which rollups a statement builds or reads: those over every campaign (`channel_metrics_daily`,
/// `segment_metrics_daily`, `reach_rollups`), or those per campaign type (`type_…`), which a
/// scoped session sees the rows of its scope of, and which a filter by type reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// Over every campaign.
    Whole,
    /// Per campaign type (and channel).
    PerType,
}

impl Grouping {
    /// Both, in the order they are built.
    pub const ALL: [Grouping; 2] = [Grouping::Whole, Grouping::PerType];

    /// The name of this grouping's table of `rollup` (e.g. `channel_metrics_daily`).
    pub fn table(self, rollup: &str) -> String {
        match self {
            Grouping::Whole => rollup.to_owned(),
            Grouping::PerType => format!("type_{rollup}"),
        }
    }

    /// The key column this grouping adds before the channel, with its comma.
    fn type_column(self) -> &'static str {
        match self {
            Grouping::Whole => "",
            Grouping::PerType => "campaign_type, ",
        }
    }

    /// What fills [`Grouping::type_column`] from the campaigns `c`.
    fn type_value(self) -> &'static str {
        match self {
            Grouping::Whole => "",
            Grouping::PerType => "c.campaign_type, ",
        }
    }
}

/// One reach rollup: its campaign type (none over every campaign), scope (a channel, or
/// [`ALL`] over every campaign), period, first day and sketch.
#[derive(Debug)]
pub struct ReachRow {
    pub campaign_type: Option<String>,
    pub scope: &'static str,
    pub period: Interval,
    pub start: Date,
    pub sketch: Sketch,
}

/// The reach rollups of a set of days: every campaign sketch of those days merged per campaign
/// type and channel, and over every campaign per channel and over all channels, per day, and
/// per ISO week and calendar month. Feed it whole periods (see [`whole_periods`]) or the weeks
/// and months it returns miss days.
#[derive(Debug, Default)]
pub struct ReachRollups {
    days: BTreeMap<(String, Channel, Date), Sketch>,
}

impl ReachRollups {
    /// Adds one stored sketch of a campaign of `campaign_type` and `channel` on `day`.
    pub fn add(
        &mut self,
        campaign_type: &str,
        channel: Channel,
        day: Date,
        sketch: &[u8],
    ) -> Result<(), CorruptSketch> {
        match self.days.get_mut(&(campaign_type.to_owned(), channel, day)) {
            Some(merged) => merged.merge_bytes(sketch),
            None => {
                let mut merged = Sketch::default();
                merged.merge_bytes(sketch)?;
                self.days
                    .insert((campaign_type.to_owned(), channel, day), merged);
                Ok(())
            }
        }
    }

    /// Every rollup, per type and over every campaign, days first in each.
    pub fn into_rows(self) -> Vec<ReachRow> {
        let mut whole_days: BTreeMap<(&'static str, Date), Sketch> = BTreeMap::new();
        for ((_, channel, day), sketch) in &self.days {
            for scope in [channel.as_str(), ALL] {
                whole_days.entry((scope, *day)).or_default().merge(sketch);
            }
        }
        let mut rows = Vec::new();
        let mut longer: BTreeMap<(Option<String>, &'static str, Interval, Date), Sketch> =
            BTreeMap::new();
        let typed = self
            .days
            .into_iter()
            .map(|((campaign_type, channel, day), sketch)| {
                (Some(campaign_type), channel.as_str(), day, sketch)
            });
        let whole = whole_days
            .into_iter()
            .map(|((scope, day), sketch)| (None, scope, day, sketch));
        for (campaign_type, scope, day, sketch) in whole.chain(typed) {
            for period in [Interval::Week, Interval::Month] {
                longer
                    .entry((
                        campaign_type.clone(),
                        scope,
                        period,
                        period_start(period, day),
                    ))
                    .or_default()
                    .merge(&sketch);
            }
            rows.push(ReachRow {
                campaign_type,
                scope,
                period: Interval::Day,
                start: day,
                sketch,
            });
        }
        rows.extend(
            longer
                .into_iter()
                .map(|((campaign_type, scope, period, start), sketch)| ReachRow {
                    campaign_type,
                    scope,
                    period,
                    start,
                    sketch,
                }),
        );
        rows
    }
}

/// What one campaign's days make: its cumulative reach (`campaign_metrics_daily.reach_since`
/// and `reach_until`) and its sketches per ISO week and calendar month
/// (`campaign_reach_rollups`).
#[derive(Debug, Default)]
pub struct CampaignRollups {
    /// Per day, in order: the reach from that day to the campaign's last day with data, and
    /// from its first day to that day.
    pub cumulative: Vec<(Date, i64, i64)>,
    /// The campaign's sketches merged per week and month.
    pub periods: Vec<(Interval, Date, Sketch)>,
}

/// The rollups of one campaign from every day it has a row for, in day order, each with its
/// stored sketch (none on a day nothing was delivered). The counts are those a merge of the
/// days' sketches gives, exactly: the readers use one in place of the other.
pub fn campaign_rollups(days: &[(Date, Option<&[u8]>)]) -> Result<CampaignRollups, CorruptSketch> {
    let count = |union: &RunningUnion| i64::try_from(union.count()).unwrap_or(i64::MAX);
    let mut until = Vec::with_capacity(days.len());
    let mut union = RunningUnion::default();
    let mut periods: BTreeMap<(Interval, Date), Sketch> = BTreeMap::new();
    for (day, sketch) in days {
        if let Some(bytes) = sketch {
            union.merge_bytes(bytes)?;
            for period in [Interval::Week, Interval::Month] {
                periods
                    .entry((period, period_start(period, *day)))
                    .or_default()
                    .merge_bytes(bytes)?;
            }
        }
        until.push(count(&union));
    }
    let mut since = vec![0; days.len()];
    let mut union = RunningUnion::default();
    for (i, (_, sketch)) in days.iter().enumerate().rev() {
        if let Some(bytes) = sketch {
            union.merge_bytes(bytes)?;
        }
        since[i] = count(&union);
    }
    Ok(CampaignRollups {
        cumulative: days
            .iter()
            .zip(since.into_iter().zip(until))
            .map(|((day, _), (since, until))| (*day, since, until))
            .collect(),
        periods: periods
            .into_iter()
            .map(|((period, start), sketch)| (period, start, sketch))
            .collect(),
    })
}

/// Writes each campaign's first and last day with data (`campaigns.first_data_date`,
/// `last_data_date`; null without a day) from `campaign_metrics_daily`, for the campaigns where
/// `campaigns_condition` (over `campaigns.campaign_id`) holds; the same SQL on both stores.
pub fn data_spans_sql(campaigns_condition: &str) -> String {
    let day = |aggregate: &str| {
        format!(
            "(SELECT {aggregate}(d.metric_date) FROM campaign_metrics_daily d
              WHERE d.campaign_id = campaigns.campaign_id)"
        )
    };
    format!(
        "UPDATE campaigns SET first_data_date = {}, last_data_date = {}
         WHERE {campaigns_condition}",
        day("min"),
        day("max")
    )
}

/// Rebuilds `channel_metrics_daily` (or per type) from `campaign_metrics_daily` for the days
/// where `days_condition` (over `d.metric_date`) holds; the same SQL on both stores.
pub fn channel_sums_sql(grouping: Grouping, days_condition: &str) -> String {
    let (table, key, value) = (
        grouping.table("channel_metrics_daily"),
        grouping.type_column(),
        grouping.type_value(),
    );
    format!(
        "INSERT INTO {table} (metric_date, {key}channel, total_sent, total_impressions,
            total_opens, total_clicks, total_engaged, total_conversions, total_opt_outs,
            total_bounces, total_machine_opens)
         SELECT d.metric_date, {value}c.channel, sum(d.total_sent), sum(d.total_impressions),
            sum(d.total_opens), sum(d.total_clicks), sum(d.total_engaged),
            sum(d.total_conversions), sum(d.total_opt_outs), sum(d.total_bounces),
            sum(d.total_machine_opens)
         FROM campaign_metrics_daily d
         JOIN campaigns c ON c.campaign_id = d.campaign_id
         WHERE {days_condition}
         GROUP BY d.metric_date, {value}c.channel"
    )
}

/// Rebuilds `segment_metrics_daily` (or per type) from `member_interactions` for the days where
/// `days_condition` (over `i.interaction_date`) holds; the same SQL on both stores.
pub fn segment_sums_sql(grouping: Grouping, days_condition: &str) -> String {
    let (table, key, value) = (
        grouping.table("segment_metrics_daily"),
        grouping.type_column(),
        grouping.type_value(),
    );
    let (columns, sums): (Vec<&str>, Vec<String>) = outreach_model::Count::SEGMENT
        .iter()
        .filter_map(|count| count.interaction().map(|kind| (count, kind)))
        .map(|(count, kind)| {
            (
                count.as_str(),
                format!("coalesce(sum(i.count) FILTER (WHERE i.interaction_type = '{kind}'), 0)"),
            )
        })
        .unzip();
    format!(
        "INSERT INTO {table} (metric_date, {key}channel, member_segment, {})
         SELECT i.interaction_date, {value}c.channel, i.member_segment, {}
         FROM member_interactions i
         JOIN campaigns c ON c.campaign_id = i.campaign_id
         WHERE {days_condition}
         GROUP BY i.interaction_date, {value}c.channel, i.member_segment",
        columns.join(", "),
        sums.join(", "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn days_of(periods: &[(Interval, Date)]) -> Vec<Date> {
        let mut days = Vec::new();
        for (period, start) in periods {
            let mut d = *start;
            while d <= period_end(*period, *start) {
                days.push(d);
                d = d.next_day().expect("a next day");
            }
        }
        days
    }

    #[test]
    fn periods_have_their_calendar_bounds() {
        assert_eq!(
            period_start(Interval::Week, date!(2026 - 11 - 28)),
            date!(2026 - 11 - 23)
        );
        assert_eq!(
            period_start(Interval::Month, date!(2026 - 11 - 28)),
            date!(2026 - 11 - 01)
        );
        assert_eq!(
            period_end(Interval::Month, date!(2024 - 02 - 01)),
            date!(2024 - 02 - 29)
        );
        assert_eq!(
            period_end(Interval::Month, date!(2026 - 12 - 01)),
            date!(2026 - 12 - 31)
        );
        assert_eq!(
            period_end(Interval::Month, date!(2026 - 01 - 31)),
            date!(2026 - 01 - 31)
        );
        assert_eq!(
            period_end(Interval::Week, date!(2026 - 11 - 23)),
            date!(2026 - 11 - 29)
        );
    }

    #[test]
    fn a_cover_holds_every_day_of_the_range_once_and_no_other() {
        let mut start = date!(2025 - 12 - 20);
        while start < date!(2026 - 03 - 10) {
            for length in [1, 6, 7, 13, 31, 45, 90, 200, 400] {
                let end = start + Duration::days(length - 1);
                let periods = cover(start, end);
                let days = days_of(&periods);
                let expected: Vec<Date> = (0..length).map(|i| start + Duration::days(i)).collect();
                assert_eq!(days, expected, "{start}..{end}: {periods:?}");
            }
            start = start.next_day().expect("a next day");
        }
    }

    #[test]
    fn a_cover_reads_months_whole_and_few_sketches() {
        // 90 days from 2026-08-30: all of September and October, weeks and days at the edges.
        let periods = cover(date!(2026 - 08 - 30), date!(2026 - 11 - 27));
        assert!(periods.contains(&(Interval::Month, date!(2026 - 09 - 01))));
        assert!(periods.contains(&(Interval::Month, date!(2026 - 10 - 01))));
        assert!(periods.len() <= 16, "{periods:?}");
        // A year by day-level rollups alone would be 365 sketches.
        assert!(cover(date!(2025 - 11 - 28), date!(2026 - 11 - 27)).len() <= 30);
    }

    #[test]
    fn whole_periods_widen_to_the_weeks_and_months_of_a_day() {
        let days = whole_periods([date!(2026 - 11 - 28)]);
        assert_eq!(days.first(), Some(&date!(2026 - 11 - 01)));
        assert_eq!(days.last(), Some(&date!(2026 - 11 - 30)));
        let days = whole_periods([date!(2026 - 12 - 01)]);
        assert_eq!(days.first(), Some(&date!(2026 - 11 - 30)));
        assert_eq!(days.last(), Some(&date!(2026 - 12 - 31)));
    }

    #[test]
    fn a_campaign_s_cumulative_reach_is_the_merge_of_its_days() {
        let sketch = |members: std::ops::Range<u32>| {
            let mut s = Sketch::default();
            for m in members {
                s.insert(&format!("M{m}"));
            }
            s.to_bytes()
        };
        let monday = date!(2026 - 11 - 23);
        let stored = [
            sketch(0..500),
            sketch(400..900),
            Vec::new(),
            sketch(5_000..5_100),
            sketch(0..50),
        ];
        let days: Vec<(Date, Option<&[u8]>)> = stored
            .iter()
            .enumerate()
            .map(|(i, bytes)| {
                let day = monday + Duration::days(i as i64 * 4);
                (day, (!bytes.is_empty()).then_some(bytes.as_slice()))
            })
            .collect();
        let rollups = campaign_rollups(&days).expect("stored sketches");
        // Each number is the count of the merge of its days' sketches.
        let merged = |from: usize, to: usize| {
            let mut union = Sketch::default();
            for (_, bytes) in &days[from..=to] {
                if let Some(bytes) = bytes {
                    union.merge_bytes(bytes).expect("a sketch");
                }
            }
            union.count() as i64
        };
        for (i, (day, since, until)) in rollups.cumulative.iter().enumerate() {
            assert_eq!(*day, days[i].0);
            assert_eq!(*since, merged(i, days.len() - 1), "since {day}");
            assert_eq!(*until, merged(0, i), "until {day}");
        }
        // A week and a month hold their days.
        let week = rollups
            .periods
            .iter()
            .find(|(p, start, _)| *p == Interval::Week && *start == monday)
            .expect("the first week");
        assert_eq!(week.2.count() as i64, merged(0, 1));
        let Err(err) = campaign_rollups(&[(monday, Some(&[9][..]))]) else {
            panic!("a damaged sketch is refused");
        };
        assert!(err.to_string().contains("outreach-etl run --full"), "{err}");
    }

    #[test]
    fn rollups_are_the_unions_of_their_days() {
        let sketch = |members: std::ops::Range<u32>| {
            let mut s = Sketch::default();
            for m in members {
                s.insert(&format!("M{m}"));
            }
            s
        };
        let mut rollups = ReachRollups::default();
        let monday = date!(2026 - 11 - 23);
        for (campaign_type, channel, day, members) in [
            ("Wellness", Channel::Email, monday, 0..100),
            ("Wellness", Channel::Sms, monday, 50..150),
            (
                "Wellness",
                Channel::Email,
                monday + Duration::days(6),
                100..300,
            ),
            ("Enrollment", Channel::Email, monday, 1_000..1_100),
            ("Enrollment", Channel::Email, monday, 1_050..1_200),
        ] {
            rollups
                .add(campaign_type, channel, day, &sketch(members).to_bytes())
                .expect("a stored sketch");
        }
        let rows = rollups.into_rows();
        let find = |campaign_type: Option<&str>, scope, period, start| {
            let found: Vec<u64> = rows
                .iter()
                .filter(|r| {
                    r.campaign_type.as_deref() == campaign_type
                        && r.scope == scope
                        && r.period == period
                        && r.start == start
                })
                .map(|r| r.sketch.count())
                .collect();
            assert!(found.len() <= 1, "one row per key: {found:?}");
            found.first().copied()
        };
        let union = |parts: &[std::ops::Range<u32>]| {
            let mut s = Sketch::default();
            for part in parts {
                s.merge(&sketch(part.clone()));
            }
            s.count()
        };
        // Over every campaign: per channel and over all channels, whatever the type.
        assert_eq!(
            find(None, ALL, Interval::Day, monday),
            Some(union(&[0..150, 1_000..1_200]))
        );
        assert_eq!(
            find(None, "Email", Interval::Week, monday),
            Some(union(&[0..300, 1_000..1_200]))
        );
        assert_eq!(
            find(None, ALL, Interval::Week, monday),
            Some(union(&[0..300, 1_000..1_200]))
        );
        assert_eq!(
            find(None, "SMS", Interval::Month, date!(2026 - 11 - 01)),
            Some(sketch(50..150).count())
        );
        assert_eq!(find(None, "Push", Interval::Day, monday), None);
        // Per type: per channel only, each type's own members.
        assert_eq!(
            find(Some("Wellness"), "Email", Interval::Week, monday),
            Some(sketch(0..300).count())
        );
        assert_eq!(
            find(Some("Enrollment"), "Email", Interval::Day, monday),
            Some(sketch(1_000..1_200).count())
        );
        assert_eq!(find(Some("Enrollment"), "SMS", Interval::Day, monday), None);
        assert_eq!(find(Some("Wellness"), ALL, Interval::Day, monday), None);
    }
}
