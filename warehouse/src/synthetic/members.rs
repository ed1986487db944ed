//! The CRM's members: names, contact details, birth dates, states, plans and risk tiers (the
//! personal data that must never leave the warehouse).

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration};

use super::names::{FIRST_NAMES, LAST_NAMES, STATE_WEIGHTS};
use crate::source::Member;

pub(crate) fn member(rng: &mut ChaCha8Rng, index: u32, end_date: Date) -> Member {
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
    // One member in 250 lives outside the US (a Canadian province): the contract's region
    // `Unknown`. Decided by the index, so no draw of the others moves.
    if index % 250 == 17 {
        state = "ON";
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
