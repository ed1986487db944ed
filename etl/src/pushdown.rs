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
use outreach_model::{AgeBand, PlanType, Region, RiskTier, STATE_REGIONS, Segment};
use sqlx::{PgConnection, Row};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::EtlError;
use outreach_warehouse::aggregates::{Aggregates, CampaignDay};
use outreach_warehouse::source::OPT_OUT_REPLIES;
use outreach_warehouse::zone::ReportingZone;

macro_rules! full_head {
    () => {
        r#"
WITH keys AS (
    SELECT k.campaign_id, k.day FROM unnest($6::uuid[], $7::date[]) AS k(campaign_id, day)
    WHERE $1::text IS NOT NULL
),
ev AS (
    SELECT e.event_id, e.campaign_id, e.message_id, e.member_id, e.event_type, e.event_ts,
           e.is_machine_open,
           coalesce(e.event_type = 'responded'
               AND lower(btrim(e.reply_text, E' \t\n\r\x0B\x0C')) = ANY($2), false) AS is_opt_out_reply
    FROM warehouse.outreach_events e
    WHERE ($10::text IS NULL OR e.member_id >= $10) AND ($11::text IS NULL OR e.member_id < $11)
),"#
    };
}

macro_rules! incremental_head {
    () => {
        r#"
WITH keys AS (
    SELECT DISTINCT k.campaign_id, k.day FROM unnest($6::uuid[], $7::date[]) AS k(campaign_id, day)
    WHERE $1::text IS NOT NULL
),
scope AS (
    -- LATERAL ... OFFSET 0 keeps these as index lookups per key instead of a hash join over
    -- every event.
    SELECT DISTINCT x.campaign_id, x.member_id
    FROM keys k
    CROSS JOIN LATERAL (
        SELECT e.campaign_id, e.member_id FROM warehouse.outreach_events e
        WHERE e.campaign_id = k.campaign_id
          AND e.event_ts >= k.day::timestamptz AND e.event_ts < (k.day + 1)::timestamptz
        OFFSET 0
    ) AS x
),
ev AS (
    SELECT e.event_id, e.campaign_id, e.message_id, e.member_id, e.event_type, e.event_ts,
           e.is_machine_open,
           coalesce(e.event_type = 'responded'
               AND lower(btrim(e.reply_text, E' \t\n\r\x0B\x0C')) = ANY($2), false) AS is_opt_out_reply
    FROM scope s
    CROSS JOIN LATERAL (
        SELECT * FROM warehouse.outreach_events o
        WHERE o.campaign_id = s.campaign_id AND o.member_id = s.member_id
        OFFSET 0
    ) AS e
    WHERE ($10::text IS NULL OR s.member_id >= $10) AND ($11::text IS NULL OR s.member_id < $11)
),"#
    };
}

macro_rules! firsts {
    () => {
        r#"
firsts AS (
    -- The first day of each kind of event of each message (copies of an event cannot change a
    -- first, so they need no removing here). The day of the first instant is the first day.
    -- A message with no delivery but events other than its send or bounce keeps its id, for the
    -- data-quality count.
    SELECT campaign_id, member_id,
        (min(event_ts) FILTER (WHERE event_type = 'sent'))::date AS sent_day,
        (min(event_ts) FILTER (WHERE event_type = 'delivered'))::date AS delivered_day,
        (min(event_ts) FILTER (WHERE event_type = 'bounced'))::date AS bounced_day,
        (min(event_ts) FILTER (WHERE event_type = 'opened' AND NOT is_machine_open))::date AS human_open_day,
        (min(event_ts) FILTER (WHERE event_type = 'opened' AND is_machine_open))::date AS machine_open_day,
        (min(event_ts) FILTER (WHERE event_type = 'clicked'))::date AS click_day,
        (min(event_ts) FILTER (WHERE (event_type = 'opened' AND NOT is_machine_open)
                                 OR event_type = 'clicked'
                                 OR (event_type = 'responded' AND NOT is_opt_out_reply)))::date AS engaged_day,
        (min(event_ts) FILTER (WHERE event_type = 'converted'))::date AS converted_day,
        (min(event_ts) FILTER (WHERE event_type = 'unsubscribed' OR is_opt_out_reply))::date AS opt_out_day,
        CASE WHEN min(event_ts) FILTER (WHERE event_type = 'delivered') IS NULL
                  AND bool_or(event_type NOT IN ('sent', 'bounced'))
             THEN message_id END AS undelivered_message
    FROM ev
    GROUP BY campaign_id, member_id, message_id
),
"#
    };
}

