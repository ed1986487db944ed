//! Administering who may see what (docs/security.md, "Granting access"): the identity provider
//! the dashboard database trusts, its signing keys, and which of its groups get which role
//! over which campaigns. Each call goes through the database's own functions, which check the
//! input and record the change in the audit trail under the database login that made it.

use outreach_model::{Channel, Role};
use sqlx::{PgConnection, Row as _};

/// A grant as the database keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupGrant {
    /// The identity provider's group.
    pub group: String,
    /// The role it gives.
    pub role: Role,
    /// The campaign types it covers (`None`: all).
    pub campaign_types: Option<Vec<String>>,
    /// The channels it covers (`None`: all).
    pub channels: Option<Vec<Channel>>,
    /// The database login that granted it.
    pub granted_by: String,
}

/// What went wrong administering access.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The database refused or failed.
    #[error(
        "the dashboard database refused ({0}): run this as the database's owner, after `outreach-etl migrate`"
    )]
    Database(#[source] sqlx::Error),
    /// The server has no pgaudit loaded.
    #[error(
        "this PostgreSQL server has not loaded pgaudit, so it cannot record the app's reads itself: on Debian install postgresql-<version>-pgaudit, add pgaudit to shared_preload_libraries and restart; on Amazon RDS add it to the parameter group's shared_preload_libraries and reboot (docs/security.md)"
    )]
    NoPgaudit,
    /// The login named is not one of the server's roles.
    #[error(
        "there is no database login {0:?}: give the login the app connects with (the one that holds outreach_reader)"
    )]
    NoSuchLogin(String),
    /// The JWKS document is not JSON.
    #[error(
        "the keys are not a JWKS document ({0}): give the provider's jwks_uri document, {{\"keys\": [...]}}"
    )]
    NotJwks(String),
}

impl From<sqlx::Error> for AccessError {
    fn from(err: sqlx::Error) -> Self {
        AccessError::Database(err)
    }
}

/// Has the server's pgaudit record every read the database login `login` (the app's) makes, in
/// the server's log: its own record of reads beside the audit trail, which it cannot be talked
/// out of by a client. Needs pgaudit loaded and a login allowed to set `pgaudit.log` for
/// others (a superuser; `rds_superuser` on RDS). The change is recorded in the audit trail.
pub async fn audit_reads(conn: &mut PgConnection, login: &str) -> Result<(), AccessError> {
    use sqlx::Executor as _;
    let loaded: bool = sqlx::query_scalar(
        "SELECT 'pgaudit' = ANY (string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ','))",
    )
    .fetch_one(&mut *conn)
    .await?;
    if !loaded {
        return Err(AccessError::NoPgaudit);
    }
    // ALTER ROLE takes no bind parameter: the name is quoted by the server itself.
    let quoted: Option<String> =
        sqlx::query_scalar("SELECT quote_ident(rolname) FROM pg_roles WHERE rolname = $1")
            .bind(login)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(quoted) = quoted else {
        return Err(AccessError::NoSuchLogin(login.to_owned()));
    };
    // Reads only, and never the statements' parameters: the sign-in's parameter is a token.
    conn.execute(sqlx::AssertSqlSafe(format!(
        "ALTER ROLE {quoted} SET pgaudit.log = 'read'"
    )))
    .await?;
    conn.execute(sqlx::AssertSqlSafe(format!(
        "ALTER ROLE {quoted} SET pgaudit.log_parameter = 'off'"
    )))
    .await?;
    sqlx::query(
        "SELECT audit.append(gen_random_uuid(), clock_timestamp(), 'database:' || session_user::text, NULL, 'access_change', $1::jsonb)",
    )
    .bind(serde_json::json!({"pgaudit": {"login": login, "log": "read"}}).to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Trusts `issuer` for tokens of `client_ids`, reading the person's groups from `groups_claim`.
pub async fn configure(
    conn: &mut PgConnection,
    issuer: &str,
    client_ids: &[String],
    groups_claim: &str,
    leeway_seconds: i32,
) -> Result<(), AccessError> {
    sqlx::query("SELECT auth.configure($1, $2, $3, $4)")
        .bind(issuer)
        .bind(client_ids)
        .bind(groups_claim)
        .bind(leeway_seconds)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces the provider's signing keys with those of `jwks` (its `jwks_uri` document); the
/// number of RSA signing keys kept.
pub async fn set_keys(conn: &mut PgConnection, jwks: &str) -> Result<i32, AccessError> {
    let parsed: serde_json::Value =
        serde_json::from_str(jwks).map_err(|err| AccessError::NotJwks(err.to_string()))?;
    Ok(sqlx::query_scalar("SELECT auth.set_keys($1::jsonb)")
        .bind(parsed.to_string())
        .fetch_one(conn)
        .await?)
}

/// Gives `group` `role` over the campaigns of `campaign_types` on `channels` (empty: all).
pub async fn grant(
    conn: &mut PgConnection,
    group: &str,
    role: Role,
    campaign_types: &[String],
    channels: &[Channel],
) -> Result<(), AccessError> {
    let types = (!campaign_types.is_empty()).then(|| campaign_types.to_vec());
    let channels = (!channels.is_empty()).then(|| {
        channels
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect::<Vec<_>>()
    });
    sqlx::query("SELECT auth.grant_access($1, $2, $3, $4)")
        .bind(group)
        .bind(role.as_str())
        .bind(types)
        .bind(channels)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes `group`'s grant; whether it had one.
pub async fn revoke(conn: &mut PgConnection, group: &str) -> Result<bool, AccessError> {
    Ok(sqlx::query_scalar("SELECT auth.revoke_access($1)")
        .bind(group)
        .fetch_one(conn)
        .await?)
}

/// Every grant, by group.
pub async fn grants(conn: &mut PgConnection) -> Result<Vec<GroupGrant>, AccessError> {
    let rows = sqlx::query(
        "SELECT group_name, role, campaign_types, channels, granted_by
         FROM auth.group_grants ORDER BY group_name",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let decode = |err: outreach_model::UnknownName| sqlx::Error::Decode(Box::new(err));
            let role: String = row.try_get("role")?;
            let channels: Option<Vec<String>> = row.try_get("channels")?;
            Ok(GroupGrant {
                group: row.try_get("group_name")?,
                role: role.parse().map_err(decode)?,
                campaign_types: row.try_get("campaign_types")?,
                channels: channels
                    .map(|list| list.iter().map(|c| c.parse().map_err(decode)).collect())
                    .transpose()?,
                granted_by: row.try_get("granted_by")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AccessError::from)
}
