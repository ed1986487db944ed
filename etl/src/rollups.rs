//! Keeps the rollups (docs/dashboard-database.md, "Rollups") equal to what they roll up: after
//! the facts of some days are written, the sums of those days and the reach sketches of the
//! days, weeks and months that hold them are rebuilt from the stored facts, and so are the
//! cumulative reach and the weekly and monthly sketches of each campaign written, in the same
//! transaction.

use std::collections::BTreeSet;

use futures_util::TryStreamExt as _;
use outreach_backend::rollup::{self, Grouping, ReachRollups};
use outreach_model::{Channel, Interval};
use sqlx::{PgConnection, Row};
use time::Date;
use uuid::Uuid;

use crate::EtlError;
use crate::copy::CopyRows;

/// Rebuilds every rollup in a transaction of its own, holding the run lock (so no ETL run
/// writes meanwhile).
pub async fn rebuild_all(dashboard: &mut PgConnection) -> Result<(), EtlError> {
    use sqlx::Connection as _;
    let mut tx = dashboard
        .begin()
        .await
        .map_err(EtlError::dashboard("starting the rebuild"))?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(crate::RUN_LOCK)
        .fetch_one(&mut *tx)
        .await
        .map_err(EtlError::dashboard("taking the run lock"))?;
    if !locked {
        return Err(EtlError::Busy);
    }
    rebuild(&mut tx, None, None).await?;
    tx.commit()
        .await
        .map_err(EtlError::dashboard("committing the rebuilt rollups"))
}

