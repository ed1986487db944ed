//! Whether the database answers, at which schema version, and how fresh its data is.

use outreach_model::{Health, LastRun};
use time::OffsetDateTime;

use super::Dashboard;
use crate::DashboardError;
use crate::store::Statement;

fn last_run_statement() -> Statement {
    Statement::new(
        "reading the last ETL run",
        "SELECT run_id, mode, finished_at, watermark FROM etl_runs
         WHERE status = 'succeeded' ORDER BY run_id DESC LIMIT 1",
        Vec::new(),
    )
}

fn settings_statement() -> Statement {
    Statement::new(
        "reading the settings",
        "SELECT (SELECT reporting_time_zone FROM dashboard_settings) AS zone,
                (SELECT max(metric_date) FROM campaign_metrics_daily) AS latest",
        Vec::new(),
    )
}

impl Dashboard {
    /// Whether the database answers, at which schema version, and how fresh its data is.
    pub async fn health(&self) -> Result<Health, DashboardError> {
        let schema_version = self.schema_version().await?;
        let statement = last_run_statement();
        let last_run = self
            .fetch(&statement)
            .await?
            .map(statement.context, |r| {
                Ok(LastRun {
                    run_id: r.int("run_id")?,
                    mode: r.text("mode")?,
                    finished_at: r.opt_time("finished_at")?,
                    watermark: r.opt_time("watermark")?,
                })
            })?
            .into_iter()
            .next();
        let statement = settings_statement();
        let (zone, latest) = self
            .fetch(&statement)
            .await?
            .map(statement.context, |r| {
                Ok((r.opt_text("zone")?, r.opt_day("latest")?))
            })?
            .into_iter()
            .next()
            .unwrap_or_default();
        let data_age_seconds = last_run
            .as_ref()
            .and_then(|run| run.watermark)
            // A watermark ahead of this clock (the demo is built as of the end of today, or
            // clocks differ) is data of age 0, not of negative age.
            .map(|watermark| {
                (OffsetDateTime::now_utc() - watermark)
                    .whole_seconds()
                    .max(0)
            });
        Ok(Health {
            store: self.store.kind(),
            demo: self.demo,
            reachable: true,
            schema_version,
            expected_schema_version: crate::schema::version(),
            last_run,
            data_age_seconds,
            reporting_time_zone: zone.unwrap_or_else(|| "UTC".to_owned()),
            latest_metric_date: latest,
        })
    }
}

/// Every statement of this module, for the template test.
#[cfg(test)]
pub(super) fn statements() -> Vec<Statement> {
    vec![last_run_statement(), settings_statement()]
}
