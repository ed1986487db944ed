//! Incremental runs, reruns, killed runs, late and repeated events, machine opens, opt-outs.

use std::time::Duration;

use outreach_etl::generate::{self, Mode};
use outreach_testkit::TestDb;
use sqlx::{Connection, Executor, Row};
use time::macros::datetime;
use uuid::Uuid;

use crate::helpers::*;

#[tokio::test]
async fn a_rerun_gives_identical_tables() {
    let warehouse = warehouse(&options(2_000, 16, 60, 21)).await;
    let dashboard = TestDb::new("dashboard").await;
    etl(&warehouse, &dashboard, false, None).await;
    let mut db = dashboard.connect().await;
    let first = checksums(&mut db, true).await;
    let incremental = etl(&warehouse, &dashboard, false, None).await;
    assert!(!incremental.full);
    assert_eq!(
        checksums(&mut db, true).await,
        first,
        "incremental rerun with nothing new"
    );
    let full = etl(&warehouse, &dashboard, true, None).await;
    assert!(full.full);
    assert_eq!(
        checksums(&mut db, true).await,
        first,
        "full rerun, surrogate ids included"
    );
    // Full loads dropped and rebuilt indexes, keys and foreign keys: all are back as the
    // migrations made them.
    let fresh = TestDb::new("migrated").await;
    let mut fresh = fresh.connect().await;
    outreach_etl::schema::migrate(&mut fresh)
        .await
        .expect("migrate");
    let migrated = index_definitions(&mut fresh).await;
    assert!(
        migrated.len() >= 5,
        "keys, foreign key and indexes: {migrated:?}"
    );
    assert_eq!(index_definitions(&mut db).await, migrated);
}

#[tokio::test]
async fn rollups_missing_after_a_migration_are_all_built_by_the_next_incremental_run() {
    let warehouse = warehouse(&options(2_000, 16, 60, 22)).await;
    let dashboard = TestDb::new("dashboard").await;
    etl(&warehouse, &dashboard, false, None).await;
    let mut db = dashboard.connect().await;
    let built = checksums(&mut db, false).await;
    // What the migration that added the rollups leaves: empty tables, not ready.
    db.execute(
        "TRUNCATE channel_metrics_daily, segment_metrics_daily, reach_rollups,
             type_channel_metrics_daily, type_segment_metrics_daily, type_reach_rollups;
         UPDATE dashboard_settings SET rollups_ready = false",
    )
    .await
    .expect("undo the rollups");
    assert_ne!(checksums(&mut db, false).await, built);
    let incremental = etl(&warehouse, &dashboard, false, None).await;
    assert!(!incremental.full);
    assert_eq!(checksums(&mut db, false).await, built);
}

/// A history up to 20 November, then the events that landed by 28 November.
async fn history_then_more(seed: u64) -> (TestDb, TestDb) {
    let mut history = options(5_000, 30, 90, seed);
    history.as_of = datetime!(2026-11-20 00:00 UTC);
    let warehouse = warehouse(&history).await;
    let dashboard = TestDb::new("dashboard").await;
    etl(&warehouse, &dashboard, false, None).await;
    let later = options(5_000, 30, 90, seed);
    generate::to_warehouse(warehouse.url(), &later, Mode::Append, &outreach_etl::Quiet)
        .await
        .expect("append the next week");
    (warehouse, dashboard)
}

