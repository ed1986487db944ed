//! Writing into the dashboard database (PostgreSQL): COPY into staging tables, then upsert, all
//! inside the run's one transaction. Rows are updated only when they differ, so a rerun leaves
//! the tables (surrogate ids included) exactly as they were.

use std::collections::BTreeSet;

use outreach_model::search_key;
use outreach_warehouse::aggregates::{Aggregates, CampaignDay};
use outreach_warehouse::source::Campaign;
use sqlx::PgConnection;
use time::Date;

use crate::EtlError;
use crate::copy::{CopyRows, drop_indexes};
use crate::pushdown::Scope;

/// The columns of campaign_metrics_daily that [`CopyRows::daily_counts`] writes, in order.
macro_rules! daily_count_columns {
    () => {
        "total_reach, total_impressions, total_opens, total_clicks, total_conversions, total_opt_outs, total_sent, total_bounces, total_machine_opens, total_engaged, engagement_rate, conversion_rate, opt_out_rate, delivery_rate"
    };
}

const COPY_DAILY_WITH_IDS: &str = concat!(
    "COPY campaign_metrics_daily (metric_id, campaign_id, metric_date, ",
    daily_count_columns!(),
    ") FROM STDIN"
);
/// COPY of interaction rows with their ids.
pub const COPY_INTERACTIONS_WITH_IDS: &str = "COPY member_interactions (interaction_id, campaign_id, member_segment, interaction_date, interaction_type, count) FROM STDIN";
/// COPY of daily rows without their ids.
pub const COPY_DAILY: &str = concat!(
    "COPY campaign_metrics_daily (campaign_id, metric_date, ",
    daily_count_columns!(),
    ") FROM STDIN"
);

const STAGING: &str = r#"
CREATE TEMP TABLE stage_campaigns (
    campaign_id uuid, campaign_name text, search_name text, campaign_type text, start_date date,
    end_date date, status text, channel text, updated_at timestamptz
) ON COMMIT DROP;
CREATE TEMP TABLE stage_keys (campaign_id uuid, day date) ON COMMIT DROP;
CREATE TEMP TABLE stage_daily (
    campaign_id uuid, metric_date date, total_reach integer, total_impressions integer,
    total_opens integer, total_clicks integer, total_conversions integer, total_opt_outs integer,
    total_sent integer, total_bounces integer, total_machine_opens integer, total_engaged integer,
    engagement_rate double precision, conversion_rate double precision,
    opt_out_rate double precision, delivery_rate double precision
) ON COMMIT DROP;
CREATE TEMP TABLE stage_interactions (
    campaign_id uuid, member_segment text, interaction_date date, interaction_type text, count integer
) ON COMMIT DROP;
CREATE TEMP TABLE stage_sketches (campaign_id uuid, metric_date date, sketch bytea) ON COMMIT DROP;
"#;

/// Creates the staging tables of this transaction.
pub async fn create_staging(tx: &mut PgConnection) -> Result<(), EtlError> {
    sqlx::raw_sql(STAGING)
        .execute(&mut *tx)
        .await
        .map_err(EtlError::dashboard("creating staging tables"))?;
    Ok(())
}

