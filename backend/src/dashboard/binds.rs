//! What the filtered templates bind and read: the filter as `$1` to `$6`, the count columns as
//! SQL, a row's counts, and the interval a day falls in.

use outreach_model::{Count, DateRange, Filter, Interval};
use time::Date;

use crate::metrics::Counts;
use crate::rollup::Grouping;
use crate::store::{Read, Value};

/// Binds $1 to $6 of every filtered template: the range, then the campaigns, channels, types
/// and statuses (each list empty for all).
pub(super) fn filter_values(filter: &Filter) -> Vec<Value> {
    vec![
        Value::Date(filter.range.start()),
        Value::Date(filter.range.end()),
        Value::Ids(filter.campaigns.clone()),
        channel_names(filter),
        Value::Texts(filter.campaign_types.clone()),
        Value::Texts(
            filter
                .statuses
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
        ),
    ]
}

/// The filter's channels as a bind (all when empty).
pub(super) fn channel_names(filter: &Filter) -> Value {
    Value::Texts(
        filter
            .channels
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
    )
}

/// The condition on the campaign types of the rollups `r` of `grouping`, with what it binds as
/// `$<at>`: the filter's types, per type; nothing when the filter names none (every type the
/// connection sees) or over every campaign. Written only when there are types, so that it is a
/// plain condition on the rollups' key.
pub(super) fn rollup_types(grouping: Grouping, filter: &Filter, at: usize) -> (String, Vec<Value>) {
    if grouping == Grouping::Whole || filter.campaign_types.is_empty() {
        return (String::new(), Vec::new());
    }
    (
        format!(" AND r.campaign_type = ANY(${at})"),
        vec![Value::Texts(filter.campaign_types.clone())],
    )
}

/// `, CAST(coalesce(sum(<alias>.total_<count>), 0) AS bigint) AS <count>` for each count: the
/// sums of those counts over the days of `alias` per group.
pub(super) fn sums(alias: &str, counts: &[Count]) -> String {
    counts
        .iter()
        .map(|count| {
            format!(", CAST(coalesce(sum({alias}.total_{count}), 0) AS bigint) AS {count}")
        })
        .collect()
}

/// The counts `counts` of a row (the others zero), each in the column of its name.
pub(super) fn read_counts(r: &dyn Read, counts: &[Count]) -> Result<Counts, sqlx::Error> {
    let mut read = Counts::default();
    for count in counts {
        *read.get_mut(*count) = r.int(count.as_str())?;
    }
    Ok(read)
}

/// An interval, or the whole range as one.
#[derive(Debug, Clone, Copy)]
pub(super) enum IntervalOrAll {
    Interval(Interval),
    All,
}

impl From<Interval> for IntervalOrAll {
    fn from(interval: Interval) -> Self {
        IntervalOrAll::Interval(interval)
    }
}

impl IntervalOrAll {
    /// The bind of `{bucket}`.
    pub(super) fn name(self) -> &'static str {
        match self {
            IntervalOrAll::Interval(interval) => interval.as_str(),
            IntervalOrAll::All => "all",
        }
    }

    /// The label SQL gives `day` (see `{bucket}` in the store).
    pub(super) fn bucket(self, range: &DateRange, day: Date) -> Date {
        match self {
            IntervalOrAll::Interval(interval) => range.bucket(interval, day),
            IntervalOrAll::All => range.start(),
        }
    }

    /// The first day of each interval of `range`.
    pub(super) fn labels(self, range: &DateRange) -> Vec<Date> {
        match self {
            IntervalOrAll::Interval(interval) => range.buckets(interval),
            IntervalOrAll::All => vec![range.start()],
        }
    }
}
