//! A token issuer of the tests' own, for the database's side of sign-in: RSA keys whose public
//! halves the dashboard database is given as the provider's JWKS, and RS256 ID tokens (or any
//! forgery a test wants) signed with them. The app's side signs in against a real OpenID
//! provider (npm's oidc-provider); this one exists because a test of the database must also
//! hand it tokens no honest provider would issue.

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng as _;
use rsa::sha2::Sha256;
use rsa::traits::PublicKeyParts as _;
use serde_json::{Value, json};
use sqlx::Connection as _;

/// The issuer every test database is configured with.
pub const ISSUER: &str = "http://127.0.0.1:9/outreach-test-issuer";
/// The desktop app's client id.
pub const CLIENT_ID: &str = "outreach-desktop";
/// The group every test grants admin.
pub const ADMIN_GROUP: &str = "outreach-admins";

/// A signing key and its key id.
#[derive(Debug)]
pub struct Key {
    /// The `kid` of its JWK and of the tokens it signs.
    pub kid: String,
    private: rsa::PrivateKey,
}

impl Key {
    /// A 2048-bit key made from `seed` (the same seed, the same key).
    pub fn from_seed(kid: &str, seed: u64) -> Key {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        Key {
            kid: kid.to_owned(),
            private: rsa::PrivateKey::new(&mut rng, 2048).expect("an RSA key"),
        }
    }

    /// Its public half as a JWK.
    pub fn jwk(&self) -> Value {
        let public = self.private.to_public_key();
        json!({
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(public.n_bytes()),
            "e": URL_SAFE_NO_PAD.encode(public.e_bytes()),
        })
    }

    /// Its private half as a JWK (RFC 7518 §6.3), for a provider that signs with it.
    pub fn private_jwk(&self) -> Value {
        use rsa::traits::PrivateKeyParts as _;
        let uint = |value: &rsa::BoxedUint| {
            let bytes = value.to_be_bytes();
            let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
            URL_SAFE_NO_PAD.encode(&bytes[first..])
        };
        let primes = self.private.primes();
        let mut jwk = self.jwk();
        jwk["d"] = uint(self.private.d()).into();
        jwk["p"] = uint(primes[0].as_ref()).into();
        jwk["q"] = uint(primes[1].as_ref()).into();
        jwk["dp"] = uint(self.private.dp().expect("precomputed")).into();
        jwk["dq"] = uint(self.private.dq().expect("precomputed")).into();
        jwk["qi"] = uint(&self.private.crt_coefficient().expect("precomputed")).into();
        jwk
    }

    /// The JWT of `header` and `payload`, RS256-signed with this key whatever the header says.
    pub fn sign(&self, header: &Value, payload: &Value) -> String {
        let input = format!("{}.{}", part(header), part(payload));
        let signature = self
            .private
            .pkcs1v15_sign::<Sha256>(input.as_bytes())
            .expect("a signature");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// A valid ID token of `subject` in `groups`, for the test issuer and client.
    pub fn id_token(&self, subject: &str, groups: &[&str]) -> String {
        self.sign(&self.header(), &claims(subject, groups))
    }

    /// The header this key's honest tokens carry.
    pub fn header(&self) -> Value {
        json!({"alg": "RS256", "typ": "JWT", "kid": self.kid})
    }

    /// Its modulus, for a test that needs the public key itself (HS256 keyed with it).
    pub fn public_modulus(&self) -> Vec<u8> {
        self.private.to_public_key().n_bytes().to_vec()
    }
}

/// HS256 of `input` keyed with `secret` (RFC 2104), for the key-confusion forgery: a token
/// "signed" with HMAC keyed by the RSA public key, which a verifier that trusts the header's
/// `alg` would accept.
pub fn hs256(secret: &[u8], input: &str) -> Vec<u8> {
    use hmac::{KeyInit as _, Mac as _};
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(input.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The base64url of a JSON value, as a JWT part.
pub fn part(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// The seconds since the epoch now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The claims of a valid ID token of `subject` in `groups`: five minutes left.
pub fn claims(subject: &str, groups: &[&str]) -> Value {
    let now = now();
    json!({
        "iss": ISSUER, "aud": CLIENT_ID, "azp": CLIENT_ID, "sub": subject,
        "iat": now, "exp": now + 300, "nonce": "n-0S6_WzA2Mj", "groups": groups,
    })
}

/// The tests' first signing key (made once per test binary: key generation takes a while).
pub fn key() -> &'static Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| Key::from_seed("test-key-1", 1))
}

/// A second key, for rotation and "another key under a known id".
pub fn other_key() -> &'static Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| Key::from_seed("test-key-2", 2))
}

/// Configures the dashboard database at `owner_url` (as its owner) to trust the test issuer
/// with `keys`, and grants [`ADMIN_GROUP`] admin.
pub async fn trust(owner_url: &str, keys: &[&Key]) {
    let mut conn = sqlx::PgConnection::connect(owner_url)
        .await
        .expect("connect as the owner");
    sqlx::query("SELECT auth.configure($1, $2, 'groups', 60)")
        .bind(ISSUER)
        .bind(vec![CLIENT_ID.to_owned()])
        .execute(&mut conn)
        .await
        .expect("configure the issuer");
    set_keys(&mut conn, keys).await;
    grant(&mut conn, ADMIN_GROUP, "admin", None, None).await;
}

/// Gives the database `keys` as the provider's JWKS.
pub async fn set_keys(conn: &mut sqlx::PgConnection, keys: &[&Key]) {
    let jwks = json!({ "keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>() });
    sqlx::query("SELECT auth.set_keys($1::jsonb)")
        .bind(jwks.to_string())
        .execute(conn)
        .await
        .expect("set the keys");
}

/// Grants `group` `role` over `campaign_types` and `channels` (`None`: all).
pub async fn grant(
    conn: &mut sqlx::PgConnection,
    group: &str,
    role: &str,
    campaign_types: Option<&[&str]>,
    channels: Option<&[&str]>,
) {
    let list = |l: Option<&[&str]>| l.map(|l| l.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    sqlx::query("SELECT auth.grant_access($1, $2, $3, $4)")
        .bind(group)
        .bind(role)
        .bind(list(campaign_types))
        .bind(list(channels))
        .execute(conn)
        .await
        .expect("grant access");
}
