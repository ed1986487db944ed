//! The audit trail as people use it (docs/security.md, "Audit trail"): a scripted session of
//! the `outreach` command signed in at a real OpenID provider records every sign-in, question
//! and export under the verified person; an admin checks and lists the trail; a row a
//! superuser changed is named. And the local queue: with the database stopped, a question and
//! an export wait on disk and arrive exactly once when it is back.

use std::time::Duration;

use outreach_backend::Dashboard;
use outreach_backend::access::{IdToken, SignIn};
use outreach_backend::audit::queue::{AuditQueue, Delivery};
use outreach_backend::audit::{Event, EventKind};
use outreach_testkit::identity::{self, ADMIN_GROUP, CLIENT_ID, key};
use outreach_testkit::oidc::{IdentityProvider, browser};
use serde_json::{Value, json};
use sqlx::{Connection as _, Executor as _};

use crate::helpers::{options, stores};
use crate::signin::files_holding;
use outreach_testkit::keyring::SecretService;

/// Reads CSV with Python's csv module (a reader of our own would share our writer's mistakes).
fn python_csv(text: &str) -> Vec<Vec<String>> {
    use std::io::Write as _;
    let mut child = std::process::Command::new("python3")
        .args([
            "-c",
            "import csv, json, sys; print(json.dumps(list(csv.reader(sys.stdin))))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write the CSV");
    let output = child.wait_with_output().expect("python3 ends");
    assert!(output.status.success(), "python's csv reads it");
    serde_json::from_slice(&output.stdout).expect("rows")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scripted_session_is_in_the_trail_and_an_admin_finds_a_changed_row() {
    let idp = IdentityProvider::start(&[
        ("dana@example.org", &["email-viewers"]),
        ("ada@example.org", &[ADMIN_GROUP]),
    ]);
    let stores = stores().await;
    let mut owner = crate::signin::trust_provider(stores.postgres.url(), &idp).await;
    identity::grant(
        &mut owner,
        "email-viewers",
        "analyst",
        None,
        Some(&["Email"]),
    )
    .await;
    let before: i64 = sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM audit.events")
        .fetch_one(&mut owner)
        .await
        .expect("the trail's end");

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
    let outreach = |args: &[&str], who: &str| {
        let output = crate::helpers::outreach(home.path())
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &keychain.address)
            .env("BROWSER", browser())
            .env("OIDC_BROWSER_LOGIN", who)
            .output()
            .expect("run outreach");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };

    // Dana, an analyst for the Email channel: signs in, asks, exports, signs out.
    let (code, stdout, stderr) = outreach(&["login", "--timeout", "60"], "dana@example.org");
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("signed in as dana@example.org"), "{stdout}");
    let (code, _, stderr) = outreach(&["summary", "--channel", "Email"], "");
    assert_eq!(code, Some(0), "{stderr}");
    let (code, _, stderr) = outreach(&["segments"], "");
    assert_eq!(code, Some(0), "{stderr}");
    let export = home.path().join("dana-campaigns.csv");
    let export_arg = export.display().to_string();
    let (code, stdout, stderr) = outreach(
        &["export", "csv", "--view", "campaigns", "--out", &export_arg],
        "",
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(export.is_file(), "{stdout}");
    let exported_rows =
        python_csv(&std::fs::read_to_string(&export).expect("the export")).len() - 1;
    // A viewer may not read the trail; the database says so.
    let (code, _, stderr) = outreach(&["audit", "verify"], "");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("only an admin"), "{stderr}");
    let (code, _, stderr) = outreach(&["logout"], "");
    assert_eq!(code, Some(0), "{stderr}");

    // Ada, an admin, checks and lists the trail.
    let (code, stdout, stderr) = outreach(&["login", "--timeout", "60"], "ada@example.org");
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let (code, stdout, stderr) = outreach(&["audit", "verify"], "");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("the audit trail is intact"), "{stdout}");
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let (code, report, stderr) = outreach(
        &[
            "audit",
            "report",
            "--since",
            &today,
            "--person",
            "dana@example.org",
            "--format",
            "csv",
        ],
        "",
    );
    assert_eq!(code, Some(0), "{stderr}");
    let rows = python_csv(&report);
    assert_eq!(
        rows[0],
        [
            "seq",
            "recorded_at",
            "occurred_at",
            "person",
            "role",
            "kind",
            "detail"
        ]
    );
    let rows: Vec<(i64, String, String, Value)> = rows[1..]
        .iter()
        .map(|r| {
            assert_eq!(r[3], "dana@example.org", "only dana's rows: {r:?}");
            (
                r[0].parse().expect("a sequence number"),
                r[4].clone(),
                r[5].clone(),
                serde_json::from_str(&r[6]).expect("the detail's JSON"),
            )
        })
        .collect();
    assert!(rows.iter().all(|(seq, ..)| *seq > before));
    let kinds: Vec<&str> = rows.iter().map(|(_, _, kind, _)| kind.as_str()).collect();
    // Each command signs in (recorded by the database), then asks (recorded by the client);
    // the refused `audit verify` is a question too; logout signs in once more to record the
    // sign-out.
    assert_eq!(
        kinds.iter().filter(|k| **k == "sign_in").count(),
        5,
        "{kinds:?}"
    );
    assert_eq!(kinds.last(), Some(&"sign_out"), "{kinds:?}");
    let questions: Vec<&Value> = rows
        .iter()
        .filter(|(_, _, kind, _)| kind == "view")
        .map(|(_, _, _, detail)| detail)
        .collect();
    assert_eq!(questions.len(), 3, "{questions:?}");
    assert_eq!(questions[0]["question"], "summary");
    assert_eq!(questions[0]["filter"]["channels"], json!(["Email"]));
    assert_eq!(questions[1]["question"], "segments");
    assert_eq!(questions[2]["question"], "audit_verify");
    let exports: Vec<&Value> = rows
        .iter()
        .filter(|(_, _, kind, _)| kind == "export")
        .map(|(_, _, _, detail)| detail)
        .collect();
    assert_eq!(exports.len(), 1, "{kinds:?}");
    assert_eq!(exports[0]["format"], "csv");
    assert_eq!(exports[0]["file"], export_arg.as_str());
    assert_eq!(exports[0]["rows_or_pages"], exported_rows);
    assert!(rows.iter().all(|(_, role, ..)| role == "analyst"));
    // Every row of the report is in the table, and nothing of dana's is missing from it.
    let dana_rows: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE actor = 'dana@example.org' AND seq > $1",
    )
    .bind(before)
    .fetch_one(&mut owner)
    .await
    .expect("count");
    assert_eq!(dana_rows, rows.len() as i64);
    // The queue is empty once everything arrived.
    let queued = files_holding(
        &home.path().join("data/outreach-dashboard/audit-queue"),
        "event_id",
    );
    assert!(queued.is_empty(), "{queued:?}");
    assert!(
        home.path()
            .join("data/outreach-dashboard/audit-queue")
            .is_dir(),
        "the queue is where the app keeps its data"
    );

    // A superuser, triggers off, rewrites dana's export as a question: verify names the row.
    let (export_seq, ..) = rows
        .iter()
        .find(|(_, _, kind, _)| kind == "export")
        .expect("the export's row");
    owner
        .execute("SET session_replication_role = replica")
        .await
        .expect("replica");
    sqlx::query("UPDATE audit.events SET kind = 'view' WHERE seq = $1")
        .bind(export_seq)
        .execute(&mut owner)
        .await
        .expect("a superuser's edit");
    owner
        .execute("SET session_replication_role = origin")
        .await
        .expect("origin");
    let (code, stdout, stderr) = outreach(&["audit", "verify"], "");
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!("audit row {export_seq} was changed: its kind")),
        "{stderr}"
    );
    drop(owner.close().await);
}

