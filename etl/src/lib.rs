//! outreach-etl: moves the organization's data warehouse into the dashboard database, writes
//! synthetic warehouses into PostgreSQL, and loads the scale dataset of the read benchmarks.
//!
//! Aggregation is pushed down into the warehouse's SQL ([`pushdown`]); outreach-warehouse's
//! `reference` is the same metric definitions over events in memory. A run ([`run`]) checks the
//! contract ([`contract`]), aggregates, loads ([`load`], through the bulk primitives of
//! [`copy`]) and rebuilds the rollups of the days it wrote ([`rollups`]). The library prints
//! nothing: it reports how far it is through [`Progress`]. Depends on outreach-backend (schema,
//! metric math, reach sketches), outreach-warehouse and outreach-model; never on egui or tauri.

pub mod access;
pub mod campaign_rollups;
pub mod contract;
pub mod copy;
pub mod generate;
pub mod load;
mod progress;
pub mod pushdown;
pub mod rollups;
pub mod run;
pub mod scale;

pub use outreach_warehouse::ReportingZone;
pub use progress::{Progress, Quiet};
pub use run::{RunOptions, RunReport, run};

/// Key of the advisory lock that keeps two writers (an ETL run, a rebuild of the rollups) off
/// one dashboard database. Here, at the root, so the run and the rollups both use it without
/// depending on each other.
pub(crate) const RUN_LOCK: i64 = 0x6f75_7472_6561_6368; // "outreach"

/// Everything that can stop the ETL, each with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum EtlError {
    /// A database could not be reached.
    #[error(
        "cannot connect to the {which} database ({reason}); check its URL and that the server is running"
    )]
    Connect {
        /// "warehouse" or "dashboard".
        which: &'static str,
        /// What the driver said (never the URL, which may hold a password).
        reason: String,
    },
    /// The warehouse lacks a table or column of the contract.
    #[error("the warehouse does not hold to its contract (docs/warehouse-contract.md): {0}")]
    Contract(String),
    /// The warehouse holds values the contract forbids.
    #[error(
        "the warehouse holds bad data: {0}; fix it at the source and run again (the dashboard database was not changed)"
    )]
    Data(String),
    /// A warehouse query failed.
    #[error("the warehouse failed while {context}: {source}")]
    Warehouse {
        /// What the ETL was doing.
        context: &'static str,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// A dashboard database statement failed.
    #[error("the dashboard database failed while {context}: {source}")]
    Dashboard {
        /// What the ETL was doing.
        context: &'static str,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// The dashboard schema could not be created or migrated.
    #[error("cannot migrate the dashboard database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The reporting time zone is not an IANA name.
    #[error(transparent)]
    Zone(#[from] outreach_warehouse::UnknownZone),
    /// Another run holds the dashboard database.
    #[error(
        "another outreach-etl run is loading this dashboard database; wait for it to finish and run again"
    )]
    Busy,
    /// The scale dataset goes only into a dashboard database with no campaign.
    #[error(
        "the dashboard database already holds {0} campaigns; give `outreach-etl scale` a new, empty database"
    )]
    NotEmpty(i64),
    /// The thread that makes the scale dataset stopped.
    #[error("the scale generator stopped: {0}")]
    Generator(String),
}

impl EtlError {
    /// Wraps a warehouse error with what the ETL was doing.
    pub fn warehouse(context: &'static str) -> impl FnOnce(sqlx::Error) -> EtlError {
        move |source| EtlError::Warehouse { context, source }
    }

    /// Wraps a dashboard database error with what the ETL was doing.
    pub fn dashboard(context: &'static str) -> impl FnOnce(sqlx::Error) -> EtlError {
        move |source| EtlError::Dashboard { context, source }
    }
}

/// Opens one connection, mapping failure to a message without the URL.
pub async fn connect(which: &'static str, url: &str) -> Result<sqlx::PgConnection, EtlError> {
    use sqlx::ConnectOptions;
    let options: sqlx::postgres::PgConnectOptions = url.parse().map_err(|_| EtlError::Connect {
        which,
        reason: "the URL is not a valid postgres:// URL".to_owned(),
    })?;
    options
        .application_name("outreach-etl")
        .connect()
        .await
        .map_err(|err| EtlError::Connect {
            which,
            reason: describe_connect_error(&err),
        })
}

fn describe_connect_error(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::Database(db) => db.message().to_owned(),
        sqlx::Error::Tls(_) => "TLS handshake failed".to_owned(),
        sqlx::Error::PoolTimedOut => "timed out".to_owned(),
        other => other.to_string(),
    }
}

pub mod schema {
    //! Creating or migrating the dashboard schema.

    use crate::EtlError;

    /// Brings the dashboard database to this build's schema version. A database already there
    /// is only read, so the ETL's role (which may not create tables) can run against it.
    pub async fn migrate(dashboard: &mut sqlx::PgConnection) -> Result<(), EtlError> {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
            .fetch_one(&mut *dashboard)
            .await
            .map_err(EtlError::dashboard("reading the schema version"))?;
        let applied: Option<i64> = if exists {
            sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&mut *dashboard)
                .await
                .map_err(EtlError::dashboard("reading the schema version"))?
        } else {
            None
        };
        if applied == Some(outreach_backend::schema::version()) {
            return Ok(());
        }
        outreach_backend::schema::POSTGRES.run(dashboard).await?;
        Ok(())
    }
}
