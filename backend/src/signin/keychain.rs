//! The refresh token's one home: the OS keychain (macOS Keychain, Windows Credential Manager,
//! the Secret Service on Linux, through `keyring` with each store enabled explicitly). There
//! is no fallback: where no keychain answers, signing in fails with a message rather than
//! keeping the token in memory or in a file.
//!
//! The keychain's calls block (the Secret Service is a D-Bus round trip), so each runs on
//! tokio's blocking pool.

use secrecy::{ExposeSecret as _, SecretString};

use super::ProviderConfig;

/// The keychain's service name of every entry of the app.
pub const SERVICE: &str = "outreach-dashboard";

/// The keychain could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    /// No keychain answers (none on this system, or it is locked or not running).
    #[error(
        "the OS keychain is not available ({0}): sign-in keeps its refresh token only there; unlock the keychain (on Linux, a Secret Service such as GNOME Keyring or KWallet must be running) and try again"
    )]
    Unavailable(String),
    /// A keychain call failed.
    #[error("the OS keychain failed while {context} ({reason}): unlock the keychain and try again")]
    Failed {
        /// What was being done.
        context: &'static str,
        /// What the keychain said.
        reason: String,
    },
}

/// The entry of one provider and client: the refresh token of the person signed in to it.
#[derive(Debug, Clone)]
pub struct Keychain {
    account: String,
}

impl Keychain {
    /// The entry for `config`'s provider and client.
    pub fn for_provider(config: &ProviderConfig) -> Keychain {
        Keychain {
            account: format!("{}@{}", config.client_id, config.issuer),
        }
    }

    /// The entry's account name (the client id at the issuer), as the keychain shows it.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// Keeps `refresh_token`, replacing the one kept before.
    pub async fn save(&self, refresh_token: &SecretString) -> Result<(), KeychainError> {
        let token = refresh_token.clone();
        self.call("saving the sign-in", move |entry| {
            entry.set_password(token.expose_secret())
        })
        .await
    }

    /// The refresh token kept, if any.
    pub async fn load(&self) -> Result<Option<SecretString>, KeychainError> {
        match self
            .call("reading the sign-in", |entry| entry.get_password())
            .await
        {
            Ok(token) => Ok(Some(SecretString::from(token))),
            Err(KeychainError::Failed { reason, .. }) if reason == NO_ENTRY => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Removes the refresh token (nothing kept is not an error).
    pub async fn forget(&self) -> Result<(), KeychainError> {
        match self
            .call("removing the sign-in", |entry| entry.delete_credential())
            .await
        {
            Err(KeychainError::Failed { reason, .. }) if reason == NO_ENTRY => Ok(()),
            other => other,
        }
    }

    async fn call<T: Send + 'static>(
        &self,
        context: &'static str,
        work: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<T, KeychainError> {
        let account = self.account.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(err) = keyring::Entry::store_status() {
                return Err(KeychainError::Unavailable(err.to_string()));
            }
            let entry = keyring::Entry::new(SERVICE, &account)
                .map_err(|err| KeychainError::Unavailable(err.to_string()))?;
            work(&entry).map_err(|err| KeychainError::Failed {
                context,
                reason: match err {
                    keyring::Error::NoEntry => NO_ENTRY.to_owned(),
                    // A store's message never holds the secret; its bytes are not shown.
                    keyring::Error::BadEncoding(_) => "the kept value is not text".to_owned(),
                    other => other.to_string(),
                },
            })
        })
        .await
        .map_err(|err| KeychainError::Failed {
            context,
            reason: err.to_string(),
        })?
    }
}

/// The reason a missing entry is reported with, inside this module.
const NO_ENTRY: &str = "no entry";