/// A dashboard database of the test's own cluster (it is stopped and started), loaded by the
/// ETL, trusting the tests' key, and the URL of a login that holds only `outreach_reader`.
async fn own_cluster(
    settings: &[(&str, &str)],
) -> (
    outreach_testkit::Cluster,
    String,
    String,
    outreach_testkit::TestDb,
) {
    let cluster = outreach_testkit::Cluster::start_with(outreach_testkit::free_port(), settings);
    let server = cluster.url();
    let mut admin = sqlx::PgConnection::connect(&server)
        .await
        .expect("connect to the cluster");
    admin
        .execute("CREATE DATABASE dashboard")
        .await
        .expect("create the dashboard database");
    admin.close().await.expect("close");
    let owner_url = match server.rsplit_once('/') {
        Some((host, _)) => format!("{host}/dashboard"),
        None => panic!("a cluster's URL names its database: {server}"),
    };
    let warehouse = outreach_testkit::TestDb::new("audit_queue_warehouse").await;
    outreach_etl::generate::to_warehouse(
        warehouse.url(),
        &options(),
        outreach_etl::generate::Mode::Create,
        &outreach_etl::Quiet,
    )
    .await
    .expect("generate a warehouse");
    outreach_etl::run(
        warehouse.url(),
        &owner_url,
        &outreach_etl::RunOptions {
            full: true,
            ..outreach_etl::RunOptions::default()
        },
        &outreach_etl::Quiet,
    )
    .await
    .expect("the ETL loads the dashboard database");
    identity::trust(&owner_url, &[key()]).await;
    let mut owner = sqlx::PgConnection::connect(&owner_url)
        .await
        .expect("connect as the owner");
    owner
        .execute(
            "CREATE ROLE app_login LOGIN PASSWORD 'app-login-password' IN ROLE outreach_reader",
        )
        .await
        .expect("the app's login");
    owner.close().await.expect("close");
    let reader_url = owner_url.replace("postgres@", "app_login:app-login-password@");
    (cluster, owner_url, reader_url, warehouse)
}

