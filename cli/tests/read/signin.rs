//! Signing in as a native app (docs/security.md) against a real OpenID provider on loopback
//! (npm's oidc-provider, tests/oidc), driven through the browser script a person's browser
//! stands in for: PKCE, the one-shot listener and its page, state and iss mismatches, a
//! refusal, a timeout; and the provider's ID token accepted by the dashboard database itself.

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::time::Duration;

use outreach_backend::Dashboard;
use outreach_backend::access::SignIn;
use outreach_backend::signin::{Provider, ProviderConfig, SignInError, Tokens};
use outreach_model::Role;
use outreach_testkit::identity::{ADMIN_GROUP, CLIENT_ID};
use outreach_testkit::keyring::SecretService;
use outreach_testkit::oidc::{IdentityProvider, Options, browser};
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};
use sqlx::Connection as _;

use crate::helpers::stores;

fn config(provider: &IdentityProvider) -> ProviderConfig {
    ProviderConfig {
        issuer: provider.issuer.clone(),
        client_id: CLIENT_ID.to_owned(),
        scopes: vec!["groups".into(), "offline_access".into()],
        prompt: Some("consent".into()),
    }
}

/// Signs in with the browser script in `mode`: the outcome and what the browser saw.
async fn sign_in(
    provider: &mut Provider,
    mode: &str,
    timeout: Duration,
) -> (Result<Tokens, SignInError>, Value) {
    let dir = tempfile::tempdir().expect("a folder for the browser's log");
    let log = dir.path().join("browser.json");
    let mut script = None;
    let outcome = provider
        .sign_in_with_browser(
            |url| {
                let child = std::process::Command::new(browser())
                    .arg(url)
                    .env("OIDC_BROWSER_MODE", mode)
                    .env("OIDC_BROWSER_LOG", &log)
                    .spawn()
                    .map_err(|err| err.to_string())?;
                script = Some(child);
                Ok(())
            },
            timeout,
        )
        .await;
    let status = script
        .expect("the browser was opened")
        .wait()
        .expect("the browser script ends");
    assert!(status.success(), "the browser script failed");
    let seen = std::fs::read_to_string(&log).unwrap_or_else(|_| "{}".into());
    (
        outcome,
        serde_json::from_str(&seen).expect("the browser's log"),
    )
}

/// Makes the dashboard database at `owner_url` trust `idp` (its issuer, the app's client id,
/// its published keys): the owner's connection, for more set-up.
pub(crate) async fn trust_provider(owner_url: &str, idp: &IdentityProvider) -> sqlx::PgConnection {
    let mut owner = sqlx::PgConnection::connect(owner_url)
        .await
        .expect("connect as the owner");
    sqlx::query("SELECT auth.configure($1, $2, 'groups', 60)")
        .bind(&idp.issuer)
        .bind(vec![CLIENT_ID.to_owned()])
        .execute(&mut owner)
        .await
        .expect("configure the provider");
    sqlx::query("SELECT auth.set_keys($1::jsonb)")
        .bind(idp.jwks.to_string())
        .execute(&mut owner)
        .await
        .expect("the provider's keys");
    owner
}

/// The port of the callback URL the browser opened.
fn callback_port(seen: &Value) -> u16 {
    let callback = seen["callback"]
        .as_str()
        .expect("the browser reached the callback");
    let rest = callback
        .strip_prefix("http://127.0.0.1:")
        .expect("a loopback callback");
    rest.split('/')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port")
}

