//! TLS to the dashboard database (docs/security.md, "TLS to the database"): a cluster of the
//! test's own serving a certificate of a test CA, reached through the options every connection
//! of the backend uses. The right name and CA connect over TLS; a wrong name, another CA and an
//! unencrypted connection are refused. (A server other than loopback gets verify-full without
//! asking: the store's unit tests show that policy without sending traffic anywhere.)

use std::path::Path;
use std::process::Command;

use sqlx::Connection as _;

/// Runs openssl with `args` in `dir`.
fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs (scripts/setup.sh installs it)");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A CA named `name` in `dir`: `<name>.pem` and `<name>.key`.
fn ca(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN=Outreach test {name}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
        ],
    );
}

/// The server's certificate for the name `localhost` only, signed by the CA `issuer`.
fn server_certificate(dir: &Path, issuer: &str) {
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .expect("write the extensions");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            &format!("{issuer}.pem"),
            "-CAkey",
            &format!("{issuer}.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ],
    );
}

/// Connects with the backend's own options for `url`: whether it did, over TLS, or the error.
async fn connect(url: &str) -> Result<bool, String> {
    let options = outreach_backend::store::postgres_options(url).map_err(|e| e.to_string())?;
    let mut conn = sqlx::ConnectOptions::connect(&options)
        .await
        .map_err(|e| e.to_string())?;
    let tls: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    drop(conn.close().await);
    Ok(tls)
}

#[tokio::test]
async fn verify_full_accepts_the_right_name_and_ca_and_nothing_else() {
    let dir = tempfile::tempdir().expect("a folder");
    ca(dir.path(), "ca");
    ca(dir.path(), "other-ca");
    server_certificate(dir.path(), "ca");
    let port = outreach_testkit::free_port();
    let cluster = outreach_testkit::Cluster::start(port);
    cluster.enable_tls(
        &dir.path().join("server.pem"),
        &dir.path().join("server.key"),
    );
    let root = |name: &str| dir.path().join(format!("{name}.pem")).display().to_string();
    let url = |host: &str, mode: &str, ca: &str| {
        format!("postgres://postgres@{host}:{port}/postgres?sslmode={mode}&sslrootcert={ca}")
    };

    // The name on the certificate and its CA: connected, encrypted.
    assert_eq!(
        connect(&url("localhost", "verify-full", &root("ca"))).await,
        Ok(true)
    );
    // The same server under a name its certificate does not carry.
    let err = connect(&url("127.0.0.1", "verify-full", &root("ca")))
        .await
        .expect_err("a wrong name");
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    // A certificate from a CA that is not the one configured.
    let err = connect(&url("localhost", "verify-full", &root("other-ca")))
        .await
        .expect_err("another CA");
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    // Without TLS the server refuses (and a server other than loopback is refused by the
    // backend before it connects: store's unit tests).
    let err = connect(&format!(
        "postgres://postgres@localhost:{port}/postgres?sslmode=disable"
    ))
    .await
    .expect_err("no TLS");
    assert!(err.contains("no encryption"), "{err}");
}
