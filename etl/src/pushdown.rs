//! The aggregation pushed down into the warehouse: one SQL statement computes every count per
//! campaign, day and segment, the reach sketch registers and the data-quality figures, so only
//! aggregates leave the warehouse (and no member id ever does).
//!
//! The statement comes in two heads over one body: a full head reads every event; an incremental
//! head reads only the events of the (campaign, member) pairs that have an event on one of the
//! affected campaign-days, which is everything those days' counts depend on (first-of-kind per
//! message, first conversion and opt-out per member and campaign).

use std::collections::BTreeSet;

use outreach_backend::reach::Sketch;
use outreach_model::{STATE_REGIONS, Segment};
use sqlx::{PgConnection, Row};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::aggregates::{Aggregates, CampaignDay};
use crate::source::OPT_OUT_REPLIES;
use crate::zone::ReportingZone;
use crate::EtlError;

macro_rules! full_head {
    () => {
        r#"
WITH keys AS (
    SELECT k.campaign_id, k.day FROM unnest($6::uuid[], $7::date[]) AS k(campaign_id, day)
),
ev AS (
    SELECT e.event_id, e.campaign_id, e.message_id, e.member_id, e.event_type, e.event_ts,
           e.is_machine_open,
           coalesce(e.event_type = 'responded'
               AND lower(btrim(e.reply_text, E' \t\n\r\x0B\x0C')) = ANY($2), false) AS is_opt_out_reply
    FROM warehouse.outreach_events e
),"#
    };
}

macro_rules! incremental_head {
    () => {
        r#"
WITH keys AS (
    SELECT DISTINCT k.campaign_id, k.day FROM unnest($6::uuid[], $7::date[]) AS k(campaign_id, day)
),
scope AS (
    SELECT DISTINCT e.campaign_id, e.member_id
    FROM keys k
    JOIN warehouse.outreach_events e
      ON e.campaign_id = k.campaign_id
     AND e.event_ts >= (k.day::timestamp AT TIME ZONE $1)
     AND e.event_ts < ((k.day + 1)::timestamp AT TIME ZONE $1)
),
ev AS (
    SELECT e.event_id, e.campaign_id, e.message_id, e.member_id, e.event_type, e.event_ts,
           e.is_machine_open,
           coalesce(e.event_type = 'responded'
               AND lower(btrim(e.reply_text, E' \t\n\r\x0B\x0C')) = ANY($2), false) AS is_opt_out_reply
    FROM scope s
    JOIN warehouse.outreach_events e ON e.campaign_id = s.campaign_id AND e.member_id = s.member_id
),"#
    };
}

