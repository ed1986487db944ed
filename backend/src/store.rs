//! The two stores the dashboard reads: the dashboard database on PostgreSQL and the same
//! logical schema on SQLite (the demo database, later the offline cache). Each query is written
//! once as a template; the few places where the dialects differ are markers filled in per store,
//! and every value travels as a bind.

use std::str::FromStr;
use std::time::Duration;

use outreach_model::{CampaignId, parse_date};
use sqlx::postgres::PgSslMode;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
};
use sqlx::{AssertSqlSafe, Row};
use time::{Date, OffsetDateTime};

use crate::DashboardError;
use crate::access::SignIn;

/// How long a read may run before the database cancels it.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long to wait for a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A connected store.
#[derive(Debug, Clone)]
pub enum Store {
    /// The dashboard database.
    Postgres(PgPool),
    /// An SQLite file with the same schema.
    Sqlite(SqlitePool),
}

impl Store {
    /// Connects to `url`: `postgres://…` or `postgresql://…`, else `sqlite://…` or a file path.
    pub async fn connect(url: &str) -> Result<Store, DashboardError> {
        Store::connect_with(url, None).await
    }

    /// Connects to `url`, each PostgreSQL connection signed in with `sign_in` before its first
    /// question (an SQLite store has no sign-in and ignores it).
    pub async fn connect_with(url: &str, sign_in: Option<SignIn>) -> Result<Store, DashboardError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = postgres_options(url)?;
            let mut pool = PgPoolOptions::new();
            if let Some(sign_in) = sign_in {
                // Once on a connection of its own first: the pool retries a connection that
                // fails until its timeout and then says only that it timed out, where a refused
                // sign-in must say why. (The same event id: the sign-in is recorded once.)
                let mut first = sqlx::ConnectOptions::connect(&options)
                    .await
                    .map_err(DashboardError::unreachable)?;
                let signed_in = crate::access::sign_in(&mut first, &sign_in).await;
                let _ = sqlx::Connection::close(first).await;
                if let Err(err) = signed_in {
                    return Err(match crate::access::refusal(&err) {
                        Some(reason) => DashboardError::SignInRefused(reason),
                        None => DashboardError::unreachable(err),
                    });
                }
                let renewed = sign_in.clone();
                pool = pool
                    .after_connect(move |conn, _| {
                        let sign_in = sign_in.clone();
                        Box::pin(async move { crate::access::sign_in(conn, &sign_in).await })
                    })
                    // A connection signed in before the token was renewed is closed and
                    // replaced by one that hands the database the new token: the old session
                    // ends when the old token expires.
                    .before_acquire(move |_, meta| {
                        let fresh = !renewed.is_older(meta.age);
                        Box::pin(async move { Ok(fresh) })
                    });
            }
            let pool = pool
                .max_connections(4)
                .acquire_timeout(CONNECT_TIMEOUT)
                // No ping before each query (a round trip, far from RDS a long one): a dropped
                // connection fails that one query, the caller's retry gets a new one, and idle
                // connections are closed before a server or proxy would drop them.
                .test_before_acquire(false)
                .idle_timeout(Duration::from_secs(120))
                .connect_with(options)
                .await
                .map_err(DashboardError::unreachable)?;
            Ok(Store::Postgres(pool))
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            if !std::path::Path::new(path).is_file() {
                return Err(DashboardError::NoSuchFile(path.to_owned()));
            }
            let options = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(false)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .acquire_timeout(CONNECT_TIMEOUT)
                .connect_with(options)
                .await
                .map_err(DashboardError::unreachable)?;
            Ok(Store::Sqlite(pool))
        }
    }

    /// PostgreSQL or SQLite.
    pub fn kind(&self) -> outreach_model::StoreKind {
        match self {
            Store::Postgres(_) => outreach_model::StoreKind::Postgres,
            Store::Sqlite(_) => outreach_model::StoreKind::Sqlite,
        }
    }

    /// Runs `statement` and returns its rows.
    pub(crate) async fn fetch(&self, statement: &Statement) -> Result<Rows, DashboardError> {
        let Statement {
            context,
            template,
            values,
        } = statement;
        let failed = |source| DashboardError::Query { context, source };
        match self {
            Store::Postgres(pool) => {
                let sql = postgres_sql(template);
                let query = bind_postgres(sqlx::query(AssertSqlSafe(sql)), values);
                Ok(Rows::Postgres(query.fetch_all(pool).await.map_err(failed)?))
            }
            Store::Sqlite(pool) => {
                let sql = sqlite_sql(template);
                let query = bind_sqlite(sqlx::query(AssertSqlSafe(sql)), values);
                Ok(Rows::Sqlite(query.fetch_all(pool).await.map_err(failed)?))
            }
        }
    }

    /// Runs `statement` and hands each row to `each` as it arrives, never holding them all:
    /// for reads of many large values (reach sketches over long ranges).
    pub(crate) async fn for_each(
        &self,
        statement: &Statement,
        mut each: impl FnMut(&dyn Read) -> Result<(), DashboardError>,
    ) -> Result<(), DashboardError> {
        use futures_util::TryStreamExt as _;
        let Statement {
            context,
            template,
            values,
        } = statement;
        let failed = |source| DashboardError::Query { context, source };
        match self {
            Store::Postgres(pool) => {
                let sql = postgres_sql(template);
                let query = bind_postgres(sqlx::query(AssertSqlSafe(sql)), values);
                let mut rows = query.fetch(pool);
                while let Some(row) = rows.try_next().await.map_err(failed)? {
                    each(&row)?;
                }
            }
            Store::Sqlite(pool) => {
                let sql = sqlite_sql(template);
                let query = bind_sqlite(sqlx::query(AssertSqlSafe(sql)), values);
                let mut rows = query.fetch(pool);
                while let Some(row) = rows.try_next().await.map_err(failed)? {
                    each(&row)?;
                }
            }
        }
        Ok(())
    }
}

