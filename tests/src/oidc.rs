//! A real OpenID provider on loopback for the sign-in tests: npm's oidc-provider, pinned in
//! tests/oidc/package-lock.json (installed by scripts/setup.sh), started as a child process on
//! a port of its own (tests/oidc/provider.mjs) and killed when the test drops it. Its browser
//! is tests/oidc/browser.py, which signs in on the provider's forms as a person would.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// The folder of the provider and the browser script.
pub fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oidc")
}

/// The tests' browser: give it to `BROWSER`, or run it with a sign-in address.
pub fn browser() -> PathBuf {
    folder().join("browser.py")
}

/// How a provider is started.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// The keys it publishes (the first signs); none: a key of its own.
    pub keys: &'a [&'a crate::identity::Key],
    /// Its port; none: one the OS picks.
    pub port: Option<u16>,
    /// Its ID and access tokens' lifetime in seconds; none: 300.
    pub ttl: Option<u32>,
    /// A service client (client credentials) it knows, with its groups.
    pub service: Option<ServiceClient<'a>>,
}

/// A confidential client for scheduled reports: its access tokens are RS256 JWTs for the
/// resource `urn:outreach-dashboard` carrying `groups`.
#[derive(Debug, Clone, Copy)]
pub struct ServiceClient<'a> {
    /// Its client id.
    pub client_id: &'a str,
    /// Its secret.
    pub client_secret: &'a str,
    /// The groups its tokens carry.
    pub groups: &'a [&'a str],
}

/// A running provider.
#[derive(Debug)]
pub struct IdentityProvider {
    /// Its issuer URL (`http://127.0.0.1:<port>`).
    pub issuer: String,
    /// Its public keys, as its `jwks_uri` serves them.
    pub jwks: Value,
    child: Child,
    _dir: tempfile::TempDir,
}

impl IdentityProvider {
    /// Starts a provider whose people are `accounts` (subject, groups), with a key of its own.
    pub fn start(accounts: &[(&str, &[&str])]) -> IdentityProvider {
        IdentityProvider::start_with(accounts, &Options::default())
    }

    /// Starts a provider whose people are `accounts`, as `options` say.
    pub fn start_with(accounts: &[(&str, &[&str])], options: &Options<'_>) -> IdentityProvider {
        let Options {
            keys,
            port,
            ttl,
            service,
        } = *options;
        let dir = tempfile::tempdir().expect("a folder for the provider's keys");
        let jwks_path = dir.path().join("jwks.json");
        let accounts: serde_json::Map<String, Value> = accounts
            .iter()
            .map(|(subject, groups)| ((*subject).to_owned(), Value::from(groups.to_vec())))
            .collect();
        assert!(
            folder().join("node_modules/oidc-provider").is_dir(),
            "tests/oidc/node_modules is missing: run `make test` (scripts/setup.sh installs it) or `npm ci --prefix tests/oidc`"
        );
        let mut command = Command::new("node");
        if !keys.is_empty() {
            let private: Vec<Value> = keys.iter().map(|k| k.private_jwk()).collect();
            command.env("OIDC_KEYS", Value::from(private).to_string());
        }
        if let Some(port) = port {
            command.env("OIDC_PORT", port.to_string());
        }
        if let Some(ttl) = ttl {
            command.env("OIDC_TTL", ttl.to_string());
        }
        if let Some(service) = service {
            command.env(
                "OIDC_SERVICE",
                serde_json::json!({
                    "client_id": service.client_id,
                    "client_secret": service.client_secret,
                    "groups": service.groups,
                })
                .to_string(),
            );
        }
        let mut child = command
            .arg(folder().join("provider.mjs"))
            .env("OIDC_ACCOUNTS", Value::Object(accounts).to_string())
            .env("OIDC_JWKS_OUT", &jwks_path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs tests/oidc/provider.mjs");
        let stdout = child.stdout.take().expect("the provider's stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the provider's first line");
        let issuer = line
            .strip_prefix("issuer ")
            .map(|issuer| issuer.trim().to_owned())
            .unwrap_or_else(|| panic!("the provider did not start: {line:?}"));
        let jwks = serde_json::from_str(
            &std::fs::read_to_string(&jwks_path).expect("the provider's JWKS"),
        )
        .expect("the JWKS is JSON");
        IdentityProvider {
            issuer,
            jwks,
            child,
            _dir: dir,
        }
    }
}

impl Drop for IdentityProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