/// Sends the queue until the database takes it (a pool's first use after a restart fails once
/// per dead connection), at most 20 times.
async fn send_when_back(dashboard: &Dashboard, queue: &AuditQueue) -> Delivery {
    let mut delivery = dashboard.send_queued(queue).await.expect("the queue reads");
    for _ in 0..20 {
        if delivery.recorded() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
        delivery = dashboard.send_queued(queue).await.expect("the queue reads");
    }
    delivery
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_database_stopped_events_queue_and_arrive_exactly_once() {
    let (cluster, owner_url, reader_url, _warehouse) = own_cluster(&[]).await;
    let mut claims = identity::claims("erin@example.org", &[ADMIN_GROUP]);
    claims["exp"] = (identity::now() + 3600).into();
    let token = key().sign(&key().header(), &claims);
    let dashboard = Dashboard::connect_signed_in(&reader_url, SignIn::new(IdToken::new(token)))
        .await
        .expect("sign in");
    let home = tempfile::tempdir().expect("a folder");
    let queue = AuditQueue::open(&home.path().join("queue")).expect("a queue");

    let first = Event::now(EventKind::View, json!({"question": "summary"}));
    assert_eq!(
        dashboard.record_event(&queue, &first).await.expect("kept"),
        Delivery::Recorded { set_aside: vec![] }
    );

    // The database goes away: a question and an export wait on disk.
    cluster.stop();
    let question = Event::now(EventKind::View, json!({"question": "segments"}));
    let delivery = dashboard
        .record_event(&queue, &question)
        .await
        .expect("kept");
    assert!(
        matches!(&delivery, Delivery::Queued { waiting: 1, .. }),
        "{delivery:?}"
    );
    let export = Event::now(
        EventKind::Export,
        json!({"format": "pdf", "file": "q4.pdf", "rows_or_pages": 3}),
    );
    let delivery = dashboard.record_event(&queue, &export).await.expect("kept");
    assert!(
        matches!(&delivery, Delivery::Queued { waiting: 2, .. }),
        "{delivery:?}"
    );
    // What a crash would leave: a copy of an event that is about to be sent (replayed later).
    let replay = home.path().join("replay.json");
    std::fs::copy(
        queue.dir().join(format!("{}.json", question.event_id)),
        &replay,
    )
    .expect("keep a copy");

    // Back: both arrive, in order; a replay of one records nothing new.
    cluster.restart();
    let probe = sqlx::PgConnection::connect(&reader_url).await;
    assert!(probe.is_ok(), "the cluster is back: {:?}", probe.err());
    assert_eq!(
        send_when_back(&dashboard, &queue).await,
        Delivery::Recorded { set_aside: vec![] }
    );
    assert!(queue.pending().expect("pending").events.is_empty());
    std::fs::copy(
        &replay,
        queue.dir().join(format!("{}.json", question.event_id)),
    )
    .expect("replay");
    assert_eq!(
        send_when_back(&dashboard, &queue).await,
        Delivery::Recorded { set_aside: vec![] }
    );
    assert!(queue.pending().expect("pending").events.is_empty());

    let trail = dashboard.audit_entries(1, 10_000).await.expect("the trail");
    for event in [&first, &question, &export] {
        let rows: Vec<_> = trail
            .iter()
            .filter(|e| e.event_id == event.event_id.to_string())
            .collect();
        assert_eq!(rows.len(), 1, "{} recorded once", event.detail);
        assert_eq!(rows[0].actor, "erin@example.org");
        assert_eq!(rows[0].detail, event.detail);
        // When it happened, not when it arrived.
        let occurred = time::OffsetDateTime::parse(
            &rows[0].occurred_at,
            &time::format_description::well_known::Rfc3339,
        )
        .expect("a time");
        assert!((occurred - event.occurred_at).abs() < time::Duration::milliseconds(1));
    }
    let seq = |event: &Event| {
        trail
            .iter()
            .find(|e| e.event_id == event.event_id.to_string())
            .map(|e| e.seq)
    };
    assert!(seq(&first) < seq(&question) && seq(&question) < seq(&export));
    assert!(dashboard.verify_audit().await.expect("verify").is_ok());
    drop(owner_url);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_export_runs_under_a_service_identity_the_database_maps_like_a_person() {
    use outreach_testkit::oidc::{Options, ServiceClient};
    const SECRET: &str = "service-secret-3b9f1c7e2d";
    let idp = IdentityProvider::start_with(
        &[],
        &Options {
            service: Some(ServiceClient {
                client_id: "outreach-reports",
                client_secret: SECRET,
                groups: &["reports-service"],
            }),
            ..Options::default()
        },
    );
    let stores = stores().await;
    // What an admin (signed in by the tests' own issuer) sees with the Email channel as the
    // filter, before the database is pointed at the provider.
    let admin = stores.reader_dashboard().await;
    let mut filter = outreach_model::Filter::new(outreach_model::DateRange::last_days(
        time::OffsetDateTime::now_utc().date(),
        90,
    ));
    filter.channels = vec![outreach_model::Channel::Email];
    let expected = admin.summary(&filter).await.expect("the admin's summary");
    let mut owner = crate::signin::trust_provider(stores.postgres.url(), &idp).await;
    // The database trusts the service's audience as well as the desktop client's, and maps
    // the service's group like a person's: an analyst of the Email channel.
    sqlx::query("SELECT auth.configure($1, $2, 'groups', 60)")
        .bind(&idp.issuer)
        .bind(vec![
            CLIENT_ID.to_owned(),
            "urn:outreach-dashboard".to_owned(),
        ])
        .execute(&mut owner)
        .await
        .expect("configure the provider");
    identity::grant(
        &mut owner,
        "reports-service",
        "analyst",
        None,
        Some(&["Email"]),
    )
    .await;

    // A scheduled job's machine: a config file without secrets, the secret in its
    // environment, no keychain and no browser.
    let home = tempfile::tempdir().expect("a home");
    let config = home.path().join("config/outreach-dashboard/config.toml");
    std::fs::create_dir_all(config.parent().expect("a folder")).expect("the config folder");
    std::fs::write(
        &config,
        format!(
            "database_url = \"{}\"\n[sign_in]\nissuer = \"{}\"\nclient_id = \"{CLIENT_ID}\"\n[service]\nclient_id = \"outreach-reports\"\n",
            stores.reader.url(),
            idp.issuer
        ),
    )
    .expect("write the config");
    let outreach = |args: &[&str], secret: &str| {
        let output = crate::helpers::outreach(home.path())
            .args(args)
            .env("OUTREACH_SERVICE_CLIENT_SECRET", secret)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("BROWSER", "false")
            .output()
            .expect("run outreach");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };

    // Its answers are an admin's answers with its scope as the filter.
    let (code, summary, stderr) = outreach(&["summary", "--format", "json"], SECRET);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        serde_json::from_str::<Value>(&summary).expect("JSON"),
        serde_json::to_value(expected).expect("JSON")
    );
    let export = home.path().join("weekly.csv");
    let export_arg = export.display().to_string();
    let (code, _, stderr) = outreach(
        &["export", "csv", "--view", "campaigns", "--out", &export_arg],
        SECRET,
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(export.is_file());

    // The trail names the service, with the role its group maps to.
    let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT actor, role, kind FROM audit.events WHERE actor = 'outreach-reports' ORDER BY seq",
    )
    .fetch_all(&mut owner)
    .await
    .expect("the trail");
    let kinds: Vec<&str> = rows.iter().map(|(_, _, kind)| kind.as_str()).collect();
    assert_eq!(kinds, ["sign_in", "view", "sign_in", "export"], "{rows:?}");
    assert!(
        rows.iter()
            .all(|(_, role, _)| role.as_deref() == Some("analyst"))
    );

    // A wrong secret: refused, saying so, without echoing it.
    let (code, _, stderr) = outreach(&["summary"], "not-the-secret");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("invalid_client"), "{stderr}");
    assert!(!stderr.contains("not-the-secret"), "{stderr}");
    // No secret of it anywhere in the app's files.
    assert!(files_holding(home.path(), SECRET).is_empty());
    drop(owner.close().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pgaudit_records_the_apps_reads_in_the_servers_log_without_the_token() {
    use outreach_etl::access::{AccessError, audit_reads};
    // A server without pgaudit: refused, saying how to load it.
    let stores = stores().await;
    let mut plain = sqlx::PgConnection::connect(stores.postgres.url())
        .await
        .expect("connect as the owner");
    let err = audit_reads(&mut plain, "app_login")
        .await
        .expect_err("no pgaudit here");
    assert!(matches!(err, AccessError::NoPgaudit), "{err}");
    assert!(
        err.to_string().contains("shared_preload_libraries"),
        "{err}"
    );
    drop(plain.close().await);

    let (cluster, owner_url, reader_url, _warehouse) =
        own_cluster(&[("shared_preload_libraries", "pgaudit")]).await;
    let mut owner = sqlx::PgConnection::connect(&owner_url)
        .await
        .expect("connect as the owner");
    let err = audit_reads(&mut owner, "nobody_by_that_name")
        .await
        .expect_err("no such login");
    assert!(matches!(err, AccessError::NoSuchLogin(_)), "{err}");
    audit_reads(&mut owner, "app_login")
        .await
        .expect("pgaudit for the app's login");

    let mut claims = identity::claims("erin@example.org", &[ADMIN_GROUP]);
    claims["exp"] = (identity::now() + 3600).into();
    let token = key().sign(&key().header(), &claims);
    let dashboard =
        Dashboard::connect_signed_in(&reader_url, SignIn::new(IdToken::new(token.clone())))
            .await
            .expect("sign in");
    let filter = outreach_model::Filter::new(outreach_model::DateRange::last_days(
        time::macros::date!(2026 - 11 - 27),
        90,
    ));
    dashboard.summary(&filter).await.expect("a summary");
    dashboard.segments(&filter).await.expect("segments");

    let log = cluster.log();
    let audited: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("AUDIT: SESSION") && line.contains(",READ,"))
        .collect();
    // The segments question's statement (its first line is logged) and the sign-in's call.
    for statement in [
        "WITH seg AS (SELECT s.member_segment",
        "FROM auth.sign_in($1, $2)",
    ] {
        assert!(
            audited.iter().any(|line| line.contains(statement)),
            "the app's read {statement:?} is in the server's log: {audited:?}"
        );
    }
    let payload = token.split('.').nth(1).expect("a JWT");
    assert!(
        !log.contains(payload),
        "the token is never in the server's log"
    );
    let recorded: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE kind = 'access_change' AND detail->'pgaudit'->>'login' = 'app_login'",
    )
    .fetch_one(&mut owner)
    .await
    .expect("the trail");
    assert_eq!(recorded, 1, "the change is in the audit trail");
    drop(owner.close().await);
}

