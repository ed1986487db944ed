//! The synthetic warehouse is deterministic and realistic.

use sqlx::{PgConnection, Row};

use crate::helpers::*;

async fn events_checksum(wh: &mut PgConnection) -> String {
    sqlx::query_scalar(
        "SELECT md5(string_agg(e::text, ',' ORDER BY e::text)) FROM warehouse.outreach_events e",
    )
    .fetch_one(wh)
    .await
    .expect("checksum")
}

async fn ratio(wh: &mut PgConnection, sql: &'static str) -> f64 {
    sqlx::query_scalar::<_, f64>(sql)
        .fetch_one(wh)
        .await
        .expect(sql)
}

#[tokio::test]
async fn same_seed_same_data_and_the_data_looks_like_outreach() {
    let first = warehouse(&options(6_000, 80, 120, 7)).await;
    let second = warehouse(&options(6_000, 80, 120, 7)).await;
    let other = warehouse(&options(6_000, 80, 120, 8)).await;
    let (mut a, mut b, mut c) = (
        first.connect().await,
        second.connect().await,
        other.connect().await,
    );
    assert_eq!(
        events_checksum(&mut a).await,
        events_checksum(&mut b).await,
        "deterministic for a seed"
    );
    assert_ne!(
        events_checksum(&mut a).await,
        events_checksum(&mut c).await,
        "another seed, other data"
    );

    let statuses: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT status FROM warehouse.campaigns ORDER BY 1")
            .fetch_all(&mut a)
            .await
            .expect("statuses");
    assert_eq!(
        statuses,
        [
            "Active",
            "Cancelled",
            "Completed",
            "Draft",
            "Paused",
            "Scheduled"
        ]
    );
    let open_ended: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM warehouse.campaigns WHERE end_date IS NULL AND status = 'Active'",
    )
    .fetch_one(&mut a)
    .await
    .expect("open-ended");
    assert!(open_ended > 0, "some active campaigns are open-ended");

    let duplicates = ratio(&mut a, "SELECT (count(*) - count(DISTINCT event_id))::float8 / count(*) FROM warehouse.outreach_events").await;
    assert!(
        (0.005..0.015).contains(&duplicates),
        "about 1% repeated: {duplicates}"
    );
    let late = ratio(&mut a, "SELECT avg((loaded_at - event_ts > interval '1 day')::int)::float8 FROM warehouse.outreach_events").await;
    assert!(
        (0.02..0.05).contains(&late),
        "a few percent days late: {late}"
    );
    let email = sqlx::query(
        "SELECT count(DISTINCT message_id) FILTER (WHERE event_type = 'delivered')::float8 AS delivered,
                count(DISTINCT message_id) FILTER (WHERE event_type = 'opened' AND NOT is_machine_open)::float8 AS human,
                count(DISTINCT message_id) FILTER (WHERE event_type = 'opened' AND is_machine_open)::float8 AS machine
         FROM warehouse.outreach_events e JOIN warehouse.campaigns c USING (campaign_id) WHERE c.channel = 'Email'",
    )
    .fetch_one(&mut a)
    .await
    .expect("email funnel");
    let (delivered, human, machine): (f64, f64, f64) = (email.get(0), email.get(1), email.get(2));
    let opens = (human + machine) / delivered;
    assert!(
        (0.20..0.70).contains(&opens),
        "email opens of delivered: {opens}"
    );
    assert!(
        machine / (human + machine) >= 1.0 / 3.0,
        "a third or more of opens are machine opens"
    );
    assert!(
        (0.15..0.40).contains(&(human / delivered)),
        "human opens: {}",
        human / delivered
    );

    let replies: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT reply_text FROM warehouse.outreach_events WHERE event_type = 'responded'",
    )
    .fetch_all(&mut a)
    .await
    .expect("replies");
    assert!(
        replies.iter().any(|r| r == "STOP") && replies.iter().any(|r| r == "stop"),
        "mixed case"
    );
    assert!(
        replies
            .iter()
            .any(|r| r.starts_with(' ') || r.ends_with(' ')),
        "with spaces"
    );
    let sms_clicks = ratio(&mut a, "SELECT count(*) FILTER (WHERE event_type = 'clicked')::float8 / count(*) FILTER (WHERE event_type = 'delivered') FROM warehouse.outreach_events e JOIN warehouse.campaigns c USING (campaign_id) WHERE c.channel = 'SMS'").await;
    assert!(
        (0.03..0.15).contains(&sms_clicks),
        "SMS clicks: {sms_clicks}"
    );

    let weekday = ratio(&mut a, "SELECT avg(CASE WHEN extract(isodow FROM event_ts) < 6 THEN 1 ELSE 0 END)::float8 FROM warehouse.outreach_events WHERE event_type = 'sent'").await;
    assert!(
        weekday > 5.0 / 7.0 + 0.05,
        "fewer sends at weekends: {weekday}"
    );

    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT anomaly_type FROM warehouse.injected_anomalies ORDER BY 1",
    )
    .fetch_all(&mut a)
    .await
    .expect("anomalies");
    assert_eq!(
        kinds,
        ["conversion_drop", "delivery_collapse", "opt_out_spike"]
    );
    // A delivery collapse shows in the data: bounces on its days far above the campaign's usual.
    let collapse = sqlx::query(
        "SELECT avg((e.event_type = 'bounced')::int) FILTER (WHERE e.event_ts::date BETWEEN a.start_date AND a.end_date)::float8,
                avg((e.event_type = 'bounced')::int) FILTER (WHERE e.event_ts::date NOT BETWEEN a.start_date AND a.end_date)::float8
         FROM warehouse.injected_anomalies a JOIN warehouse.outreach_events e USING (campaign_id)
         WHERE a.anomaly_type = 'delivery_collapse' AND e.event_type IN ('delivered', 'bounced')",
    )
    .fetch_one(&mut a)
    .await
    .expect("collapse");
    let (during, otherwise): (f64, f64) = (collapse.get(0), collapse.get(1));
    assert!(
        during > otherwise * 5.0,
        "bounce share {during} during the collapse vs {otherwise}"
    );

    // The contract's fallbacks are in the data, so the three-way ETL checks cover them: members
    // outside the US, events of members the CRM does not have, and messages whose events carry
    // two member ids.
    let outside: i64 =
        sqlx::query_scalar("SELECT count(*) FROM warehouse.members WHERE NOT (state = ANY($1))")
            .bind(
                outreach_model::STATE_REGIONS
                    .iter()
                    .map(|(code, _)| (*code).to_owned())
                    .collect::<Vec<_>>(),
            )
            .fetch_one(&mut a)
            .await
            .expect("members outside the US");
    assert!(outside > 0, "some members live outside the US");
    let unknown: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT e.message_id) FROM warehouse.outreach_events e
         WHERE NOT EXISTS (SELECT 1 FROM warehouse.members m WHERE m.member_id = e.member_id)",
    )
    .fetch_one(&mut a)
    .await
    .expect("messages to unknown members");
    assert!(unknown > 0, "some messages go to members the CRM lacks");
    let shared: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT message_id FROM warehouse.outreach_events
                               GROUP BY message_id HAVING count(DISTINCT member_id) > 1) AS m",
    )
    .fetch_one(&mut a)
    .await
    .expect("messages with two member ids");
    assert!(shared > 0, "some messages carry two member ids");
}
