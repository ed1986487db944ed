//! The local queue of audit events (docs/security.md, "Audit trail"): every event a client
//! records is first written here, durably, and only then sent; an export's event is queued
//! before its file appears. An event leaves the queue once the database has recorded it, and
//! the database records an event id once, so a crash between the two, a second process sending
//! the same queue, or a replayed file records nothing twice: each event arrives exactly once.
//!
//! The queue is a folder of one JSON file per event, named by its id, written atomically
//! (temporary file, sync, rename, sync of the folder). Each signed-in person has a folder of
//! their own ([`queue_key`]), so that an event is only ever sent under the session of the
//! person who did it. The files hold what the trail holds (questions, filters, file names),
//! never a token or a member's data.

use std::path::{Path, PathBuf};

use super::{Event, EventKind};

/// Why the queue could not be written or read. Nothing the queue held is lost.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The queue's folder cannot be made or written.
    #[error(
        "cannot keep audit events in {}: {source}. The action was not done, because it could not be recorded; make the folder writable (or free some space) and try again",
        folder.display()
    )]
    Folder {
        /// The queue's folder.
        folder: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// An event could not be written whole.
    #[error(
        "cannot keep an audit event in {}: {source}. The action was not done, because it could not be recorded; free some space and try again",
        folder.display()
    )]
    Write {
        /// The queue's folder.
        folder: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
}

/// The name of the queue folder of the person `subject` signed in at `issuer` to the database
/// at `database` (its URL; a password in it is left out): a hash, so that any subject makes a
/// valid folder name, the folder does not name the person, and an event is only ever sent to
/// the database it was meant for.
pub fn queue_key(issuer: &str, subject: &str, database: &str) -> String {
    use sha2::{Digest as _, Sha256};
    let digest = Sha256::new()
        .chain_update(issuer.as_bytes())
        .chain_update([0])
        .chain_update(subject.as_bytes())
        .chain_update([0])
        .chain_update(crate::store::without_secrets(database).as_bytes())
        .finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// One queued event as its file holds it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Queued {
    event_id: uuid::Uuid,
    #[serde(with = "time::serde::rfc3339")]
    occurred_at: time::OffsetDateTime,
    kind: EventKind,
    detail: serde_json::Value,
}

/// A folder of events waiting to be recorded.
#[derive(Debug, Clone)]
pub struct AuditQueue {
    dir: PathBuf,
}

/// What [`AuditQueue::pending`] found: the events in the order they happened, and the files it
/// could not read (set aside as `*.unreadable`, never deleted, and named so someone can look).
#[derive(Debug, Default)]
pub struct Pending {
    /// The events, oldest first.
    pub events: Vec<Event>,
    /// Files that are not a queued event.
    pub unreadable: Vec<PathBuf>,
}

impl AuditQueue {
    /// The queue in `dir`, made (readable by this OS account only) if it does not exist.
    pub fn open(dir: &Path) -> Result<AuditQueue, QueueError> {
        let failed = |source| QueueError::Folder {
            folder: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(failed)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(failed)?;
        }
        Ok(AuditQueue {
            dir: dir.to_path_buf(),
        })
    }