#[tokio::test]
async fn a_database_without_a_trail_never_takes_queued_events_away() {
    let stores = stores().await;
    let demo = Dashboard::connect(&stores.sqlite.display().to_string())
        .await
        .expect("the SQLite store");
    let home = tempfile::tempdir().expect("a folder");
    let queue = AuditQueue::open(home.path()).expect("a queue");
    let event = Event::now(EventKind::View, json!({"question": "summary"}));
    let delivery = demo.record_event(&queue, &event).await.expect("kept");
    assert!(
        matches!(&delivery, Delivery::Queued { waiting: 1, reason, .. } if reason.contains("no audit trail")),
        "{delivery:?}"
    );
    let pending = queue.pending().expect("pending");
    assert_eq!(pending.events.len(), 1, "the event still waits");
    assert_eq!(pending.events[0].event_id, event.event_id);
}

#[tokio::test]
async fn an_event_the_database_refuses_is_set_aside_and_the_rest_arrive() {
    let stores = stores().await;
    let dashboard = stores.reader_dashboard().await;
    let home = tempfile::tempdir().expect("a folder");
    let queue = AuditQueue::open(home.path()).expect("a queue");
    // A detail that is not a JSON object: the database refuses it as invalid (22023) every
    // time, so it must not stand in front of the events queued after it.
    let mut refused = Event::now(EventKind::View, json!("not an object"));
    refused.occurred_at -= time::Duration::seconds(1);
    queue.push(&refused).expect("queued");
    let fine = Event::now(EventKind::View, json!({"question": "summary"}));
    let delivery = dashboard.record_event(&queue, &fine).await.expect("kept");
    let aside = home.path().join(format!("{}.rejected", refused.event_id));
    assert_eq!(
        delivery,
        Delivery::Recorded {
            set_aside: vec![aside.clone()]
        }
    );
    assert!(aside.is_file(), "set aside, not deleted");
    assert!(queue.pending().expect("pending").events.is_empty());
    let trail = dashboard.audit_entries(1, 10_000).await.expect("the trail");
    assert!(
        trail
            .iter()
            .any(|e| e.event_id == fine.event_id.to_string())
    );
    assert!(
        !trail
            .iter()
            .any(|e| e.event_id == refused.event_id.to_string())
    );
}
