//! The audit trail of the dashboard database (docs/security.md, "Audit trail"): recording what a
//! signed-in person did, and checking the hash chain that makes a quiet edit visible.
//!
//! The database appends each event with its canonical content (one JSON text) and
//! `hash = sha256(prev_hash || content)`. [`verify`] recomputes the chain here, independently
//! of the database's own functions, and checks that each row's columns say what its hashed
//! content says: a row changed by someone who could bypass the append-only triggers (a
//! superuser) is named by its sequence number.

pub mod queue;

use sha2::{Digest as _, Sha256};

/// One row of the trail, as `audit.entries` gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// 1, 2, 3, … with no gap.
    pub seq: i64,
    /// The client's id of the event.
    pub event_id: String,
    /// When the database recorded it (UTC, ISO 8601 to the microsecond).
    pub recorded_at: String,
    /// When the client says it happened (same form).
    pub occurred_at: String,
    /// The verified person, `database:<login>`, or `anonymous`.
    pub actor: String,
    /// Their role, if signed in.
    pub role: Option<String>,
    /// sign_in, sign_in_refused, sign_out, view, export, access_change, settings_change.
    pub kind: String,
    /// What was asked, exported or changed.
    pub detail: serde_json::Value,
    /// The canonical content the hash covers.
    pub content: String,
    /// The previous row's hash (32 zero bytes before the first).
    pub prev_hash: Vec<u8>,
    /// sha256(prev_hash || content).
    pub hash: Vec<u8>,
}

/// Where the chain breaks: the first row that is not what the chain says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// A sequence number is missing or repeated (a row deleted or inserted).
    #[error("the audit trail has a gap: row {found} follows row {previous}")]
    Gap {
        /// The previous row's number.
        previous: i64,
        /// This row's.
        found: i64,
    },
    /// A row does not point at the previous row's hash.
    #[error("audit row {0} does not follow the row before it (its previous hash differs)")]
    Link(i64),
    /// A row's hash is not the hash of its content.
    #[error("audit row {0} was changed: its hash is not the hash of its content")]
    Hash(i64),
    /// A row's column differs from its hashed content.
    #[error("audit row {seq} was changed: its {column} differs from what was recorded")]
    Column {
        /// The row.
        seq: i64,
        /// The column that differs.
        column: &'static str,
    },
}

/// The hash of the first row's predecessor.
pub const GENESIS: [u8; 32] = [0; 32];

/// Follows the chain from its first row (or from a row whose predecessor is `previous`, the
/// sequence number and hash of the row before): the number of rows checked, or the first break.
pub fn verify(
    entries: impl IntoIterator<Item = AuditEntry>,
    mut previous: (i64, Vec<u8>),
) -> Result<u64, ChainBreak> {
    let mut checked = 0;
    for entry in entries {
        if entry.seq != previous.0 + 1 {
            return Err(ChainBreak::Gap {
                previous: previous.0,
                found: entry.seq,
            });
        }
        if entry.prev_hash != previous.1 {
            return Err(ChainBreak::Link(entry.seq));
        }
        let mut hasher = Sha256::new();
        hasher.update(&entry.prev_hash);
        hasher.update(entry.content.as_bytes());
        if hasher.finalize().as_slice() != entry.hash.as_slice() {
            return Err(ChainBreak::Hash(entry.seq));
        }
        if let Some(column) = differing_column(&entry) {
            return Err(ChainBreak::Column {
                seq: entry.seq,
                column,
            });
        }
        previous = (entry.seq, entry.hash);
        checked += 1;
    }
    Ok(checked)
}

