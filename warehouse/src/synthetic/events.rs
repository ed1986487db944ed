//! What happens to each campaign's messages: sends, bounces, deliveries, opens (a person's or a
//! privacy proxy's), clicks, replies, opt-outs and conversions, landing in the warehouse on time,
//! late or twice.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use time::{Duration, OffsetDateTime, Time, Weekday};

use outreach_model::Channel;

use super::{GenerateOptions, World, rng_for, uuid_from};
use crate::source::Event;

/// Non-opt-out replies and opt-out replies as members really type them.
pub(crate) const REPLIES: &[&str] = &[
    "YES",
    "Y",
    "Thanks!",
    "ok",
    "What is this?",
    "C",
    "Call me",
    "Already done",
];
pub(crate) const OPT_OUT_SPELLINGS: &[&str] = &[
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
    // The contract's fallbacks, from a stream of their own so the rest of the world stays as
    // it is: a message now and then to a member the CRM does not have, and one whose later
    // events carry another member's id.
    let mut quirks = rng_for(options.seed, 5_000_000 + index as u64);
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
            let quirk = quirks.random_range(0..1_000);
            let recipient = if quirk < 3 {
                format!("X{:09}", quirks.random_range(0..1_000_000_000_u64))
            } else {
                member.member_id.clone()
            };
            let second_member = (3..6).contains(&quirk).then(|| {
                world.members[quirks.random_range(0..world.members.len())]
                    .member_id
                    .clone()
            });
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
            for (position, (event_type, event_ts, is_machine_open, reply_text)) in
                events.into_iter().enumerate()
            {
                // After the send and its delivery or bounce, the second member's id, if any.
                let member_id = match &second_member {
                    Some(other) if position >= 2 => other.clone(),
                    _ => recipient.clone(),
                };
                // Most events land within half an hour; a few percent arrive one to four days late.
                let delay = if rng.random_range(0..100) < 3 {
                    rng.random_range(86_400..4 * 86_400)
                } else {
                    rng.random_range(5..1800)
                };
                let event = Event {
                    event_id: uuid_from(&mut rng),
                    campaign_id: campaign.campaign_id,
                    member_id,
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
