//! Set-up shared by the read suite: the same generated data in PostgreSQL (through the warehouse
//! and the ETL) and in SQLite (through the demo builder).

use std::path::PathBuf;

use outreach_etl::RunOptions;
use outreach_etl::generate::{self, Mode};
use outreach_testkit::TestDb;
use outreach_warehouse::synthetic::GenerateOptions;
use time::OffsetDateTime;
use time::macros::date;

/// A small world ending on a fixed day, so every run sees the same data.
pub fn options() -> GenerateOptions {
    let end_date = date!(2026 - 11 - 27);
    GenerateOptions {
        members: 4_000,
        campaigns: 16,
        days: 150,
        seed: 31,
        end_date,
        as_of: OffsetDateTime::new_utc(end_date, time::Time::MIDNIGHT) + time::Duration::days(1),
    }
}

/// Both stores, loaded with the same data.
#[derive(Debug)]
pub struct Stores {
    /// Kept so the warehouse lives as long as the test.
    pub _warehouse: TestDb,
    /// The dashboard database, loaded by a full ETL run.
    pub postgres: TestDb,
    /// A login to it that holds only `outreach_reader`, as the app's is.
    pub reader: outreach_testkit::TestLogin,
    /// Holds the SQLite file.
    pub _dir: tempfile::TempDir,
    /// The SQLite file built by the demo builder.
    pub sqlite: PathBuf,
}

/// Generates the warehouse, runs the ETL into PostgreSQL, and builds SQLite from the same
/// options.
pub async fn stores() -> Stores {
    let options = options();
    let warehouse = TestDb::new("read_warehouse").await;
    generate::to_warehouse(
        warehouse.url(),
        &options,
        Mode::Create,
        &outreach_etl::Quiet,
    )
    .await
    .expect("generate a warehouse");
    let postgres = TestDb::new("read_dashboard").await;
    outreach_etl::run(
        warehouse.url(),
        postgres.url(),
        &RunOptions {
            full: true,
            ..RunOptions::default()
        },
        &outreach_etl::Quiet,
    )
    .await
    .expect("the ETL loads the dashboard database");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sqlite = dir.path().join("same.sqlite");
    outreach_warehouse::demo::build(&sqlite, &options)
        .await
        .expect("build the SQLite store");
    // The database trusts the tests' token issuer; the app's login signs in as an admin.
    outreach_testkit::identity::trust(postgres.url(), &[outreach_testkit::identity::key()]).await;
    let reader = postgres
        .login_with(outreach_backend::schema::READER_ROLE)
        .await;
    Stores {
        _warehouse: warehouse,
        reader,
        postgres,
        _dir: dir,
        sqlite,
    }
}

impl Stores {
    /// The dashboard as the app reads it: a login that holds only `outreach_reader`, signed in
    /// with an admin's ID token.
    pub async fn reader_dashboard(&self) -> outreach_backend::Dashboard {
        use outreach_backend::access::{IdToken, SignIn};
        use outreach_testkit::identity;
        // An hour, so that a connection the pool opens late in a long test still signs in.
        let mut claims = identity::claims("admin@example.org", &[identity::ADMIN_GROUP]);
        claims["exp"] = (identity::now() + 3600).into();
        let token = identity::key().sign(&identity::key().header(), &claims);
        outreach_backend::Dashboard::connect_signed_in(
            self.reader.url(),
            SignIn::new(IdToken::new(token)),
        )
        .await
        .expect("connect to PostgreSQL as the reader, signed in as an admin")
    }
}

/// The `outreach` binary with no configuration from this machine: its config and data
/// directories are `home`'s.
pub fn outreach(home: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_outreach"));
    command
        .env_remove("OUTREACH_DATABASE_URL")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"));
    command
}

/// The campaign ids a query of the dashboard database answered, as the model's ids.
pub fn campaign_ids<C: FromIterator<outreach_model::CampaignId>>(ids: Vec<uuid::Uuid>) -> C {
    ids.into_iter()
        .map(|id| outreach_model::CampaignId::from_u128(id.as_u128()))
        .collect()
}
