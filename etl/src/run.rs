//! One ETL run: check the warehouse, aggregate in it, load the dashboard database in one
//! transaction, record the run and notify listeners.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use sqlx::{Connection, PgConnection, Row};
use time::{Date, OffsetDateTime};

use outreach_warehouse::aggregates::CampaignDay;
use outreach_warehouse::zone::{ReportingZone, UnknownZone};

use crate::progress::Progress;
use crate::pushdown::{self, Scope};
use crate::{EtlError, RUN_LOCK, contract, load, rollups};

/// Channel that open apps LISTEN on.
pub const NOTIFY_CHANNEL: &str = "dashboard_updated";

/// How a run is asked for.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Rebuild everything instead of the campaign-days that changed.
    pub full: bool,
    /// The reporting time zone; none keeps the dashboard database's (UTC when new).
    pub zone: Option<ReportingZone>,
    /// Events loaded up to this long before the last watermark are read again, so that rows
    /// committed late with an earlier loaded_at, or sharing the boundary instant, are not lost.
    pub overlap: Duration,
    /// Connections that aggregate in the warehouse at once, each over a part of the members.
    pub parallelism: u16,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            full: false,
            zone: None,
            overlap: Duration::from_secs(3600),
            parallelism: 2,
        }
    }
}

/// What a committed run did.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// Row of `etl_runs`.
    pub run_id: i64,
    /// Full or incremental.
    pub full: bool,
    /// The reporting time zone used.
    pub zone: String,
    /// Event rows read in the window.
    pub events_read: i64,
    /// Copies of an event counted once.
    pub duplicate_events: i64,
    /// Events of undelivered messages, counted in no metric.
    pub undelivered_events: i64,
    /// Campaign-days recomputed.
    pub campaign_days: usize,
    /// Interaction rows written for them.
    pub interactions: usize,
    /// First and last day recomputed.
    pub affected: Option<(Date, Date)>,
    /// Wall time.
    pub duration: Duration,
}

struct LastRun {
    watermark: Option<OffsetDateTime>,
    zone: String,
}

/// Runs the ETL from `warehouse_url` into `dashboard_url`.
pub async fn run(
    warehouse_url: &str,
    dashboard_url: &str,
    options: &RunOptions,
    progress: &dyn Progress,
) -> Result<RunReport, EtlError> {
    let started = Instant::now();
    progress.length(6);
    progress.stage("connecting");
    let mut dashboard = crate::connect("dashboard", dashboard_url).await?;
    let mut warehouse = crate::connect("warehouse", warehouse_url).await?;

    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(RUN_LOCK)
        .fetch_one(&mut dashboard)
        .await
        .map_err(EtlError::dashboard("taking the run lock"))?;
    if !locked {
        return Err(EtlError::Busy);
    }
    crate::schema::migrate(&mut dashboard).await?;
    progress.advance(1);

    // Runs left 'running' were killed: nothing of theirs was committed.
    sqlx::query("UPDATE etl_runs SET status = 'interrupted' WHERE status = 'running'")
        .execute(&mut dashboard)
        .await
        .map_err(EtlError::dashboard("closing interrupted runs"))?;
    let last = last_run(&mut dashboard).await?;
    let stored_zone: String =
        sqlx::query_scalar("SELECT reporting_time_zone FROM dashboard_settings")
            .fetch_one(&mut dashboard)
            .await
            .map_err(EtlError::dashboard("reading the reporting time zone"))?;
    let zone = match &options.zone {
        Some(zone) => zone.clone(),
        None => ReportingZone::new(&stored_zone)?,
    };
    let zone_changed = last.as_ref().is_some_and(|last| last.zone != zone.name());
    if zone_changed {
        tracing::info!(from = %stored_zone, to = zone.name(), "the reporting time zone changed: every day is rebuilt");
    }
    let since = match &last {
        Some(LastRun {
            watermark: Some(watermark),
            ..
        }) if !options.full && !zone_changed => Some(*watermark - options.overlap),
        _ => None,
    };

    let run_id: i64 = sqlx::query_scalar(
        "INSERT INTO etl_runs (started_at, status, mode, reporting_time_zone, watermark_from)
         VALUES (now(), 'running', $1, $2, $3) RETURNING run_id",
    )
    .bind(if since.is_some() {
        "incremental"
    } else {
        "full"
    })
    .bind(zone.name())
    .bind(since)
    .fetch_one(&mut dashboard)
    .await
    .map_err(EtlError::dashboard("recording the run"))?;

    let result = extract_and_load(
        Source {
            conn: &mut warehouse,
            url: warehouse_url,
            parallelism: options.parallelism.max(1),
        },
        &mut dashboard,
        &zone,
        since,
        last.and_then(|l| l.watermark),
        run_id,
        progress,
    )
    .await;
    let duration = started.elapsed();
    match result {
        Ok(mut report) => {
            report.duration = duration;
            sqlx::query("UPDATE etl_runs SET duration_ms = $2 WHERE run_id = $1")
                .bind(run_id)
                .bind(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX))
                .execute(&mut dashboard)
                .await
                .map_err(EtlError::dashboard("recording the run's duration"))?;
            progress.finished(true);
            Ok(report)
        }
        Err(err) => {
            let _ = sqlx::query(
                "UPDATE etl_runs SET status = 'failed', finished_at = now(), duration_ms = $2, error = $3 WHERE run_id = $1",
            )
            .bind(run_id)
            .bind(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX))
            .bind(err.to_string())
            .execute(&mut dashboard)
            .await;
            progress.finished(false);
            Err(err)
        }
    }
}

