//! Bad input: a clear message naming the problem, a non-zero exit, an unchanged dashboard.

use outreach_testkit::TestDb;

use crate::helpers::*;

struct Outcome {
    code: Option<i32>,
    stderr: String,
}

fn run_binary(args: &[&str]) -> Outcome {
    let output = etl_binary().args(args).output().expect("run outreach-etl");
    Outcome {
        code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A loaded dashboard, a change to the warehouse that breaks the contract, and a run that must
/// fail with `expected` in its message and change nothing.
async fn refused(break_it: &str, expected: &[&str]) {
    let warehouse = warehouse(&options(500, 6, 30, 101)).await;
    let dashboard = TestDb::new("dashboard").await;
    etl(&warehouse, &dashboard, false, None).await;
    let mut db = dashboard.connect().await;
    let before = checksums(&mut db, true).await;
    let mut wh = warehouse.connect().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(break_it.to_owned()))
        .execute(&mut wh)
        .await
        .expect("break the warehouse");
    for full in [false, true] {
        let mut args = vec![
            "run",
            "--warehouse",
            warehouse.url(),
            "--dashboard",
            dashboard.url(),
        ];
        if full {
            args.push("--full");
        }
        let outcome = run_binary(&args);
        assert_eq!(outcome.code, Some(1), "{}", outcome.stderr);
        for part in expected {
            assert!(
                outcome.stderr.contains(part),
                "expected {part:?} in: {}",
                outcome.stderr
            );
        }
        assert!(!outcome.stderr.contains("panicked"), "{}", outcome.stderr);
        assert_eq!(
            checksums(&mut db, true).await,
            before,
            "the dashboard is unchanged"
        );
    }
    let failed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM etl_runs WHERE status = 'failed' AND error IS NOT NULL",
    )
    .fetch_one(&mut db)
    .await
    .expect("count failed runs");
    assert_eq!(failed, 2, "failed runs are recorded with their error");
}

#[tokio::test]
async fn a_missing_table_is_named() {
    refused(
        "DROP TABLE warehouse.members",
        &["warehouse.members is missing", "contract"],
    )
    .await;
}

#[tokio::test]
async fn a_missing_column_is_named() {
    refused(
        "ALTER TABLE warehouse.outreach_events DROP COLUMN is_machine_open",
        &["warehouse.outreach_events has no column is_machine_open"],
    )
    .await;
}

#[tokio::test]
async fn an_unknown_event_type_is_named() {
    refused(
        "INSERT INTO warehouse.outreach_events
         SELECT gen_random_uuid(), campaign_id, member_id, message_id, 'forwarded', event_ts, now(), false, NULL
         FROM warehouse.outreach_events LIMIT 1",
        &["unknown event_type", "\"forwarded\"", "fix it at the source"],
    )
    .await;
}

#[tokio::test]
async fn an_unknown_channel_is_named() {
    refused(
        "UPDATE warehouse.campaigns SET channel = 'Fax' WHERE campaign_id = (SELECT campaign_id FROM warehouse.campaigns ORDER BY campaign_id LIMIT 1)",
        &["unknown channel \"Fax\"", "Email, SMS, Push"],
    )
    .await;
}

#[tokio::test]
async fn a_forbidden_null_is_named() {
    refused(
        "ALTER TABLE warehouse.outreach_events ALTER COLUMN member_id DROP NOT NULL;
         INSERT INTO warehouse.outreach_events
         SELECT gen_random_uuid(), campaign_id, NULL, message_id, 'opened', event_ts, now(), false, NULL
         FROM warehouse.outreach_events LIMIT 1",
        &["null in a column the contract declares not null"],
    )
    .await;
}

#[tokio::test]
async fn a_null_in_a_campaign_is_named() {
    refused(
        "ALTER TABLE warehouse.campaigns ALTER COLUMN campaign_name DROP NOT NULL;
         UPDATE warehouse.campaigns SET campaign_name = NULL
         WHERE campaign_id = (SELECT campaign_id FROM warehouse.campaigns ORDER BY campaign_id LIMIT 1)",
        &["has a null campaign_name"],
    )
    .await;
}

#[tokio::test]
async fn a_null_start_date_is_named() {
    refused(
        "ALTER TABLE warehouse.campaigns ALTER COLUMN start_date DROP NOT NULL;
         UPDATE warehouse.campaigns SET start_date = NULL
         WHERE campaign_id = (SELECT campaign_id FROM warehouse.campaigns ORDER BY campaign_id LIMIT 1)",
        &["has a null start_date"],
    )
    .await;
}

#[tokio::test]
async fn a_null_in_a_member_is_named() {
    refused(
        "ALTER TABLE warehouse.members ALTER COLUMN risk_tier DROP NOT NULL;
         UPDATE warehouse.members SET risk_tier = NULL
         WHERE member_id = (SELECT min(member_id) FROM warehouse.members)",
        &["1 members have a null member_id, date_of_birth, state, plan_type or risk_tier"],
    )
    .await;
}

#[tokio::test]
async fn an_unknown_plan_type_is_named() {
    refused(
        "UPDATE warehouse.members SET plan_type = 'Platinum' WHERE member_id = (SELECT min(member_id) FROM warehouse.members)",
        &["unknown plan_type", "\"Platinum\""],
    )
    .await;
}

