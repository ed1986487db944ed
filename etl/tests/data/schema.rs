//! The dashboard schema: migrations, constraints, roles, and the SQLite twin.

use std::collections::BTreeSet;

use outreach_model::Segment;
use outreach_testkit::TestDb;
use sqlx::{Connection, Executor, Row};

use crate::helpers::*;

async fn migrated() -> (TestDb, sqlx::PgConnection) {
    let dashboard = TestDb::new("dashboard").await;
    let output = etl_binary()
        .args(["migrate", "--dashboard", dashboard.url()])
        .output()
        .expect("run migrate");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let again = etl_binary()
        .args(["migrate", "--dashboard", dashboard.url()])
        .output()
        .expect("run migrate again");
    assert!(again.status.success(), "migrate is idempotent");
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .contains(&outreach_backend::schema::version().to_string())
    );
    let conn = dashboard.connect().await;
    (dashboard, conn)
}

/// The SQLSTATE of a database error.
fn sqlstate(err: &sqlx::Error) -> Option<String> {
    err.as_database_error()
        .and_then(|db| db.code())
        .map(|code| code.into_owned())
}

#[tokio::test]
async fn constraints_refuse_what_the_data_can_never_be() {
    let (_dashboard, mut db) = migrated().await;
    db.execute(
        "INSERT INTO campaigns VALUES ('00000000-0000-4000-8000-000000000001', 'A', 'Wellness',
                                      '2026-01-01', NULL, 'Active', 'Email', now())",
    )
    .await
    .expect("a valid campaign");
    let refused = [
        (
            "unknown channel",
            "INSERT INTO campaigns VALUES (gen_random_uuid(), 'B', 'Wellness', '2026-01-01', NULL, 'Active', 'Fax', now())",
        ),
        (
            "unknown status",
            "INSERT INTO campaigns VALUES (gen_random_uuid(), 'B', 'Wellness', '2026-01-01', NULL, 'Live', 'SMS', now())",
        ),
        (
            "end before start",
            "INSERT INTO campaigns VALUES (gen_random_uuid(), 'B', 'Wellness', '2026-01-02', '2026-01-01', 'Active', 'SMS', now())",
        ),
        (
            "negative count",
            "INSERT INTO campaign_metrics_daily (campaign_id, metric_date, total_reach, total_impressions, total_opens, total_clicks, total_conversions, total_opt_outs, total_sent, total_bounces, total_machine_opens, total_engaged) VALUES ('00000000-0000-4000-8000-000000000001', '2026-01-01', -1, 0, 0, 0, 0, 0, 0, 0, 0, 0)",
        ),
        (
            "rate above one",
            "INSERT INTO campaign_metrics_daily (campaign_id, metric_date, total_reach, total_impressions, total_opens, total_clicks, total_conversions, total_opt_outs, total_sent, total_bounces, total_machine_opens, total_engaged, opt_out_rate) VALUES ('00000000-0000-4000-8000-000000000001', '2026-01-01', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.5)",
        ),
        (
            "unknown interaction type",
            "INSERT INTO member_interactions (campaign_id, member_segment, interaction_date, interaction_type, count) VALUES ('00000000-0000-4000-8000-000000000001', '18-34/Medicaid/Low/South', '2026-01-01', 'Viewed', 1)",
        ),
        (
            "negative interaction count",
            "INSERT INTO member_interactions (campaign_id, member_segment, interaction_date, interaction_type, count) VALUES ('00000000-0000-4000-8000-000000000001', '18-34/Medicaid/Low/South', '2026-01-01', 'Open', -3)",
        ),
    ];
    // Refused by a CHECK constraint (SQLSTATE 23514), not by some other error (a typo here).
    for (what, sql) in refused {
        let err = db.execute(sql).await.expect_err(what);
        assert_eq!(sqlstate(&err).as_deref(), Some("23514"), "{what}: {err}");
    }
    let day = "INSERT INTO campaign_metrics_daily (campaign_id, metric_date, total_reach, total_impressions, total_opens, total_clicks, total_conversions, total_opt_outs, total_sent, total_bounces, total_machine_opens, total_engaged) VALUES ('00000000-0000-4000-8000-000000000001', '2026-01-01', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)";
    db.execute(day).await.expect("one row per campaign-day");
    let err = db.execute(day).await.expect_err("a second row");
    assert_eq!(
        sqlstate(&err).as_deref(),
        Some("23505"),
        "a second row for the same campaign-day is refused as a duplicate: {err}"
    );
    let interaction = "INSERT INTO member_interactions (campaign_id, member_segment, interaction_date, interaction_type, count) VALUES ('00000000-0000-4000-8000-000000000001', '18-34/Medicaid/Low/South', '2026-01-01', 'Open', 3)";
    db.execute(interaction).await.expect("one interaction row");
    let err = db.execute(interaction).await.expect_err("a second row");
    assert_eq!(
        sqlstate(&err).as_deref(),
        Some("23505"),
        "one row per campaign, segment, day and type: {err}"
    );
}

