//! Access control enforced by the database (docs/security.md), tried as a modified client
//! would: the app's own login, with psql-like raw SQL and tokens a test signs (honest ones and
//! forgeries), against the real migrations of a database the ETL loaded.

use outreach_backend::access::{IdToken, SignIn};
use outreach_backend::{Dashboard, DashboardError};
use outreach_model::{
    CampaignId, CampaignOrder, CampaignSort, Channel, DateRange, Filter, Interval, Metric, Page,
    Role,
};
use outreach_testkit::identity::{self, ADMIN_GROUP, CLIENT_ID, claims, key, now};
use serde_json::{Value, json};
use sqlx::{ConnectOptions as _, Connection as _, Executor as _, PgConnection};
use time::macros::date;

use crate::helpers::stores;

/// A raw connection as the app's login, with the app's session options (psql would do the same).
async fn raw(url: &str) -> PgConnection {
    outreach_backend::store::postgres_options(url)
        .expect("options")
        .connect()
        .await
        .expect("connect as the app's login")
}

/// Hands `token` to `auth.sign_in` on `conn`: the refusal, if any.
async fn sign_in(conn: &mut PgConnection, token: &str) -> Option<String> {
    conn.execute("START TRANSACTION READ WRITE")
        .await
        .expect("begin");
    let refusal: Option<String> =
        sqlx::query_scalar("SELECT refusal FROM auth.sign_in($1, gen_random_uuid())")
            .bind(token)
            .fetch_one(&mut *conn)
            .await
            .expect("auth.sign_in answers");
    conn.execute("COMMIT").await.expect("commit");
    refusal
}

/// Every relation `conn` may select from, outside the catalogs.
async fn readable_relations(conn: &mut PgConnection) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast%'
           AND has_table_privilege(c.oid, 'SELECT')
         ORDER BY 1",
    )
    .fetch_all(conn)
    .await
    .expect("list relations")
}

async fn count(conn: &mut PgConnection, relation: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM {relation}"
    )))
    .fetch_one(conn)
    .await
    .unwrap_or_else(|e| panic!("count {relation}: {e}"))
}

#[tokio::test]
async fn without_a_sign_in_the_app_s_login_reads_nothing_and_forgeries_change_nothing() {
    let stores = stores().await;
    let mut conn = raw(stores.reader.url()).await;
    let relations = readable_relations(&mut conn).await;
    for expected in [
        "dashboard.campaigns",
        "dashboard.campaign_metrics_daily",
        "dashboard.etl_runs",
    ] {
        assert!(relations.contains(&expected.to_owned()), "{relations:?}");
    }
    assert!(
        relations.iter().all(|r| r.starts_with("dashboard.")),
        "the app's login reads only the scoped views: {relations:?}"
    );
    for relation in &relations {
        assert_eq!(
            count(&mut conn, relation).await,
            0,
            "{relation} without a sign-in"
        );
    }

    // What a modified client might try: a session setting, temporary tables and functions
    // named like the ones the checks use, writing the session table, giving its own keys.
    conn.execute("SET default_transaction_read_only = off")
        .await
        .expect("set");
    for forgery in [
        "SET auth.role = 'admin'",
        "SELECT set_config('auth.subject', 'admin@example.org', false)",
        "CREATE TEMP TABLE sessions AS SELECT pg_backend_pid() AS pid",
        "CREATE TEMP TABLE campaigns AS SELECT 1 AS campaign_id",
        "CREATE FUNCTION pg_temp.backend_start() RETURNS timestamptz LANGUAGE sql AS 'SELECT now()'",
        "CREATE FUNCTION pg_temp.has_table_privilege(name, text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    ] {
        conn.execute(forgery)
            .await
            .unwrap_or_else(|e| panic!("{forgery}: {e}"));
    }
    conn.execute("SET search_path = pg_temp, dashboard, public")
        .await
        .expect("search_path");
    assert_eq!(count(&mut conn, "dashboard.campaigns").await, 0);
    assert_eq!(
        count(&mut conn, "dashboard.campaign_metrics_daily").await,
        0
    );
    for refused in [
        "INSERT INTO auth.sessions VALUES (pg_backend_pid(), now(), 'x', 'admin', '[]', now() + interval '1 hour', now())",
        "SELECT auth.set_keys('{\"keys\": []}')",
        "SELECT auth.grant_access('anyone', 'admin', NULL, NULL)",
        "SELECT audit.append(gen_random_uuid(), now(), 'admin', 'admin', 'view', '{}')",
        "SELECT count(*) FROM public.campaigns",
        "SELECT count(*) FROM audit.events",
    ] {
        let err = conn.execute(refused).await.expect_err(refused);
        let code = err
            .as_database_error()
            .and_then(|d| d.code())
            .map(|c| c.into_owned());
        assert_eq!(code.as_deref(), Some("42501"), "{refused}: {err}");
    }

    // The backend says why it shows nothing, rather than an empty dashboard.
    let err = Dashboard::connect(stores.reader.url())
        .await
        .expect_err("no sign-in");
    assert!(matches!(err, DashboardError::NotSignedIn), "{err}");
}