    /// Its folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file(&self, event_id: uuid::Uuid) -> PathBuf {
        self.dir.join(format!("{event_id}.json"))
    }

    /// Writes `event` to the queue: when this returns, the event survives a crash or a power
    /// cut. Writing the same event again changes nothing.
    pub fn push(&self, event: &Event) -> Result<(), QueueError> {
        let queued = Queued {
            event_id: event.event_id,
            occurred_at: event.occurred_at,
            kind: event.kind,
            detail: event.detail.clone(),
        };
        let failed = |source| QueueError::Write {
            folder: self.dir.clone(),
            source,
        };
        let bytes = serde_json::to_vec(&queued).map_err(|err| failed(err.into()))?;
        crate::atomic::write_atomically(&self.file(event.event_id), |out| {
            std::io::Write::write_all(out, &bytes)
        })
        .map_err(|err| failed(std::io::Error::other(err.to_string())))?;
        // The rename is durable once the folder is synced (on Windows the rename itself is).
        #[cfg(unix)]
        std::fs::File::open(&self.dir)
            .and_then(|folder| folder.sync_all())
            .map_err(failed)?;
        Ok(())
    }

    /// The events waiting, oldest first.
    pub fn pending(&self) -> Result<Pending, QueueError> {
        let failed = |source| QueueError::Folder {
            folder: self.dir.clone(),
            source,
        };
        let mut pending = Pending::default();
        for entry in std::fs::read_dir(&self.dir).map_err(failed)? {
            let path = entry.map_err(failed)?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let bytes = match std::fs::read(&path) {
                Ok(bytes) => bytes,
                // Another process sent it and removed it meanwhile.
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => return Err(failed(source)),
            };
            match serde_json::from_slice::<Queued>(&bytes).ok() {
                Some(queued) => pending.events.push(Event {
                    event_id: queued.event_id,
                    occurred_at: queued.occurred_at,
                    kind: queued.kind,
                    detail: queued.detail,
                }),
                None => {
                    let aside = path.with_extension("unreadable");
                    match std::fs::rename(&path, &aside) {
                        Ok(()) => pending.unreadable.push(aside),
                        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                        Err(source) => return Err(failed(source)),
                    }
                }
            }
        }
        pending
            .events
            .sort_by_key(|event| (event.occurred_at, event.event_id));
        Ok(pending)
    }

    /// Moves the event `event_id` aside as `<id>.rejected` (the database refuses it): where it
    /// now is.
    pub fn set_aside(&self, event_id: uuid::Uuid) -> Result<PathBuf, QueueError> {
        let aside = self.dir.join(format!("{event_id}.rejected"));
        std::fs::rename(self.file(event_id), &aside).map_err(|source| QueueError::Folder {
            folder: self.dir.clone(),
            source,
        })?;
        Ok(aside)
    }

    /// Removes the event `event_id`, which the database has recorded.
    pub fn remove(&self, event_id: uuid::Uuid) -> Result<(), QueueError> {
        match std::fs::remove_file(self.file(event_id)) {
            Ok(()) => Ok(()),
            // Another process sent it first.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(QueueError::Folder {
                folder: self.dir.clone(),
                source,
            }),
        }
    }
}

/// What happened to an event given to [`crate::Dashboard::record_event`]. `set_aside` names
/// queued files that are not an event or that the database refuses: someone must look at them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The database recorded it (and every event queued before it).
    Recorded {
        /// Files set aside.
        set_aside: Vec<PathBuf>,
    },
    /// It waits in the queue, with `waiting` events in all, because the database could not
    /// record them now (`reason`); they are sent the next time an event is recorded.
    Queued {
        /// Events in the queue.
        waiting: usize,
        /// Why they could not be sent.
        reason: String,
        /// Files set aside.
        set_aside: Vec<PathBuf>,
    },
}

impl Delivery {
    /// Whether everything was recorded.
    pub fn recorded(&self) -> bool {
        matches!(self, Delivery::Recorded { .. })
    }

    /// Files set aside.
    pub fn set_aside(&self) -> &[PathBuf] {
        match self {
            Delivery::Recorded { set_aside } | Delivery::Queued { set_aside, .. } => set_aside,
        }
    }
}

impl crate::Dashboard {
    /// Records `event`: written to `queue` first (if that fails, the caller must not do the
    /// action), then everything in the queue is sent, oldest first.
    pub async fn record_event(
        &self,
        queue: &AuditQueue,
        event: &Event,
    ) -> Result<Delivery, QueueError> {
        queue.push(event)?;
        self.send_queued(queue).await
    }