#[tokio::test]
async fn the_reader_role_can_only_read_and_the_etl_role_can_write() {
    let (_dashboard, mut db) = migrated().await;
    let mut tx = db.begin().await.expect("begin");
    tx.execute("SET LOCAL ROLE outreach_reader")
        .await
        .expect("become the reader");
    for table in [
        "campaigns",
        "campaign_metrics_daily",
        "member_interactions",
        "member_segments",
        "campaign_reach_sketches",
        "reach_rollups",
        "campaign_reach_rollups",
        "channel_metrics_daily",
        "segment_metrics_daily",
        "type_channel_metrics_daily",
        "type_segment_metrics_daily",
        "type_reach_rollups",
        "etl_runs",
        "dashboard_settings",
    ] {
        // Through the view that shows a connection its scope (docs/security.md), never the
        // table itself.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM dashboard.{table}"
        )))
        .fetch_one(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("the reader reads dashboard.{table}: {e}"));
        tx.execute("SAVEPOINT table_itself")
            .await
            .expect("savepoint");
        let denied = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM public.{table}"
        )))
        .fetch_one(&mut *tx)
        .await
        .expect_err("the reader may not read the table itself");
        assert_eq!(
            sqlstate(&denied).as_deref(),
            Some("42501"),
            "{table}: {denied}"
        );
        tx.execute("ROLLBACK TO SAVEPOINT table_itself")
            .await
            .expect("rollback to savepoint");
    }
    let denied = tx
        .execute("INSERT INTO campaigns VALUES (gen_random_uuid(), 'X', 'Wellness', '2026-01-01', NULL, 'Active', 'SMS', now())")
        .await
        .expect_err("the reader cannot write");
    assert_eq!(sqlstate(&denied).as_deref(), Some("42501"), "{denied}");
    tx.rollback().await.expect("rollback");

    let mut tx = db.begin().await.expect("begin");
    tx.execute("SET LOCAL ROLE outreach_etl")
        .await
        .expect("become the ETL");
    tx.execute("INSERT INTO campaigns VALUES (gen_random_uuid(), 'X', 'Wellness', '2026-01-01', NULL, 'Active', 'SMS', now())")
        .await
        .expect("the ETL writes");
    let denied = tx
        .execute("DROP TABLE campaigns")
        .await
        .expect_err("the ETL role cannot drop tables");
    assert_eq!(
        sqlstate(&denied).as_deref(),
        Some("42501"),
        "must be owner: {denied}"
    );
    tx.rollback().await.expect("rollback");
}

#[tokio::test]
async fn segments_and_columns_match_the_model_and_hold_no_pii() {
    let (_dashboard, mut db) = migrated().await;
    let stored: BTreeSet<String> = sqlx::query_scalar("SELECT member_segment FROM member_segments")
        .fetch_all(&mut db)
        .await
        .expect("segments")
        .into_iter()
        .collect();
    let model: BTreeSet<String> = Segment::all().map(|s| s.key()).collect();
    assert_eq!(stored, model);

    let columns: Vec<(String, String)> = sqlx::query(
        "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = 'public'
         AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut db)
    .await
    .expect("columns")
    .into_iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    for (table, column) in &columns {
        for pii in [
            "first_name",
            "last_name",
            "email",
            "phone",
            "date_of_birth",
            "member_id",
            "reply_text",
        ] {
            assert_ne!(column, pii, "{table} has a PII column");
        }
    }

    // The SQLite twin has the same tables and columns.
    let file = tempfile::NamedTempFile::new().expect("temp file");
    let mut sqlite =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.path().display()))
            .await
            .expect("open sqlite");
    outreach_backend::schema::SQLITE
        .run(&mut sqlite)
        .await
        .expect("sqlite migrations");
    let mut sqlite_columns = Vec::new();
    let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'")
        .fetch_all(&mut sqlite)
        .await
        .expect("sqlite tables");
    for table in tables {
        let names: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{table}')"
        )))
        .fetch_all(&mut sqlite)
        .await
        .expect("sqlite columns");
        sqlite_columns.extend(names.into_iter().map(|c| (table.clone(), c)));
    }
    let mut postgres: BTreeSet<_> = columns.into_iter().collect();
    // On PostgreSQL the settings' view computes this from the session's scope; the demo, which
    // has no sign-in, stores it (always true).
    postgres.insert(("dashboard_settings".to_owned(), "whole_rollups".to_owned()));
    let sqlite: BTreeSet<_> = sqlite_columns.into_iter().collect();
    assert_eq!(postgres, sqlite);
}