#[tokio::test]
async fn late_events_land_on_their_day_and_incremental_equals_full() {
    let (warehouse, dashboard) = history_then_more(31).await;
    let mut db = dashboard.connect().await;
    let before = dashboard_daily(&mut db).await;

    // Events that happened before the first run's watermark but landed after it.
    let mut wh = warehouse.connect().await;
    let late: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM warehouse.outreach_events
         WHERE loaded_at > '2026-11-20T00:00:00Z' AND event_ts < '2026-11-20T00:00:00Z'",
    )
    .fetch_one(&mut wh)
    .await
    .expect("count late events");
    assert!(late > 10, "the generator makes late events: {late}");

    let report = etl(&warehouse, &dashboard, false, None).await;
    assert!(!report.full, "the second run is incremental");
    let after = dashboard_daily(&mut db).await;
    let changed_before_watermark = after
        .iter()
        .filter(|(key, (counts, _))| {
            key.1 < time::macros::date!(2026 - 11 - 20)
                && before.get(key).map(|(b, _)| b) != Some(counts)
        })
        .count();
    assert!(
        changed_before_watermark > 0,
        "late events changed days before the first watermark"
    );
    assert!(
        report.campaign_days < after.len(),
        "only the affected campaign-days were recomputed ({} of {})",
        report.campaign_days,
        after.len()
    );

    // The same warehouse loaded in one full run gives the same tables.
    let fresh = TestDb::new("dashboard").await;
    etl(&warehouse, &fresh, true, None).await;
    let mut fresh_db = fresh.connect().await;
    assert_eq!(
        checksums(&mut db, false).await,
        checksums(&mut fresh_db, false).await
    );
}

/// Takes a lock the ETL will wait on, waits until it waits, kills it, and returns.
async fn kill_while_waiting(locked_db: &TestDb, lock: &str, run: &mut std::process::Command) {
    let mut holder = locked_db.connect().await;
    let mut tx = holder.begin().await.expect("begin");
    tx.execute(sqlx::AssertSqlSafe(lock.to_owned()))
        .await
        .expect("take the lock");
    let mut child = run.spawn().expect("start outreach-etl");
    let mut watcher = locked_db.connect().await;
    let mut waited = false;
    for _ in 0..600 {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
             WHERE application_name = 'outreach-etl' AND datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(&mut watcher)
        .await
        .expect("watch pg_stat_activity");
        if waiting > 0 {
            waited = true;
            break;
        }
        if child.try_wait().expect("poll the child").is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(waited, "the run reached the lock");
    child.kill().expect("SIGKILL the run");
    let _ = child.wait();
    tx.rollback().await.expect("release the lock");
}

#[tokio::test]
async fn a_run_killed_at_any_point_leaves_the_previous_state_and_the_next_run_completes() {
    let (warehouse, dashboard) = history_then_more(41).await;
    let mut db = dashboard.connect().await;
    let before = checksums(&mut db, true).await;
    let mut run = etl_binary();
    run.args([
        "run",
        "--warehouse",
        warehouse.url(),
        "--dashboard",
        dashboard.url(),
    ])
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null());

    // Killed while reading the warehouse.
    kill_while_waiting(
        &warehouse,
        "LOCK TABLE warehouse.outreach_events IN ACCESS EXCLUSIVE MODE",
        &mut run,
    )
    .await;
    assert_eq!(
        checksums(&mut db, true).await,
        before,
        "killed while reading: nothing changed"
    );
    // Killed in the middle of the load: campaigns and staging written, daily metrics next.
    kill_while_waiting(
        &dashboard,
        "LOCK TABLE campaign_metrics_daily IN EXCLUSIVE MODE",
        &mut run,
    )
    .await;
    assert_eq!(
        checksums(&mut db, true).await,
        before,
        "killed mid-load: nothing changed"
    );
    // The second run marked the first as interrupted when it started; it was killed running.
    let interrupted: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM etl_runs WHERE status IN ('running', 'interrupted')",
    )
    .fetch_one(&mut db)
    .await
    .expect("count runs");
    assert_eq!(interrupted, 2, "both killed runs are visible as unfinished");

    let report = etl(&warehouse, &dashboard, false, None).await;
    assert!(!report.full);
    let statuses: Vec<String> = sqlx::query_scalar("SELECT status FROM etl_runs ORDER BY run_id")
        .fetch_all(&mut db)
        .await
        .expect("read runs");
    assert_eq!(
        statuses,
        ["succeeded", "interrupted", "interrupted", "succeeded"]
    );

    // An uninterrupted history: the same two runs.
    let (other_warehouse, uninterrupted) = history_then_more(41).await;
    etl(&other_warehouse, &uninterrupted, false, None).await;
    let mut other = uninterrupted.connect().await;
    assert_eq!(
        checksums(&mut db, false).await,
        checksums(&mut other, false).await
    );
}

