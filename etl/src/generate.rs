//! Realistic synthetic sources: a warehouse that holds to the contract, deterministic for a
//! seed, with channel-specific funnels, weekday seasonality, campaigns in every status, repeated
//! and late events, SMS opt-out replies in every spelling, and injected anomalies.
//!
//! The world (campaigns, members, every event that will ever happen) is fixed by the options; the
//! `as_of` instant decides which events have landed in the warehouse by then, so a history can
//! be generated first and its next day appended later.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration, OffsetDateTime, Time, Weekday};
use uuid::Uuid;

use outreach_model::{CampaignStatus, Channel};

use crate::source::{Campaign, Event, InjectedAnomaly, Member};

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
    plans: Vec<CampaignPlan>,
}

/// What the generator knows about a campaign beyond its warehouse row.
#[derive(Debug, Clone)]
struct CampaignPlan {
    /// First and last day on which messages go out (empty when none do).
    send_days: Option<(Date, Date)>,
    audience: u32,
    messages_per_member: u32,
    /// Multiplies the campaign's engagement.
    appeal: f64,
}

fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

fn uuid_from(rng: &mut ChaCha8Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

const FIRST_NAMES: &[&str] = &[
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Amelia",
    "Oliver",
    "Sophia",
    "Elijah",
    "Charlotte",
    "James",
    "Isabella",
    "William",
    "Mia",
    "Benjamin",
    "Evelyn",
    "Lucas",
    "Harper",
    "Henry",
    "Camila",
    "Theodore",
    "Gianna",
    "Mateo",
    "Abigail",
    "Levi",
    "Luna",
    "Sebastian",
    "Ella",
    "Daniel",
    "Elizabeth",
    "Jack",
    "Priya",
    "Wei",
    "Fatima",
    "Mohammed",
    "Aaliyah",
    "Jose",
    "Mariana",
    "Hiroshi",
    "Kwame",
    "Svetlana",
];
const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Nguyen",
    "Patel",
    "Kim",
    "Chen",
    "Okafor",
    "Kowalski",
    "Haddad",
    "Yamamoto",
    "Schmidt",
    "Ivanova",
];
/// Relative populations, roughly, so regions are realistically uneven.
const STATE_WEIGHTS: &[(&str, u32)] = &[
    ("CA", 39),
    ("TX", 30),
    ("FL", 22),
    ("NY", 20),
    ("PA", 13),
    ("IL", 13),
    ("OH", 12),
    ("GA", 11),
    ("NC", 11),
    ("MI", 10),
    ("NJ", 9),
    ("VA", 9),
    ("WA", 8),
    ("AZ", 7),
    ("MA", 7),
    ("TN", 7),
    ("IN", 7),
    ("MO", 6),
    ("MD", 6),
    ("WI", 6),
    ("CO", 6),
    ("MN", 6),
    ("SC", 5),
    ("AL", 5),
    ("LA", 5),
    ("KY", 5),
    ("OR", 4),
    ("OK", 4),
    ("CT", 4),
    ("UT", 3),
    ("IA", 3),
    ("NV", 3),
    ("AR", 3),
    ("MS", 3),
    ("KS", 3),
    ("NM", 2),
    ("NE", 2),
    ("ID", 2),
    ("WV", 2),
    ("HI", 1),
    ("NH", 1),
    ("ME", 1),
    ("MT", 1),
    ("RI", 1),
    ("DE", 1),
    ("SD", 1),
    ("ND", 1),
    ("AK", 1),
    ("DC", 1),
    ("VT", 1),
    ("WY", 1),
    ("PR", 3),
    ("GU", 1),
];
const CAMPAIGN_TYPES: &[(&str, &[&str])] = &[
    (
        "Care Gap Closure",
        &[
            "Colorectal cancer screening",
            "Diabetic eye exam",
            "A1c test reminder",
            "Breast cancer screening",
            "Annual wellness visit",
        ],
    ),
    (
        "Medication Adherence",
        &[
            "Statin refill",
            "Blood pressure medication refill",
            "90-day supply switch",
            "Mail-order pharmacy",
        ],
    ),
    (
        "Preventive Screening",
        &[
            "Flu shot",
            "COVID-19 booster",
            "Bone density scan",
            "Cervical cancer screening",
        ],
    ),
    (
        "Enrollment",
        &[
            "Open enrollment",
            "Auto-renewal notice",
            "Medicaid redetermination",
            "Paperless billing",
        ],
    ),
    (
        "Wellness",
        &[
            "Step challenge",
            "Smoking cessation",
            "Healthy eating webinar",
            "Mental health resources",
        ],
    ),
];