#[tokio::test]
async fn a_column_of_the_wrong_type_is_named() {
    refused(
        "ALTER TABLE warehouse.campaigns ALTER COLUMN start_date TYPE text",
        &[
            "warehouse.campaigns.start_date is text, not date",
            "contract",
        ],
    )
    .await;
}

#[tokio::test]
async fn a_repeated_member_id_is_refused() {
    refused(
        "ALTER TABLE warehouse.members DROP CONSTRAINT members_member_id_key;
         INSERT INTO warehouse.members SELECT * FROM warehouse.members ORDER BY member_id LIMIT 1",
        &["1 member_id values appear more than once in warehouse.members"],
    )
    .await;
}

#[tokio::test]
async fn events_of_a_campaign_the_warehouse_lacks_are_refused() {
    refused(
        "INSERT INTO warehouse.outreach_events
         SELECT gen_random_uuid(), '00000000-0000-4000-8000-000000000001', member_id, message_id,
                event_type, event_ts, now(), false, NULL
         FROM warehouse.outreach_events LIMIT 1",
        &["events refer to campaign 00000000-0000-4000-8000-000000000001, which warehouse.campaigns does not have"],
    )
    .await;
}

#[tokio::test]
async fn an_unknown_status_is_named() {
    refused(
        "UPDATE warehouse.campaigns SET status = 'Archived' WHERE campaign_id = (SELECT campaign_id FROM warehouse.campaigns ORDER BY campaign_id LIMIT 1)",
        &["unknown campaign status \"Archived\"", "Draft, Scheduled, Active"],
    )
    .await;
}

#[tokio::test]
async fn an_unknown_risk_tier_is_named() {
    refused(
        "UPDATE warehouse.members SET risk_tier = 'Extreme' WHERE member_id = (SELECT min(member_id) FROM warehouse.members)",
        &["unknown risk_tier", "\"Extreme\"", "Low, Moderate, High"],
    )
    .await;
}

#[tokio::test]
async fn a_campaign_that_ends_before_it_starts_is_named() {
    refused(
        "UPDATE warehouse.campaigns SET end_date = start_date - 1 WHERE campaign_id = (SELECT campaign_id FROM warehouse.campaigns ORDER BY campaign_id LIMIT 1)",
        &["before it starts", "fix it at the source"],
    )
    .await;
}

#[tokio::test]
async fn an_invalid_time_zone_is_refused_before_anything_is_touched() {
    let warehouse = warehouse(&options(300, 4, 20, 102)).await;
    let dashboard = TestDb::new("dashboard").await;
    etl(&warehouse, &dashboard, false, None).await;
    let mut db = dashboard.connect().await;
    let before = checksums(&mut db, true).await;
    for zone in ["Mars/Olympus_Mons", "+05:00", ""] {
        let outcome = run_binary(&[
            "run",
            "--warehouse",
            warehouse.url(),
            "--dashboard",
            dashboard.url(),
            "--timezone",
            zone,
        ]);
        assert_eq!(outcome.code, Some(1), "{}", outcome.stderr);
        assert!(
            outcome.stderr.contains("unknown time zone"),
            "{}",
            outcome.stderr
        );
        assert!(outcome.stderr.contains("IANA name"), "{}", outcome.stderr);
    }
    assert_eq!(checksums(&mut db, true).await, before);
}

#[tokio::test]
async fn an_unreachable_database_is_named_without_its_password() {
    let dashboard = TestDb::new("dashboard").await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    // Nothing listens on the port once the listener above is dropped.
    let unreachable = format!("postgres://etl:s3cret-password@127.0.0.1:{port}/warehouse");
    let outcome = run_binary(&[
        "run",
        "--warehouse",
        &unreachable,
        "--dashboard",
        dashboard.url(),
    ]);
    assert_eq!(outcome.code, Some(1));
    assert!(
        outcome
            .stderr
            .contains("cannot connect to the warehouse database"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("check its URL"),
        "{}",
        outcome.stderr
    );
    assert!(
        !outcome.stderr.contains("s3cret-password"),
        "{}",
        outcome.stderr
    );

    let outcome = run_binary(&[
        "run",
        "--warehouse",
        "not a url",
        "--dashboard",
        dashboard.url(),
    ]);
    assert_eq!(outcome.code, Some(1));
    assert!(
        outcome.stderr.contains("not a valid postgres:// URL"),
        "{}",
        outcome.stderr
    );

    let outcome = run_binary(&["migrate", "--dashboard", &unreachable]);
    assert_eq!(outcome.code, Some(1));
    assert!(
        outcome
            .stderr
            .contains("cannot connect to the dashboard database"),
        "{}",
        outcome.stderr
    );
}

#[tokio::test]
async fn a_second_concurrent_run_is_refused() {
    let warehouse = warehouse(&options(300, 4, 20, 103)).await;
    let dashboard = TestDb::new("dashboard").await;
    etl(&warehouse, &dashboard, false, None).await;
    // Hold the run lock as a running ETL would.
    let mut holder = dashboard.connect().await;
    let _: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(0x6f75_7472_6561_6368_i64)
        .fetch_one(&mut holder)
        .await
        .expect("take the run lock");
    let err = try_etl(&warehouse, &dashboard, false, None)
        .await
        .expect_err("busy");
    assert!(
        err.to_string().contains("another outreach-etl run"),
        "{err}"
    );
}
