//! Member segments: the anonymous groups the dashboard drills into, never a person.

use crate::named_enum;
use time::Date;

named_enum!(
    /// Age at the date of the event, in the bands the dashboard reports.
    AgeBand, "age band", {
        /// Members under 18 (dependants on family plans); kept apart rather than dropped so that
        /// segment totals add up to campaign totals.
        Under18 => "Under 18",
        From18To34 => "18-34",
        From35To49 => "35-49",
        From50To64 => "50-64",
        From65 => "65+",
        /// The member is not in the CRM extract.
        Unknown => "Unknown",
    }
);

named_enum!(
    /// The member's health plan.
    PlanType, "plan type", {
        Commercial => "Commercial",
        MedicareAdvantage => "Medicare Advantage",
        Medicaid => "Medicaid",
        Individual => "Individual",
        /// The member is not in the CRM extract.
        Unknown => "Unknown",
    }
);

named_enum!(
    /// The member's clinical risk tier.
    RiskTier, "risk tier", {
        Low => "Low",
        Moderate => "Moderate",
        High => "High",
        /// The member is not in the CRM extract.
        Unknown => "Unknown",
    }
);

named_enum!(
    /// US Census region of the member's state.
    Region, "region", {
        Northeast => "Northeast",
        Midwest => "Midwest",
        South => "South",
        West => "West",
        /// Puerto Rico, Guam, the US Virgin Islands, American Samoa, the Northern Mariana Islands.
        Territories => "Territories",
        /// A state code that is not a US state or territory, or a member not in the CRM extract.
        Unknown => "Unknown",
    }
);

named_enum!(
    /// The kinds of interaction counted per member segment (docs/metrics.md).
    InteractionType, "interaction type", {
        Delivered => "Delivered",
        Open => "Open",
        Click => "Click",
        Engaged => "Engaged",
        Convert => "Convert",
        OptOut => "OptOut",
    }
);

named_enum!(
    /// The parts of a member segment, each a dimension of the drill-down, by the column names
    /// of `member_segments`.
    Dimension, "segment dimension", {
        AgeBand => "age_band",
        PlanType => "plan_type",
        RiskTier => "risk_tier",
        Region => "region",
    }
);

impl Dimension {
    /// The name a person reads.
    pub const fn label(self) -> &'static str {
        match self {
            Dimension::AgeBand => "Age band",
            Dimension::PlanType => "Plan type",
            Dimension::RiskTier => "Risk tier",
            Dimension::Region => "Region",
        }
    }

    /// The dimension's values in display order (the order of their lists).
    pub fn values(self) -> Vec<&'static str> {
        match self {
            Dimension::AgeBand => AgeBand::ALL.iter().map(|v| v.as_str()).collect(),
            Dimension::PlanType => PlanType::ALL.iter().map(|v| v.as_str()).collect(),
            Dimension::RiskTier => RiskTier::ALL.iter().map(|v| v.as_str()).collect(),
            Dimension::Region => Region::ALL.iter().map(|v| v.as_str()).collect(),
        }
    }

    /// Where `value` comes in the dimension's display order (unknown values last).
    pub fn position(self, value: &str) -> usize {
        self.values()
            .iter()
            .position(|v| *v == value)
            .unwrap_or(usize::MAX)
    }

    /// This dimension's part of `segment`.
    pub fn of(self, segment: &Segment) -> &'static str {
        match self {
            Dimension::AgeBand => segment.age_band.as_str(),
            Dimension::PlanType => segment.plan_type.as_str(),
            Dimension::RiskTier => segment.risk_tier.as_str(),
            Dimension::Region => segment.region.as_str(),
        }
    }
}

