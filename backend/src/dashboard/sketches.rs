//! Reach from the stored sketches: the filter's campaigns' daily sketches merged per interval
//! and series, or the reach rollups over every campaign (the fewest whole months, weeks and
//! days of each interval), or each campaign's own reach over a range: one stored number when
//! none of its days falls after the range (or none before it), else its weekly and monthly
//! rollups and the days left merged.

use std::collections::{BTreeMap, HashMap};

use outreach_model::{CampaignId, Channel, DateRange, Filter, Interval, Series};
use time::Date;

use super::Dashboard;
use super::binds::{IntervalOrAll, filter_values, rollup_types};
use crate::DashboardError;
use crate::reach::Sketch;
use crate::rollup::{self, Grouping};
use crate::store::{Read, Statement, Value};

/// The stored sketches of the filter's campaigns over the range.
const CAMPAIGN_SKETCHES: &str = "SELECT r.campaign_id, r.metric_date, c.channel, r.sketch
    FROM campaign_reach_sketches r
    JOIN campaigns c ON c.campaign_id = r.campaign_id
    WHERE r.metric_date BETWEEN $1 AND $2 AND r.campaign_id {of_filter} AND {filter}";

/// The reach rollups of scopes $1 over the days $2, weeks $3 and months $4: each one's stored
/// estimate, and `{sketch}`, its sketch (only where it is needed).
const REACH_ROLLUPS: &str = "SELECT r.scope, r.period, r.period_start, r.reach, {sketch} AS sketch
    FROM reach_rollups r
    WHERE r.scope = ANY($1)
      AND ((r.period = 'day' AND r.period_start = ANY($2))
        OR (r.period = 'week' AND r.period_start = ANY($3))
        OR (r.period = 'month' AND r.period_start = ANY($4)))";

/// The rollups per campaign type of the channels $1 (and types $5) over the days $2, weeks $3
/// and months $4, with their sketches.
fn type_reach_statement(filter: &Filter, days: [Vec<Date>; 3]) -> Statement {
    let [day, week, month] = days;
    let (types, type_values) = rollup_types(Grouping::PerType, filter, 5);
    let channels = Channel::ALL
        .iter()
        .filter(|c| filter.channels.is_empty() || filter.channels.contains(c))
        .map(|c| c.as_str().to_owned())
        .collect();
    let mut values = vec![
        Value::Texts(channels),
        Value::Dates(day),
        Value::Dates(week),
        Value::Dates(month),
    ];
    values.extend(type_values);
    Statement::new(
        "reading reach rollups",
        format!(
            "SELECT r.channel, r.period, r.period_start, r.sketch
             FROM type_reach_rollups r
             WHERE r.channel = ANY($1){types}
               AND ((r.period = 'day' AND r.period_start = ANY($2))
                 OR (r.period = 'week' AND r.period_start = ANY($3))
                 OR (r.period = 'month' AND r.period_start = ANY($4)))"
        ),
        values,
    )
}

fn campaign_sketches_statement(filter: &Filter) -> Statement {
    Statement::new(
        "reading reach sketches",
        CAMPAIGN_SKETCHES,
        filter_values(filter),
    )
}

/// The reach rollups of `scopes` over the periods starting on `days` (days, weeks, months):
/// with `sketches`, each one's sketch; else its estimate alone, and its sketch only where no
/// estimate is stored.
fn reach_rollups_statement(scopes: Vec<String>, days: [Vec<Date>; 3], sketches: bool) -> Statement {
    let [day, week, month] = days;
    let sketch = if sketches {
        "r.sketch"
    } else {
        "CASE WHEN r.reach IS NULL THEN r.sketch END"
    };
    Statement::new(
        "reading reach rollups",
        REACH_ROLLUPS.replace("{sketch}", sketch),
        vec![
            Value::Texts(scopes),
            Value::Dates(day),
            Value::Dates(week),
            Value::Dates(month),
        ],
    )
}

/// A stored reach rollup: its scope (the series it is), period and first day.
type RollupKey = (Series, Interval, Date);

