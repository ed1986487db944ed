//! The embedded demo database: synthetic events aggregated in memory by the reference
//! implementation into the SQLite version of the dashboard schema. No server is needed.
//! [`ensure`] builds it on first use, and again when another version of the app needs another
//! schema, and says what it did; each binary says it in its own way.

use std::path::{Path, PathBuf};

use outreach_backend::metrics::daily_rate;
use outreach_backend::reach::Sketch;
use outreach_backend::rollup::{self, ReachRollups, campaign_rollups};
use outreach_backend::{Dashboard, DashboardError};
use outreach_model::search_key;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection};
use time::{Date, OffsetDateTime};

use crate::reference;
use crate::synthetic::{self, GenerateOptions};
use crate::zone::ReportingZone;

/// Why the demo database could not be built or read; nothing half-built is left in its place.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Its folder cannot be made.
    #[error(
        "cannot create {folder} for the demo database ({source}): check its permissions, or configure a database_url"
    )]
    Folder {
        /// The folder.
        folder: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Writing or reading it failed.
    #[error("the demo database failed while {context}: {source}")]
    Sqlite {
        /// What was being done.
        context: &'static str,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// The schema could not be created.
    #[error("cannot create the demo database's schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A sketch the builder made does not read back.
    #[error(
        "the demo's reach sketches are inconsistent ({0}); delete the demo database and start again"
    )]
    Sketch(#[from] outreach_backend::reach::CorruptSketch),
    /// The demo there could not be opened (other than for its schema version).
    #[error(transparent)]
    Open(DashboardError),
}

fn sqlite(context: &'static str) -> impl FnOnce(sqlx::Error) -> DemoError {
    move |source| DemoError::Sqlite { context, source }
}

/// What [`ensure`] is about to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoWork {
    /// There is none yet: build it.
    Build,
    /// Another version built it, with schema `found`; this build reads `expected`: build it
    /// again (synthetic data only, nothing of anyone's is lost).
    Rebuild {
        /// The schema version of the file there.
        found: i64,
        /// This build's.
        expected: i64,
    },
}

/// What [`ensure`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoOutcome {
    /// It was there, at this build's schema.
    Ready,
    /// It was built (`work` says why), and holds `summary`.
    Built {
        /// Why.
        work: DemoWork,
        /// What it holds.
        summary: DemoSummary,
    },
}

/// The demo database at `path`, built when there is none or when it has another schema
/// version, as of `today`; `before` hears what is about to be done before the work starts
/// (building takes a few seconds).
pub async fn ensure(
    path: &Path,
    today: Date,
    before: impl FnOnce(DemoWork),
) -> Result<DemoOutcome, DemoError> {
    let work = if !path.is_file() {
        DemoWork::Build
    } else {
        match Dashboard::connect(&path.display().to_string()).await {
            Ok(_) => return Ok(DemoOutcome::Ready),
            Err(DashboardError::WrongSchema { found, expected }) => {
                DemoWork::Rebuild { found, expected }
            }
            Err(err) => return Err(DemoError::Open(err)),
        }
    };
    before(work);
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|source| DemoError::Folder {
            folder: folder.to_path_buf(),
            source,
        })?;
    }
    let summary = build(path, &default_options(today)).await?;
    Ok(DemoOutcome::Built { work, summary })
}

/// The demo's size: a regional plan's quarter-and-a-bit, small enough to build in seconds.
pub fn default_options(today: time::Date) -> GenerateOptions {
    GenerateOptions {
        members: 20_000,
        campaigns: 60,
        days: 180,
        seed: 2026,
        end_date: today,
        as_of: OffsetDateTime::new_utc(today, time::Time::MIDNIGHT) + time::Duration::days(1),
    }
}

/// What the demo database holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSummary {
    /// Campaigns.
    pub campaigns: usize,
    /// Events generated and aggregated.
    pub events: usize,
    /// Rows of campaign_metrics_daily.
    pub campaign_days: usize,
    /// Rows of member_interactions.
    pub interactions: usize,
}

