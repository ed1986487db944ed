//! The configuration of the app and the `outreach` command, typed and layered: the defaults,
//! then `config.toml` in the OS config directory, then the `OUTREACH_*` environment variables,
//! then a binary's flags, each later layer winning. It is read once, at the edge, into
//! [`Config`]; the database URL, which may hold a password, is a [`SecretString`] that no
//! `Debug` and no message shows.
//!
//! ```toml
//! # ~/.config/outreach-dashboard/config.toml
//! database_url = "postgres://reader@db.example.org:5432/dashboard"
//! # database_ca = "/etc/ssl/our-db-ca.pem"   # default: Amazon RDS's CA bundle (assets/)
//!
//! [ranking]
//! min_volume = 100   # the least impressions (sent messages for the delivery rate) to be ranked
//!
//! [sign_in]          # the identity provider (docs/security.md); none: no sign-in
//! issuer = "https://login.example.org"
//! client_id = "outreach-desktop"
//! scopes = ["groups", "offline_access"]   # the default
//! # prompt = "consent"                    # for providers that grant offline_access only so
//!
//! [service]          # scheduled reports under a service identity (client credentials)
//! client_id = "outreach-reports"          # or OUTREACH_SERVICE_CLIENT_ID; the secret only in
//! # scopes = ["api://outreach/.default"]  # OUTREACH_SERVICE_CLIENT_SECRET, never in this file
//! # resource = "urn:outreach-dashboard"
//! ```
//!
//! Layering four sources over two settings is done here rather than with a configuration
//! crate: the rules (an empty variable is unset, every error names the file or variable and
//! what to write) are ours either way.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::DEFAULT_MIN_VOLUME;
use crate::paths::AppDirs;

/// The environment variable of the database.
pub const DATABASE_VARIABLE: &str = "OUTREACH_DATABASE_URL";
/// The environment variable of the identity provider's issuer URL.
pub const ISSUER_VARIABLE: &str = "OUTREACH_OIDC_ISSUER";
/// The environment variable of this app's client id at the identity provider.
pub const CLIENT_ID_VARIABLE: &str = "OUTREACH_OIDC_CLIENT_ID";
/// The environment variable of the ranking's minimum volume.
pub const DATABASE_CA_VARIABLE: &str = "OUTREACH_DATABASE_CA";
/// The variable that names the service identity's client id.
pub const SERVICE_ID_VARIABLE: &str = "OUTREACH_SERVICE_CLIENT_ID";
/// The variable that holds the service identity's client secret (the only place it is read).
pub const SERVICE_SECRET_VARIABLE: &str = "OUTREACH_SERVICE_CLIENT_SECRET";
/// The variable that sets the ranking's minimum volume.
pub const MIN_VOLUME_VARIABLE: &str = "OUTREACH_RANKING_MIN_VOLUME";

/// A dashboard database: a `postgres://` URL (which may hold a password) or an SQLite file.
#[derive(Clone)]
pub struct DatabaseUrl(SecretString);

impl DatabaseUrl {
    /// The database at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        DatabaseUrl(SecretString::from(url.into()))
    }

    /// The URL itself, to connect with; never to print (see [`DatabaseUrl`]'s `Debug`).
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for DatabaseUrl {
    /// The URL without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DatabaseUrl({})",
            crate::store::without_secrets(self.expose())
        )
    }
}

/// Which database to read.
#[derive(Debug, Clone)]
pub enum Database {
    /// The one configured.
    Configured(DatabaseUrl),
    /// None is configured: the demo database of synthetic data, built on first use.
    Demo,
}

/// The configuration, every layer applied.
#[derive(Debug, Clone)]
pub struct Config {
    /// The database to read.
    pub database: Database,
    /// The least volume a campaign needs to be ranked best or worst.
    pub min_volume: i64,
    /// The identity provider people sign in with (`None`: no sign-in, as for the demo).
    pub sign_in: Option<crate::signin::ProviderConfig>,
    /// The service identity scheduled reports run under, when one is configured (it is used
    /// instead of a person's sign-in).
    pub service: Option<crate::signin::ServiceCredentials>,
    /// The CA the database server's certificate is checked against (`None`: Amazon RDS's);
    /// already in [`Config::database`]'s URL as its `sslrootcert`.
    pub database_ca: Option<PathBuf>,
}

