//! The reporting time zone: the calendar in which every metric's day is counted.

use time::{Date, Month, OffsetDateTime};

/// A validated IANA time zone.
#[derive(Debug, Clone)]
pub struct ReportingZone {
    name: String,
    zone: jiff::tz::TimeZone,
}

/// A name that is not an IANA time zone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown time zone {0:?}: give an IANA name such as UTC, America/New_York or Europe/Berlin"
)]
pub struct UnknownZone(pub String);

impl ReportingZone {
    /// Parses an IANA name (`UTC`, `America/Chicago`, …) against the bundled tz database.
    pub fn new(name: &str) -> Result<Self, UnknownZone> {
        let trimmed = name.trim();
        // Fixed offsets and POSIX strings are not calendars a report can name; only IANA names.
        if trimmed.is_empty()
            || trimmed.starts_with(['+', '-'])
            || trimmed
                .chars()
                .any(|c| c.is_ascii_digit() && !trimmed.contains('/'))
        {
            return Err(UnknownZone(name.to_owned()));
        }
        let zone = jiff::tz::db()
            .get(trimmed)
            .map_err(|_| UnknownZone(name.to_owned()))?;
        Ok(ReportingZone {
            name: zone.iana_name().unwrap_or(trimmed).to_owned(),
            zone,
        })
    }

    /// Coordinated Universal Time, the default.
    pub fn utc() -> Self {
        ReportingZone {
            name: "UTC".to_owned(),
            zone: jiff::tz::TimeZone::UTC,
        }
    }

    /// The IANA name, as stored in `dashboard_settings`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The calendar day of an instant in this zone.
    pub fn day_of(&self, instant: OffsetDateTime) -> Date {
        let timestamp = jiff::Timestamp::new(instant.unix_timestamp(), 0)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let civil = self.zone.to_datetime(timestamp).date();
        let month = Month::try_from(civil.month() as u8).unwrap_or(Month::January);
        Date::from_calendar_date(i32::from(civil.year()), month, civil.day() as u8)
            .unwrap_or(Date::MIN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn days_follow_the_zone() {
        let late_evening_utc = datetime!(2026-03-10 03:30 UTC);
        assert_eq!(
            ReportingZone::utc().day_of(late_evening_utc),
            date!(2026 - 03 - 10)
        );
        let new_york = ReportingZone::new("America/New_York").expect("known zone");
        assert_eq!(new_york.day_of(late_evening_utc), date!(2026 - 03 - 09));
        assert_eq!(new_york.name(), "America/New_York");
    }

    #[test]
    fn unknown_zones_are_refused_with_advice() {
        for bad in ["Mars/Olympus", "", "+05:00", "EST5EDT4", "UTC+3"] {
            let err = ReportingZone::new(bad).expect_err(bad);
            assert!(err.to_string().contains("IANA"), "{err}");
        }
    }
}
