//! The questions the dashboard asks, answered the same way on either store: the counts are
//! summed in SQL, reach over a range is the estimate of the merged stored sketches, and every
//! rate comes from [`Counts`] (docs/metrics.md). One module per concept, each with its SQL
//! beside its question: `campaigns` (the list and its sums), `names` (the campaign picker's
//! light question), `ranking` (best and worst), `series` (summary, trend, one campaign over
//! time), `sketches` (reach from the stored sketches), `segments` (the drill-down) and `health`.
//! `binds` holds what every filtered template binds.

mod binds;
mod campaigns;
mod health;
mod names;
mod ranking;
mod segments;
mod series;
mod sketches;

pub use ranking::{DEFAULT_MIN_VOLUME, MAX_RANKED, RankingError};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::DashboardError;
use crate::access::SignIn;
use crate::rollup::Grouping;
use crate::store::{Read, Rows, Statement, Store, Value};
use outreach_model::{Filter, Identity};

/// The dashboard's questions over one store.
#[derive(Debug, Clone)]
pub struct Dashboard {
    store: Store,
    trace: Option<Trace>,
    /// Set once the rollups were seen built; they never go back to not built.
    rollups_seen: Arc<AtomicBool>,
    /// Whether this is the demo database of synthetic data.
    demo: bool,
}

/// The statements a traced [`Dashboard`] ran, in order, as PostgreSQL SQL with their binds:
/// what the read benchmark replays in psql to compare with the database's own time.
pub type Trace = Arc<Mutex<Vec<(String, Vec<Value>)>>>;

impl Dashboard {
    /// Connects to `url` (PostgreSQL URL or SQLite path) and checks its schema version.
    pub async fn connect(url: &str) -> Result<Dashboard, DashboardError> {
        Dashboard::connect_with(url, None).await
    }

    /// Connects to the PostgreSQL database at `url` signed in with `sign_in`: the database
    /// verifies the token and shows only what the person's groups grant.
    pub async fn connect_signed_in(
        url: &str,
        sign_in: SignIn,
    ) -> Result<Dashboard, DashboardError> {
        Dashboard::connect_with(url, Some(sign_in)).await
    }

    async fn connect_with(url: &str, sign_in: Option<SignIn>) -> Result<Dashboard, DashboardError> {
        let dashboard = Dashboard {
            store: Store::connect_with(url, sign_in).await?,
            trace: None,
            rollups_seen: Arc::default(),
            demo: false,
        };
        // A login that sees nothing is told why, not shown an empty dashboard.
        dashboard.identity().await?;
        let found = dashboard.schema_version().await?;
        let expected = crate::schema::version();
        if found != expected {
            return Err(DashboardError::WrongSchema { found, expected });
        }
        Ok(dashboard)
    }

    /// Opens the demo database of synthetic data at `path` (its health says so).
    pub async fn connect_demo(path: &std::path::Path) -> Result<Dashboard, DashboardError> {
        let dashboard = Dashboard::connect(&path.display().to_string()).await?;
        Ok(Dashboard {
            demo: true,
            ..dashboard
        })
    }

    /// Who the database says this dashboard's connections are: `None` on the demo (SQLite has
    /// no sign-in) and on a database older than access control, which shows every login all.
    pub async fn identity(&self) -> Result<Option<Identity>, DashboardError> {
        let Store::Postgres(pool) = &self.store else {
            return Ok(None);
        };
        match crate::access::identity(pool).await {
            Ok(Some(identity)) => Ok(Some(identity)),
            Ok(None) => Err(DashboardError::NotSignedIn),
            // 3F000 invalid_schema_name, 42883 undefined_function: no `auth` yet.
            Err(sqlx::Error::Database(db))
                if matches!(db.code().as_deref(), Some("3F000" | "42883")) =>
            {
                Ok(None)
            }
            Err(source) => Err(DashboardError::Query {
                context: "reading who is signed in",
                source,
            }),
        }
    }