#[tokio::test]
async fn a_login_with_only_the_etl_role_runs_full_and_incremental_loads() {
    use sqlx::ConnectOptions;
    let warehouse = warehouse(&options(500, 6, 30, 121)).await;
    let (dashboard, mut db) = migrated().await;
    let login = format!("etl_login_{}", uuid::Uuid::new_v4().simple());
    db.execute(sqlx::AssertSqlSafe(format!(
        "CREATE ROLE {login} LOGIN IN ROLE outreach_etl"
    )))
    .await
    .expect("create a login");
    let url = dashboard
        .url()
        .parse::<sqlx::postgres::PgConnectOptions>()
        .expect("a URL")
        .username(&login)
        .to_url_lossy()
        .to_string();
    let options = outreach_etl::RunOptions::default();
    let hidden = outreach_etl::Quiet;
    let full = outreach_etl::run(warehouse.url(), &url, &options, &hidden).await;
    let incremental = outreach_etl::run(warehouse.url(), &url, &options, &hidden).await;
    let forced = outreach_etl::run(
        warehouse.url(),
        &url,
        &outreach_etl::RunOptions {
            full: true,
            ..Default::default()
        },
        &hidden,
    )
    .await;
    let _ = db
        .execute(sqlx::AssertSqlSafe(format!("DROP ROLE {login}")))
        .await;
    assert!(full.expect("a first (full) run as the ETL role").full);
    assert!(
        !incremental
            .expect("an incremental run as the ETL role")
            .full
    );
    assert!(forced.expect("a --full run as the ETL role").full);
}

#[tokio::test]
async fn only_a_role_that_can_build_them_again_drops_indexes_for_a_load() {
    let (_dashboard, mut db) = migrated().await;
    let before = index_definitions(&mut db).await;
    // The ETL role may write but owns nothing: its loads keep the indexes and insert into them.
    let mut tx = db.begin().await.expect("begin");
    tx.execute("SET LOCAL ROLE outreach_etl")
        .await
        .expect("become the ETL");
    let dropped = outreach_etl::copy::drop_indexes(&mut tx, "member_interactions")
        .await
        .expect("asking is not an error");
    assert!(dropped.is_none(), "a non-owner drops nothing");
    tx.rollback().await.expect("rollback");
    assert_eq!(index_definitions(&mut db).await, before);

    // The owner's drop is undone by a rollback, like the rest of a failed load.
    let mut tx = db.begin().await.expect("begin");
    let dropped = outreach_etl::copy::drop_indexes(&mut tx, "member_interactions")
        .await
        .expect("drop");
    assert!(dropped.is_some(), "the owner drops the indexes");
    let left: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_indexes WHERE tablename = 'member_interactions'",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("count");
    assert_eq!(left, 0);
    tx.rollback().await.expect("rollback");
    assert_eq!(index_definitions(&mut db).await, before);
}

