//! Reach over a range from the stored sketches is within the documented error of the truth.

use std::collections::BTreeSet;

use outreach_backend::reach::Sketch;
use outreach_testkit::TestDb;
use sqlx::PgConnection;
use time::Date;
use time::macros::date;
use uuid::Uuid;

use crate::helpers::*;

/// The documented bound (docs/metrics.md): 2% relative error, 3.5 standard errors at 2^15 registers.
const BOUND: f64 = 0.02;

async fn true_reach(wh: &mut PgConnection, campaigns: &[Uuid], start: Date, end: Date) -> i64 {
    sqlx::query_scalar(
        "WITH first_delivery AS (
             SELECT campaign_id, message_id, min(member_id) AS member_id, min(event_ts) AS at
             FROM warehouse.outreach_events WHERE event_type = 'delivered' GROUP BY 1, 2
         )
         SELECT count(DISTINCT member_id) FROM first_delivery
         WHERE campaign_id = ANY($1) AND (at AT TIME ZONE 'UTC')::date BETWEEN $2 AND $3",
    )
    .bind(campaigns)
    .bind(start)
    .bind(end)
    .fetch_one(wh)
    .await
    .expect("true reach")
}

async fn campaign_sketch(
    db: &mut PgConnection,
    campaigns: &[Uuid],
    start: Date,
    end: Date,
) -> Sketch {
    let blobs: Vec<Vec<u8>> = sqlx::query_scalar(
        "SELECT sketch FROM campaign_reach_sketches WHERE campaign_id = ANY($1) AND metric_date BETWEEN $2 AND $3",
    )
    .bind(campaigns)
    .bind(start)
    .bind(end)
    .fetch_all(db)
    .await
    .expect("read sketches");
    merged(&blobs)
}

async fn channel_sketch(
    db: &mut PgConnection,
    channels: &[&str],
    start: Date,
    end: Date,
) -> Sketch {
    let blobs: Vec<Vec<u8>> = sqlx::query_scalar(
        "SELECT sketch FROM reach_rollups WHERE scope = ANY($1) AND period = 'day' AND period_start BETWEEN $2 AND $3",
    )
    .bind(channels)
    .bind(start)
    .bind(end)
    .fetch_all(db)
    .await
    .expect("read rollups");
    merged(&blobs)
}

fn merged(blobs: &[Vec<u8>]) -> Sketch {
    let mut sketch = Sketch::default();
    for blob in blobs {
        sketch.merge(&Sketch::from_bytes(blob).expect("a stored sketch"));
    }
    sketch
}

fn assert_close(what: &str, estimate: f64, truth: i64) {
    assert!(
        truth > 300,
        "{what}: a range with enough members to mean something ({truth})"
    );
    let error = (estimate - truth as f64).abs() / truth as f64;
    assert!(
        error <= BOUND,
        "{what}: estimate {estimate:.0} vs {truth} ({:.2}%)",
        error * 100.0
    );
}

#[tokio::test]
async fn range_reach_from_sketches_is_within_two_percent() {
    let warehouse = warehouse(&options(25_000, 30, 120, 111)).await;
    let dashboard = TestDb::new("dashboard").await;
    etl(&warehouse, &dashboard, false, None).await;
    let mut wh = warehouse.connect().await;
    let mut db = dashboard.connect().await;
    let all: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT campaign_id, channel FROM campaigns ORDER BY campaign_id")
            .fetch_all(&mut db)
            .await
            .expect("campaigns");
    let ids: Vec<Uuid> = all.iter().map(|c| c.0).collect();
    let sms: Vec<Uuid> = all.iter().filter(|c| c.1 == "SMS").map(|c| c.0).collect();
    let busiest: Uuid = sqlx::query_scalar(
        "SELECT campaign_id FROM campaign_metrics_daily GROUP BY 1 ORDER BY sum(total_reach) DESC LIMIT 1",
    )
    .fetch_one(&mut db)
    .await
    .expect("busiest campaign");

    let whole = (date!(2026 - 07 - 31), date!(2026 - 11 - 27));
    let month = (date!(2026 - 10 - 28), date!(2026 - 11 - 27));
    // (what, campaigns, channel rollups to read instead of campaign sketches, range)
    type Case<'a> = (&'a str, Vec<Uuid>, Option<Vec<&'a str>>, (Date, Date));
    let cases: Vec<Case> = vec![
        ("one campaign, whole history", vec![busiest], None, whole),
        (
            "all campaigns, last 30 days, from channel rollups",
            ids.clone(),
            Some(vec!["Email", "SMS", "Push"]),
            month,
        ),
        (
            "SMS, whole history, from channel rollups",
            sms.clone(),
            Some(vec!["SMS"]),
            whole,
        ),
        (
            "SMS campaigns, last 30 days, from campaign sketches",
            sms,
            None,
            month,
        ),
        (
            "every campaign, two weeks",
            ids.clone(),
            None,
            (date!(2026 - 09 - 01), date!(2026 - 09 - 14)),
        ),
    ];
    for (what, campaigns, channels, (start, end)) in cases {
        let truth = true_reach(&mut wh, &campaigns, start, end).await;
        let sketch = match channels {
            Some(channels) => channel_sketch(&mut db, &channels, start, end).await,
            None => campaign_sketch(&mut db, &campaigns, start, end).await,
        };
        assert_close(what, sketch.estimate(), truth);
    }

    // Why the sketches exist: summing daily reach counts a member once per day and campaign.
    let summed: i64 =
        sqlx::query_scalar("SELECT sum(total_reach)::bigint FROM campaign_metrics_daily")
            .fetch_one(&mut db)
            .await
            .expect("summed reach");
    let distinct = true_reach(&mut wh, &ids, whole.0, whole.1).await;
    assert!(
        summed > distinct * 11 / 10,
        "summed daily reach {summed} overcounts {distinct}"
    );
    let days: BTreeSet<Date> = sqlx::query_scalar(
        "SELECT period_start FROM reach_rollups WHERE period = 'day' AND scope = 'All'",
    )
    .fetch_all(&mut db)
    .await
    .expect("rollup days")
    .into_iter()
    .collect();
    assert!(
        days.len() > 100,
        "a rollup for every day with deliveries: {}",
        days.len()
    );

    // Each stored estimate is its sketch's count, which the readers take in its place.
    for table in ["reach_rollups", "campaign_reach_rollups"] {
        let rows: Vec<(Vec<u8>, Option<i64>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT sketch, reach FROM {table}"
        )))
        .fetch_all(&mut db)
        .await
        .expect("stored estimates");
        assert!(rows.len() > 100, "{table}: {} rows", rows.len());
        for (bytes, reach) in rows {
            let count = Sketch::from_bytes(&bytes).expect("a stored sketch").count();
            assert_eq!(reach, Some(count as i64), "{table}: an estimate");
        }
    }
}