/// One query: a template (the same SQL for both stores, with the dialect markers of this
/// module), the values bound to its `$1`, `$2`, … in order, and what it reads, for messages.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    /// What the query reads, as a failure's message says it ("reading segments").
    pub context: &'static str,
    /// The SQL with markers.
    pub template: String,
    /// The values of `$1`, `$2`, ….
    pub values: Vec<Value>,
}

impl Statement {
    /// `template` with `values` bound in order.
    pub fn new(context: &'static str, template: impl Into<String>, values: Vec<Value>) -> Self {
        Statement {
            context,
            template: template.into(),
            values,
        }
    }
}

/// Amazon RDS's root certificates (every commercial region's, unexpired), the CA a server
/// other than loopback is checked against unless the URL's `sslrootcert` (the config file's
/// `database_ca`) names another (assets/README.md says where they come from).
pub const RDS_CA_BUNDLE: &[u8] = include_bytes!("../../assets/rds-global-bundle.pem");

/// Whether `host` (a name, an address or a Unix socket's folder) is this machine.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.starts_with('/')
        || host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// TLS for `options` (read from `url`): a server other than loopback is reached only with
/// `verify-full` (encrypted, its certificate from a trusted CA and for the name connected to),
/// against Amazon RDS's CA unless the URL names another; a weaker mode the URL asks for is
/// refused, not quietly used. Loopback is left as the URL says (a local server often has no
/// certificate; there is no path to listen on).
fn require_verified_tls(
    options: PgConnectOptions,
    url: &str,
) -> Result<PgConnectOptions, DashboardError> {
    let query: Vec<(String, String)> = url::Url::parse(url)
        .map(|url| url.query_pairs().into_owned().collect())
        .unwrap_or_default();
    let named = |key: &str| query.iter().any(|(k, _)| k == key);
    let asked = named("sslmode") || std::env::var_os("PGSSLMODE").is_some();
    let mode = options.get_ssl_mode();
    let verifies = matches!(mode, PgSslMode::VerifyFull | PgSslMode::VerifyCa);
    let with_ca = |options: PgConnectOptions| {
        // sqlx reads the CA from any of these names.
        if ["sslrootcert", "ssl-root-cert", "ssl-ca"]
            .iter()
            .any(|key| named(key))
            || std::env::var_os("PGSSLROOTCERT").is_some()
        {
            options
        } else {
            options.ssl_root_cert_from_pem(RDS_CA_BUNDLE.to_vec())
        }
    };
    let host = options.get_host().to_owned();
    if is_loopback(&host) {
        return Ok(if verifies { with_ca(options) } else { options });
    }
    match mode {
        PgSslMode::VerifyFull => Ok(with_ca(options)),
        PgSslMode::Prefer if !asked => Ok(with_ca(options.ssl_mode(PgSslMode::VerifyFull))),
        weaker => Err(DashboardError::WeakTls {
            host,
            mode: match weaker {
                PgSslMode::Disable => "disable",
                PgSslMode::Allow => "allow",
                PgSslMode::Prefer => "prefer",
                PgSslMode::Require => "require",
                PgSslMode::VerifyCa => "verify-ca",
                PgSslMode::VerifyFull => "verify-full",
            },
        }),
    }
}

