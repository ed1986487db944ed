//! The questions the dashboard asks, answered the same way on either store: the counts are
//! summed in SQL, reach over a range is the estimate of the merged daily sketches, and every
//! rate comes from [`Counts`] (docs/metrics.md).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use outreach_model::{
    AgeBand, CampaignId, CampaignMetrics, CampaignPage, CampaignRow, CampaignSort, Channel,
    DateRange, DimensionRow, Filter, Health, Interval, LastRun, Metric, Metrics, Page,
    PeriodMetrics, PlanType, Region, RiskTier, SegmentReport, SegmentRow, Summary, Trend,
    TrendPoint, TrendSeries,
};
use time::{Date, OffsetDateTime};

use crate::DashboardError;
use crate::metrics::{Counts, SEGMENT_COUNTS, SUMMED, suppress_segments};
use crate::reach::Sketch;
use crate::rollup;
use crate::store::{Read, Store, Value};

/// `, CAST(coalesce(sum(<alias>.total_<name>), 0) AS bigint) AS <name>` for each name: the
/// sums of those counts over the days of `alias` per group.
fn sums(alias: &str, names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!(", CAST(coalesce(sum({alias}.total_{name}), 0) AS bigint) AS {name}"))
        .collect()
}

/// The counts `names` per interval ($7) of the campaigns of the filter: in total, or per
/// channel (one column per channel and count, see [`per_channel_sums`]).
fn totals_sql(names: &[&str], per_channel: bool) -> String {
    format!(
        "SELECT {{bucket}} AS bucket{}
         FROM campaign_metrics_daily d
         JOIN campaigns c ON c.campaign_id = d.campaign_id
         WHERE d.metric_date BETWEEN $1 AND $2 AND {{filter}}
         GROUP BY 1",
        if per_channel {
            per_channel_sums("d", "c.channel", names)
        } else {
            sums("d", names)
        }
    )
}

/// The column of a channel's count in a per-channel sum, e.g. `sms_opt_outs`.
fn channel_column(channel: Channel, name: &str) -> String {
    format!("{}_{name}", channel.as_str().to_lowercase())
}

/// `sums` of each channel's days (`channel` the channel column), one column per channel and
/// count: one row per interval instead of one per interval and channel.
fn per_channel_sums(alias: &str, channel: &str, names: &[&str]) -> String {
    Channel::ALL
        .iter()
        .flat_map(|c| {
            names.iter().map(move |name| {
                format!(
                    ", CAST(coalesce(sum({alias}.total_{name}) FILTER (WHERE {channel} = '{}'), 0) AS bigint) AS {}",
                    c.as_str(),
                    channel_column(*c, name)
                )
            })
        })
        .collect()
}

/// The campaigns of the filter whose schedule meets the range or that have data in it, with
/// their counts `names` over the range (the others 0); $7 a part of the name, $8 the sort, $9
/// and $10 the page.
fn campaigns_sql(names: &[&str]) -> String {
    format!(
        "WITH sums AS (
            SELECT d.campaign_id{}
            FROM campaign_metrics_daily d
            WHERE d.metric_date BETWEEN $1 AND $2
            GROUP BY d.campaign_id
        )
        SELECT c.campaign_id, c.campaign_name, c.campaign_type, c.channel, c.status, c.start_date,
            c.end_date, s.sent, s.impressions, s.opens, s.clicks, s.engaged, s.conversions,
            s.opt_outs, s.bounces, s.machine_opens, count(*) OVER () AS total
        FROM campaigns c
        LEFT JOIN sums s ON s.campaign_id = c.campaign_id
        WHERE {{filter}}
          AND ((c.start_date <= $2 AND (c.end_date IS NULL OR c.end_date >= $1)) OR s.campaign_id IS NOT NULL)
          AND ($7 IS NULL OR {{name_contains}})
        ORDER BY
            CASE WHEN $8 = 'start_date' THEN c.start_date END DESC NULLS LAST,
            CASE $8
                WHEN 'impressions' THEN CAST(s.impressions AS {{float}})
                WHEN 'opens' THEN CAST(s.opens AS {{float}})
                WHEN 'clicks' THEN CAST(s.clicks AS {{float}})
                WHEN 'engaged' THEN CAST(s.engaged AS {{float}})
                WHEN 'conversions' THEN CAST(s.conversions AS {{float}})
                WHEN 'opt_outs' THEN CAST(s.opt_outs AS {{float}})
                WHEN 'sent' THEN CAST(s.sent AS {{float}})
                WHEN 'bounces' THEN CAST(s.bounces AS {{float}})
                WHEN 'machine_opens' THEN CAST(s.machine_opens AS {{float}})
                WHEN 'engagement_rate' THEN CAST(s.engaged AS {{float}}) / nullif(s.impressions, 0)
                WHEN 'conversion_rate' THEN CAST(s.conversions AS {{float}}) / nullif(s.impressions, 0)
                WHEN 'opt_out_rate' THEN CAST(s.opt_outs AS {{float}}) / nullif(s.impressions, 0)
                WHEN 'delivery_rate' THEN CAST(s.impressions AS {{float}}) / nullif(s.sent, 0)
            END DESC NULLS LAST,
            c.campaign_name {{collate}}, c.campaign_id
        LIMIT {{limit}} OFFSET $10",
        SUMMED
            .iter()
            .map(|name| if names.contains(name) {
                sums("d", &[name])
            } else {
                format!(", CAST(0 AS bigint) AS {name}")
            })
            .collect::<String>()
    )
}

