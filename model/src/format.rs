//! Numbers for people: thousands separators, rates as percentages with one decimal, and the
//! change against the previous period (`Summary::change`) with whether it is good news. Shared by
//! the screen and the exports, so a report prints each number as the screen shows it.

use crate::{Metric, PeriodChange, SegmentCount, SegmentValue};

/// A count with thousands separators: `1234567` is "1,234,567".
pub fn count(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        grouped.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// What a rate without a value (nothing delivered, or a count hidden) shows as, everywhere:
/// on screen, in reports and on the terminal; never "0.0%".
pub const NO_VALUE: &str = "n/a";

/// A rate as a percentage with one decimal: `0.1234` is "12.3%"; no value is [`NO_VALUE`].
pub fn rate(value: Option<f64>) -> String {
    match value {
        Some(value) => format!("{:.1}%", value * 100.0),
        None => NO_VALUE.to_owned(),
    }
}

/// A metric's value as shown: a rate in percent, a count with separators (no value is 0 for
/// a count, [`NO_VALUE`] for a rate).
pub fn metric(metric: Metric, value: Option<f64>) -> String {
    if metric.is_rate() {
        rate(value)
    } else {
        // Counts are whole numbers; `Metrics::get` gives them as floats.
        count(value.unwrap_or(0.0).round() as i64)
    }
}

/// A segment's count: with separators, or "<11" for a count from 1 to 10.
pub fn segment_count(value: SegmentCount) -> String {
    match value.exact() {
        Some(n) => count(n),
        None => value.to_string(),
    }
}

/// A cell of a segment table as shown: a count with separators or "<11", a rate in percent.
pub fn segment_value(value: SegmentValue) -> String {
    match value {
        SegmentValue::Count(count) => segment_count(count),
        SegmentValue::Rate(value) => rate(value),
    }
}

/// Which way a metric should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// More is good (reach, engagement).
    Higher,
    /// Less is good (opt-outs).
    Lower,
}

impl Metric {
    /// Which way the metric should move: down for opt-outs and bounces, up for the rest.
    pub const fn better(self) -> Better {
        match self {
            Metric::OptOuts | Metric::OptOutRate | Metric::Bounces => Better::Lower,
            _ => Better::Higher,
        }
    }
}

/// What a change means to the campaign manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Moved the way it should.
    Good,
    /// Moved the wrong way.
    Bad,
    /// No change, or nothing to compare with.
    Neutral,
}

/// A change against the previous period, as shown under a KPI.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// For example "+4.2%" for a count or "-0.3 pp" for a rate.
    pub text: String,
    /// Whether it is good news.
    pub verdict: Verdict,
}

fn verdict(delta: f64, better: Better) -> Verdict {
    match (delta.partial_cmp(&0.0), better) {
        (Some(std::cmp::Ordering::Greater), Better::Higher)
        | (Some(std::cmp::Ordering::Less), Better::Lower) => Verdict::Good,
        (Some(std::cmp::Ordering::Greater), Better::Lower)
        | (Some(std::cmp::Ordering::Less), Better::Higher) => Verdict::Bad,
        _ => Verdict::Neutral,
    }
}

/// A change against the previous period, as shown: a count's in percent of its previous
/// value, a rate's in percentage points; "no previous data" when there is nothing to compare.
pub fn change(change: Option<PeriodChange>, better: Better) -> Change {
    let (shown, unit) = match change {
        Some(PeriodChange::Relative(fraction)) => ((fraction * 1000.0).round() / 10.0, "%"),
        Some(PeriodChange::Points(points)) => ((points * 1000.0).round() / 10.0, " pp"),
        None => {
            return Change {
                text: "no previous data".to_owned(),
                verdict: Verdict::Neutral,
            };
        }
    };
    Change {
        text: format!("{shown:+.1}{unit}"),
        verdict: verdict(shown, better),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PeriodChange::{Points, Relative};

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(-12_345), "-12,345");
    }

    #[test]
    fn small_segment_counts_are_never_shown() {
        assert_eq!(segment_count(SegmentCount::new(0)), "0");
        assert_eq!(segment_count(SegmentCount::new(7)), "<11");
        assert_eq!(segment_count(SegmentCount::new(10)), "<11");
        assert_eq!(segment_count(SegmentCount::new(12_345)), "12,345");
        assert_eq!(metric(Metric::Reach, Some(1_234.0)), "1,234");
        assert_eq!(metric(Metric::OptOutRate, Some(0.0123)), "1.2%");
    }

    #[test]
    fn rates_are_percentages_with_one_decimal_and_none_is_not_zero() {
        assert_eq!(rate(Some(0.1234)), "12.3%");
        assert_eq!(rate(Some(0.0)), "0.0%");
        assert_eq!(rate(Some(1.0)), "100.0%");
        assert_eq!(rate(None), "n/a");
    }

    #[test]
    fn a_rising_opt_out_rate_is_bad_news_and_rising_reach_good() {
        let opt_outs = change(Some(Points(0.012 - 0.010)), Better::Lower);
        assert_eq!(opt_outs.text, "+0.2 pp");
        assert_eq!(opt_outs.verdict, Verdict::Bad);
        let reach = change(Some(Relative(0.1)), Better::Higher);
        assert_eq!(reach.text, "+10.0%");
        assert_eq!(reach.verdict, Verdict::Good);
        let falling = change(Some(Relative(-0.1)), Better::Higher);
        assert_eq!(
            (falling.text.as_str(), falling.verdict),
            ("-10.0%", Verdict::Bad)
        );
    }

    #[test]
    fn nothing_to_compare_with_is_said_not_guessed() {
        assert_eq!(change(None, Better::Higher).verdict, Verdict::Neutral);
        assert_eq!(change(None, Better::Higher).text, "no previous data");
        // A change too small to show is no change.
        assert_eq!(
            change(Some(Points(0.10001 - 0.1)), Better::Higher).verdict,
            Verdict::Neutral
        );
    }
}
