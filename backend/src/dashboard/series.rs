//! Metrics over time: the summary of a filter against the previous period, a metric's trend
//! per channel, and one campaign's metrics per interval. Each sums the counts per interval (the
//! channel rollups when only channels filter, else the facts) and adds reach from the sketches.

use std::collections::BTreeMap;

use outreach_model::{
    CampaignId, CampaignMetrics, Channel, Count, DateRange, Filter, Interval, Metric, Metrics,
    PeriodMetrics, Series, Summary, Trend, TrendPoint, TrendSeries,
};
use time::Date;

use super::binds::{IntervalOrAll, channel_names, filter_values, read_counts, rollup_types, sums};
use super::{Dashboard, Route};
use crate::DashboardError;
use crate::metrics::Counts;
use crate::rollup::Grouping;
use crate::store::{Statement, Value};

/// The column of a channel's count in a per-channel sum, e.g. `sms_opt_outs`.
fn channel_column(channel: Channel, count: Count) -> String {
    format!("{}_{count}", channel.as_str().to_lowercase())
}

/// `sums` of each channel's days (`channel` the channel column), one column per channel and
/// count: one row per interval instead of one per interval and channel.
fn per_channel_sums(alias: &str, channel: &str, counts: &[Count]) -> String {
    Channel::ALL
        .iter()
        .flat_map(|c| {
            counts.iter().map(move |count| {
                format!(
                    ", CAST(coalesce(sum({alias}.total_{count}) FILTER (WHERE {channel} = '{}'), 0) AS bigint) AS {}",
                    c.as_str(),
                    channel_column(*c, *count)
                )
            })
        })
        .collect()
}

/// The counts per interval ($7) of the campaigns of the filter: in total, or per channel.
fn totals_statement(
    filter: &Filter,
    interval: IntervalOrAll,
    counts: &[Count],
    per_channel: bool,
) -> Statement {
    let template = format!(
        "SELECT {{bucket}} AS bucket{}
         FROM campaign_metrics_daily d
         JOIN campaigns c ON c.campaign_id = d.campaign_id
         WHERE d.metric_date BETWEEN $1 AND $2 AND d.campaign_id {{of_filter}}
           AND {{filter}}
         GROUP BY 1",
        if per_channel {
            per_channel_sums("d", "c.channel", counts)
        } else {
            sums("d", counts)
        }
    );
    let mut values = filter_values(filter);
    values.push(Value::Text(Some(interval.name().to_owned())));
    Statement::new("summing metrics", template, values)
}

/// The counts per interval ($4) of every campaign of the channels $3 (and, per type, of the
/// types $5): in total, or per channel.
fn rollup_totals_statement(
    grouping: Grouping,
    filter: &Filter,
    interval: IntervalOrAll,
    counts: &[Count],
    per_channel: bool,
) -> Statement {
    let (types, type_values) = rollup_types(grouping, filter, 5);
    let template = format!(
        "SELECT {{rollup_bucket}} AS bucket{}
         FROM {} r
         WHERE r.metric_date BETWEEN $1 AND $2 AND {{channels}}{types}
         GROUP BY 1",
        if per_channel {
            per_channel_sums("r", "r.channel", counts)
        } else {
            sums("r", counts)
        },
        grouping.table("channel_metrics_daily"),
    );
    let mut values = vec![
        Value::Date(filter.range.start()),
        Value::Date(filter.range.end()),
        channel_names(filter),
        Value::Text(Some(interval.name().to_owned())),
    ];
    values.extend(type_values);
    Statement::new("summing metrics", template, values)
}

/// The name of the campaign $1.
fn campaign_name_statement(campaign_id: CampaignId) -> Statement {
    Statement::new(
        "reading the campaign",
        "SELECT c.campaign_name FROM campaigns c WHERE c.campaign_id = ANY($1)",
        vec![Value::Ids(vec![campaign_id])],
    )
}

impl Dashboard {
    /// One campaign's metrics per interval of `range`, every interval present.
    pub async fn campaign_metrics(
        &self,
        campaign_id: CampaignId,
        range: DateRange,
        interval: Interval,
    ) -> Result<CampaignMetrics, DashboardError> {
        let filter = Filter {
            campaigns: vec![campaign_id],
            ..Filter::new(range)
        };
        let statement = campaign_name_statement(campaign_id);
        let rows = self.fetch(&statement).await?;
        let name = rows
            .map(statement.context, |r| r.text("campaign_name"))?
            .into_iter()
            .next()
            .ok_or(DashboardError::UnknownCampaign(campaign_id))?;
        let buckets = self.buckets(&filter, interval, false, None).await?;
        let periods = range
            .periods(interval)
            .into_iter()
            .map(|(start, end)| PeriodMetrics {
                start,
                end,
                metrics: buckets
                    .get(&(start, Series::Total))
                    .copied()
                    .unwrap_or_default()
                    .to_metrics(),
            })
            .collect();
        Ok(CampaignMetrics {
            campaign_id,
            campaign_name: name,
            interval,
            periods,
        })
    }

    /// The filter's metrics and those of the same campaigns over the previous period.
    pub async fn summary(&self, filter: &Filter) -> Result<Summary, DashboardError> {
        let previous_range = filter.range.previous();
        let current = self.total(filter).await?;
        let previous = self.total(&filter.with_range(previous_range)).await?;
        Ok(Summary {
            range: filter.range,
            previous_range,
            current,
            previous,
        })
    }