/// Builds the demo database at `path`, replacing any file there only once the new one is
/// complete (it is written beside it and renamed).
pub async fn build(path: &Path, options: &GenerateOptions) -> Result<DemoSummary, DemoError> {
    let world = synthetic::world(options);
    let events = synthetic::all_events(&world, options, None);
    let zone = ReportingZone::utc();
    let aggregates = reference::aggregate(&events, &world.members, &zone);

    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let sqlite = |source| DemoError::Sqlite {
        context: "writing the demo database",
        source,
    };
    let mut conn = SqliteConnectOptions::new()
        .filename(&partial)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true)
        .connect()
        .await
        .map_err(sqlite)?;
    outreach_backend::schema::SQLITE.run(&mut conn).await?;
    let mut tx = conn.begin().await.map_err(sqlite)?;
    for c in &world.campaigns {
        sqlx::query(
            "INSERT INTO campaigns (campaign_id, campaign_name, search_name, campaign_type, start_date, end_date, status, channel, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(c.campaign_id.to_string())
        .bind(&c.campaign_name)
        .bind(search_key(&c.campaign_name))
        .bind(&c.campaign_type)
        .bind(c.start_date.to_string())
        .bind(c.end_date.map(|d| d.to_string()))
        .bind(c.status.as_str())
        .bind(c.channel.as_str())
        .bind(rfc3339(c.updated_at))
        .execute(&mut *tx)
        .await
        .map_err(sqlite)?;
    }
    let daily = aggregates.daily_rows();
    // Each campaign's cumulative reach and weekly and monthly sketches, as the ETL's rollups
    // write them.
    let mut cumulative = std::collections::HashMap::new();
    let mut periods = Vec::new();
    let stored: std::collections::HashMap<(uuid::Uuid, Date), Vec<u8>> = aggregates
        .sketches
        .iter()
        .map(|(key, sketch)| (*key, sketch.to_bytes()))
        .collect();
    for campaign in daily.chunk_by(|a, b| a.campaign_id == b.campaign_id) {
        let id = campaign[0].campaign_id;
        let days: Vec<(Date, Option<&[u8]>)> = campaign
            .iter()
            .map(|row| {
                let day = row.metric_date;
                (day, stored.get(&(id, day)).map(Vec::as_slice))
            })
            .collect();
        let rollups = campaign_rollups(&days)?;
        for (day, since, until) in rollups.cumulative {
            cumulative.insert((id, day), (since, until));
        }
        periods.extend(
            rollups
                .periods
                .into_iter()
                .map(|(period, start, sketch)| (id, period, start, sketch)),
        );
    }
    for row in &daily {
        let c = &row.counts;
        let (since, until) = cumulative
            .get(&(row.campaign_id, row.metric_date))
            .copied()
            .unwrap_or_default();
        sqlx::query(
            "INSERT INTO campaign_metrics_daily (campaign_id, metric_date, total_reach, total_impressions,
                total_opens, total_clicks, total_conversions, total_opt_outs, total_sent, total_bounces,
                total_machine_opens, total_engaged, engagement_rate, conversion_rate, opt_out_rate, delivery_rate,
                reach_since, reach_until)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(row.campaign_id.to_string())
        .bind(row.metric_date.to_string())
        .bind(c.reach)
        .bind(c.impressions)
        .bind(c.opens)
        .bind(c.clicks)
        .bind(c.conversions)
        .bind(c.opt_outs)
        .bind(c.sent)
        .bind(c.bounces)
        .bind(c.machine_opens)
        .bind(c.engaged)
        .bind(daily_rate(c.engagement_rate()))
        .bind(daily_rate(c.conversion_rate()))
        .bind(daily_rate(c.opt_out_rate()))
        .bind(daily_rate(c.delivery_rate()))
        .bind(since)
        .bind(until)
        .execute(&mut *tx)
        .await
        .map_err(sqlite)?;
    }
    for (campaign, period, start, sketch) in &periods {
        insert_campaign_rollup(&mut tx, *campaign, *period, *start, sketch).await?;
    }
    let interactions = aggregates.interaction_rows();
    for row in &interactions {
        sqlx::query(
            "INSERT INTO member_interactions (campaign_id, member_segment, interaction_date, interaction_type, count)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(row.campaign_id.to_string())
        .bind(&row.member_segment)
        .bind(row.interaction_date.to_string())
        .bind(row.interaction_type.as_str())
        .bind(row.count)
        .execute(&mut *tx)
        .await
        .map_err(sqlite)?;
    }
    let kinds: std::collections::HashMap<uuid::Uuid, (&str, outreach_model::Channel)> = world
        .campaigns
        .iter()
        .map(|c| (c.campaign_id, (c.campaign_type.as_str(), c.channel)))
        .collect();
    let mut reach = ReachRollups::default();
    for ((campaign, day), bytes) in &stored {
        sqlx::query("INSERT INTO campaign_reach_sketches (campaign_id, metric_date, sketch) VALUES (?, ?, ?)")
            .bind(campaign.to_string())
            .bind(day.to_string())
            .bind(bytes)
            .execute(&mut *tx)
            .await
            .map_err(sqlite)?;
        if let Some((campaign_type, channel)) = kinds.get(campaign) {
            reach.add(campaign_type, *channel, *day, bytes)?;
        }
    }
    // The rollups, built as the ETL builds them (every day: the demo is one full run).
    for row in reach.into_rows() {
        let insert = match row.campaign_type {
            None => sqlx::query(
                "INSERT INTO reach_rollups (scope, period, period_start, sketch, reach) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(row.scope),
            Some(campaign_type) => sqlx::query(
                "INSERT INTO type_reach_rollups (campaign_type, channel, period, period_start, sketch, reach) VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(campaign_type)
            .bind(row.scope),
        };
        insert
            .bind(row.period.as_str())
            .bind(row.start.to_string())
            .bind(row.sketch.to_bytes())
            .bind(estimate(&row.sketch))
            .execute(&mut *tx)
            .await
            .map_err(sqlite)?;
    }
    let sums = rollup::Grouping::ALL.into_iter().flat_map(|grouping| {
        [
            rollup::channel_sums_sql(grouping, "1 = 1"),
            rollup::segment_sums_sql(grouping, "1 = 1"),
        ]
    });
    for sql in sums.chain([
        rollup::data_spans_sql("1 = 1"),
        "UPDATE dashboard_settings SET rollups_ready = 1".to_owned(),
    ]) {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await
            .map_err(sqlite)?;
    }
    let watermark = events.iter().map(|e| e.loaded_at).max();
    let built_at = OffsetDateTime::now_utc().min(options.as_of);
    let span = daily.iter().fold(None, |span: Option<(Date, Date)>, row| {
        let day = row.metric_date;
        Some(span.map_or((day, day), |(start, end)| (start.min(day), end.max(day))))
    });
    sqlx::query(
        "INSERT INTO etl_runs (started_at, finished_at, status, mode, reporting_time_zone, watermark,
            events_read, duplicate_events, undelivered_events, campaign_days_written, interaction_rows_written,
            affected_start, affected_end, duration_ms)
         VALUES (?, ?, 'succeeded', 'full', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
    )
    // The demo's run is its build: now, not the data's `as_of` (the midnight after its last
    // day, which the status bar would show as a run in the future).
    .bind(rfc3339(built_at))
    .bind(rfc3339(built_at))
    .bind(zone.name())
    .bind(watermark.map(rfc3339))
    .bind(aggregates.quality.events_read)
    .bind(aggregates.quality.duplicate_events)
    .bind(aggregates.quality.undelivered_events)
    .bind(daily.len() as i64)
    .bind(interactions.len() as i64)
    .bind(span.map(|s| s.0.to_string()))
    .bind(span.map(|s| s.1.to_string()))
    .execute(&mut *tx)
    .await
    .map_err(sqlite)?;
    tx.commit().await.map_err(sqlite)?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .map_err(sqlite)?;
    conn.close().await.map_err(sqlite)?;
    for suffix in ["partial-wal", "partial-shm"] {
        let _ = std::fs::remove_file(path.with_extension(suffix));
    }
    std::fs::rename(&partial, path).map_err(|err| DemoError::Sqlite {
        context: "moving the finished demo database into place",
        source: sqlx::Error::Io(err),
    })?;
    Ok(DemoSummary {
        campaigns: world.campaigns.len(),
        events: events.len(),
        campaign_days: daily.len(),
        interactions: interactions.len(),
    })
}

/// A sketch's stored estimate (the `reach` of the reach rollups).
fn estimate(sketch: &Sketch) -> i64 {
    i64::try_from(sketch.count()).unwrap_or(i64::MAX)
}

/// One row of `campaign_reach_rollups`.
async fn insert_campaign_rollup(
    tx: &mut sqlx::SqliteConnection,
    campaign: uuid::Uuid,
    period: outreach_model::Interval,
    start: Date,
    sketch: &Sketch,
) -> Result<(), DemoError> {
    sqlx::query(
        "INSERT INTO campaign_reach_rollups (period, period_start, campaign_id, sketch, reach) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(period.as_str())
    .bind(start.to_string())
    .bind(campaign.to_string())
    .bind(sketch.to_bytes())
    .bind(estimate(sketch))
    .execute(&mut *tx)
    .await
    .map_err(sqlite("writing the campaigns' reach rollups"))?;
    Ok(())
}

fn rfc3339(instant: OffsetDateTime) -> String {
    instant
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A plain-text account of what a demo (or any SQLite dashboard) database holds.
pub async fn describe(path: &Path) -> Result<String, DemoError> {
    use sqlx::Row;
    use std::fmt::Write as _;

    let sqlite = |source| DemoError::Sqlite {
        context: "reading the demo database",
        source,
    };
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .map_err(sqlite)?;
    let mut out = String::new();
    let statuses =
        sqlx::query("SELECT status, count(*) FROM campaigns GROUP BY status ORDER BY status")
            .fetch_all(&mut conn)
            .await
            .map_err(sqlite)?;
    let statuses: Vec<String> = statuses
        .iter()
        .map(|r| format!("{} {}", r.get::<i64, _>(1), r.get::<String, _>(0)))
        .collect();
    let _ = writeln!(out, "campaigns: {}", statuses.join(", "));
    let span = sqlx::query("SELECT min(metric_date), max(metric_date) FROM campaign_metrics_daily")
        .fetch_one(&mut conn)
        .await
        .map_err(sqlite)?;
    let _ = writeln!(
        out,
        "days: {} to {} (reporting time zone UTC)",
        span.get::<Option<String>, _>(0).unwrap_or_default(),
        span.get::<Option<String>, _>(1).unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "{:<8} {:>12} {:>10} {:>11} {:>11} {:>10}",
        "channel", "impressions", "engaged", "engagement", "conversion", "opt-out"
    );
    let rows = sqlx::query(
        "SELECT c.channel, sum(d.total_impressions), sum(d.total_engaged), sum(d.total_conversions),
                sum(d.total_opt_outs), sum(d.total_sent)
         FROM campaign_metrics_daily d JOIN campaigns c USING (campaign_id)
         GROUP BY c.channel ORDER BY c.channel",
    )
    .fetch_all(&mut conn)
    .await
    .map_err(sqlite)?;
    let percent = |rate: Option<f64>| rate.map_or("-".to_owned(), |r| format!("{:.2}%", r * 100.0));
    for row in rows {
        let counts = outreach_backend::metrics::Counts {
            impressions: row.get(1),
            engaged: row.get(2),
            conversions: row.get(3),
            opt_outs: row.get(4),
            sent: row.get(5),
            ..Default::default()
        };
        let _ = writeln!(
            out,
            "{:<8} {:>12} {:>10} {:>11} {:>11} {:>10}",
            row.get::<String, _>(0),
            counts.impressions,
            counts.engaged,
            percent(counts.engagement_rate()),
            percent(counts.conversion_rate()),
            percent(counts.opt_out_rate())
        );
    }
    Ok(out)
}
