//! The reference implementation of docs/metrics.md over events in memory. It builds the demo
//! database with no server at all, and tests hold the warehouse SQL to it: the two must agree
//! exactly on the same data.

use std::collections::{BTreeMap, HashMap, HashSet};

use outreach_backend::metrics::Counts;
use outreach_model::{AgeBand, PlanType, Region, RiskTier, Segment};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::aggregates::{Aggregates, Quality};
use crate::source::{Event, Member, is_opt_out_reply};
use crate::zone::ReportingZone;

/// The first instant of each kind of event of one message.
#[derive(Debug, Default)]
struct Message<'a> {
    member_id: &'a str,
    sent: Option<OffsetDateTime>,
    delivered: Option<OffsetDateTime>,
    bounced: Option<OffsetDateTime>,
    human_open: Option<OffsetDateTime>,
    machine_open: Option<OffsetDateTime>,
    click: Option<OffsetDateTime>,
    engaged: Option<OffsetDateTime>,
    converted: Option<OffsetDateTime>,
    opt_out: Option<OffsetDateTime>,
    /// Events other than sent and bounced.
    other_events: i64,
}

fn keep_first(slot: &mut Option<OffsetDateTime>, at: OffsetDateTime) {
    if slot.is_none_or(|current| at < current) {
        *slot = Some(at);
    }
}

/// Computes every count, segment and sketch of docs/metrics.md from raw warehouse rows.
pub fn aggregate(events: &[Event], members: &[Member], zone: &ReportingZone) -> Aggregates {
    let mut quality = Quality {
        events_read: events.len() as i64,
        ..Quality::default()
    };

    // Repeated event_ids are one event.
    let mut seen = HashSet::with_capacity(events.len());
    // A message is one send to one member; were a message's events to name two members, each
    // member's events would count as a message of their own (as in the warehouse SQL).
    let mut messages: HashMap<(Uuid, &str, Uuid), Message<'_>> = HashMap::new();
    for event in events {
        if !seen.insert(event.event_id) {
            quality.duplicate_events += 1;
            continue;
        }
        let message = messages
            .entry((
                event.campaign_id,
                event.member_id.as_str(),
                event.message_id,
            ))
            .or_insert_with(|| Message {
                member_id: &event.member_id,
                ..Message::default()
            });
        let at = event.event_ts;
        match event.event_type.as_str() {
            "sent" => keep_first(&mut message.sent, at),
            "delivered" => keep_first(&mut message.delivered, at),
            "bounced" => keep_first(&mut message.bounced, at),
            "opened" if event.is_machine_open => keep_first(&mut message.machine_open, at),
            "opened" => {
                keep_first(&mut message.human_open, at);
                keep_first(&mut message.engaged, at);
            }
            "clicked" => {
                keep_first(&mut message.click, at);
                keep_first(&mut message.engaged, at);
            }
            "responded" => {
                if event.reply_text.as_deref().is_some_and(is_opt_out_reply) {
                    keep_first(&mut message.opt_out, at);
                } else {
                    keep_first(&mut message.engaged, at);
                }
            }
            "converted" => keep_first(&mut message.converted, at),
            "unsubscribed" => keep_first(&mut message.opt_out, at),
            _ => {}
        }
        if !matches!(event.event_type.as_str(), "sent" | "bounced") {
            message.other_events += 1;
        }
    }

    let segments = SegmentLookup::new(members);
    let mut aggregates = Aggregates::default();
    let mut cell = |campaign: Uuid, member: &str, day: Date, add: fn(&mut Counts)| {
        add(aggregates
            .cells
            .entry((campaign, day, segments.of(member, day)))
            .or_default());
    };

    // Conversions and opt-outs are first per member and campaign.
    // (first conversion, first opt-out) per campaign and member.
    type Firsts = (Option<OffsetDateTime>, Option<OffsetDateTime>);
    let mut member_firsts: BTreeMap<(Uuid, &str), Firsts> = BTreeMap::new();
    let mut reached: HashSet<(Uuid, &str, Date)> = HashSet::new();
    let mut sketches: BTreeMap<(Uuid, Date), Vec<&str>> = BTreeMap::new();

    for ((campaign, _, _), message) in &messages {
        let campaign = *campaign;
        let member = message.member_id;
        if let Some(at) = message.sent {
            cell(campaign, member, zone.day_of(at), |c| c.sent += 1);
        }
        if let Some(at) = message.bounced {
            cell(campaign, member, zone.day_of(at), |c| c.bounces += 1);
        }
        let Some(delivered) = message.delivered else {
            quality.undelivered_events += message.other_events;
            continue;
        };
        let delivered_day = zone.day_of(delivered);
        cell(campaign, member, delivered_day, |c| c.impressions += 1);
        if reached.insert((campaign, member, delivered_day)) {
            cell(campaign, member, delivered_day, |c| c.reach += 1);
            sketches
                .entry((campaign, delivered_day))
                .or_default()
                .push(member);
        }
        if let Some(at) = message.human_open {
            cell(campaign, member, zone.day_of(at), |c| c.opens += 1);
        }
        if let Some(at) = message.machine_open {
            cell(campaign, member, zone.day_of(at), |c| c.machine_opens += 1);
        }
        if let Some(at) = message.click {
            cell(campaign, member, zone.day_of(at), |c| c.clicks += 1);
        }
        if let Some(at) = message.engaged {
            cell(campaign, member, zone.day_of(at), |c| c.engaged += 1);
        }
        let firsts = member_firsts.entry((campaign, member)).or_default();
        if let Some(at) = message.converted {
            keep_first(&mut firsts.0, at);
        }
        if let Some(at) = message.opt_out {
            keep_first(&mut firsts.1, at);
        }
    }
    for ((campaign, member), (converted, opted_out)) in member_firsts {
        if let Some(at) = converted {
            cell(campaign, member, zone.day_of(at), |c| c.conversions += 1);
        }
        if let Some(at) = opted_out {
            cell(campaign, member, zone.day_of(at), |c| c.opt_outs += 1);
        }
    }
    aggregates.quality = quality;
    aggregates.sketches = sketches
        .into_iter()
        .map(|(key, members)| {
            let mut sketch = outreach_backend::reach::Sketch::default();
            for member in members {
                sketch.insert(member);
            }
            (key, sketch)
        })
        .collect();
    aggregates
}

/// The segment of a member on a day, from the CRM extract.
struct SegmentLookup<'a> {
    members: HashMap<&'a str, &'a Member>,
}

impl<'a> SegmentLookup<'a> {
    fn new(members: &'a [Member]) -> Self {
        SegmentLookup {
            members: members.iter().map(|m| (m.member_id.as_str(), m)).collect(),
        }
    }

    fn of(&self, member_id: &str, day: Date) -> Segment {
        let Some(member) = self.members.get(member_id) else {
            return Segment::UNKNOWN;
        };
        Segment {
            age_band: AgeBand::on(member.date_of_birth, day),
            plan_type: member.plan_type.parse().unwrap_or(PlanType::Unknown),
            risk_tier: member.risk_tier.parse().unwrap_or(RiskTier::Unknown),
            region: Region::of_state(&member.state),
        }
    }
}
