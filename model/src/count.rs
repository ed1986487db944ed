//! The additive counts the dashboard keeps per campaign and day (docs/metrics.md), by the names
//! of their columns: every query sums them, and every rate is a ratio of two of them.

use crate::{InteractionType, Metric, named_enum};

named_enum!(
    /// A summed count: `total_<name>` in `campaign_metrics_daily` and `channel_metrics_daily`,
    /// `<name>` in the answers' JSON.
    Count, "count", {
        Sent => "sent",
        Impressions => "impressions",
        Opens => "opens",
        Clicks => "clicks",
        Engaged => "engaged",
        Conversions => "conversions",
        OptOuts => "opt_outs",
        Bounces => "bounces",
        MachineOpens => "machine_opens",
    }
);

impl Count {
    /// The counts `member_interactions` and `segment_metrics_daily` hold per member segment,
    /// in the drill-down's order (there is no sent, bounce or machine-open count per segment).
    pub const SEGMENT: [Count; 6] = [
        Count::Impressions,
        Count::Opens,
        Count::Clicks,
        Count::Engaged,
        Count::Conversions,
        Count::OptOuts,
    ];

    /// The metric that shows this count.
    pub const fn metric(self) -> Metric {
        match self {
            Count::Sent => Metric::Sent,
            Count::Impressions => Metric::Impressions,
            Count::Opens => Metric::Opens,
            Count::Clicks => Metric::Clicks,
            Count::Engaged => Metric::Engaged,
            Count::Conversions => Metric::Conversions,
            Count::OptOuts => Metric::OptOuts,
            Count::Bounces => Metric::Bounces,
            Count::MachineOpens => Metric::MachineOpens,
        }
    }

    /// The interaction type `member_interactions` counts this under, for a segment count.
    pub const fn interaction(self) -> Option<InteractionType> {
        match self {
            Count::Impressions => Some(InteractionType::Delivered),
            Count::Opens => Some(InteractionType::Open),
            Count::Clicks => Some(InteractionType::Click),
            Count::Engaged => Some(InteractionType::Engaged),
            Count::Conversions => Some(InteractionType::Convert),
            Count::OptOuts => Some(InteractionType::OptOut),
            Count::Sent | Count::Bounces | Count::MachineOpens => None,
        }
    }
}

impl Metric {
    /// The counts the metric is computed from: its own count, a rate's numerator and
    /// denominator, none for reach (which comes from the sketches).
    pub const fn inputs(self) -> &'static [Count] {
        match self {
            Metric::Reach => &[],
            Metric::Impressions => &[Count::Impressions],
            Metric::Opens => &[Count::Opens],
            Metric::Clicks => &[Count::Clicks],
            Metric::Engaged => &[Count::Engaged],
            Metric::Conversions => &[Count::Conversions],
            Metric::OptOuts => &[Count::OptOuts],
            Metric::Sent => &[Count::Sent],
            Metric::Bounces => &[Count::Bounces],
            Metric::MachineOpens => &[Count::MachineOpens],
            Metric::EngagementRate => &[Count::Engaged, Count::Impressions],
            Metric::ConversionRate => &[Count::Conversions, Count::Impressions],
            Metric::OptOutRate => &[Count::OptOuts, Count::Impressions],
            Metric::DeliveryRate => &[Count::Impressions, Count::Sent],
        }
    }

    /// A rate's denominator: the volume it is a share of (impressions, or sent messages for
    /// the delivery rate); none for a count.
    pub const fn denominator(self) -> Option<Count> {
        match self {
            Metric::EngagementRate | Metric::ConversionRate | Metric::OptOutRate => {
                Some(Count::Impressions)
            }
            Metric::DeliveryRate => Some(Count::Sent),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_count_is_a_metric_of_the_same_name() {
        for count in Count::ALL {
            assert_eq!(count.metric().as_str(), count.as_str());
            assert_eq!(count.metric().inputs(), &[*count]);
        }
    }

    #[test]
    fn segment_counts_are_the_interaction_types_in_order() {
        let kinds: Vec<InteractionType> = Count::SEGMENT
            .iter()
            .filter_map(|c| c.interaction())
            .collect();
        assert_eq!(kinds, InteractionType::ALL);
        assert_eq!(Count::Sent.interaction(), None);
    }

    #[test]
    fn a_rate_is_a_share_of_its_denominator() {
        for metric in Metric::ALL {
            match metric.denominator() {
                Some(denominator) => {
                    assert!(metric.is_rate(), "{metric}");
                    assert_eq!(metric.inputs().last(), Some(&denominator), "{metric}");
                }
                None => assert!(!metric.is_rate(), "{metric}"),
            }
        }
    }
}
