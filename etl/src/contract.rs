//! Holding the warehouse to its contract before anything is written: its tables and columns,
//! and the values the contract forbids (unknown names, nulls, dangling references).

use std::collections::BTreeMap;

use outreach_model::{CampaignStatus, Channel, PlanType, RiskTier};
use sqlx::{PgConnection, Row};
use time::OffsetDateTime;

use crate::EtlError;
use outreach_warehouse::source::{CONTRACT_COLUMNS, Campaign, EVENT_TYPES};

/// Fails with every missing table, column or wrong type, by name.
pub async fn check_tables(warehouse: &mut PgConnection) -> Result<(), EtlError> {
    let rows = sqlx::query(
        "SELECT table_name::text, column_name::text, data_type::text
         FROM information_schema.columns WHERE table_schema = 'warehouse'",
    )
    .fetch_all(&mut *warehouse)
    .await
    .map_err(EtlError::warehouse("reading the warehouse's columns"))?;
    let mut found: BTreeMap<(String, String), String> = BTreeMap::new();
    for row in rows {
        let get = |i| row.try_get::<String, _>(i).unwrap_or_default();
        found.insert((get(0), get(1)), get(2));
    }
    let mut problems = Vec::new();
    for (table, columns) in CONTRACT_COLUMNS {
        if !found.keys().any(|(t, _)| t == table) {
            problems.push(format!("table warehouse.{table} is missing"));
            continue;
        }
        for (column, data_type) in *columns {
            match found.get(&((*table).to_owned(), (*column).to_owned())) {
                None => problems.push(format!(
                    "warehouse.{table} has no column {column} ({data_type})"
                )),
                Some(actual) if actual != data_type => problems.push(format!(
                    "warehouse.{table}.{column} is {actual}, not {data_type}"
                )),
                Some(_) => {}
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(EtlError::Contract(problems.join("; ")))
    }
}

/// Reads and parses every campaign; an unknown channel or status, or an end before the start,
/// is named with its campaign.
pub async fn read_campaigns(warehouse: &mut PgConnection) -> Result<Vec<Campaign>, EtlError> {
    let rows = sqlx::query(
        "SELECT campaign_id, campaign_name, campaign_type, channel, start_date, end_date, status, updated_at
         FROM warehouse.campaigns ORDER BY campaign_id",
    )
    .fetch_all(&mut *warehouse)
    .await
    .map_err(EtlError::warehouse("reading warehouse.campaigns"))?;
    let mut campaigns = Vec::with_capacity(rows.len());
    for row in rows {
        let campaign_id: Option<uuid::Uuid> = row
            .try_get("campaign_id")
            .map_err(EtlError::warehouse("reading warehouse.campaigns"))?;
        let Some(campaign_id) = campaign_id else {
            return Err(EtlError::Data(
                "warehouse.campaigns has a row with a null campaign_id".into(),
            ));
        };
        let text = |column: &'static str| -> Result<String, EtlError> {
            row.try_get::<Option<String>, _>(column)
                .map_err(EtlError::warehouse("reading warehouse.campaigns"))?
                .ok_or_else(|| {
                    EtlError::Data(format!("campaign {campaign_id} has a null {column}"))
                })
        };
        let bad = |err: outreach_model::UnknownName| {
            EtlError::Data(format!("campaign {campaign_id}: {err}"))
        };
        let campaign = Campaign {
            campaign_id,
            campaign_name: text("campaign_name")?,
            campaign_type: text("campaign_type")?,
            channel: text("channel")?.parse::<Channel>().map_err(bad)?,
            status: text("status")?.parse::<CampaignStatus>().map_err(bad)?,
            start_date: row
                .try_get::<Option<time::Date>, _>("start_date")
                .map_err(EtlError::warehouse("reading warehouse.campaigns"))?
                .ok_or_else(|| {
                    EtlError::Data(format!("campaign {campaign_id} has a null start_date"))
                })?,
            end_date: row
                .try_get("end_date")
                .map_err(EtlError::warehouse("reading warehouse.campaigns"))?,
            updated_at: row
                .try_get::<Option<OffsetDateTime>, _>("updated_at")
                .map_err(EtlError::warehouse("reading warehouse.campaigns"))?
                .ok_or_else(|| {
                    EtlError::Data(format!("campaign {campaign_id} has a null updated_at"))
                })?,
        };
        if campaign
            .end_date
            .is_some_and(|end| end < campaign.start_date)
        {
            return Err(EtlError::Data(format!(
                "campaign {campaign_id} ends ({}) before it starts ({})",
                campaign.end_date.map(|d| d.to_string()).unwrap_or_default(),
                campaign.start_date
            )));
        }
        campaigns.push(campaign);
    }
    Ok(campaigns)
}

/// Fails on members the segments cannot be built from: nulls, unknown plan types or risk
/// tiers, repeated member ids.
pub async fn check_members(warehouse: &mut PgConnection) -> Result<(), EtlError> {
    let plans: Vec<&str> = PlanType::ALL
        .iter()
        .filter(|p| **p != PlanType::Unknown)
        .map(|p| p.as_str())
        .collect();
    let tiers: Vec<&str> = RiskTier::ALL
        .iter()
        .filter(|r| **r != RiskTier::Unknown)
        .map(|r| r.as_str())
        .collect();
    let row = sqlx::query(
        "SELECT
            count(*) FILTER (WHERE member_id IS NULL OR date_of_birth IS NULL OR state IS NULL
                             OR plan_type IS NULL OR risk_tier IS NULL) AS nulls,
            count(*) FILTER (WHERE NOT (plan_type = ANY($1))) AS bad_plans,
            min(plan_type) FILTER (WHERE NOT (plan_type = ANY($1))) AS bad_plan,
            count(*) FILTER (WHERE NOT (risk_tier = ANY($2))) AS bad_tiers,
            min(risk_tier) FILTER (WHERE NOT (risk_tier = ANY($2))) AS bad_tier,
            count(*) - count(DISTINCT member_id) AS repeated
         FROM warehouse.members",
    )
    .bind(&plans)
    .bind(&tiers)
    .fetch_one(&mut *warehouse)
    .await
    .map_err(EtlError::warehouse("checking warehouse.members"))?;
    let get = |name: &str| row.try_get::<i64, _>(name).unwrap_or(0);
    let mut problems = Vec::new();
    if get("nulls") > 0 {
        problems.push(format!(
            "{} members have a null member_id, date_of_birth, state, plan_type or risk_tier",
            get("nulls")
        ));
    }
    if get("bad_plans") > 0 {
        let example: Option<String> = row.try_get("bad_plan").unwrap_or_default();
        problems.push(format!(
            "{} members have an unknown plan_type such as {:?} (expected one of {})",
            get("bad_plans"),
            example.unwrap_or_default(),
            plans.join(", ")
        ));
    }
    if get("bad_tiers") > 0 {
        let example: Option<String> = row.try_get("bad_tier").unwrap_or_default();
        problems.push(format!(
            "{} members have an unknown risk_tier such as {:?} (expected one of {})",
            get("bad_tiers"),
            example.unwrap_or_default(),
            tiers.join(", ")
        ));
    }
    if get("repeated") > 0 {
        problems.push(format!(
            "{} member_id values appear more than once in warehouse.members",
            get("repeated")
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(EtlError::Data(problems.join("; ")))
    }
}

/// Rows loaded after `since` (all when none) whose event_id was read before, in the window or
/// earlier.
pub async fn duplicate_events(
    warehouse: &mut PgConnection,
    since: Option<OffsetDateTime>,
) -> Result<i64, EtlError> {
    sqlx::query_scalar(
        "SELECT (count(*) - count(DISTINCT event_id))
              + (SELECT count(DISTINCT w.event_id) FROM warehouse.outreach_events w
                 WHERE $1::timestamptz IS NOT NULL AND w.loaded_at > $1
                   AND EXISTS (SELECT 1 FROM warehouse.outreach_events o
                               WHERE o.event_id = w.event_id AND o.loaded_at <= $1))
         FROM warehouse.outreach_events
         WHERE $1::timestamptz IS NULL OR loaded_at > $1",
    )
    .bind(since)
    .fetch_one(&mut *warehouse)
    .await
    .map_err(EtlError::warehouse("counting repeated events"))
}

/// What a look at the events to be read found.
#[derive(Debug, Clone, Copy)]
pub struct EventWindow {
    /// Rows read (copies included).
    pub events_read: i64,
    /// Rows whose event_id was already read, in this window or before it (0 for a full read,
    /// whose repeats the run counts with [`duplicate_events`] while it loads).
    pub duplicate_events: i64,
    /// The latest loaded_at read; the next run's watermark.
    pub latest_loaded_at: Option<OffsetDateTime>,
}

/// Checks the events loaded after `since` (all when none) and measures them, in one pass.
/// Fails on nulls the contract forbids, unknown event types and events of campaigns other
/// than `campaigns` (those of warehouse.campaigns).
pub async fn check_events(
    warehouse: &mut PgConnection,
    since: Option<OffsetDateTime>,
    campaigns: &[uuid::Uuid],
) -> Result<EventWindow, EtlError> {
    let row = sqlx::query(
        "SELECT count(*) AS events_read,
                max(loaded_at) AS latest_loaded_at,
                count(*) FILTER (WHERE event_id IS NULL OR campaign_id IS NULL OR member_id IS NULL
                                 OR message_id IS NULL OR event_type IS NULL OR event_ts IS NULL
                                 OR is_machine_open IS NULL) AS nulls,
                count(*) FILTER (WHERE NOT (event_type = ANY($2))) AS bad_types,
                min(campaign_id::text) FILTER (WHERE NOT (campaign_id = ANY($3))) AS orphan,
                min(event_type) FILTER (WHERE NOT (event_type = ANY($2))) AS bad_type
         FROM warehouse.outreach_events
         WHERE $1::timestamptz IS NULL OR loaded_at > $1",
    )
    .bind(since)
    .bind(EVENT_TYPES)
    .bind(campaigns)
    .fetch_one(&mut *warehouse)
    .await
    .map_err(EtlError::warehouse("checking warehouse.outreach_events"))?;
    let get = |name: &str| row.try_get::<i64, _>(name).unwrap_or(0);
    let mut problems = Vec::new();
    let null_loaded: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM warehouse.outreach_events WHERE loaded_at IS NULL",
    )
    .fetch_one(&mut *warehouse)
    .await
    .map_err(EtlError::warehouse("checking warehouse.outreach_events"))?;
    if get("nulls") + null_loaded > 0 {
        problems.push(format!(
            "{} events have a null in a column the contract declares not null",
            get("nulls") + null_loaded
        ));
    }
    if get("bad_types") > 0 {
        let example: Option<String> = row.try_get("bad_type").unwrap_or_default();
        problems.push(format!(
            "{} events have an unknown event_type such as {:?} (expected one of {})",
            get("bad_types"),
            example.unwrap_or_default(),
            EVENT_TYPES.join(", ")
        ));
    }
    let orphan: Option<String> = row.try_get("orphan").unwrap_or_default();
    if let Some(campaign) = orphan {
        problems.push(format!(
            "events refer to campaign {campaign}, which warehouse.campaigns does not have"
        ));
    }
    if problems.is_empty() {
        Ok(EventWindow {
            events_read: get("events_read"),
            // A full read's repeats are counted later, while the load runs (`duplicate_events`).
            duplicate_events: match since {
                Some(_) => duplicate_events(warehouse, since).await?,
                None => 0,
            },
            latest_loaded_at: row.try_get("latest_loaded_at").unwrap_or_default(),
        })
    } else {
        Err(EtlError::Data(problems.join("; ")))
    }
}
