//! The drill-down by member segment: the counts of each full segment and of each value of each
//! dimension, from the segment rollups when only channels filter, else from the facts, with
//! small counts suppressed (`metrics::suppress_segments`).

use outreach_model::{Count, Dimension, DimensionRow, Filter, SegmentReport, SegmentRow};

use super::binds::{channel_names, filter_values, read_counts, rollup_types};
use super::{Dashboard, Route};
use crate::DashboardError;
use crate::metrics::{Counts, suppress_segments};
use crate::rollup::Grouping;
use crate::store::{Statement, Value};

/// The segment's parts, selected beside its key.
const PARTS: &str = "s.member_segment, s.age_band, s.plan_type, s.risk_tier, s.region";

/// Per segment, the interactions of the filter's campaigns (binds $1 to $6): summed per
/// segment first, then joined to the segment's parts, so that millions of facts are hashed
/// into a few hundred groups and never sorted (the planner cannot tell how many campaigns
/// `{of_filter}` gathers, and sorted them for a merge join when it joined first).
fn segment_facts_sql() -> String {
    let sums: String = Count::SEGMENT
        .iter()
        .filter_map(|count| count.interaction().map(|kind| (count, kind)))
        .map(|(count, kind)| {
            format!(
                ", CAST(coalesce(sum(i.count) FILTER (WHERE i.interaction_type = '{kind}'), 0) AS bigint) AS {count}"
            )
        })
        .collect();
    let columns: String = Count::SEGMENT
        .iter()
        .filter(|count| count.interaction().is_some())
        .map(|count| format!(", f.{count}"))
        .collect();
    format!(
        "SELECT {PARTS}{columns}
         FROM (SELECT i.member_segment{sums}
               FROM member_interactions i
               WHERE i.interaction_date BETWEEN $1 AND $2 AND i.campaign_id {{of_filter}}
               GROUP BY i.member_segment) f
         JOIN member_segments s ON s.member_segment = f.member_segment"
    )
}

/// Per segment, the rollup of every campaign of the channels $3 (binds $1 to $3; per type,
/// the types' condition `types`).
fn segment_rollups_sql(grouping: Grouping, types: &str) -> String {
    let sums: String = Count::SEGMENT
        .iter()
        .map(|count| format!(", CAST(sum(r.{count}) AS bigint) AS {count}"))
        .collect();
    format!(
        "SELECT {PARTS}{sums}
         FROM {} r
         JOIN member_segments s ON s.member_segment = r.member_segment
         WHERE r.metric_date BETWEEN $1 AND $2 AND {{channels}}{types}
         GROUP BY {PARTS}",
        grouping.table("segment_metrics_daily"),
    )
}

/// The row of each segment (from `per_segment`, dimension 'segment') and of each value of each
/// dimension.
fn segments_sql(per_segment: &str) -> String {
    let counts: Vec<&str> = Count::SEGMENT.iter().map(|c| c.as_str()).collect();
    let summed: Vec<String> = counts
        .iter()
        .map(|count| format!("CAST(sum({count}) AS bigint)"))
        .collect();
    let mut sql = format!(
        "WITH seg AS ({per_segment})
         SELECT 'segment' AS dimension, member_segment AS value, age_band, plan_type, risk_tier,
             region, {}
         FROM seg",
        counts.join(", ")
    );
    for dimension in Dimension::ALL {
        sql.push_str(&format!(
            " UNION ALL SELECT '{dimension}', {dimension}, NULL, NULL, NULL, NULL, {} FROM seg GROUP BY {dimension}",
            summed.join(", ")
        ));
    }
    sql
}

fn segment_statement(filter: &Filter, route: Route) -> Statement {
    match route {
        Route::Rollups(grouping) => {
            let (types, type_values) = rollup_types(grouping, filter, 4);
            let mut values = vec![
                Value::Date(filter.range.start()),
                Value::Date(filter.range.end()),
                channel_names(filter),
            ];
            values.extend(type_values);
            Statement::new(
                "reading segments",
                segments_sql(&segment_rollups_sql(grouping, &types)),
                values,
            )
        }
        Route::Facts => Statement::new(
            "reading segments",
            segments_sql(&segment_facts_sql()),
            filter_values(filter),
        ),
    }
}