/// Builds the campaigns, members and the plan of each campaign.
pub fn world(options: &GenerateOptions) -> World {
    let mut rng = rng_for(options.seed, 1);
    let today = options.as_of.date();
    let start = options.start_date();
    let members: Vec<Member> = (0..options.members)
        .map(|index| member(&mut rng, index, options.end_date))
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

fn member(rng: &mut ChaCha8Rng, index: u32, end_date: Date) -> Member {
    let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
    let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
    // Ages 0-95, most between 20 and 80; dependants under 18 are a few percent.
    let age_days = if rng.random_range(0..100) < 4 {
        rng.random_range(0..18 * 365)
    } else {
        rng.random_range(18 * 365..95 * 365)
    };
    let date_of_birth = end_date - Duration::days(age_days);
    let age = age_days / 365;
    let total: u32 = STATE_WEIGHTS.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    let mut state = "NY";
    for (code, weight) in STATE_WEIGHTS {
        if pick < *weight {
            state = code;
            break;
        }
        pick -= weight;
    }
    let plan_type = match (age, rng.random_range(0..100)) {
        (65.., 0..70) => "Medicare Advantage",
        (_, 0..45) => "Commercial",
        (_, 45..80) => "Medicaid",
        _ => "Individual",
    };
    let risk_tier = match rng.random_range(0..100) + age / 3 {
        0..60 => "Low",
        60..90 => "Moderate",
        _ => "High",
    };
    Member {
        member_id: format!("M{:09}", 104_729 * u64::from(index) % 1_000_000_007),
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        email: format!(
            "{}.{}{}@example.org",
            first.to_lowercase(),
            last.to_lowercase(),
            index
        ),
        phone: format!(
            "+1-{}-555-{:04}",
            rng.random_range(201..990),
            index % 10_000
        ),
        date_of_birth,
        gender: ["F", "M", "X"][rng.random_range(0..3)].to_owned(),
        state: state.to_owned(),
        plan_type: plan_type.to_owned(),
        risk_tier: risk_tier.to_owned(),
    }
}

/// Non-opt-out replies and opt-out replies as members really type them.
const REPLIES: &[&str] = &[
    "YES",
    "Y",
    "Thanks!",
    "ok",
    "What is this?",
    "C",
    "Call me",
    "Already done",
];
const OPT_OUT_SPELLINGS: &[&str] = &[
    "STOP",
    "stop",
    " Stop ",
    "STOP ",
    "Unsubscribe",
    "QUIT",
    "end",
    "Cancel",
    "OPT-OUT",
    "optout",
    "Remove",
    "STOPALL",
    "\tstop\n",
];

/// Calls `emit` with every event of campaign `index` that landed in (`since`, `as_of`]. Events
/// come per campaign so a caller can spread campaigns over threads and stay deterministic.
pub fn campaign_events(
    world: &World,
    options: &GenerateOptions,
    index: usize,
    since: Option<OffsetDateTime>,
    emit: &mut dyn FnMut(Event),
) {
    let (Some(campaign), Some(plan)) = (world.campaigns.get(index), world.plans.get(index)) else {
        return;
    };
    let Some((first_day, last_day)) = plan.send_days else {
        return;
    };
    if world.members.is_empty() {
        return;
    }
    let mut rng = rng_for(options.seed, 1_000_000 + index as u64);
    let anomaly = world
        .anomalies
        .iter()
        .find(|a| a.campaign_id == campaign.campaign_id);
    let send_span = (last_day - first_day).whole_days() + 1;
    let landed = |loaded_at: OffsetDateTime| {
        loaded_at <= options.as_of && since.is_none_or(|s| loaded_at > s)
    };

    for _ in 0..plan.audience {
        let member = &world.members[rng.random_range(0..world.members.len())];
        for _ in 0..plan.messages_per_member {
            let mut day = first_day + Duration::days(rng.random_range(0..send_span));
            // Fewer sends at weekends: most weekend sends move to Monday, if the campaign still runs.
            if matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
                && rng.random_range(0..10) < 7
            {
                let monday = day
                    + Duration::days(if day.weekday() == Weekday::Saturday {
                        2
                    } else {
                        1
                    });
                if monday <= last_day {
                    day = monday;
                }
            }
            // Sends go out between 13:00 and 23:00 UTC (morning to evening across US time zones).
            let sent_at = OffsetDateTime::new_utc(day, Time::MIDNIGHT)
                + Duration::seconds(rng.random_range(13 * 3600..23 * 3600));
            let in_anomaly = |kind: &str| {
                anomaly.is_some_and(|a| {
                    a.anomaly_type == kind && a.start_date <= day && day <= a.end_date
                })
            };
            let weekend = matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday);
            let appeal = plan.appeal * if weekend { 0.8 } else { 1.0 };
            let message_id = uuid_from(&mut rng);
            let mut events: Vec<(String, OffsetDateTime, bool, Option<String>)> =
                Vec::with_capacity(6);
            events.push(("sent".into(), sent_at, false, None));
            let bounce_probability: f64 = match campaign.channel {
                Channel::Email => 0.04,
                Channel::Sms => 0.03,
                Channel::Push => 0.09,
            } + if in_anomaly("delivery_collapse") {
                0.6
            } else {
                0.0
            };
            let after = |rng: &mut ChaCha8Rng, from: OffsetDateTime, mean_minutes: f64| {
                // Exponential delay, capped at five days.
                let u: f64 = rng.random_range(0.0001..1.0);
                from + Duration::seconds(
                    ((-u.ln() * mean_minutes * 60.0) as i64).min(5 * 86_400) + 1,
                )
            };
            if rng.random_bool(bounce_probability.min(0.95)) {
                events.push((
                    "bounced".into(),
                    sent_at + Duration::seconds(rng.random_range(1..600)),
                    false,
                    None,
                ));
            } else {
                let delivered_at = sent_at + Duration::seconds(rng.random_range(1..300));
                events.push(("delivered".into(), delivered_at, false, None));
                let conversion = 0.012
                    * appeal
                    * if in_anomaly("conversion_drop") {
                        0.1
                    } else {
                        1.0
                    };
                let opt_out = match campaign.channel {
                    Channel::Email => 0.002,
                    Channel::Sms => 0.004,
                    Channel::Push => 0.003,
                } * if in_anomaly("opt_out_spike") {
                    15.0
                } else {
                    1.0
                };
                let mut engaged_at = None;
                match campaign.channel {
                    Channel::Email => {
                        if rng.random_bool(0.38) {
                            // Apple Mail Privacy Protection and the like: opens within minutes.
                            let at = delivered_at + Duration::seconds(rng.random_range(30..1200));
                            events.push(("opened".into(), at, true, None));
                        }
                        if rng.random_bool((0.24 * appeal).min(0.9)) {
                            let at = after(&mut rng, delivered_at, 240.0);
                            events.push(("opened".into(), at, false, None));
                            engaged_at = Some(at);
                            if rng.random_bool(0.05) {
                                events.push((
                                    "opened".into(),
                                    after(&mut rng, at, 600.0),
                                    false,
                                    None,
                                ));
                            }
                            if rng.random_bool(0.16) {
                                events.push((
                                    "clicked".into(),
                                    after(&mut rng, at, 5.0),
                                    false,
                                    None,
                                ));
                            }
                        }
                        if rng.random_bool(opt_out) {
                            events.push((
                                "unsubscribed".into(),
                                after(&mut rng, delivered_at, 300.0),
                                false,
                                None,
                            ));
                        }
                    }
                    Channel::Sms => {
                        if rng.random_bool((0.08 * appeal).min(0.9)) {
                            let at = after(&mut rng, delivered_at, 30.0);
                            events.push(("clicked".into(), at, false, None));
                            engaged_at = Some(at);
                        }
                        if rng.random_bool(0.03) {
                            let text = REPLIES[rng.random_range(0..REPLIES.len())];
                            events.push((
                                "responded".into(),
                                after(&mut rng, delivered_at, 20.0),
                                false,
                                Some(text.into()),
                            ));
                        }
                        if rng.random_bool(opt_out * 2.0) {
                            let text =
                                OPT_OUT_SPELLINGS[rng.random_range(0..OPT_OUT_SPELLINGS.len())];
                            events.push((
                                "responded".into(),
                                after(&mut rng, delivered_at, 15.0),
                                false,
                                Some(text.into()),
                            ));
                        }
                    }
                    Channel::Push => {
                        if rng.random_bool((0.07 * appeal).min(0.9)) {
                            let at = after(&mut rng, delivered_at, 60.0);
                            events.push(("opened".into(), at, false, None));
                            engaged_at = Some(at);
                            if rng.random_bool(0.3) {
                                events.push((
                                    "clicked".into(),
                                    after(&mut rng, at, 2.0),
                                    false,
                                    None,
                                ));
                            }
                        }
                        if rng.random_bool(opt_out) {
                            events.push((
                                "unsubscribed".into(),
                                after(&mut rng, delivered_at, 600.0),
                                false,
                                None,
                            ));
                        }
                    }
                }
                let converts = match engaged_at {
                    Some(_) => conversion * 4.0,
                    None => conversion * 0.3,
                };
                if rng.random_bool(converts.min(0.9)) {
                    let from = engaged_at.unwrap_or(delivered_at);
                    events.push((
                        "converted".into(),
                        from + Duration::seconds(rng.random_range(600..7 * 86_400)),
                        false,
                        None,
                    ));
                }
            }
            for (event_type, event_ts, is_machine_open, reply_text) in events {
                // Most events land within half an hour; a few percent arrive one to four days late.
                let delay = if rng.random_range(0..100) < 3 {
                    rng.random_range(86_400..4 * 86_400)
                } else {
                    rng.random_range(5..1800)
                };
                let event = Event {
                    event_id: uuid_from(&mut rng),
                    campaign_id: campaign.campaign_id,
                    member_id: member.member_id.clone(),
                    message_id,
                    event_type,
                    event_ts,
                    loaded_at: event_ts + Duration::seconds(delay),
                    is_machine_open,
                    reply_text,
                };
                // At-least-once delivery: about 1% of events land twice.
                let copy = rng.random_range(0..100) == 0;
                let copy_delay = Duration::seconds(rng.random_range(60..6 * 3600));
                if event.event_ts <= options.as_of {
                    if copy {
                        let mut again = event.clone();
                        again.loaded_at += copy_delay;
                        if landed(again.loaded_at) {
                            emit(again);
                        }
                    }
                    if landed(event.loaded_at) {
                        emit(event);
                    }
                }
            }
        }
    }
}

