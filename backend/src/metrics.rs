//! The metric math of docs/metrics.md: the counts kept per campaign, day and segment, and the
//! one place rates are computed from them.

use std::ops::AddAssign;

use outreach_model::{Metric, Metrics, SegmentCount, SegmentMetrics};

/// The additive counts of one campaign, day and member segment (or any sum of them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Messages with a `sent` event on the day.
    pub sent: i64,
    /// Messages delivered on the day (impressions).
    pub impressions: i64,
    /// Distinct members with a message delivered on the day (additive over segments and
    /// campaigns of one day only when a member is in one of them; see docs/metrics.md).
    pub reach: i64,
    /// Messages with a `bounced` event on the day.
    pub bounces: i64,
    /// Delivered messages whose first human open is on the day.
    pub opens: i64,
    /// Delivered messages whose first machine (privacy proxy) open is on the day.
    pub machine_opens: i64,
    /// Delivered messages whose first click is on the day.
    pub clicks: i64,
    /// Delivered messages whose first engagement is on the day.
    pub engaged: i64,
    /// Members whose first conversion in the campaign is on the day.
    pub conversions: i64,
    /// Members whose first opt-out in the campaign is on the day.
    pub opt_outs: i64,
}

impl AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.sent += other.sent;
        self.impressions += other.impressions;
        self.reach += other.reach;
        self.bounces += other.bounces;
        self.opens += other.opens;
        self.machine_opens += other.machine_opens;
        self.clicks += other.clicks;
        self.engaged += other.engaged;
        self.conversions += other.conversions;
        self.opt_outs += other.opt_outs;
    }
}

/// The summed counts by name: the columns the queries return (`total_<name>` in the tables).
pub const SUMMED: [&str; 9] = [
    "sent",
    "impressions",
    "opens",
    "clicks",
    "engaged",
    "conversions",
    "opt_outs",
    "bounces",
    "machine_opens",
];

/// The counts member_interactions holds per segment, each with the interaction type it counts
/// (docs/metrics.md): the columns of the segment queries and of `segment_metrics_daily`.
pub const SEGMENT_COUNTS: [(&str, &str); 6] = [
    ("impressions", "Delivered"),
    ("opens", "Open"),
    ("clicks", "Click"),
    ("engaged", "Engaged"),
    ("conversions", "Convert"),
    ("opt_outs", "OptOut"),
];

impl Counts {
    /// The summed counts `metric` is computed from; a query for that metric alone sums only
    /// these (reach comes from the sketches, so it needs none).
    pub fn inputs(metric: Metric) -> &'static [&'static str] {
        match metric {
            Metric::Reach => &[],
            Metric::Impressions => &["impressions"],
            Metric::Opens => &["opens"],
            Metric::Clicks => &["clicks"],
            Metric::Engaged => &["engaged"],
            Metric::Conversions => &["conversions"],
            Metric::OptOuts => &["opt_outs"],
            Metric::Sent => &["sent"],
            Metric::Bounces => &["bounces"],
            Metric::MachineOpens => &["machine_opens"],
            Metric::EngagementRate => &["engaged", "impressions"],
            Metric::ConversionRate => &["conversions", "impressions"],
            Metric::OptOutRate => &["opt_outs", "impressions"],
            Metric::DeliveryRate => &["impressions", "sent"],
        }
    }

    /// The summed count called `name` (one of [`SUMMED`]).
    pub fn summed_mut(&mut self, name: &str) -> Option<&mut i64> {
        Some(match name {
            "sent" => &mut self.sent,
            "impressions" => &mut self.impressions,
            "opens" => &mut self.opens,
            "clicks" => &mut self.clicks,
            "engaged" => &mut self.engaged,
            "conversions" => &mut self.conversions,
            "opt_outs" => &mut self.opt_outs,
            "bounces" => &mut self.bounces,
            "machine_opens" => &mut self.machine_opens,
            _ => return None,
        })
    }

    /// Whether every count is zero.
    pub fn is_empty(&self) -> bool {
        *self == Counts::default()
    }

    /// engaged / impressions.
    pub fn engagement_rate(&self) -> Option<f64> {
        rate(self.engaged, self.impressions)
    }

    /// conversions / impressions.
    pub fn conversion_rate(&self) -> Option<f64> {
        rate(self.conversions, self.impressions)
    }

    /// opt_outs / impressions.
    pub fn opt_out_rate(&self) -> Option<f64> {
        rate(self.opt_outs, self.impressions)
    }

    /// impressions / sent.
    pub fn delivery_rate(&self) -> Option<f64> {
        rate(self.impressions, self.sent)
    }

    /// Every metric of docs/metrics.md, with the rates computed here and nowhere else.
    pub fn to_metrics(&self) -> Metrics {
        Metrics {
            reach: self.reach,
            impressions: self.impressions,
            opens: self.opens,
            clicks: self.clicks,
            engaged: self.engaged,
            conversions: self.conversions,
            opt_outs: self.opt_outs,
            sent: self.sent,
            bounces: self.bounces,
            machine_opens: self.machine_opens,
            engagement_rate: self.engagement_rate(),
            conversion_rate: self.conversion_rate(),
            opt_out_rate: self.opt_out_rate(),
            delivery_rate: self.delivery_rate(),
        }
    }
}

