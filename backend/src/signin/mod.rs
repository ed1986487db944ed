//! Signing a person in with the company's identity provider, as a native app (OpenID Connect,
//! RFC 8252; docs/security.md): the authorization code flow with PKCE S256 in the system
//! browser, redirected to a one-shot loopback listener ([`callback`]), `state` compared in
//! constant time, RFC 9207's `iss` checked when the provider advertises it, and the ID token
//! verified here too (signature, issuer, audience, nonce, expiry) with what `openidconnect`
//! leaves out: `azp`, `iat` skew, and one re-discovery of the provider's keys when a token is
//! signed with a key id they do not hold (a rotation).
//!
//! This check is the app's own, for a clear message early; what counts is the database's,
//! which verifies the same token again before it shows anything (`access`). Tokens live in
//! memory ([`Tokens`]), the refresh token only in the OS keychain ([`keychain`]); none reaches
//! a `Debug`, a message or a log.

mod callback;
pub mod keychain;
pub mod session;

use std::time::Duration;

use chrono::Utc;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClaimName, CoreClaimType,
    CoreClient, CoreClientAuthMethod, CoreGrantType, CoreIdToken, CoreIdTokenClaims,
    CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm,
    CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType, CoreTokenResponse,
};
use openidconnect::{
    AdditionalProviderMetadata, AuthorizationCode, ClaimsVerificationError, ClientId, CsrfToken,
    IssuerUrl, Nonce, OAuth2TokenResponse as _, PkceCodeChallenge, ProviderMetadata, RedirectUrl,
    RefreshToken, RequestTokenError, Scope, SignatureVerificationError, TokenResponse as _,
};
use secrecy::{ExposeSecret as _, SecretString};
use subtle::ConstantTimeEq as _;
use time::OffsetDateTime;

use crate::access::IdToken;

/// How far the provider's clock may be ahead of or behind ours.
const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::seconds(60);
/// How old an ID token may be when it arrives.
const MAX_TOKEN_AGE: chrono::TimeDelta = chrono::TimeDelta::minutes(10);
/// Each request to the provider.
const HTTP_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a browser sign-in may take unless told otherwise.
pub const DEFAULT_SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);

/// The identity provider and this app's registration with it (`[sign_in]` in config.toml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderConfig {
    /// The issuer URL, exactly as the provider's discovery document says it.
    pub issuer: String,
    /// This app's client id: a native (public) client, PKCE required, with a loopback
    /// redirect `http://127.0.0.1/callback` on any port.
    pub client_id: String,
    /// Scopes beside `openid`: the one that brings the groups claim, if the provider needs one,
    /// and `offline_access` for a refresh token.
    pub scopes: Vec<String>,
    /// A `prompt` to send (`consent` for providers that grant `offline_access` only with it).
    pub prompt: Option<String>,
}

/// The scopes asked for when the configuration names none.
pub const DEFAULT_SCOPES: [&str; 2] = ["groups", "offline_access"];

