//! Each campaign's own rollups (docs/dashboard-database.md, "Rollups"): its cumulative reach on
//! every day (`campaign_metrics_daily.reach_since` and `reach_until`) and its sketches per ISO
//! week and calendar month (`campaign_reach_rollups`), rebuilt from all of a campaign's stored
//! days whenever one of them is written, with its first and last day with data
//! (`campaigns.first_data_date`, `last_data_date`). Campaigns are read and written a few dozen
//! at a time, so a rebuild of every campaign holds a few campaigns' sketches, not all of them.

use std::collections::BTreeSet;

use outreach_backend::rollup::campaign_rollups;
use sqlx::{PgConnection, Row};
use time::Date;
use uuid::Uuid;

use crate::EtlError;
use crate::copy::CopyRows;

/// Campaigns read at a time.
const CAMPAIGNS_AT_A_TIME: usize = 50;

const STAGE: &str = "CREATE TEMP TABLE IF NOT EXISTS stage_cumulative (
        campaign_id uuid, metric_date date, reach_since bigint, reach_until bigint
    ) ON COMMIT DROP;
    TRUNCATE stage_cumulative";

/// Rebuilds the rollups of `campaigns`, or of every campaign when `None`.
pub async fn rebuild(
    tx: &mut PgConnection,
    campaigns: Option<&BTreeSet<Uuid>>,
) -> Result<(), EtlError> {
    let ids: Vec<Uuid> = match campaigns {
        Some(campaigns) => campaigns.iter().copied().collect(),
        None => sqlx::query_scalar("SELECT campaign_id FROM campaigns ORDER BY campaign_id")
            .fetch_all(&mut *tx)
            .await
            .map_err(EtlError::dashboard("listing the campaigns to roll up"))?,
    };
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query("DELETE FROM campaign_reach_rollups WHERE $1 OR campaign_id = ANY($2)")
        .bind(campaigns.is_none())
        .bind(&ids)
        .execute(&mut *tx)
        .await
        .map_err(EtlError::dashboard("emptying the campaigns' reach rollups"))?;
    sqlx::raw_sql(STAGE)
        .execute(&mut *tx)
        .await
        .map_err(EtlError::dashboard(
            "staging the campaigns' cumulative reach",
        ))?;
    for chunk in ids.chunks(CAMPAIGNS_AT_A_TIME) {
        let rows = sqlx::query(
            "SELECT d.campaign_id, d.metric_date, s.sketch
             FROM campaign_metrics_daily d
             LEFT JOIN campaign_reach_sketches s USING (campaign_id, metric_date)
             WHERE d.campaign_id = ANY($1)
             ORDER BY d.campaign_id, d.metric_date",
        )
        .bind(chunk)
        .fetch_all(&mut *tx)
        .await
        .map_err(EtlError::dashboard("reading the campaigns' sketches"))?;
        let read =
            |row: &sqlx::postgres::PgRow| -> Result<(Uuid, Date, Option<Vec<u8>>), EtlError> {
                Ok((
                    row.try_get(0)
                        .map_err(EtlError::dashboard("reading the campaigns' sketches"))?,
                    row.try_get(1)
                        .map_err(EtlError::dashboard("reading the campaigns' sketches"))?,
                    row.try_get(2)
                        .map_err(EtlError::dashboard("reading the campaigns' sketches"))?,
                ))
            };
        let days: Vec<(Uuid, Date, Option<Vec<u8>>)> =
            rows.iter().map(read).collect::<Result<_, _>>()?;
        let mut cumulative = CopyRows::default();
        let mut periods = CopyRows::default();
        for campaign in days.chunk_by(|a, b| a.0 == b.0) {
            let id = campaign[0].0;
            let of_campaign: Vec<(Date, Option<&[u8]>)> = campaign
                .iter()
                .map(|(_, day, sketch)| (*day, sketch.as_deref()))
                .collect();
            let rollups = campaign_rollups(&of_campaign).map_err(|err| EtlError::Dashboard {
                context: "reading the campaigns' sketches",
                source: sqlx::Error::Decode(Box::new(err)),
            })?;
            for (day, since, until) in rollups.cumulative {
                cumulative.plain(id).plain(day).plain(since).plain(until);
                cumulative.end_row();
            }
            for (period, start, sketch) in rollups.periods {
                periods
                    .plain(period)
                    .plain(start)
                    .plain(id)
                    .bytes(&sketch.to_bytes())
                    .plain(sketch.count());
                periods.end_row();
            }
        }
        cumulative
            .copy_into(tx, "COPY stage_cumulative FROM STDIN")
            .await
            .map_err(EtlError::dashboard(
                "staging the campaigns' cumulative reach",
            ))?;
        periods
            .copy_into(
                tx,
                "COPY campaign_reach_rollups (period, period_start, campaign_id, sketch, reach) FROM STDIN",
            )
            .await
            .map_err(EtlError::dashboard("writing the campaigns' reach rollups"))?;
    }
    sqlx::raw_sql(
        "ANALYZE stage_cumulative;
         UPDATE campaign_metrics_daily d
         SET reach_since = s.reach_since, reach_until = s.reach_until
         FROM stage_cumulative s
         WHERE d.campaign_id = s.campaign_id AND d.metric_date = s.metric_date
           AND (d.reach_since, d.reach_until) IS DISTINCT FROM (s.reach_since, s.reach_until)",
    )
    .execute(&mut *tx)
    .await
    .map_err(EtlError::dashboard(
        "writing the campaigns' cumulative reach",
    ))?;
    sqlx::query(sqlx::AssertSqlSafe(
        outreach_backend::rollup::data_spans_sql("campaigns.campaign_id = ANY($1)"),
    ))
    .bind(&ids)
    .execute(&mut *tx)
    .await
    .map_err(EtlError::dashboard("writing the campaigns' days with data"))?;
    Ok(())
}