/// The options of every connection the dashboard opens to `url`: reads only, never for long
/// (a runaway query is cancelled, not waited on), and over TLS that checks the server unless
/// it is this machine ([`require_verified_tls`]).
pub fn postgres_options(url: &str) -> Result<PgConnectOptions, DashboardError> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|err| DashboardError::BadUrl(without_secrets(&err.to_string())))?;
    Ok(require_verified_tls(options, url)?
        .options([
            (
                "statement_timeout",
                STATEMENT_TIMEOUT.as_millis().to_string().as_str(),
            ),
            ("default_transaction_read_only", "on"),
            // Every template tests "an empty list lets everything through"; a generic plan
            // cannot know which lists are empty and falls back to scanning.
            ("plan_cache_mode", "force_custom_plan"),
            // The tables are read through the views that show a connection only its scope
            // (docs/security.md); a temporary table never stands in for one of them.
            ("search_path", "dashboard, public, pg_temp"),
            // The views' scope checks are costed as if they ran for every row (a viewer's do),
            // which lifts the estimate of a 30 ms page above jit_above_cost: PostgreSQL then
            // spends about 600 ms compiling it (BENCHMARKS.md, issue 14). No question of the
            // dashboard runs long enough to win that back.
            ("jit", "off"),
        ])
        .application_name("outreach-dashboard"))
}

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;
type SqliteQuery<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>;

fn bind_postgres<'q>(mut query: PgQuery<'q>, values: &[Value]) -> PgQuery<'q> {
    for value in values {
        query = match value {
            Value::Date(day) => query.bind(*day),
            Value::Ids(ids) => query.bind(
                ids.iter()
                    .map(|id| uuid::Uuid::from_u128(id.as_u128()))
                    .collect::<Vec<_>>(),
            ),
            Value::Texts(texts) => query.bind(texts.clone()),
            Value::Dates(days) => query.bind(days.clone()),
            Value::Text(text) => query.bind(text.clone()),
            Value::Int(int) => query.bind(*int),
            Value::Bool(flag) => query.bind(*flag),
        };
    }
    query
}

fn bind_sqlite<'q>(mut query: SqliteQuery<'q>, values: &[Value]) -> SqliteQuery<'q> {
    for value in values {
        query = match value {
            Value::Date(day) => query.bind(day.to_string()),
            Value::Ids(ids) => query.bind(json_array(ids.iter().map(|id| id.to_string()))),
            Value::Texts(texts) => query.bind(json_array(texts.iter().cloned())),
            Value::Dates(days) => query.bind(json_array(days.iter().map(ToString::to_string))),
            Value::Text(text) => query.bind(text.clone()),
            Value::Int(int) => query.bind(*int),
            Value::Bool(flag) => query.bind(*flag),
        };
    }
    query
}

