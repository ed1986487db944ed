//! Signing a database connection in (docs/security.md). The dashboard database decides what a
//! connection sees from an ID token it verifies itself (`auth.sign_in`); this module hands it
//! the token on every new connection of the pool and reads back who the database says is
//! signed in. Nothing here decides what anyone may see: a modified client gains nothing.
//!
//! The token never leaves this module except as a bind of `auth.sign_in`: no `Debug`, no
//! message and no log shows it.

use secrecy::{ExposeSecret, SecretString};
use sqlx::{Executor, PgConnection, Row};

use outreach_model::{Grant, Identity, Role};

/// An OpenID Connect ID token (a signed JWT), kept out of every `Debug` and message.
#[derive(Clone)]
pub struct IdToken(SecretString);

impl IdToken {
    /// The token as the identity provider issued it.
    pub fn new(token: impl Into<String>) -> Self {
        IdToken(SecretString::from(token.into()))
    }
}

impl std::fmt::Debug for IdToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdToken(…)")
    }
}

/// One sign-in: the token every connection of the pool hands the database, and the id of the
/// sign-in's audit event, the same on each connection so that it is recorded once. A
/// long-running app renews it ([`SignIn::renew`], from `signin::session`) before the token
/// expires: connections opened before that are replaced, and new ones hand over the new token.
#[derive(Debug, Clone)]
pub struct SignIn {
    current: std::sync::Arc<std::sync::RwLock<Current>>,
}

#[derive(Debug)]
struct Current {
    token: IdToken,
    event_id: uuid::Uuid,
    since: std::time::Instant,
    generation: u64,
}

impl SignIn {
    /// A new sign-in with `token`.
    pub fn new(token: IdToken) -> Self {
        SignIn {
            current: std::sync::Arc::new(std::sync::RwLock::new(Current {
                token,
                event_id: uuid::Uuid::new_v4(),
                since: std::time::Instant::now(),
                generation: 0,
            })),
        }
    }

    /// Replaces the token with a fresher one of the same person (a new sign-in event).
    pub fn renew(&self, token: IdToken) {
        let mut current = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *current = Current {
            token,
            event_id: uuid::Uuid::new_v4(),
            since: std::time::Instant::now(),
            generation: current.generation + 1,
        };
    }

    /// The token, event id and generation to hand a connection now.
    fn now(&self) -> (IdToken, uuid::Uuid, u64) {
        let current = self
            .current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (current.token.clone(), current.event_id, current.generation)
    }

    fn generation(&self) -> u64 {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .generation
    }

    /// Whether a connection opened `age` ago was signed in with an older token than the
    /// current one (and so must be replaced before it is used).
    pub(crate) fn is_older(&self, age: std::time::Duration) -> bool {
        let since = self
            .current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .since;
        std::time::Instant::now()
            .checked_sub(age)
            .is_some_and(|opened| opened < since)
    }
}

/// Why a connection's sign-in failed: the database's reason, without the token.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Refused(pub String);

/// Signs `conn` in. The call writes (the session and its audit event), so it runs in a
/// read-write transaction of its own on a connection that reads only by default; a refusal
/// is committed too, so that the audit trail keeps it, and then returned as [`Refused`].
pub(crate) async fn sign_in(conn: &mut PgConnection, sign_in: &SignIn) -> Result<(), sqlx::Error> {
    // A renewal while this connection signs in would leave it on the old token yet look
    // newer than the renewal to the pool: sign in again with the new one (a renewal is minutes
    // apart from the next, so this loops at most twice).
    loop {
        let generation = sign_in_once(conn, sign_in).await?;
        if sign_in.generation() == generation {
            return Ok(());
        }
    }
}

/// One sign-in of `conn` with the current token: the generation it used.
async fn sign_in_once(conn: &mut PgConnection, sign_in: &SignIn) -> Result<u64, sqlx::Error> {
    let (token, event_id, generation) = sign_in.now();
    conn.execute("START TRANSACTION READ WRITE").await?;
    let refusal = sqlx::query("SELECT refusal FROM auth.sign_in($1, $2)")
        .bind(token.0.expose_secret())
        .bind(event_id)
        .fetch_one(&mut *conn)
        .await
        .and_then(|row| row.try_get::<Option<String>, _>("refusal"));
    match refusal {
        Ok(refusal) => {
            conn.execute("COMMIT").await?;
            match refusal {
                None => Ok(generation),
                Some(reason) => Err(sqlx::Error::Configuration(Box::new(Refused(reason)))),
            }
        }
        Err(err) => {
            conn.execute("ROLLBACK").await?;
            Err(err)
        }
    }
}

/// The reason of a refused sign-in inside a connection error, if that is what it is.
pub(crate) fn refusal(err: &sqlx::Error) -> Option<String> {
    match err {
        sqlx::Error::Configuration(source) => source.downcast_ref::<Refused>().map(|r| r.0.clone()),
        _ => None,
    }
}

/// Who the database says this connection is (none: it sees nothing).
pub(crate) async fn identity(
    conn: impl Executor<'_, Database = sqlx::Postgres>,
) -> Result<Option<Identity>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT everything, role, subject, grants::text AS grants FROM auth.current_scope()",
    )
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let role: String = row.try_get("role")?;
    let grants: String = row.try_get("grants")?;
    Ok(Some(Identity {
        subject: row.try_get("subject")?,
        role: role
            .parse::<Role>()
            .map_err(|err| sqlx::Error::Decode(Box::new(err)))?,
        everything: row.try_get("everything")?,
        grants: serde_json::from_str::<Vec<Grant>>(&grants)
            .map_err(|err| sqlx::Error::Decode(Box::new(err)))?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_never_shows_in_debug() {
        let sign_in = SignIn::new(IdToken::new("eyJhbGciOiJSUzI1NiJ9.secret-payload.sig"));
        let shown = format!("{sign_in:?}");
        assert!(!shown.contains("secret-payload"), "{shown}");
        assert!(shown.contains("IdToken(…)"), "{shown}");
    }

    #[test]
    fn a_refusal_is_found_inside_a_connection_error() {
        let err = sqlx::Error::Configuration(Box::new(Refused("the token has expired".into())));
        assert_eq!(refusal(&err).as_deref(), Some("the token has expired"));
        assert_eq!(refusal(&sqlx::Error::PoolTimedOut), None);
    }
}