/// US state and territory codes and their Census region: the one table both the warehouse SQL
/// (bound as arrays) and the Rust reference implementation use.
pub const STATE_REGIONS: &[(&str, Region)] = &[
    ("CT", Region::Northeast),
    ("ME", Region::Northeast),
    ("MA", Region::Northeast),
    ("NH", Region::Northeast),
    ("RI", Region::Northeast),
    ("VT", Region::Northeast),
    ("NJ", Region::Northeast),
    ("NY", Region::Northeast),
    ("PA", Region::Northeast),
    ("IL", Region::Midwest),
    ("IN", Region::Midwest),
    ("MI", Region::Midwest),
    ("OH", Region::Midwest),
    ("WI", Region::Midwest),
    ("IA", Region::Midwest),
    ("KS", Region::Midwest),
    ("MN", Region::Midwest),
    ("MO", Region::Midwest),
    ("NE", Region::Midwest),
    ("ND", Region::Midwest),
    ("SD", Region::Midwest),
    ("DE", Region::South),
    ("FL", Region::South),
    ("GA", Region::South),
    ("MD", Region::South),
    ("NC", Region::South),
    ("SC", Region::South),
    ("VA", Region::South),
    ("DC", Region::South),
    ("WV", Region::South),
    ("AL", Region::South),
    ("KY", Region::South),
    ("MS", Region::South),
    ("TN", Region::South),
    ("AR", Region::South),
    ("LA", Region::South),
    ("OK", Region::South),
    ("TX", Region::South),
    ("AZ", Region::West),
    ("CO", Region::West),
    ("ID", Region::West),
    ("MT", Region::West),
    ("NV", Region::West),
    ("NM", Region::West),
    ("UT", Region::West),
    ("WY", Region::West),
    ("AK", Region::West),
    ("CA", Region::West),
    ("HI", Region::West),
    ("OR", Region::West),
    ("WA", Region::West),
    ("PR", Region::Territories),
    ("GU", Region::Territories),
    ("VI", Region::Territories),
    ("AS", Region::Territories),
    ("MP", Region::Territories),
];

impl Region {
    /// The Census region of a two-letter state code (exact, upper case, as in the contract).
    pub fn of_state(state: &str) -> Region {
        STATE_REGIONS
            .iter()
            .find(|(code, _)| *code == state)
            .map_or(Region::Unknown, |(_, region)| *region)
    }
}

impl AgeBand {
    /// The band of a member born on `date_of_birth`, on `on` (whole years; a birthday counts
    /// from its day, and a 29 February birthday from 1 March in other years).
    pub fn on(date_of_birth: Date, on: Date) -> AgeBand {
        let mut years = on.year() - date_of_birth.year();
        if (on.month() as u8, on.day()) < (date_of_birth.month() as u8, date_of_birth.day()) {
            years -= 1;
        }
        match years {
            i32::MIN..=17 => AgeBand::Under18,
            18..=34 => AgeBand::From18To34,
            35..=49 => AgeBand::From35To49,
            50..=64 => AgeBand::From50To64,
            _ => AgeBand::From65,
        }
    }
}

/// One member segment: the anonymous combination of age band, plan, risk tier and region.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Segment {
    /// Age at the date of the interaction.
    pub age_band: AgeBand,
    /// Health plan.
    pub plan_type: PlanType,
    /// Clinical risk tier.
    pub risk_tier: RiskTier,
    /// Census region of the member's state.
    pub region: Region,
}

impl Segment {
    /// The segment of events whose member is not in the CRM extract.
    pub const UNKNOWN: Segment = Segment {
        age_band: AgeBand::Unknown,
        plan_type: PlanType::Unknown,
        risk_tier: RiskTier::Unknown,
        region: Region::Unknown,
    };

    /// The key stored in `member_interactions.member_segment`, e.g. `35-49/Medicaid/High/South`.
    pub fn key(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.age_band, self.plan_type, self.risk_tier, self.region
        )
    }

    /// Number of distinct segments.
    pub const COUNT: u16 =
        (AgeBand::ALL.len() * PlanType::ALL.len() * RiskTier::ALL.len() * Region::ALL.len()) as u16;

    /// A compact number for the segment, 0..[`Segment::COUNT`]: each part's position in its
    /// list, age band most significant and region least.
    pub fn index(&self) -> u16 {
        let position = |found: Option<usize>| found.unwrap_or(0) as u16;
        let age = position(AgeBand::ALL.iter().position(|a| *a == self.age_band));
        let plan = position(PlanType::ALL.iter().position(|p| *p == self.plan_type));
        let risk = position(RiskTier::ALL.iter().position(|r| *r == self.risk_tier));
        let region = position(Region::ALL.iter().position(|g| *g == self.region));
        ((age * PlanType::ALL.len() as u16 + plan) * RiskTier::ALL.len() as u16 + risk)
            * Region::ALL.len() as u16
            + region
    }

    /// The segment of a number made by [`Segment::index`].
    pub fn from_index(index: u16) -> Option<Segment> {
        let mut rest = usize::from(index);
        let region = *Region::ALL.get(rest % Region::ALL.len())?;
        rest /= Region::ALL.len();
        let risk_tier = *RiskTier::ALL.get(rest % RiskTier::ALL.len())?;
        rest /= RiskTier::ALL.len();
        let plan_type = *PlanType::ALL.get(rest % PlanType::ALL.len())?;
        rest /= PlanType::ALL.len();
        let age_band = *AgeBand::ALL.get(rest)?;
        Some(Segment {
            age_band,
            plan_type,
            risk_tier,
            region,
        })
    }

    /// Every segment that can occur, in key order of its parts.
    pub fn all() -> impl Iterator<Item = Segment> {
        AgeBand::ALL.iter().flat_map(|&age_band| {
            PlanType::ALL.iter().flat_map(move |&plan_type| {
                RiskTier::ALL.iter().flat_map(move |&risk_tier| {
                    Region::ALL.iter().map(move |&region| Segment {
                        age_band,
                        plan_type,
                        risk_tier,
                        region,
                    })
                })
            })
        })
    }
}