/// The segment table's counts, small ones suppressed, and the rates whose counts may be shown.
pub fn segment_metrics(counts: &Counts) -> SegmentMetrics {
    let shown = |n: i64| SegmentCount::new(n);
    // A rate is shown only when both of its counts are: 3 opt-outs of 1,000 impressions would
    // otherwise be read back from 0.003.
    let guarded = |numerator: i64, denominator: i64| {
        (shown(numerator).exact().is_some() && shown(denominator).exact().is_some())
            .then(|| rate(numerator, denominator))
            .flatten()
    };
    SegmentMetrics {
        impressions: shown(counts.impressions),
        opens: shown(counts.opens),
        clicks: shown(counts.clicks),
        engaged: shown(counts.engaged),
        conversions: shown(counts.conversions),
        opt_outs: shown(counts.opt_outs),
        engagement_rate: guarded(counts.engaged, counts.impressions),
        conversion_rate: guarded(counts.conversions, counts.impressions),
        opt_out_rate: guarded(counts.opt_outs, counts.impressions),
    }
}

/// A ratio of summed counts; no value when the denominator is zero.
pub fn rate(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// The ratio stored in a daily row: as [`rate`], and also no value when above 1, which happens
/// when engagement falls on a later day than its delivery (the schema keeps rates in [0, 1]).
pub fn daily_rate(value: Option<f64>) -> Option<f64> {
    value.filter(|ratio| *ratio <= 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metric_needs_only_its_inputs() {
        let all = Counts {
            sent: 1009,
            impressions: 997,
            reach: 401,
            bounces: 12,
            opens: 331,
            machine_opens: 57,
            clicks: 89,
            engaged: 173,
            conversions: 29,
            opt_outs: 7,
        };
        for metric in Metric::ALL {
            let mut only = Counts {
                reach: all.reach,
                ..Counts::default()
            };
            for name in Counts::inputs(*metric) {
                let mut source = all;
                let value = *source.summed_mut(name).expect("a summed count");
                *only.summed_mut(name).expect("a summed count") = value;
            }
            assert_eq!(
                only.to_metrics().get(*metric),
                all.to_metrics().get(*metric),
                "{metric}"
            );
            assert_ne!(
                Counts::default().to_metrics().get(*metric),
                all.to_metrics().get(*metric),
                "{metric}: the check must be able to fail"
            );
        }
        for name in SUMMED {
            assert!(Counts::default().summed_mut(name).is_some(), "{name}");
        }
    }

    #[test]
    fn rates_are_ratios_of_sums_and_null_on_zero() {
        let mut total = Counts {
            impressions: 100,
            engaged: 10,
            sent: 110,
            ..Counts::default()
        };
        total += Counts {
            impressions: 300,
            engaged: 90,
            sent: 290,
            ..Counts::default()
        };
        // (10 + 90) / (100 + 300), not the mean of 0.1 and 0.3.
        assert_eq!(total.engagement_rate(), Some(0.25));
        assert_eq!(total.delivery_rate(), Some(1.0));
        assert_eq!(Counts::default().opt_out_rate(), None);
        assert_eq!(rate(0, 5), Some(0.0));
    }

    #[test]
    fn segment_rates_never_give_a_small_count_away() {
        let counts = Counts {
            impressions: 1000,
            opt_outs: 3,
            engaged: 250,
            conversions: 0,
            ..Counts::default()
        };
        let metrics = segment_metrics(&counts);
        assert_eq!(metrics.opt_outs, SegmentCount::Suppressed);
        assert_eq!(metrics.opt_out_rate, None);
        assert_eq!(metrics.engagement_rate, Some(0.25));
        assert_eq!(metrics.conversion_rate, Some(0.0));
        let tiny = segment_metrics(&Counts {
            impressions: 7,
            engaged: 0,
            ..Counts::default()
        });
        assert_eq!(tiny.engagement_rate, None);
    }

    #[test]
    fn daily_rates_above_one_are_not_stored() {
        assert_eq!(daily_rate(rate(3, 2)), None);
        assert_eq!(daily_rate(rate(2, 2)), Some(1.0));
        assert_eq!(daily_rate(None), None);
    }
}