    /// Sends what waits in `queue`, oldest first, removing each event once the database has
    /// recorded it; stops at the first the database cannot take now. An event the database
    /// refuses as invalid data (SQLSTATE class 22) would block every later one: it is set aside
    /// as `*.rejected` and named, never deleted.
    pub async fn send_queued(&self, queue: &AuditQueue) -> Result<Delivery, QueueError> {
        let pending = queue.pending()?;
        let mut set_aside = pending.unreadable;
        let total = pending.events.len();
        for (sent, event) in pending.events.iter().enumerate() {
            match self.audit(event).await {
                Ok(Some(_)) => queue.remove(event.event_id)?,
                Ok(None) => {
                    return Ok(Delivery::Queued {
                        waiting: total - sent,
                        reason: "this database keeps no audit trail".into(),
                        set_aside,
                    });
                }
                Err(crate::DashboardError::Query {
                    source: sqlx::Error::Database(db),
                    ..
                }) if db.code().is_some_and(|code| code.starts_with("22")) => {
                    set_aside.push(queue.set_aside(event.event_id)?);
                }
                Err(err) => {
                    return Ok(Delivery::Queued {
                        waiting: total - sent,
                        reason: err.to_string(),
                        set_aside,
                    });
                }
            }
        }
        Ok(Delivery::Recorded { set_aside })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(detail: &str) -> Event {
        Event::now(EventKind::View, serde_json::json!({ "question": detail }))
    }

    #[test]
    fn events_survive_in_order_and_leave_once_recorded() {
        let dir = tempfile::tempdir().expect("a folder");
        let queue = AuditQueue::open(&dir.path().join("q")).expect("a queue");
        let first = event("summary");
        let mut second = event("segments");
        second.occurred_at = first.occurred_at + time::Duration::seconds(1);
        queue.push(&second).expect("queued");
        queue.push(&first).expect("queued");
        queue.push(&first).expect("the same event again");

        // Another process (or the next run) reads the same queue.
        let again = AuditQueue::open(&dir.path().join("q")).expect("the same queue");
        let pending = again.pending().expect("pending");
        let ids: Vec<_> = pending.events.iter().map(|e| e.event_id).collect();
        assert_eq!(ids, vec![first.event_id, second.event_id]);
        assert_eq!(pending.events[1].detail, second.detail);
        assert_eq!(pending.events[0].occurred_at, first.occurred_at);
        assert!(pending.unreadable.is_empty());

        again.remove(first.event_id).expect("removed");
        again.remove(first.event_id).expect("already gone is fine");
        let ids: Vec<_> = again
            .pending()
            .expect("pending")
            .events
            .iter()
            .map(|e| e.event_id)
            .collect();
        assert_eq!(ids, vec![second.event_id]);
    }

    #[test]
    fn a_damaged_file_is_set_aside_not_deleted() {
        let dir = tempfile::tempdir().expect("a folder");
        let queue = AuditQueue::open(dir.path()).expect("a queue");
        queue.push(&event("summary")).expect("queued");
        std::fs::write(dir.path().join("broken.json"), b"{ half").expect("write");
        let pending = queue.pending().expect("pending");
        assert_eq!(pending.events.len(), 1);
        assert_eq!(
            pending.unreadable,
            vec![dir.path().join("broken.unreadable")]
        );
        assert!(dir.path().join("broken.unreadable").is_file());
    }

    #[test]
    fn a_queue_that_cannot_be_written_says_so() {
        let dir = tempfile::tempdir().expect("a folder");
        let file = dir.path().join("a-file");
        std::fs::write(&file, b"").expect("write");
        let err = AuditQueue::open(&file.join("q")).expect_err("not a folder");
        assert!(err.to_string().contains("was not done"), "{err}");
    }

    #[test]
    fn a_queue_key_names_no_one_and_differs_by_person_and_issuer() {
        let db = "postgres://app:pw@db.example.org/dash";
        let a = queue_key("https://idp.example.org", "dana@example.org", db);
        assert_eq!(a.len(), 32);
        assert!(!a.contains("dana"));
        assert_ne!(
            a,
            queue_key("https://idp.example.org", "ada@example.org", db)
        );
        assert_ne!(
            a,
            queue_key("https://other.example.org", "dana@example.org", db)
        );
        assert_ne!(
            a,
            queue_key(
                "https://idp.example.org",
                "dana@example.org",
                "postgres://app@db2/dash"
            )
        );
        assert_eq!(
            a,
            queue_key("https://idp.example.org", "dana@example.org", db)
        );
    }
}