/// A value bound to a query.
#[derive(Debug, Clone)]
pub enum Value {
    /// A day.
    Date(Date),
    /// Campaign ids (all when empty, by the templates' convention).
    Ids(Vec<CampaignId>),
    /// Names (all when empty, by the templates' convention).
    Texts(Vec<String>),
    /// Days.
    Dates(Vec<Date>),
    /// Optional text.
    Text(Option<String>),
    /// Optional integer.
    Int(Option<i64>),
    /// A flag.
    Bool(bool),
}

fn json_array(items: impl Iterator<Item = String>) -> String {
    serde_json::Value::Array(items.map(serde_json::Value::String).collect()).to_string()
}

/// Rows of either store, read through [`Read`].
#[derive(Debug)]
pub enum Rows {
    /// From PostgreSQL.
    Postgres(Vec<PgRow>),
    /// From SQLite.
    Sqlite(Vec<SqliteRow>),
}

impl Rows {
    /// Decodes every row with `decode`.
    pub fn map<T>(
        &self,
        context: &'static str,
        decode: impl Fn(&dyn Read) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, DashboardError> {
        let failed = |source| DashboardError::Query { context, source };
        match self {
            Rows::Postgres(rows) => rows.iter().map(|r| decode(r).map_err(failed)).collect(),
            Rows::Sqlite(rows) => rows.iter().map(|r| decode(r).map_err(failed)).collect(),
        }
    }
}

/// Typed reads of a column by name, the same on both stores.
pub trait Read {
    /// A campaign id.
    fn id(&self, column: &str) -> Result<CampaignId, sqlx::Error>;
    /// A day.
    fn day(&self, column: &str) -> Result<Date, sqlx::Error>;
    /// A day or null.
    fn opt_day(&self, column: &str) -> Result<Option<Date>, sqlx::Error>;
    /// An integer (null reads as 0: sums over no rows).
    fn int(&self, column: &str) -> Result<i64, sqlx::Error>;
    /// An integer or null.
    fn opt_int(&self, column: &str) -> Result<Option<i64>, sqlx::Error>;
    /// A floating-point number.
    fn float(&self, column: &str) -> Result<f64, sqlx::Error>;
    /// Text.
    fn text(&self, column: &str) -> Result<String, sqlx::Error>;
    /// Text or null.
    fn opt_text(&self, column: &str) -> Result<Option<String>, sqlx::Error>;
    /// Bytes.
    fn bytes(&self, column: &str) -> Result<Vec<u8>, sqlx::Error>;
    /// Bytes or null.
    fn opt_bytes(&self, column: &str) -> Result<Option<Vec<u8>>, sqlx::Error>;
    /// An instant or null (RFC 3339 text on SQLite).
    fn opt_time(&self, column: &str) -> Result<Option<OffsetDateTime>, sqlx::Error>;
}

fn decode_error(column: &str, what: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("column {column}: {what}").into())
}

impl Read for PgRow {
    fn id(&self, column: &str) -> Result<CampaignId, sqlx::Error> {
        let id: uuid::Uuid = self.try_get(column)?;
        Ok(CampaignId::from_u128(id.as_u128()))
    }
    fn day(&self, column: &str) -> Result<Date, sqlx::Error> {
        self.try_get(column)
    }
    fn opt_day(&self, column: &str) -> Result<Option<Date>, sqlx::Error> {
        self.try_get(column)
    }
    fn int(&self, column: &str) -> Result<i64, sqlx::Error> {
        Ok(self.try_get::<Option<i64>, _>(column)?.unwrap_or(0))
    }
    fn opt_int(&self, column: &str) -> Result<Option<i64>, sqlx::Error> {
        self.try_get(column)
    }
    fn float(&self, column: &str) -> Result<f64, sqlx::Error> {
        self.try_get(column)
    }
    fn text(&self, column: &str) -> Result<String, sqlx::Error> {
        self.try_get(column)
    }
    fn opt_text(&self, column: &str) -> Result<Option<String>, sqlx::Error> {
        self.try_get(column)
    }
    fn bytes(&self, column: &str) -> Result<Vec<u8>, sqlx::Error> {
        self.try_get(column)
    }
    fn opt_bytes(&self, column: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
        self.try_get(column)
    }
    fn opt_time(&self, column: &str) -> Result<Option<OffsetDateTime>, sqlx::Error> {
        self.try_get(column)
    }
}