    async fn total(&self, filter: &Filter) -> Result<Metrics, DashboardError> {
        let buckets = self
            .buckets(filter, IntervalOrAll::All, false, None)
            .await?;
        Ok(buckets
            .get(&(filter.range.start(), Series::Total))
            .copied()
            .unwrap_or_default()
            .to_metrics())
    }

    /// `metric` per interval: one series per channel of the filter (all three when it names
    /// none), then the total.
    pub async fn trend(
        &self,
        filter: &Filter,
        metric: Metric,
        interval: Interval,
    ) -> Result<Trend, DashboardError> {
        let buckets = self.buckets(filter, interval, true, Some(metric)).await?;
        let labels = filter.range.buckets(interval);
        let series = Series::all()
            .filter(|series| match series {
                Series::Channel(channel) => {
                    filter.channels.is_empty() || filter.channels.contains(channel)
                }
                Series::Total => true,
            })
            .map(|name| TrendSeries {
                name,
                points: labels
                    .iter()
                    .map(|start| TrendPoint {
                        start: *start,
                        value: buckets
                            .get(&(*start, name))
                            .copied()
                            .unwrap_or_default()
                            .to_metrics()
                            .get(metric),
                    })
                    .collect(),
            })
            .collect();
        Ok(Trend {
            metric,
            interval,
            series,
        })
    }

    /// Counts per interval label and series (the total, and each channel when `per_channel`):
    /// every count, or with `only` the counts that metric needs (reach, from the merged
    /// sketches, only when it is reach; the other counts are 0).
    async fn buckets(
        &self,
        filter: &Filter,
        interval: impl Into<IntervalOrAll>,
        per_channel: bool,
        only: Option<Metric>,
    ) -> Result<BTreeMap<(Date, Series), Counts>, DashboardError> {
        let interval = interval.into();
        let counts: &[Count] = only.map_or(Count::ALL, Metric::inputs);
        let with_reach = only.is_none_or(|metric| metric == Metric::Reach);
        let route = self.route(filter).await?;
        let statement = match route {
            Route::Rollups(grouping) => {
                rollup_totals_statement(grouping, filter, interval, counts, per_channel)
            }
            Route::Facts => totals_statement(filter, interval, counts, per_channel),
        };
        let rows = self.fetch(&statement).await?;
        let mut buckets: BTreeMap<(Date, Series), Counts> = BTreeMap::new();
        if per_channel {
            let columns: Vec<(Channel, Vec<(Count, String)>)> = Channel::ALL
                .iter()
                .map(|c| {
                    let names = counts
                        .iter()
                        .map(|n| (*n, channel_column(*c, *n)))
                        .collect();
                    (*c, names)
                })
                .collect();
            for (bucket, per_channel) in rows.map(statement.context, |r| {
                let mut sums = Vec::with_capacity(columns.len());
                for (channel, names) in &columns {
                    let mut sum = Counts::default();
                    for (count, column) in names {
                        *sum.get_mut(*count) = r.int(column)?;
                    }
                    sums.push((*channel, sum));
                }
                Ok((r.day("bucket")?, sums))
            })? {
                for (channel, counts) in per_channel {
                    *buckets.entry((bucket, Series::Total)).or_default() += counts;
                    *buckets
                        .entry((bucket, Series::Channel(channel)))
                        .or_default() += counts;
                }
            }
        } else {
            for (bucket, counts) in rows.map(statement.context, |r| {
                Ok((r.day("bucket")?, read_counts(r, counts)?))
            })? {
                *buckets.entry((bucket, Series::Total)).or_default() += counts;
            }
        }

        if !with_reach {
            return Ok(buckets);
        }
        let reach = match route {
            Route::Rollups(Grouping::Whole) => {
                self.rollup_reach(filter, interval, per_channel).await?
            }
            Route::Rollups(Grouping::PerType) => {
                self.type_rollup_reach(filter, interval, per_channel)
                    .await?
            }
            Route::Facts => {
                self.campaign_sketch_reach(filter, interval, per_channel)
                    .await?
            }
        };
        for (key, reach) in reach {
            buckets.entry(key).or_default().reach = reach;
        }
        Ok(buckets)
    }
}

/// Every statement of this module, for the template test.
#[cfg(test)]
pub(super) fn statements() -> Vec<Statement> {
    let range = DateRange::last_days(time::macros::date!(2026 - 11 - 27), 90);
    let filter = Filter::new(range);
    let by_type = Filter {
        campaign_types: vec!["Wellness".to_owned()],
        ..Filter::new(range)
    };
    let mut all = vec![campaign_name_statement(CampaignId::from_u128(7))];
    for interval in [IntervalOrAll::All, IntervalOrAll::Interval(Interval::Week)] {
        for per_channel in [false, true] {
            for counts in [Count::ALL, Metric::OptOutRate.inputs()] {
                all.push(totals_statement(&filter, interval, counts, per_channel));
                for filter in [&filter, &by_type] {
                    for grouping in Grouping::ALL {
                        all.push(rollup_totals_statement(
                            grouping,
                            filter,
                            interval,
                            counts,
                            per_channel,
                        ));
                    }
                }
            }
        }
    }
    all
}
