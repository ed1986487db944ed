//! Every column the ETL writes equals the reference implementation and an independent SQL.

use std::collections::BTreeMap;

use outreach_backend::metrics::{Counts, daily_rate};
use outreach_etl::ReportingZone;
use outreach_model::{STATE_REGIONS, Segment};
use outreach_testkit::TestDb;
use outreach_warehouse::aggregates::{Aggregates, InteractionRow};
use outreach_warehouse::reference;
use sqlx::{PgConnection, Row};
use time::Date;
use uuid::Uuid;

use crate::helpers::*;

/// The metric definitions written a second way: dedupe with DISTINCT ON, firsts with
/// row_number(), opt-out replies with upper() and a regular expression, age with age().
const INDEPENDENT_SQL: &str = r#"
WITH e AS (
    SELECT DISTINCT ON (event_id) event_id, campaign_id, member_id, message_id, event_ts,
        CASE
            WHEN event_type = 'opened' AND is_machine_open THEN 'machine_open'
            WHEN event_type = 'opened' THEN 'human_open'
            WHEN event_type = 'unsubscribed' THEN 'opt_out'
            WHEN event_type = 'responded'
                 AND upper(regexp_replace(coalesce(reply_text, ''), '^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$', '', 'g'))
                     IN ('STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'OPT-OUT', 'REMOVE')
                THEN 'opt_out'
            WHEN event_type = 'responded' THEN 'reply'
            ELSE event_type
        END AS kind
    FROM warehouse.outreach_events
    ORDER BY event_id, loaded_at
),
delivered AS (SELECT DISTINCT message_id, member_id FROM e WHERE kind = 'delivered'),
ranked AS (
    SELECT e.campaign_id, e.member_id, e.kind, (e.event_ts AT TIME ZONE $1)::date AS day,
        d.message_id IS NOT NULL AS is_delivered,
        row_number() OVER (PARTITION BY e.message_id, e.member_id, e.kind ORDER BY e.event_ts) AS nth_of_kind,
        row_number() OVER (PARTITION BY e.message_id, e.member_id, e.kind IN ('human_open', 'clicked', 'reply')
                           ORDER BY e.event_ts) AS nth_engagement,
        row_number() OVER (PARTITION BY e.campaign_id, e.member_id, e.kind, d.message_id IS NOT NULL
                           ORDER BY e.event_ts) AS nth_for_member
    FROM e
    LEFT JOIN delivered d USING (message_id, member_id)
),
regions AS (SELECT * FROM unnest($2::text[], $3::text[]) AS r(state, region))
SELECT r.campaign_id, r.day,
    CASE
        WHEN m.member_id IS NULL THEN 'Unknown'
        WHEN date_part('year', age(r.day, m.date_of_birth)) < 18 THEN 'Under 18'
        WHEN date_part('year', age(r.day, m.date_of_birth)) < 35 THEN '18-34'
        WHEN date_part('year', age(r.day, m.date_of_birth)) < 50 THEN '35-49'
        WHEN date_part('year', age(r.day, m.date_of_birth)) < 65 THEN '50-64'
        ELSE '65+'
    END || '/' || coalesce(m.plan_type, 'Unknown') || '/' || coalesce(m.risk_tier, 'Unknown') || '/'
        || coalesce(g.region, 'Unknown') AS segment,
    count(*) FILTER (WHERE kind = 'sent' AND nth_of_kind = 1) AS sent,
    count(*) FILTER (WHERE kind = 'delivered' AND nth_of_kind = 1) AS impressions,
    count(DISTINCT r.member_id) FILTER (WHERE kind = 'delivered' AND nth_of_kind = 1) AS reach,
    count(*) FILTER (WHERE kind = 'bounced' AND nth_of_kind = 1) AS bounces,
    count(*) FILTER (WHERE kind = 'human_open' AND nth_of_kind = 1 AND is_delivered) AS opens,
    count(*) FILTER (WHERE kind = 'machine_open' AND nth_of_kind = 1 AND is_delivered) AS machine_opens,
    count(*) FILTER (WHERE kind = 'clicked' AND nth_of_kind = 1 AND is_delivered) AS clicks,
    count(*) FILTER (WHERE kind IN ('human_open', 'clicked', 'reply') AND nth_engagement = 1 AND is_delivered) AS engaged,
    count(*) FILTER (WHERE kind = 'converted' AND nth_for_member = 1 AND is_delivered) AS conversions,
    count(*) FILTER (WHERE kind = 'opt_out' AND nth_for_member = 1 AND is_delivered) AS opt_outs
FROM ranked r
LEFT JOIN warehouse.members m ON m.member_id = r.member_id
LEFT JOIN regions g ON g.state = m.state
GROUP BY 1, 2, 3
"#;

async fn independent(
    warehouse: &mut PgConnection,
    zone: &str,
) -> BTreeMap<(Uuid, Date, Segment), Counts> {
    let (states, regions): (Vec<&str>, Vec<&str>) =
        STATE_REGIONS.iter().map(|(s, r)| (*s, r.as_str())).unzip();
    let rows = sqlx::query(INDEPENDENT_SQL)
        .bind(zone)
        .bind(states)
        .bind(regions)
        .fetch_all(warehouse)
        .await
        .expect("the independent SQL runs");
    let mut cells = BTreeMap::new();
    for row in rows {
        let counts = Counts {
            sent: row.get("sent"),
            impressions: row.get("impressions"),
            reach: row.get("reach"),
            bounces: row.get("bounces"),
            opens: row.get("opens"),
            machine_opens: row.get("machine_opens"),
            clicks: row.get("clicks"),
            engaged: row.get("engaged"),
            conversions: row.get("conversions"),
            opt_outs: row.get("opt_outs"),
        };
        if !counts.is_empty() {
            let segment: Segment = row
                .get::<String, _>("segment")
                .parse()
                .expect("a segment key");
            cells.insert((row.get("campaign_id"), row.get("day"), segment), counts);
        }
    }
    cells
}

fn as_aggregates(cells: BTreeMap<(Uuid, Date, Segment), Counts>) -> Aggregates {
    Aggregates {
        cells,
        ..Aggregates::default()
    }
}

/// The three ways agree in `zone` over `days` of history ending 2026-11-27 (the warehouse
/// changed first by `add`, SQL, when given); gives the days that have data and the warehouse
/// they came from.
async fn check_agreement(
    zone: &str,
    seed: u64,
    days: u32,
    add: Option<&str>,
) -> (std::collections::BTreeSet<Date>, TestDb) {
    let options = options(4_000, 40, days, seed);
    let warehouse = warehouse(&options).await;
    if let Some(add) = add {
        let mut wh = warehouse.connect().await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(add.to_owned()))
            .execute(&mut wh)
            .await
            .expect("add to the warehouse");
    }
    let dashboard = TestDb::new("dashboard").await;
    let report = etl(&warehouse, &dashboard, false, Some(zone)).await;
    assert!(report.full, "the first run of a dashboard is a full one");

    let mut wh = warehouse.connect().await;
    let events = read_events(&mut wh).await;
    let members = read_members(&mut wh).await;
    let reference =
        reference::aggregate(&events, &members, &ReportingZone::new(zone).expect("zone"));
    let independent = as_aggregates(independent(&mut wh, zone).await);
    let mut db = dashboard.connect().await;
    let stored = dashboard_daily(&mut db).await;
    assert!(
        stored.len() > 300,
        "a realistic number of campaign-days: {}",
        stored.len()
    );

    // campaign_metrics_daily: every count and every stored rate.
    let expected: BTreeMap<(Uuid, Date), Counts> = reference
        .daily_rows()
        .into_iter()
        .map(|row| ((row.campaign_id, row.metric_date), row.counts))
        .collect();
    let from_sql: BTreeMap<(Uuid, Date), Counts> = independent
        .daily_rows()
        .into_iter()
        .map(|row| ((row.campaign_id, row.metric_date), row.counts))
        .collect();
    let stored_counts: BTreeMap<(Uuid, Date), Counts> =
        stored.iter().map(|(k, (c, _))| (*k, *c)).collect();
    assert_eq!(
        stored_counts.len(),
        expected.len(),
        "campaign-days: dashboard vs reference"
    );
    for (key, counts) in &expected {
        assert_eq!(
            stored_counts.get(key),
            Some(counts),
            "{key:?}: dashboard vs reference"
        );
        assert_eq!(
            from_sql.get(key),
            Some(counts),
            "{key:?}: independent SQL vs reference"
        );
        let (_, rates) = &stored[key];
        assert_eq!(
            rates,
            &[
                daily_rate(counts.engagement_rate()),
                daily_rate(counts.conversion_rate()),
                daily_rate(counts.opt_out_rate()),
                daily_rate(counts.delivery_rate()),
            ],
            "{key:?}: stored rates"
        );
    }
    assert_eq!(
        from_sql.len(),
        expected.len(),
        "campaign-days: independent SQL vs reference"
    );

    // member_interactions: every row.
    let mut expected_rows: Vec<InteractionRow> = reference.interaction_rows();
    expected_rows.sort();
    let mut sql_rows = independent.interaction_rows();
    sql_rows.sort();
    let stored_rows = dashboard_interactions(&mut db).await;
    assert!(stored_rows.len() > 5_000, "{}", stored_rows.len());
    assert_eq!(
        stored_rows, expected_rows,
        "member_interactions: dashboard vs reference"
    );
    assert_eq!(
        sql_rows, expected_rows,
        "member_interactions: independent SQL vs reference"
    );

    // Data quality figures of the run.
    assert_eq!(report.events_read, reference.quality.events_read);
    assert_eq!(report.duplicate_events, reference.quality.duplicate_events);
    assert_eq!(
        report.undelivered_events,
        reference.quality.undelivered_events
    );
    assert!(report.duplicate_events > 0 && report.undelivered_events > 0);

    // Reach sketches: stored sketch per campaign-day is the reference's.
    let sketches: Vec<(Uuid, Date, Vec<u8>)> =
        sqlx::query_as("SELECT campaign_id, metric_date, sketch FROM campaign_reach_sketches")
            .fetch_all(&mut db)
            .await
            .expect("read sketches");
    assert_eq!(sketches.len(), reference.sketches.len());
    for (campaign, day, bytes) in sketches {
        assert_eq!(
            bytes,
            reference.sketches[&(campaign, day)].to_bytes(),
            "sketch of {campaign} on {day}"
        );
    }
    (stored.keys().map(|(_, day)| *day).collect(), warehouse)
}