/// Every count over the range ($1, $2) of the campaigns $3.
fn campaign_sums_sql() -> String {
    format!(
        "SELECT d.campaign_id{}
         FROM campaign_metrics_daily d
         WHERE d.metric_date BETWEEN $1 AND $2 AND d.campaign_id = ANY($3)
         GROUP BY d.campaign_id",
        sums("d", &SUMMED)
    )
}

/// The stored sketches of the filter's campaigns over the range.
const CAMPAIGN_SKETCHES: &str = "SELECT r.campaign_id, r.metric_date, c.channel, r.sketch
    FROM campaign_reach_sketches r
    JOIN campaigns c ON c.campaign_id = r.campaign_id
    WHERE r.metric_date BETWEEN $1 AND $2 AND {filter}";

/// The segment dimensions, in the order the drill-down lists them.
const DIMENSIONS: [&str; 4] = ["age_band", "plan_type", "risk_tier", "region"];

/// Per segment, the interactions of the filter's campaigns (binds $1 to $6).
fn segment_facts_sql() -> String {
    let sums: String = SEGMENT_COUNTS
        .iter()
        .map(|(count, kind)| {
            format!(
                ", CAST(coalesce(sum(i.count) FILTER (WHERE i.interaction_type = '{kind}'), 0) AS bigint) AS {count}"
            )
        })
        .collect();
    format!(
        "SELECT s.member_segment, s.age_band, s.plan_type, s.risk_tier, s.region{sums}
         FROM member_interactions i
         JOIN campaigns c ON c.campaign_id = i.campaign_id
         JOIN member_segments s ON s.member_segment = i.member_segment
         WHERE i.interaction_date BETWEEN $1 AND $2 AND {{filter}}
         GROUP BY s.member_segment, s.age_band, s.plan_type, s.risk_tier, s.region"
    )
}

/// Per segment, the rollup of every campaign of the channels $3 (binds $1 to $3).
fn segment_rollups_sql() -> String {
    let sums: String = SEGMENT_COUNTS
        .iter()
        .map(|(count, _)| format!(", CAST(sum(r.{count}) AS bigint) AS {count}"))
        .collect();
    format!(
        "SELECT s.member_segment, s.age_band, s.plan_type, s.risk_tier, s.region{sums}
         FROM segment_metrics_daily r
         JOIN member_segments s ON s.member_segment = r.member_segment
         WHERE r.metric_date BETWEEN $1 AND $2 AND {{channels}}
         GROUP BY s.member_segment, s.age_band, s.plan_type, s.risk_tier, s.region"
    )
}

/// Per segment (from `per_segment`) and per value of each dimension.
fn segments_sql(per_segment: &str) -> String {
    let counts: Vec<&str> = SEGMENT_COUNTS.iter().map(|(count, _)| *count).collect();
    let summed: Vec<String> = counts
        .iter()
        .map(|count| format!("CAST(sum({count}) AS bigint)"))
        .collect();
    let mut sql = format!(
        "WITH seg AS ({per_segment})
         SELECT 'segment' AS dimension, member_segment AS value, age_band, plan_type, risk_tier,
             region, {}
         FROM seg",
        counts.join(", ")
    );
    for dimension in DIMENSIONS {
        sql.push_str(&format!(
            " UNION ALL SELECT '{dimension}', {dimension}, NULL, NULL, NULL, NULL, {} FROM seg GROUP BY {dimension}",
            summed.join(", ")
        ));
    }
    sql
}