/// A signed-in person's tokens. The ID token is what the database verifies; the refresh token
/// belongs in the keychain and nowhere else.
#[derive(Clone)]
pub struct Tokens {
    /// The ID token.
    pub id_token: IdToken,
    /// Its `sub`.
    pub subject: String,
    /// Its `exp`.
    pub expires_at: OffsetDateTime,
    /// The refresh token, when the provider issued one (a rotation issues a new one).
    pub refresh_token: Option<SecretString>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("subject", &self.subject)
            .field("expires_at", &self.expires_at)
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

/// Why a sign-in did not finish: what happened and what to do, never a token.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The configuration cannot be used.
    #[error(
        "the sign-in configuration is not valid ({0}): set [sign_in] issuer and client_id in the config file (docs/security.md)"
    )]
    BadConfig(String),
    /// The provider's discovery document or keys could not be read.
    #[error(
        "cannot reach the identity provider at {issuer} ({reason}): check the issuer URL in the configuration and your network, then try again"
    )]
    Discovery {
        /// The configured issuer.
        issuer: String,
        /// What went wrong.
        reason: String,
    },
    /// The loopback listener could not be opened.
    #[error(
        "cannot listen on 127.0.0.1 for the sign-in's answer ({0}): check that local connections are allowed, then try again"
    )]
    Listener(std::io::Error),
    /// No browser could be opened.
    #[error("cannot open a browser ({0}): open the sign-in address shown yourself")]
    Browser(String),
    /// The person did not finish in time (or closed the tab).
    #[error(
        "the sign-in did not finish within {0} s: sign in again and finish in the browser window that opens"
    )]
    TimedOut(u64),
    /// The provider answered with an error (`error=` on the callback or at the token endpoint).
    #[error("the identity provider did not sign you in ({code}{}): {advice}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default(), advice = advice(code))]
    Refused {
        /// The OAuth error code (`access_denied`, `invalid_grant`, …).
        code: String,
        /// The provider's description, if any.
        description: Option<String>,
    },
    /// The callback's `state` is not this sign-in's.
    #[error(
        "the sign-in's answer belongs to another sign-in (its state differs): it was ignored; sign in again"
    )]
    StateMismatch,
    /// The callback's `iss` is not the configured provider.
    #[error(
        "the sign-in's answer names another identity provider (iss): it was ignored; sign in again, and check the issuer URL in the configuration"
    )]
    IssuerMismatch,
    /// The callback had no code.
    #[error("the sign-in's answer holds no authorization code: sign in again")]
    NoCode,
    /// The token endpoint could not be reached or answered nonsense.
    #[error("the identity provider did not complete the sign-in ({0}): try again")]
    TokenRequest(String),
    /// The ID token is not valid.
    #[error(
        "the identity provider's ID token is not valid ({0}): sign in again; if this persists, ask an administrator to check the provider's settings"
    )]
    InvalidIdToken(String),
    /// No sign-in is kept.
    #[error("not signed in: run `outreach login` (or sign in in the app)")]
    NotSignedIn,
    /// The keychain cannot be used.
    #[error(transparent)]
    Keychain(#[from] keychain::KeychainError),
}

fn advice(code: &str) -> &'static str {
    match code {
        "access_denied" => {
            "you declined, or you may not use this app: ask your administrator for access, or sign in again"
        }
        "invalid_grant" => "your sign-in has expired or was revoked: sign in again",
        "login_required" | "consent_required" | "interaction_required" => "sign in again",
        _ => {
            "sign in again; if this persists, ask an administrator to check the app's registration"
        }
    }
}

/// RFC 9207's discovery field, which `openidconnect`'s core metadata leaves out.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct IssParameter {
    #[serde(default)]
    authorization_response_iss_parameter_supported: bool,
}
impl AdditionalProviderMetadata for IssParameter {}

type Metadata = ProviderMetadata<
    IssParameter,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// An identity provider, discovered.
#[derive(Debug)]
pub struct Provider {
    config: ProviderConfig,
    http: openidconnect::reqwest::Client,
    metadata: Metadata,
}

impl Provider {
    /// Reads the provider's discovery document and keys.
    pub async fn discover(config: ProviderConfig) -> Result<Provider, SignInError> {
        // No redirects: a provider's endpoints answer directly, and following one would let a
        // redirect aim this client elsewhere (openidconnect's advice).
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .build()
            .map_err(|err| SignInError::BadConfig(err.to_string()))?;
        let metadata = discover(&config, &http).await?;
        Ok(Provider {
            config,
            http,
            metadata,
        })
    }

