//! Shared set-up of the data suite.

use std::collections::BTreeMap;

use outreach_backend::metrics::Counts;
use outreach_etl::generate::{self, Mode};
use outreach_etl::{ReportingZone, RunOptions, RunReport};
use outreach_testkit::TestDb;
use outreach_warehouse::aggregates::InteractionRow;
use outreach_warehouse::source::{Event, Member};
use outreach_warehouse::synthetic::GenerateOptions;
use sqlx::{PgConnection, Row};
use time::macros::date;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// A small world ending on a fixed day so every run sees the same data.
pub fn options(members: u32, campaigns: u32, days: u32, seed: u64) -> GenerateOptions {
    let end_date = date!(2026 - 11 - 27);
    GenerateOptions {
        members,
        campaigns,
        days,
        seed,
        end_date,
        as_of: OffsetDateTime::new_utc(end_date, time::Time::MIDNIGHT) + time::Duration::days(1),
    }
}

/// A fresh warehouse filled by the generator.
pub async fn warehouse(options: &GenerateOptions) -> TestDb {
    let db = TestDb::new("warehouse").await;
    generate::to_warehouse(db.url(), options, Mode::Create, &outreach_etl::Quiet)
        .await
        .expect("generate a warehouse");
    db
}

/// One ETL run through the library.
pub async fn etl(
    warehouse: &TestDb,
    dashboard: &TestDb,
    full: bool,
    zone: Option<&str>,
) -> RunReport {
    try_etl(warehouse, dashboard, full, zone)
        .await
        .expect("the ETL run succeeds")
}

/// One ETL run through the library, which may fail.
pub async fn try_etl(
    warehouse: &TestDb,
    dashboard: &TestDb,
    full: bool,
    zone: Option<&str>,
) -> Result<RunReport, outreach_etl::EtlError> {
    let options = RunOptions {
        full,
        zone: zone.map(|z| ReportingZone::new(z).expect("a known zone")),
        ..RunOptions::default()
    };
    outreach_etl::run(
        warehouse.url(),
        dashboard.url(),
        &options,
        &outreach_etl::Quiet,
    )
    .await
}

/// The `outreach-etl` binary, for exit codes and messages.
pub fn etl_binary() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_outreach-etl"));
    command
        .env_remove("OUTREACH_WAREHOUSE_URL")
        .env_remove("OUTREACH_DATABASE_URL");
    command
}

/// Every event row of the warehouse, copies included.
pub async fn read_events(warehouse: &mut PgConnection) -> Vec<Event> {
    sqlx::query(
        "SELECT event_id, campaign_id, member_id, message_id, event_type, event_ts, loaded_at,
                is_machine_open, reply_text
         FROM warehouse.outreach_events ORDER BY loaded_at, event_id",
    )
    .fetch_all(warehouse)
    .await
    .expect("read events")
    .into_iter()
    .map(|row| Event {
        event_id: row.get(0),
        campaign_id: row.get(1),
        member_id: row.get(2),
        message_id: row.get(3),
        event_type: row.get(4),
        event_ts: row.get(5),
        loaded_at: row.get(6),
        is_machine_open: row.get(7),
        reply_text: row.get(8),
    })
    .collect()
}

/// Every member of the warehouse, PII included.
pub async fn read_members(warehouse: &mut PgConnection) -> Vec<Member> {
    sqlx::query(
        "SELECT member_id, first_name, last_name, email, phone, date_of_birth, gender, state, plan_type, risk_tier
         FROM warehouse.members",
    )
    .fetch_all(warehouse)
    .await
    .expect("read members")
    .into_iter()
    .map(|row| Member {
        member_id: row.get(0),
        first_name: row.get(1),
        last_name: row.get(2),
        email: row.get(3),
        phone: row.get(4),
        date_of_birth: row.get(5),
        gender: row.get(6),
        state: row.get(7),
        plan_type: row.get(8),
        risk_tier: row.get(9),
    })
    .collect()
}

/// campaign_metrics_daily as counts, and its stored rates.
pub async fn dashboard_daily(
    dashboard: &mut PgConnection,
) -> BTreeMap<(Uuid, Date), (Counts, [Option<f64>; 4])> {
    sqlx::query(
        "SELECT campaign_id, metric_date, total_sent, total_impressions, total_reach, total_bounces,
                total_opens, total_machine_opens, total_clicks, total_engaged, total_conversions,
                total_opt_outs, engagement_rate, conversion_rate, opt_out_rate, delivery_rate
         FROM campaign_metrics_daily",
    )
    .fetch_all(dashboard)
    .await
    .expect("read daily metrics")
    .into_iter()
    .map(|row| {
        let count = |i: usize| i64::from(row.get::<i32, _>(i));
        (
            (row.get(0), row.get(1)),
            (
                Counts {
                    sent: count(2),
                    impressions: count(3),
                    reach: count(4),
                    bounces: count(5),
                    opens: count(6),
                    machine_opens: count(7),
                    clicks: count(8),
                    engaged: count(9),
                    conversions: count(10),
                    opt_outs: count(11),
                },
                [row.get(12), row.get(13), row.get(14), row.get(15)],
            ),
        )
    })
    .collect()
}

