//! The dashboard database's schema, embedded in the binary so that every tool can create or
//! migrate it without the source tree.

use sqlx::migrate::Migrator;

/// Migrations of the dashboard database on PostgreSQL (14+; Amazon RDS in production).
pub static POSTGRES: Migrator = sqlx::migrate!("../migrations/postgres");

/// Migrations of the same logical schema on SQLite (the demo database and the offline cache).
pub static SQLITE: Migrator = sqlx::migrate!("../migrations/sqlite");

/// The schema version this build reads and writes: the newest migration's version.
pub fn version() -> i64 {
    POSTGRES.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The roles the migrations create (NOLOGIN; an administrator grants them to login users).
pub const ETL_ROLE: &str = "outreach_etl";
/// The read-only role the app uses: SELECT on what it reads, nothing else.
pub const READER_ROLE: &str = "outreach_reader";

#[cfg(test)]
mod tests {
    #[test]
    fn both_stores_are_at_the_same_version() {
        let sqlite = super::SQLITE.iter().map(|m| m.version).max();
        assert_eq!(Some(super::version()), sqlite);
    }
}
