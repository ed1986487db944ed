//! The scale dataset: dashboard-level rows written straight into a dashboard database, at the
//! size a large health plan reaches (10,000 campaigns over two years, about 100 million
//! member_interactions rows), to measure the read side. It skips the warehouse and the
//! event-level ETL, which stay the correctness path, but its rows keep the same invariants: a
//! day's totals are the sums of its segments' counts, reach is the size of the day's set of
//! synthetic members (each reached at most once a day) and the sketches are sketches of those
//! sets. The rollups come from the ETL's own [`crate::rollups::rebuild`].
//!
//! It writes only into a dashboard database that holds no campaign yet, as a role that owns its
//! tables (it drops member_interactions' indexes for the load and builds them again), all in one
//! transaction: a failed load leaves the database as it was.

use std::time::Instant;

use outreach_backend::metrics::Counts;
use outreach_backend::reach::{Sketch, register_of};
use outreach_model::{AgeBand, CampaignStatus, Channel, PlanType, Region, RiskTier, Segment};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::PgConnection;
use time::{Date, Duration, OffsetDateTime, Time};
use uuid::Uuid;

use crate::EtlError;
use crate::copy::CopyRows;

/// The size and shape of a scale dataset.
#[derive(Debug, Clone, Copy)]
pub struct ScaleOptions {
    /// Campaigns.
    pub campaigns: u32,
    /// Days of history, ending on `end_date`.
    pub days: u32,
    /// Members of the synthetic population.
    pub members: u32,
    /// Member segments each campaign targets.
    pub segments_per_campaign: usize,
    /// Random seed.
    pub seed: u64,
    /// The last day with data.
    pub end_date: Date,
}

/// What was written.
#[derive(Debug, Default, Clone, Copy)]
pub struct ScaleReport {
    /// Campaigns.
    pub campaigns: u64,
    /// Rows of campaign_metrics_daily.
    pub campaign_days: u64,
    /// Rows of member_interactions.
    pub interactions: u64,
    /// Seconds spent generating and copying rows.
    pub load_seconds: f64,
    /// Seconds spent building member_interactions' indexes.
    pub index_seconds: f64,
    /// Seconds spent building the rollups.
    pub rollup_seconds: f64,
}

const TYPES: &[(&str, &[&str])] = &[
    (
        "Care Gap Closure",
        &[
            "Colorectal cancer screening",
            "Diabetic eye exam",
            "A1c test reminder",
        ],
    ),
    (
        "Medication Adherence",
        &["Statin refill", "Blood pressure medication refill"],
    ),
    (
        "Preventive Screening",
        &["Flu shot", "Bone density scan", "Cervical cancer screening"],
    ),
    (
        "Enrollment",
        &[
            "Open enrollment",
            "Medicaid redetermination",
            "Paperless billing",
        ],
    ),
    (
        "Wellness",
        &[
            "Step challenge",
            "Smoking cessation",
            "Mental health resources",
        ],
    ),
];

/// Rows are sent to PostgreSQL in pieces of about this many bytes.
const CHUNK_BYTES: usize = 32 << 20;

/// The synthetic population: each member's segment and hash register, members grouped by
/// segment so a campaign's daily audience is a window over a segment's members.
struct Population {
    /// Per segment index: the first member and how many there are.
    segments: Vec<(u32, u32)>,
    /// Per segment index: its weight in the population.
    weights: Vec<f64>,
    /// Per member: (register, rank) of its id.
    registers: Vec<(u16, u8)>,
}

fn weight<T: PartialEq>(all: &[T], value: &T, weights: &[f64]) -> f64 {
    all.iter()
        .position(|v| v == value)
        .and_then(|i| weights.get(i))
        .copied()
        .unwrap_or(0.0)
}