/// member_interactions without surrogate ids, sorted.
pub async fn dashboard_interactions(dashboard: &mut PgConnection) -> Vec<InteractionRow> {
    let mut rows: Vec<InteractionRow> = sqlx::query(
        "SELECT campaign_id, member_segment, interaction_date, interaction_type, count FROM member_interactions",
    )
    .fetch_all(dashboard)
    .await
    .expect("read interactions")
    .into_iter()
    .map(|row| InteractionRow {
        campaign_id: row.get(0),
        member_segment: row.get(1),
        interaction_date: row.get(2),
        interaction_type: row.get::<String, _>(3).parse().expect("a known interaction type"),
        count: i64::from(row.get::<i32, _>(4)),
    })
    .collect();
    rows.sort();
    rows
}

/// The dashboard tables and the columns that identify their content. Surrogate ids are left
/// out when `with_ids` is false.
pub async fn checksums(dashboard: &mut PgConnection, with_ids: bool) -> Vec<(String, String)> {
    let tables: &[(&str, &str)] = &[
        (
            "campaigns",
            "campaign_id, campaign_name, campaign_type, start_date, end_date, status, channel, updated_at, first_data_date, last_data_date",
        ),
        (
            "campaign_metrics_daily",
            if with_ids {
                "metric_id, campaign_id, metric_date, total_reach, total_impressions, total_opens, total_clicks, total_conversions, total_opt_outs, total_sent, total_bounces, total_machine_opens, total_engaged, engagement_rate, conversion_rate, opt_out_rate, delivery_rate"
            } else {
                "campaign_id, metric_date, total_reach, total_impressions, total_opens, total_clicks, total_conversions, total_opt_outs, total_sent, total_bounces, total_machine_opens, total_engaged, engagement_rate, conversion_rate, opt_out_rate, delivery_rate"
            },
        ),
        (
            "member_interactions",
            if with_ids {
                "interaction_id, campaign_id, member_segment, interaction_date, interaction_type, count"
            } else {
                "campaign_id, member_segment, interaction_date, interaction_type, count"
            },
        ),
        (
            "campaign_reach_sketches",
            "campaign_id, metric_date, sketch",
        ),
        (
            "reach_rollups",
            "scope, period, period_start, sketch, reach",
        ),
        (
            "campaign_reach_rollups",
            "campaign_id, period, period_start, sketch, reach",
        ),
        (
            "channel_metrics_daily",
            "metric_date, channel, total_sent, total_impressions, total_opens, total_clicks, total_engaged, total_conversions, total_opt_outs, total_bounces, total_machine_opens",
        ),
        (
            "segment_metrics_daily",
            "metric_date, channel, member_segment, impressions, opens, clicks, engaged, conversions, opt_outs",
        ),
        (
            "type_reach_rollups",
            "campaign_type, channel, period, period_start, sketch, reach",
        ),
        (
            "type_channel_metrics_daily",
            "campaign_type, channel, metric_date, total_sent, total_impressions, total_opens, total_clicks, total_engaged, total_conversions, total_opt_outs, total_bounces, total_machine_opens",
        ),
        (
            "type_segment_metrics_daily",
            "campaign_type, channel, metric_date, member_segment, impressions, opens, clicks, engaged, conversions, opt_outs",
        ),
        (
            "member_segments",
            "member_segment, age_band, plan_type, risk_tier, region",
        ),
        ("dashboard_settings", "reporting_time_zone, rollups_ready"),
    ];
    let mut sums = Vec::new();
    for (table, columns) in tables {
        let sql = format!(
            "SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM (SELECT {columns} FROM {table}) t"
        );
        let sum: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut *dashboard)
            .await
            .expect("checksum a table");
        sums.push(((*table).to_owned(), sum));
    }
    sums
}

/// The latest run's row in etl_runs.
pub async fn last_run(dashboard: &mut PgConnection) -> sqlx::postgres::PgRow {
    sqlx::query("SELECT * FROM etl_runs ORDER BY run_id DESC LIMIT 1")
        .fetch_one(dashboard)
        .await
        .expect("an etl_runs row")
}

/// The keys, foreign keys and indexes of the tables whose indexes full loads drop and build
/// again, as the catalog describes them.
pub async fn index_definitions(dashboard: &mut PgConnection) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT conrelid::regclass::text, conname::text, pg_get_constraintdef(oid)
         FROM pg_constraint
         WHERE conrelid IN ('member_interactions'::regclass, 'segment_metrics_daily'::regclass,
                           'type_segment_metrics_daily'::regclass)
         UNION ALL
         SELECT tablename::text, indexname::text, indexdef FROM pg_indexes
         WHERE tablename IN ('member_interactions', 'segment_metrics_daily', 'type_segment_metrics_daily')
         ORDER BY 1, 2, 3",
    )
    .fetch_all(dashboard)
    .await
    .expect("read index definitions")
}
