//! Keeping a long-running app signed in (docs/security.md, "Signing in"): the ID token a
//! dashboard's connections hand the database lives minutes, so one task refreshes it before it
//! expires (one refresh at a time, by construction), saves a rotated refresh token before the
//! new ID token is used, and renews the dashboard's [`SignIn`]. When the provider refuses the
//! refresh token, or cannot be reached until the token has expired, the session ends and says
//! why: the app asks the person to sign in again.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use time::OffsetDateTime;

use super::{Provider, ServiceCredentials, SignInError, Tokens};
use crate::access::SignIn;

/// Where the refresh token is kept between refreshes: the OS keychain
/// ([`super::keychain::Keychain`]).
pub trait RefreshTokenStore: Send + Sync + 'static {
    /// Keeps `token` in place of the one before.
    fn save<'a>(
        &'a self,
        token: &'a SecretString,
    ) -> Pin<Box<dyn Future<Output = Result<(), SignInError>> + Send + 'a>>;
}

impl RefreshTokenStore for super::keychain::Keychain {
    fn save<'a>(
        &'a self,
        token: &'a SecretString,
    ) -> Pin<Box<dyn Future<Output = Result<(), SignInError>> + Send + 'a>> {
        Box::pin(async move { Ok(super::keychain::Keychain::save(self, token).await?) })
    }
}

/// Where a kept session stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Signed in, the current ID token good until `expires_at`.
    Active {
        /// The person.
        subject: String,
        /// When the current ID token expires.
        expires_at: OffsetDateTime,
        /// Refreshes done so far.
        refreshes: u32,
    },
    /// No longer signed in; the message says why and what to do.
    Ended(String),
}

