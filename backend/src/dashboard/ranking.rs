//! The best and the worst campaigns of a filter by a rate: each campaign's rate over the range
//! (the ratio of its summed counts), among the campaigns with at least a minimum volume (the
//! rate's denominator), so that three impressions and one engagement are not "the best".

use outreach_model::format::Better;
use outreach_model::{Filter, Metric, RankedCampaign, Ranking};

use super::Dashboard;
use super::binds::filter_values;
use crate::DashboardError;
use crate::store::{Statement, Value};

/// The least volume a campaign needs to be ranked, unless configured otherwise.
pub const DEFAULT_MIN_VOLUME: i64 = 100;

/// The most campaigns a list holds.
pub const MAX_RANKED: u32 = 50;

/// Why a ranking cannot be asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RankingError {
    /// Only rates rank campaigns.
    #[error(
        "{0} is not a rate: rank campaigns by engagement_rate, conversion_rate, opt_out_rate or delivery_rate"
    )]
    NotARate(Metric),
    /// A list of no campaign, or of too many.
    #[error("the best and worst lists hold 1 to {MAX_RANKED} campaigns each, not {0}")]
    Count(u32),
    /// A negative minimum.
    #[error("the minimum volume is a number of messages, 0 or more, not {0}")]
    Minimum(i64),
}

/// The campaigns with at least $7 of volume, best first and worst first ($8 of each), with how
/// many were ranked and how many had too little volume.
fn ranking_statement(
    filter: &Filter,
    metric: Metric,
    count: u32,
    min_volume: i64,
) -> Result<Statement, RankingError> {
    let (Some(volume), [numerator, _]) = (metric.denominator(), metric.inputs()) else {
        return Err(RankingError::NotARate(metric));
    };
    let (best, worst) = match metric.better() {
        Better::Higher => ("DESC", "ASC"),
        Better::Lower => ("ASC", "DESC"),
    };
    let list = |name: &str, direction: &str| {
        format!(
            "SELECT * FROM (
                SELECT '{name}' AS list, campaign_id, campaign_name, channel, value, volume,
                    ranked, below_minimum
                FROM ranked
                ORDER BY value {direction}, campaign_name {{collate}}, campaign_id
                LIMIT $8) AS {name}_list"
        )
    };
    let template = format!(
        "WITH sums AS (
            SELECT d.campaign_id,
                CAST(coalesce(sum(d.total_{numerator}), 0) AS bigint) AS numerator,
                CAST(coalesce(sum(d.total_{volume}), 0) AS bigint) AS volume
            FROM campaign_metrics_daily d
            WHERE d.metric_date BETWEEN $1 AND $2
            GROUP BY d.campaign_id
        ),
        eligible AS (
            SELECT c.campaign_id, c.campaign_name, c.channel, s.numerator, s.volume
            FROM campaigns c
            JOIN sums s ON s.campaign_id = c.campaign_id
            WHERE {{filter}} AND s.volume > 0
        ),
        ranked AS (
            SELECT campaign_id, campaign_name, channel, volume,
                CAST(numerator AS {{float}}) / volume AS value,
                count(*) OVER () AS ranked,
                (SELECT count(*) FROM eligible WHERE volume < $7) AS below_minimum
            FROM eligible
            WHERE volume >= $7
        )
        {}
        UNION ALL
        {}",
        list("best", best),
        list("worst", worst),
    );
    let mut values = filter_values(filter);
    values.push(Value::Int(Some(min_volume)));
    values.push(Value::Int(Some(i64::from(count))));
    Ok(Statement::new("ranking campaigns", template, values))
}

/// One row of the answer.
struct Row {
    best: bool,
    campaign: RankedCampaign,
    ranked: u64,
    below_minimum: u64,
}

