//! outreach-testkit: what every integration suite needs to talk to real parts. Today a real
//! PostgreSQL: `DATABASE_URL` when set, else the server on 127.0.0.1:5432 when one answers,
//! else a throwaway cluster made with Debian's server binaries on a free loopback port. Each
//! test gets fresh, uniquely named databases that are dropped when it ends.

pub mod identity;
pub mod keyring;
pub mod oidc;

use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use sqlx::{ConnectOptions, Connection, Executor};

static SERVER: OnceLock<String> = OnceLock::new();

/// The URL of a PostgreSQL server a test may create databases on (its maintenance database).
pub fn server_url() -> &'static str {
    SERVER.get_or_init(|| {
        if let Ok(url) = std::env::var("DATABASE_URL") {
            return url;
        }
        let local = "postgres://postgres@127.0.0.1:5432/postgres".to_owned();
        if answers(&local) {
            return local;
        }
        start_throwaway_cluster()
    })
}

fn answers(url: &str) -> bool {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return false;
        };
        runtime.block_on(async {
            let Ok(options) = url.parse::<sqlx::postgres::PgConnectOptions>() else {
                return false;
            };
            tokio::time::timeout(Duration::from_secs(3), options.connect())
                .await
                .is_ok_and(|conn| conn.is_ok())
        })
    })
    .join()
    .unwrap_or(false)
}

/// A free loopback port, for a server a test starts itself.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Debian keeps PostgreSQL's server binaries out of PATH: their folder.
fn server_bindir() -> String {
    Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty() && std::path::Path::new(s).join("initdb").exists())
        .unwrap_or_else(|| {
            std::fs::read_dir("/usr/lib/postgresql")
                .ok()
                .and_then(|dirs| dirs.filter_map(Result::ok).map(|d| d.path()).max())
                .map(|p| p.join("bin").display().to_string())
                .unwrap_or_default()
        })
}

fn as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"))
}

/// The shell command that starts the cluster in `dir` on `port` and waits until it answers.
fn start_command(dir: &std::path::Path, port: u16) -> String {
    format!(
        "{run} {bin}/pg_ctl -D {dir}/data -o '-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off' -l {dir}/log -w start >/dev/null",
        dir = dir.display(),
        run = if as_root() {
            "runuser -u postgres --"
        } else {
            ""
        },
        bin = server_bindir(),
    )
}

/// The shell script that creates and starts a cluster in `dir` on `port` (as the postgres user
/// when running as root), then runs `after` (in the background).
fn cluster_script(dir: &std::path::Path, port: u16, before_start: &str, after: &str) -> String {
    let root = as_root();
    format!(
        "set -e; mkdir -p {dir}; {chown} \
         {run} {bin}/initdb -D {dir}/data -U postgres -A trust >/dev/null; \
         {before_start} {start}; {after}",
        start = start_command(dir, port),
        dir = dir.display(),
        chown = if root {
            format!("chown postgres {};", dir.display())
        } else {
            String::new()
        },
        run = if root { "runuser -u postgres --" } else { "" },
        bin = server_bindir(),
    )
}

/// initdb + pg_ctl on a free port; a watchdog stops the cluster and removes it when this test
/// process exits.
fn start_throwaway_cluster() -> String {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("outreach-pg-{}", uuid::Uuid::new_v4()));
    let watchdog = format!(
        "(while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
          {run} {bin}/pg_ctl -D {dir}/data -m immediate stop >/dev/null 2>&1; rm -rf {dir}) >/dev/null 2>&1 &",
        pid = std::process::id(),
        run = if as_root() {
            "runuser -u postgres --"
        } else {
            ""
        },
        bin = server_bindir(),
        dir = dir.display(),
    );
    let status = Command::new("sh")
        .arg("-c")
        .arg(cluster_script(&dir, port, "", &watchdog))
        .status();
    assert!(
        status.is_ok_and(|s| s.success()),
        "no PostgreSQL: set DATABASE_URL, start a server on 127.0.0.1:5432, or install postgresql (initdb)"
    );
    format!("postgres://postgres@127.0.0.1:{port}/postgres")
}

/// A PostgreSQL cluster of a test's own, for a test that needs a server to be down first, or
/// to stop one: started on `port`, stopped and removed when dropped. Its maintenance database
/// is `postgres://postgres@127.0.0.1:<port>/postgres`.
#[derive(Debug)]
pub struct Cluster {
    dir: std::path::PathBuf,
    port: u16,
}

impl Cluster {
    /// Creates and starts a cluster on `port` (a loopback port nothing listens on).
    pub fn start(port: u16) -> Cluster {
        Cluster::start_with(port, &[])
    }

