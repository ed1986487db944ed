//! The warehouse contract (docs/warehouse-contract.md): its tables as Rust rows, the DDL the
//! synthetic generator creates them with, and the check that a real warehouse holds to it.

use outreach_model::{CampaignStatus, Channel};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// A row of `warehouse.campaigns`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campaign {
    /// Unique id.
    pub campaign_id: Uuid,
    /// Name shown to campaign managers.
    pub campaign_name: String,
    /// e.g. "Care Gap Closure".
    pub campaign_type: String,
    /// The one channel the campaign uses.
    pub channel: Channel,
    /// First day.
    pub start_date: Date,
    /// Last day; none while open-ended.
    pub end_date: Option<Date>,
    /// Where the campaign is in its life.
    pub status: CampaignStatus,
    /// Last change in the campaign management system.
    pub updated_at: OffsetDateTime,
}

/// A row of `warehouse.members`: the CRM record, PII included. It never leaves the warehouse
/// except in tests and in the in-memory demo builder, which keep only the segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// CRM identifier.
    pub member_id: String,
    /// PII.
    pub first_name: String,
    /// PII.
    pub last_name: String,
    /// PII.
    pub email: String,
    /// PII.
    pub phone: String,
    /// PII; only the age band at an event's date is kept.
    pub date_of_birth: Date,
    /// Not used by the dashboard.
    pub gender: String,
    /// US state code; only its Census region is kept.
    pub state: String,
    /// e.g. "Medicaid".
    pub plan_type: String,
    /// "Low", "Moderate" or "High".
    pub risk_tier: String,
}

/// The event types of the marketing automation platform.
pub const EVENT_TYPES: &[&str] = &[
    "sent",
    "delivered",
    "bounced",
    "opened",
    "clicked",
    "responded",
    "converted",
    "unsubscribed",
];

/// A row of `warehouse.outreach_events`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Repeated when the platform delivers an event twice.
    pub event_id: Uuid,
    /// The campaign the message belongs to.
    pub campaign_id: Uuid,
    /// CRM identifier of the member messaged.
    pub member_id: String,
    /// One send of the campaign to one member.
    pub message_id: Uuid,
    /// One of [`EVENT_TYPES`].
    pub event_type: String,
    /// When it happened.
    pub event_ts: OffsetDateTime,
    /// When it landed in the warehouse.
    pub loaded_at: OffsetDateTime,
    /// An `opened` fired by a mail client's privacy proxy.
    pub is_machine_open: bool,
    /// For SMS `responded`: the member's reply.
    pub reply_text: Option<String>,
}

/// An anomaly the generator injected, for testing alerting (`warehouse.injected_anomalies`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectedAnomaly {
    /// The campaign affected.
    pub campaign_id: Uuid,
    /// "delivery_collapse", "opt_out_spike" or "conversion_drop".
    pub anomaly_type: &'static str,
    /// First day affected (UTC).
    pub start_date: Date,
    /// Last day affected (UTC).
    pub end_date: Date,
}

/// Replies that opt a member out, compared after trimming and case-folding (docs/metrics.md).
pub const OPT_OUT_REPLIES: &[&str] = &[
    "stop",
    "stopall",
    "unsubscribe",
    "cancel",
    "end",
    "quit",
    "optout",
    "opt-out",
    "remove",
];

/// The whitespace trimmed from replies, the same set in SQL (`btrim`) and in Rust.
pub const REPLY_WHITESPACE: &[char] = &[' ', '\t', '\n', '\r', '\u{b}', '\u{c}'];

/// Whether an SMS reply opts the member out.
pub fn is_opt_out_reply(reply_text: &str) -> bool {
    let folded = reply_text.trim_matches(REPLY_WHITESPACE).to_lowercase();
    OPT_OUT_REPLIES.contains(&folded.as_str())
}

/// The warehouse tables as the contract defines them (for the generator and tests).
pub const WAREHOUSE_DDL: &str = r#"
CREATE SCHEMA IF NOT EXISTS warehouse;
CREATE TABLE IF NOT EXISTS warehouse.campaigns (
    campaign_id   uuid        NOT NULL UNIQUE,
    campaign_name text        NOT NULL,
    campaign_type text        NOT NULL,
    channel       text        NOT NULL,
    start_date    date        NOT NULL,
    end_date      date,
    status        text        NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS warehouse.members (
    member_id     text        NOT NULL UNIQUE,
    first_name    text,
    last_name     text,
    email         text,
    phone         text,
    date_of_birth date        NOT NULL,
    gender        text,
    state         text        NOT NULL,
    plan_type     text        NOT NULL,
    risk_tier     text        NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS warehouse.outreach_events (
    event_id        uuid        NOT NULL,
    campaign_id     uuid        NOT NULL,
    member_id       text        NOT NULL,
    message_id      uuid        NOT NULL,
    event_type      text        NOT NULL,
    event_ts        timestamptz NOT NULL,
    loaded_at       timestamptz NOT NULL,
    is_machine_open boolean     NOT NULL DEFAULT false,
    reply_text      text
);
CREATE TABLE IF NOT EXISTS warehouse.injected_anomalies (
    campaign_id  uuid NOT NULL,
    anomaly_type text NOT NULL,
    start_date   date NOT NULL,
    end_date     date NOT NULL
);
"#;

/// Indexes a PostgreSQL warehouse keeps so that incremental runs read only what changed. A
/// columnar warehouse needs none; the generator creates these after loading.
pub const WAREHOUSE_INDEXES: &[&str] = &[
    "CREATE INDEX IF NOT EXISTS outreach_events_loaded_at ON warehouse.outreach_events (loaded_at)",
    "CREATE INDEX IF NOT EXISTS outreach_events_event_id ON warehouse.outreach_events (event_id)",
    "CREATE INDEX IF NOT EXISTS outreach_events_campaign_ts ON warehouse.outreach_events (campaign_id, event_ts)",
    "CREATE INDEX IF NOT EXISTS outreach_events_campaign_member ON warehouse.outreach_events (campaign_id, member_id)",
];

/// Each table and column of the contract with PostgreSQL's `information_schema` type name.
pub const CONTRACT_COLUMNS: &[(&str, &[(&str, &str)])] = &[
    (
        "campaigns",
        &[
            ("campaign_id", "uuid"),
            ("campaign_name", "text"),
            ("campaign_type", "text"),
            ("channel", "text"),
            ("start_date", "date"),
            ("end_date", "date"),
            ("status", "text"),
            ("updated_at", "timestamp with time zone"),
        ],
    ),
    (
        "members",
        &[
            ("member_id", "text"),
            ("date_of_birth", "date"),
            ("state", "text"),
            ("plan_type", "text"),
            ("risk_tier", "text"),
        ],
    ),
    (
        "outreach_events",
        &[
            ("event_id", "uuid"),
            ("campaign_id", "uuid"),
            ("member_id", "text"),
            ("message_id", "uuid"),
            ("event_type", "text"),
            ("event_ts", "timestamp with time zone"),
            ("loaded_at", "timestamp with time zone"),
            ("is_machine_open", "boolean"),
            ("reply_text", "text"),
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_opt_out_spelling_counts() {
        for reply in [
            "STOP",
            " stop ",
            "Stop\n",
            "\tUnsubscribe",
            "cancel",
            "END",
            "quit",
            "OptOut",
            "OPT-OUT",
            "remove ",
            "StopAll",
        ] {
            assert!(is_opt_out_reply(reply), "{reply:?}");
        }
        for reply in ["YES", "stop it", "Thanks", "STOP!", "opt out", ""] {
            assert!(!is_opt_out_reply(reply), "{reply:?}");
        }
    }
}