/// Makes `campaigns` equal the warehouse's campaigns.
pub async fn campaigns(tx: &mut PgConnection, campaigns: &[Campaign]) -> Result<(), EtlError> {
    let mut rows = CopyRows::default();
    for c in campaigns {
        rows.plain(c.campaign_id)
            .text(&c.campaign_name)
            .text(&search_key(&c.campaign_name))
            .text(&c.campaign_type)
            .plain(c.start_date)
            .optional(c.end_date)
            .plain(c.status)
            .plain(c.channel)
            .instant(c.updated_at);
        rows.end_row();
    }
    rows.copy_into(tx, "COPY stage_campaigns FROM STDIN")
        .await
        .map_err(EtlError::dashboard("staging campaigns"))?;
    sqlx::raw_sql(
        r#"
INSERT INTO campaigns (campaign_id, campaign_name, search_name, campaign_type, start_date, end_date, status, channel, updated_at)
SELECT campaign_id, campaign_name, search_name, campaign_type, start_date, end_date, status, channel, updated_at
FROM stage_campaigns
ON CONFLICT (campaign_id) DO UPDATE SET
    campaign_name = EXCLUDED.campaign_name, search_name = EXCLUDED.search_name,
    campaign_type = EXCLUDED.campaign_type, start_date = EXCLUDED.start_date,
    end_date = EXCLUDED.end_date, status = EXCLUDED.status, channel = EXCLUDED.channel,
    updated_at = EXCLUDED.updated_at
WHERE (campaigns.campaign_name, campaigns.search_name, campaigns.campaign_type, campaigns.start_date,
       campaigns.end_date, campaigns.status, campaigns.channel, campaigns.updated_at)
      IS DISTINCT FROM
      (EXCLUDED.campaign_name, EXCLUDED.search_name, EXCLUDED.campaign_type, EXCLUDED.start_date,
       EXCLUDED.end_date, EXCLUDED.status, EXCLUDED.channel, EXCLUDED.updated_at);
DELETE FROM member_interactions i WHERE NOT EXISTS (SELECT 1 FROM stage_campaigns s WHERE s.campaign_id = i.campaign_id);
DELETE FROM campaigns c WHERE NOT EXISTS (SELECT 1 FROM stage_campaigns s WHERE s.campaign_id = c.campaign_id);
"#,
    )
    .execute(&mut *tx)
    .await
    .map_err(EtlError::dashboard("writing campaigns"))?;
    Ok(())
}

/// Rows written by [`metrics`], and the days whose rollups are to be rebuilt.
#[derive(Debug, Default, Clone)]
pub struct Written {
    /// Rows of campaign_metrics_daily in scope.
    pub campaign_days: usize,
    /// Rows of member_interactions in scope.
    pub interactions: usize,
    /// The days written, whose rollups are now out of date; none for a full load, after which
    /// every rollup is.
    pub days: Option<BTreeSet<Date>>,
    /// The campaigns written, whose own rollups are out of date; none for a full load.
    pub campaigns: Option<BTreeSet<uuid::Uuid>>,
}