impl Read for SqliteRow {
    fn id(&self, column: &str) -> Result<CampaignId, sqlx::Error> {
        let text: String = self.try_get(column)?;
        text.parse().map_err(|err| decode_error(column, err))
    }
    fn day(&self, column: &str) -> Result<Date, sqlx::Error> {
        let text: String = self.try_get(column)?;
        parse_date(&text).map_err(|err| decode_error(column, err))
    }
    fn opt_day(&self, column: &str) -> Result<Option<Date>, sqlx::Error> {
        let text: Option<String> = self.try_get(column)?;
        text.map(|t| parse_date(&t).map_err(|err| decode_error(column, err)))
            .transpose()
    }
    fn int(&self, column: &str) -> Result<i64, sqlx::Error> {
        Ok(self.try_get::<Option<i64>, _>(column)?.unwrap_or(0))
    }
    fn opt_int(&self, column: &str) -> Result<Option<i64>, sqlx::Error> {
        self.try_get(column)
    }
    fn float(&self, column: &str) -> Result<f64, sqlx::Error> {
        self.try_get(column)
    }
    fn text(&self, column: &str) -> Result<String, sqlx::Error> {
        self.try_get(column)
    }
    fn opt_text(&self, column: &str) -> Result<Option<String>, sqlx::Error> {
        self.try_get(column)
    }
    fn bytes(&self, column: &str) -> Result<Vec<u8>, sqlx::Error> {
        self.try_get(column)
    }
    fn opt_bytes(&self, column: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
        self.try_get(column)
    }
    fn opt_time(&self, column: &str) -> Result<Option<OffsetDateTime>, sqlx::Error> {
        let text: Option<String> = self.try_get(column)?;
        text.map(|t| {
            OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339)
                .map_err(|err| decode_error(column, err))
        })
        .transpose()
    }
}

/// The campaign filter over `c` (campaigns), with binds $3 ids, $4 channels, $5 types and
/// $6 statuses; an empty list lets everything through.
const PG_FILTER: &str = "(cardinality($3::uuid[]) = 0 OR c.campaign_id = ANY($3))
    AND (cardinality($4::text[]) = 0 OR c.channel = ANY($4))
    AND (cardinality($5::text[]) = 0 OR c.campaign_type = ANY($5))
    AND (cardinality($6::text[]) = 0 OR c.status = ANY($6))";
const SQLITE_FILTER: &str =
    "(json_array_length($3) = 0 OR c.campaign_id IN (SELECT value FROM json_each($3)))
    AND (json_array_length($4) = 0 OR c.channel IN (SELECT value FROM json_each($4)))
    AND (json_array_length($5) = 0 OR c.campaign_type IN (SELECT value FROM json_each($5)))
    AND (json_array_length($6) = 0 OR c.status IN (SELECT value FROM json_each($6)))";

/// `{of_filter}`, after a fact table's campaign id: that campaign among the filter's. On
/// PostgreSQL the filter's campaigns are gathered once into an array. The fact tables are read
/// through security-barrier views (`dashboard.*`), and PostgreSQL moves no join clause into a
/// relation with security quals, so a join with `campaigns` alone leaves a campaign's facts
/// found by scanning every row of the range (or of the table); a restriction by a leakproof
/// operator is used as an index condition.
const PG_OF_FILTER: &str = "= ANY(ARRAY(SELECT c.campaign_id FROM campaigns c WHERE {filter}))";
const SQLITE_OF_FILTER: &str = "IN (SELECT c.campaign_id FROM campaigns c WHERE {filter})";