/// Every event of the world that landed in (`since`, `as_of`], campaign by campaign.
pub fn all_events(
    world: &World,
    options: &GenerateOptions,
    since: Option<OffsetDateTime>,
) -> Vec<Event> {
    let mut events = Vec::new();
    for index in 0..world.campaigns.len() {
        campaign_events(world, options, index, since, &mut |event| {
            events.push(event)
        });
    }
    events
}

/// What [`to_warehouse`] wrote.
#[derive(Debug, Clone, Copy)]
pub struct Generated {
    /// Event rows written (copies included).
    pub events: u64,
    /// Members written (none when appending).
    pub members: usize,
    /// Campaigns written.
    pub campaigns: usize,
}

/// How [`to_warehouse`] treats what is already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Create the warehouse; refuse if it already holds events.
    Create,
    /// Drop the warehouse schema and create it again.
    Replace,
    /// Keep everything and add the events that landed since the latest loaded_at there.
    Append,
}

/// Writes the world into a PostgreSQL warehouse with COPY; generation runs on its own thread
/// while the server ingests.
pub async fn to_warehouse(
    url: &str,
    options: &GenerateOptions,
    mode: Mode,
    progress: &indicatif::ProgressBar,
) -> Result<Generated, crate::EtlError> {
    use crate::EtlError;
    use crate::load::CopyRows;

    let mut conn = crate::connect("warehouse", url).await?;
    let has_events: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM information_schema.tables
                        WHERE table_schema = 'warehouse' AND table_name = 'outreach_events')",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(EtlError::warehouse("looking for an existing warehouse"))?;
    match mode {
        Mode::Create if has_events => {
            return Err(EtlError::Data(
                "the warehouse already has warehouse.outreach_events; pass --replace to start again or --append to add the next events".into(),
            ));
        }
        Mode::Append if !has_events => {
            return Err(EtlError::Data(
                "there is no warehouse to append to; generate one first".into(),
            ));
        }
        Mode::Replace => {
            sqlx::raw_sql("DROP SCHEMA IF EXISTS warehouse CASCADE")
                .execute(&mut conn)
                .await
                .map_err(EtlError::warehouse("dropping the old warehouse"))?;
        }
        _ => {}
    }
    sqlx::raw_sql(crate::source::WAREHOUSE_DDL)
        .execute(&mut conn)
        .await
        .map_err(EtlError::warehouse("creating the warehouse tables"))?;
    let since: Option<OffsetDateTime> = if mode == Mode::Append {
        sqlx::query_scalar("SELECT max(loaded_at) FROM warehouse.outreach_events")
            .fetch_one(&mut conn)
            .await
            .map_err(EtlError::warehouse("reading the latest loaded_at"))?
    } else {
        None
    };

    let world = world(options);
    let mut tx = sqlx::Connection::begin(&mut conn)
        .await
        .map_err(EtlError::warehouse("starting the load"))?;
    if mode != Mode::Append {
        let mut rows = CopyRows::default();
        for m in &world.members {
            rows.text(&m.member_id)
                .text(&m.first_name)
                .text(&m.last_name)
                .text(&m.email)
                .text(&m.phone)
                .plain(m.date_of_birth)
                .text(&m.gender)
                .text(&m.state)
                .text(&m.plan_type)
                .text(&m.risk_tier)
                .instant(options.as_of);
            rows.end_row();
        }
        rows.copy_into(&mut tx, "COPY warehouse.members FROM STDIN")
            .await
            .map_err(EtlError::warehouse("writing members"))?;
    }
    sqlx::raw_sql("DELETE FROM warehouse.campaigns; DELETE FROM warehouse.injected_anomalies;")
        .execute(&mut *tx)
        .await
        .map_err(EtlError::warehouse("clearing campaigns"))?;
    let mut rows = CopyRows::default();
    for c in &world.campaigns {
        rows.plain(c.campaign_id)
            .text(&c.campaign_name)
            .text(&c.campaign_type)
            .plain(c.channel)
            .plain(c.start_date)
            .optional(c.end_date)
            .plain(c.status)
            .instant(c.updated_at);
        rows.end_row();
    }
    rows.copy_into(&mut tx, "COPY warehouse.campaigns FROM STDIN")
        .await
        .map_err(EtlError::warehouse("writing campaigns"))?;
    let mut rows = CopyRows::default();
    for a in &world.anomalies {
        rows.plain(a.campaign_id)
            .plain(a.anomaly_type)
            .plain(a.start_date)
            .plain(a.end_date);
        rows.end_row();
    }
    rows.copy_into(&mut tx, "COPY warehouse.injected_anomalies FROM STDIN")
        .await
        .map_err(EtlError::warehouse("writing injected anomalies"))?;

    // Generate on a thread of its own, a campaign per buffer, while the server ingests.
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<(CopyRows, u64)>(4);
    let producer_world = world.clone();
    let producer_options = options.clone();
    let producer = std::thread::spawn(move || {
        for index in 0..producer_world.campaigns.len() {
            let mut rows = CopyRows::default();
            let mut count = 0u64;
            campaign_events(&producer_world, &producer_options, index, since, &mut |e| {
                rows.plain(e.event_id)
                    .plain(e.campaign_id)
                    .text(&e.member_id)
                    .plain(e.message_id)
                    .text(&e.event_type)
                    .instant(e.event_ts)
                    .instant(e.loaded_at)
                    .plain(e.is_machine_open)
                    .optional_text(e.reply_text.as_deref());
                rows.end_row();
                count += 1;
            });
            if sender.blocking_send((rows, count)).is_err() {
                return;
            }
        }
    });
    let mut copy = tx
        .copy_in_raw("COPY warehouse.outreach_events FROM STDIN")
        .await
        .map_err(EtlError::warehouse("starting to write events"))?;
    let mut events = 0u64;
    progress.set_length(world.campaigns.len() as u64);
    while let Some((rows, count)) = receiver.recv().await {
        copy.send(rows.into_bytes())
            .await
            .map_err(EtlError::warehouse("writing events"))?;
        events += count;
        progress.inc(1);
    }
    copy.finish()
        .await
        .map_err(EtlError::warehouse("writing events"))?;
    let _ = producer.join();
    tx.commit()
        .await
        .map_err(EtlError::warehouse("committing the warehouse"))?;

    if mode != Mode::Append {
        progress.set_message("indexing");
        for statement in crate::source::WAREHOUSE_INDEXES {
            sqlx::query(*statement)
                .execute(&mut conn)
                .await
                .map_err(EtlError::warehouse("indexing events"))?;
        }
    }
    // As the warehouse's own upkeep (autovacuum) would in time: statistics, and the hint bits
    // and visibility map that spare the first reader from writing every page it reads.
    // (VACUUM runs outside a transaction block: one statement per call.)
    for table in [
        "VACUUM ANALYZE warehouse.outreach_events",
        "VACUUM ANALYZE warehouse.members",
        "VACUUM ANALYZE warehouse.campaigns",
    ] {
        sqlx::raw_sql(table)
            .execute(&mut conn)
            .await
            .map_err(EtlError::warehouse("vacuuming and analyzing the warehouse"))?;
    }
    progress.finish_and_clear();
    Ok(Generated {
        events,
        members: if mode == Mode::Append {
            0
        } else {
            world.members.len()
        },
        campaigns: world.campaigns.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use outreach_model::STATE_REGIONS;

    #[test]
    fn generated_members_live_in_known_states() {
        for (state, _) in STATE_WEIGHTS {
            assert!(
                STATE_REGIONS.iter().any(|(code, _)| code == state),
                "{state}"
            );
        }
    }
}