    /// The configuration it was discovered with.
    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    /// Signs a person in through the browser: `open` is handed the address to open (the
    /// system browser, or `BROWSER`), and the sign-in must finish within `timeout`.
    pub async fn sign_in_with_browser(
        &mut self,
        open: impl FnOnce(&str) -> Result<(), String>,
        timeout: Duration,
    ) -> Result<Tokens, SignInError> {
        let listener = callback::Listener::bind()
            .await
            .map_err(SignInError::Listener)?;
        let redirect = RedirectUrl::new(listener.redirect_uri())
            .map_err(|err| SignInError::BadConfig(err.to_string()))?;
        let client = self.client()?.set_redirect_uri(redirect.clone());
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &self.config.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        if let Some(prompt) = &self.config.prompt {
            request = request.add_prompt(CoreAuthPrompt::Extension(prompt.clone()));
        }
        let (url, state, nonce) = request.url();

        let waiting = tokio::spawn(listener.wait(timeout));
        if let Err(reason) = open(url.as_str()) {
            waiting.abort();
            return Err(SignInError::Browser(reason));
        }
        let Some(answer) = waiting.await.ok().flatten() else {
            return Err(SignInError::TimedOut(timeout.as_secs()));
        };
        let outcome = self
            .finish(&answer.params, &state, &nonce, verifier, redirect)
            .await;
        match &outcome {
            Ok(_) => answer
                .finish(
                    "Signed in to Outreach Dashboard",
                    "You are signed in. You can close this tab and go back to Outreach Dashboard.",
                )
                .await,
            Err(err) => {
                answer
                    .finish(
                        "Sign-in did not finish",
                        &format!("{err}. Go back to Outreach Dashboard to try again."),
                    )
                    .await
            }
        }
        outcome
    }

    /// Checks the callback and exchanges its code.
    async fn finish(
        &mut self,
        params: &std::collections::HashMap<String, String>,
        state: &CsrfToken,
        nonce: &Nonce,
        verifier: openidconnect::PkceCodeVerifier,
        redirect: RedirectUrl,
    ) -> Result<Tokens, SignInError> {
        let given_state = params.get("state").map(String::as_str).unwrap_or_default();
        if !bool::from(given_state.as_bytes().ct_eq(state.secret().as_bytes())) {
            return Err(SignInError::StateMismatch);
        }
        // RFC 9207: an answer that names another issuer (a mix-up attack) is refused; one that
        // names none is refused when the provider promises to name itself.
        match params.get("iss") {
            Some(iss) if iss != self.metadata.issuer().as_str() => {
                return Err(SignInError::IssuerMismatch);
            }
            None if self
                .metadata
                .additional_metadata()
                .authorization_response_iss_parameter_supported =>
            {
                return Err(SignInError::IssuerMismatch);
            }
            _ => {}
        }
        if let Some(code) = params.get("error") {
            return Err(SignInError::Refused {
                code: code.clone(),
                description: params.get("error_description").cloned(),
            });
        }
        let code = params.get("code").ok_or(SignInError::NoCode)?;
        let client = self.client()?.set_redirect_uri(redirect);
        let response = client
            .exchange_code(AuthorizationCode::new(code.clone()))
            .set_pkce_verifier(verifier)
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        self.tokens(&response, Some(nonce)).await
    }

    /// New tokens for a refresh token (the provider may rotate it: keep the new one).
    pub async fn refresh(&mut self, refresh_token: &SecretString) -> Result<Tokens, SignInError> {
        let client = self.client()?;
        let response = client
            .exchange_refresh_token(&RefreshToken::new(refresh_token.expose_secret().to_owned()))
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        let mut tokens = self.tokens(&response, None).await?;
        if tokens.refresh_token.is_none() {
            // Not rotated: the one we have stays valid.
            tokens.refresh_token = Some(refresh_token.clone());
        }
        Ok(tokens)
    }

    /// A service identity's token (OAuth client credentials, for scheduled reports): an
    /// access token the database verifies as it does a person's ID token (RS256, this issuer,
    /// an audience the database trusts, the groups or roles claim the identity provider gives
    /// the service). `resource` asks for a resource (RFC 8707) where the provider needs it.
    pub async fn client_credentials(
        &self,
        service: &ServiceCredentials,
    ) -> Result<Tokens, SignInError> {
        let token_url = self.client()?.token_uri().clone();
        let client = CoreClient::from_provider_metadata(
            self.metadata.clone(),
            ClientId::new(service.client_id.clone()),
            Some(openidconnect::ClientSecret::new(
                service.client_secret.expose_secret().to_owned(),
            )),
        )
        .set_token_uri(token_url);
        let mut request = client.exchange_client_credentials();
        for scope in &service.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        if let Some(resource) = &service.resource {
            request = request.add_extra_param("resource", resource.clone());
        }
        let response = request
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        let token = response.access_token().secret().to_owned();
        // A day at most, whatever the provider says (and no overflow on a huge one).
        let lifetime = response
            .expires_in()
            .unwrap_or(std::time::Duration::from_secs(300))
            .min(std::time::Duration::from_secs(86_400));
        Ok(Tokens {
            subject: service.client_id.clone(),
            id_token: IdToken::new(token),
            expires_at: OffsetDateTime::now_utc() + lifetime,
            refresh_token: None,
        })
    }