async fn last_run(dashboard: &mut PgConnection) -> Result<Option<LastRun>, EtlError> {
    let row = sqlx::query(
        "SELECT watermark, reporting_time_zone FROM etl_runs
         WHERE status = 'succeeded' ORDER BY run_id DESC LIMIT 1",
    )
    .fetch_optional(&mut *dashboard)
    .await
    .map_err(EtlError::dashboard("reading the last run"))?;
    row.map(|row| {
        Ok(LastRun {
            watermark: row.try_get(0)?,
            zone: row.try_get(1)?,
        })
    })
    .transpose()
    .map_err(EtlError::dashboard("reading the last run"))
}

/// Where the run reads from.
struct Source<'a> {
    conn: &'a mut PgConnection,
    url: &'a str,
    parallelism: u16,
}

async fn extract_and_load(
    Source {
        conn: warehouse,
        url: warehouse_url,
        parallelism,
    }: Source<'_>,
    dashboard: &mut PgConnection,
    zone: &ReportingZone,
    since: Option<OffsetDateTime>,
    previous_watermark: Option<OffsetDateTime>,
    run_id: i64,
    progress: &dyn Progress,
) -> Result<RunReport, EtlError> {
    // One snapshot of the warehouse for every read of the run.
    let mut source = warehouse
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(EtlError::warehouse("starting a read-only transaction"))?;
    pushdown::configure(&mut source, zone).await?;
    let zone_known: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)")
            .bind(zone.name())
            .fetch_one(&mut *source)
            .await
            .map_err(EtlError::warehouse("checking the time zone"))?;
    if !zone_known {
        return Err(EtlError::Zone(UnknownZone(zone.name().to_owned())));
    }

    progress.stage("checking the warehouse");
    let stage = Instant::now();
    contract::check_tables(&mut source).await?;
    contract::check_members(&mut source).await?;
    let campaigns = contract::read_campaigns(&mut source).await?;
    let campaign_ids: Vec<uuid::Uuid> = campaigns.iter().map(|c| c.campaign_id).collect();
    let window = contract::check_events(&mut source, since, &campaign_ids).await?;
    progress.advance(1);

    let mut scope = match since {
        None => Scope::Full,
        Some(since) => Scope::Keys(pushdown::affected_keys(&mut source, zone, since).await?),
    };
    if matches!(scope, Scope::Keys(_)) && campaigns_moved(dashboard, &campaigns).await? {
        tracing::info!("a campaign changed channel or left the warehouse: every day is rebuilt");
        scope = Scope::Full;
    }
    let full = matches!(scope, Scope::Full);
    tracing::info!(
        duration_ms = stage.elapsed().as_millis() as u64,
        "checked the warehouse"
    );
    let stage = Instant::now();
    progress.stage("aggregating in the warehouse");
    let aggregates = match &scope {
        Scope::Keys(keys) if keys.is_empty() => Default::default(),
        _ => aggregate_in_parts(&mut source, warehouse_url, zone, &scope, parallelism).await?,
    };
    progress.advance(1);

    tracing::info!(
        duration_ms = stage.elapsed().as_millis() as u64,
        cells = aggregates.cells.len(),
        "aggregated in the warehouse"
    );
    let stage = Instant::now();
    progress.stage("loading the dashboard database");
    let mut tx = dashboard
        .begin()
        .await
        .map_err(EtlError::dashboard("starting the load transaction"))?;
    // A full read's repeated events are counted in the warehouse while the dashboard database
    // loads (the two are different servers, each with its own work).
    let load = async {
        load::create_staging(&mut tx).await?;
        load::campaigns(&mut tx, &campaigns).await?;
        let written = load::metrics(&mut tx, &aggregates, &scope).await?;
        rollups::rebuild(&mut tx, written.days.as_ref(), written.campaigns.as_ref()).await?;
        Ok(written)
    };
    let repeats = async {
        match since {
            None => contract::duplicate_events(&mut source, None).await,
            Some(_) => Ok(window.duplicate_events),
        }
    };
    let (written, duplicate_events) = futures_util::future::try_join(load, repeats).await?;
    source
        .commit()
        .await
        .map_err(EtlError::warehouse("ending the read-only transaction"))?;
    progress.advance(1);

    let affected: BTreeSet<CampaignDay> = match &scope {
        Scope::Full => aggregates.campaign_days(),
        Scope::Keys(keys) => keys.clone(),
    };
    let span = load::date_span(&affected);
    let watermark = match (window.latest_loaded_at, previous_watermark) {
        (Some(latest), Some(previous)) if !full || since.is_some() => Some(latest.max(previous)),
        (latest, previous) => latest.or(previous),
    };
    sqlx::query("UPDATE dashboard_settings SET reporting_time_zone = $1")
        .bind(zone.name())
        .execute(&mut *tx)
        .await
        .map_err(EtlError::dashboard("recording the reporting time zone"))?;
    sqlx::query(
        "UPDATE etl_runs SET status = 'succeeded', finished_at = now(), mode = $2, watermark = $3,
             events_read = $4, duplicate_events = $5, undelivered_events = $6,
             campaign_days_written = $7, interaction_rows_written = $8,
             affected_start = $9, affected_end = $10
         WHERE run_id = $1",
    )
    .bind(run_id)
    .bind(if full { "full" } else { "incremental" })
    .bind(watermark)
    .bind(window.events_read)
    .bind(duplicate_events)
    .bind(aggregates.quality.undelivered_events)
    .bind(i32::try_from(written.campaign_days).unwrap_or(i32::MAX))
    .bind(i32::try_from(written.interactions).unwrap_or(i32::MAX))
    .bind(span.map(|s| s.0))
    .bind(span.map(|s| s.1))
    .execute(&mut *tx)
    .await
    .map_err(EtlError::dashboard("recording the run"))?;
    let payload = serde_json::json!({
        "run_id": run_id,
        "affected_start": span.map(|s| s.0.to_string()),
        "affected_end": span.map(|s| s.1.to_string()),
    });
    // Delivered to listeners when, and only if, the transaction commits.
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(NOTIFY_CHANNEL)
        .bind(payload.to_string())
        .execute(&mut *tx)
        .await
        .map_err(EtlError::dashboard("notifying listeners"))?;
    tx.commit()
        .await
        .map_err(EtlError::dashboard("committing the load"))?;
    tracing::info!(
        duration_ms = stage.elapsed().as_millis() as u64,
        "loaded the dashboard database"
    );
    progress.advance(1);

    Ok(RunReport {
        run_id,
        full,
        zone: zone.name().to_owned(),
        events_read: window.events_read,
        duplicate_events,
        undelivered_events: aggregates.quality.undelivered_events,
        campaign_days: written.campaign_days,
        interactions: written.interactions,
        affected: span,
        duration: Duration::ZERO,
    })
}