/// The first day of the interval ($7: day, week, month or all) holding `d.metric_date`, cut
/// by the range's start ($1).
const PG_BUCKET: &str =
    "CASE $7 WHEN 'week' THEN greatest(date_trunc('week', d.metric_date)::date, $1)
    WHEN 'month' THEN greatest(date_trunc('month', d.metric_date)::date, $1)
    WHEN 'all' THEN $1 ELSE d.metric_date END";
const SQLITE_BUCKET: &str = "CASE $7 WHEN 'week' THEN max(date(d.metric_date, '-' || ((CAST(strftime('%w', d.metric_date) AS INTEGER) + 6) % 7) || ' days'), $1)
    WHEN 'month' THEN max(strftime('%Y-%m-01', d.metric_date), $1)
    WHEN 'all' THEN $1 ELSE d.metric_date END";

/// The channel filter of the rollups `r`, bind $3.
const PG_CHANNELS: &str = "(cardinality($3::text[]) = 0 OR r.channel = ANY($3))";
const SQLITE_CHANNELS: &str =
    "(json_array_length($3) = 0 OR r.channel IN (SELECT value FROM json_each($3)))";

/// The bucket of `r.metric_date` in the rollups, with the interval bound as $4.
fn rollup_bucket(bucket: &str) -> String {
    bucket
        .replace("d.metric_date", "r.metric_date")
        .replace("$7", "$4")
}

/// The SQL a template becomes on PostgreSQL.
pub fn postgres_sql(template: &str) -> String {
    template
        .replace("{of_filter}", PG_OF_FILTER)
        .replace("{filter}", PG_FILTER)
        .replace("{bucket}", PG_BUCKET)
        .replace("{rollup_bucket}", &rollup_bucket(PG_BUCKET))
        .replace("{channels}", PG_CHANNELS)
        .replace("{float}", "double precision")
        .replace("{collate}", "COLLATE \"C\"")
        .replace("{limit}", "$8")
        .replace("{strpos}", "strpos")
}

pub(crate) fn sqlite_sql(template: &str) -> String {
    let sql = template
        .replace("{of_filter}", SQLITE_OF_FILTER)
        .replace("{filter}", SQLITE_FILTER)
        .replace("{bucket}", SQLITE_BUCKET)
        .replace("{rollup_bucket}", &rollup_bucket(SQLITE_BUCKET))
        .replace("{channels}", SQLITE_CHANNELS)
        .replace("{float}", "REAL")
        .replace("{collate}", "")
        .replace("{limit}", "coalesce($8, -1)")
        .replace("{strpos}", "instr");
    // `x = ANY($n)` of a list becomes a test against the JSON array bound there.
    let mut sql = sql;
    while let Some(at) = sql.find("= ANY($") {
        let digits: String = sql[at + 7..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let end = at + 7 + digits.len() + 1;
        sql.replace_range(
            at..end,
            &format!("IN (SELECT value FROM json_each(${digits}))"),
        );
    }
    // SQLite numbers its parameters ?1, ?2, … where PostgreSQL writes $1, $2, ….
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(ch);
        }
    }
    out
}