    /// The tokens of a token response, its ID token verified.
    async fn tokens(
        &mut self,
        response: &CoreTokenResponse,
        nonce: Option<&Nonce>,
    ) -> Result<Tokens, SignInError> {
        let id_token = response.id_token().ok_or_else(|| {
            SignInError::InvalidIdToken(
                "the provider sent none; is the openid scope granted?".into(),
            )
        })?;
        let claims = self.verify(id_token, nonce).await?;
        Ok(Tokens {
            id_token: IdToken::new(id_token.to_string()),
            subject: claims.subject().as_str().to_owned(),
            expires_at: OffsetDateTime::from_unix_timestamp(claims.expiration().timestamp())
                .map_err(|err| SignInError::InvalidIdToken(err.to_string()))?,
            refresh_token: response
                .refresh_token()
                .map(|token| SecretString::from(token.secret().to_owned())),
        })
    }

    /// Verifies the ID token `token` (a JWT as a provider sends it) as [`Provider::verify`]
    /// does, without a nonce (as after a refresh): the subject it names.
    pub async fn verify_id_token(&mut self, token: &str) -> Result<String, SignInError> {
        let id_token = token.parse::<CoreIdToken>().map_err(|err| {
            SignInError::InvalidIdToken(format!("it is not a signed JWT ({err})"))
        })?;
        let claims = self.verify(&id_token, None).await?;
        Ok(claims.subject().as_str().to_owned())
    }

    /// Verifies an ID token: its header (RS256, and no `jku`, `x5u`, `jwk` or `x5c`: the keys
    /// are the provider's, never the token's), `openidconnect`'s checks (the signature with
    /// the provider's keys, `iss`, `aud`, `exp`, the nonce when one was sent), then `azp` and
    /// `iat`. A key id the keys do not hold sends for them again, once (a rotation).
    pub async fn verify(
        &mut self,
        id_token: &CoreIdToken,
        nonce: Option<&Nonce>,
    ) -> Result<CoreIdTokenClaims, SignInError> {
        check_jwt(&id_token.to_string())?;
        let claims = match self.verify_once(id_token, nonce) {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                self.metadata = discover(&self.config, &self.http).await?;
                self.verify_once(id_token, nonce)
            }
            other => other,
        }
        .map_err(|err| SignInError::InvalidIdToken(err.to_string()))?;
        // openidconnect checks neither: an ID token for another client that merely lists us
        // among its audiences is not ours (OIDC Core §3.1.3.7, 4-5).
        match claims.authorized_party() {
            Some(azp) if azp.as_str() != self.config.client_id => {
                return Err(SignInError::InvalidIdToken(format!(
                    "it was issued to another client ({})",
                    azp.as_str()
                )));
            }
            None if claims.audiences().len() > 1 => {
                return Err(SignInError::InvalidIdToken(
                    "it names several audiences and no authorized party".into(),
                ));
            }
            _ => {}
        }
        Ok(claims)
    }

    fn verify_once(
        &self,
        id_token: &CoreIdToken,
        nonce: Option<&Nonce>,
    ) -> Result<CoreIdTokenClaims, ClaimsVerificationError> {
        let client = CoreClient::from_provider_metadata(
            self.metadata.clone(),
            ClientId::new(self.config.client_id.clone()),
            None,
        );
        let verifier = client
            .id_token_verifier()
            // exp with the skew: a token is still good up to CLOCK_SKEW after it.
            .set_time_fn(|| Utc::now() - CLOCK_SKEW)
            .set_issue_time_verifier_fn(|iat| {
                let now = Utc::now();
                if iat > now + CLOCK_SKEW {
                    Err(format!("it was issued in the future ({iat})"))
                } else if now - iat > MAX_TOKEN_AGE + CLOCK_SKEW {
                    Err(format!("it was issued too long ago ({iat})"))
                } else {
                    Ok(())
                }
            });
        match nonce {
            Some(nonce) => id_token.clone().into_claims(&verifier, nonce),
            // A refreshed ID token repeats the first one's nonce or has none; either is fine,
            // since no redirect carried it.
            None => id_token
                .clone()
                .into_claims(&verifier, |_: Option<&Nonce>| Ok(())),
        }
    }

    fn client(
        &self,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointSet,
            openidconnect::EndpointMaybeSet,
        >,
        SignInError,
    > {
        let token_url =
            self.metadata
                .token_endpoint()
                .cloned()
                .ok_or_else(|| SignInError::Discovery {
                    issuer: self.config.issuer.clone(),
                    reason: "its discovery document names no token endpoint".into(),
                })?;
        Ok(CoreClient::from_provider_metadata(
            self.metadata.clone(),
            ClientId::new(self.config.client_id.clone()),
            None,
        )
        .set_token_uri(token_url))
    }
}

