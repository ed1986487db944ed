//! What the ETL computes from the warehouse, whichever engine computed it (the warehouse's SQL or
//! the in-memory reference implementation), and its shape in the dashboard tables.

use std::collections::{BTreeMap, BTreeSet};

use outreach_backend::metrics::Counts;
use outreach_backend::reach::Sketch;
use outreach_model::{InteractionType, Segment};
use time::Date;
use uuid::Uuid;

/// A (campaign, day) key of the daily tables.
pub type CampaignDay = (Uuid, Date);

/// Counts per campaign, day and member segment, and the reach sketch of each campaign-day.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Aggregates {
    /// Non-empty counts per (campaign, day, segment).
    pub cells: BTreeMap<(Uuid, Date, Segment), Counts>,
    /// HyperLogLog registers of the members reached per (campaign, day).
    pub sketches: BTreeMap<CampaignDay, Sketch>,
    /// Data-quality figures of the events read.
    pub quality: Quality,
}

/// Data-quality figures of a run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Quality {
    /// Event rows read (copies included).
    pub events_read: i64,
    /// Rows whose event_id was already read (counted once).
    pub duplicate_events: i64,
    /// Events, other than `sent` and `bounced`, of messages with no `delivered` event: counted in
    /// no metric.
    pub undelivered_events: i64,
}

/// One row of `campaign_metrics_daily`, without its surrogate id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DailyRow {
    /// Campaign.
    pub campaign_id: Uuid,
    /// Day in the reporting time zone.
    pub metric_date: Date,
    /// The day's counts summed over segments.
    pub counts: Counts,
}

/// One row of `member_interactions`, without its surrogate id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct InteractionRow {
    /// Campaign.
    pub campaign_id: Uuid,
    /// Segment key.
    pub member_segment: String,
    /// Day in the reporting time zone.
    pub interaction_date: Date,
    /// Kind of interaction.
    pub interaction_type: InteractionType,
    /// How many (messages, or members for Convert and OptOut); never zero.
    pub count: i64,
}

impl Aggregates {
    /// Adds the aggregates of another part of the members (counts add, sketches merge).
    pub fn add(&mut self, other: Aggregates) {
        for (key, counts) in other.cells {
            *self.cells.entry(key).or_default() += counts;
        }
        for (key, sketch) in other.sketches {
            self.sketches.entry(key).or_default().merge(&sketch);
        }
        self.quality.events_read += other.quality.events_read;
        self.quality.duplicate_events += other.quality.duplicate_events;
        self.quality.undelivered_events += other.quality.undelivered_events;
    }

    /// The campaign-days that have any count or sketch.
    pub fn campaign_days(&self) -> BTreeSet<CampaignDay> {
        self.cells
            .keys()
            .map(|(campaign, day, _)| (*campaign, *day))
            .chain(self.sketches.keys().copied())
            .collect()
    }

    /// `campaign_metrics_daily`: the segments of each campaign-day summed.
    pub fn daily_rows(&self) -> Vec<DailyRow> {
        let mut daily: BTreeMap<CampaignDay, Counts> = BTreeMap::new();
        for ((campaign, day, _), counts) in &self.cells {
            *daily.entry((*campaign, *day)).or_default() += *counts;
        }
        daily
            .into_iter()
            .map(|((campaign_id, metric_date), counts)| DailyRow {
                campaign_id,
                metric_date,
                counts,
            })
            .collect()
    }

    /// `member_interactions`: one row per non-zero count of each interaction type.
    pub fn interaction_rows(&self) -> Vec<InteractionRow> {
        let mut rows = Vec::new();
        for ((campaign_id, day, segment), counts) in &self.cells {
            let member_segment = segment.key();
            for (interaction_type, count) in [
                (InteractionType::Delivered, counts.impressions),
                (InteractionType::Open, counts.opens),
                (InteractionType::Click, counts.clicks),
                (InteractionType::Engaged, counts.engaged),
                (InteractionType::Convert, counts.conversions),
                (InteractionType::OptOut, counts.opt_outs),
            ] {
                if count > 0 {
                    rows.push(InteractionRow {
                        campaign_id: *campaign_id,
                        member_segment: member_segment.clone(),
                        interaction_date: *day,
                        interaction_type,
                        count,
                    });
                }
            }
        }
        rows
    }
}