impl Dashboard {
    /// The `count` best and `count` worst campaigns of `filter` by the rate `metric`, among
    /// those with at least `min_volume` impressions (sent messages for the delivery rate).
    /// With fewer than twice `count` campaigns ranked, the best list takes the better half and
    /// the worst list the rest, so no campaign is in both.
    pub async fn ranking(
        &self,
        filter: &Filter,
        metric: Metric,
        count: u32,
        min_volume: i64,
    ) -> Result<Ranking, DashboardError> {
        if !(1..=MAX_RANKED).contains(&count) {
            return Err(RankingError::Count(count).into());
        }
        if min_volume < 0 {
            return Err(RankingError::Minimum(min_volume).into());
        }
        let statement = ranking_statement(filter, metric, count, min_volume)?;
        let rows = self.fetch(&statement).await?.map(statement.context, |r| {
            let channel: String = r.text("channel")?;
            Ok(Row {
                best: r.text("list")? == "best",
                campaign: RankedCampaign {
                    campaign_id: r.id("campaign_id")?,
                    campaign_name: r.text("campaign_name")?,
                    channel: channel.parse().map_err(super::decode)?,
                    value: r.float("value")?,
                    volume: r.int("volume")?,
                },
                ranked: u64::try_from(r.int("ranked")?).unwrap_or(0),
                below_minimum: u64::try_from(r.int("below_minimum")?).unwrap_or(0),
            })
        })?;
        let ranked = rows.first().map_or(0, |row| row.ranked);
        let below_minimum = match rows.first() {
            Some(row) => row.below_minimum,
            // Nothing ranked: the campaigns left out are counted on their own.
            None => self.below_minimum(filter, metric, min_volume).await?,
        };
        let wanted = u64::from(count);
        let take_best = wanted.min(ranked.div_ceil(2));
        let take_worst = wanted.min(ranked - take_best);
        let (best, worst): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(|row| row.best);
        Ok(Ranking {
            metric,
            min_volume,
            ranked,
            below_minimum,
            best: best
                .into_iter()
                .take(take_best as usize)
                .map(|row| row.campaign)
                .collect(),
            worst: worst
                .into_iter()
                .take(take_worst as usize)
                .map(|row| row.campaign)
                .collect(),
        })
    }

    /// How many campaigns of `filter` have some volume for `metric` but less than `min_volume`.
    async fn below_minimum(
        &self,
        filter: &Filter,
        metric: Metric,
        min_volume: i64,
    ) -> Result<u64, DashboardError> {
        let statement = below_minimum_statement(filter, metric, min_volume)?;
        let counted = self
            .fetch(&statement)
            .await?
            .map(statement.context, |r| r.int("below_minimum"))?;
        Ok(counted
            .first()
            .map_or(0, |n| u64::try_from(*n).unwrap_or(0)))
    }
}

fn below_minimum_statement(
    filter: &Filter,
    metric: Metric,
    min_volume: i64,
) -> Result<Statement, RankingError> {
    let Some(volume) = metric.denominator() else {
        return Err(RankingError::NotARate(metric));
    };
    let template = format!(
        "SELECT count(*) AS below_minimum FROM (
            SELECT d.campaign_id
            FROM campaign_metrics_daily d
            WHERE d.metric_date BETWEEN $1 AND $2 AND d.campaign_id {{of_filter}}
            GROUP BY d.campaign_id
            HAVING sum(d.total_{volume}) > 0 AND sum(d.total_{volume}) < $7
        ) AS small"
    );
    let mut values = filter_values(filter);
    values.push(Value::Int(Some(min_volume)));
    Ok(Statement::new("ranking campaigns", template, values))
}

/// Every statement of this module, for the template test.
#[cfg(test)]
pub(super) fn statements() -> Vec<Statement> {
    let range = outreach_model::DateRange::last_days(time::macros::date!(2026 - 11 - 27), 90);
    let filter = Filter::new(range);
    [
        Metric::EngagementRate,
        Metric::OptOutRate,
        Metric::DeliveryRate,
    ]
    .iter()
    .flat_map(|metric| {
        [
            ranking_statement(&filter, *metric, 5, 100),
            below_minimum_statement(&filter, *metric, 100),
        ]
    })
    .filter_map(Result::ok)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rates_rank_campaigns() {
        let filter = Filter::new(outreach_model::DateRange::last_days(
            time::macros::date!(2026 - 11 - 27),
            30,
        ));
        let err = ranking_statement(&filter, Metric::Reach, 5, 100).expect_err("reach");
        assert_eq!(err, RankingError::NotARate(Metric::Reach));
        assert!(err.to_string().contains("opt_out_rate"), "{err}");
        // The best opt-out rate is the lowest.
        let statement = ranking_statement(&filter, Metric::OptOutRate, 5, 100).expect("a rate");
        let best = statement.template.find("'best'").expect("the best list");
        let ascending = statement.template[best..].find("value ASC");
        let descending = statement.template[best..].find("value DESC");
        assert!(ascending < descending, "{}", statement.template);
    }
}
