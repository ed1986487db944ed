//! The filter bar's light questions: the campaigns of a range by id and name (searched, a page
//! at a time), the names of the campaigns already chosen, and the range's campaign types. No
//! metric is summed for them.

use outreach_model::{CampaignId, CampaignName, CampaignNames, DateRange, Page, search_key};

use super::Dashboard;
use crate::DashboardError;
use crate::store::{Read, Statement, Value};

/// The campaign `c` has data in the range ($1, $2): its first and last days with data span
/// part of the range, and (an index probe, only then) a day of the range has data.
pub(super) const HAS_DATA: &str = "(c.first_data_date <= $2 AND c.last_data_date >= $1
    AND EXISTS (SELECT 1 FROM campaign_metrics_daily d
        WHERE d.campaign_id = c.campaign_id AND d.metric_date BETWEEN $1 AND $2))";

/// A campaign of the range: its schedule meets the range, or it has data in it.
fn of_the_range() -> String {
    format!("((c.start_date <= $2 AND (c.end_date IS NULL OR c.end_date >= $1)) OR {HAS_DATA})")
}

/// The range's campaigns whose name contains $3, A to Z, $4 of them after $5.
fn names_statement(range: DateRange, search: Option<&str>, page: Page) -> Statement {
    let template = format!(
        "SELECT c.campaign_id, c.campaign_name, count(*) OVER () AS total
         FROM campaigns c
         WHERE {}
           AND ($3 IS NULL OR {{strpos}}(c.search_name, $3) > 0)
         ORDER BY c.campaign_name {{collate}}, c.campaign_id
         LIMIT $4 OFFSET $5",
        of_the_range()
    );
    Statement::new(
        "listing campaign names",
        template,
        vec![
            Value::Date(range.start()),
            Value::Date(range.end()),
            Value::Text(search.map(search_key).filter(|s| !s.is_empty())),
            Value::Int(Some(i64::from(page.size()))),
            Value::Int(Some(i64::try_from(page.offset()).unwrap_or(i64::MAX))),
        ],
    )
}

/// The names of the campaigns $1, whatever their dates.
fn chosen_statement(ids: &[CampaignId]) -> Statement {
    Statement::new(
        "reading the chosen campaigns",
        "SELECT c.campaign_id, c.campaign_name FROM campaigns c
         WHERE c.campaign_id = ANY($1)
         ORDER BY c.campaign_name {collate}, c.campaign_id",
        vec![Value::Ids(ids.to_vec())],
    )
}

/// The types of the range's campaigns, A to Z.
fn types_statement(range: DateRange) -> Statement {
    Statement::new(
        "listing campaign types",
        format!(
            "SELECT c.campaign_type FROM campaigns c WHERE {}
             GROUP BY c.campaign_type ORDER BY c.campaign_type {{collate}}",
            of_the_range()
        ),
        vec![Value::Date(range.start()), Value::Date(range.end())],
    )
}

fn read_name(r: &dyn Read) -> Result<CampaignName, sqlx::Error> {
    Ok(CampaignName {
        campaign_id: r.id("campaign_id")?,
        campaign_name: r.text("campaign_name")?,
    })
}

impl Dashboard {
    /// One page of the campaigns of `range` whose name contains `search` (ignoring case), by
    /// id and name, A to Z; and the names of `chosen`, wherever they are.
    pub async fn campaign_names(
        &self,
        range: DateRange,
        search: Option<&str>,
        chosen: &[CampaignId],
        page: Page,
    ) -> Result<CampaignNames, DashboardError> {
        let statement = names_statement(range, search, page);
        let listed = self
            .fetch(&statement)
            .await?
            .map(statement.context, |r| Ok((read_name(r)?, r.int("total")?)))?;
        let total = match listed.first() {
            Some((_, total)) => u64::try_from(*total).unwrap_or(0),
            // Past the last page there is no row to carry the total: count the first page's.
            None if page.number() > 1 => {
                let first = Page::new(1, 1).unwrap_or_default();
                let statement = names_statement(range, search, first);
                self.fetch(&statement)
                    .await?
                    .map(statement.context, |r| r.int("total"))?
                    .first()
                    .map_or(0, |n| u64::try_from(*n).unwrap_or(0))
            }
            None => 0,
        };
        let chosen = if chosen.is_empty() {
            Vec::new()
        } else {
            let statement = chosen_statement(chosen);
            self.fetch(&statement)
                .await?
                .map(statement.context, read_name)?
        };
        Ok(CampaignNames {
            total,
            page: page.number(),
            page_size: page.size(),
            campaigns: listed.into_iter().map(|(name, _)| name).collect(),
            chosen,
        })
    }

    /// The campaign types of `range`'s campaigns, A to Z.
    pub async fn campaign_types(&self, range: DateRange) -> Result<Vec<String>, DashboardError> {
        let statement = types_statement(range);
        self.fetch(&statement)
            .await?
            .map(statement.context, |r| r.text("campaign_type"))
    }
}

/// Every statement of this module, for the template test.
#[cfg(test)]
pub(super) fn statements() -> Vec<Statement> {
    let range = DateRange::last_days(time::macros::date!(2026 - 11 - 27), 90);
    vec![
        names_statement(range, Some("Flu"), Page::default()),
        chosen_statement(&[CampaignId::from_u128(1)]),
        types_statement(range),
    ]
}