/// `url` with `sslrootcert=<ca>`, unless it names one already (or is not a PostgreSQL URL).
fn with_root_cert(url: &str, ca: &Path) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed)
            if matches!(parsed.scheme(), "postgres" | "postgresql")
                && !parsed.query_pairs().any(|(key, _)| {
                    matches!(key.as_ref(), "sslrootcert" | "ssl-root-cert" | "ssl-ca")
                }) =>
        {
            parsed
                .query_pairs_mut()
                .append_pair("sslrootcert", &ca.display().to_string());
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// What a binary's flags set, over everything else.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--database`.
    pub database: Option<String>,
    /// `--min-volume`.
    pub min_volume: Option<i64>,
}

/// The configuration could not be read; nothing is guessed instead.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but cannot be read.
    #[error("cannot read the config file {} ({source}): fix its permissions or remove it", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error(
        "the config file {} is not valid ({reason}): it may set database_url = \"postgres://…\" and, under [ranking], min_volume = 100",
        path.display()
    )]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, as the TOML reader says it.
        reason: String,
    },
    /// A variable has a value that cannot be one.
    #[error("the environment variable {name} is not valid ({reason}): {advice}")]
    Variable {
        /// The variable.
        name: &'static str,
        /// What is wrong.
        reason: String,
        /// What to write.
        advice: &'static str,
    },
    /// A minimum volume below zero.
    #[error("the ranking's minimum volume is {0}: give a number of messages, 0 or more")]
    NegativeMinimum(i64),
    /// The CA file named for the database's certificate is not there.
    #[error(
        "the database's CA file {} cannot be read ({reason}): give the path of a PEM file with your database server's CA (database_ca in the config file or {DATABASE_CA_VARIABLE}), or remove the setting to use Amazon RDS's",
        path.display()
    )]
    NoCaFile {
        /// The path given.
        path: PathBuf,
        /// What the OS said.
        reason: String,
    },
    /// A service identity missing its secret, its provider, or with its secret in the file.
    #[error("{0}")]
    Service(&'static str),
    /// An issuer without a client id, or the other way round.
    #[error(
        "sign-in needs both the identity provider's issuer and this app's client id: set [sign_in] issuer = \"https://…\" and client_id = \"…\" in the config file (or {ISSUER_VARIABLE} and {CLIENT_ID_VARIABLE})"
    )]
    HalfASignIn,
    /// There is no home to find the config file in.
    #[error(transparent)]
    NoHome(#[from] crate::paths::NoHome),
}

/// `config.toml`, as written.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    database_url: Option<String>,
    database_ca: Option<PathBuf>,
    #[serde(default)]
    ranking: RankingFile,
    sign_in: Option<SignInFile>,
    service: Option<ServiceFile>,
}

/// `[service]`: a service identity for scheduled reports (docs/security.md).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceFile {
    client_id: Option<String>,
    scopes: Option<Vec<String>>,
    resource: Option<String>,
    /// Refused with its own message: a secret does not belong in the file.
    client_secret: Option<toml::Value>,
}

/// `[sign_in]`: the identity provider (docs/security.md).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SignInFile {
    issuer: Option<String>,
    client_id: Option<String>,
    scopes: Option<Vec<String>>,
    prompt: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RankingFile {
    min_volume: Option<i64>,
}