/// The first column whose value is not the content's.
fn differing_column(entry: &AuditEntry) -> Option<&'static str> {
    let Ok(content) = serde_json::from_str::<serde_json::Value>(&entry.content) else {
        return Some("content");
    };
    let text = |key: &str| content.get(key).and_then(serde_json::Value::as_str);
    if content.get("seq").and_then(serde_json::Value::as_i64) != Some(entry.seq) {
        return Some("seq");
    }
    let columns: [(&'static str, Option<&str>, Option<&str>); 6] = [
        ("event_id", text("event_id"), Some(&entry.event_id)),
        ("recorded_at", text("recorded_at"), Some(&entry.recorded_at)),
        ("occurred_at", text("occurred_at"), Some(&entry.occurred_at)),
        ("actor", text("actor"), Some(&entry.actor)),
        ("role", text("role"), entry.role.as_deref()),
        ("kind", text("kind"), Some(&entry.kind)),
    ];
    if let Some((column, _, _)) = columns.iter().find(|(_, hashed, stored)| hashed != stored) {
        return Some(column);
    }
    (content.get("detail") != Some(&entry.detail)).then_some("detail")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, prev_hash: Vec<u8>, actor: &str) -> AuditEntry {
        let detail = serde_json::json!({"question": "summary"});
        let content = serde_json::json!({
            "seq": seq, "event_id": format!("00000000-0000-0000-0000-{seq:012}"),
            "recorded_at": "2026-12-05T10:00:00.000000Z", "occurred_at": "2026-12-05T10:00:00.000000Z",
            "actor": actor, "role": "viewer", "kind": "view", "detail": detail,
        })
        .to_string();
        let hash = Sha256::new()
            .chain_update(&prev_hash)
            .chain_update(content.as_bytes())
            .finalize()
            .to_vec();
        AuditEntry {
            seq,
            event_id: format!("00000000-0000-0000-0000-{seq:012}"),
            recorded_at: "2026-12-05T10:00:00.000000Z".into(),
            occurred_at: "2026-12-05T10:00:00.000000Z".into(),
            actor: actor.into(),
            role: Some("viewer".into()),
            kind: "view".into(),
            detail,
            content,
            prev_hash,
            hash,
        }
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut rows = Vec::new();
        let mut previous = GENESIS.to_vec();
        for seq in 1..=n {
            let row = entry(seq, previous, "alice");
            previous = row.hash.clone();
            rows.push(row);
        }
        rows
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(chain(4), (0, GENESIS.to_vec())), Ok(4));
    }

    #[test]
    fn each_kind_of_edit_names_its_row() {
        let mut rows = chain(4);
        rows[2].actor = "mallory".into();
        assert_eq!(
            verify(rows, (0, GENESIS.to_vec())),
            Err(ChainBreak::Column {
                seq: 3,
                column: "actor"
            })
        );

        let mut rows = chain(4);
        rows[1].content = rows[1].content.replace("summary", "nothing");
        assert_eq!(
            verify(rows, (0, GENESIS.to_vec())),
            Err(ChainBreak::Hash(2))
        );

        let mut rows = chain(4);
        rows.remove(1);
        assert_eq!(
            verify(rows, (0, GENESIS.to_vec())),
            Err(ChainBreak::Gap {
                previous: 1,
                found: 3
            })
        );

        // A row rewritten with a hash of its own no longer links to the next.
        let mut rows = chain(4);
        rows[1] = entry(2, rows[0].hash.clone(), "mallory");
        assert_eq!(
            verify(rows, (0, GENESIS.to_vec())),
            Err(ChainBreak::Link(3))
        );
    }
}

/// What a person did, for the trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A question asked, with its filter.
    View,
    /// An export, with its format, rows and file name.
    Export,
}

impl EventKind {
    fn as_str(self) -> &'static str {
        match self {
            EventKind::View => "view",
            EventKind::Export => "export",
        }
    }
}

/// An event the client records: its id (a replay records once), when it happened, and what.
#[derive(Debug, Clone)]
pub struct Event {
    /// The client's id of it.
    pub event_id: uuid::Uuid,
    /// When it happened (it may be sent later, from the queue).
    pub occurred_at: time::OffsetDateTime,
    /// What kind.
    pub kind: EventKind,
    /// Its detail: a JSON object.
    pub detail: serde_json::Value,
}

impl Event {
    /// The event of an export of `request` to `file`, of `rows_or_pages` rows (CSV) or pages
    /// (PDF): the one form the CLI and the app both record.
    pub fn export(
        request: &outreach_model::ExportRequest,
        file: &std::path::Path,
        rows_or_pages: u64,
    ) -> Self {
        Event::now(
            EventKind::Export,
            serde_json::json!({
                "format": request.format,
                "view": request.view,
                "filter": request.filter,
                "file": file.display().to_string(),
                "rows_or_pages": rows_or_pages,
            }),
        )
    }

    /// A new event of `kind` now.
    pub fn now(kind: EventKind, detail: serde_json::Value) -> Self {
        Event {
            event_id: uuid::Uuid::new_v4(),
            occurred_at: time::OffsetDateTime::now_utc(),
            kind,
            detail,
        }
    }
}

/// Rows read per round trip while verifying.
const PAGE: i64 = 10_000;