/// Runs the aggregation in `parallelism` parts, the first on `source`, the others on connections
/// of their own that import its snapshot, so all parts see the same warehouse.
async fn aggregate_in_parts(
    source: &mut PgConnection,
    url: &str,
    zone: &ReportingZone,
    scope: &Scope,
    parallelism: u16,
) -> Result<outreach_warehouse::aggregates::Aggregates, EtlError> {
    let ranges = pushdown::member_ranges(source, parallelism).await?;
    if ranges.len() == 1 {
        return pushdown::aggregate(source, zone, scope, &ranges[0]).await;
    }
    let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
        .fetch_one(&mut *source)
        .await
        .map_err(EtlError::warehouse("exporting the snapshot"))?;
    // A snapshot id is hex digits and dashes; SET TRANSACTION SNAPSHOT takes no parameters.
    if !snapshot.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(EtlError::Contract(format!(
            "the warehouse returned an odd snapshot id {snapshot:?}"
        )));
    }
    let mut helpers = Vec::new();
    for _ in 1..ranges.len() {
        let mut conn = crate::connect("warehouse", url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{snapshot}'"
        )))
        .execute(&mut conn)
        .await
        .map_err(EtlError::warehouse("sharing the snapshot"))?;
        pushdown::configure(&mut conn, zone).await?;
        helpers.push(conn);
    }
    let first = pushdown::aggregate(source, zone, scope, &ranges[0]);
    let others = futures_util::future::try_join_all(
        helpers
            .iter_mut()
            .zip(&ranges[1..])
            .map(|(conn, range)| pushdown::aggregate(conn, zone, scope, range)),
    );
    let (mut total, others) = futures_util::future::try_join(first, others).await?;
    for part in others {
        total.add(part);
    }
    for mut conn in helpers {
        let _ = sqlx::raw_sql("COMMIT").execute(&mut conn).await;
    }
    Ok(total)
}

/// Whether a campaign the dashboard holds changed channel or is gone from the warehouse (its
/// days then need rebuilding, and its channel's rollups with them).
async fn campaigns_moved(
    dashboard: &mut PgConnection,
    campaigns: &[outreach_warehouse::source::Campaign],
) -> Result<bool, EtlError> {
    let rows = sqlx::query("SELECT campaign_id, channel FROM campaigns")
        .fetch_all(&mut *dashboard)
        .await
        .map_err(EtlError::dashboard("reading campaigns"))?;
    let current: std::collections::HashMap<uuid::Uuid, &str> = campaigns
        .iter()
        .map(|c| (c.campaign_id, c.channel.as_str()))
        .collect();
    for row in rows {
        let id: uuid::Uuid = row
            .try_get(0)
            .map_err(EtlError::dashboard("reading campaigns"))?;
        let channel: String = row
            .try_get(1)
            .map_err(EtlError::dashboard("reading campaigns"))?;
        if current.get(&id) != Some(&channel.as_str()) {
            return Ok(true);
        }
    }
    Ok(false)
}