/// One member's segment parts and sketch register, from `warehouse.members mb`: the segment as a
/// number (age band, from the day, * 120 + plan * 24 + risk tier * 6 + region, each the 0-based
/// position in the model's lists); the days the member turns 18, 35, 50 and 65 (a 29 February
/// birthday turns on 1 March in other years: 28 February plus one day); and the HyperLogLog
/// register (top 15 bits of MD5) and rank (1 + leading zeros of the other 49 bits).
macro_rules! person {
    () => {
        r#"
    SELECT mb.member_id,
        (coalesce(array_position($8::text[], mb.plan_type), 5) - 1) * 24
            + (coalesce(array_position($9::text[], mb.risk_tier), 4) - 1) * 6
            + coalesce(($4::int[])[array_position($3::text[], mb.state)], 5) AS plan_tier_region,
        make_date(b.y + 18, b.m, least(b.d, 28)) + (b.d - least(b.d, 28)) AS turns_18,
        make_date(b.y + 35, b.m, least(b.d, 28)) + (b.d - least(b.d, 28)) AS turns_35,
        make_date(b.y + 50, b.m, least(b.d, 28)) + (b.d - least(b.d, 28)) AS turns_50,
        make_date(b.y + 65, b.m, least(b.d, 28)) + (b.d - least(b.d, 28)) AS turns_65,
        substring(h.bits FROM 1 FOR 15)::integer AS register,
        coalesce(nullif(position(B'1' IN substring(h.bits FROM 16)), 0), 50) AS rank
    FROM warehouse.members mb
    CROSS JOIN LATERAL (
        SELECT date_part('year', mb.date_of_birth)::int AS y,
               date_part('month', mb.date_of_birth)::int AS m,
               date_part('day', mb.date_of_birth)::int AS d
    ) AS b
    CROSS JOIN LATERAL (SELECT ('x' || substr(md5(mb.member_id), 1, 16))::bit(64) AS bits) AS h
"#
    };
}

/// A message's firsts with its member's parts from `p`; members missing from the CRM still
/// get a register and rank from their id.
macro_rules! msg_columns {
    () => {
        r#"
    SELECT f.*, p.member_id IS NOT NULL AS known, p.plan_tier_region,
        p.turns_18, p.turns_35, p.turns_50, p.turns_65,
        coalesce(p.register, substring(('x' || substr(md5(f.member_id), 1, 16))::bit(64) FROM 1 FOR 15)::integer) AS register,
        coalesce(p.rank, nullif(position(B'1' IN substring(('x' || substr(md5(f.member_id), 1, 16))::bit(64) FROM 16)), 0), 50) AS rank
    FROM firsts f
"#
    };
}

/// Full runs: every member of the part, joined by hash.
macro_rules! people_and_msg {
    () => {
        concat!(
            "people AS (",
            person!(),
            "    WHERE ($10::text IS NULL OR mb.member_id >= $10) AND ($11::text IS NULL OR mb.member_id < $11)\n),\nmsg AS MATERIALIZED (",
            msg_columns!(),
            "    LEFT JOIN people p ON p.member_id = f.member_id\n),\n"
        )
    };
}

/// Incremental runs: a lookup per message, for the few members of the run, without trusting
/// the planner's estimate of how few.
macro_rules! msg_by_lookup {
    () => {
        concat!(
            "msg AS MATERIALIZED (",
            msg_columns!(),
            "    LEFT JOIN LATERAL (",
            person!(),
            "    WHERE mb.member_id = f.member_id\n    OFFSET 0\n    ) AS p ON true\n),\n"
        )
    };
}

/// The segment number (see `person!`) of a member on `$day`, from their columns `known`,
/// `plan_tier_region` and `turns_18` .. `turns_65`: the age band is the one of that day.
macro_rules! segment_on {
    ($day:literal) => {
        concat!(
            "CASE WHEN NOT known THEN 719 WHEN ",
            $day,
            " < turns_18 THEN 0 WHEN ",
            $day,
            " < turns_35 THEN 120 WHEN ",
            $day,
            " < turns_50 THEN 240 WHEN ",
            $day,
            " < turns_65 THEN 360 ELSE 480 END + coalesce(plan_tier_region, 0)"
        )
    };
}

