//! `outreach` through its real binary: with no configuration (the demo database, built on
//! first use), against PostgreSQL loaded by the ETL, and every bad input the issue lists, each
//! a one-line message and a non-zero exit.

use std::process::Output;

use outreach_testkit::TestDb;
use serde_json::Value;

use crate::helpers::{outreach, stores};

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Fails the test unless `output` is a clean refusal: non-zero exit, one `error:` line that
/// contains `says`, no panic or backtrace, nothing on stdout.
fn refused(output: &Output, says: &str) {
    let err = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "a bad input exits 1; stderr: {err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line, got: {err}");
    assert!(lines[0].starts_with("error:"), "{err}");
    assert!(err.contains(says), "expected {says:?} in: {err}");
    assert!(
        stdout(output).is_empty(),
        "nothing on stdout: {}",
        stdout(output)
    );
}

#[tokio::test]
async fn with_no_configuration_it_builds_and_reads_the_demo_database() {
    let home = tempfile::tempdir().expect("a home");
    let first = outreach(home.path())
        .args(["health", "--format", "json"])
        .output()
        .expect("run outreach");
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("building the demo database"),
        "{}",
        stderr(&first)
    );
    let health: Value = serde_json::from_slice(&first.stdout).expect("health as JSON");
    assert_eq!(health["store"], "sqlite");
    assert_eq!(health["reachable"], true);
    // Built as of the end of today: its data is fresh, never of negative age.
    let age = health["data_age_seconds"].as_i64().expect("a data age");
    assert!((0..2 * 86_400).contains(&age), "data age {age}");
    assert!(
        home.path()
            .join("data/outreach-dashboard/demo.sqlite")
            .is_file()
    );

    // The second time it is there already, and every question answers.
    let summary = outreach(home.path())
        .args(["summary", "--format", "json"])
        .output()
        .expect("run outreach");
    assert!(summary.status.success(), "{}", stderr(&summary));
    assert!(!stderr(&summary).contains("building"), "built once only");
    let summary: Value = serde_json::from_slice(&summary.stdout).expect("summary as JSON");
    assert!(
        summary["current"]["impressions"].as_i64().unwrap_or(0) > 0,
        "{summary}"
    );
    for args in [
        vec!["campaigns"],
        vec!["trend", "--metric", "opt_out_rate", "--interval", "month"],
        vec!["segments"],
        vec!["health"],
    ] {
        let output = outreach(home.path())
            .args(&args)
            .output()
            .expect("run outreach");
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        assert!(!stdout(&output).is_empty(), "{args:?} printed nothing");
    }

    // A demo built by another version (here: its newest migration undone) is rebuilt.
    let demo = home.path().join("data/outreach-dashboard/demo.sqlite");
    {
        use sqlx::Connection as _;
        let mut lite = sqlx::SqliteConnection::connect(&format!("sqlite://{}", demo.display()))
            .await
            .expect("open the demo");
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)")
            .execute(&mut lite)
            .await
            .expect("age the demo");
        lite.close().await.expect("close");
    }
    let again = outreach(home.path())
        .args(["health", "--format", "json"])
        .output()
        .expect("run outreach");
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("rebuilding it"),
        "{}",
        stderr(&again)
    );
    let health: Value = serde_json::from_slice(&again.stdout).expect("health as JSON");
    assert_eq!(health["schema_version"], health["expected_schema_version"]);
}