/// A service identity: a confidential client of the identity provider with the client
/// credentials grant. The secret comes from the environment (or a secrets manager that sets
/// it), never from a file of ours; no `Debug` shows it.
#[derive(Clone)]
pub struct ServiceCredentials {
    /// The service's client id (the subject the audit trail records).
    pub client_id: String,
    /// Its secret.
    pub client_secret: SecretString,
    /// Scopes to ask for (Entra: `api://<app>/.default`).
    pub scopes: Vec<String>,
    /// A resource indicator (RFC 8707) to ask for, if the provider needs one.
    pub resource: Option<String>,
}

impl std::fmt::Debug for ServiceCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceCredentials")
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("resource", &self.resource)
            .finish_non_exhaustive()
    }
}

/// Refuses a JWT whose header asks for anything but RS256 or points at keys of its own, or
/// whose `nbf` is still ahead (beyond the skew): what `openidconnect` does not check.
fn check_jwt(token: &str) -> Result<(), SignInError> {
    use base64::Engine as _;
    let invalid = |reason: String| SignInError::InvalidIdToken(reason);
    let mut parts = token.split('.').map(|part| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
    });
    let header = parts
        .next()
        .flatten()
        .ok_or_else(|| invalid("its header is not base64url JSON".into()))?;
    let payload = parts
        .next()
        .flatten()
        .ok_or_else(|| invalid("its claims are not base64url JSON".into()))?;
    if let Some(nbf) = payload.get("nbf") {
        let nbf = nbf
            .as_i64()
            .ok_or_else(|| invalid("its nbf is not a time".into()))?;
        if nbf > Utc::now().timestamp() + CLOCK_SKEW.num_seconds() {
            return Err(invalid(format!(
                "it is not valid before {nbf} (seconds since 1970); check this computer's clock"
            )));
        }
    }
    match header.get("alg").and_then(serde_json::Value::as_str) {
        Some("RS256") => {}
        other => {
            return Err(invalid(format!(
                "it is signed with {}, not RS256",
                other.unwrap_or("no algorithm")
            )));
        }
    }
    for key in ["jku", "x5u", "jwk", "x5c"] {
        if header.get(key).is_some() {
            return Err(invalid(format!(
                "its header names keys of its own ({key}); only the provider's are trusted"
            )));
        }
    }
    Ok(())
}

/// Opens `url` in the browser: the command in `BROWSER` when set, else the system's (for the
/// sign-in; the address is also said on stderr, for a person whose browser does not open).
pub fn open_in_browser(url: &str) -> Result<(), String> {
    eprintln!("Signing in: if no browser opens, open this address yourself:\n{url}");
    let mut command = match std::env::var_os("BROWSER").filter(|b| !b.is_empty()) {
        Some(browser) => std::process::Command::new(browser),
        None if cfg!(target_os = "macos") => std::process::Command::new("open"),
        None if cfg!(windows) => {
            let mut command = std::process::Command::new("rundll32");
            command.arg("url.dll,FileProtocolHandler");
            command
        }
        None => std::process::Command::new("xdg-open"),
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|err| err.to_string())
}