fn closed(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(&(([127, 0, 0, 1], port).into()), Duration::from_secs(1))
        .is_err()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_in_in_the_browser_and_the_database_accepts_the_token() {
    let idp = IdentityProvider::start(&[("alice", &[ADMIN_GROUP])]);
    let mut provider = Provider::discover(config(&idp)).await.expect("discovery");
    let (outcome, seen) = sign_in(&mut provider, "approve", Duration::from_secs(30)).await;
    let tokens = outcome.expect("signed in");
    assert_eq!(tokens.subject, "alice");
    assert!(tokens.expires_at > time::OffsetDateTime::now_utc());
    let first_refresh = tokens.refresh_token.clone().expect("a refresh token");
    assert_eq!(seen["status"], 200, "{seen}");
    let page = seen["page"].as_str().expect("the page's text");
    assert!(page.contains("You are signed in"), "{page}");
    assert!(page.contains("go back to Outreach Dashboard"), "{page}");
    let port = callback_port(&seen);
    assert!(
        closed(port),
        "the listener on {port} is closed after the sign-in"
    );

    // The dashboard database, trusting this provider's published keys, verifies the token
    // itself and signs the app's login in as the person the token names.
    let stores = stores().await;
    drop(trust_provider(stores.postgres.url(), &idp).await);
    let dashboard =
        Dashboard::connect_signed_in(stores.reader.url(), SignIn::new(tokens.id_token.clone()))
            .await
            .expect("the database accepts the provider's ID token");
    let identity = dashboard
        .identity()
        .await
        .expect("identity")
        .expect("a PostgreSQL identity");
    assert_eq!(identity.subject, "alice");
    assert_eq!(identity.role, Role::Admin);

    // A refresh gives a new ID token and rotates the refresh token (a public client's).
    let refreshed = provider.refresh(&first_refresh).await.expect("a refresh");
    assert_eq!(refreshed.subject, "alice");
    let rotated = refreshed.refresh_token.expect("a rotated refresh token");
    assert_ne!(rotated.expose_secret(), first_refresh.expose_secret());
    // The old one is spent.
    let err = provider.refresh(&first_refresh).await.expect_err("spent");
    assert!(
        matches!(&err, SignInError::Refused { code, .. } if code == "invalid_grant"),
        "{err}"
    );
    assert!(err.to_string().contains("sign in again"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mismatch_a_refusal_and_a_closed_tab_end_the_sign_in_with_what_to_do() {
    let idp = IdentityProvider::start(&[("alice", &[ADMIN_GROUP])]);
    let mut provider = Provider::discover(config(&idp)).await.expect("discovery");
    let wait = Duration::from_secs(30);

    let (outcome, seen) = sign_in(&mut provider, "state", wait).await;
    assert!(
        matches!(outcome, Err(SignInError::StateMismatch)),
        "{outcome:?}"
    );
    let page = seen["page"].as_str().expect("a page");
    assert!(page.contains("Sign-in did not finish"), "{page}");
    assert!(page.contains("state"), "{page}");
    assert!(closed(callback_port(&seen)));

    let (outcome, _) = sign_in(&mut provider, "iss", wait).await;
    assert!(
        matches!(outcome, Err(SignInError::IssuerMismatch)),
        "{outcome:?}"
    );

    let (outcome, seen) = sign_in(&mut provider, "deny", wait).await;
    let err = outcome.expect_err("denied");
    assert!(
        matches!(&err, SignInError::Refused { code, .. } if code == "access_denied"),
        "{err}"
    );
    assert!(err.to_string().contains("ask your administrator"), "{err}");
    assert!(
        seen["page"]
            .as_str()
            .expect("a page")
            .contains("access_denied")
    );

    // The listener answers nothing but its callback path, and goes on waiting for it.
    let (outcome, seen) = sign_in(&mut provider, "stray", wait).await;
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(seen["stray"], serde_json::json!([404, 404, 404]), "{seen}");

    // The person closed the tab: the sign-in gives up at its deadline and frees the port.
    let started = std::time::Instant::now();
    let (outcome, _) = sign_in(&mut provider, "ignore", Duration::from_secs(2)).await;
    assert!(
        matches!(outcome, Err(SignInError::TimedOut(2))),
        "{outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn the_provider_refuses_a_request_without_pkce() {
    let idp = IdentityProvider::start(&[("alice", &[ADMIN_GROUP])]);
    let address = idp.issuer.strip_prefix("http://").expect("an http issuer");
    let mut stream = std::net::TcpStream::connect(address).expect("connect to the provider");
    let query = "client_id=outreach-desktop&response_type=code&scope=openid&state=s&nonce=n\
                 &redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback";
    write!(
        stream,
        "GET /auth?{query} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let location = answer
        .lines()
        .find_map(|line| {
            line.strip_prefix("location: ")
                .or(line.strip_prefix("Location: "))
        })
        .expect("a redirect back to the app");
    let params: HashMap<String, String> = url_query(location);
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("invalid_request")
    );
    assert!(params["error_description"].contains("PKCE"), "{location}");
}

fn url_query(location: &str) -> HashMap<String, String> {
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Every file under `dir` that holds `needle`.
pub(crate) fn files_holding(dir: &std::path::Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_holding(&path, needle));
        } else if std::fs::read(&path)
            .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
            .unwrap_or(false)
        {
            found.push(path);
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outreach_login_keeps_the_refresh_token_in_the_keychain_across_processes() {
    let idp = IdentityProvider::start(&[("alice", &[ADMIN_GROUP])]);
    let stores = stores().await;
    drop(trust_provider(stores.postgres.url(), &idp).await);

    let home = tempfile::tempdir().expect("a home");
    let keychain = SecretService::start(home.path());
    let config = home.path().join("config/outreach-dashboard/config.toml");
    std::fs::create_dir_all(config.parent().expect("a folder")).expect("the config folder");
    std::fs::write(
        &config,
        format!(
            "database_url = \"{}\"\n[sign_in]\nissuer = \"{}\"\nclient_id = \"{CLIENT_ID}\"\nprompt = \"consent\"\n",
            stores.reader.url(),
            idp.issuer
        ),
    )
    .expect("write the config");
    let log = home.path().join("browser.json");
    let outreach = |args: &[&str]| {
        let output = crate::helpers::outreach(home.path())
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &keychain.address)
            .env("BROWSER", browser())
            .env("OIDC_BROWSER_LOG", &log)
            .output()
            .expect("run outreach");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let account = format!("{CLIENT_ID}@{}", idp.issuer);
    let kept = || {
        keychain
            .secret_tool(&[
                "lookup",
                "service",
                "outreach-dashboard",
                "username",
                &account,
            ])
            .1
    };

    // Before: no sign-in, and the command says what to do.
    let (code, _, stderr) = outreach(&["summary"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("outreach login"), "{stderr}");

    let (code, stdout, stderr) = outreach(&["login", "--timeout", "60"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("signed in as alice"), "{stdout}");
    let first = kept();
    assert!(first.len() > 20, "the keychain holds the refresh token");

    // A second process signs in from the keychain alone, and rotates the token there.
    let (code, summary, stderr) = outreach(&["summary", "--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(summary.contains("impressions"), "{summary}");
    let second = kept();
    assert!(
        second.len() > 20 && second != first,
        "a rotated refresh token is kept"
    );
    let (code, _, stderr) = outreach(&["health"]);
    assert_eq!(code, Some(0), "{stderr}");

    let (code, stdout, stderr) = outreach(&["logout"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("signed out"), "{stdout}");
    assert_eq!(kept(), "", "nothing of the sign-in is left in the keychain");
    let (code, _, stderr) = outreach(&["summary"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("not signed in"), "{stderr}");

    // No token in a file of the app's home (config, data, the keyring's own files hold it
    // only encrypted) nor in anything printed.
    for token in [&first, &second] {
        assert!(files_holding(home.path(), token).is_empty());
        assert!(!summary.contains(token.as_str()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_refuses_forged_id_tokens_and_follows_a_key_rotation() {
    use outreach_testkit::identity::{self, key, other_key, part};
    let (k, other) = (key(), other_key());
    let idp = IdentityProvider::start_with(
        &[],
        &Options {
            keys: &[k],
            ..Options::default()
        },
    );
    let port: u16 = idp
        .issuer
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("the issuer's port");
    let mut provider = Provider::discover(config(&idp)).await.expect("discovery");
    let now = identity::now();
    let issuer = idp.issuer.clone();
    let claims = |changes: Value| {
        let mut claims = identity::claims("mallory@example.org", &[ADMIN_GROUP]);
        claims["iss"] = issuer.clone().into();
        for (name, value) in changes.as_object().expect("an object") {
            if value.is_null() {
                claims.as_object_mut().expect("claims").remove(name);
            } else {
                claims[name] = value.clone();
            }
        }
        claims
    };
    let signed = |changes: Value| k.sign(&k.header(), &claims(changes));

    // An honest token of this provider's key is accepted.
    assert_eq!(
        provider
            .verify_id_token(&signed(json!({})))
            .await
            .expect("an honest token"),
        "mallory@example.org"
    );

    let honest = signed(json!({}));
    let (head, rest) = honest.split_once('.').expect("a JWT");
    let signature = rest.split_once('.').expect("a JWT").1;
    let hs_header = part(&json!({"alg": "HS256", "typ": "JWT", "kid": k.kid}));
    let hs_input = format!("{hs_header}.{}", part(&claims(json!({}))));
    let forgeries: Vec<(&str, String)> = vec![
        // Expired beyond the minute of skew, yet issued recently (the age check passes).
        ("expired", signed(json!({"exp": now - 90, "iat": now - 300}))),
        (
            "not yet valid (issued in the future)",
            signed(json!({"iat": now + 3600, "exp": now + 7200})),
        ),
        (
            "not yet valid (nbf)",
            signed(json!({"nbf": now + 3600})),
        ),
        ("wrong audience", signed(json!({"aud": "another-app", "azp": null}))),
        (
            "an extra audience and no azp",
            signed(json!({"aud": [CLIENT_ID, "another-app"], "azp": null})),
        ),
        ("wrong azp", signed(json!({"azp": "another-app"}))),
        (
            "wrong issuer",
            signed(json!({"iss": "http://127.0.0.1:9/someone-else"})),
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                part(&json!({"alg": "none", "typ": "JWT"})),
                part(&claims(json!({})))
            ),
        ),
        (
            "HS256 keyed with the public key",
            format!(
                "{hs_input}.{}",
                base64_url(&identity::hs256(&k.public_modulus(), &hs_input))
            ),
        ),
        (
            "unknown key id",
            other.sign(&other.header(), &claims(json!({}))),
        ),
        (
            "another key under a known id",
            other.sign(&k.header(), &claims(json!({}))),
        ),
        (
            "a jku header",
            k.sign(
                &json!({"alg": "RS256", "typ": "JWT", "kid": k.kid, "jku": "http://127.0.0.1:9/keys"}),
                &claims(json!({})),
            ),
        ),
        (
            "a tampered payload",
            format!(
                "{head}.{}.{signature}",
                part(&claims(json!({"sub": "admin@example.org"})))
            ),
        ),
    ];
    for (what, token) in &forgeries {
        let err = provider.verify_id_token(token).await.expect_err(what);
        assert!(
            matches!(err, SignInError::InvalidIdToken(_)),
            "{what}: {err}"
        );
        let message = err.to_string();
        assert!(message.contains("sign in again"), "{what}: {message}");
        let payload = token.split('.').nth(1).unwrap_or_default();
        assert!(!message.contains(payload), "{what}: the token is not shown");
    }

    // The provider rotates: the same issuer now signs with another key. The app, holding the
    // keys it discovered, meets the new key id, fetches the keys again and accepts the token.
    drop(idp);
    let rotated = IdentityProvider::start_with(
        &[],
        &Options {
            keys: &[other, k],
            port: Some(port),
            ..Options::default()
        },
    );
    assert_eq!(rotated.jwks["keys"][0]["kid"], other.kid);
    let token = other.sign(&other.header(), &claims(json!({})));
    assert_eq!(
        provider
            .verify_id_token(&token)
            .await
            .expect("a rotated key is accepted once the keys are fetched again"),
        "mallory@example.org"
    );
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The refresh tokens a kept session saved, in order (the keychain's part is shown with a real
/// Secret Service by `outreach_login_keeps_the_refresh_token_in_the_keychain_across_processes`;
/// this test is about when and how often the session refreshes).
#[derive(Default)]
struct SavedTokens(std::sync::Mutex<Vec<String>>);

impl outreach_backend::signin::session::RefreshTokenStore for SavedTokens {
    fn save<'a>(
        &'a self,
        token: &'a secrecy::SecretString,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), SignInError>> + Send + 'a>>
    {
        self.0
            .lock()
            .expect("the list")
            .push(token.expose_secret().to_owned());
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_running_app_stays_signed_in_past_its_tokens_lifetime() {
    use outreach_backend::signin::session::{KeptSession, SessionState};
    // ID tokens that live 12 seconds: the session refreshes them about every 7.
    let idp = IdentityProvider::start_with(
        &[("alice", &[ADMIN_GROUP])],
        &Options {
            ttl: Some(12),
            ..Options::default()
        },
    );
    let stores = stores().await;
    drop(trust_provider(stores.postgres.url(), &idp).await);
    let mut provider = Provider::discover(config(&idp)).await.expect("discovery");
    let (outcome, _) = sign_in(&mut provider, "approve", Duration::from_secs(30)).await;
    let tokens = outcome.expect("signed in");
    let first_expiry = tokens.expires_at;

    // An app that hands the database the first token only, and one that keeps it fresh.
    let unkept =
        Dashboard::connect_signed_in(stores.reader.url(), SignIn::new(tokens.id_token.clone()))
            .await
            .expect("signed in");
    let saved = std::sync::Arc::new(SavedTokens::default());
    let session = KeptSession::start(provider, saved.clone(), tokens);
    let kept = Dashboard::connect_signed_in(stores.reader.url(), session.sign_in())
        .await
        .expect("signed in");
    let filter = outreach_model::Filter::new(outreach_model::DateRange::last_days(
        time::macros::date!(2026 - 11 - 27),
        90,
    ));
    let expected = kept.summary(&filter).await.expect("a summary");

    // Thirty seconds, more than two tokens' lives: every question answered in full.
    let until = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < until {
        let identity = kept.identity().await.expect("still signed in");
        assert_eq!(identity.expect("an identity").subject, "alice");
        assert_eq!(
            kept.summary(&filter).await.expect("a summary"),
            expected,
            "the same answer with each new token"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    match session.state() {
        SessionState::Active {
            subject,
            expires_at,
            refreshes,
        } => {
            assert_eq!(subject, "alice");
            // About one every 7 s: neither too few nor a loop that spins.
            assert!(
                (3..=8).contains(&refreshes),
                "{refreshes} refreshes in 30 s of 12-s tokens"
            );
            assert!(expires_at > first_expiry);
        }
        ended => panic!("the session ended: {ended:?}"),
    }
    // Each refresh rotated the refresh token and kept the new one.
    let saved = saved.0.lock().expect("the list").clone();
    assert!(saved.len() >= 3, "{}", saved.len());
    let distinct: std::collections::HashSet<_> = saved.iter().collect();
    assert_eq!(distinct.len(), saved.len(), "each a new refresh token");

    // The app that did not refresh has lost its sign-in: the database shows it nothing.
    let err = unkept.identity().await.expect_err("its token expired");
    assert!(
        matches!(err, outreach_backend::DashboardError::NotSignedIn),
        "{err}"
    );
}