#[tokio::test]
async fn against_postgresql_it_prints_tables_json_and_csv() {
    let stores = stores().await;
    let home = tempfile::tempdir().expect("a home");
    let run = |args: &[&str]| {
        let output = outreach(home.path())
            .arg("--database")
            .arg(stores.postgres.url())
            .args(args)
            .output()
            .expect("run outreach");
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        output
    };
    let range = ["--start", "2026-09-01", "--end", "2026-11-27"];

    let summary: Value = serde_json::from_slice(
        &run(&[
            &["summary", "--format", "json", "--channel", "SMS"][..],
            &range,
        ]
        .concat())
        .stdout,
    )
    .expect("summary JSON");
    for metric in [
        "reach",
        "impressions",
        "opens",
        "clicks",
        "engaged",
        "conversions",
        "opt_outs",
        "sent",
        "bounces",
        "engagement_rate",
        "conversion_rate",
        "opt_out_rate",
        "delivery_rate",
    ] {
        assert!(
            summary["current"].get(metric).is_some(),
            "current has {metric}: {summary}"
        );
        assert!(
            summary["previous"].get(metric).is_some(),
            "previous has {metric}: {summary}"
        );
    }
    assert_eq!(summary["range"]["start"], "2026-09-01");
    assert_eq!(summary["previous_range"]["end"], "2026-08-31");

    // The same question through the library gives the same numbers.
    let dashboard = outreach_backend::Dashboard::connect(stores.postgres.url())
        .await
        .expect("connect");
    let filter = outreach_model::Filter {
        channels: vec![outreach_model::Channel::Sms],
        ..outreach_model::Filter::new(
            outreach_model::DateRange::new(
                time::macros::date!(2026 - 09 - 01),
                time::macros::date!(2026 - 11 - 27),
            )
            .expect("range"),
        )
    };
    let expected =
        serde_json::to_value(dashboard.summary(&filter).await.expect("summary")).expect("json");
    assert_eq!(summary, expected);

    // CSV reads back with a CSV reader: a header of metric names and one row per campaign.
    let csv = run(&[
        &["campaigns", "--format", "csv", "--sort", "opt_out_rate"][..],
        &range,
    ]
    .concat());
    let mut reader = csv::Reader::from_reader(&csv.stdout[..]);
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert!(
        header.contains(&"opt_out_rate".to_owned()) && header.contains(&"campaign_name".to_owned())
    );
    let rows = reader.records().count();
    let listed = dashboard
        .campaigns(
            &outreach_model::Filter::new(filter.range),
            None,
            outreach_model::CampaignSort::Name.into(),
            outreach_model::Page::default(),
        )
        .await
        .expect("campaigns");
    assert_eq!(rows, listed.campaigns.len());

    let campaign = listed.campaigns[0].campaign_id.to_string();
    let weekly: Value = serde_json::from_slice(
        &run(&[
            &[
                "metrics",
                &campaign,
                "--interval",
                "week",
                "--format",
                "json",
            ][..],
            &range,
        ]
        .concat())
        .stdout,
    )
    .expect("metrics JSON");
    assert_eq!(weekly["periods"][0]["start"], "2026-09-01");
    assert_eq!(
        weekly["periods"][1]["start"], "2026-09-07",
        "weeks start on Monday after the first"
    );

    let table = stdout(&run(&[
        &["trend", "--metric", "opt_out_rate", "--interval", "month"][..],
        &range,
    ]
    .concat()));
    assert!(
        table.contains("Total") && table.contains("2026-10-01") && table.contains('%'),
        "{table}"
    );
    let segments = stdout(&run(
        &[&["segments", "--campaign", &campaign][..], &range].concat()
    ));
    assert!(
        segments.contains("age_band") && segments.contains("<11"),
        "{segments}"
    );
    let health = stdout(&run(&["health"]));
    assert!(
        health.contains("postgres") && health.contains("UTC"),
        "{health}"
    );
}

