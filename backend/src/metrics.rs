//! The metric math of docs/metrics.md: the counts kept per campaign, day and segment, and the
//! one place rates are computed from them.

use std::ops::AddAssign;

use outreach_model::{Count, Dimension, Metrics, SegmentCount, SegmentMetrics};

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

impl Counts {
    /// The count `count`.
    pub const fn get(&self, count: Count) -> i64 {
        match count {
            Count::Sent => self.sent,
            Count::Impressions => self.impressions,
            Count::Opens => self.opens,
            Count::Clicks => self.clicks,
            Count::Engaged => self.engaged,
            Count::Conversions => self.conversions,
            Count::OptOuts => self.opt_outs,
            Count::Bounces => self.bounces,
            Count::MachineOpens => self.machine_opens,
        }
    }

    /// The count `count`, to set.
    pub fn get_mut(&mut self, count: Count) -> &mut i64 {
        match count {
            Count::Sent => &mut self.sent,
            Count::Impressions => &mut self.impressions,
            Count::Opens => &mut self.opens,
            Count::Clicks => &mut self.clicks,
            Count::Engaged => &mut self.engaged,
            Count::Conversions => &mut self.conversions,
            Count::OptOuts => &mut self.opt_outs,
            Count::Bounces => &mut self.bounces,
            Count::MachineOpens => &mut self.machine_opens,
        }
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

/// A segment row's counts in the order of [`Count::SEGMENT`].
type Cells = [i64; Count::SEGMENT.len()];

/// Which of a row's cells are hidden.
type Hidden = [bool; Count::SEGMENT.len()];

fn cells_of(counts: &Counts) -> Cells {
    Count::SEGMENT.map(|count| counts.get(count))
}

/// The cells from 1 to 10.
fn small(cells: &Cells) -> Hidden {
    cells.map(|n| SegmentCount::new(n) == SegmentCount::Suppressed)
}

/// The segment table's metrics of one row: hidden counts as `<11`, and only the rates whose
/// counts are both shown (3 opt-outs of 1,000 impressions would otherwise be read back from
/// 0.003).
fn shown(cells: &Cells, hidden: &Hidden) -> SegmentMetrics {
    let count = |i: usize| {
        if hidden[i] {
            SegmentCount::Suppressed
        } else {
            SegmentCount::Exact(cells[i])
        }
    };
    let guarded = |i: usize| {
        (!hidden[i] && !hidden[0])
            .then(|| rate(cells[i], cells[0]))
            .flatten()
    };
    SegmentMetrics {
        impressions: count(0),
        opens: count(1),
        clicks: count(2),
        engaged: count(3),
        conversions: count(4),
        opt_outs: count(5),
        engagement_rate: guarded(3),
        conversion_rate: guarded(4),
        opt_out_rate: guarded(5),
    }
}

/// The segment drill-down's rows, suppressed so that no count from 1 to 10 is shown and none
/// can be worked out from what is shown. Each dimension's values split the same members, whose
/// totals the dashboard shows elsewhere (the summary, a campaign's funnel), and each value's
/// total is split again by the full segments that have it: in any such split where exactly one
/// cell of a column is hidden, it would be the total less the others, so the smallest other cell
/// of that column is hidden too ("complementary suppression"), until no split hides exactly one.
/// `segments` are the full segments with their four parts (age band, plan type, risk tier,
/// region); `dimensions` the rows per (dimension, value). The answers are in the same order.
pub fn suppress_segments(
    segments: &[([&str; 4], &Counts)],
    dimensions: &[(Dimension, &str, &Counts)],
) -> (Vec<SegmentMetrics>, Vec<SegmentMetrics>) {
    let segment_cells: Vec<Cells> = segments.iter().map(|(_, c)| cells_of(c)).collect();
    let dimension_cells: Vec<Cells> = dimensions.iter().map(|(_, _, c)| cells_of(c)).collect();
    let mut segment_hidden: Vec<Hidden> = segment_cells.iter().map(small).collect();
    let mut dimension_hidden: Vec<Hidden> = dimension_cells.iter().map(small).collect();

    // The splits: each dimension's rows, and each (dimension, value)'s full segments.
    let mut dimension_splits: Vec<Vec<usize>> = Vec::new();
    let mut names: Vec<Dimension> = dimensions.iter().map(|(name, _, _)| *name).collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        dimension_splits.push(
            (0..dimensions.len())
                .filter(|&i| dimensions[i].0 == name)
                .collect(),
        );
    }
    let mut segment_splits: Vec<Vec<usize>> = Vec::new();
    for part in 0..4 {
        let mut values: Vec<&str> = segments.iter().map(|(parts, _)| parts[part]).collect();
        values.sort_unstable();
        values.dedup();
        for value in values {
            segment_splits.push(
                (0..segments.len())
                    .filter(|&i| segments[i].0[part] == value)
                    .collect(),
            );
        }
    }

    // Hides the smallest shown cell of `column` in `split` when exactly one is hidden.
    fn complete(split: &[usize], cells: &[Cells], hidden: &mut [Hidden], column: usize) -> bool {
        if split.iter().filter(|&&i| hidden[i][column]).count() != 1 {
            return false;
        }
        let smallest = split
            .iter()
            .copied()
            .filter(|&i| !hidden[i][column])
            .min_by_key(|&i| cells[i][column]);
        match smallest {
            Some(i) => {
                hidden[i][column] = true;
                true
            }
            None => false,
        }
    }
    loop {
        let mut changed = false;
        for column in 0..Count::SEGMENT.len() {
            for split in &dimension_splits {
                changed |= complete(split, &dimension_cells, &mut dimension_hidden, column);
            }
            for split in &segment_splits {
                changed |= complete(split, &segment_cells, &mut segment_hidden, column);
            }
        }
        if !changed {
            break;
        }
    }
    (
        segment_cells
            .iter()
            .zip(&segment_hidden)
            .map(|(c, h)| shown(c, h))
            .collect(),
        dimension_cells
            .iter()
            .zip(&dimension_hidden)
            .map(|(c, h)| shown(c, h))
            .collect(),
    )
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
        use outreach_model::Metric;
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
            for count in metric.inputs() {
                *only.get_mut(*count) = all.get(*count);
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
        // Every count reads back what was set, and only that count.
        for (i, count) in Count::ALL.iter().enumerate() {
            let mut counts = Counts::default();
            *counts.get_mut(*count) = i as i64 + 1;
            assert_eq!(counts.get(*count), i as i64 + 1);
            let others: i64 = Count::ALL.iter().map(|c| counts.get(*c)).sum();
            assert_eq!(others, i as i64 + 1, "{count}");
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

    /// One full segment's metrics, alone in the drill-down.
    fn segment_metrics(counts: &Counts) -> SegmentMetrics {
        let (segments, _) = suppress_segments(&[(["65+", "HMO", "Low", "West"], counts)], &[]);
        segments[0]
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
    fn no_hidden_count_is_the_total_less_the_shown_ones() {
        let of = |conversions: i64| Counts {
            impressions: 1_000,
            conversions,
            ..Counts::default()
        };
        // Age bands: one small conversion count among large ones. The total (shown on the
        // summary) less the others would give it away, so the smallest other is hidden too.
        let (a, b, c) = (of(7), of(40), of(25));
        let dimensions = [
            (Dimension::AgeBand, "18-34", &a),
            (Dimension::AgeBand, "35-49", &b),
            (Dimension::AgeBand, "50-64", &c),
        ];
        // Full segments of one age band: 3 + 22 = 25, one small.
        let (s1, s2) = (of(3), of(22));
        let segments = [
            (["50-64", "HMO", "Low", "West"], &s1),
            (["50-64", "PPO", "Low", "West"], &s2),
        ];
        let (segment_rows, dimension_rows) = suppress_segments(&segments, &dimensions);
        let conversions: Vec<SegmentCount> = dimension_rows.iter().map(|m| m.conversions).collect();
        assert_eq!(
            conversions,
            [
                SegmentCount::Suppressed,
                SegmentCount::Exact(40),
                SegmentCount::Suppressed
            ]
        );
        assert_eq!(
            dimension_rows[2].conversion_rate, None,
            "a hidden count's rate is hidden"
        );
        assert_eq!(dimension_rows[1].conversion_rate, Some(0.04));
        // Within the 50-64 band (and within HMO, Low, West), 3 and 22 are both hidden.
        assert!(
            segment_rows
                .iter()
                .all(|m| m.conversions == SegmentCount::Suppressed)
        );
        assert!(
            segment_rows
                .iter()
                .all(|m| m.impressions == SegmentCount::Exact(1_000))
        );

        // Every split ends with no column holding exactly one hidden cell.
        for column in 0..Count::SEGMENT.len() {
            let hidden = |m: &SegmentMetrics| m.counts()[column] == SegmentCount::Suppressed;
            assert_ne!(dimension_rows.iter().filter(|m| hidden(m)).count(), 1);
            assert_ne!(segment_rows.iter().filter(|m| hidden(m)).count(), 1);
        }
    }

    #[test]
    fn daily_rates_above_one_are_not_stored() {
        assert_eq!(daily_rate(rate(3, 2)), None);
        assert_eq!(daily_rate(rate(2, 2)), Some(1.0));
        assert_eq!(daily_rate(None), None);
    }
}