impl Population {
    fn new(members: u32) -> Population {
        let segments: Vec<Segment> = (0..Segment::COUNT)
            .filter_map(Segment::from_index)
            .collect();
        let weights: Vec<f64> = segments
            .iter()
            .map(|s| {
                weight(
                    AgeBand::ALL,
                    &s.age_band,
                    &[4.0, 20.0, 20.0, 22.0, 30.0, 0.5],
                ) * weight(PlanType::ALL, &s.plan_type, &[45.0, 25.0, 22.0, 8.0, 0.3])
                    * weight(RiskTier::ALL, &s.risk_tier, &[50.0, 30.0, 18.0, 2.0])
                    * weight(Region::ALL, &s.region, &[18.0, 21.0, 38.0, 22.0, 1.0, 0.3])
            })
            .collect();
        let total: f64 = weights.iter().sum();
        let mut first = 0u32;
        let ranges = weights
            .iter()
            .map(|w| {
                let size = ((w / total) * f64::from(members)).round() as u32;
                let range = (first, size);
                first += size;
                range
            })
            .collect();
        let registers = (0..first)
            .map(|m| register_of(&format!("SCALE-{m:08}")))
            .collect();
        Population {
            segments: ranges,
            weights,
            registers,
        }
    }
}

/// One campaign's rows, appended to the three COPY buffers.
struct Buffers {
    campaigns: CopyRows,
    daily: CopyRows,
    interactions: CopyRows,
    sketches: CopyRows,
    bytes: usize,
}

impl Buffers {
    fn new() -> Buffers {
        Buffers {
            campaigns: CopyRows::default(),
            daily: CopyRows::default(),
            interactions: CopyRows::default(),
            sketches: CopyRows::default(),
            bytes: 0,
        }
    }
}

/// Draws `count` at a mean of `mean`: its whole part, plus one with the chance of its fraction.
fn draw(rng: &mut ChaCha8Rng, mean: f64) -> i64 {
    let whole = mean.floor();
    whole as i64 + i64::from(rng.random_range(0.0..1.0) < mean - whole)
}

