//! Reach from the stored sketches: the filter's campaigns' daily sketches merged per interval
//! and series, or the reach rollups over every campaign (the fewest whole months, weeks and
//! days of each interval), or each campaign's own reach over a range: one stored number when
//! none of its days falls after the range (or none before it), else its weekly and monthly
//! rollups and the days left merged.

use std::collections::{BTreeMap, HashMap};

use outreach_model::{CampaignId, Channel, DateRange, Filter, Interval, Series};
use time::Date;

use super::Dashboard;
use super::binds::{IntervalOrAll, filter_values};
use crate::DashboardError;
use crate::reach::Sketch;
use crate::rollup;
use crate::store::{Read, Statement, Value};

/// The stored sketches of the filter's campaigns over the range.
const CAMPAIGN_SKETCHES: &str = "SELECT r.campaign_id, r.metric_date, c.channel, r.sketch
    FROM campaign_reach_sketches r
    JOIN campaigns c ON c.campaign_id = r.campaign_id
    WHERE r.metric_date BETWEEN $1 AND $2 AND {filter}";

/// The reach rollups of scopes $1 over the days $2, weeks $3 and months $4.
const REACH_ROLLUPS: &str = "SELECT r.scope, r.period, r.period_start, r.sketch
    FROM reach_rollups r
    WHERE r.scope = ANY($1)
      AND ((r.period = 'day' AND r.period_start = ANY($2))
        OR (r.period = 'week' AND r.period_start = ANY($3))
        OR (r.period = 'month' AND r.period_start = ANY($4)))";

fn campaign_sketches_statement(filter: &Filter) -> Statement {
    Statement::new(
        "reading reach sketches",
        CAMPAIGN_SKETCHES,
        filter_values(filter),
    )
}

fn reach_rollups_statement(scopes: Vec<String>, days: [Vec<Date>; 3]) -> Statement {
    let [day, week, month] = days;
    Statement::new(
        "reading reach rollups",
        REACH_ROLLUPS,
        vec![
            Value::Texts(scopes),
            Value::Dates(day),
            Value::Dates(week),
            Value::Dates(month),
        ],
    )
}

/// Adds a stored sketch to `sketch`.
pub(super) fn merge_stored(sketch: &mut Sketch, bytes: &[u8]) -> Result<(), DashboardError> {
    sketch
        .merge_bytes(bytes)
        .map_err(|err| DashboardError::CorruptSketch(err.to_string()))
}

/// A sketch's estimate as a count of members.
pub(super) fn reach_of(sketch: &Sketch) -> i64 {
    i64::try_from(sketch.count()).unwrap_or(i64::MAX)
}

fn query_error(source: sqlx::Error) -> DashboardError {
    DashboardError::Query {
        context: "reading reach sketches",
        source,
    }
}

/// The series a stored channel or rollup scope stands for.
fn series_of(name: &str) -> Result<Series, sqlx::Error> {
    if name == rollup::ALL {
        return Ok(Series::Total);
    }
    let channel: Channel = name.parse().map_err(super::decode)?;
    Ok(Series::Channel(channel))
}

impl Dashboard {
    /// Reach per interval and series from the daily sketches of the filter's campaigns.
    pub(super) async fn campaign_sketch_reach(
        &self,
        filter: &Filter,
        interval: IntervalOrAll,
        per_channel: bool,
    ) -> Result<BTreeMap<(Date, Series), Sketch>, DashboardError> {
        let mut sketches: BTreeMap<(Date, Series), Sketch> = BTreeMap::new();
        self.for_each(&campaign_sketches_statement(filter), |r| {
            let day = r.day("metric_date").map_err(query_error)?;
            let channel = r.text("channel").map_err(query_error)?;
            let bytes = r.bytes("sketch").map_err(query_error)?;
            let label = interval.bucket(&filter.range, day);
            if per_channel {
                let series = series_of(&channel).map_err(query_error)?;
                merge_stored(sketches.entry((label, series)).or_default(), &bytes)?;
            }
            merge_stored(sketches.entry((label, Series::Total)).or_default(), &bytes)
        })
        .await?;
        Ok(sketches)
    }