#[tokio::test]
async fn a_viewer_sees_only_its_scope_and_gets_the_answers_an_admin_gets_for_it() {
    let stores = stores().await;
    let mut owner = stores.postgres.connect().await;
    let types: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT campaign_type FROM campaigns ORDER BY 1")
            .fetch_all(&mut owner)
            .await
            .expect("types");
    assert!(types.len() >= 2, "{types:?}");
    let scope = types[0].clone();
    identity::grant(
        &mut owner,
        "scoped-viewers",
        "viewer",
        Some(&[scope.as_str()]),
        None,
    )
    .await;

    let token = key().id_token("viewer@example.org", &["scoped-viewers", "unrelated-group"]);
    let mut conn = raw(stores.reader.url()).await;
    assert_eq!(sign_in(&mut conn, &token).await, None);

    // Every view holds exactly the scope's rows, and no rollup summed over every campaign.
    for table in [
        "campaigns",
        "campaign_metrics_daily",
        "member_interactions",
        "campaign_reach_sketches",
        "campaign_reach_rollups",
    ] {
        let expected: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM public.{table} t WHERE t.campaign_id IN
               (SELECT campaign_id FROM public.campaigns WHERE campaign_type = $1)"
        )))
        .bind(&scope)
        .fetch_one(&mut owner)
        .await
        .expect("count as the owner");
        let seen: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM dashboard.{table}"
        )))
        .fetch_one(&mut conn)
        .await
        .expect("count as the viewer");
        assert_eq!(seen, expected, "{table}");
        let outside: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM dashboard.{table} t
             WHERE t.campaign_id NOT IN (SELECT campaign_id FROM dashboard.campaigns WHERE campaign_type = $1)"
        )))
        .bind(&scope)
        .fetch_one(&mut conn)
        .await
        .expect("count outside the scope");
        assert_eq!(outside, 0, "{table}");
    }
    assert!(count(&mut conn, "dashboard.campaigns").await > 0);
    for rollup in [
        "channel_metrics_daily",
        "segment_metrics_daily",
        "reach_rollups",
    ] {
        assert!(
            count(&mut owner, &format!("public.{rollup}")).await > 0,
            "{rollup} is built"
        );
        assert_eq!(
            count(&mut conn, &format!("dashboard.{rollup}")).await,
            0,
            "{rollup}"
        );
        // The rollups per type: exactly the rows of the scope's type.
        let typed = format!("type_{rollup}");
        let expected: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM public.{typed} WHERE campaign_type = $1"
        )))
        .bind(&scope)
        .fetch_one(&mut owner)
        .await
        .expect("count as the owner");
        assert!(expected > 0, "{typed} is built");
        assert!(
            count(&mut owner, &format!("public.{typed}")).await > expected,
            "{typed} holds other types"
        );
        let seen: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT campaign_type FROM dashboard.{typed}"
        )))
        .fetch_all(&mut conn)
        .await
        .expect("read as the viewer");
        assert_eq!(seen.len() as i64, expected, "{typed}");
        assert!(seen.iter().all(|t| *t == scope), "{typed}");
    }
    let (ready, whole): (bool, bool) =
        sqlx::query_as("SELECT rollups_ready, whole_rollups FROM dashboard.dashboard_settings")
            .fetch_one(&mut conn)
            .await
            .expect("settings");
    assert!(
        ready && !whole,
        "a scoped session reads the rollups per type, never those over every campaign"
    );

    // A scope of one type on one channel sees the rollups of that pair only.
    let (pair_type, pair_channel) = (types[1].clone(), "SMS");
    identity::grant(
        &mut owner,
        "sms-viewers",
        "viewer",
        Some(&[pair_type.as_str()]),
        Some(&[pair_channel]),
    )
    .await;
    let pair_token = key().id_token("sms@example.org", &["sms-viewers"]);
    let mut pair_conn = raw(stores.reader.url()).await;
    assert_eq!(sign_in(&mut pair_conn, &pair_token).await, None);
    for typed in [
        "type_channel_metrics_daily",
        "type_segment_metrics_daily",
        "type_reach_rollups",
    ] {
        let expected: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM public.{typed} WHERE campaign_type = $1 AND channel = $2"
        )))
        .bind(&pair_type)
        .bind(pair_channel)
        .fetch_one(&mut owner)
        .await
        .expect("count as the owner");
        let seen: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT campaign_type, channel FROM dashboard.{typed}"
        )))
        .fetch_all(&mut pair_conn)
        .await
        .expect("read as the viewer of a pair");
        assert!(expected > 0, "{typed} has rows of the pair");
        assert_eq!(seen.len() as i64, expected, "{typed}");
        assert!(
            seen.iter()
                .all(|(t, c)| *t == pair_type && c == pair_channel),
            "{typed}"
        );
    }

    // The backend, signed in as the viewer, against an admin filtering to the viewer's scope.
    let viewer =
        Dashboard::connect_signed_in(stores.reader.url(), SignIn::new(IdToken::new(token)))
            .await
            .expect("the viewer signs in");
    let who = viewer
        .identity()
        .await
        .expect("identity")
        .expect("signed in");
    assert_eq!(
        (who.subject.as_str(), who.role, who.everything),
        ("viewer@example.org", Role::Viewer, false)
    );
    let admin = stores.reader_dashboard().await;
    let admin_who = admin
        .identity()
        .await
        .expect("identity")
        .expect("signed in");
    assert_eq!((admin_who.role, admin_who.everything), (Role::Admin, true));

    let range = DateRange::new(date!(2026 - 06 - 01), date!(2026 - 11 - 27)).expect("range");
    // The scope's campaigns by id: the admin's answers from the facts, not the rollups.
    let scope_ids: Vec<CampaignId> = crate::helpers::campaign_ids(
        sqlx::query_scalar("SELECT campaign_id FROM campaigns WHERE campaign_type = $1")
            .bind(&scope)
            .fetch_all(&mut owner)
            .await
            .expect("the scope's campaigns"),
    );
    let as_viewer = Filter::new(range);
    let as_admin = Filter {
        campaign_types: vec![scope.clone()],
        ..Filter::new(range)
    };
    for (viewer_filter, admin_filter) in [
        (as_viewer.clone(), as_admin.clone()),
        (
            Filter {
                channels: vec![Channel::Sms],
                ..as_viewer.clone()
            },
            Filter {
                channels: vec![Channel::Sms],
                ..as_admin.clone()
            },
        ),
    ] {
        let what = format!("{viewer_filter:?}");
        let from_facts = Filter {
            campaigns: scope_ids.clone(),
            ..admin_filter.clone()
        };
        assert_eq!(
            json(&viewer.summary(&viewer_filter).await.expect("summary")),
            json(&admin.summary(&admin_filter).await.expect("summary")),
            "summary of {what}"
        );
        assert_eq!(
            json(&viewer.summary(&viewer_filter).await.expect("summary")),
            json(&admin.summary(&from_facts).await.expect("summary")),
            "summary of {what}, from the facts"
        );
        assert_eq!(
            json(&viewer.segments(&viewer_filter).await.expect("segments")),
            json(&admin.segments(&from_facts).await.expect("segments")),
            "segments of {what}, from the facts"
        );
        assert_eq!(
            json(
                &viewer
                    .trend(&viewer_filter, Metric::Reach, Interval::Day)
                    .await
                    .expect("trend")
            ),
            json(
                &admin
                    .trend(&from_facts, Metric::Reach, Interval::Day)
                    .await
                    .expect("trend")
            ),
            "daily reach of {what}, from the facts"
        );
        for metric in [Metric::Reach, Metric::Impressions, Metric::OptOutRate] {
            assert_eq!(
                json(
                    &viewer
                        .trend(&viewer_filter, metric, Interval::Week)
                        .await
                        .expect("trend")
                ),
                json(
                    &admin
                        .trend(&admin_filter, metric, Interval::Week)
                        .await
                        .expect("trend")
                ),
                "trend of {metric} of {what}"
            );
        }
        assert_eq!(
            json(&viewer.segments(&viewer_filter).await.expect("segments")),
            json(&admin.segments(&admin_filter).await.expect("segments")),
            "segments of {what}"
        );
        for sort in [CampaignSort::Name, CampaignSort::Metric(Metric::Reach)] {
            let order = CampaignOrder {
                sort,
                reversed: false,
            };
            let page = Page::new(1, 1000).expect("page");
            let seen = viewer
                .campaigns(&viewer_filter, None, order, page)
                .await
                .expect("list");
            assert!(seen.campaigns.iter().all(|c| c.campaign_type == scope));
            assert_eq!(
                json(&seen),
                json(
                    &admin
                        .campaigns(&admin_filter, None, order, page)
                        .await
                        .expect("list")
                ),
                "campaigns of {what} by {sort:?}"
            );
        }
        assert_eq!(
            json(
                &viewer
                    .ranking(&viewer_filter, Metric::EngagementRate, 5, 0)
                    .await
                    .expect("ranking")
            ),
            json(
                &admin
                    .ranking(&admin_filter, Metric::EngagementRate, 5, 0)
                    .await
                    .expect("ranking")
            ),
            "ranking of {what}"
        );
    }
    // The campaign types it may pick from are its own.
    assert_eq!(
        viewer.campaign_types(range).await.expect("types"),
        vec![scope]
    );

    // A viewer does not export (the Export button is hidden, and the backend refuses): nothing
    // is written. The admin's export of the same request is.
    let folder = tempfile::tempdir().expect("a folder");
    let request = outreach_model::ExportRequest {
        format: outreach_model::ExportFormat::Csv,
        view: outreach_model::ReportView::Campaigns {
            search: None,
            sort: CampaignSort::Name,
            reversed: false,
        },
        filter: as_viewer.clone(),
        paper: outreach_model::PaperSize::A4,
        byte_order_mark: false,
    };
    let context =
        outreach_backend::export::ReportContext::for_os_account(time::OffsetDateTime::now_utc());
    let refused = folder.path().join("viewer.csv");
    let err = outreach_backend::export::export(&viewer, &request, &refused, &context)
        .await
        .expect_err("a viewer's export is refused");
    assert!(
        matches!(
            err,
            outreach_backend::export::ExportError::NotPermitted(Role::Viewer)
        ),
        "{err}"
    );
    assert!(err.to_string().contains("analyst role"), "{err}");
    assert_eq!(
        std::fs::read_dir(folder.path())
            .expect("the folder")
            .count(),
        0,
        "a refused export leaves no file"
    );
    let written = folder.path().join("admin.csv");
    let done = outreach_backend::export::export(&admin, &request, &written, &context)
        .await
        .expect("an admin exports");
    assert!(written.is_file() && done.rows_or_pages > 0, "{done:?}");
}