/// Rebuilds the rollups of `days` and of the campaigns written, `campaigns`, or all of them
/// when `days` is `None`, and marks them ready.
pub async fn rebuild(
    tx: &mut PgConnection,
    days: Option<&BTreeSet<Date>>,
    campaigns: Option<&BTreeSet<Uuid>>,
) -> Result<(), EtlError> {
    // A database migrated to rollups but not yet rebuilt gets every rollup now.
    let ready: bool = sqlx::query_scalar("SELECT rollups_ready FROM dashboard_settings")
        .fetch_one(&mut *tx)
        .await
        .map_err(EtlError::dashboard("reading whether the rollups are built"))?;
    let days = days.filter(|_| ready);
    if days.is_some_and(BTreeSet::is_empty) {
        return Ok(());
    }
    // The sums group millions of rows on a full rebuild: in memory, not in spilled batches.
    sqlx::raw_sql("SET LOCAL work_mem = '256MB'")
        .execute(&mut *tx)
        .await
        .map_err(EtlError::dashboard("setting work_mem"))?;
    let listed: Vec<Date> = days
        .map(|d| d.iter().copied().collect())
        .unwrap_or_default();
    let every_day = days.is_none();

    for grouping in Grouping::ALL {
        let table = grouping.table("channel_metrics_daily");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE $1 OR metric_date = ANY($2)"
        )))
        .bind(every_day)
        .bind(&listed)
        .execute(&mut *tx)
        .await
        .map_err(EtlError::dashboard("emptying channel sums"))?;
        sqlx::query(sqlx::AssertSqlSafe(rollup::channel_sums_sql(
            grouping,
            "($1 OR d.metric_date = ANY($2))",
        )))
        .bind(every_day)
        .bind(&listed)
        .execute(&mut *tx)
        .await
        .map_err(EtlError::dashboard("summing days per channel"))?;
        let table = grouping.table("segment_metrics_daily");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE $1 OR metric_date = ANY($2)"
        )))
        .bind(every_day)
        .bind(&listed)
        .execute(&mut *tx)
        .await
        .map_err(EtlError::dashboard("emptying segment sums"))?;
        // Every day's segment sums go in faster without their indexes, built again after.
        let dropped = match every_day {
            true => crate::copy::drop_indexes(tx, &table).await?,
            false => None,
        };
        sqlx::query(sqlx::AssertSqlSafe(rollup::segment_sums_sql(
            grouping,
            "($1 OR i.interaction_date = ANY($2))",
        )))
        .bind(every_day)
        .bind(&listed)
        .execute(&mut *tx)
        .await
        .map_err(EtlError::dashboard("summing days per segment"))?;
        if let Some(dropped) = dropped {
            dropped.rebuild(tx).await?;
        }
    }

    // Reach: every day of the weeks and months that hold a day written.
    let widened = rollup::whole_periods(listed.iter().copied());
    let mut reach = ReachRollups::default();
    {
        let mut rows = sqlx::query(
            "SELECT c.campaign_type, c.channel, s.metric_date, s.sketch
             FROM campaign_reach_sketches s JOIN campaigns c USING (campaign_id)
             WHERE $1 OR s.metric_date = ANY($2)",
        )
        .bind(every_day)
        .bind(&widened)
        .fetch(&mut *tx);
        while let Some(row) = rows.try_next().await.map_err(EtlError::dashboard(
            "reading campaign sketches for the rollups",
        ))? {
            let read = || -> Result<(String, Channel, Date, Vec<u8>), sqlx::Error> {
                let channel: String = row.try_get(1)?;
                let channel = channel
                    .parse()
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
                Ok((row.try_get(0)?, channel, row.try_get(2)?, row.try_get(3)?))
            };
            let (campaign_type, channel, day, bytes) =
                read().map_err(EtlError::dashboard("reading campaign sketches"))?;
            reach
                .add(&campaign_type, channel, day, &bytes)
                .map_err(|err| EtlError::Dashboard {
                    context: "reading campaign sketches",
                    source: sqlx::Error::Decode(Box::new(err)),
                })?;
        }
    }
    // The periods rebuilt: each day written, and the week and month holding it. (The other
    // periods of the widened days may be partial and are left alone.)
    let weeks: BTreeSet<Date> = listed
        .iter()
        .map(|d| rollup::period_start(Interval::Week, *d))
        .collect();
    let months: BTreeSet<Date> = listed
        .iter()
        .map(|d| rollup::period_start(Interval::Month, *d))
        .collect();
    let rebuilt = |period: Interval, start: &Date| {
        every_day
            || match period {
                Interval::Day => days.is_some_and(|d| d.contains(start)),
                Interval::Week => weeks.contains(start),
                Interval::Month => months.contains(start),
            }
    };
    let mut whole = CopyRows::default();
    let mut per_type = CopyRows::default();
    for row in reach.into_rows() {
        if !rebuilt(row.period, &row.start) {
            continue;
        }
        let copy = match &row.campaign_type {
            None => &mut whole,
            Some(campaign_type) => per_type.text(campaign_type),
        };
        copy.plain(row.scope)
            .plain(row.period)
            .plain(row.start)
            .bytes(&row.sketch.to_bytes())
            .plain(row.sketch.count());
        copy.end_row();
    }
    for (grouping, copy, columns) in [
        (Grouping::Whole, whole, "scope"),
        (Grouping::PerType, per_type, "campaign_type, channel"),
    ] {
        let table = grouping.table("reach_rollups");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table}
             WHERE $1 OR (period = 'day' AND period_start = ANY($2))
                OR (period = 'week' AND period_start = ANY($3))
                OR (period = 'month' AND period_start = ANY($4))"
        )))
        .bind(every_day)
        .bind(&listed)
        .bind(weeks.iter().copied().collect::<Vec<_>>())
        .bind(months.iter().copied().collect::<Vec<_>>())
        .execute(&mut *tx)
        .await
        .map_err(EtlError::dashboard("emptying reach rollups"))?;
        copy.copy_into(
            tx,
            &format!("COPY {table} ({columns}, period, period_start, sketch, reach) FROM STDIN"),
        )
        .await
        .map_err(EtlError::dashboard("writing reach rollups"))?;
    }
    crate::campaign_rollups::rebuild(tx, campaigns.filter(|_| !every_day)).await?;
    sqlx::query("UPDATE dashboard_settings SET rollups_ready = true WHERE NOT rollups_ready")
        .execute(&mut *tx)
        .await
        .map_err(EtlError::dashboard("marking the rollups ready"))?;
    Ok(())
}