/// Removes a password from a connection URL or a message that quotes one: each word that
/// parses as a URL with a password has it replaced by `***` (parsed, not cut at the first `@`,
/// since a password may hold one).
pub fn without_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_inclusive(char::is_whitespace) {
        let bare = word.trim_end();
        let trailing = &word[bare.len()..];
        // Punctuation around a quoted URL stays where it was.
        let start = bare.find("://").and_then(|scheme| {
            bare[..scheme]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)))
                .map_or(Some(0), |i| Some(i + 1))
        });
        let Some(start) = start else {
            out.push_str(word);
            continue;
        };
        let end = bare
            .rfind(|c: char| !"\"')),.;:".contains(c))
            .map_or(bare.len(), |i| i + 1);
        match url::Url::parse(&bare[start..end]) {
            Ok(mut url) if url.password().is_some() => {
                let _ = url.set_password(Some("***"));
                out.push_str(&bare[..start]);
                out.push_str(url.as_str());
                out.push_str(&bare[end..]);
                out.push_str(trailing);
            }
            Ok(_) => out.push_str(word),
            // Not a URL the parser reads: anything between the scheme and the last @ could be
            // a password, so it goes.
            Err(_) => match (bare[start..].find("://"), bare.rfind('@')) {
                (Some(scheme), Some(at)) if start + scheme + 3 < at => {
                    out.push_str(&bare[..start + scheme + 3]);
                    out.push_str("***");
                    out.push_str(&bare[at..]);
                    out.push_str(trailing);
                }
                _ => out.push_str(word),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_numbers_its_parameters_with_question_marks() {
        assert_eq!(
            sqlite_sql("SELECT $1, '$x', $10 {collate}"),
            "SELECT ?1, '$x', ?10 "
        );
        assert_eq!(
            sqlite_sql("WHERE a = ANY($2) AND b = ANY($12)"),
            "WHERE a IN (SELECT value FROM json_each(?2)) AND b IN (SELECT value FROM json_each(?12))"
        );
        assert!(postgres_sql("ORDER BY a {collate}").ends_with("COLLATE \"C\""));
    }

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            without_secrets("cannot parse postgres://app:s3cret@db.example:5432/dash now"),
            "cannot parse postgres://app:***@db.example:5432/dash now"
        );
        assert_eq!(
            without_secrets("postgres://app@db/dash"),
            "postgres://app@db/dash"
        );
        // A password with an @ in it (percent-encoded, as URLs write it, or not).
        for url in [
            "postgres://app:p%40ss@db.example/dash",
            "postgres://app:p@ss@db.example/dash",
            "(\"postgresql://app:a:b@c@db.example:5432/dash?sslmode=require\"),",
        ] {
            let scrubbed = without_secrets(&format!("connecting to {url} failed"));
            for secret in ["p%40ss", "p@ss", "ss@", "a:b@c"] {
                assert!(!scrubbed.contains(secret), "{scrubbed}");
            }
            assert!(scrubbed.contains("db.example"), "{scrubbed}");
            assert!(scrubbed.ends_with(" failed"), "{scrubbed}");
        }
    }

    #[test]
    fn a_remote_server_is_reached_only_with_verify_full() {
        // No sslmode: verify-full, against the RDS bundle.
        let options = postgres_options("postgres://r@db.example.org/dash").expect("options");
        assert!(matches!(options.get_ssl_mode(), PgSslMode::VerifyFull));
        let options =
            postgres_options("postgres://r@10.1.2.3/dash?sslmode=verify-full").expect("options");
        assert!(matches!(options.get_ssl_mode(), PgSslMode::VerifyFull));
        // Anything weaker the URL asks for is refused, saying why and what to do.
        for mode in ["disable", "allow", "prefer", "require", "verify-ca"] {
            let url = format!("postgres://r:pw@db.example.org/dash?sslmode={mode}");
            let err = postgres_options(&url).expect_err(mode);
            let message = err.to_string();
            assert!(matches!(err, DashboardError::WeakTls { .. }), "{message}");
            assert!(message.contains(&format!("sslmode={mode}")), "{message}");
            assert!(message.contains("verify-full"), "{message}");
            assert!(!message.contains("pw"), "{message}");
        }
        // This machine is left as the URL says.
        for url in [
            "postgres://r@localhost/dash",
            "postgres://r@127.0.0.1/dash?sslmode=disable",
            "postgres://r@[::1]/dash?sslmode=require",
            "postgres://r@localhost/dash?host=%2Fvar%2Frun%2Fpostgresql",
        ] {
            assert!(postgres_options(url).is_ok(), "{url}");
        }
        assert!(is_loopback("127.0.0.2") && is_loopback("[::1]") && is_loopback("LOCALHOST"));
        assert!(!is_loopback("db.localhost.example.org") && !is_loopback("192.168.1.4"));
    }

    #[test]
    fn the_rds_bundle_holds_certificates() {
        let text = std::str::from_utf8(RDS_CA_BUNDLE).expect("PEM is text");
        assert!(text.matches("-----BEGIN CERTIFICATE-----").count() > 50);
    }
}