/// The counts `names` per interval ($4) of every campaign of the channels $3: in total, or per
/// channel.
fn rollup_totals_sql(names: &[&str], per_channel: bool) -> String {
    format!(
        "SELECT {{rollup_bucket}} AS bucket{}
         FROM channel_metrics_daily r
         WHERE r.metric_date BETWEEN $1 AND $2 AND {{channels}}
         GROUP BY 1",
        if per_channel {
            per_channel_sums("r", "r.channel", names)
        } else {
            sums("r", names)
        }
    )
}

/// The reach rollups of scopes $1 over the days $2, weeks $3 and months $4.
const REACH_ROLLUPS: &str = "SELECT r.scope, r.period, r.period_start, r.sketch
    FROM reach_rollups r
    WHERE r.scope = ANY($1)
      AND ((r.period = 'day' AND r.period_start = ANY($2))
        OR (r.period = 'week' AND r.period_start = ANY($3))
        OR (r.period = 'month' AND r.period_start = ANY($4)))";

/// The dashboard's questions over one store.
#[derive(Debug, Clone)]
pub struct Dashboard {
    store: Store,
    trace: Option<Trace>,
    /// Set once the rollups were seen built; they never go back to not built.
    rollups_seen: Arc<AtomicBool>,
}

/// The statements a traced [`Dashboard`] ran, in order, as PostgreSQL SQL with their binds:
/// what the read benchmark replays in psql to compare with the database's own time.
pub type Trace = Arc<Mutex<Vec<(String, Vec<Value>)>>>;

impl Dashboard {
    /// Connects to `url` (PostgreSQL URL or SQLite path) and checks its schema version.
    pub async fn connect(url: &str) -> Result<Dashboard, DashboardError> {
        let dashboard = Dashboard {
            store: Store::connect(url).await?,
            trace: None,
            rollups_seen: Arc::default(),
        };
        let found = dashboard.schema_version().await?;
        let expected = crate::schema::version();
        if found != expected {
            return Err(DashboardError::WrongSchema { found, expected });
        }
        Ok(dashboard)
    }

    /// The store behind it.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The same dashboard, recording every statement it runs into the trace returned.
    pub fn traced(&self) -> (Dashboard, Trace) {
        let trace = Trace::default();
        let dashboard = Dashboard {
            store: self.store.clone(),
            trace: Some(trace.clone()),
            rollups_seen: self.rollups_seen.clone(),
        };
        (dashboard, trace)
    }

    async fn fetch(
        &self,
        context: &'static str,
        template: &str,
        values: &[Value],
    ) -> Result<crate::store::Rows, DashboardError> {
        if let Some(trace) = &self.trace
            && let Ok(mut trace) = trace.lock()
        {
            trace.push((crate::store::postgres_sql(template), values.to_vec()));
        }
        self.store.fetch(context, template, values).await
    }

    async fn for_each(
        &self,
        context: &'static str,
        template: &str,
        values: &[Value],
        each: impl FnMut(&dyn crate::store::Read) -> Result<(), DashboardError>,
    ) -> Result<(), DashboardError> {
        if let Some(trace) = &self.trace
            && let Ok(mut trace) = trace.lock()
        {
            trace.push((crate::store::postgres_sql(template), values.to_vec()));
        }
        self.store.for_each(context, template, values, each).await
    }

    async fn schema_version(&self) -> Result<i64, DashboardError> {
        // A database without the migrations table is no dashboard database (version 0).
        let rows = self.fetch(
                "reading the schema version",
                "SELECT CAST(max(version) AS bigint) AS version FROM _sqlx_migrations WHERE success",
                &[],
            )
            .await;
        match rows {
            Ok(rows) => Ok(rows
                .map("reading the schema version", |r| r.int("version"))?
                .first()
                .copied()
                .unwrap_or(0)),
            Err(DashboardError::Query { source, .. }) if is_missing_table(&source) => Ok(0),
            Err(err) => Err(err),
        }
    }