macro_rules! body {
    () => {
        r#"
msg AS MATERIALIZED (
    SELECT campaign_id, message_id, min(member_id) AS member_id,
        min(event_ts) FILTER (WHERE event_type = 'sent') AS sent_at,
        min(event_ts) FILTER (WHERE event_type = 'delivered') AS delivered_at,
        min(event_ts) FILTER (WHERE event_type = 'bounced') AS bounced_at,
        min(event_ts) FILTER (WHERE event_type = 'opened' AND NOT is_machine_open) AS human_open_at,
        min(event_ts) FILTER (WHERE event_type = 'opened' AND is_machine_open) AS machine_open_at,
        min(event_ts) FILTER (WHERE event_type = 'clicked') AS click_at,
        min(event_ts) FILTER (WHERE (event_type = 'opened' AND NOT is_machine_open)
                                 OR event_type = 'clicked'
                                 OR (event_type = 'responded' AND NOT is_opt_out_reply)) AS engaged_at,
        min(event_ts) FILTER (WHERE event_type = 'converted') AS converted_at,
        min(event_ts) FILTER (WHERE event_type = 'unsubscribed' OR is_opt_out_reply) AS opt_out_at
    FROM ev
    GROUP BY campaign_id, message_id
),
mem AS (
    SELECT campaign_id, member_id, min(converted_at) AS converted_at, min(opt_out_at) AS opt_out_at
    FROM msg
    WHERE delivered_at IS NOT NULL AND (converted_at IS NOT NULL OR opt_out_at IS NOT NULL)
    GROUP BY campaign_id, member_id
),
reached AS (
    SELECT DISTINCT campaign_id, member_id, (delivered_at AT TIME ZONE $1)::date AS day
    FROM msg
    WHERE delivered_at IS NOT NULL
),
facts AS (
    SELECT m.campaign_id, m.member_id, (f.at AT TIME ZONE $1)::date AS day, f.measure
    FROM msg m
    CROSS JOIN LATERAL (VALUES
        (m.sent_at, 1), (m.bounced_at, 2), (m.delivered_at, 3), (m.human_open_at, 4),
        (m.machine_open_at, 5), (m.click_at, 6), (m.engaged_at, 7)
    ) AS f(at, measure)
    WHERE f.at IS NOT NULL AND (m.delivered_at IS NOT NULL OR f.measure IN (1, 2))
    UNION ALL
    SELECT campaign_id, member_id, (converted_at AT TIME ZONE $1)::date, 8 FROM mem WHERE converted_at IS NOT NULL
    UNION ALL
    SELECT campaign_id, member_id, (opt_out_at AT TIME ZONE $1)::date, 9 FROM mem WHERE opt_out_at IS NOT NULL
    UNION ALL
    SELECT campaign_id, member_id, day, 10 FROM reached
),
wanted AS (
    SELECT * FROM facts f
    WHERE $5 OR (f.campaign_id, f.day) IN (SELECT campaign_id, day FROM keys)
),
people AS (
    SELECT mb.member_id, mb.plan_type, mb.risk_tier, coalesce(r.region, 'Unknown') AS region,
        -- The days a member turns 18, 35, 50 and 65; a 29 February birthday turns on 1 March
        -- in other years (28 February plus one day).
        make_date(b.y + 18, b.m, least(b.d, 28)) + (b.d - least(b.d, 28)) AS turns_18,
        make_date(b.y + 35, b.m, least(b.d, 28)) + (b.d - least(b.d, 28)) AS turns_35,
        make_date(b.y + 50, b.m, least(b.d, 28)) + (b.d - least(b.d, 28)) AS turns_50,
        make_date(b.y + 65, b.m, least(b.d, 28)) + (b.d - least(b.d, 28)) AS turns_65
    FROM warehouse.members mb
    CROSS JOIN LATERAL (
        SELECT date_part('year', mb.date_of_birth)::int AS y,
               date_part('month', mb.date_of_birth)::int AS m,
               date_part('day', mb.date_of_birth)::int AS d
    ) AS b
    LEFT JOIN unnest($3::text[], $4::text[]) AS r(state, region) ON r.state = mb.state
),
seg AS (
    SELECT w.campaign_id, w.day, w.measure,
        CASE
            WHEN p.member_id IS NULL THEN 'Unknown'
            WHEN w.day < p.turns_18 THEN 'Under 18'
            WHEN w.day < p.turns_35 THEN '18-34'
            WHEN w.day < p.turns_50 THEN '35-49'
            WHEN w.day < p.turns_65 THEN '50-64'
            ELSE '65+'
        END AS age_band,
        coalesce(p.plan_type, 'Unknown') AS plan_type,
        coalesce(p.risk_tier, 'Unknown') AS risk_tier,
        coalesce(p.region, 'Unknown') AS region
    FROM wanted w
    LEFT JOIN people p ON p.member_id = w.member_id
),
registers AS (
    SELECT campaign_id, day, substring(h FROM 1 FOR 15)::integer AS register,
           max(coalesce(nullif(position(B'1' IN substring(h FROM 16)), 0), 50)) AS rank
    FROM (
        SELECT campaign_id, day, ('x' || substr(md5(member_id), 1, 16))::bit(64) AS h
        FROM reached
        WHERE $5 OR (campaign_id, day) IN (SELECT campaign_id, day FROM keys)
    ) AS hashed
    GROUP BY campaign_id, day, register
)
SELECT 'cell' AS kind, campaign_id, day, age_band, plan_type, risk_tier, region,
    count(*) FILTER (WHERE measure = 1) AS sent,
    count(*) FILTER (WHERE measure = 3) AS impressions,
    count(*) FILTER (WHERE measure = 10) AS reach,
    count(*) FILTER (WHERE measure = 2) AS bounces,
    count(*) FILTER (WHERE measure = 4) AS opens,
    count(*) FILTER (WHERE measure = 5) AS machine_opens,
    count(*) FILTER (WHERE measure = 6) AS clicks,
    count(*) FILTER (WHERE measure = 7) AS engaged,
    count(*) FILTER (WHERE measure = 8) AS conversions,
    count(*) FILTER (WHERE measure = 9) AS opt_outs,
    NULL::integer[] AS registers, NULL::integer[] AS ranks
FROM seg
GROUP BY campaign_id, day, age_band, plan_type, risk_tier, region
UNION ALL
SELECT 'sketch', campaign_id, day, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    array_agg(register ORDER BY register), array_agg(rank ORDER BY register)
FROM registers
GROUP BY campaign_id, day
UNION ALL
SELECT 'quality', NULL, NULL, NULL, NULL, NULL, NULL,
    (SELECT count(DISTINCT e.event_id)
     FROM msg u
     JOIN warehouse.outreach_events e
       ON e.campaign_id = u.campaign_id AND e.member_id = u.member_id AND e.message_id = u.message_id
     WHERE u.delivered_at IS NULL AND e.event_type NOT IN ('sent', 'bounced')),
    0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL
"#
    };
}

/// Every event of the warehouse.
pub const FULL_AGGREGATION: &str = concat!(full_head!(), body!());
/// Only the events the affected campaign-days depend on.
pub const INCREMENTAL_AGGREGATION: &str = concat!(incremental_head!(), body!());