fn campaign_rows(
    options: &ScaleOptions,
    population: &Population,
    index: u32,
    next_interaction: &mut i64,
    out: &mut Buffers,
    report: &mut ScaleReport,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed ^ (u64::from(index) << 20));
    let campaign_id = Uuid::from_u128(rng.random::<u128>() & !(0xF000 << 64) | (0x4000 << 64));
    let channel = match rng.random_range(0..100) {
        0..50 => Channel::Email,
        50..80 => Channel::Sms,
        _ => Channel::Push,
    };
    let (campaign_type, topics) = TYPES[rng.random_range(0..TYPES.len())];
    let topic = topics[rng.random_range(0..topics.len())];
    let history_start = options.end_date - Duration::days(i64::from(options.days) - 1);
    let first_day = history_start - Duration::days(20)
        + Duration::days(rng.random_range(0..i64::from(options.days) + 20));
    let length = rng.random_range(14..=120_i64);
    let last_day = first_day + Duration::days(length - 1);
    let status = if first_day > options.end_date {
        CampaignStatus::Scheduled
    } else if last_day < options.end_date {
        match rng.random_range(0..100) {
            0..5 => CampaignStatus::Cancelled,
            _ => CampaignStatus::Completed,
        }
    } else if rng.random_range(0..100) < 8 {
        CampaignStatus::Paused
    } else {
        CampaignStatus::Active
    };
    let name = format!("{topic} ({channel}) #{index:05}");
    out.campaigns
        .plain(campaign_id)
        .text(&name)
        .text(&outreach_model::search_key(&name))
        .text(campaign_type)
        .plain(first_day)
        .plain(last_day)
        .plain(status)
        .plain(channel)
        .instant(OffsetDateTime::new_utc(first_day, Time::MIDNIGHT));
    out.campaigns.end_row();
    report.campaigns += 1;

    // The segments it targets, drawn by their weight in the population, and how much of each
    // it reaches a day.
    let total_weight: f64 = population.weights.iter().sum();
    let mut targets: Vec<usize> = Vec::with_capacity(options.segments_per_campaign);
    while targets.len() < options.segments_per_campaign.min(population.segments.len()) {
        let mut roll = rng.random_range(0.0..total_weight);
        let mut pick = 0;
        for (i, w) in population.weights.iter().enumerate() {
            if roll < *w {
                pick = i;
                break;
            }
            roll -= w;
        }
        if !targets.contains(&pick) && population.segments[pick].1 > 0 {
            targets.push(pick);
        }
    }
    let daily_share = (rng.random_range(-7.3_f64..-5.8)).exp();
    let (open_rate, click_rate, bounce_rate, opt_out_rate) = match channel {
        Channel::Email => (rng.random_range(0.15..0.35), 0.15, 0.03, 0.002),
        Channel::Sms => (0.0, 0.08, 0.02, 0.008),
        Channel::Push => (rng.random_range(0.05..0.15), 0.3, 0.05, 0.001),
    };
    let conversion_rate = rng.random_range(0.05..0.25);

    let from = first_day.max(history_start);
    let to = if status == CampaignStatus::Paused || status == CampaignStatus::Cancelled {
        last_day.min(options.end_date) - Duration::days(rng.random_range(0..length / 2 + 1))
    } else {
        last_day.min(options.end_date)
    };
    // Formatted once: most of a row's bytes.
    let id = campaign_id.to_string();
    let keys: Vec<String> = targets
        .iter()
        .map(|t| {
            Segment::from_index(*t as u16)
                .unwrap_or(Segment::UNKNOWN)
                .key()
        })
        .collect();
    let mut day = from;
    let mut day_number = 0u64;
    while day <= to {
        let day_text = day.to_string();
        // Fewer sends at weekends.
        let weekday_factor = if day.weekday().number_days_from_monday() >= 5 {
            0.3
        } else {
            1.0
        };
        let mut totals = Counts::default();
        let mut sketch = Sketch::default();
        for (&segment, key) in targets.iter().zip(&keys) {
            let (first, size) = population.segments[segment];
            let delivered =
                draw(&mut rng, f64::from(size) * daily_share * weekday_factor).min(i64::from(size));
            if delivered == 0 {
                continue;
            }
            // A window over the segment's members that moves on each day.
            let offset =
                (u64::from(index) * 7919 + day_number * delivered as u64) % u64::from(size);
            for k in 0..delivered as u64 {
                let member = first + ((offset + k) % u64::from(size)) as u32;
                let (register, rank) = population.registers[member as usize];
                sketch.observe(register, rank);
            }
            let opens = draw(&mut rng, delivered as f64 * open_rate);
            let clicks = draw(
                &mut rng,
                (if open_rate > 0.0 {
                    opens as f64
                } else {
                    delivered as f64
                }) * click_rate,
            );
            let engaged = (clicks + draw(&mut rng, opens as f64 * 0.1)).min(delivered);
            let counts = Counts {
                sent: delivered + draw(&mut rng, delivered as f64 * bounce_rate),
                impressions: delivered,
                reach: delivered,
                bounces: 0,
                opens,
                machine_opens: if channel == Channel::Email {
                    draw(&mut rng, delivered as f64 * 0.1)
                } else {
                    0
                },
                clicks,
                engaged,
                conversions: draw(&mut rng, engaged as f64 * conversion_rate),
                opt_outs: draw(&mut rng, delivered as f64 * opt_out_rate),
            };
            let counts = Counts {
                bounces: counts.sent - delivered,
                ..counts
            };
            for (kind, count) in [
                ("Delivered", counts.impressions),
                ("Open", counts.opens),
                ("Click", counts.clicks),
                ("Engaged", counts.engaged),
                ("Convert", counts.conversions),
                ("OptOut", counts.opt_outs),
            ] {
                if count > 0 {
                    out.interactions
                        .plain(*next_interaction)
                        .plain(&id)
                        .text(key)
                        .plain(&day_text)
                        .plain(kind)
                        .plain(count);
                    out.interactions.end_row();
                    *next_interaction += 1;
                    report.interactions += 1;
                }
            }
            totals += counts;
        }
        if totals.impressions > 0 {
            out.daily.plain(&id).plain(&day_text).daily_counts(&totals);
            out.daily.end_row();
            out.sketches
                .plain(&id)
                .plain(&day_text)
                .bytes(&sketch.to_bytes());
            out.sketches.end_row();
            report.campaign_days += 1;
        }
        day_number += 1;
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    out.bytes = out.campaigns.len() + out.daily.len() + out.interactions.len() + out.sketches.len();
}

