//! The two bulk primitives of every load: rows in PostgreSQL's COPY text format, sent in
//! pieces, and a table's indexes dropped for a load into it and built again after.

use std::fmt::Write as _;

use outreach_backend::metrics::{Counts, daily_rate};
use sqlx::PgConnection;

use crate::EtlError;

/// Rows in PostgreSQL's COPY text format.
#[derive(Debug, Default)]
pub struct CopyRows {
    buffer: String,
    fields_in_row: usize,
}

impl CopyRows {
    fn separator(&mut self) {
        if self.fields_in_row > 0 {
            self.buffer.push('\t');
        }
        self.fields_in_row += 1;
    }

    /// A value whose Display form needs no escaping (numbers, uuids, dates).
    pub fn plain(&mut self, value: impl std::fmt::Display) -> &mut Self {
        self.separator();
        let _ = write!(self.buffer, "{value}");
        self
    }

    /// A value or NULL.
    pub fn optional(&mut self, value: Option<impl std::fmt::Display>) -> &mut Self {
        match value {
            Some(value) => self.plain(value),
            None => {
                self.separator();
                self.buffer.push_str("\\N");
                self
            }
        }
    }

    /// An instant, as RFC 3339.
    pub fn instant(&mut self, value: time::OffsetDateTime) -> &mut Self {
        let formatted = value
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        self.plain(formatted)
    }

    /// Free text, escaped.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.separator();
        for c in value.chars() {
            match c {
                '\\' => self.buffer.push_str("\\\\"),
                '\t' => self.buffer.push_str("\\t"),
                '\n' => self.buffer.push_str("\\n"),
                '\r' => self.buffer.push_str("\\r"),
                other => self.buffer.push(other),
            }
        }
        self
    }

    /// Free text or NULL.
    pub fn optional_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(value) => self.text(value),
            None => self.optional(None::<&str>),
        }
    }

    /// Bytes, as bytea hex.
    pub fn bytes(&mut self, value: &[u8]) -> &mut Self {
        self.separator();
        self.buffer.push_str("\\\\x");
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.buffer.reserve(value.len() * 2);
        for byte in value {
            self.buffer.push(char::from(HEX[usize::from(byte >> 4)]));
            self.buffer.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        self
    }

    /// A day's counts and its own rates, in the order of `load::COPY_DAILY`'s columns.
    pub fn daily_counts(&mut self, c: &Counts) -> &mut Self {
        for count in [
            c.reach,
            c.impressions,
            c.opens,
            c.clicks,
            c.conversions,
            c.opt_outs,
            c.sent,
            c.bounces,
            c.machine_opens,
            c.engaged,
        ] {
            self.plain(count);
        }
        self.optional(daily_rate(c.engagement_rate()))
            .optional(daily_rate(c.conversion_rate()))
            .optional(daily_rate(c.opt_out_rate()))
            .optional(daily_rate(c.delivery_rate()))
    }

    /// Bytes held so far.
    pub fn len(&self) -> usize {
        self.buffer.len()
    }

    /// Whether no row was added.
    pub fn is_empty(&self) -> bool {
        self.buffer.is_empty()
    }

    /// Ends the current row.
    pub fn end_row(&mut self) {
        self.buffer.push('\n');
        self.fields_in_row = 0;
    }

    /// The rows as bytes, to send through an open COPY.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buffer.into_bytes()
    }

    /// Sends the rows with `COPY <statement> FROM STDIN`.
    pub async fn copy_into(
        self,
        conn: &mut PgConnection,
        statement: &str,
    ) -> Result<(), sqlx::Error> {
        let mut copy = conn.copy_in_raw(statement).await?;
        // Send in pieces so a large load never holds one giant frame.
        for chunk in self.buffer.as_bytes().chunks(1 << 20) {
            copy.send(chunk).await?;
        }
        copy.finish().await?;
        Ok(())
    }
}

/// The indexes of a table, dropped for a bulk load into it and built again after: building an
/// index by sorting is several times faster than inserting a million rows into it one by one.
#[derive(Debug)]
pub struct DroppedIndexes {
    /// Statements that build each index (or index-backed constraint) again, from the catalog.
    restore: Vec<String>,
}

/// Drops the indexes of `table`, unique and primary-key constraints included, and its foreign keys
/// (checked again in one pass when they are added back), inside the caller's transaction (a
/// failed load rolls the drop back). Returns `None`, dropping nothing, when the
/// role could not build them again (it must own the table and may create in its schema; the
/// `outreach_etl` role of the migrations may do neither, and its loads insert into the indexes
/// instead) or when a foreign key refers to the table.
pub async fn drop_indexes(
    tx: &mut PgConnection,
    table: &str,
) -> Result<Option<DroppedIndexes>, EtlError> {
    let context = "reading the indexes of a table to load";
    let droppable: bool = sqlx::query_scalar(
        "SELECT pg_has_role(c.relowner, 'USAGE')
                AND has_schema_privilege(c.relnamespace, 'CREATE')
                AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.confrelid = c.oid)
         FROM pg_class c WHERE c.oid = $1::regclass",
    )
    .bind(table)
    .fetch_one(&mut *tx)
    .await
    .map_err(EtlError::dashboard(context))?;
    if !droppable {
        return Ok(None);
    }
    // (drop, restore) pairs, written by the database from its own catalog.
    let statements: Vec<(String, String)> = sqlx::query_as(
        "SELECT drop_sql, build_sql FROM (
             SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname) AS drop_sql,
                    format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname,
                           pg_get_constraintdef(oid)) AS build_sql,
                    contype = 'f' AS foreign_key
             FROM pg_constraint WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'f')
             UNION ALL
             SELECT format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid), false
             FROM pg_index i
             WHERE i.indrelid = $1::regclass
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
         ) AS s
         -- Foreign keys are dropped first and, the list reversed, added back last.
         ORDER BY foreign_key DESC",
    )
    .bind(table)
    .fetch_all(&mut *tx)
    .await
    .map_err(EtlError::dashboard(context))?;
    let mut restore = Vec::with_capacity(statements.len());
    for (drop, build) in statements {
        sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
            .execute(&mut *tx)
            .await
            .map_err(EtlError::dashboard("dropping an index for the load"))?;
        restore.push(build);
    }
    restore.reverse();
    Ok(Some(DroppedIndexes { restore }))
}

impl DroppedIndexes {
    /// Builds the dropped indexes again, with memory enough to sort in one pass.
    pub async fn rebuild(self, tx: &mut PgConnection) -> Result<(), EtlError> {
        sqlx::raw_sql("SET LOCAL maintenance_work_mem = '1GB'")
            .execute(&mut *tx)
            .await
            .map_err(EtlError::dashboard("setting maintenance_work_mem"))?;
        for build in self.restore {
            sqlx::raw_sql(sqlx::AssertSqlSafe(build))
                .execute(&mut *tx)
                .await
                .map_err(EtlError::dashboard("building an index after the load"))?;
        }
        Ok(())
    }
}