/// The campaign-days whose counts can change because of events loaded after `since`: every day
/// with an event of a (campaign, member) pair that has a new event.
pub const AFFECTED_KEYS: &str = r#"
WITH changed AS (
    SELECT DISTINCT campaign_id, member_id
    FROM warehouse.outreach_events
    WHERE loaded_at > $2
)
SELECT DISTINCT e.campaign_id, (e.event_ts AT TIME ZONE $1)::date AS day
FROM changed c
JOIN warehouse.outreach_events e ON e.campaign_id = c.campaign_id AND e.member_id = c.member_id
"#;

/// What to aggregate.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Everything.
    Full,
    /// These campaign-days only.
    Keys(BTreeSet<CampaignDay>),
}

/// The campaign-days affected by events loaded after `since`.
pub async fn affected_keys(
    warehouse: &mut PgConnection,
    zone: &ReportingZone,
    since: OffsetDateTime,
) -> Result<BTreeSet<CampaignDay>, EtlError> {
    let rows = sqlx::query(AFFECTED_KEYS)
        .bind(zone.name())
        .bind(since)
        .fetch_all(&mut *warehouse)
        .await
        .map_err(EtlError::warehouse("finding the campaign-days that changed"))?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(EtlError::warehouse("reading the campaign-days that changed"))
}

/// Runs the aggregation in the warehouse and reads its result.
pub async fn aggregate(
    warehouse: &mut PgConnection,
    zone: &ReportingZone,
    scope: &Scope,
) -> Result<Aggregates, EtlError> {
    let (sql, full, keys) = match scope {
        Scope::Full => (FULL_AGGREGATION, true, BTreeSet::new()),
        Scope::Keys(keys) => (INCREMENTAL_AGGREGATION, false, keys.clone()),
    };
    let (key_campaigns, key_days): (Vec<Uuid>, Vec<Date>) = keys.into_iter().unzip();
    let (states, regions): (Vec<&str>, Vec<&str>) = STATE_REGIONS
        .iter()
        .map(|(state, region)| (*state, region.as_str()))
        .unzip();
    let rows = sqlx::query(sql)
        .bind(zone.name())
        .bind(OPT_OUT_REPLIES)
        .bind(states)
        .bind(regions)
        .bind(full)
        .bind(key_campaigns)
        .bind(key_days)
        .fetch_all(&mut *warehouse)
        .await
        .map_err(EtlError::warehouse("aggregating events in the warehouse"))?;

    let mut aggregates = Aggregates::default();
    for row in &rows {
        read_row(row, &mut aggregates)
            .map_err(EtlError::warehouse("reading the warehouse's aggregates"))?;
    }
    Ok(aggregates)
}

fn read_row(row: &sqlx::postgres::PgRow, aggregates: &mut Aggregates) -> Result<(), sqlx::Error> {
    let kind: &str = row.try_get("kind")?;
    match kind {
        "cell" => {
            let segment_key = format!(
                "{}/{}/{}/{}",
                row.try_get::<&str, _>("age_band")?,
                row.try_get::<&str, _>("plan_type")?,
                row.try_get::<&str, _>("risk_tier")?,
                row.try_get::<&str, _>("region")?
            );
            let segment: Segment = segment_key
                .parse()
                .map_err(|err| sqlx::Error::Decode(Box::new(err)))?;
            let counts = outreach_backend::metrics::Counts {
                sent: row.try_get("sent")?,
                impressions: row.try_get("impressions")?,
                reach: row.try_get("reach")?,
                bounces: row.try_get("bounces")?,
                opens: row.try_get("opens")?,
                machine_opens: row.try_get("machine_opens")?,
                clicks: row.try_get("clicks")?,
                engaged: row.try_get("engaged")?,
                conversions: row.try_get("conversions")?,
                opt_outs: row.try_get("opt_outs")?,
            };
            aggregates.cells.insert(
                (row.try_get("campaign_id")?, row.try_get("day")?, segment),
                counts,
            );
        }
        "sketch" => {
            let registers: Vec<i32> = row.try_get("registers")?;
            let ranks: Vec<i32> = row.try_get("ranks")?;
            let mut sketch = Sketch::default();
            for (register, rank) in registers.into_iter().zip(ranks) {
                let register = u16::try_from(register)
                    .ok()
                    .filter(|r| usize::from(*r) < outreach_backend::reach::REGISTERS);
                let rank = u8::try_from(rank)
                    .ok()
                    .filter(|r| (1..=outreach_backend::reach::MAX_RANK).contains(r));
                let (Some(register), Some(rank)) = (register, rank) else {
                    return Err(sqlx::Error::Decode("sketch register out of range".into()));
                };
                sketch.observe(register, rank);
            }
            aggregates
                .sketches
                .insert((row.try_get("campaign_id")?, row.try_get("day")?), sketch);
        }
        _ => aggregates.quality.undelivered_events = row.try_get("sent")?,
    }
    Ok(())
}