/// An answer, for comparison.
fn json(answer: &impl serde::Serialize) -> Value {
    serde_json::to_value(answer).expect("answers serialise")
}

#[tokio::test]
async fn forged_and_broken_tokens_are_refused_by_the_database_and_recorded() {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    let stores = stores().await;
    let k = key();
    let good = claims("alice@example.org", &[ADMIN_GROUP]);
    let with = |changes: Value| {
        let mut c = good.clone();
        for (name, value) in changes.as_object().expect("changes").clone() {
            if value.is_null() {
                c.as_object_mut().expect("claims").remove(&name);
            } else {
                c[name.as_str()] = value;
            }
        }
        k.sign(&k.header(), &c)
    };
    let unsigned = format!(
        "{}.{}.",
        identity::part(&json!({"alg": "none", "kid": k.kid})),
        identity::part(&good)
    );
    let hs_input = format!(
        "{}.{}",
        identity::part(&json!({"alg": "HS256", "kid": k.kid})),
        identity::part(&good)
    );
    let key_confusion = format!(
        "{hs_input}.{}",
        B64.encode(identity::hs256(&k.public_modulus(), &hs_input))
    );
    let tampered = {
        let honest = k.sign(&k.header(), &good);
        let parts: Vec<&str> = honest.split('.').collect();
        let mut elevated = good.clone();
        elevated["sub"] = "mallory@example.org".into();
        format!("{}.{}.{}", parts[0], identity::part(&elevated), parts[2])
    };
    let other = identity::other_key();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "expired",
            with(json!({"exp": now() - 3600, "iat": now() - 7200})),
            "expired",
        ),
        (
            "not yet valid",
            with(json!({"nbf": now() + 3600})),
            "not valid yet",
        ),
        (
            "issued in the future",
            with(json!({"iat": now() + 3600})),
            "not valid yet",
        ),
        (
            "wrong audience",
            with(json!({"aud": "another-app"})),
            "audience",
        ),
        (
            "extra audience",
            with(json!({"aud": [CLIENT_ID, "another-app"]})),
            "audience",
        ),
        (
            "wrong azp",
            with(json!({"azp": "another-app"})),
            "authorised party",
        ),
        (
            "two audiences, no azp",
            with(json!({"aud": [CLIENT_ID, CLIENT_ID], "azp": null})),
            "authorised party",
        ),
        (
            "wrong issuer",
            with(json!({"iss": "http://127.0.0.1:9/evil"})),
            "another provider",
        ),
        ("no expiry", with(json!({"exp": null})), "lacks its times"),
        ("no subject", with(json!({"sub": null})), "no subject"),
        ("alg none", unsigned, "not a signed JWT"),
        (
            "HS256 keyed with the public key",
            key_confusion,
            "not RS256",
        ),
        (
            "unknown key id",
            other.sign(&other.header(), &good),
            "key id",
        ),
        (
            "another key under a known id",
            other.sign(&k.header(), &good),
            "signature",
        ),
        (
            "a jku header",
            k.sign(
                &json!({"alg": "RS256", "kid": k.kid, "jku": "http://127.0.0.1:9/keys"}),
                &good,
            ),
            "names its own key",
        ),
        ("a tampered payload", tampered, "signature"),
        ("not a JWT", "not-a-token".to_owned(), "three parts"),
        ("garbage parts", "a.b.c".to_owned(), "malformed"),
        (
            "no granted group",
            k.id_token("bob@example.org", &["nobody"]),
            "none of the person's groups",
        ),
    ];
    let mut conn = raw(stores.reader.url()).await;
    for (what, token, reason) in &cases {
        let refusal = sign_in(&mut conn, token).await;
        assert!(
            refusal.as_deref().is_some_and(|r| r.contains(reason)),
            "{what}: {refusal:?}, expected a refusal saying {reason:?}"
        );
        assert!(
            !refusal.unwrap_or_default().contains(token.as_str()),
            "{what}: the token is echoed"
        );
        assert_eq!(count(&mut conn, "dashboard.campaigns").await, 0, "{what}");
    }
    // Each refusal is in the trail, and no token is.
    let admin = stores.reader_dashboard().await;
    let trail = admin.audit_entries(1, 10_000).await.expect("the trail");
    let refused = trail.iter().filter(|e| e.kind == "sign_in_refused").count();
    assert_eq!(refused, cases.len(), "{trail:#?}");
    for (what, token, _) in &cases {
        if token.len() > 20 {
            assert!(
                trail.iter().all(|e| !e.content.contains(token.as_str())),
                "{what} in the trail"
            );
        }
    }

    // The backend says why, without the token.
    let err = Dashboard::connect_signed_in(
        stores.reader.url(),
        SignIn::new(IdToken::new(cases[0].1.clone())),
    )
    .await
    .expect_err("refused");
    assert!(
        matches!(&err, DashboardError::SignInRefused(r) if r.contains("expired")),
        "{err}"
    );
    assert!(!err.to_string().contains(&cases[0].1));

    // Keys rotate: once the provider's new key is published to the database, its tokens pass.
    let rotated = other.id_token("carol@example.org", &[ADMIN_GROUP]);
    assert!(
        sign_in(&mut conn, &rotated).await.is_some(),
        "not published yet"
    );
    let mut owner = stores.postgres.connect().await;
    identity::set_keys(&mut owner, &[k, other]).await;
    assert_eq!(sign_in(&mut conn, &rotated).await, None);
    assert!(count(&mut conn, "dashboard.campaigns").await > 0);
}