    /// Creates a cluster on `port` with `settings` added to its postgresql.conf (such as
    /// `shared_preload_libraries`), and starts it.
    pub fn start_with(port: u16, settings: &[(&str, &str)]) -> Cluster {
        let dir = std::env::temp_dir().join(format!("outreach-pg-{}", uuid::Uuid::new_v4()));
        let conf: String = settings
            .iter()
            .map(|(name, value)| format!("{name} = '{value}'\n"))
            .collect();
        let before_start = if conf.is_empty() {
            String::new()
        } else {
            std::fs::create_dir_all(&dir).expect("the cluster's folder");
            let extra = dir.join("extra.conf");
            std::fs::write(&extra, &conf).expect("the extra settings");
            format!(
                "cat {} >> {}/data/postgresql.conf;",
                extra.display(),
                dir.display()
            )
        };
        let script = cluster_script(&dir, port, &before_start, "true");
        let status = Command::new("sh").arg("-c").arg(script).status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "cannot start a PostgreSQL cluster on port {port}: install postgresql (initdb, pg_ctl)"
        );
        Cluster { dir, port }
    }

    /// What the server wrote to its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    /// Its maintenance database's URL.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops it at once, as a crash or a failover would (it can be started again with
    /// [`Cluster::restart`]).
    pub fn stop(&self) {
        let _ = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "{run} {bin}/pg_ctl -D {dir}/data -m immediate stop >/dev/null 2>&1",
                run = if as_root() {
                    "runuser -u postgres --"
                } else {
                    ""
                },
                bin = server_bindir(),
                dir = self.dir.display(),
            ))
            .status();
    }

    /// Serves TLS with the certificate `cert` (PEM, with its chain) and its key `key`, and
    /// accepts TCP connections only over TLS (`hostssl`); applied by a reload.
    pub fn enable_tls(&self, cert: &std::path::Path, key: &std::path::Path) {
        let data = self.dir.join("data");
        std::fs::copy(cert, data.join("server.crt")).expect("copy the certificate");
        std::fs::copy(key, data.join("server.key")).expect("copy the key");
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n",
        )
        .expect("write pg_hba.conf");
        let mut conf = std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))
            .expect("open postgresql.conf");
        std::io::Write::write_all(
            &mut conf,
            b"\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n",
        )
        .expect("write postgresql.conf");
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "{chown} chmod 600 {data}/server.key && {run} {bin}/pg_ctl -D {data} reload >/dev/null && sleep 1",
                chown = if as_root() {
                    format!("chown postgres {data}/server.crt {data}/server.key &&", data = data.display())
                } else {
                    String::new()
                },
                run = if as_root() {
                    "runuser -u postgres --"
                } else {
                    ""
                },
                bin = server_bindir(),
                data = data.display(),
            ))
            .status();
        assert!(status.is_ok_and(|s| s.success()), "cannot turn TLS on");
    }

    /// Starts it again after [`Cluster::stop`], on the same port.
    pub fn restart(&self) {
        let status = Command::new("sh")
            .arg("-c")
            .arg(start_command(&self.dir, self.port))
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "cannot start the PostgreSQL cluster on port {} again",
            self.port
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A database made for one test and dropped when it is dropped.
#[derive(Debug)]
pub struct TestDb {
    name: String,
    url: String,
}

impl TestDb {
    /// Creates an empty database named after `purpose`.
    pub async fn new(purpose: &str) -> TestDb {
        let name = format!("outreach_test_{purpose}_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(server_url())
            .await
            .expect("connect to the test PostgreSQL server");
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .expect("create a test database");
        let base = server_url();
        let url = match base.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => format!("{base}/{name}"),
        };
        TestDb { name, url }
    }

    /// Its URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A new connection to it.
    pub async fn connect(&self) -> sqlx::PgConnection {
        sqlx::PgConnection::connect(&self.url)
            .await
            .expect("connect to the test database")
    }
}

impl TestDb {
    /// A login of this test's own that holds only `role` (a role of the migrations, such as
    /// outreach_reader), and its URL for this database; the login is dropped with the value.
    pub async fn login_with(&self, role: &str) -> TestLogin {
        let name = format!("outreach_login_{}", uuid::Uuid::new_v4().simple());
        let password = uuid::Uuid::new_v4().simple().to_string();
        let mut admin = sqlx::PgConnection::connect(server_url())
            .await
            .expect("connect to the test PostgreSQL server");
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "CREATE ROLE {name} LOGIN PASSWORD '{password}' IN ROLE {role}"
            )))
            .await
            .expect("create a test login");
        let url = match self.url.split_once("://") {
            Some((scheme, rest)) => {
                let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
                format!("{scheme}://{name}:{password}@{host}")
            }
            None => self.url.clone(),
        };
        TestLogin { name, url }
    }
}

/// A login made for one test, dropped when it is dropped.
#[derive(Debug)]
pub struct TestLogin {
    name: String,
    url: String,
}

impl TestLogin {
    /// The URL of its database, as this login.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestLogin {
    fn drop(&mut self) {
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(server_url()).await.ok()?;
                admin
                    .execute(sqlx::AssertSqlSafe(format!("DROP ROLE IF EXISTS {name}")))
                    .await
                    .ok()
            })
        })
        .join();
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs outside async code; a short-lived runtime of its own does the work.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(server_url()).await.ok()?;
                admin
                    .execute(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .await
                    .ok()
            })
        })
        .join();
    }
}