    /// One page of the campaigns of `filter` with their metrics over its range; `search` keeps
    /// those whose name contains it (ignoring case).
    pub async fn campaigns(
        &self,
        filter: &Filter,
        search: Option<&str>,
        sort: CampaignSort,
        page: Page,
    ) -> Result<CampaignPage, DashboardError> {
        let sort_key = match sort {
            CampaignSort::Name => "name",
            CampaignSort::StartDate => "start_date",
            CampaignSort::Metric(metric) => metric.as_str(),
        };
        // Reach over a range is not a sum, so SQL cannot order by it: all rows come back and
        // are ordered here once their reach is known.
        let by_reach = sort == CampaignSort::Metric(Metric::Reach);
        let mut values = filter_values(filter);
        values.push(Value::Text(
            search.map(str::to_owned).filter(|s| !s.is_empty()),
        ));
        values.push(Value::Text(Some(sort_key.to_owned())));
        values.push(Value::Int((!by_reach).then(|| i64::from(page.size()))));
        values.push(Value::Int(Some(if by_reach {
            0
        } else {
            i64::try_from(page.offset()).unwrap_or(i64::MAX)
        })));
        // Ranking every campaign sums only what the sort needs; the page's rows get every
        // count afterwards.
        let ranked_by: &[&str] = match sort {
            CampaignSort::Metric(metric) => Counts::inputs(metric),
            CampaignSort::Name | CampaignSort::StartDate => &[],
        };
        let rows = self
            .fetch("listing campaigns", &campaigns_sql(ranked_by), &values)
            .await?;
        let listed = rows.map("listing campaigns", |r| {
            let channel: String = r.text("channel")?;
            let status: String = r.text("status")?;
            let row = CampaignRow {
                campaign_id: r.id("campaign_id")?,
                campaign_name: r.text("campaign_name")?,
                campaign_type: r.text("campaign_type")?,
                channel: channel.parse().map_err(decode)?,
                status: status.parse().map_err(decode)?,
                start_date: r.day("start_date")?,
                end_date: r.opt_day("end_date")?,
                metrics: read_counts(r, &SUMMED)?.to_metrics(),
            };
            Ok((row, r.int("total")?))
        })?;
        let mut total = listed
            .first()
            .map_or(0, |(_, total)| u64::try_from(*total).unwrap_or(0));
        let mut campaigns: Vec<CampaignRow> = listed.into_iter().map(|(row, _)| row).collect();

        let ids: Vec<CampaignId> = campaigns.iter().map(|c| c.campaign_id).collect();
        let reach = self.campaign_reach(filter.range, ids).await?;
        for row in &mut campaigns {
            row.metrics.reach = reach.get(&row.campaign_id).copied().unwrap_or(0);
        }
        if by_reach {
            campaigns.sort_by(|a, b| {
                b.metrics
                    .reach
                    .cmp(&a.metrics.reach)
                    .then_with(|| a.campaign_name.as_bytes().cmp(b.campaign_name.as_bytes()))
                    .then_with(|| a.campaign_id.cmp(&b.campaign_id))
            });
            total = campaigns.len() as u64;
            campaigns = campaigns
                .into_iter()
                .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
                .take(page.size() as usize)
                .collect();
        }
        let ids: Vec<CampaignId> = campaigns.iter().map(|c| c.campaign_id).collect();
        let sums = self.campaign_sums(filter.range, ids).await?;
        for row in &mut campaigns {
            let reach = row.metrics.reach;
            row.metrics = sums
                .get(&row.campaign_id)
                .copied()
                .unwrap_or_default()
                .to_metrics();
            row.metrics.reach = reach;
        }
        Ok(CampaignPage {
            total,
            page: page.number(),
            page_size: page.size(),
            campaigns,
        })
    }

    /// Every count over `range` of each of `campaigns`.
    async fn campaign_sums(
        &self,
        range: DateRange,
        campaigns: Vec<CampaignId>,
    ) -> Result<HashMap<CampaignId, Counts>, DashboardError> {
        if campaigns.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = self
            .fetch(
                "summing the campaigns' metrics",
                &campaign_sums_sql(),
                &[
                    Value::Date(range.start()),
                    Value::Date(range.end()),
                    Value::Ids(campaigns),
                ],
            )
            .await?;
        Ok(rows
            .map("summing the campaigns' metrics", |r| {
                Ok((r.id("campaign_id")?, read_counts(r, &SUMMED)?))
            })?
            .into_iter()
            .collect())
    }

