//! The scale dataset (`outreach-etl scale`): dashboard-level rows that keep the invariants of
//! what the ETL writes, rollups the readers can use, and a refusal to write into a database that
//! already holds campaigns.

use outreach_backend::reach::Sketch;
use outreach_testkit::TestDb;
use sqlx::Row;

use crate::helpers::*;

#[tokio::test]
async fn the_scale_dataset_adds_up_and_goes_only_into_an_empty_database() {
    let dashboard = TestDb::new("scale").await;
    let args = [
        "scale",
        "--dashboard",
        dashboard.url(),
        "--campaigns",
        "12",
        "--days",
        "120",
        "--members",
        "20000",
        "--end-date",
        "2026-11-27",
    ];
    let done = etl_binary()
        .args(args)
        .output()
        .expect("run outreach-etl scale");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let mut db = dashboard.connect().await;

    // A day's totals are the sums of its segments' counts.
    let mismatched: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM campaign_metrics_daily d
         LEFT JOIN (SELECT campaign_id, interaction_date,
                           sum(count) FILTER (WHERE interaction_type = 'Delivered') AS delivered,
                           sum(count) FILTER (WHERE interaction_type = 'OptOut') AS opt_outs
                    FROM member_interactions GROUP BY 1, 2) i
           ON i.campaign_id = d.campaign_id AND i.interaction_date = d.metric_date
         WHERE d.total_impressions IS DISTINCT FROM i.delivered
            OR d.total_opt_outs IS DISTINCT FROM coalesce(i.opt_outs, 0)
            OR d.total_sent < d.total_impressions",
    )
    .fetch_one(&mut db)
    .await
    .expect("compare totals");
    assert_eq!(
        mismatched, 0,
        "days whose totals are not their segments' sums"
    );

    // Each day's sketch counts that day's members (each reached once a day).
    let rows = sqlx::query(
        "SELECT d.total_reach, s.sketch FROM campaign_metrics_daily d
         JOIN campaign_reach_sketches s USING (campaign_id)
         WHERE s.metric_date = d.metric_date",
    )
    .fetch_all(&mut db)
    .await
    .expect("sketches");
    assert!(rows.len() > 200, "campaign-days: {}", rows.len());
    for row in &rows {
        let reach: i32 = row.get(0);
        let sketch = Sketch::from_bytes(row.get(1)).expect("a stored sketch");
        let estimate = sketch.estimate();
        assert!(
            (estimate - f64::from(reach)).abs() <= 0.02 * f64::from(reach) + 2.0,
            "reach {reach}, sketch {estimate}"
        );
    }

    // The rollups are built and hold every day.
    let (ready, days, rollup_days): (bool, i64, i64) = sqlx::query_as(
        "SELECT (SELECT rollups_ready FROM dashboard_settings),
                (SELECT count(DISTINCT metric_date) FROM campaign_metrics_daily),
                (SELECT count(*) FROM reach_rollups WHERE scope = 'All' AND period = 'day')",
    )
    .fetch_one(&mut db)
    .await
    .expect("rollups");
    assert!(ready);
    assert_eq!(days, rollup_days);

    // A second load is refused, and changes nothing.
    let before = checksums(&mut db, true).await;
    let again = etl_binary()
        .args(args)
        .output()
        .expect("run outreach-etl scale");
    assert_eq!(again.status.code(), Some(1));
    let message = String::from_utf8_lossy(&again.stderr);
    assert!(
        message.contains("already holds 12 campaigns") && message.contains("empty database"),
        "{message}"
    );
    assert_eq!(checksums(&mut db, true).await, before);
}