#[tokio::test]
async fn every_column_equals_the_reference_and_an_independent_sql_in_utc() {
    check_agreement("UTC", 11, 75, None).await;
}

#[tokio::test]
async fn days_follow_the_reporting_time_zone() {
    // Sends happen 13:00-23:00 UTC, so in Honolulu many fall on the previous calendar day.
    check_agreement("Pacific/Honolulu", 12, 75, None).await;
}

#[tokio::test]
async fn days_follow_daylight_saving_time_on_both_transition_days() {
    // New York springs forward on 8 March 2026 and falls back on 1 November: the hour that
    // does not exist and the one that happens twice are counted on their local days.
    // The generator sends from 13:00 to 23:00 UTC, so nothing falls near a transition's
    // midnight: a message is added, sent at 04:30 UTC on the day after each transition (in New
    // York 00:30 on 9 March, summer time, and 23:30 on 1 November, winter time; at the other
    // season's offset each would fall on the other side of midnight).
    let around_midnight = "INSERT INTO warehouse.outreach_events
        SELECT DISTINCT ON ((event_ts AT TIME ZONE 'UTC')::date)
               gen_random_uuid(), campaign_id, member_id, gen_random_uuid(), 'sent',
               ((event_ts AT TIME ZONE 'UTC')::date + time '04:30') AT TIME ZONE 'UTC',
               loaded_at, false, NULL
        FROM warehouse.outreach_events
        WHERE event_type = 'sent'
          AND (event_ts AT TIME ZONE 'UTC')::date IN ('2026-03-09', '2026-11-02')
        ORDER BY (event_ts AT TIME ZONE 'UTC')::date, event_id";
    let (days, warehouse) =
        check_agreement("America/New_York", 13, 270, Some(around_midnight)).await;
    for transition in [
        time::macros::date!(2026 - 03 - 08),
        time::macros::date!(2026 - 11 - 01),
    ] {
        assert!(days.contains(&transition), "data on {transition}");
    }
    // The agreement shows daylight saving time only if the data holds events whose day a fixed
    // offset gets wrong: in summer time at UTC-5 (winter's offset all year), in winter time at
    // UTC-4 (summer's), and around each transition's own midnight.
    let mut wh = warehouse.connect().await;
    let (summer, winter, near): (i64, i64, i64) = sqlx::query_as(
        "WITH e AS (
            SELECT (event_ts AT TIME ZONE 'America/New_York')::date AS local,
                   ((event_ts AT TIME ZONE 'UTC') - interval '5 hours')::date AS at_minus_5,
                   ((event_ts AT TIME ZONE 'UTC') - interval '4 hours')::date AS at_minus_4
            FROM warehouse.outreach_events)
         SELECT count(*) FILTER (WHERE local <> at_minus_5),
                count(*) FILTER (WHERE local <> at_minus_4),
                count(*) FILTER (WHERE local <> at_minus_5 AND local IN ('2026-03-09', '2026-03-10')
                                    OR local <> at_minus_4 AND local IN ('2026-11-01', '2026-11-02'))
         FROM e",
    )
    .fetch_one(&mut wh)
    .await
    .expect("count the events a fixed offset puts on another day");
    assert!(
        summer > 0 && winter > 0 && near == 2,
        "events a fixed offset would misplace: {summer} at UTC-5, {winter} at UTC-4, {near} by the transitions"
    );
}