impl std::str::FromStr for Segment {
    type Err = crate::UnknownName;

    fn from_str(key: &str) -> Result<Self, Self::Err> {
        let mut parts = key.split('/');
        let segment = Segment {
            age_band: parts.next().unwrap_or_default().parse()?,
            plan_type: parts.next().unwrap_or_default().parse()?,
            risk_tier: parts.next().unwrap_or_default().parse()?,
            region: parts.next().unwrap_or_default().parse()?,
        };
        match parts.next() {
            None => Ok(segment),
            Some(_) => Err(crate::UnknownName {
                kind: "segment",
                value: key.to_owned(),
                expected: "age band/plan type/risk tier/region",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn age_band_counts_whole_years_at_the_event_date() {
        let born = date!(1990 - 06 - 15);
        assert_eq!(
            AgeBand::on(born, date!(2025 - 06 - 14)),
            AgeBand::From18To34
        );
        assert_eq!(
            AgeBand::on(born, date!(2025 - 06 - 15)),
            AgeBand::From35To49
        );
        assert_eq!(
            AgeBand::on(date!(2010 - 01 - 01), date!(2026 - 01 - 01)),
            AgeBand::Under18
        );
        assert_eq!(
            AgeBand::on(date!(1960 - 01 - 01), date!(2026 - 01 - 01)),
            AgeBand::From65
        );
    }

    #[test]
    fn leap_day_birthdays_turn_over_on_the_first_of_march() {
        let born = date!(1992 - 02 - 29);
        assert_eq!(
            AgeBand::on(born, date!(2027 - 02 - 28)),
            AgeBand::From18To34
        );
        assert_eq!(
            AgeBand::on(born, date!(2027 - 03 - 01)),
            AgeBand::From35To49
        );
    }

    #[test]
    fn regions_follow_the_census() {
        assert_eq!(Region::of_state("NY"), Region::Northeast);
        assert_eq!(Region::of_state("TX"), Region::South);
        assert_eq!(Region::of_state("DC"), Region::South);
        assert_eq!(Region::of_state("PR"), Region::Territories);
        assert_eq!(Region::of_state("ny"), Region::Unknown);
        assert_eq!(Region::of_state("ZZ"), Region::Unknown);
        assert_eq!(STATE_REGIONS.len(), 51 + 5);
    }

    #[test]
    fn segment_numbers_round_trip_and_are_dense() {
        let mut seen = std::collections::BTreeSet::new();
        for segment in Segment::all() {
            let index = segment.index();
            assert!(index < Segment::COUNT);
            assert_eq!(Segment::from_index(index), Some(segment));
            seen.insert(index);
        }
        assert_eq!(seen.len(), usize::from(Segment::COUNT));
        assert_eq!(Segment::from_index(Segment::COUNT), None);
        assert_eq!(Segment::UNKNOWN.index(), Segment::COUNT - 1);
    }

    #[test]
    fn dimensions_name_a_segment_s_parts_in_order() {
        let segment: Segment = "35-49/Medicaid/High/South".parse().expect("a segment");
        let parts: Vec<&str> = Dimension::ALL.iter().map(|d| d.of(&segment)).collect();
        assert_eq!(parts, ["35-49", "Medicaid", "High", "South"]);
        assert_eq!(Dimension::AgeBand.position("18-34"), 1);
        assert_eq!(Dimension::Region.position("Atlantis"), usize::MAX);
        assert_eq!("risk_tier".parse(), Ok(Dimension::RiskTier));
    }

    #[test]
    fn segment_keys_round_trip() {
        let count = Segment::all().count();
        assert_eq!(count, 6 * 5 * 4 * 6);
        for segment in Segment::all() {
            assert_eq!(segment.key().parse::<Segment>(), Ok(segment));
        }
        assert!("18-34/Medicaid/High".parse::<Segment>().is_err());
        assert!("18-34/Medicaid/High/South/x".parse::<Segment>().is_err());
    }
}
