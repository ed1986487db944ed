//! The campaign list: the filter's campaigns (those whose schedule meets the range or that have
//! data in it) with their metrics over the range, searched by name, ordered by a column in
//! either direction, a page at a time. Ranking every campaign sums only what the order needs;
//! the page's rows then get every count and their reach.

use std::collections::HashMap;

use outreach_model::{
    CampaignId, CampaignOrder, CampaignPage, CampaignRow, CampaignSort, Count, DateRange, Filter,
    Metric, Page, search_key,
};

use super::Dashboard;
use super::binds::{filter_values, read_counts, sums};
use super::sketches::StoredReach;
use crate::DashboardError;
use crate::metrics::Counts;
use crate::store::{Read, Statement, Value};

/// The expression a metric orders by, over the sums `s`: a count, or a rate as a float (null
/// without a denominator).
fn metric_key(metric: Metric) -> Option<String> {
    match (metric.inputs(), metric.denominator()) {
        ([numerator, _], Some(denominator)) => Some(format!(
            "CAST(s.{numerator} AS {{float}}) / nullif(s.{denominator}, 0)"
        )),
        ([count], None) => Some(format!("s.{count}")),
        _ => None,
    }
}

/// The ORDER BY of `order`: its key (nulls last either way), then the name and the id, all in
/// the order's direction.
fn order_by(order: CampaignOrder) -> String {
    let (usual, reverse) = if order.reversed {
        ("ASC", "DESC")
    } else {
        ("DESC", "ASC")
    };
    let key = match order.sort {
        CampaignSort::Name => None,
        CampaignSort::StartDate => Some("c.start_date".to_owned()),
        CampaignSort::Metric(metric) => metric_key(metric),
    };
    let ties = format!("c.campaign_name {{collate}} {reverse}, c.campaign_id {reverse}");
    match key {
        Some(key) => format!("{key} {usual} NULLS LAST, {ties}"),
        None => ties,
    }
}

/// The campaigns of the filter whose schedule meets the range or that have data in it, with
/// the counts `counts` over the range (the others 0) and, with `reach`, the columns their reach
/// is read from (`sketches::cumulative_columns`), in `order`; $7 a part of the name, $8 and $9
/// the page's size and offset (no size: every row). Without counts no day is summed (whether a
/// campaign has data in the range is an index probe) and the rows are in name order.
fn list_statement(
    filter: &Filter,
    search: Option<&str>,
    order: CampaignOrder,
    counts: &[Count],
    reach: bool,
    page: Option<Page>,
) -> Statement {
    let (with, join, columns, has_data) = if counts.is_empty() {
        let zeros: String = Count::ALL
            .iter()
            .map(|count| format!(", CAST(0 AS bigint) AS {count}"))
            .collect();
        (String::new(), "", zeros, super::names::HAS_DATA)
    } else {
        let summed: String = Count::ALL
            .iter()
            .map(|count| {
                if counts.contains(count) {
                    sums("d", &[*count])
                } else {
                    format!(", CAST(0 AS bigint) AS {count}")
                }
            })
            .collect();
        (
            format!(
                "WITH sums AS (
                    SELECT d.campaign_id{summed}
                    FROM campaign_metrics_daily d
                    WHERE d.metric_date BETWEEN $1 AND $2
                    GROUP BY d.campaign_id
                )"
            ),
            "LEFT JOIN sums s ON s.campaign_id = c.campaign_id",
            Count::ALL.iter().map(|c| format!(", s.{c}")).collect(),
            "s.campaign_id IS NOT NULL",
        )
    };
    let reach = if reach {
        format!(", {}", super::sketches::cumulative_columns())
    } else {
        String::new()
    };
    let template = format!(
        "{with}
        SELECT c.campaign_id, c.campaign_name, c.campaign_type, c.channel, c.status, c.start_date,
            c.end_date{columns}{reach}, count(*) OVER () AS total
        FROM campaigns c
        {join}
        WHERE {{filter}}
          AND ((c.start_date <= $2 AND (c.end_date IS NULL OR c.end_date >= $1)) OR {has_data})
          AND ($7 IS NULL OR {{strpos}}(c.search_name, $7) > 0)
        ORDER BY {}
        LIMIT {{limit}} OFFSET $9",
        // Nothing summed, nothing to order by but the name (the reach is ordered by the
        // caller, a count of rows needs no order).
        order_by(if counts.is_empty() {
            CampaignOrder {
                sort: CampaignSort::Name,
                ..order
            }
        } else {
            order
        })
    );
    let mut values = filter_values(filter);
    values.push(Value::Text(
        search.map(search_key).filter(|s| !s.is_empty()),
    ));
    values.push(Value::Int(page.map(|p| i64::from(p.size()))));
    values.push(Value::Int(Some(
        page.map_or(0, |p| i64::try_from(p.offset()).unwrap_or(i64::MAX)),
    )));
    Statement::new("listing campaigns", template, values)
}

