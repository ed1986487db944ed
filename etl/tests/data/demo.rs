//! The embedded demo database: built with no server, and equal to the ETL's output on the same data.

use std::collections::BTreeMap;

use outreach_testkit::TestDb;
use sqlx::{Connection, Row};
use time::Date;

use crate::helpers::*;

#[tokio::test]
async fn the_demo_database_equals_the_etl_on_the_same_data() {
    let options = options(3_000, 24, 90, 2026);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo.sqlite");
    let summary = outreach_warehouse::demo::build(&path, &options)
        .await
        .expect("build the demo");
    assert!(
        summary.events > 5_000 && summary.campaign_days > 100,
        "{summary:?}"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers,
        vec![std::ffi::OsString::from("demo.sqlite")],
        "only the finished file is left"
    );

    let warehouse = warehouse(&options).await;
    let dashboard = TestDb::new("dashboard").await;
    etl(&warehouse, &dashboard, false, None).await;
    let mut pg = dashboard.connect().await;
    let expected = dashboard_daily(&mut pg).await;

    let mut sqlite =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", path.display()))
            .await
            .expect("open the demo");
    let rows = sqlx::query(
        "SELECT campaign_id, metric_date, total_sent, total_impressions, total_reach, total_bounces, total_opens,
                total_machine_opens, total_clicks, total_engaged, total_conversions, total_opt_outs,
                engagement_rate, conversion_rate, opt_out_rate, delivery_rate
         FROM campaign_metrics_daily",
    )
    .fetch_all(&mut sqlite)
    .await
    .expect("read the demo");
    let mut demo = BTreeMap::new();
    for row in rows {
        let id: String = row.get(0);
        let day: String = row.get(1);
        let day = Date::parse(
            &day,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .expect("a date");
        let counts = outreach_backend::metrics::Counts {
            sent: row.get(2),
            impressions: row.get(3),
            reach: row.get(4),
            bounces: row.get(5),
            opens: row.get(6),
            machine_opens: row.get(7),
            clicks: row.get(8),
            engaged: row.get(9),
            conversions: row.get(10),
            opt_outs: row.get(11),
        };
        let rates: [Option<f64>; 4] = [row.get(12), row.get(13), row.get(14), row.get(15)];
        demo.insert((id.parse().expect("a uuid"), day), (counts, rates));
    }
    assert_eq!(demo, expected);
    let interactions: i64 = sqlx::query_scalar("SELECT count(*) FROM member_interactions")
        .fetch_one(&mut sqlite)
        .await
        .expect("count");
    assert_eq!(
        interactions as usize,
        dashboard_interactions(&mut pg).await.len()
    );

    // The command prints what the database holds.
    let out = dir.path().join("cli.sqlite");
    let output = etl_binary()
        .args(["demo", "--out"])
        .arg(&out)
        .args([
            "--members",
            "500",
            "--campaigns",
            "6",
            "--days",
            "30",
            "--end-date",
            "2026-11-27",
        ])
        .output()
        .expect("run demo");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("6 campaigns") && stdout.contains("engagement"),
        "{stdout}"
    );
}