impl crate::Dashboard {
    /// Records `event` under the person this dashboard is signed in as (the database takes the
    /// person from the verified session). The sequence number it got, or `None` on a store
    /// without a trail (the demo).
    pub async fn audit(&self, event: &Event) -> Result<Option<i64>, crate::DashboardError> {
        let crate::store::Store::Postgres(pool) = self.store() else {
            return Ok(None);
        };
        let failed = |source| crate::DashboardError::Query {
            context: "recording in the audit trail",
            source,
        };
        let mut conn = pool.acquire().await.map_err(failed)?;
        use sqlx::Executor as _;
        conn.execute("START TRANSACTION READ WRITE")
            .await
            .map_err(failed)?;
        let seq = sqlx::query_scalar::<_, i64>("SELECT audit.record($1, $2, $3, $4::jsonb)")
            .bind(event.event_id)
            .bind(event.occurred_at)
            .bind(event.kind.as_str())
            .bind(event.detail.to_string())
            .fetch_one(&mut *conn)
            .await;
        match seq {
            Ok(seq) => {
                conn.execute("COMMIT").await.map_err(failed)?;
                Ok(Some(seq))
            }
            Err(err) => {
                conn.execute("ROLLBACK").await.map_err(failed)?;
                Err(failed(err))
            }
        }
    }

    /// The trail from `from_seq` on, for an admin (the database refuses anyone else).
    pub async fn audit_entries(
        &self,
        from_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, crate::DashboardError> {
        self.entries_recorded_since(from_seq, limit, None).await
    }

    /// Every event recorded at or after `since`, oldest first, for an admin.
    pub async fn audit_since(
        &self,
        since: time::OffsetDateTime,
    ) -> Result<Vec<AuditEntry>, crate::DashboardError> {
        let mut entries = Vec::new();
        loop {
            let from = entries.last().map_or(1, |e: &AuditEntry| e.seq + 1);
            let page = self.entries_recorded_since(from, PAGE, Some(since)).await?;
            let done = (page.len() as i64) < PAGE;
            entries.extend(page);
            if done {
                return Ok(entries);
            }
        }
    }

    async fn entries_recorded_since(
        &self,
        from_seq: i64,
        limit: i64,
        since: Option<time::OffsetDateTime>,
    ) -> Result<Vec<AuditEntry>, crate::DashboardError> {
        let crate::store::Store::Postgres(pool) = self.store() else {
            return Ok(Vec::new());
        };
        let sql = r#"SELECT seq, event_id::text AS event_id,
                    to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recorded_at,
                    to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at,
                    actor, role, kind, detail::text AS detail, content, prev_hash, hash
             FROM audit.entries($1) WHERE $3::timestamptz IS NULL OR recorded_at >= $3
             ORDER BY seq LIMIT $2"#;
        let rows = sqlx::query(sql)
            .bind(from_seq)
            .bind(limit)
            .bind(since)
            .fetch_all(pool)
            .await
            .map_err(|source| crate::DashboardError::Query {
                context: "reading the audit trail",
                source,
            })?;
        use sqlx::Row as _;
        rows.iter()
            .map(|row| {
                let detail: String = row.try_get("detail")?;
                Ok(AuditEntry {
                    seq: row.try_get("seq")?,
                    event_id: row.try_get("event_id")?,
                    recorded_at: row.try_get("recorded_at")?,
                    occurred_at: row.try_get("occurred_at")?,
                    actor: row.try_get("actor")?,
                    role: row.try_get("role")?,
                    kind: row.try_get("kind")?,
                    detail: serde_json::from_str(&detail)
                        .map_err(|err| sqlx::Error::Decode(Box::new(err)))?,
                    content: row.try_get("content")?,
                    prev_hash: row.try_get("prev_hash")?,
                    hash: row.try_get("hash")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|source| crate::DashboardError::Query {
                context: "reading the audit trail",
                source,
            })
    }

    /// Checks the whole chain: the number of rows, or the first break.
    pub async fn verify_audit(&self) -> Result<Result<u64, ChainBreak>, crate::DashboardError> {
        let mut previous = (0, GENESIS.to_vec());
        let mut checked = 0;
        loop {
            let page = self.audit_entries(previous.0 + 1, PAGE).await?;
            let Some(last) = page.last() else {
                return Ok(Ok(checked));
            };
            let next = (last.seq, last.hash.clone());
            match verify(page, previous) {
                Ok(n) => checked += n,
                Err(broken) => return Ok(Err(broken)),
            }
            previous = next;
        }
    }
}