/// `outreach-etl access`: an administrator trusts a provider, gives it keys, and grants and
/// revokes groups; each change is in the audit trail under the login that made it, and bad
/// input is refused with what to do.
#[tokio::test]
async fn access_is_administered_by_command_and_every_change_is_audited() {
    let (dashboard, mut db) = migrated().await;
    let run = |args: &[&str]| {
        let output = etl_binary()
            .args(["access", "--dashboard", dashboard.url()])
            .args(args)
            .output()
            .expect("run outreach-etl access");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&[
        "configure",
        "--issuer",
        "http://127.0.0.1:9/issuer",
        "--client-id",
        "outreach-desktop",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("trusting http://127.0.0.1:9/issuer"), "{out}");

    let dir = tempfile::tempdir().expect("a directory");
    let jwks = dir.path().join("jwks.json");
    let keys = serde_json::json!({ "keys": [
        outreach_testkit::identity::key().jwk(),
        // Neither an RSA signing key nor one of RS256: skipped, not trusted.
        {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
        {"kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"},
    ]});
    std::fs::write(&jwks, keys.to_string()).expect("write the JWKS");
    let (code, out, err) = run(&["keys", "--jwks", &jwks.display().to_string()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("1 signing key(s) kept"), "{out}");

    for args in [
        &[
            "grant",
            "--group",
            "wellness-team",
            "--role",
            "viewer",
            "--campaign-type",
            "Wellness",
            "--channel",
            "SMS",
        ][..],
        &["grant", "--group", "admins", "--role", "admin"][..],
    ] {
        let (code, _, err) = run(args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
    }
    let (code, out, _) = run(&["list"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("admins: admin over every campaign"), "{out}");
    assert!(
        out.contains("wellness-team: viewer over Wellness campaigns on SMS"),
        "{out}"
    );
    let (code, out, _) = run(&["revoke", "--group", "wellness-team"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("access removed"), "{out}");

    // Bad input: a message saying what is wrong and what to do, and a non-zero exit.
    std::fs::write(&jwks, "{not json").expect("write");
    for (args, says) in [
        (
            &["revoke", "--group", "nobody"][..],
            "no grant of the group",
        ),
        (
            &["keys", "--jwks", &jwks.display().to_string()][..],
            "not a JWKS document",
        ),
        (&["grant", "--group", "x", "--role", "root"][..], "viewer"),
        (
            &[
                "grant",
                "--group",
                "x",
                "--role",
                "viewer",
                "--channel",
                "Fax",
            ][..],
            "Email",
        ),
        (
            &["configure", "--issuer", "not-a-url", "--client-id", "a"][..],
            "issuer URL",
        ),
    ] {
        let (code, _, err) = run(args);
        assert_ne!(code, Some(0), "{args:?}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }

    let trail: Vec<(String, String, String)> =
        sqlx::query_as("SELECT actor, kind, detail::text FROM audit.events ORDER BY seq")
            .fetch_all(&mut db)
            .await
            .expect("the trail");
    let kinds: Vec<&str> = trail.iter().map(|(_, kind, _)| kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "settings_change",
            "settings_change",
            "access_change",
            "access_change",
            "access_change"
        ],
        "{trail:#?}"
    );
    assert!(
        trail
            .iter()
            .all(|(actor, _, _)| actor.starts_with("database:")),
        "{trail:#?}"
    );
    assert!(
        trail[4].2.contains("\"revoke\": \"wellness-team\""),
        "{trail:#?}"
    );
}

#[tokio::test]
async fn the_campaign_kinds_of_the_scopes_follow_every_write_of_the_etl_role() {
    let (_dashboard, mut db) = migrated().await;
    let mut tx = db.begin().await.expect("begin");
    tx.execute("SET LOCAL ROLE outreach_etl")
        .await
        .expect("become the ETL");
    assert_eq!(campaign_kinds(&mut tx).await, Vec::new());
    tx.execute("INSERT INTO campaigns VALUES (gen_random_uuid(), 'X', 'Wellness', '2026-01-01', NULL, 'Active', 'SMS', now()),
                                             (gen_random_uuid(), 'Y', 'Wellness', '2026-01-01', NULL, 'Active', 'SMS', now())")
        .await
        .expect("the ETL writes campaigns");
    assert_eq!(
        campaign_kinds(&mut tx).await,
        vec![("Wellness".to_owned(), "SMS".to_owned())]
    );
    tx.execute("UPDATE campaigns SET campaign_type = 'Enrollment', channel = 'Push' WHERE campaign_name = 'Y'")
        .await
        .expect("the ETL changes a campaign's type");
    assert_eq!(
        campaign_kinds(&mut tx).await,
        vec![
            ("Enrollment".to_owned(), "Push".to_owned()),
            ("Wellness".to_owned(), "SMS".to_owned())
        ]
    );
    let denied = tx
        .execute("INSERT INTO auth.campaign_kinds VALUES ('Anything', 'SMS')")
        .await
        .expect_err("the ETL role does not write the scopes' table itself");
    assert_eq!(sqlstate(&denied).as_deref(), Some("42501"), "{denied}");
    tx.rollback().await.expect("rollback");
}

/// The scopes' (campaign type, channel) pairs, read as the owner (the ETL's role may not) from
/// inside a transaction acting as the ETL's role.
async fn campaign_kinds(conn: &mut sqlx::PgConnection) -> Vec<(String, String)> {
    conn.execute("SET LOCAL ROLE NONE").await.expect("reset");
    let kinds =
        sqlx::query_as("SELECT campaign_type, channel FROM auth.campaign_kinds ORDER BY 1, 2")
            .fetch_all(&mut *conn)
            .await
            .expect("kinds");
    conn.execute("SET LOCAL ROLE outreach_etl")
        .await
        .expect("become the ETL");
    kinds
}