/// Replaces the daily metrics, interactions and sketches of the scope with `aggregates`; says
/// which days' rollups are out of date (the run rebuilds them, `rollups::rebuild`).
pub async fn metrics(
    tx: &mut PgConnection,
    aggregates: &Aggregates,
    scope: &Scope,
) -> Result<Written, EtlError> {
    let full = matches!(scope, Scope::Full);
    if let Scope::Keys(keys) = scope {
        let mut rows = CopyRows::default();
        for (campaign, day) in keys {
            rows.plain(campaign).plain(day);
            rows.end_row();
        }
        rows.copy_into(tx, "COPY stage_keys FROM STDIN")
            .await
            .map_err(EtlError::dashboard("staging the campaign-days in scope"))?;
    }

    let daily = aggregates.daily_rows();
    let mut rows = CopyRows::default();
    for (id, row) in (1_i64..).zip(&daily) {
        let c = &row.counts;
        if full {
            rows.plain(id);
        }
        rows.plain(row.campaign_id)
            .plain(row.metric_date)
            .daily_counts(c);
        rows.end_row();
    }
    let daily_rows = rows;

    let mut interactions = aggregates.interaction_rows();
    if full {
        // In the order of the table's unique key (text as bytes, which is the order of the C and
        // C.UTF-8 collations), ids ascending with it: each insert into either index then lands
        // at its right edge, where PostgreSQL skips the descent (7.3 s instead of 12 s for 1.7M
        // rows when the indexes cannot be dropped).
        interactions.sort_by(|a, b| {
            (
                a.campaign_id,
                a.member_segment.as_str(),
                a.interaction_date,
                a.interaction_type.as_str(),
            )
                .cmp(&(
                    b.campaign_id,
                    b.member_segment.as_str(),
                    b.interaction_date,
                    b.interaction_type.as_str(),
                ))
        });
    }
    let mut rows = CopyRows::default();
    for (id, row) in (1_i64..).zip(&interactions) {
        if full {
            rows.plain(id);
        }
        rows.plain(row.campaign_id)
            .text(&row.member_segment)
            .plain(row.interaction_date)
            .plain(row.interaction_type)
            .plain(row.count);
        rows.end_row();
    }
    let interaction_rows = rows;

    let mut rows = CopyRows::default();
    for ((campaign, day), sketch) in &aggregates.sketches {
        rows.plain(campaign).plain(day).bytes(&sketch.to_bytes());
        rows.end_row();
    }
    let sketch_rows = rows;

    if full {
        // Everything is rebuilt: empty the tables and COPY straight into them with ids 1..n
        // in a deterministic order, so a rerun gives identical rows. (TRUNCATE holds readers
        // off until the commit, for the seconds the load takes.)
        sqlx::raw_sql(
            "TRUNCATE campaign_metrics_daily, member_interactions, campaign_reach_sketches",
        )
        .execute(&mut *tx)
        .await
        .map_err(EtlError::dashboard("emptying the tables for a full load"))?;
        daily_rows
            .copy_into(tx, COPY_DAILY_WITH_IDS)
            .await
            .map_err(EtlError::dashboard("loading daily metrics"))?;
        let dropped = drop_indexes(tx, "member_interactions").await?;
        interaction_rows
            .copy_into(tx, COPY_INTERACTIONS_WITH_IDS)
            .await
            .map_err(EtlError::dashboard("loading member interactions"))?;
        if let Some(dropped) = dropped {
            dropped.rebuild(tx).await?;
        }
        sketch_rows
            .copy_into(
                tx,
                "COPY campaign_reach_sketches (campaign_id, metric_date, sketch) FROM STDIN",
            )
            .await
            .map_err(EtlError::dashboard("loading reach sketches"))?;
        // Later incremental inserts take ids after these.
        sqlx::raw_sql(
            "SELECT setval(pg_get_serial_sequence('campaign_metrics_daily', 'metric_id'),
                           coalesce((SELECT max(metric_id) FROM campaign_metrics_daily), 0) + 1, false);
             SELECT setval(pg_get_serial_sequence('member_interactions', 'interaction_id'),
                           coalesce((SELECT max(interaction_id) FROM member_interactions), 0) + 1, false);",
        )
        .execute(&mut *tx)
        .await
        .map_err(EtlError::dashboard("moving the id sequences on"))?;
    } else {
        daily_rows
            .copy_into(tx, "COPY stage_daily FROM STDIN")
            .await
            .map_err(EtlError::dashboard("staging daily metrics"))?;
        interaction_rows
            .copy_into(tx, "COPY stage_interactions FROM STDIN")
            .await
            .map_err(EtlError::dashboard("staging member interactions"))?;
        sketch_rows
            .copy_into(tx, "COPY stage_sketches FROM STDIN")
            .await
            .map_err(EtlError::dashboard("staging reach sketches"))?;
        // Temp tables have no statistics until analyzed; without them the anti-joins below
        // plan as nested loops.
        sqlx::raw_sql("ANALYZE stage_keys; ANALYZE stage_daily; ANALYZE stage_interactions; ANALYZE stage_sketches")
            .execute(&mut *tx)
            .await
            .map_err(EtlError::dashboard("analyzing staging tables"))?;
        for (context, statement) in UPSERTS {
            sqlx::query(*statement)
                .bind(full)
                .execute(&mut *tx)
                .await
                .map_err(EtlError::dashboard(context))?;
        }
    }

    Ok(Written {
        campaign_days: daily.len(),
        interactions: interactions.len(),
        days: match scope {
            Scope::Full => None,
            Scope::Keys(keys) => Some(keys.iter().map(|(_, day)| *day).collect()),
        },
        campaigns: match scope {
            Scope::Full => None,
            Scope::Keys(keys) => Some(keys.iter().map(|(campaign, _)| *campaign).collect()),
        },
    })
}

