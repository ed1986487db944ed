//! What can go wrong when the dashboard asks its database, said so a person knows what to do.

use outreach_model::CampaignId;

/// A question the dashboard could not answer.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// The database URL does not parse.
    #[error(
        "the database URL is not valid ({0}): write it as postgres://user@host:5432/dbname or as a path to an SQLite file"
    )]
    BadUrl(String),
    /// A server other than this machine, reached with TLS that does not check it.
    #[error(
        "the dashboard database at {host} is reached with sslmode={mode}, which does not check that the server is the one named (anyone on the network path could read the data and the sign-in token): remove sslmode from the URL (verify-full is the default) or set sslmode=verify-full; if the server's certificate is not from Amazon RDS, name its CA with database_ca in the config file"
    )]
    WeakTls {
        /// The server's name.
        host: String,
        /// The mode asked for.
        mode: &'static str,
    },
    /// No SQLite file at the path.
    #[error(
        "there is no dashboard database file at {0}: check the path, or leave the database unset to use the demo"
    )]
    NoSuchFile(String),
    /// The server did not answer or refused the connection.
    #[error(
        "cannot reach the dashboard database ({0}): check that it is running, the URL and your network, then try again"
    )]
    Unreachable(String),
    /// The database is at another schema version than this build reads.
    #[error(
        "the dashboard database is at schema version {found}, but this build reads version {expected}: {advice}",
        advice = if *found < *expected { "run `outreach-etl migrate` against it (or ask its administrator to)" } else { "update Outreach Dashboard to a newer version" }
    )]
    WrongSchema {
        /// The newest migration the database has (0: none, not a dashboard database).
        found: i64,
        /// The newest migration this build has.
        expected: i64,
    },
    /// No campaign with this id.
    #[error(
        "there is no campaign {0} in the dashboard database: `outreach campaigns` lists the campaigns and their ids"
    )]
    UnknownCampaign(CampaignId),
    /// A stored reach sketch does not decode.
    #[error(
        "a stored reach sketch is damaged ({0}): rerun the ETL with --full to rebuild the sketches"
    )]
    CorruptSketch(String),
    /// A ranking that cannot be asked for.
    #[error(transparent)]
    Ranking(#[from] crate::dashboard::RankingError),
    /// The database shows this login nothing until it signs in.
    #[error(
        "the dashboard database shows nothing to this login without a sign-in: configure the identity provider (docs/security.md) and sign in"
    )]
    NotSignedIn,
    /// The database checked the sign-in's token and refused it.
    #[error(
        "the dashboard database refused the sign-in ({0}): sign in again; if it is refused again, ask an administrator to check your groups and the provider's settings"
    )]
    SignInRefused(String),
    /// A query failed.
    #[error("the dashboard database failed while {context}: {source}")]
    Query {
        /// What was being read.
        context: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
}

impl DashboardError {
    pub(crate) fn unreachable(err: sqlx::Error) -> Self {
        DashboardError::Unreachable(crate::store::without_secrets(&err.to_string()))
    }
}

impl From<DashboardError> for outreach_model::ApiError {
    /// The IPC's form of the error: its message as written above, and a code for the view.
    fn from(err: DashboardError) -> Self {
        use outreach_model::ErrorCode;
        let code = match &err {
            DashboardError::UnknownCampaign(_) | DashboardError::Ranking(_) => {
                ErrorCode::BadRequest
            }
            DashboardError::BadUrl(_)
            | DashboardError::WeakTls { .. }
            | DashboardError::NoSuchFile(_)
            | DashboardError::Unreachable(_)
            | DashboardError::WrongSchema { .. } => ErrorCode::Unavailable,
            DashboardError::CorruptSketch(_) | DashboardError::Query { .. } => ErrorCode::Data,
            DashboardError::NotSignedIn | DashboardError::SignInRefused(_) => ErrorCode::SignIn,
        };
        outreach_model::ApiError::new(code, crate::store::without_secrets(&err.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::DashboardError;
    use crate::dashboard::RankingError;
    use outreach_model::{ApiError, CampaignId, ErrorCode, Metric};

    /// Every failure reaches the view with the code that tells it what to offer (fix the
    /// question, retry, or report the data), its advice intact and no password.
    #[test]
    fn each_failure_has_its_code_its_advice_and_no_secret() {
        let secret = "s3cret-pw";
        let url = format!("postgres://reader:{secret}@127.0.0.1:5432/dashboard");
        let cases = [
            (
                DashboardError::UnknownCampaign(CampaignId::from_u128(7)),
                ErrorCode::BadRequest,
                "`outreach campaigns` lists the campaigns",
            ),
            (
                DashboardError::Ranking(RankingError::NotARate(Metric::Reach)),
                ErrorCode::BadRequest,
                "is not a rate",
            ),
            (
                DashboardError::Ranking(RankingError::Minimum(-1)),
                ErrorCode::BadRequest,
                "0 or more",
            ),
            (
                DashboardError::BadUrl(format!("{url} has no host")),
                ErrorCode::Unavailable,
                "write it as postgres://",
            ),
            (
                DashboardError::NoSuchFile("/nowhere/dash.sqlite".into()),
                ErrorCode::Unavailable,
                "check the path",
            ),
            (
                DashboardError::Unreachable(format!("connecting to {url}: refused")),
                ErrorCode::Unavailable,
                "then try again",
            ),
            (
                DashboardError::WrongSchema {
                    found: 3,
                    expected: 9,
                },
                ErrorCode::Unavailable,
                "run `outreach-etl migrate`",
            ),
            (
                DashboardError::WrongSchema {
                    found: 12,
                    expected: 9,
                },
                ErrorCode::Unavailable,
                "update Outreach Dashboard",
            ),
            (
                DashboardError::NotSignedIn,
                ErrorCode::SignIn,
                "configure the identity provider",
            ),
            (
                DashboardError::SignInRefused("the token has expired".into()),
                ErrorCode::SignIn,
                "sign in again",
            ),
            (
                DashboardError::CorruptSketch("truncated".into()),
                ErrorCode::Data,
                "rerun the ETL with --full",
            ),
            (
                DashboardError::Query {
                    context: "reading the summary",
                    source: sqlx::Error::ColumnNotFound(format!("reach from {url}")),
                },
                ErrorCode::Data,
                "failed while reading the summary",
            ),
        ];
        for (err, code, advice) in cases {
            let said = err.to_string();
            let api = ApiError::from(err);
            assert_eq!(api.code, code, "{said}");
            assert!(api.message.contains(advice), "{}", api.message);
            assert!(!api.message.contains(secret), "{}", api.message);
        }
    }
}