macro_rules! body {
    () => {
        concat!(
            r#"
mem AS (
    SELECT campaign_id, member_id, known, plan_tier_region, turns_18, turns_35, turns_50, turns_65,
        min(converted_day) AS converted_day, min(opt_out_day) AS opt_out_day
    FROM msg
    WHERE delivered_day IS NOT NULL AND (converted_day IS NOT NULL OR opt_out_day IS NOT NULL)
    GROUP BY campaign_id, member_id, known, plan_tier_region, turns_18, turns_35, turns_50, turns_65
),
reached AS (
    -- Each member reached on a day, once, with their segment that day (the same in each of
    -- their messages).
    SELECT campaign_id, delivered_day AS day,
        min("#,
            segment_on!("delivered_day"),
            r#") AS segment
    FROM msg
    WHERE delivered_day IS NOT NULL
    GROUP BY campaign_id, member_id, delivered_day
),
firsts_of_kind AS (
    -- Each first as a row: 1 sent, 2 bounced, 3 delivered (impressions), 4 human open,
    -- 5 machine open, 6 click, 7 engagement, 8 conversion, 9 opt-out.
    SELECT m.campaign_id, m.sent_day AS day, 1 AS measure, m.known, m.plan_tier_region,
        m.turns_18, m.turns_35, m.turns_50, m.turns_65
    FROM msg m WHERE m.sent_day IS NOT NULL
    UNION ALL
    SELECT m.campaign_id, m.bounced_day AS day, 2 AS measure, m.known, m.plan_tier_region,
        m.turns_18, m.turns_35, m.turns_50, m.turns_65
    FROM msg m WHERE m.bounced_day IS NOT NULL
    UNION ALL
    SELECT m.campaign_id, m.delivered_day AS day, 3 AS measure, m.known, m.plan_tier_region,
        m.turns_18, m.turns_35, m.turns_50, m.turns_65
    FROM msg m WHERE m.delivered_day IS NOT NULL
    UNION ALL
    SELECT m.campaign_id, m.human_open_day AS day, 4 AS measure, m.known, m.plan_tier_region,
        m.turns_18, m.turns_35, m.turns_50, m.turns_65
    FROM msg m WHERE m.human_open_day IS NOT NULL AND m.delivered_day IS NOT NULL
    UNION ALL
    SELECT m.campaign_id, m.machine_open_day AS day, 5 AS measure, m.known, m.plan_tier_region,
        m.turns_18, m.turns_35, m.turns_50, m.turns_65
    FROM msg m WHERE m.machine_open_day IS NOT NULL AND m.delivered_day IS NOT NULL
    UNION ALL
    SELECT m.campaign_id, m.click_day AS day, 6 AS measure, m.known, m.plan_tier_region,
        m.turns_18, m.turns_35, m.turns_50, m.turns_65
    FROM msg m WHERE m.click_day IS NOT NULL AND m.delivered_day IS NOT NULL
    UNION ALL
    SELECT m.campaign_id, m.engaged_day AS day, 7 AS measure, m.known, m.plan_tier_region,
        m.turns_18, m.turns_35, m.turns_50, m.turns_65
    FROM msg m WHERE m.engaged_day IS NOT NULL AND m.delivered_day IS NOT NULL
    UNION ALL
    SELECT m.campaign_id, m.converted_day AS day, 8 AS measure, m.known, m.plan_tier_region,
        m.turns_18, m.turns_35, m.turns_50, m.turns_65
    FROM mem m WHERE m.converted_day IS NOT NULL
    UNION ALL
    SELECT m.campaign_id, m.opt_out_day AS day, 9 AS measure, m.known, m.plan_tier_region,
        m.turns_18, m.turns_35, m.turns_50, m.turns_65
    FROM mem m WHERE m.opt_out_day IS NOT NULL
),
facts AS (
    -- Days are calendar days of the session's TimeZone, set to the reporting time zone.
    SELECT campaign_id, day, measure, "#,
            segment_on!("day"),
            r#" AS segment
    FROM firsts_of_kind
    UNION ALL
    SELECT campaign_id, day, 10, segment FROM reached
),
wanted AS (
    SELECT * FROM facts f
    WHERE $5 OR (f.campaign_id, f.day) IN (SELECT campaign_id, day FROM keys)
)
SELECT 'cell' AS kind, campaign_id, day, segment,
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
FROM wanted
GROUP BY campaign_id, day, segment
UNION ALL
-- Every delivered message's register and rank: the reader keeps each register's maximum, and a
-- member's register and rank are the same in each of their messages.
SELECT 'sketch', campaign_id, delivered_day, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, array_agg(register), array_agg(rank)
FROM msg
WHERE delivered_day IS NOT NULL
  AND ($5 OR (campaign_id, delivered_day) IN (SELECT campaign_id, day FROM keys))
GROUP BY campaign_id, delivered_day
UNION ALL
SELECT 'quality', NULL, NULL, NULL,
    -- Events of undelivered messages (in the column `sent`), found by a lookup per message.
    (SELECT count(DISTINCT e.event_id)
     FROM msg u
     CROSS JOIN LATERAL (
        SELECT o.event_id FROM warehouse.outreach_events o
        WHERE o.campaign_id = u.campaign_id AND o.member_id = u.member_id
          AND o.message_id = u.undelivered_message AND o.event_type NOT IN ('sent', 'bounced')
        OFFSET 0
     ) AS e
     WHERE u.undelivered_message IS NOT NULL),
    0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL
"#
        )
    };
}

// The SQL above numbers segments with these constants; they must match the model's lists.
const _: () = {
    assert!(AgeBand::ALL.len() == 6 && PlanType::ALL.len() == 5);
    assert!(RiskTier::ALL.len() == 4 && Region::ALL.len() == 6);
    assert!(Segment::COUNT == 720);
};

/// Memory the warehouse may use for each sort or hash of the aggregation.
pub const WORK_MEM: &str = "1GB";

/// Session settings of the ETL's warehouse transactions: memory for the big sorts and hashes;
/// no JIT, whose compile time (seconds for this statement) outweighed its gain; no parallel
/// workers inside a statement, since the ETL runs its own parts on their own connections; and the
/// reporting time zone as the session's, so `timestamptz::date` is the reporting day (a third
/// of the cost of `AT TIME ZONE` per row).
pub async fn configure(warehouse: &mut PgConnection, zone: &ReportingZone) -> Result<(), EtlError> {
    sqlx::query(
        "SELECT set_config('work_mem', $1, true), set_config('jit', 'off', true),
                set_config('TimeZone', $2, true), set_config('max_parallel_workers_per_gather', '0', true)",
    )
    .bind(WORK_MEM)
    .bind(zone.name())
        .execute(&mut *warehouse)
        .await
        .map_err(EtlError::warehouse("configuring the session"))?;
    Ok(())
}

/// Every event of the warehouse.
pub const FULL_AGGREGATION: &str = concat!(full_head!(), firsts!(), people_and_msg!(), body!());
/// Only the events the affected campaign-days depend on.
pub const INCREMENTAL_AGGREGATION: &str =
    concat!(incremental_head!(), firsts!(), msg_by_lookup!(), body!());

/// The campaign-days whose counts can change because of events loaded after `since`: the days
/// of every event of a message with a new event (its firsts of each kind can move), and, when
/// such a message carries a conversion or opt-out, the days of every conversion and opt-out of
/// that member in the campaign (the member's first can move, or start to count once a message
/// is delivered). A new message with neither leaves the member's older days alone.
pub const AFFECTED_KEYS: &str = r#"
WITH changed AS (
    SELECT DISTINCT campaign_id, member_id, message_id
    FROM warehouse.outreach_events
    WHERE loaded_at > $2
)
SELECT DISTINCT e.campaign_id, (e.event_ts AT TIME ZONE $1)::date AS day
FROM changed c
CROSS JOIN LATERAL (
    SELECT o.*,
        bool_or(o.message_id = c.message_id AND o.event_type IN ('converted', 'unsubscribed', 'responded'))
            OVER () AS member_level
    FROM warehouse.outreach_events o
    WHERE o.campaign_id = c.campaign_id AND o.member_id = c.member_id
    OFFSET 0
) AS e
WHERE e.message_id = c.message_id
   OR (e.member_level AND e.event_type IN ('converted', 'unsubscribed', 'responded'))
"#;

/// The full aggregation as a psql script with this run's binds written out, so the warehouse's
/// own time for it can be measured apart from ours.
pub fn psql_script(zone: &ReportingZone) -> String {
    let quote = |text: &str| format!("'{}'", text.replace('\'', "''"));
    let texts = |items: &[&str]| {
        format!(
            "ARRAY[{}]::text[]",
            items
                .iter()
                .map(|i| quote(i))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let binds = Binds::new();
    let regions: Vec<String> = binds.regions.iter().map(i32::to_string).collect();
    format!(
        "SET work_mem = '{WORK_MEM}';\nSET jit = off;\nSET TimeZone = {};\n\
         PREPARE aggregation(text, text[], text[], int[], boolean, uuid[], date[], text[], text[], text, text) AS {FULL_AGGREGATION};\n\
         EXECUTE aggregation({}, {}, {}, ARRAY[{}]::int[], true, ARRAY[]::uuid[], ARRAY[]::date[], {}, {}, NULL, NULL);\n",
        quote(zone.name()),
        quote(zone.name()),
        texts(OPT_OUT_REPLIES),
        texts(&binds.states),
        regions.join(", "),
        texts(&binds.plans),
        texts(&binds.tiers),
    )
}

/// The lists the SQL maps names to segment numbers with, from the model.
struct Binds {
    states: Vec<&'static str>,
    regions: Vec<i32>,
    plans: Vec<&'static str>,
    tiers: Vec<&'static str>,
}

impl Binds {
    fn new() -> Self {
        let region_position =
            |region: Region| Region::ALL.iter().position(|r| *r == region).unwrap_or(0) as i32;
        Binds {
            states: STATE_REGIONS.iter().map(|(state, _)| *state).collect(),
            regions: STATE_REGIONS
                .iter()
                .map(|(_, region)| region_position(*region))
                .collect(),
            plans: PlanType::ALL.iter().map(|p| p.as_str()).collect(),
            tiers: RiskTier::ALL.iter().map(|r| r.as_str()).collect(),
        }
    }
}

/// Member ids from `from` (inclusive) up to `to` (exclusive); none means unbounded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberRange {
    /// Lower bound, inclusive.
    pub from: Option<String>,
    /// Upper bound, exclusive.
    pub to: Option<String>,
}

/// Splits all member ids into `parts` ranges of about as many CRM members each.
pub async fn member_ranges(
    warehouse: &mut PgConnection,
    parts: u16,
) -> Result<Vec<MemberRange>, EtlError> {
    let fractions: Vec<f64> = (1..parts)
        .map(|i| f64::from(i) / f64::from(parts))
        .collect();
    let bounds: Option<Vec<String>> = sqlx::query_scalar(
        "SELECT percentile_disc($1::float8[]) WITHIN GROUP (ORDER BY member_id) FROM warehouse.members",
    )
    .bind(&fractions)
    .fetch_one(&mut *warehouse)
    .await
    .map_err(EtlError::warehouse("splitting members into parts"))?;
    let mut bounds = bounds.unwrap_or_default();
    bounds.dedup();
    let mut ranges = Vec::with_capacity(bounds.len() + 1);
    let mut from = None;
    for bound in bounds {
        ranges.push(MemberRange {
            from: from.take(),
            to: Some(bound.clone()),
        });
        from = Some(bound);
    }
    ranges.push(MemberRange { from, to: None });
    Ok(ranges)
}

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
        .map_err(EtlError::warehouse(
            "finding the campaign-days that changed",
        ))?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(EtlError::warehouse(
            "reading the campaign-days that changed",
        ))
}

/// Runs the aggregation over the members whose id is in `members` (a range, so that the
/// planner's histograms estimate it well) and reads its result. Every count, first and sketch
/// register of a member comes from that member's events alone, so parts over disjoint ranges
/// run on their own connections, sharing one snapshot, and [`Aggregates::add`] sums them.
pub async fn aggregate(
    warehouse: &mut PgConnection,
    zone: &ReportingZone,
    scope: &Scope,
    members: &MemberRange,
) -> Result<Aggregates, EtlError> {
    let (sql, full, keys) = match scope {
        Scope::Full => (FULL_AGGREGATION, true, BTreeSet::new()),
        Scope::Keys(keys) => (INCREMENTAL_AGGREGATION, false, keys.clone()),
    };
    let (key_campaigns, key_days): (Vec<Uuid>, Vec<Date>) = keys.into_iter().unzip();
    let binds = Binds::new();
    let rows = sqlx::query(sql)
        .bind(zone.name())
        .bind(OPT_OUT_REPLIES)
        .bind(&binds.states)
        .bind(&binds.regions)
        .bind(full)
        .bind(key_campaigns)
        .bind(key_days)
        .bind(&binds.plans)
        .bind(&binds.tiers)
        .bind(members.from.as_deref())
        .bind(members.to.as_deref())
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
            let number: i32 = row.try_get("segment")?;
            let segment = u16::try_from(number)
                .ok()
                .and_then(Segment::from_index)
                .ok_or_else(|| {
                    sqlx::Error::Decode(format!("segment number {number} out of range").into())
                })?;
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
            *aggregates
                .cells
                .entry((row.try_get("campaign_id")?, row.try_get("day")?, segment))
                .or_default() += counts;
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
                .entry((row.try_get("campaign_id")?, row.try_get("day")?))
                .or_default()
                .merge(&sketch);
        }
        _ => aggregates.quality.undelivered_events += row.try_get::<i64, _>("sent")?,
    }
    Ok(())
}
