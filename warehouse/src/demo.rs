//! The embedded demo database: synthetic events aggregated in memory by the reference
//! implementation into the SQLite version of the dashboard schema. No server is needed.

use std::path::Path;

use outreach_backend::metrics::daily_rate;
use outreach_backend::rollup::{self, ReachRollups};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection};
use time::OffsetDateTime;

use crate::EtlError;
use crate::generate::{self, GenerateOptions};
use crate::reference;
use crate::zone::ReportingZone;

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
#[derive(Debug, Clone, Copy)]
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
pub async fn build(path: &Path, options: &GenerateOptions) -> Result<DemoSummary, EtlError> {
    let world = generate::world(options);
    let events = generate::all_events(&world, options, None);
    let zone = ReportingZone::utc();
    let aggregates = reference::aggregate(&events, &world.members, &zone);

    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let sqlite = |source| EtlError::Dashboard {
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
            "INSERT INTO campaigns (campaign_id, campaign_name, campaign_type, start_date, end_date, status, channel, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(c.campaign_id.to_string())
        .bind(&c.campaign_name)
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
    for row in &daily {
        let c = &row.counts;
        sqlx::query(
            "INSERT INTO campaign_metrics_daily (campaign_id, metric_date, total_reach, total_impressions,
                total_opens, total_clicks, total_conversions, total_opt_outs, total_sent, total_bounces,
                total_machine_opens, total_engaged, engagement_rate, conversion_rate, opt_out_rate, delivery_rate)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        .execute(&mut *tx)
        .await
        .map_err(sqlite)?;
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
    let channels: std::collections::HashMap<uuid::Uuid, outreach_model::Channel> = world
        .campaigns
        .iter()
        .map(|c| (c.campaign_id, c.channel))
        .collect();
    let mut reach = ReachRollups::default();
    for ((campaign, day), sketch) in &aggregates.sketches {
        let bytes = sketch.to_bytes();
        sqlx::query("INSERT INTO campaign_reach_sketches (campaign_id, metric_date, sketch) VALUES (?, ?, ?)")
            .bind(campaign.to_string())
            .bind(day.to_string())
            .bind(&bytes)
            .execute(&mut *tx)
            .await
            .map_err(sqlite)?;
        if let Some(channel) = channels.get(campaign) {
            reach
                .add(*channel, *day, &bytes)
                .map_err(|err| sqlite(sqlx::Error::Decode(Box::new(err))))?;
        }
    }
    // The rollups, built as the ETL builds them (every day: the demo is one full run).
    for (scope, period, start, sketch) in reach.into_rows() {
        sqlx::query(
            "INSERT INTO reach_rollups (scope, period, period_start, sketch) VALUES (?, ?, ?, ?)",
        )
        .bind(scope)
        .bind(period.as_str())
        .bind(start.to_string())
        .bind(sketch.to_bytes())
        .execute(&mut *tx)
        .await
        .map_err(sqlite)?;
    }
    for sql in [
        rollup::channel_sums_sql("1 = 1"),
        rollup::segment_sums_sql("1 = 1"),
        "UPDATE dashboard_settings SET rollups_ready = 1".to_owned(),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await
            .map_err(sqlite)?;
    }
    let watermark = events.iter().map(|e| e.loaded_at).max();
    let built_at = OffsetDateTime::now_utc().min(options.as_of);
    let span = crate::load::date_span(
        aggregates
            .daily_rows()
            .iter()
            .map(|r| (r.campaign_id, r.metric_date))
            .collect::<Vec<_>>()
            .iter(),
    );
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
    std::fs::rename(&partial, path).map_err(|err| EtlError::Dashboard {
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

fn rfc3339(instant: OffsetDateTime) -> String {
    instant
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A plain-text account of what a demo (or any SQLite dashboard) database holds.
pub async fn describe(path: &Path) -> Result<String, EtlError> {
    use sqlx::Row;
    use std::fmt::Write as _;

    let sqlite = |source| EtlError::Dashboard {
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