    /// Ends the sign-in in the database: the sign-out is recorded in the audit trail under the
    /// person, and every connection of the pool is closed (none keeps their session). Nothing
    /// on a store without sign-in.
    pub async fn sign_out(&self) -> Result<(), DashboardError> {
        let Store::Postgres(pool) = &self.store else {
            return Ok(());
        };
        let failed = |source| DashboardError::Query {
            context: "signing out",
            source,
        };
        let mut conn = pool.acquire().await.map_err(failed)?;
        use sqlx::Executor as _;
        conn.execute("START TRANSACTION READ WRITE")
            .await
            .map_err(failed)?;
        let ended = sqlx::query("SELECT auth.sign_out($1)")
            .bind(uuid::Uuid::new_v4())
            .execute(&mut *conn)
            .await;
        match ended {
            Ok(_) => conn.execute("COMMIT").await.map_err(failed)?,
            Err(err) => {
                let _ = conn.execute("ROLLBACK").await;
                return Err(failed(err));
            }
        };
        drop(conn);
        pool.close().await;
        Ok(())
    }

    /// The store behind it.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The same dashboard, recording every statement it runs into the trace returned.
    pub fn traced(&self) -> (Dashboard, Trace) {
        let trace = Trace::default();
        let dashboard = Dashboard {
            trace: Some(trace.clone()),
            ..self.clone()
        };
        (dashboard, trace)
    }

    fn record(&self, statement: &Statement) {
        if let Some(trace) = &self.trace
            && let Ok(mut trace) = trace.lock()
        {
            trace.push((
                crate::store::postgres_sql(&statement.template),
                statement.values.clone(),
            ));
        }
    }

    /// Runs `statement` and returns its rows.
    async fn fetch(&self, statement: &Statement) -> Result<Rows, DashboardError> {
        self.record(statement);
        self.store.fetch(statement).await
    }

    /// Runs `statement` and hands each row to `each` as it arrives.
    async fn for_each(
        &self,
        statement: &Statement,
        each: impl FnMut(&dyn Read) -> Result<(), DashboardError>,
    ) -> Result<(), DashboardError> {
        self.record(statement);
        self.store.for_each(statement, each).await
    }

    async fn schema_version(&self) -> Result<i64, DashboardError> {
        // A database without the migrations table is no dashboard database (version 0).
        let rows = self.fetch(&schema_version_statement()).await;
        match rows {
            Ok(rows) => Ok(rows
                .map("reading the schema version", |r| r.int("version"))?
                .first()
                .copied()
                .unwrap_or(0)),
            Err(DashboardError::Query { source, .. }) if is_missing_table(&source) => Ok(0),
            Err(err) => Err(err),
        }
    }

    /// Whether the ETL has built the rollups (a database migrated to them but not yet
    /// reloaded has none, and is read from the facts).
    async fn rollups_ready(&self) -> Result<bool, DashboardError> {
        if self.rollups_seen.load(Ordering::Relaxed) {
            return Ok(true);
        }
        Ok(self.rollup_state().await?.0)
    }

    /// Whether the rollups are built, and whether this connection may read those over every
    /// campaign (only one that sees everything: read each time, since a refreshed sign-in
    /// may narrow the scope).
    async fn rollup_state(&self) -> Result<(bool, bool), DashboardError> {
        let rows = self.fetch(&rollups_ready_statement()).await?;
        let state = rows
            .map("reading the settings", |r| {
                Ok((r.int("ready")? == 1, r.int("whole")? == 1))
            })?
            .first()
            .copied()
            .unwrap_or((false, false));
        if state.0 {
            self.rollups_seen.store(true, Ordering::Relaxed);
        }
        Ok(state)
    }