/// The reach rollups of `keys` (and any other pairing of their scopes and starts): with
/// `sketches`, with their sketches.
fn rollup_keys_statement(keys: &[RollupKey], sketches: bool) -> Statement {
    let scope = |series: &Series| match series {
        Series::Total => rollup::ALL.to_owned(),
        Series::Channel(channel) => channel.as_str().to_owned(),
    };
    let mut scopes: Vec<String> = keys.iter().map(|(s, _, _)| scope(s)).collect();
    scopes.sort();
    scopes.dedup();
    let starts = |period: Interval| {
        let mut starts: Vec<Date> = keys
            .iter()
            .filter(|(_, p, _)| *p == period)
            .map(|(_, _, start)| *start)
            .collect();
        starts.sort();
        starts.dedup();
        starts
    };
    reach_rollups_statement(
        scopes,
        [
            starts(Interval::Day),
            starts(Interval::Week),
            starts(Interval::Month),
        ],
        sketches,
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
    ) -> Result<BTreeMap<(Date, Series), i64>, DashboardError> {
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
        Ok(sketches
            .into_iter()
            .map(|(key, sketch)| (key, reach_of(&sketch)))
            .collect())
    }

    /// Reach per interval and series from the reach rollups: each interval read as the fewest
    /// whole months, weeks and days, per channel of the filter or over all channels. Where one
    /// stored rollup is the whole answer (a day, a whole week or month of one scope) its stored
    /// estimate is read; otherwise the rollups' sketches are merged.
    pub(super) async fn rollup_reach(
        &self,
        filter: &Filter,
        interval: IntervalOrAll,
        per_channel: bool,
    ) -> Result<BTreeMap<(Date, Series), i64>, DashboardError> {
        // The scopes whose union is each series: over every channel the 'All' rollup is the
        // total, otherwise the union of the filter's channels is.
        let every_channel = filter.channels.is_empty();
        let channels: Vec<Series> = Channel::ALL
            .iter()
            .filter(|c| every_channel || filter.channels.contains(c))
            .map(|c| Series::Channel(*c))
            .collect();
        let mut series: Vec<(Series, Vec<Series>)> = vec![(
            Series::Total,
            if every_channel {
                vec![Series::Total]
            } else {
                channels.clone()
            },
        )];
        if per_channel {
            series.extend(channels.iter().map(|c| (*c, vec![*c])));
        }
        // Per stored rollup, the answers it alone is (`alone`) and those it is merged into.
        let mut alone: HashMap<RollupKey, Vec<(Date, Series)>> = HashMap::new();
        let mut merged: HashMap<RollupKey, Vec<(Date, Series)>> = HashMap::new();
        let labels = interval.labels(&filter.range);
        for (i, label) in labels.iter().enumerate() {
            let last = labels
                .get(i + 1)
                .and_then(|next| next.previous_day())
                .unwrap_or(filter.range.end());
            let periods = rollup::cover(*label, last);
            for (name, scopes) in &series {
                let keys: Vec<RollupKey> = scopes
                    .iter()
                    .flat_map(|scope| periods.iter().map(|(p, start)| (*scope, *p, *start)))
                    .collect();
                let into = if keys.len() == 1 {
                    &mut alone
                } else {
                    &mut merged
                };
                for key in keys {
                    into.entry(key).or_default().push((*label, *name));
                }
            }
        }
        let mut reach: BTreeMap<(Date, Series), i64> = BTreeMap::new();
        let mut sketches: BTreeMap<(Date, Series), Sketch> = BTreeMap::new();
        for sketch_all in [true, false] {
            // The sketches to merge (with the estimates of any rollup also alone), then the
            // estimates of the rollups alone not read yet.
            let read: Vec<RollupKey> = if sketch_all {
                merged.keys().copied().collect()
            } else {
                alone
                    .keys()
                    .filter(|key| !merged.contains_key(key))
                    .copied()
                    .collect()
            };
            if read.is_empty() {
                continue;
            }
            let statement = rollup_keys_statement(&read, sketch_all);
            let rows = self.fetch(&statement).await?;
            for (key, estimate, bytes) in rows.map(statement.context, |r| {
                Ok((
                    (
                        series_of(&r.text("scope")?)?,
                        r.text("period")?
                            .parse::<Interval>()
                            .map_err(super::decode)?,
                        r.day("period_start")?,
                    ),
                    r.opt_int("reach")?,
                    r.opt_bytes("sketch")?,
                ))
            })? {
                // (The statement reads every pairing of the scopes and starts asked.)
                let targets = merged.get(&key).filter(|_| sketch_all);
                let single = alone.get(&key);
                if targets.is_none() && single.is_none() {
                    continue;
                }
                if let Some(single) = single {
                    let estimate = match (estimate, &bytes) {
                        (Some(estimate), _) => estimate,
                        (None, Some(bytes)) => {
                            let mut sketch = Sketch::default();
                            merge_stored(&mut sketch, bytes)?;
                            reach_of(&sketch)
                        }
                        (None, None) => {
                            return Err(DashboardError::CorruptSketch(
                                "a reach rollup with neither an estimate nor a sketch".to_owned(),
                            ));
                        }
                    };
                    for answer in single {
                        reach.insert(*answer, estimate);
                    }
                }
                if let (Some(targets), Some(bytes)) = (targets, &bytes) {
                    for answer in targets {
                        merge_stored(sketches.entry(*answer).or_default(), bytes)?;
                    }
                }
            }
        }
        reach.extend(
            sketches
                .into_iter()
                .map(|(answer, sketch)| (answer, reach_of(&sketch))),
        );
        Ok(reach)
    }

    /// Reach per interval and series from the rollups per campaign type: each interval read as
    /// the fewest whole months, weeks and days, and the sketches of every type and channel the
    /// connection sees (of the filter's types and channels) merged into the total and their
    /// channel's series.
    pub(super) async fn type_rollup_reach(
        &self,
        filter: &Filter,
        interval: IntervalOrAll,
        per_channel: bool,
    ) -> Result<BTreeMap<(Date, Series), i64>, DashboardError> {
        // The label of each stored period read (the covers of the labels are disjoint).
        let mut wanted: HashMap<(Interval, Date), Date> = HashMap::new();
        let labels = interval.labels(&filter.range);
        for (i, label) in labels.iter().enumerate() {
            let last = labels
                .get(i + 1)
                .and_then(|next| next.previous_day())
                .unwrap_or(filter.range.end());
            for key in rollup::cover(*label, last) {
                wanted.insert(key, *label);
            }
        }
        let starts = |period: Interval| {
            let mut starts: Vec<Date> = wanted
                .keys()
                .filter(|(p, _)| *p == period)
                .map(|(_, start)| *start)
                .collect();
            starts.sort();
            starts
        };
        let statement = type_reach_statement(
            filter,
            [
                starts(Interval::Day),
                starts(Interval::Week),
                starts(Interval::Month),
            ],
        );
        let mut sketches: BTreeMap<(Date, Series), Sketch> = BTreeMap::new();
        self.for_each(&statement, |r| {
            let period = r
                .text("period")
                .and_then(|p| p.parse::<Interval>().map_err(super::decode))
                .map_err(query_error)?;
            let start = r.day("period_start").map_err(query_error)?;
            // (The statement reads every pairing of the periods and starts asked.)
            let Some(label) = wanted.get(&(period, start)) else {
                return Ok(());
            };
            let series =
                series_of(&r.text("channel").map_err(query_error)?).map_err(query_error)?;
            let bytes = r.bytes("sketch").map_err(query_error)?;
            if per_channel {
                merge_stored(sketches.entry((*label, series)).or_default(), &bytes)?;
            }
            merge_stored(sketches.entry((*label, Series::Total)).or_default(), &bytes)
        })
        .await?;
        Ok(sketches
            .into_iter()
            .map(|(key, sketch)| (key, reach_of(&sketch)))
            .collect())
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
        let ready = self.rollups_ready().await?;
        let cover = rollup::cover(range.start(), range.end());
        if let (true, [(period @ (Interval::Week | Interval::Month), start)]) =
            (ready, cover.as_slice())
        {
            // A whole week or month: each campaign's stored estimate of it.
            let statement = campaign_period_statement(*period, *start, campaigns);
            let rows = self.fetch(&statement).await?;
            return rows
                .map(statement.context, |r| {
                    Ok((
                        r.id("campaign_id")?,
                        r.opt_int("reach")?,
                        r.opt_bytes("sketch")?,
                    ))
                })?
                .into_iter()
                .map(|(id, estimate, bytes)| {
                    let reach = match (estimate, bytes) {
                        (Some(estimate), _) => estimate,
                        (None, Some(bytes)) => {
                            let mut sketch = Sketch::default();
                            merge_stored(&mut sketch, &bytes)?;
                            reach_of(&sketch)
                        }
                        (None, None) => 0,
                    };
                    Ok((id, reach))
                })
                .collect();
        }
        let statement = if ready {
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
    /// Reads the column of [`cumulative_columns`].
    pub(super) fn read(r: &dyn Read) -> Result<Self, sqlx::Error> {
        Ok(match r.int("stored_reach")? {
            NO_DATA => Self::NoData,
            TO_MERGE => Self::ToMerge,
            count => Self::Known(count),
        })
    }
}

/// `stored_reach` of a campaign with no data in the range.
const NO_DATA: i64 = -2;
/// `stored_reach` of a campaign whose sketches merge.
const TO_MERGE: i64 = -1;

/// The column `stored_reach`, for the campaign `c` of a statement whose $1 and $2 are the
/// range, that says its reach over the range ([`StoredReach::read`]): -2 without data in the
/// range, -1 when its sketches are to be merged, else its reach. Its first and last days with
/// data (`campaigns.first_data_date`, `last_data_date`) tell whether it has data before and
/// after the range; then at most one index probe of `campaign_metrics_daily` (campaign, day)
/// reads the number or whether it has data in the range at all.
pub(super) fn cumulative_columns() -> String {
    let day = |order: &str, column: &str| {
        format!(
            "coalesce((SELECT coalesce(d.{column}, {TO_MERGE}) FROM campaign_metrics_daily d
              WHERE d.campaign_id = c.campaign_id AND d.metric_date BETWEEN $1 AND $2
              ORDER BY d.metric_date {order} LIMIT 1), {NO_DATA})"
        )
    };
    format!(
        "CAST(CASE
            WHEN c.first_data_date IS NULL OR c.first_data_date > $2 OR c.last_data_date < $1
                THEN {NO_DATA}
            WHEN c.last_data_date <= $2 THEN {}
            WHEN c.first_data_date >= $1 THEN {}
            WHEN EXISTS (SELECT 1 FROM campaign_metrics_daily d
                WHERE d.campaign_id = c.campaign_id AND d.metric_date BETWEEN $1 AND $2)
                THEN {TO_MERGE}
            ELSE {NO_DATA}
        END AS bigint) AS stored_reach",
        day("ASC", "reach_since"),
        day("DESC", "reach_until"),
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

/// The estimates of the campaigns $1 over the week or month $2 starting $3 (and the sketch of any
/// not estimated yet).
fn campaign_period_statement(
    period: Interval,
    start: Date,
    campaigns: Vec<CampaignId>,
) -> Statement {
    Statement::new(
        "reading the campaigns' reach",
        "SELECT r.campaign_id, r.reach, CASE WHEN r.reach IS NULL THEN r.sketch END AS sketch
         FROM campaign_reach_rollups r
         WHERE r.campaign_id = ANY($1) AND r.period = $2 AND r.period_start = $3",
        vec![
            Value::Ids(campaigns),
            Value::Text(Some(period.as_str().to_owned())),
            Value::Date(start),
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
        campaign_period_statement(Interval::Month, day, vec![CampaignId::from_u128(1)]),
        reach_rollups_statement(
            vec![rollup::ALL.to_owned()],
            [vec![day], vec![day], vec![day]],
            true,
        ),
        reach_rollups_statement(
            vec![rollup::ALL.to_owned()],
            [vec![day], vec![day], vec![day]],
            false,
        ),
        type_reach_statement(&Filter::new(range), [vec![day], vec![day], vec![day]]),
        type_reach_statement(
            &Filter {
                campaign_types: vec!["Wellness".to_owned()],
                ..Filter::new(range)
            },
            [vec![day], vec![day], vec![day]],
        ),
    ]
}