    /// Reach per interval and series from the reach rollups: each interval read as the fewest
    /// whole months, weeks and days, per channel of the filter or over all channels.
    pub(super) async fn rollup_reach(
        &self,
        filter: &Filter,
        interval: IntervalOrAll,
        per_channel: bool,
    ) -> Result<BTreeMap<(Date, Series), Sketch>, DashboardError> {
        // Each stored period read, and the interval it belongs to.
        let mut wanted: HashMap<(Interval, Date), Date> = HashMap::new();
        let labels = interval.labels(&filter.range);
        for (i, label) in labels.iter().enumerate() {
            let last = labels
                .get(i + 1)
                .and_then(|next| next.previous_day())
                .unwrap_or(filter.range.end());
            for (period, start) in rollup::cover(*label, last) {
                wanted.insert((period, start), *label);
            }
        }
        let starts = |period: Interval| {
            wanted
                .keys()
                .filter(|(p, _)| *p == period)
                .map(|(_, start)| *start)
                .collect::<Vec<Date>>()
        };
        // Over every channel, the 'All' rollup is the total; otherwise the channels' union is.
        let every_channel = filter.channels.is_empty();
        let mut scopes: Vec<String> = Vec::new();
        if every_channel {
            scopes.push(rollup::ALL.to_owned());
        }
        if per_channel || !every_channel {
            scopes.extend(
                Channel::ALL
                    .iter()
                    .filter(|c| every_channel || filter.channels.contains(c))
                    .map(|c| c.as_str().to_owned()),
            );
        }
        let statement = reach_rollups_statement(
            scopes,
            [
                starts(Interval::Day),
                starts(Interval::Week),
                starts(Interval::Month),
            ],
        );
        let rows = self.fetch(&statement).await?;
        let mut sketches: BTreeMap<(Date, Series), Sketch> = BTreeMap::new();
        for (scope, period, start, bytes) in rows.map(statement.context, |r| {
            Ok((
                series_of(&r.text("scope")?)?,
                r.text("period")?
                    .parse::<Interval>()
                    .map_err(super::decode)?,
                r.day("period_start")?,
                r.bytes("sketch")?,
            ))
        })? {
            let Some(label) = wanted.get(&(period, start)).copied() else {
                continue;
            };
            if scope == Series::Total {
                merge_stored(sketches.entry((label, Series::Total)).or_default(), &bytes)?;
                continue;
            }
            if per_channel {
                merge_stored(sketches.entry((label, scope)).or_default(), &bytes)?;
            }
            if !every_channel {
                merge_stored(sketches.entry((label, Series::Total)).or_default(), &bytes)?;
            }
        }
        Ok(sketches)
    }

    /// Reach over `range` of each of `campaigns`: the count a merge of its daily sketches over
    /// the range gives, read from its cumulative reach where one number says it.
    pub(super) async fn campaign_reach(
        &self,
        range: DateRange,
        campaigns: Vec<CampaignId>,
    ) -> Result<HashMap<CampaignId, i64>, DashboardError> {
        if campaigns.is_empty() {
            return Ok(HashMap::new());
        }
        let statement = cumulative_statement(range, campaigns);
        let rows = self.fetch(&statement).await?.map(statement.context, |r| {
            Ok((r.id("campaign_id")?, StoredReach::read(r)?))
        })?;
        self.resolve_reach(range, rows).await
    }

    /// The reach over `range` of campaigns whose stored reach was read ([`StoredReach`]): the
    /// number where there is one, else their sketches merged.
    pub(super) async fn resolve_reach(
        &self,
        range: DateRange,
        stored: Vec<(CampaignId, StoredReach)>,
    ) -> Result<HashMap<CampaignId, i64>, DashboardError> {
        let mut reach = HashMap::with_capacity(stored.len());
        let mut to_merge = Vec::new();
        for (id, known) in stored {
            match known {
                StoredReach::NoData => {
                    reach.insert(id, 0);
                }
                StoredReach::Known(count) => {
                    reach.insert(id, count);
                }
                StoredReach::ToMerge => to_merge.push(id),
            }
        }
        reach.extend(self.merged_reach(range, to_merge).await?);
        Ok(reach)
    }

    /// Reach over `range` of each of `campaigns`, merged: each campaign's weekly and monthly
    /// rollups over the fewest whole periods of the range, and its daily sketches of the days
    /// left (every day when the rollups are not built yet).
    async fn merged_reach(
        &self,
        range: DateRange,
        campaigns: Vec<CampaignId>,
    ) -> Result<HashMap<CampaignId, i64>, DashboardError> {
        if campaigns.is_empty() {
            return Ok(HashMap::new());
        }
        let statement = if self.rollups_ready().await? {
            campaign_cover_statement(range, campaigns)
        } else {
            let mut filter = Filter::new(range);
            filter.campaigns = campaigns;
            campaign_sketches_statement(&filter)
        };
        let mut sketches: HashMap<CampaignId, Sketch> = HashMap::new();
        self.for_each(&statement, |r| {
            let id = r.id("campaign_id").map_err(query_error)?;
            let bytes = r.bytes("sketch").map_err(query_error)?;
            merge_stored(sketches.entry(id).or_default(), &bytes)
        })
        .await?;
        Ok(sketches
            .into_iter()
            .map(|(id, sketch)| (id, reach_of(&sketch)))
            .collect())
    }
}