    /// Where the sums and reach of `filter` are read from.
    async fn route(&self, filter: &Filter) -> Result<Route, DashboardError> {
        if !filter.by_type_and_channel() {
            return Ok(Route::Facts);
        }
        Ok(match self.rollup_state().await? {
            (false, _) => Route::Facts,
            (true, true) if filter.by_channel_only() => Route::Rollups(Grouping::Whole),
            (true, _) => Route::Rollups(Grouping::PerType),
        })
    }
}

/// Where a question's sums and reach come from: the rollups over every campaign (only the
/// range and channels filter, and the connection sees everything), those per campaign type
/// (the range, types and channels filter; a scoped connection sees its scope's rows), or the
/// facts of the filter's campaigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Rollups(Grouping),
    Facts,
}

fn schema_version_statement() -> Statement {
    Statement::new(
        "reading the schema version",
        "SELECT CAST(max(version) AS bigint) AS version FROM _sqlx_migrations WHERE success",
        Vec::new(),
    )
}

fn rollups_ready_statement() -> Statement {
    Statement::new(
        "reading the settings",
        "SELECT CAST(CASE WHEN rollups_ready THEN 1 ELSE 0 END AS bigint) AS ready,
            CAST(CASE WHEN whole_rollups THEN 1 ELSE 0 END AS bigint) AS whole
         FROM dashboard_settings",
        Vec::new(),
    )
}

fn decode(err: outreach_model::UnknownName) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(err))
}

fn is_missing_table(err: &sqlx::Error) -> bool {
    match err {
        // 42P01: undefined_table.
        sqlx::Error::Database(db) if db.code().as_deref() == Some("42P01") => true,
        other => other.to_string().contains("no such table"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every statement the dashboard runs, with representative inputs.
    fn every_statement() -> Vec<Statement> {
        let mut all = vec![schema_version_statement(), rollups_ready_statement()];
        all.extend(campaigns::statements());
        all.extend(names::statements());
        all.extend(ranking::statements());
        all.extend(series::statements());
        all.extend(sketches::statements());
        all.extend(segments::statements());
        all.extend(health::statements());
        all
    }

    /// The parameter numbers used in `sql`, written with `sigil` ($ or ?).
    fn parameters(sql: &str, sigil: char) -> std::collections::BTreeSet<usize> {
        let mut used = std::collections::BTreeSet::new();
        let mut chars = sql.chars().peekable();
        while let Some(ch) = chars.next() {
            if ch != sigil {
                continue;
            }
            let mut digits = String::new();
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                digits.push(d);
            }
            if let Ok(n) = digits.parse::<usize>() {
                used.insert(n);
            }
        }
        used
    }

    #[test]
    fn every_template_renders_on_both_dialects_with_a_bind_for_each_parameter() {
        let statements = every_statement();
        assert!(statements.len() >= 20, "{} statements", statements.len());
        for statement in &statements {
            let what = format!("{}: {}", statement.context, statement.template);
            let postgres = crate::store::postgres_sql(&statement.template);
            let sqlite = crate::store::sqlite_sql(&statement.template);
            for (dialect, sql, sigil) in [("PostgreSQL", &postgres, '$'), ("SQLite", &sqlite, '?')]
            {
                assert!(
                    !sql.contains('{') && !sql.contains('}'),
                    "a marker is left on {dialect} in {what}:\n{sql}"
                );
                let used = parameters(sql, sigil);
                assert_eq!(
                    used.last().copied().unwrap_or(0),
                    statement.values.len(),
                    "{dialect}: the highest parameter is not the number of values bound, in {what}"
                );
                assert_eq!(
                    used.len(),
                    statement.values.len(),
                    "{dialect}: a value is bound but never used, in {what}"
                );
            }
            assert!(!sqlite.contains("ANY("), "SQLite has no ANY: {what}");
        }
    }

    #[test]
    fn parameters_are_read_with_every_digit() {
        let used: Vec<usize> = parameters("a = $2 AND b = $10 AND c = '$x'", '$')
            .into_iter()
            .collect();
        assert_eq!(used, [2, 10]);
        assert!(parameters("none", '?').is_empty());
    }
}