#[tokio::test]
async fn bad_input_gets_one_line_that_says_what_to_do() {
    let home = tempfile::tempdir().expect("a home");
    let empty = TestDb::new("read_empty").await;
    // A database at a schema version newer than this build.
    let newer = TestDb::new("read_newer").await;
    {
        let mut conn = newer.connect().await;
        outreach_backend::schema::POSTGRES
            .run(&mut conn)
            .await
            .expect("migrate");
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (29990101000000, 'from the future', true, '\\x00', 0)",
        )
        .execute(&mut conn)
        .await
        .expect("pretend a newer migration");
    }
    let demo = home.path().join("data/outreach-dashboard/demo.sqlite");
    let with_db = |db: &str, args: &[&str]| {
        outreach(home.path())
            .arg("--database")
            .arg(db)
            .args(args)
            .output()
            .expect("run")
    };
    let current = outreach_backend::schema::version().to_string();

    refused(&with_db(empty.url(), &["summary"]), "schema version 0");
    refused(&with_db(empty.url(), &["summary"]), "outreach-etl migrate");
    refused(
        &with_db(newer.url(), &["health"]),
        &format!("this build reads version {current}: update Outreach Dashboard"),
    );
    refused(
        &with_db(
            "postgres://reader:hunter2secret@127.0.0.1:1/dashboard",
            &["health"],
        ),
        "cannot reach the dashboard database",
    );
    let unreachable = with_db(
        "postgres://reader:hunter2secret@127.0.0.1:1/dashboard",
        &["health"],
    );
    assert!(
        !stderr(&unreachable).contains("hunter2secret"),
        "the password never shows"
    );
    refused(
        &with_db("/nowhere/dashboard.sqlite", &["health"]),
        "no dashboard database file at /nowhere/dashboard.sqlite",
    );
    refused(
        &with_db("postgres://host:notaport/db", &["health"]),
        "the database URL is not valid",
    );

    // Input errors, against a real (demo) database.
    let ok = outreach(home.path())
        .args(["health"])
        .output()
        .expect("run");
    assert!(ok.status.success() && demo.is_file(), "{}", stderr(&ok));
    let demo = demo.display().to_string();
    refused(
        &with_db(&demo, &["metrics", "00000000-0000-4000-8000-000000000000"]),
        "there is no campaign 00000000-0000-4000-8000-000000000000",
    );
    refused(
        &with_db(
            &demo,
            &["summary", "--start", "2026-11-02", "--end", "2026-11-01"],
        ),
        "ends on 2026-11-01, before it",
    );

    // Values clap parses with the model's parsers: its usage errors exit 2.
    for (args, says) in [
        (vec!["summary", "--start", "2026-13-01"], "YYYY-MM-DD"),
        (
            vec!["summary", "--channel", "Fax"],
            "expected one of Email, SMS, Push",
        ),
        (vec!["trend", "--metric", "ctr"], "expected one of reach"),
        (
            vec!["trend", "--metric", "reach", "--interval", "fortnight"],
            "expected one of day, week, month",
        ),
        (vec!["metrics", "not-a-uuid"], "is not a campaign id"),
        (
            vec!["campaigns", "--sort", "popularity"],
            "name, start_date",
        ),
    ] {
        let output = with_db(&demo, &args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: expected {says:?} in {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let output = with_db(&demo, &["campaigns", "--page", "0"]);
    refused(&output, "pages start at 1");

    // A broken config file is named, with what it should hold.
    std::fs::create_dir_all(home.path().join("config/outreach-dashboard")).expect("config dir");
    std::fs::write(
        home.path().join("config/outreach-dashboard/config.toml"),
        "database_url = [1",
    )
    .expect("write config");
    refused(
        &outreach(home.path())
            .args(["health"])
            .output()
            .expect("run"),
        "config.toml is not valid",
    );

    // Each layer of the configuration wins over the ones before: the flag over the variable,
    // the variable over the file (the database each names is missing, so the message says
    // which one was read).
    std::fs::write(
        home.path().join("config/outreach-dashboard/config.toml"),
        "database_url = \"/nowhere/from-the-file.sqlite\"\n[ranking]\nmin_volume = 5\n",
    )
    .expect("write config");
    let layered = |variable: Option<&str>, flag: Option<&str>| {
        let mut command = outreach(home.path());
        if let Some(url) = variable {
            command.env("OUTREACH_DATABASE_URL", url);
        }
        if let Some(url) = flag {
            command.args(["--database", url]);
        }
        command.arg("health").output().expect("run")
    };
    refused(&layered(None, None), "/nowhere/from-the-file.sqlite");
    refused(
        &layered(Some("/nowhere/from-the-variable.sqlite"), None),
        "/nowhere/from-the-variable.sqlite",
    );
    refused(
        &layered(
            Some("/nowhere/from-the-variable.sqlite"),
            Some("/nowhere/from-the-flag.sqlite"),
        ),
        "/nowhere/from-the-flag.sqlite",
    );
    // A variable of the wrong type is named.
    let output = outreach(home.path())
        .env("OUTREACH_RANKING_MIN_VOLUME", "lots")
        .args(["--database", &demo, "ranking"])
        .output()
        .expect("run");
    refused(&output, "OUTREACH_RANKING_MIN_VOLUME is not valid");
    // The file's minimum volume, and the flag's over it, reach the ranking.
    let ranking = |extra: &[&str]| -> Value {
        let output = outreach(home.path())
            .args(["--database", &demo, "--format", "json", "ranking"])
            .args(extra)
            .output()
            .expect("run");
        assert!(output.status.success(), "{}", stderr(&output));
        serde_json::from_slice(&output.stdout).expect("ranking JSON")
    };
    assert_eq!(ranking(&[])["min_volume"], 5);
    assert_eq!(ranking(&["--min-volume", "250"])["min_volume"], 250);
    let output = outreach(home.path())
        .args(["--database", &demo, "ranking", "--metric", "reach"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}