/// A delivered message of a channel with no event of the given kinds, and its member.
async fn quiet_delivered_messages(
    warehouse: &TestDb,
    channel: &str,
    without: &[&str],
    count: i64,
) -> Vec<(Uuid, Uuid, String, time::OffsetDateTime)> {
    let mut wh = warehouse.connect().await;
    sqlx::query(
        "SELECT e.campaign_id, e.message_id, e.member_id, e.event_ts
         FROM warehouse.outreach_events e JOIN warehouse.campaigns c USING (campaign_id)
         WHERE c.channel = $1 AND e.event_type = 'delivered'
           AND NOT EXISTS (SELECT 1 FROM warehouse.outreach_events o
                           WHERE o.campaign_id = e.campaign_id AND o.member_id = e.member_id
                             AND o.event_type = ANY($2))
           AND e.event_ts < '2026-11-20T00:00:00Z'
         ORDER BY e.event_id
         LIMIT $3",
    )
    .bind(channel)
    .bind(without)
    .bind(count)
    .fetch_all(&mut wh)
    .await
    .expect("find quiet messages")
    .into_iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
    .collect()
}

async fn add_event(
    warehouse: &TestDb,
    (campaign, message, member, at): &(Uuid, Uuid, String, time::OffsetDateTime),
    event_type: &str,
    machine: bool,
    reply: Option<&str>,
) {
    let mut wh = warehouse.connect().await;
    sqlx::query(
        "INSERT INTO warehouse.outreach_events
            (event_id, campaign_id, member_id, message_id, event_type, event_ts, loaded_at, is_machine_open, reply_text)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, now(), $6, $7)",
    )
    .bind(campaign)
    .bind(member)
    .bind(message)
    .bind(event_type)
    .bind(*at + time::Duration::minutes(3))
    .bind(machine)
    .bind(reply)
    .execute(&mut wh)
    .await
    .expect("add an event");
}

async fn campaign_totals(dashboard: &TestDb, campaign: Uuid) -> outreach_backend::metrics::Counts {
    let mut db = dashboard.connect().await;
    let mut total = outreach_backend::metrics::Counts::default();
    for ((id, _), (counts, _)) in dashboard_daily(&mut db).await {
        if id == campaign {
            total += counts;
        }
    }
    total
}

#[tokio::test]
async fn repeated_events_count_once() {
    let warehouse = warehouse(&options(2_000, 16, 60, 51)).await;
    let dashboard = TestDb::new("dashboard").await;
    etl(&warehouse, &dashboard, false, None).await;
    let mut db = dashboard.connect().await;
    let before = checksums(&mut db, true).await;
    // Every 'delivered' and 'opened' event of one campaign lands a second time.
    let mut wh = warehouse.connect().await;
    let copied = sqlx::query(
        "INSERT INTO warehouse.outreach_events
         SELECT event_id, campaign_id, member_id, message_id, event_type, event_ts, now(), is_machine_open, reply_text
         FROM warehouse.outreach_events
         WHERE campaign_id = (SELECT campaign_id FROM warehouse.outreach_events GROUP BY 1 ORDER BY count(*) DESC LIMIT 1)
           AND event_type IN ('delivered', 'opened', 'clicked', 'converted')",
    )
    .execute(&mut wh)
    .await
    .expect("repeat events")
    .rows_affected();
    assert!(copied > 100);
    let report = etl(&warehouse, &dashboard, false, None).await;
    assert!(
        report.duplicate_events >= copied as i64,
        "{} >= {copied}",
        report.duplicate_events
    );
    assert_eq!(
        checksums(&mut db, true).await,
        before,
        "copies changed nothing"
    );
}