/// What the stored numbers say of a campaign's reach over a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StoredReach {
    /// No data in the range: 0.
    NoData,
    /// One stored number: the campaign has no data after the range (its reach since the
    /// range's first day with data) or none before it (its reach until the last).
    Known(i64),
    /// Data on both sides of the range, or the numbers not written yet: its sketches merge.
    ToMerge,
}

impl StoredReach {
    /// Reads the columns of [`cumulative_columns`].
    pub(super) fn read(r: &dyn Read) -> Result<Self, sqlx::Error> {
        if r.int("in_range")? == 0 {
            return Ok(Self::NoData);
        }
        // (Null until the ETL has written them.)
        let known = if r.int("after")? == 0 {
            r.opt_int("since_first")?
        } else if r.int("before")? == 0 {
            r.opt_int("until_last")?
        } else {
            None
        };
        Ok(known.map_or(Self::ToMerge, Self::Known))
    }
}

/// The columns, for the campaign `c` of a statement whose $1 and $2 are the range, that say
/// its reach over the range ([`StoredReach::read`]): whether it has data in the range, before
/// it and after it, and its reach since the range's first day with data and until its last.
/// Each is an index probe of `campaign_metrics_daily` (campaign, day).
pub(super) fn cumulative_columns() -> String {
    let day = |condition: &str, order: &str, column: &str| {
        format!(
            "(SELECT d.{column} FROM campaign_metrics_daily d
              WHERE d.campaign_id = c.campaign_id AND {condition}
              ORDER BY d.metric_date {order} LIMIT 1)"
        )
    };
    let exists = |condition: &str| {
        format!(
            "CAST(CASE WHEN EXISTS (SELECT 1 FROM campaign_metrics_daily d
                 WHERE d.campaign_id = c.campaign_id AND {condition}) THEN 1 ELSE 0 END AS bigint)"
        )
    };
    let within = "d.metric_date BETWEEN $1 AND $2";
    format!(
        "{} AS in_range, {} AS before, {} AS after, {} AS since_first, {} AS until_last",
        exists(within),
        exists("d.metric_date < $1"),
        exists("d.metric_date > $2"),
        day(within, "ASC", "reach_since"),
        day(within, "DESC", "reach_until"),
    )
}

/// Per campaign $3, over the range ($1, $2), the columns of [`cumulative_columns`].
fn cumulative_statement(range: DateRange, campaigns: Vec<CampaignId>) -> Statement {
    let template = format!(
        "SELECT c.campaign_id, {}
         FROM campaigns c
         WHERE c.campaign_id = ANY($3)",
        cumulative_columns()
    );
    Statement::new(
        "reading the campaigns' reach",
        template,
        vec![
            Value::Date(range.start()),
            Value::Date(range.end()),
            Value::Ids(campaigns),
        ],
    )
}

/// The sketches of the campaigns $1 that make up the range: their weekly rollups $2, monthly
/// rollups $3 and daily sketches $4 (the fewest whole periods of the range).
fn campaign_cover_statement(range: DateRange, campaigns: Vec<CampaignId>) -> Statement {
    let cover = rollup::cover(range.start(), range.end());
    let starts = |period: Interval| {
        Value::Dates(
            cover
                .iter()
                .filter(|(p, _)| *p == period)
                .map(|(_, start)| *start)
                .collect(),
        )
    };
    Statement::new(
        "reading the campaigns' reach",
        "SELECT r.campaign_id, r.sketch FROM campaign_reach_rollups r
         WHERE r.campaign_id = ANY($1)
           AND ((r.period = 'week' AND r.period_start = ANY($2))
             OR (r.period = 'month' AND r.period_start = ANY($3)))
         UNION ALL
         SELECT s.campaign_id, s.sketch FROM campaign_reach_sketches s
         WHERE s.campaign_id = ANY($1) AND s.metric_date = ANY($4)",
        vec![
            Value::Ids(campaigns),
            starts(Interval::Week),
            starts(Interval::Month),
            starts(Interval::Day),
        ],
    )
}

/// Every statement of this module, for the template test.
#[cfg(test)]
pub(super) fn statements() -> Vec<Statement> {
    let range = DateRange::last_days(time::macros::date!(2026 - 11 - 27), 90);
    let day = range.start();
    vec![
        campaign_sketches_statement(&Filter::new(range)),
        cumulative_statement(range, vec![CampaignId::from_u128(1)]),
        campaign_cover_statement(range, vec![CampaignId::from_u128(1)]),
        reach_rollups_statement(
            vec![rollup::ALL.to_owned()],
            [vec![day], vec![day], vec![day]],
        ),
    ]
}