/// A row of the answer: a full segment (`dimension` none) or a dimension's value.
struct Read {
    dimension: Option<Dimension>,
    value: String,
    parts: [String; 4],
    counts: Counts,
}

impl Dashboard {
    /// The drill-down by member segment, small counts suppressed.
    pub async fn segments(&self, filter: &Filter) -> Result<SegmentReport, DashboardError> {
        let route = self.route(filter).await?;
        let statement = segment_statement(filter, route);
        let rows = self.fetch(&statement).await?.map(statement.context, |r| {
            let dimension = r.text("dimension")?;
            Ok(Read {
                dimension: match dimension.as_str() {
                    "segment" => None,
                    name => Some(name.parse().map_err(super::decode)?),
                },
                value: r.text("value")?,
                parts: [
                    r.opt_text("age_band")?.unwrap_or_default(),
                    r.opt_text("plan_type")?.unwrap_or_default(),
                    r.opt_text("risk_tier")?.unwrap_or_default(),
                    r.opt_text("region")?.unwrap_or_default(),
                ],
                counts: read_counts(r, &Count::SEGMENT)?,
            })
        })?;
        let (mut segment_rows, mut dimension_rows): (Vec<Read>, Vec<Read>) =
            rows.into_iter().partition(|row| row.dimension.is_none());
        // In the answer's order before suppressing, so both stores hide the same cells where
        // counts tie.
        segment_rows.sort_by(|a, b| a.value.as_bytes().cmp(b.value.as_bytes()));
        let order = |row: &Read| {
            let dimension = row.dimension.unwrap_or(Dimension::AgeBand);
            (dimension, dimension.position(&row.value))
        };
        dimension_rows
            .sort_by(|a, b| (order(a), a.value.as_bytes()).cmp(&(order(b), b.value.as_bytes())));
        // Suppressed together: a small count must not be the total less the shown ones.
        let (segment_metrics, dimension_metrics) = suppress_segments(
            &segment_rows
                .iter()
                .map(|row| (row.parts.each_ref().map(String::as_str), &row.counts))
                .collect::<Vec<_>>(),
            &dimension_rows
                .iter()
                .filter_map(|row| Some((row.dimension?, row.value.as_str(), &row.counts)))
                .collect::<Vec<_>>(),
        );
        let segments = segment_rows
            .into_iter()
            .zip(segment_metrics)
            .map(|(row, metrics)| {
                let [age_band, plan_type, risk_tier, region] = row.parts;
                SegmentRow {
                    member_segment: row.value,
                    age_band,
                    plan_type,
                    risk_tier,
                    region,
                    metrics,
                }
            })
            .collect();
        let dimensions = dimension_rows
            .into_iter()
            .zip(dimension_metrics)
            .filter_map(|(row, metrics)| {
                Some(DimensionRow {
                    dimension: row.dimension?,
                    value: row.value,
                    metrics,
                })
            })
            .collect();
        Ok(SegmentReport {
            segments,
            dimensions,
        })
    }
}

/// Every statement of this module, for the template test.
#[cfg(test)]
pub(super) fn statements() -> Vec<Statement> {
    let range = outreach_model::DateRange::last_days(time::macros::date!(2026 - 11 - 27), 90);
    let filter = Filter::new(range);
    let by_type = Filter {
        campaign_types: vec!["Wellness".to_owned()],
        ..Filter::new(range)
    };
    let mut all = Vec::new();
    for filter in [&filter, &by_type] {
        for route in [
            Route::Rollups(Grouping::Whole),
            Route::Rollups(Grouping::PerType),
            Route::Facts,
        ] {
            all.push(segment_statement(filter, route));
        }
    }
    all
}