/// A session kept fresh in the background; dropping it stops the refreshes.
#[derive(Debug)]
pub struct KeptSession {
    sign_in: SignIn,
    state: tokio::sync::watch::Receiver<SessionState>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for KeptSession {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How long before expiry a token is refreshed: a quarter of its life, at least 5 seconds and
/// at most 5 minutes.
fn margin(lifetime: Duration) -> Duration {
    (lifetime / 4).clamp(Duration::from_secs(5), Duration::from_secs(300))
}

/// The time left until `at` (zero if past).
fn until(at: OffsetDateTime) -> Duration {
    (at - OffsetDateTime::now_utc())
        .try_into()
        .unwrap_or(Duration::ZERO)
}

/// How a session gets its next token.
enum Renewal {
    /// A person's: the refresh token, rotated ones kept in the store.
    RefreshToken(Arc<dyn RefreshTokenStore>),
    /// A service's: its client credentials again.
    ClientCredentials(ServiceCredentials),
}

impl KeptSession {
    /// Keeps the sign-in of `tokens` (just issued by `provider`) fresh, saving rotated refresh
    /// tokens in `store`. Call from within a Tokio runtime.
    pub fn start(
        provider: Provider,
        store: Arc<dyn RefreshTokenStore>,
        tokens: Tokens,
    ) -> KeptSession {
        KeptSession::keep(provider, Renewal::RefreshToken(store), tokens)
    }

    /// Keeps a service identity's token (from [`Provider::client_credentials`]) fresh by
    /// asking for another with its credentials.
    pub fn start_service(
        provider: Provider,
        service: ServiceCredentials,
        tokens: Tokens,
    ) -> KeptSession {
        KeptSession::keep(provider, Renewal::ClientCredentials(service), tokens)
    }

    fn keep(mut provider: Provider, renewal: Renewal, tokens: Tokens) -> KeptSession {
        let sign_in = SignIn::new(tokens.id_token.clone());
        let (sender, state) = tokio::sync::watch::channel(SessionState::Active {
            subject: tokens.subject.clone(),
            expires_at: tokens.expires_at,
            refreshes: 0,
        });
        let renewed = sign_in.clone();
        let task = tokio::spawn(async move {
            let mut current = tokens;
            let mut refreshes = 0;
            loop {
                let lifetime = until(current.expires_at);
                // At least a second between refreshes, whatever the token says.
                tokio::time::sleep(
                    lifetime
                        .saturating_sub(margin(lifetime))
                        .max(Duration::from_secs(1)),
                )
                .await;
                let refresh_token = current.refresh_token.clone();
                if matches!(renewal, Renewal::RefreshToken(_)) && refresh_token.is_none() {
                    let _ = sender.send(SessionState::Ended(
                        "the identity provider issued no refresh token, so the sign-in ends with its ID token: sign in again (and ask for the offline_access scope)".into(),
                    ));
                    return;
                }
                let fresh = loop {
                    let asked = match (&renewal, &refresh_token) {
                        (Renewal::ClientCredentials(service), _) => {
                            provider.client_credentials(service).await
                        }
                        (Renewal::RefreshToken(_), Some(token)) => provider.refresh(token).await,
                        (Renewal::RefreshToken(_), None) => return,
                    };
                    match asked {
                        Ok(fresh) => break fresh,
                        Err(err @ SignInError::Refused { .. })
                        | Err(err @ SignInError::InvalidIdToken(_)) => {
                            let _ = sender.send(SessionState::Ended(err.to_string()));
                            return;
                        }
                        Err(err) => {
                            // The provider is unreachable for now: try again while the token
                            // lasts, then end.
                            let left = until(current.expires_at);
                            if left.is_zero() {
                                let _ = sender.send(SessionState::Ended(format!(
                                    "the sign-in expired while the identity provider could not be reached ({err}): sign in again"
                                )));
                                return;
                            }
                            tokio::time::sleep(
                                (left / 4)
                                    .clamp(Duration::from_millis(500), Duration::from_secs(30)),
                            )
                            .await;
                        }
                    }
                };
                if fresh.subject != current.subject {
                    let _ = sender.send(SessionState::Ended(format!(
                        "the identity provider answered the refresh for {} with a token for someone else: sign in again",
                        current.subject
                    )));
                    return;
                }
                if fresh.expires_at <= current.expires_at {
                    // A provider that caps tokens at the end of its own session: refreshing
                    // again would not extend it.
                    let _ = sender.send(SessionState::Ended(
                        "the identity provider no longer extends this sign-in (its session has ended): sign in again".into(),
                    ));
                    return;
                }
                // The rotated refresh token is kept before the new ID token is used: a crash
                // in between leaves a refresh token that still works.
                if let (Renewal::RefreshToken(store), Some(rotated)) =
                    (&renewal, &fresh.refresh_token)
                    && let Err(err) = store.save(rotated).await
                {
                    let _ = sender.send(SessionState::Ended(err.to_string()));
                    return;
                }
                renewed.renew(fresh.id_token.clone());
                refreshes += 1;
                let _ = sender.send(SessionState::Active {
                    subject: fresh.subject.clone(),
                    expires_at: fresh.expires_at,
                    refreshes,
                });
                current = fresh;
            }
        });
        KeptSession {
            sign_in,
            state,
            task,
        }
    }

    /// The sign-in to connect a dashboard with ([`crate::Dashboard::connect_signed_in`]).
    pub fn sign_in(&self) -> SignIn {
        self.sign_in.clone()
    }

    /// Where the session stands now.
    pub fn state(&self) -> SessionState {
        self.state.borrow().clone()
    }

    /// A receiver that sees each change (for the app's screen).
    pub fn watch(&self) -> tokio::sync::watch::Receiver<SessionState> {
        self.state.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_refreshed_a_quarter_of_their_life_ahead_within_bounds() {
        assert_eq!(margin(Duration::from_secs(3600)), Duration::from_secs(300));
        assert_eq!(margin(Duration::from_secs(300)), Duration::from_secs(75));
        assert_eq!(margin(Duration::from_secs(8)), Duration::from_secs(5));
    }
}