/// Signs a person in through the browser and keeps their refresh token in the keychain (the
/// keychain is asked first: without one, no sign-in starts).
pub async fn sign_in(
    provider: &mut Provider,
    keychain: &keychain::Keychain,
    open: impl FnOnce(&str) -> Result<(), String>,
    timeout: Duration,
) -> Result<Tokens, SignInError> {
    keychain.load().await?;
    let tokens = provider.sign_in_with_browser(open, timeout).await?;
    match &tokens.refresh_token {
        Some(refresh_token) => keychain.save(refresh_token).await?,
        // A sign-in for this process only; an older refresh token is of another sign-in.
        None => keychain.forget().await?,
    }
    Ok(tokens)
}

/// The kept sign-in, refreshed: fresh tokens for the refresh token in the keychain, a
/// rotated refresh token saved there before anything uses the new tokens.
pub async fn resume(
    provider: &mut Provider,
    keychain: &keychain::Keychain,
) -> Result<Tokens, SignInError> {
    let Some(refresh_token) = keychain.load().await? else {
        return Err(SignInError::NotSignedIn);
    };
    match provider.refresh(&refresh_token).await {
        Ok(tokens) => {
            if let Some(rotated) = &tokens.refresh_token {
                keychain.save(rotated).await?;
            }
            Ok(tokens)
        }
        Err(SignInError::Refused { code, description }) if code == "invalid_grant" => {
            // Expired or revoked: it will never work again. Unless another process has just
            // rotated it: then the keychain holds a newer one, which is kept.
            let kept = keychain.load().await?;
            if kept.is_some_and(|kept| kept.expose_secret() == refresh_token.expose_secret()) {
                keychain.forget().await?;
            }
            Err(SignInError::Refused { code, description })
        }
        Err(err) => Err(err),
    }
}

/// Signs out: the refresh token leaves the keychain (the ID token dies with the process).
pub async fn sign_out(keychain: &keychain::Keychain) -> Result<(), SignInError> {
    Ok(keychain.forget().await?)
}

async fn discover(
    config: &ProviderConfig,
    http: &openidconnect::reqwest::Client,
) -> Result<Metadata, SignInError> {
    let issuer = IssuerUrl::new(config.issuer.clone())
        .map_err(|err| SignInError::BadConfig(format!("issuer: {err}")))?;
    Metadata::discover_async(issuer, http)
        .await
        .map_err(|err| SignInError::Discovery {
            issuer: config.issuer.clone(),
            reason: error_chain(&err),
        })
}

/// A token request's failure: the provider's error code and description when it gave them
/// (its answer holds no token), else what failed.
fn token_error<E: std::error::Error + 'static>(
    err: RequestTokenError<
        E,
        openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    >,
) -> SignInError {
    match err {
        RequestTokenError::ServerResponse(response) => SignInError::Refused {
            code: response.error().as_ref().to_owned(),
            description: response.error_description().cloned(),
        },
        RequestTokenError::Request(err) => SignInError::TokenRequest(error_chain(&err)),
        RequestTokenError::Parse(err, _) => {
            SignInError::TokenRequest(format!("its answer does not parse: {err}"))
        }
        RequestTokenError::Other(reason) => SignInError::TokenRequest(reason),
    }
}

/// An error and its causes on one line.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_show_in_debug() {
        let tokens = Tokens {
            id_token: IdToken::new("header.payload-secret.signature"),
            subject: "alice".into(),
            expires_at: OffsetDateTime::UNIX_EPOCH,
            refresh_token: Some(SecretString::from("refresh-secret")),
        };
        let shown = format!("{tokens:?}");
        assert!(!shown.contains("payload-secret"), "{shown}");
        assert!(!shown.contains("refresh-secret"), "{shown}");
        assert!(shown.contains("alice"), "{shown}");
    }

    #[test]
    fn a_refusal_says_what_to_do() {
        let denied = SignInError::Refused {
            code: "access_denied".into(),
            description: Some("End-User aborted interaction".into()),
        };
        let text = denied.to_string();
        assert!(
            text.contains("access_denied: End-User aborted interaction"),
            "{text}"
        );
        assert!(text.contains("ask your administrator"), "{text}");
    }
}