#[tokio::test]
async fn machine_opens_never_count_as_opens_or_engagement() {
    let warehouse = warehouse(&options(2_000, 30, 60, 61)).await;
    let dashboard = TestDb::new("dashboard").await;
    etl(&warehouse, &dashboard, false, None).await;
    let quiet = quiet_delivered_messages(&warehouse, "Email", &["opened", "clicked"], 1).await;
    let message = quiet.first().expect("an email message nobody opened");
    let before = campaign_totals(&dashboard, message.0).await;

    add_event(&warehouse, message, "opened", true, None).await;
    etl(&warehouse, &dashboard, false, None).await;
    let machine = campaign_totals(&dashboard, message.0).await;
    assert_eq!(machine.machine_opens, before.machine_opens + 1);
    assert_eq!(
        (machine.opens, machine.engaged),
        (before.opens, before.engaged)
    );
    assert_eq!(machine.engagement_rate(), before.engagement_rate());

    add_event(&warehouse, message, "opened", false, None).await;
    etl(&warehouse, &dashboard, false, None).await;
    let human = campaign_totals(&dashboard, message.0).await;
    assert_eq!(
        (human.opens, human.engaged),
        (before.opens + 1, before.engaged + 1)
    );
    assert_eq!(human.machine_opens, machine.machine_opens);
}

#[tokio::test]
async fn every_opt_out_spelling_counts_and_other_replies_engage() {
    let warehouse = warehouse(&options(3_000, 30, 60, 71)).await;
    let dashboard = TestDb::new("dashboard").await;
    etl(&warehouse, &dashboard, false, None).await;
    let spellings = [
        "STOP",
        "stop",
        " Stop ",
        "StopAll",
        "UNSUBSCRIBE",
        "cancel",
        "End",
        "QUIT",
        "optout",
        "Opt-Out",
        "REMOVE",
        "\tstop\n",
        "remove  ",
    ];
    let quiet = quiet_delivered_messages(
        &warehouse,
        "SMS",
        &["responded", "unsubscribed", "clicked"],
        spellings.len() as i64 + 1,
    )
    .await;
    assert_eq!(quiet.len(), spellings.len() + 1);
    let mut campaigns: Vec<Uuid> = quiet.iter().map(|m| m.0).collect();
    campaigns.sort();
    campaigns.dedup();
    let mut before = outreach_backend::metrics::Counts::default();
    for campaign in &campaigns {
        before += campaign_totals(&dashboard, *campaign).await;
    }
    for (message, spelling) in quiet.iter().zip(spellings) {
        add_event(&warehouse, message, "responded", false, Some(spelling)).await;
    }
    add_event(
        &warehouse,
        &quiet[spellings.len()],
        "responded",
        false,
        Some("stop it"),
    )
    .await;
    etl(&warehouse, &dashboard, false, None).await;
    let mut after = outreach_backend::metrics::Counts::default();
    for campaign in &campaigns {
        after += campaign_totals(&dashboard, *campaign).await;
    }
    // Distinct members: each quiet message belongs to a member with no opt-out yet.
    let members: std::collections::BTreeSet<(Uuid, &str)> = quiet[..spellings.len()]
        .iter()
        .map(|m| (m.0, m.2.as_str()))
        .collect();
    assert_eq!(after.opt_outs, before.opt_outs + members.len() as i64);
    assert_eq!(
        after.engaged,
        before.engaged + 1,
        "'stop it' is a reply, not an opt-out"
    );
}

#[tokio::test]
async fn each_committed_run_notifies_listeners() {
    let warehouse = warehouse(&options(1_000, 8, 30, 81)).await;
    let dashboard = TestDb::new("dashboard").await;
    let mut db = dashboard.connect().await;
    outreach_etl::schema::migrate(&mut db)
        .await
        .expect("migrate");
    let mut listener = sqlx::postgres::PgListener::connect(dashboard.url())
        .await
        .expect("listen");
    listener.listen("dashboard_updated").await.expect("listen");
    let report = etl(&warehouse, &dashboard, false, None).await;
    let notification = tokio::time::timeout(Duration::from_secs(10), listener.recv())
        .await
        .expect("a notification within seconds")
        .expect("a notification");
    let payload: serde_json::Value =
        serde_json::from_str(notification.payload()).expect("JSON payload");
    assert_eq!(payload["run_id"], report.run_id);
    let (start, end) = report.affected.expect("an affected range");
    assert_eq!(payload["affected_start"], start.to_string());
    assert_eq!(payload["affected_end"], end.to_string());
    let run = last_run(&mut db).await;
    assert_eq!(run.get::<String, _>("status"), "succeeded");
    assert!(run.get::<Option<i64>, _>("duration_ms").is_some());
}