/// Every count over the range ($1, $2) of the campaigns $3.
fn campaign_sums_statement(range: DateRange, campaigns: Vec<CampaignId>) -> Statement {
    let template = format!(
        "SELECT d.campaign_id{}
         FROM campaign_metrics_daily d
         WHERE d.metric_date BETWEEN $1 AND $2 AND d.campaign_id = ANY($3)
         GROUP BY d.campaign_id",
        sums("d", Count::ALL)
    );
    Statement::new(
        "summing the campaigns' metrics",
        template,
        vec![
            Value::Date(range.start()),
            Value::Date(range.end()),
            Value::Ids(campaigns),
        ],
    )
}

/// A listed campaign (its counts those the order needs) and the number of campaigns listed.
fn read_row(r: &dyn Read) -> Result<(CampaignRow, i64), sqlx::Error> {
    let channel: String = r.text("channel")?;
    let status: String = r.text("status")?;
    let row = CampaignRow {
        campaign_id: r.id("campaign_id")?,
        campaign_name: r.text("campaign_name")?,
        campaign_type: r.text("campaign_type")?,
        channel: channel.parse().map_err(super::decode)?,
        status: status.parse().map_err(super::decode)?,
        start_date: r.day("start_date")?,
        end_date: r.opt_day("end_date")?,
        metrics: read_counts(r, Count::ALL)?.to_metrics(),
    };
    Ok((row, r.int("total")?))
}

impl Dashboard {
    /// One page of the campaigns of `filter` with their metrics over its range, in `order`;
    /// `search` keeps those whose name contains it (ignoring case).
    pub async fn campaigns(
        &self,
        filter: &Filter,
        search: Option<&str>,
        order: CampaignOrder,
        page: Page,
    ) -> Result<CampaignPage, DashboardError> {
        let (total, mut campaigns) = if order.sort == CampaignSort::Metric(Metric::Reach) {
            // Reach over a range is not a sum, so SQL cannot order by it: every campaign is
            // listed with what its reach is read from, and ordered here.
            let statement = list_statement(filter, search, order, &[], true, None);
            let listed = self.fetch(&statement).await?.map(statement.context, |r| {
                Ok((read_row(r)?.0, StoredReach::read(r)?))
            })?;
            let total = listed.len() as u64;
            (
                total,
                self.by_reach(filter.range, listed, order.reversed, page)
                    .await?,
            )
        } else {
            let counts = match order.sort {
                CampaignSort::Metric(metric) => metric.inputs(),
                CampaignSort::Name | CampaignSort::StartDate => &[],
            };
            let statement = list_statement(filter, search, order, counts, false, Some(page));
            let listed = self
                .fetch(&statement)
                .await?
                .map(statement.context, read_row)?;
            let total = match listed.first() {
                Some((_, total)) => u64::try_from(*total).unwrap_or(0),
                // Past the last page no row carries the total.
                None if page.number() > 1 => {
                    let first = Page::new(1, 1).unwrap_or_default();
                    let statement = list_statement(filter, search, order, &[], false, Some(first));
                    self.fetch(&statement)
                        .await?
                        .map(statement.context, |r| r.int("total"))?
                        .first()
                        .map_or(0, |n| u64::try_from(*n).unwrap_or(0))
                }
                None => 0,
            };
            let mut rows: Vec<CampaignRow> = listed.into_iter().map(|(row, _)| row).collect();
            let ids: Vec<CampaignId> = rows.iter().map(|c| c.campaign_id).collect();
            let reach = self.campaign_reach(filter.range, ids).await?;
            for row in &mut rows {
                row.metrics.reach = reach.get(&row.campaign_id).copied().unwrap_or(0);
            }
            (total, rows)
        };
        let ids: Vec<CampaignId> = campaigns.iter().map(|c| c.campaign_id).collect();
        let sums = self.campaign_sums(filter.range, ids).await?;
        for row in &mut campaigns {
            let reach = row.metrics.reach;
            row.metrics = sums
                .get(&row.campaign_id)
                .copied()
                .unwrap_or_default()
                .to_metrics();
            row.metrics.reach = reach;
        }
        Ok(CampaignPage {
            total,
            page: page.number(),
            page_size: page.size(),
            campaigns,
        })
    }