#[tokio::test]
async fn the_audit_trail_records_once_refuses_edits_and_names_a_changed_row() {
    use outreach_backend::audit::{ChainBreak, Event, EventKind};
    let stores = stores().await;
    let viewer_token = key().id_token("dana@example.org", &["audited-viewers"]);
    let mut owner = stores.postgres.connect().await;
    identity::grant(
        &mut owner,
        "audited-viewers",
        "viewer",
        None,
        Some(&["Email"]),
    )
    .await;
    let viewer =
        Dashboard::connect_signed_in(stores.reader.url(), SignIn::new(IdToken::new(viewer_token)))
            .await
            .expect("sign in");

    // A question and an export, the export sent twice (a queue replayed): recorded once each,
    // under the person the database verified, whatever the client claims in the detail.
    let view = Event::now(
        EventKind::View,
        json!({"question": "summary", "actor": "someone-else"}),
    );
    let export = Event::now(
        EventKind::Export,
        json!({"format": "csv", "rows": 12, "file": "q3.csv"}),
    );
    let first = viewer
        .audit(&view)
        .await
        .expect("record")
        .expect("a sequence number");
    let second = viewer
        .audit(&export)
        .await
        .expect("record")
        .expect("a sequence number");
    let again = viewer
        .audit(&export)
        .await
        .expect("replay")
        .expect("a sequence number");
    assert_eq!(
        (second, again),
        (first + 1, first + 1),
        "a replay records once"
    );

    let admin = stores.reader_dashboard().await;
    let trail = admin.audit_entries(1, 10_000).await.expect("trail");
    let mine: Vec<_> = trail
        .iter()
        .filter(|e| e.actor == "dana@example.org")
        .collect();
    let kinds: Vec<&str> = mine.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["sign_in", "view", "export"], "{mine:#?}");
    assert!(mine.iter().all(|e| e.role.as_deref() == Some("viewer")));
    let seqs: Vec<i64> = trail.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (1..=trail.len() as i64).collect::<Vec<_>>(),
        "gapless"
    );
    assert_eq!(
        admin.verify_audit().await.expect("verify"),
        Ok(trail.len() as u64)
    );

    // Only an admin reads the trail; a client records only views and exports.
    let err = viewer
        .audit_entries(1, 10)
        .await
        .expect_err("a viewer may not read the trail");
    assert!(err.to_string().contains("only an admin"), "{err}");
    let mut conn = raw(stores.reader.url()).await;
    let token = key().id_token("dana@example.org", &["audited-viewers"]);
    assert_eq!(sign_in(&mut conn, &token).await, None);
    conn.execute("SET default_transaction_read_only = off")
        .await
        .expect("set");
    let err = conn
        .execute("SELECT audit.record(gen_random_uuid(), now(), 'access_change', '{}')")
        .await
        .expect_err("not a client's event");
    assert!(err.to_string().contains("only views and exports"), "{err}");

    // Not even the owner (here a superuser) may update, delete or truncate it.
    for change in [
        "UPDATE audit.events SET actor = 'nobody'",
        "DELETE FROM audit.events WHERE seq = 1",
        "TRUNCATE audit.events",
    ] {
        let err = owner.execute(change).await.expect_err(change);
        assert!(err.to_string().contains("append-only"), "{change}: {err}");
    }

    // A superuser who turns the triggers off can change a row; verify names it.
    let target = mine[1].seq;
    owner
        .execute("SET session_replication_role = replica")
        .await
        .expect("replica");
    sqlx::query("UPDATE audit.events SET detail = '{\"question\": \"nothing\"}' WHERE seq = $1")
        .bind(target)
        .execute(&mut owner)
        .await
        .expect("a superuser's edit");
    assert_eq!(
        admin.verify_audit().await.expect("verify"),
        Err(ChainBreak::Column {
            seq: target,
            column: "detail"
        })
    );
    sqlx::query(
        "UPDATE audit.events SET content = replace(content, 'summary', 'nothing') WHERE seq = $1",
    )
    .bind(target)
    .execute(&mut owner)
    .await
    .expect("a subtler edit");
    assert_eq!(
        admin.verify_audit().await.expect("verify"),
        Err(ChainBreak::Hash(target))
    );
    owner
        .execute("SET session_replication_role = origin")
        .await
        .expect("origin");
    drop(owner.close().await);
}
