//! A synthetic health plan's warehouse: a warehouse that holds to the contract, deterministic
//! for a seed, with channel-specific funnels, weekday seasonality, campaigns in every status,
//! repeated and late events, SMS opt-out replies in every spelling, the contract's fallbacks
//! (members missing from the CRM, states outside the US, a message with two member ids), and
//! injected anomalies. `names` holds its lists, `members` the CRM, `events` what happens.
//!
//! The world (campaigns, members, every event that will ever happen) is fixed by the options; the
//! `as_of` instant decides which events have landed in the warehouse by then, so a history can
//! be generated first and its next day appended later.

mod events;
mod members;
mod names;

pub use events::{all_events, campaign_events};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration, OffsetDateTime, Time};
use uuid::Uuid;

use outreach_model::{CampaignStatus, Channel};

use crate::source::{Campaign, InjectedAnomaly, Member};
use names::CAMPAIGN_TYPES;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Members in the CRM.
    pub members: u32,
    /// Campaigns in the campaign management system.
    pub campaigns: u32,
    /// Days of history, ending on `end_date`.
    pub days: u32,
    /// Same seed, same data.
    pub seed: u64,
    /// Last day of the history (UTC).
    pub end_date: Date,
    /// Events that landed after this instant are not written (yet).
    pub as_of: OffsetDateTime,
}

impl GenerateOptions {
    /// First day of the history.
    pub fn start_date(&self) -> Date {
        self.end_date - Duration::days(i64::from(self.days.max(1)) - 1)
    }
}

/// Campaigns, members and the anomalies injected into them.
#[derive(Debug, Clone)]
pub struct World {
    /// Campaigns with their status as of `as_of`.
    pub campaigns: Vec<Campaign>,
    /// Members, PII included.
    pub members: Vec<Member>,
    /// Anomalies injected.
    pub anomalies: Vec<InjectedAnomaly>,
    pub(crate) plans: Vec<CampaignPlan>,
}

/// What the generator knows about a campaign beyond its warehouse row.
#[derive(Debug, Clone)]
pub(crate) struct CampaignPlan {
    /// First and last day on which messages go out (empty when none do).
    pub(crate) send_days: Option<(Date, Date)>,
    pub(crate) audience: u32,
    pub(crate) messages_per_member: u32,
    /// Multiplies the campaign's engagement.
    pub(crate) appeal: f64,
}

pub(crate) fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

pub(crate) fn uuid_from(rng: &mut ChaCha8Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

/// Builds the campaigns, members and the plan of each campaign.
pub fn world(options: &GenerateOptions) -> World {
    let mut rng = rng_for(options.seed, 1);
    let today = options.as_of.date();
    let start = options.start_date();
    let members: Vec<Member> = (0..options.members)
        .map(|index| members::member(&mut rng, index, options.end_date))
        .collect();

    let mut campaigns = Vec::new();
    let mut plans = Vec::new();
    let mut anomalies = Vec::new();
    let span = i64::from(options.days) + 50;
    let mut qualifying = 0u32;
    for index in 0..options.campaigns {
        let mut rng = rng_for(options.seed, 1000 + u64::from(index));
        // Every draw comes first and unconditionally, so a campaign is the same whatever the
        // as-of instant; only its status and which events have landed depend on it.
        let campaign_id = uuid_from(&mut rng);
        let channel = match rng.random_range(0..100) {
            0..45 => Channel::Email,
            45..80 => Channel::Sms,
            _ => Channel::Push,
        };
        let (campaign_type, topics) = CAMPAIGN_TYPES[rng.random_range(0..CAMPAIGN_TYPES.len())];
        let topic = topics[rng.random_range(0..topics.len())];
        let first_day = start - Duration::days(30) + Duration::days(rng.random_range(0..span));
        let length = rng.random_range(14..=120);
        let last_day = first_day + Duration::days(length - 1);
        let fate_roll = rng.random_range(0..100);
        let stop_day = first_day + Duration::days(rng.random_range(0..length));
        let open_ended = rng.random_range(0..5) == 0;
        let audience_share = rng.random_range(0.01..0.08);
        let messages_per_member = rng.random_range(1..=3);
        let appeal = rng.random_range(0.6..1.5);

        // The campaign's fate in this world, then its status as of today.
        let (last_send, draft) = if first_day > options.end_date && fate_roll < 30 {
            (None, true)
        } else if fate_roll < 18 {
            (Some(stop_day), false)
        } else {
            (Some(last_day), false)
        };
        let (status, changed) = if draft {
            (CampaignStatus::Draft, first_day - Duration::days(7))
        } else if first_day > today {
            (CampaignStatus::Scheduled, first_day - Duration::days(7))
        } else if fate_roll < 10 && stop_day < today {
            (CampaignStatus::Cancelled, stop_day)
        } else if fate_roll < 18 && stop_day <= today {
            (CampaignStatus::Paused, stop_day)
        } else if last_day < today {
            (CampaignStatus::Completed, last_day + Duration::days(1))
        } else {
            (CampaignStatus::Active, first_day)
        };
        let end_date = (!(open_ended && status == CampaignStatus::Active)).then_some(last_day);
        let send_days = last_send
            .map(|stop| (first_day.max(start), stop.min(options.end_date)))
            .filter(|(from, to)| from <= to);
        let quarter = (first_day.month() as u8 - 1) / 3 + 1;
        campaigns.push(Campaign {
            campaign_id,
            campaign_name: format!("{topic} ({channel}, Q{quarter} {})", first_day.year()),
            campaign_type: campaign_type.to_owned(),
            channel,
            start_date: first_day,
            end_date,
            status,
            updated_at: OffsetDateTime::new_utc(changed, Time::MIDNIGHT),
        });
        plans.push(CampaignPlan {
            send_days,
            audience: ((f64::from(options.members) * audience_share) as u32).max(1),
            messages_per_member,
            appeal,
        });
        // One campaign in twenty of those that send for a week or more carries an anomaly.
        let qualifies = send_days.is_some_and(|(from, to)| (to - from).whole_days() >= 7);
        if qualifies {
            qualifying += 1;
        }
        if let Some((from, to)) = send_days
            && qualifies
            && qualifying % 20 == 1
        {
            let anomaly_start =
                from + Duration::days(rng.random_range(0..=(to - from).whole_days() - 3));
            // Round-robin, so every kind is present once a few campaigns carry one.
            let anomaly_type =
                ["delivery_collapse", "opt_out_spike", "conversion_drop"][anomalies.len() % 3];
            anomalies.push(InjectedAnomaly {
                campaign_id,
                anomaly_type,
                start_date: anomaly_start,
                end_date: anomaly_start + Duration::days(2),
            });
        }
    }
    World {
        campaigns,
        members,
        anomalies,
        plans,
    }
}