    /// The page of `listed` ordered by their reach over `range` (highest first, or lowest when
    /// `reversed`; then by name and id), each with its reach. Most campaigns' reach over a
    /// range is one stored number (`StoredReach`), so every candidate's is known before they
    /// are ordered; the few running through the range have their sketches merged.
    async fn by_reach(
        &self,
        range: DateRange,
        listed: Vec<(CampaignRow, StoredReach)>,
        reversed: bool,
        page: Page,
    ) -> Result<Vec<CampaignRow>, DashboardError> {
        let stored: Vec<(CampaignId, StoredReach)> = listed
            .iter()
            .map(|(row, stored)| (row.campaign_id, *stored))
            .collect();
        let reach = self.resolve_reach(range, stored).await?;
        let mut candidates: Vec<CampaignRow> = listed.into_iter().map(|(row, _)| row).collect();
        for row in &mut candidates {
            row.metrics.reach = reach.get(&row.campaign_id).copied().unwrap_or(0);
        }
        candidates.sort_by(|a, b| {
            let usual = b
                .metrics
                .reach
                .cmp(&a.metrics.reach)
                .then_with(|| a.campaign_name.as_bytes().cmp(b.campaign_name.as_bytes()))
                .then_with(|| a.campaign_id.cmp(&b.campaign_id));
            if reversed { usual.reverse() } else { usual }
        });
        Ok(candidates
            .into_iter()
            .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
            .take(page.size() as usize)
            .collect())
    }

    /// Every count over `range` of each of `campaigns`.
    async fn campaign_sums(
        &self,
        range: DateRange,
        campaigns: Vec<CampaignId>,
    ) -> Result<HashMap<CampaignId, Counts>, DashboardError> {
        if campaigns.is_empty() {
            return Ok(HashMap::new());
        }
        let statement = campaign_sums_statement(range, campaigns);
        Ok(self
            .fetch(&statement)
            .await?
            .map(statement.context, |r| {
                Ok((r.id("campaign_id")?, read_counts(r, Count::ALL)?))
            })?
            .into_iter()
            .collect())
    }
}

/// Every statement of this module, for the template test.
#[cfg(test)]
pub(super) fn statements() -> Vec<Statement> {
    let range = DateRange::last_days(time::macros::date!(2026 - 11 - 27), 90);
    let filter = Filter::new(range);
    let mut all = vec![campaign_sums_statement(
        range,
        vec![CampaignId::from_u128(1)],
    )];
    let sorts = [
        CampaignSort::Name,
        CampaignSort::StartDate,
        CampaignSort::Metric(Metric::OptOutRate),
        CampaignSort::Metric(Metric::Impressions),
        CampaignSort::Metric(Metric::Reach),
    ];
    for sort in sorts {
        for reversed in [false, true] {
            let order = CampaignOrder { sort, reversed };
            let counts = match sort {
                CampaignSort::Metric(metric) => metric.inputs(),
                _ => &[],
            };
            let reach = sort == CampaignSort::Metric(Metric::Reach);
            all.push(list_statement(
                &filter,
                Some("flu"),
                order,
                counts,
                reach,
                Some(Page::default()),
            ));
            all.push(list_statement(&filter, None, order, counts, reach, None));
            all.push(list_statement(&filter, None, order, &[], false, None));
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reversed_order_reverses_its_ties_and_keeps_nulls_last() {
        let usual = order_by(CampaignSort::Metric(Metric::OptOutRate).into());
        assert!(usual.contains("DESC NULLS LAST"), "{usual}");
        assert!(usual.ends_with("c.campaign_id ASC"), "{usual}");
        let reversed =
            order_by(CampaignOrder::from(CampaignSort::Metric(Metric::OptOutRate)).reverse());
        assert!(reversed.contains("ASC NULLS LAST"), "{reversed}");
        assert!(reversed.ends_with("c.campaign_id DESC"), "{reversed}");
        assert!(order_by(CampaignSort::Name.into()).starts_with("c.campaign_name"));
    }
}