impl Config {
    /// The configuration of `dirs`' config file, this process's environment and `overrides`.
    pub fn load(dirs: &AppDirs, overrides: Overrides) -> Result<Config, ConfigError> {
        let path = dirs.config_file();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => return Err(ConfigError::Unreadable { path, source }),
        };
        let config = Config::from_layers(
            text.as_deref().map(|text| (path.as_path(), text)),
            |name| std::env::var(name).ok(),
            overrides,
        )?;
        if let Some(ca) = &config.database_ca
            && let Err(err) = std::fs::File::open(ca)
        {
            return Err(ConfigError::NoCaFile {
                path: ca.clone(),
                reason: err.to_string(),
            });
        }
        Ok(config)
    }

    /// The configuration of a config file's text (and its path, for messages), the variables
    /// `variable` gives, and `overrides`.
    pub fn from_layers(
        file: Option<(&Path, &str)>,
        variable: impl Fn(&str) -> Option<String>,
        overrides: Overrides,
    ) -> Result<Config, ConfigError> {
        let file = match file {
            Some((path, text)) => {
                toml::from_str::<ConfigFile>(text).map_err(|err| ConfigError::Invalid {
                    path: path.to_path_buf(),
                    reason: err.message().to_owned(),
                })?
            }
            None => ConfigFile::default(),
        };
        // An empty variable is no variable (a script clears a setting with `VAR=`).
        let variable = |name: &str| variable(name).filter(|value| !value.trim().is_empty());
        let min_volume_variable = variable(MIN_VOLUME_VARIABLE)
            .map(|text| {
                text.trim()
                    .parse::<i64>()
                    .map_err(|err| ConfigError::Variable {
                        name: MIN_VOLUME_VARIABLE,
                        reason: err.to_string(),
                        advice: "give a whole number of messages, e.g. 100",
                    })
            })
            .transpose()?;
        let database_ca = variable(DATABASE_CA_VARIABLE)
            .map(PathBuf::from)
            .or(file.database_ca);
        let database = overrides
            .database
            .filter(|url| !url.trim().is_empty())
            .or_else(|| variable(DATABASE_VARIABLE))
            .or(file.database_url.filter(|url| !url.trim().is_empty()))
            .map(|url| match &database_ca {
                Some(ca) => with_root_cert(&url, ca),
                None => url,
            });
        let min_volume = overrides
            .min_volume
            .or(min_volume_variable)
            .or(file.ranking.min_volume)
            .unwrap_or(DEFAULT_MIN_VOLUME);
        if min_volume < 0 {
            return Err(ConfigError::NegativeMinimum(min_volume));
        }
        let sign_in_file = file.sign_in.unwrap_or_default();
        let issuer = variable(ISSUER_VARIABLE).or(sign_in_file.issuer);
        let client_id = variable(CLIENT_ID_VARIABLE).or(sign_in_file.client_id);
        let sign_in = match (issuer, client_id) {
            (None, None) => None,
            (Some(issuer), Some(client_id)) => Some(crate::signin::ProviderConfig {
                issuer: issuer.trim().to_owned(),
                client_id: client_id.trim().to_owned(),
                scopes: sign_in_file.scopes.unwrap_or_else(|| {
                    crate::signin::DEFAULT_SCOPES
                        .iter()
                        .map(|s| (*s).to_owned())
                        .collect()
                }),
                prompt: sign_in_file.prompt,
            }),
            _ => return Err(ConfigError::HalfASignIn),
        };
        let service_file = file.service.unwrap_or_default();
        if service_file.client_secret.is_some() {
            return Err(ConfigError::Service(
                "the config file holds [service] client_secret: remove it (a file is not the place for a secret) and set OUTREACH_SERVICE_CLIENT_SECRET in the scheduled job's environment instead",
            ));
        }
        let service_id = variable(SERVICE_ID_VARIABLE).or(service_file.client_id);
        let service = match (service_id, variable(SERVICE_SECRET_VARIABLE)) {
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError::Service(
                    "a service identity is configured but OUTREACH_SERVICE_CLIENT_SECRET is not set: set it in the scheduled job's environment",
                ));
            }
            (None, Some(_)) => {
                return Err(ConfigError::Service(
                    "OUTREACH_SERVICE_CLIENT_SECRET is set but no service client id: set OUTREACH_SERVICE_CLIENT_ID or [service] client_id",
                ));
            }
            (Some(client_id), Some(secret)) => {
                if sign_in.is_none() {
                    return Err(ConfigError::Service(
                        "a service identity needs the identity provider: set [sign_in] issuer and client_id (docs/security.md)",
                    ));
                }
                Some(crate::signin::ServiceCredentials {
                    client_id: client_id.trim().to_owned(),
                    client_secret: SecretString::from(secret),
                    scopes: service_file.scopes.unwrap_or_default(),
                    resource: service_file.resource,
                })
            }
        };
        Ok(Config {
            service,
            database_ca,
            sign_in,
            database: match database {
                Some(url) => Database::Configured(DatabaseUrl::new(url)),
                None => Database::Demo,
            },
            min_volume,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configured(config: &Config) -> Option<String> {
        match &config.database {
            Database::Configured(url) => Some(url.expose().to_owned()),
            Database::Demo => None,
        }
    }

    const FILE: &str = "database_url = \"postgres://file@db/dash\"\n[ranking]\nmin_volume = 40\n";

    #[test]
    fn each_layer_wins_over_the_ones_before() {
        let path = Path::new("/etc/config.toml");
        let none = |_: &str| None;
        let defaults = Config::from_layers(None, none, Overrides::default()).expect("defaults");
        assert_eq!(configured(&defaults), None);
        assert_eq!(defaults.min_volume, DEFAULT_MIN_VOLUME);

        let file =
            Config::from_layers(Some((path, FILE)), none, Overrides::default()).expect("the file");
        assert_eq!(
            configured(&file).as_deref(),
            Some("postgres://file@db/dash")
        );
        assert_eq!(file.min_volume, 40);

        let env = |name: &str| match name {
            DATABASE_VARIABLE => Some("postgres://env@db/dash".to_owned()),
            MIN_VOLUME_VARIABLE => Some(" 250 ".to_owned()),
            _ => None,
        };
        let variables =
            Config::from_layers(Some((path, FILE)), env, Overrides::default()).expect("variables");
        assert_eq!(
            configured(&variables).as_deref(),
            Some("postgres://env@db/dash")
        );
        assert_eq!(variables.min_volume, 250);

        let flags = Overrides {
            database: Some("/tmp/dash.sqlite".to_owned()),
            min_volume: Some(0),
        };
        let flagged = Config::from_layers(Some((path, FILE)), env, flags).expect("flags");
        assert_eq!(configured(&flagged).as_deref(), Some("/tmp/dash.sqlite"));
        assert_eq!(flagged.min_volume, 0);

        // An empty variable or flag is not set: the file's value stands.
        let empty = |_: &str| Some(String::new());
        let cleared = Overrides {
            database: Some(" ".to_owned()),
            min_volume: None,
        };
        let kept = Config::from_layers(Some((path, FILE)), empty, cleared).expect("empty");
        assert_eq!(
            configured(&kept).as_deref(),
            Some("postgres://file@db/dash")
        );
    }

    #[test]
    fn a_wrong_file_or_variable_says_where_and_what_to_write() {
        let path = Path::new("/etc/config.toml");
        let none = |_: &str| None;
        for (text, says) in [
            ("database_url = 5432", "invalid type"),
            ("[ranking]\nmin_volume = \"many\"", "invalid type"),
            ("colour = \"blue\"", "unknown field"),
            ("database_url = \"postgres://", "invalid"),
        ] {
            let err = Config::from_layers(Some((path, text)), none, Overrides::default())
                .expect_err(text)
                .to_string();
            assert!(
                err.contains("/etc/config.toml") && err.contains(says),
                "{err}"
            );
            assert!(err.contains("min_volume = 100"), "{err}");
        }
        let bad = |name: &str| (name == MIN_VOLUME_VARIABLE).then(|| "lots".to_owned());
        let err = Config::from_layers(None, bad, Overrides::default()).expect_err("a bad variable");
        assert!(matches!(
            err,
            ConfigError::Variable {
                name: MIN_VOLUME_VARIABLE,
                ..
            }
        ));
        assert!(err.to_string().contains("e.g. 100"), "{err}");
        let negative = Overrides {
            min_volume: Some(-1),
            ..Overrides::default()
        };
        assert!(matches!(
            Config::from_layers(None, none, negative),
            Err(ConfigError::NegativeMinimum(-1))
        ));
    }

    #[test]
    fn sign_in_needs_an_issuer_and_a_client_id() {
        let path = Path::new("/etc/config.toml");
        let none = |_: &str| None;
        let file = "[sign_in]\nissuer = \"https://login.example.org\"\nclient_id = \"outreach\"\nprompt = \"consent\"\n";
        let config =
            Config::from_layers(Some((path, file)), none, Overrides::default()).expect("a sign-in");
        let sign_in = config.sign_in.expect("configured");
        assert_eq!(sign_in.issuer, "https://login.example.org");
        assert_eq!(sign_in.client_id, "outreach");
        assert_eq!(sign_in.scopes, ["groups", "offline_access"]);
        assert_eq!(sign_in.prompt.as_deref(), Some("consent"));
        let env =
            |name: &str| (name == ISSUER_VARIABLE).then(|| "https://other.example.org".to_owned());
        let config = Config::from_layers(Some((path, file)), env, Overrides::default())
            .expect("the variable wins");
        assert_eq!(
            config.sign_in.expect("configured").issuer,
            "https://other.example.org"
        );
        let half = "[sign_in]\nissuer = \"https://login.example.org\"\n";
        let err = Config::from_layers(Some((path, half)), none, Overrides::default())
            .expect_err("no client id");
        assert!(err.to_string().contains("client_id"), "{err}");
        let none_set = Config::from_layers(None, none, Overrides::default()).expect("defaults");
        assert!(none_set.sign_in.is_none());
    }

    #[test]
    fn an_unreadable_file_is_an_error_and_a_missing_one_the_defaults() {
        let home = tempfile::tempdir().expect("a home");
        let dirs = AppDirs::under(home.path());
        let config = Config::load(&dirs, Overrides::default()).expect("no file");
        assert_eq!(config.min_volume, DEFAULT_MIN_VOLUME);
        // A folder where the file should be cannot be read, even by root.
        std::fs::create_dir_all(dirs.config_file()).expect("a folder in the file's place");
        let err = Config::load(&dirs, Overrides::default()).expect_err("unreadable");
        assert!(matches!(err, ConfigError::Unreadable { .. }), "{err}");
        assert!(err.to_string().contains("fix its permissions"), "{err}");
    }

    #[test]
    fn the_database_password_never_shows() {
        let url = DatabaseUrl::new("postgres://reader:s3cret@db.example.org/dash");
        let shown = format!(
            "{url:?} {:?}",
            Config {
                database: Database::Configured(url.clone()),
                min_volume: 1,
                sign_in: None,
                database_ca: None,
                service: None,
            }
        );
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("db.example.org"), "{shown}");
        assert_eq!(url.expose(), "postgres://reader:s3cret@db.example.org/dash");
    }

    #[test]
    fn a_database_ca_becomes_the_urls_root_certificate_and_must_exist() {
        let none = |_: &str| None;
        let path = Path::new("config.toml");
        let text = "database_url = \"postgres://r@db.example.org/dash\"\ndatabase_ca = \"/etc/ssl/our ca.pem\"\n";
        let config =
            Config::from_layers(Some((path, text)), none, Overrides::default()).expect("valid");
        assert_eq!(
            config.database_ca.as_deref(),
            Some(Path::new("/etc/ssl/our ca.pem"))
        );
        let url = configured(&config).expect("a URL");
        let parsed = url::Url::parse(&url).expect("still a URL");
        assert_eq!(
            parsed.query_pairs().collect::<Vec<_>>(),
            vec![("sslrootcert".into(), "/etc/ssl/our ca.pem".into())]
        );
        // A URL that names its own keeps it; the variable wins over the file.
        let own = "postgres://r@db/dash?sslrootcert=%2Fmine.pem";
        assert_eq!(with_root_cert(own, Path::new("/other.pem")), own);
        let config = Config::from_layers(
            Some((path, text)),
            |name| (name == DATABASE_CA_VARIABLE).then(|| "/var/ca.pem".to_owned()),
            Overrides::default(),
        )
        .expect("valid");
        assert_eq!(
            config.database_ca.as_deref(),
            Some(Path::new("/var/ca.pem"))
        );

        let home = tempfile::tempdir().expect("a home");
        let dirs = AppDirs::under(home.path());
        std::fs::create_dir_all(dirs.config_file().parent().expect("folder")).expect("folder");
        std::fs::write(dirs.config_file(), text).expect("write");
        let err = Config::load(&dirs, Overrides::default()).expect_err("no such CA file");
        assert!(matches!(err, ConfigError::NoCaFile { .. }), "{err}");
        assert!(err.to_string().contains("database_ca"), "{err}");
    }

    #[test]
    fn a_service_identity_takes_its_secret_from_the_environment_only() {
        let path = Path::new("config.toml");
        let text = "[sign_in]\nissuer = \"https://idp\"\nclient_id = \"desk\"\n[service]\nclient_id = \"reports\"\nresource = \"urn:r\"\n";
        let env = |secret: Option<&'static str>| {
            move |name: &str| {
                (name == SERVICE_SECRET_VARIABLE)
                    .then(|| secret.map(str::to_owned))
                    .flatten()
            }
        };
        let config =
            Config::from_layers(Some((path, text)), env(Some("pssst")), Overrides::default())
                .expect("valid");
        let service = config.service.expect("a service");
        assert_eq!(service.client_id, "reports");
        assert_eq!(service.resource.as_deref(), Some("urn:r"));
        assert_eq!(service.client_secret.expose_secret(), "pssst");
        assert!(!format!("{service:?}").contains("pssst"));

        let err = Config::from_layers(Some((path, text)), env(None), Overrides::default())
            .expect_err("no secret");
        assert!(err.to_string().contains(SERVICE_SECRET_VARIABLE), "{err}");
        let in_file = format!("{text}client_secret = \"pssst\"\n");
        let err = Config::from_layers(Some((path, &in_file)), env(Some("x")), Overrides::default())
            .expect_err("a secret in the file");
        assert!(
            err.to_string().contains("not the place for a secret"),
            "{err}"
        );
        assert!(!err.to_string().contains("pssst"), "{err}");
        let no_provider = "[service]\nclient_id = \"reports\"\n";
        let err = Config::from_layers(
            Some((path, no_provider)),
            env(Some("x")),
            Overrides::default(),
        )
        .expect_err("no provider");
        assert!(err.to_string().contains("[sign_in]"), "{err}");
    }
}