    /// Reach over `range` of each of `campaigns`.
    async fn campaign_reach(
        &self,
        range: DateRange,
        campaigns: Vec<CampaignId>,
    ) -> Result<HashMap<CampaignId, i64>, DashboardError> {
        if campaigns.is_empty() {
            return Ok(HashMap::new());
        }
        let mut filter = Filter::new(range);
        filter.campaigns = campaigns;
        let mut sketches: HashMap<CampaignId, Sketch> = HashMap::new();
        self.for_each(
            "reading reach sketches",
            CAMPAIGN_SKETCHES,
            &filter_values(&filter),
            |r| {
                let id = r.id("campaign_id").map_err(query_error)?;
                let bytes = r.bytes("sketch").map_err(query_error)?;
                merge_stored(sketches.entry(id).or_default(), &bytes)
            },
        )
        .await?;
        Ok(sketches
            .into_iter()
            .map(|(id, sketch)| (id, reach_of(&sketch)))
            .collect())
    }

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
        let rows = self
            .fetch(
                "reading the campaign",
                "SELECT c.campaign_name FROM campaigns c WHERE {filter}",
                &filter_values(&filter),
            )
            .await?;
        let name = rows
            .map("reading the campaign", |r| r.text("campaign_name"))?
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
                    .get(&(start, TOTAL))
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
            .get(&(filter.range.start(), TOTAL))
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
        let channels: Vec<Channel> = if filter.channels.is_empty() {
            Channel::ALL.to_vec()
        } else {
            Channel::ALL
                .iter()
                .copied()
                .filter(|c| filter.channels.contains(c))
                .collect()
        };
        let labels = filter.range.buckets(interval);
        let names = channels
            .iter()
            .map(|c| c.as_str())
            .chain(std::iter::once(TOTAL));
        let series = names
            .map(|name| TrendSeries {
                name: name.to_owned(),
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

    /// Counts per interval label and series ("Total", or a channel's name when `per_channel`,
    /// in which case "Total" is there too): every count, or with `only` the counts that metric
    /// needs (reach, from the merged sketches, only when it is reach; the other counts are 0).
    async fn buckets(
        &self,
        filter: &Filter,
        interval: impl Into<IntervalOrAll>,
        per_channel: bool,
        only: Option<Metric>,
    ) -> Result<BTreeMap<(Date, &'static str), Counts>, DashboardError> {
        let interval = interval.into();
        let names: &[&str] = only.map_or(&SUMMED, Counts::inputs);
        let with_reach = only.is_none_or(|metric| metric == Metric::Reach);
        let rollups = filter.by_channel_only() && self.rollups_ready().await?;
        let rows = if rollups {
            self.fetch(
                "summing metrics",
                &rollup_totals_sql(names, per_channel),
                &[
                    Value::Date(filter.range.start()),
                    Value::Date(filter.range.end()),
                    channel_names(filter),
                    Value::Text(Some(interval.name().to_owned())),
                ],
            )
            .await?
        } else {
            let mut values = filter_values(filter);
            values.push(Value::Text(Some(interval.name().to_owned())));
            self.fetch("summing metrics", &totals_sql(names, per_channel), &values)
                .await?
        };
        let mut buckets: BTreeMap<(Date, &'static str), Counts> = BTreeMap::new();
        if per_channel {
            let columns: Vec<(Channel, Vec<(&str, String)>)> = Channel::ALL
                .iter()
                .map(|c| {
                    let names = names.iter().map(|n| (*n, channel_column(*c, n))).collect();
                    (*c, names)
                })
                .collect();
            for (bucket, per_channel) in rows.map("summing metrics", |r| {
                let mut counts = Vec::with_capacity(columns.len());
                for (channel, names) in &columns {
                    let mut sum = Counts::default();
                    for (name, column) in names {
                        if let Some(count) = sum.summed_mut(name) {
                            *count = r.int(column)?;
                        }
                    }
                    counts.push((*channel, sum));
                }
                Ok((r.day("bucket")?, counts))
            })? {
                for (channel, counts) in per_channel {
                    *buckets.entry((bucket, TOTAL)).or_default() += counts;
                    *buckets.entry((bucket, channel.as_str())).or_default() += counts;
                }
            }
        } else {
            for (bucket, counts) in rows.map("summing metrics", |r| {
                Ok((r.day("bucket")?, read_counts(r, names)?))
            })? {
                *buckets.entry((bucket, TOTAL)).or_default() += counts;
            }
        }

        if !with_reach {
            return Ok(buckets);
        }
        let sketches = if rollups {
            self.rollup_reach(filter, interval, per_channel).await?
        } else {
            self.campaign_sketch_reach(filter, interval, per_channel)
                .await?
        };
        for (key, sketch) in sketches {
            buckets.entry(key).or_default().reach = reach_of(&sketch);
        }
        Ok(buckets)
    }

    /// Whether the ETL has built the rollups (a database migrated to them but not yet
    /// reloaded has none, and is read from the facts).
    async fn rollups_ready(&self) -> Result<bool, DashboardError> {
        if self.rollups_seen.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let rows = self.fetch(
                "reading the settings",
                "SELECT CAST(CASE WHEN rollups_ready THEN 1 ELSE 0 END AS bigint) AS ready FROM dashboard_settings",
                &[],
            )
            .await?;
        let ready = rows
            .map("reading the settings", |r| r.int("ready"))?
            .first()
            .is_some_and(|ready| *ready == 1);
        if ready {
            self.rollups_seen.store(true, Ordering::Relaxed);
        }
        Ok(ready)
    }

    /// Reach per interval and series from the daily sketches of the filter's campaigns.
    async fn campaign_sketch_reach(
        &self,
        filter: &Filter,
        interval: IntervalOrAll,
        per_channel: bool,
    ) -> Result<BTreeMap<(Date, &'static str), Sketch>, DashboardError> {
        let mut sketches: BTreeMap<(Date, &'static str), Sketch> = BTreeMap::new();
        self.for_each(
            "reading reach sketches",
            CAMPAIGN_SKETCHES,
            &filter_values(filter),
            |r| {
                let (_, day, channel, bytes) = read_campaign_sketch(r).map_err(query_error)?;
                let label = interval.bucket(&filter.range, day);
                if per_channel {
                    let series = series_name(&channel).map_err(query_error)?;
                    merge_stored(sketches.entry((label, series)).or_default(), &bytes)?;
                }
                merge_stored(sketches.entry((label, TOTAL)).or_default(), &bytes)
            },
        )
        .await?;
        Ok(sketches)
    }

    /// Reach per interval and series from the reach rollups: each interval read as the fewest
    /// whole months, weeks and days, per channel of the filter or over all channels.
    async fn rollup_reach(
        &self,
        filter: &Filter,
        interval: IntervalOrAll,
        per_channel: bool,
    ) -> Result<BTreeMap<(Date, &'static str), Sketch>, DashboardError> {
        // Each stored period read, and the interval it belongs to.
        let mut wanted: HashMap<(&'static str, Date), Date> = HashMap::new();
        let labels = match interval {
            IntervalOrAll::Interval(interval) => filter.range.buckets(interval),
            IntervalOrAll::All => vec![filter.range.start()],
        };
        for (i, label) in labels.iter().enumerate() {
            let last = labels
                .get(i + 1)
                .and_then(|next| next.previous_day())
                .unwrap_or(filter.range.end());
            for (period, start) in rollup::cover(*label, last) {
                wanted.insert((period.as_str(), start), *label);
            }
        }
        let starts = |period: Interval| {
            Value::Dates(
                wanted
                    .keys()
                    .filter(|(p, _)| *p == period.as_str())
                    .map(|(_, start)| *start)
                    .collect(),
            )
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
        let rows = self
            .fetch(
                "reading reach rollups",
                REACH_ROLLUPS,
                &[
                    Value::Texts(scopes),
                    starts(Interval::Day),
                    starts(Interval::Week),
                    starts(Interval::Month),
                ],
            )
            .await?;
        let mut sketches: BTreeMap<(Date, &'static str), Sketch> = BTreeMap::new();
        for (scope, period, start, bytes) in rows.map("reading reach rollups", |r| {
            Ok((
                r.text("scope")?,
                r.text("period")?,
                r.day("period_start")?,
                r.bytes("sketch")?,
            ))
        })? {
            let Some(label) = Interval::ALL
                .iter()
                .find(|p| p.as_str() == period)
                .and_then(|p| wanted.get(&(p.as_str(), start)))
                .copied()
            else {
                continue;
            };
            if scope == rollup::ALL {
                merge_stored(sketches.entry((label, TOTAL)).or_default(), &bytes)?;
                continue;
            }
            if per_channel {
                merge_stored(
                    sketches
                        .entry((label, series_name(&scope).map_err(query_error)?))
                        .or_default(),
                    &bytes,
                )?;
            }
            if !every_channel {
                merge_stored(sketches.entry((label, TOTAL)).or_default(), &bytes)?;
            }
        }
        Ok(sketches)
    }

    /// The drill-down by member segment, small counts suppressed.
    pub async fn segments(&self, filter: &Filter) -> Result<SegmentReport, DashboardError> {
        let rows = if filter.by_channel_only() && self.rollups_ready().await? {
            self.fetch(
                "reading segments",
                &segments_sql(&segment_rollups_sql()),
                &[
                    Value::Date(filter.range.start()),
                    Value::Date(filter.range.end()),
                    channel_names(filter),
                ],
            )
            .await?
        } else {
            self.fetch(
                "reading segments",
                &segments_sql(&segment_facts_sql()),
                &filter_values(filter),
            )
            .await?
        };
        let rows = rows.map("reading segments", |r| {
            let parts = [
                r.opt_text("age_band")?,
                r.opt_text("plan_type")?,
                r.opt_text("risk_tier")?,
                r.opt_text("region")?,
            ];
            let counts = read_counts(r, &SEGMENT_COUNTS.map(|(count, _)| count))?;
            Ok((r.text("dimension")?, r.text("value")?, parts, counts))
        })?;
        let (segment_rows, dimension_rows): (Vec<_>, Vec<_>) = rows
            .into_iter()
            .partition(|(dimension, ..)| dimension == "segment");
        let mut segment_rows: Vec<(String, [String; 4], Counts)> = segment_rows
            .into_iter()
            .map(|(_, value, parts, counts)| (value, parts.map(Option::unwrap_or_default), counts))
            .collect();
        // In the answer's order before suppressing, so both stores hide the same cells where
        // counts tie.
        segment_rows.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut dimension_rows = dimension_rows;
        dimension_rows.sort_by(|(d1, v1, ..), (d2, v2, ..)| {
            (dimension_order(d1), value_order(d1, v1), v1.as_bytes()).cmp(&(
                dimension_order(d2),
                value_order(d2, v2),
                v2.as_bytes(),
            ))
        });
        // Suppressed together: a small count must not be the total less the shown ones.
        let (segment_metrics, dimension_metrics) = suppress_segments(
            &segment_rows
                .iter()
                .map(|(_, parts, counts)| (parts.each_ref().map(String::as_str), counts))
                .collect::<Vec<_>>(),
            &dimension_rows
                .iter()
                .map(|(dimension, value, _, counts)| (dimension.as_str(), value.as_str(), counts))
                .collect::<Vec<_>>(),
        );
        let segments: Vec<SegmentRow> = segment_rows
            .into_iter()
            .zip(segment_metrics)
            .map(
                |((member_segment, [age_band, plan_type, risk_tier, region], _), metrics)| {
                    SegmentRow {
                        member_segment,
                        age_band,
                        plan_type,
                        risk_tier,
                        region,
                        metrics,
                    }
                },
            )
            .collect();
        let dimensions: Vec<DimensionRow> = dimension_rows
            .into_iter()
            .zip(dimension_metrics)
            .map(|((dimension, value, ..), metrics)| DimensionRow {
                dimension,
                value,
                metrics,
            })
            .collect();
        Ok(SegmentReport {
            segments,
            dimensions,
        })
    }

    /// Whether the database answers, at which schema version, and how fresh its data is.
    pub async fn health(&self) -> Result<Health, DashboardError> {
        let schema_version = self.schema_version().await?;
        let runs = self
            .fetch(
                "reading the last ETL run",
                "SELECT run_id, mode, finished_at, watermark FROM etl_runs
                 WHERE status = 'succeeded' ORDER BY run_id DESC LIMIT 1",
                &[],
            )
            .await?;
        let last_run = runs
            .map("reading the last ETL run", |r| {
                Ok(LastRun {
                    run_id: r.int("run_id")?,
                    mode: r.text("mode")?,
                    finished_at: r.opt_time("finished_at")?,
                    watermark: r.opt_time("watermark")?,
                })
            })?
            .into_iter()
            .next();
        let settings = self
            .fetch(
                "reading the settings",
                "SELECT (SELECT reporting_time_zone FROM dashboard_settings) AS zone,
                        (SELECT max(metric_date) FROM campaign_metrics_daily) AS latest",
                &[],
            )
            .await?;
        let (zone, latest) = settings
            .map("reading the settings", |r| {
                Ok((r.opt_text("zone")?, r.opt_day("latest")?))
            })?
            .into_iter()
            .next()
            .unwrap_or_default();
        let data_age_seconds = last_run
            .as_ref()
            .and_then(|run| run.watermark)
            // A watermark ahead of this clock (the demo is built as of the end of today, or
            // clocks differ) is data of age 0, not of negative age.
            .map(|watermark| {
                (OffsetDateTime::now_utc() - watermark)
                    .whole_seconds()
                    .max(0)
            });
        Ok(Health {
            store: self.store.kind().to_owned(),
            reachable: true,
            schema_version,
            expected_schema_version: crate::schema::version(),
            last_run,
            data_age_seconds,
            reporting_time_zone: zone.unwrap_or_else(|| "UTC".to_owned()),
            latest_metric_date: latest,
        })
    }
}

/// The series that sums every channel.
pub const TOTAL: &str = "Total";

/// An interval, or the whole range as one.
#[derive(Debug, Clone, Copy)]
enum IntervalOrAll {
    Interval(Interval),
    All,
}

impl From<Interval> for IntervalOrAll {
    fn from(interval: Interval) -> Self {
        IntervalOrAll::Interval(interval)
    }
}

impl IntervalOrAll {
    fn name(self) -> &'static str {
        match self {
            IntervalOrAll::Interval(interval) => interval.as_str(),
            IntervalOrAll::All => "all",
        }
    }

    /// The label SQL gives `day` (see `{bucket}` in the store).
    fn bucket(self, range: &DateRange, day: Date) -> Date {
        match self {
            IntervalOrAll::Interval(interval) => range.bucket(interval, day),
            IntervalOrAll::All => range.start(),
        }
    }
}

/// Binds $1 to $6 of every filtered template.
fn filter_values(filter: &Filter) -> Vec<Value> {
    vec![
        Value::Date(filter.range.start()),
        Value::Date(filter.range.end()),
        Value::Ids(filter.campaigns.clone()),
        Value::Texts(
            filter
                .channels
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
        ),
        Value::Texts(filter.campaign_types.clone()),
        Value::Texts(
            filter
                .statuses
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
        ),
    ]
}

/// The counts `names` of a row (the others zero).
fn read_counts(r: &dyn Read, names: &[&str]) -> Result<Counts, sqlx::Error> {
    let mut counts = Counts::default();
    for name in names {
        if let Some(count) = counts.summed_mut(name) {
            *count = r.int(name)?;
        }
    }
    Ok(counts)
}

fn read_campaign_sketch(r: &dyn Read) -> Result<(CampaignId, Date, String, Vec<u8>), sqlx::Error> {
    Ok((
        r.id("campaign_id")?,
        r.day("metric_date")?,
        r.text("channel")?,
        r.bytes("sketch")?,
    ))
}

/// Adds a stored sketch to `sketch`.
fn merge_stored(sketch: &mut Sketch, bytes: &[u8]) -> Result<(), DashboardError> {
    sketch
        .merge_bytes(bytes)
        .map_err(|err| DashboardError::CorruptSketch(err.to_string()))
}

/// The series a stored name stands for: the total or a channel.
fn series_name(name: &str) -> Result<&'static str, sqlx::Error> {
    if name == TOTAL {
        return Ok(TOTAL);
    }
    let channel: Channel = name.parse().map_err(decode)?;
    Ok(channel.as_str())
}

fn query_error(source: sqlx::Error) -> DashboardError {
    DashboardError::Query {
        context: "reading reach sketches",
        source,
    }
}

/// The filter's channels as a bind (all when empty).
fn channel_names(filter: &Filter) -> Value {
    Value::Texts(
        filter
            .channels
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
    )
}

fn reach_of(sketch: &Sketch) -> i64 {
    i64::try_from(sketch.count()).unwrap_or(i64::MAX)
}

fn decode(err: outreach_model::UnknownName) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(err))
}

fn is_missing_table(err: &sqlx::Error) -> bool {
    let message = err.to_string();
    message.contains("does not exist") || message.contains("no such table")
}

fn dimension_order(dimension: &str) -> usize {
    DIMENSIONS
        .iter()
        .position(|d| *d == dimension)
        .unwrap_or(usize::MAX)
}

fn value_order(dimension: &str, value: &str) -> usize {
    let position = |names: Vec<&str>| names.iter().position(|n| *n == value).unwrap_or(usize::MAX);
    match dimension {
        "age_band" => position(AgeBand::ALL.iter().map(|v| v.as_str()).collect()),
        "plan_type" => position(PlanType::ALL.iter().map(|v| v.as_str()).collect()),
        "risk_tier" => position(RiskTier::ALL.iter().map(|v| v.as_str()).collect()),
        "region" => position(Region::ALL.iter().map(|v| v.as_str()).collect()),
        _ => usize::MAX,
    }
}