/// Fills an empty dashboard database with a scale dataset, its indexes and its rollups.
pub async fn load(
    conn: &mut PgConnection,
    options: ScaleOptions,
    progress: impl Fn(u64, u64),
) -> Result<ScaleReport, EtlError> {
    use sqlx::Connection as _;

    let held: i64 = sqlx::query_scalar("SELECT count(*) FROM campaigns")
        .fetch_one(&mut *conn)
        .await
        .map_err(EtlError::dashboard("counting campaigns"))?;
    if held > 0 {
        return Err(EtlError::NotEmpty(held));
    }
    let mut tx = conn
        .begin()
        .await
        .map_err(EtlError::dashboard("starting the load"))?;
    let dropped = crate::copy::drop_indexes(&mut tx, "member_interactions")
        .await?
        .ok_or(EtlError::Dashboard {
            context: "dropping member_interactions' indexes for the load",
            source: sqlx::Error::Protocol(
                "the role must own member_interactions, and no foreign key may refer to it".into(),
            ),
        })?;

    // Rows are made on a blocking thread while this one copies the previous piece.
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Buffers>(2);
    let started = Instant::now();
    let generator = tokio::task::spawn_blocking(move || {
        let population = Population::new(options.members);
        let mut report = ScaleReport::default();
        let mut next_interaction = 1_i64;
        let mut buffers = Buffers::new();
        for index in 0..options.campaigns {
            campaign_rows(
                &options,
                &population,
                index,
                &mut next_interaction,
                &mut buffers,
                &mut report,
            );
            if buffers.bytes >= CHUNK_BYTES || index + 1 == options.campaigns {
                let full = std::mem::replace(&mut buffers, Buffers::new());
                if sender.blocking_send(full).is_err() {
                    break;
                }
            }
        }
        report
    });
    let mut sent = 0u64;
    while let Some(buffers) = receiver.recv().await {
        let Buffers {
            campaigns,
            daily,
            interactions,
            sketches,
            ..
        } = buffers;
        campaigns
            .copy_into(&mut tx, "COPY campaigns (campaign_id, campaign_name, search_name, campaign_type, start_date, end_date, status, channel, updated_at) FROM STDIN")
            .await
            .map_err(EtlError::dashboard("loading campaigns"))?;
        daily
            .copy_into(&mut tx, crate::load::COPY_DAILY)
            .await
            .map_err(EtlError::dashboard("loading daily metrics"))?;
        interactions
            .copy_into(&mut tx, crate::load::COPY_INTERACTIONS_WITH_IDS)
            .await
            .map_err(EtlError::dashboard("loading member interactions"))?;
        sketches
            .copy_into(
                &mut tx,
                "COPY campaign_reach_sketches (campaign_id, metric_date, sketch) FROM STDIN",
            )
            .await
            .map_err(EtlError::dashboard("loading reach sketches"))?;
        sent += 1;
        progress(sent, u64::from(options.campaigns));
    }
    let mut report = generator
        .await
        .map_err(|err| EtlError::Generator(err.to_string()))?;
    report.load_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    dropped.rebuild(&mut tx).await?;
    sqlx::raw_sql(
        "SELECT setval(pg_get_serial_sequence('member_interactions', 'interaction_id'),
                       coalesce((SELECT max(interaction_id) FROM member_interactions), 0) + 1, false);",
    )
    .execute(&mut *tx)
    .await
    .map_err(EtlError::dashboard("moving the interaction id sequence on"))?;
    report.index_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    crate::rollups::rebuild(&mut tx, None, None).await?;
    report.rollup_seconds = started.elapsed().as_secs_f64();
    tx.commit()
        .await
        .map_err(EtlError::dashboard("committing the load"))?;
    // Sets the visibility map too, as autovacuum would in time, so index-only scans can be.
    sqlx::raw_sql("VACUUM (ANALYZE)")
        .execute(&mut *conn)
        .await
        .map_err(EtlError::dashboard("vacuuming and analyzing the tables"))?;
    Ok(report)
}