/// In scope: every row when $1, else the staged campaign-days.
const UPSERTS: &[(&str, &str)] = &[
    (
        "replacing daily metrics",
        r#"
WITH gone AS (
    DELETE FROM campaign_metrics_daily d
    WHERE ($1 OR EXISTS (SELECT 1 FROM stage_keys k WHERE k.campaign_id = d.campaign_id AND k.day = d.metric_date))
      AND NOT EXISTS (SELECT 1 FROM stage_daily s WHERE s.campaign_id = d.campaign_id AND s.metric_date = d.metric_date)
)
INSERT INTO campaign_metrics_daily (campaign_id, metric_date, total_reach, total_impressions, total_opens,
    total_clicks, total_conversions, total_opt_outs, total_sent, total_bounces, total_machine_opens,
    total_engaged, engagement_rate, conversion_rate, opt_out_rate, delivery_rate)
SELECT * FROM stage_daily
ON CONFLICT (campaign_id, metric_date) DO UPDATE SET
    total_reach = EXCLUDED.total_reach, total_impressions = EXCLUDED.total_impressions,
    total_opens = EXCLUDED.total_opens, total_clicks = EXCLUDED.total_clicks,
    total_conversions = EXCLUDED.total_conversions, total_opt_outs = EXCLUDED.total_opt_outs,
    total_sent = EXCLUDED.total_sent, total_bounces = EXCLUDED.total_bounces,
    total_machine_opens = EXCLUDED.total_machine_opens, total_engaged = EXCLUDED.total_engaged,
    engagement_rate = EXCLUDED.engagement_rate, conversion_rate = EXCLUDED.conversion_rate,
    opt_out_rate = EXCLUDED.opt_out_rate, delivery_rate = EXCLUDED.delivery_rate
WHERE (campaign_metrics_daily.total_reach, campaign_metrics_daily.total_impressions,
       campaign_metrics_daily.total_opens, campaign_metrics_daily.total_clicks,
       campaign_metrics_daily.total_conversions, campaign_metrics_daily.total_opt_outs,
       campaign_metrics_daily.total_sent, campaign_metrics_daily.total_bounces,
       campaign_metrics_daily.total_machine_opens, campaign_metrics_daily.total_engaged,
       campaign_metrics_daily.engagement_rate, campaign_metrics_daily.conversion_rate,
       campaign_metrics_daily.opt_out_rate, campaign_metrics_daily.delivery_rate)
      IS DISTINCT FROM
      (EXCLUDED.total_reach, EXCLUDED.total_impressions, EXCLUDED.total_opens, EXCLUDED.total_clicks,
       EXCLUDED.total_conversions, EXCLUDED.total_opt_outs, EXCLUDED.total_sent, EXCLUDED.total_bounces,
       EXCLUDED.total_machine_opens, EXCLUDED.total_engaged, EXCLUDED.engagement_rate,
       EXCLUDED.conversion_rate, EXCLUDED.opt_out_rate, EXCLUDED.delivery_rate)
"#,
    ),
    (
        "replacing member interactions",
        r#"
WITH gone AS (
    DELETE FROM member_interactions i
    WHERE ($1 OR EXISTS (SELECT 1 FROM stage_keys k WHERE k.campaign_id = i.campaign_id AND k.day = i.interaction_date))
      AND NOT EXISTS (SELECT 1 FROM stage_interactions s
                      WHERE s.campaign_id = i.campaign_id AND s.member_segment = i.member_segment
                        AND s.interaction_date = i.interaction_date AND s.interaction_type = i.interaction_type)
)
INSERT INTO member_interactions (campaign_id, member_segment, interaction_date, interaction_type, count)
SELECT * FROM stage_interactions
ON CONFLICT (campaign_id, member_segment, interaction_date, interaction_type) DO UPDATE SET count = EXCLUDED.count
WHERE member_interactions.count IS DISTINCT FROM EXCLUDED.count
"#,
    ),
    (
        "replacing reach sketches",
        r#"
WITH gone AS (
    DELETE FROM campaign_reach_sketches r
    WHERE ($1 OR EXISTS (SELECT 1 FROM stage_keys k WHERE k.campaign_id = r.campaign_id AND k.day = r.metric_date))
      AND NOT EXISTS (SELECT 1 FROM stage_sketches s WHERE s.campaign_id = r.campaign_id AND s.metric_date = r.metric_date)
)
INSERT INTO campaign_reach_sketches (campaign_id, metric_date, sketch)
SELECT * FROM stage_sketches
ON CONFLICT (campaign_id, metric_date) DO UPDATE SET sketch = EXCLUDED.sketch
WHERE campaign_reach_sketches.sketch IS DISTINCT FROM EXCLUDED.sketch
"#,
    ),
];

/// The earliest and latest day of a set of campaign-days.
pub fn date_span<'a>(keys: impl IntoIterator<Item = &'a CampaignDay>) -> Option<(Date, Date)> {
    keys.into_iter().fold(None, |span, (_, day)| match span {
        None => Some((*day, *day)),
        Some((start, end)) => Some((start.min(*day), end.max(*day))),
    })
}
