//! The read benchmark: each dashboard question's backend time, warm, median and p95 over 50 runs
//! (BENCH_RUNS); the same statements run bare in psql (PREPARE, then EXECUTE with the same binds) for
//! the database's own time; and the plan of each statement, checked for sequential scans of
//! the fact tables. `bench/read.sh` loads the scale dataset first and runs this:
//!   BENCH_DATABASE_URL=postgres://…/outreach_scale cargo bench -p outreach-cli --bench read
//! Plans go to the file named by BENCH_PLANS (default: target's bench-plans.txt), EXPLAIN'd with
//! BENCH_EXPLAIN's options (default COSTS OFF); BENCH_ONLY keeps the questions whose name has it.
//!
//! Every question reads through the `dashboard` views, as the app does. BENCH_AS says who asks:
//! `owner` (default: the URL's login, which may read the tables and so sees everything),
//! `admin` or `viewer:<campaign type>` (a login holding only `outreach_reader`, signed in with
//! an RS256 ID token of the tests' issuer, which the bench trusts and grants first). Signed in,
//! it also times a connection's sign-in and a question's audit event. BENCH_FILTER_TYPE adds a
//! campaign type to every filter (what an admin asks to see a viewer's scope).

use std::fmt::Write as _;
use std::time::Instant;

use outreach_backend::access::{IdToken, SignIn};
use outreach_backend::store::Value;
use outreach_backend::{DEFAULT_MIN_VOLUME, Dashboard};
use outreach_model::{
    CampaignOrder, CampaignSort, Channel, DateRange, Filter, Interval, Metric, Page,
};

/// Timed runs of each question (BENCH_RUNS; 50 by default).
fn runs() -> usize {
    std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .filter(|runs| *runs > 0)
        .unwrap_or(50)
}

/// The fact tables, which grow with campaigns and members; none may be read by a sequential
/// scan. (The rollups grow only with days: a year of channel_metrics_daily is 1,095 rows.)
const FACT_TABLES: &[&str] = &[
    "campaign_metrics_daily",
    "member_interactions",
    "campaign_reach_sketches",
];

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// A bind as a psql literal, and its type for PREPARE.
fn literal(value: &Value) -> (String, &'static str) {
    let quote = |text: &str| format!("'{}'", text.replace('\'', "''"));
    let array = |items: Vec<String>| quote(&format!("{{{}}}", items.join(",")));
    match value {
        Value::Date(day) => (quote(&day.to_string()), "date"),
        Value::Dates(days) => (
            array(days.iter().map(ToString::to_string).collect()),
            "date[]",
        ),
        Value::Ids(ids) => (
            array(ids.iter().map(ToString::to_string).collect()),
            "uuid[]",
        ),
        Value::Texts(texts) => (
            array(
                texts
                    .iter()
                    .map(|t| format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")))
                    .collect(),
            ),
            "text[]",
        ),
        Value::Text(text) => (text.as_deref().map_or("NULL".to_owned(), quote), "text"),
        Value::Int(int) => (int.map_or("NULL".to_owned(), |i| i.to_string()), "bigint"),
        Value::Bool(flag) => (flag.to_string(), "boolean"),
    }
}

struct Question {
    name: &'static str,
    target_ms: f64,
    backend: (f64, f64),
    statements: Vec<(String, Vec<Value>)>,
}

async fn measure<T>(
    name: &'static str,
    target_ms: f64,
    dashboard: &Dashboard,
    question: impl AsyncFn(&Dashboard) -> Result<T, outreach_backend::DashboardError>,
) -> Result<Option<Question>, Box<dyn std::error::Error>> {
    // BENCH_ONLY: only the questions whose name contains it.
    if std::env::var("BENCH_ONLY").is_ok_and(|only| !name.contains(&only)) {
        return Ok(None);
    }
    question(dashboard).await?; // warm-up
    // One traced run for the statements; the timed runs are not traced.
    let (traced, trace) = dashboard.traced();
    question(&traced).await?;
    let statements = trace.lock().map(|t| t.clone()).unwrap_or_default();
    let mut times = Vec::with_capacity(runs());
    for _ in 0..runs() {
        let started = Instant::now();
        question(dashboard).await?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok(Some(Question {
        name,
        target_ms,
        backend: (percentile(&times, 0.5), percentile(&times, 0.95)),
        statements,
    }))
}

/// Runs every statement of every question bare in psql, runs() times after a warm-up; returns the
/// median and p95 of each question's summed time, and the plans.
fn psql(
    url: &str,
    token: Option<&str>,
    questions: &[Question],
) -> Result<(Vec<(f64, f64)>, String), String> {
    // As the backend reads (store::postgres_options): through the views, without JIT, signed
    // in when the bench is.
    let mut script = String::from(
        "\\set ON_ERROR_STOP on\nSET plan_cache_mode = force_custom_plan;\nSET search_path = dashboard, public, pg_temp;\nSET jit = off;\n\\pset format unaligned\n\\o /dev/null\n",
    );
    if let Some(token) = token {
        let _ = writeln!(
            script,
            "START TRANSACTION READ WRITE;\nSELECT refusal FROM auth.sign_in('{token}', gen_random_uuid());\nCOMMIT;"
        );
    }
    let mut executes = Vec::new();
    for (q, question) in questions.iter().enumerate() {
        for (s, (sql, values)) in question.statements.iter().enumerate() {
            let (literals, types): (Vec<String>, Vec<&str>) = values.iter().map(literal).unzip();
            let name = format!("q{q}_{s}");
            let _ = writeln!(
                script,
                "PREPARE {name} ({}) AS {sql};",
                if types.is_empty() {
                    "int".to_owned()
                } else {
                    types.join(", ")
                }
            );
            let call = if literals.is_empty() {
                format!("EXECUTE {name}(0)")
            } else {
                format!("EXECUTE {name}({})", literals.join(", "))
            };
            executes.push((q, call));
        }
    }
    // PREPARE of a statement without binds declares one unused int: drop it there.
    let script = script.replace(" (int) AS", " AS");
    let executes: Vec<(usize, String)> = executes
        .into_iter()
        .map(|(q, call)| (q, call.replace("(0)", "")))
        .collect();
    // The plans, then the warm-up, then the timed runs.
    // BENCH_EXPLAIN: EXPLAIN's options instead of COSTS OFF (e.g. "ANALYZE, BUFFERS").
    let explain = std::env::var("BENCH_EXPLAIN").unwrap_or_else(|_| "COSTS OFF".to_owned());
    let mut plans_script = script.clone();
    plans_script.push_str("\\o\n");
    for (q, call) in &executes {
        let _ = writeln!(
            plans_script,
            "\\echo '### q{q}: {}'\nEXPLAIN ({explain}) {call};",
            call.split('(').next().unwrap_or_default()
        );
    }
    let run = |text: &str| -> Result<String, String> {
        let output = std::process::Command::new("psql")
            .args(["-X", "-q", "-d", url, "-f", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write as _;
                // Written from a thread of its own while the output is read: a script longer
                // than the pipe's buffer, with psql's plans filling the other pipe, would
                // otherwise leave both waiting for ever.
                let writer = child.stdin.take().map(|mut stdin| {
                    let text = text.to_owned();
                    std::thread::spawn(move || stdin.write_all(text.as_bytes()))
                });
                let output = child.wait_with_output()?;
                let written = writer.map(|w| {
                    w.join()
                        .unwrap_or_else(|_| Err(std::io::Error::other("the writer panicked")))
                });
                Ok((output, written))
            })
            .map_err(|err| format!("cannot run psql: {err}"))?;
        let (output, written) = output;
        // psql's own message first: a script it stopped reading also fails the writing.
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
        if let Some(Err(err)) = written {
            return Err(format!("cannot write psql's script: {err}"));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let plans = run(&plans_script)?;

    let mut timing = script;
    for _ in 0..=runs() {
        for (_, call) in &executes {
            let _ = writeln!(timing, "{call};");
        }
    }
    let timing = timing.replacen(
        &format!(
            "{};",
            executes.first().map(|e| e.1.as_str()).unwrap_or_default()
        ),
        &format!(
            "\\timing on\n{};",
            executes.first().map(|e| e.1.as_str()).unwrap_or_default()
        ),
        1,
    );
    let out = run(&timing)?;
    let times: Vec<f64> = out
        .lines()
        .filter_map(|l| l.strip_prefix("Time: "))
        .filter_map(|l| l.split_whitespace().next())
        .filter_map(|ms| ms.parse().ok())
        .collect();
    if times.len() != executes.len() * (runs() + 1) {
        return Err(format!(
            "psql printed {} timings for {} statements",
            times.len(),
            executes.len() * (runs() + 1)
        ));
    }
    let mut results = Vec::new();
    for q in 0..questions.len() {
        let mut per_run: Vec<f64> = (1..=runs())
            .map(|run| {
                executes
                    .iter()
                    .enumerate()
                    .filter(|(_, (owner, _))| *owner == q)
                    .map(|(i, _)| times[run * executes.len() + i])
                    .sum()
            })
            .collect();
        per_run.sort_by(f64::total_cmp);
        results.push((percentile(&per_run, 0.5), percentile(&per_run, 0.95)));
    }
    Ok((results, plans))
}

/// The scan of each table in a plan: "Index Scan", "Seq Scan", ….
fn shapes(plan: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in plan.lines() {
        let line = line.trim().trim_start_matches("->").trim();
        if let Some((node, rest)) = line.split_once(" on ") {
            let table = rest.split_whitespace().next().unwrap_or_default();
            if node.contains("Scan") {
                let shape = format!("{node} on {table}");
                if !found.contains(&shape) {
                    found.push(shape);
                }
            }
        }
    }
    found
}

/// Everything the overview asks for a filter, at once, as the app asks it: the summary, a
/// sparkline's trend per KPI, the trend chart, each channel's summary and the ranking.
async fn overview(d: &Dashboard, filter: &Filter) -> Result<(), outreach_backend::DashboardError> {
    use futures_util::future::try_join_all;
    let sparklines = [
        Metric::Reach,
        Metric::Impressions,
        Metric::EngagementRate,
        Metric::ConversionRate,
        Metric::OptOutRate,
    ]
    .map(|metric| d.trend(filter, metric, Interval::Day));
    let channels: Vec<Filter> = Channel::ALL
        .iter()
        .filter(|c| filter.channels.contains(c))
        .map(|c| Filter {
            channels: vec![*c],
            ..filter.clone()
        })
        .collect();
    tokio::try_join!(
        d.summary(filter),
        try_join_all(sparklines),
        d.trend(filter, Metric::EngagementRate, Interval::Day),
        try_join_all(channels.iter().map(|f| d.summary(f))),
        d.ranking(filter, Metric::EngagementRate, 5, DEFAULT_MIN_VOLUME),
    )?;
    Ok(())
}

/// The login the signed-in runs use (made by [`signed_in`]): it holds only `outreach_reader`,
/// as an app's login does.
const APP_LOGIN: &str = "outreach_bench_app";
/// The group the viewer runs' token carries.
const VIEWER_GROUP: &str = "outreach-bench-viewers";

/// Makes the database at `owner_url` (as its owner) trust the tests' issuer and grant a viewer
/// of `campaign_type` (or, without one, the admin group), makes the app's login, and returns
/// that login's URL and an ID token, valid for two hours, of someone in the group.
async fn signed_in(
    owner_url: &str,
    campaign_type: Option<&str>,
) -> Result<(String, String), Box<dyn std::error::Error>> {
    use outreach_testkit::identity;
    use sqlx::Connection as _;
    let mut owner = sqlx::PgConnection::connect(owner_url).await?;
    sqlx::query(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'outreach_bench_app') \
         THEN CREATE ROLE outreach_bench_app LOGIN IN ROLE outreach_reader; END IF; END $$",
    )
    .execute(&mut owner)
    .await?;
    identity::trust(owner_url, &[identity::key()]).await;
    let group = match campaign_type {
        Some(campaign_type) => {
            let known: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM campaigns WHERE campaign_type = $1)",
            )
            .bind(campaign_type)
            .fetch_one(&mut owner)
            .await?;
            if !known {
                return Err(format!("no campaign has the type {campaign_type:?}").into());
            }
            identity::grant(
                &mut owner,
                VIEWER_GROUP,
                "viewer",
                Some(&[campaign_type]),
                None,
            )
            .await;
            VIEWER_GROUP
        }
        None => identity::ADMIN_GROUP,
    };
    let mut claims = identity::claims("bench@example.org", &[group]);
    claims["exp"] = (identity::now() + 7200).into();
    let token = identity::key().sign(&identity::key().header(), &claims);
    let mut url = url::Url::parse(owner_url)?;
    url.set_username(APP_LOGIN)
        .and_then(|()| url.set_password(None))
        .map_err(|()| "the database URL cannot carry a login")?;
    Ok((url.to_string(), token))
}

/// A connection's sign-in (the `auth.sign_in` transaction: the RS256 check in PL/pgSQL and the
/// session's audit event), and a question's audit event as the CLI and the app record it (a
/// synced file in the local queue, then `audit.record`): median and p95 of runs() each.
async fn sign_in_and_audit(
    url: &str,
    token: &str,
    dashboard: &Dashboard,
) -> Result<Vec<(&'static str, (f64, f64))>, Box<dyn std::error::Error>> {
    use sqlx::{Connection as _, Executor as _};
    let timed = |mut times: Vec<f64>| {
        times.sort_by(f64::total_cmp);
        (percentile(&times, 0.5), percentile(&times, 0.95))
    };
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let mut signing_in = Vec::with_capacity(runs());
    for run in 0..=runs() {
        let started = Instant::now();
        conn.execute("START TRANSACTION READ WRITE").await?;
        let refusal: Option<String> =
            sqlx::query_scalar("SELECT refusal FROM auth.sign_in($1, $2)")
                .bind(token)
                .bind(uuid::Uuid::new_v4())
                .fetch_one(&mut conn)
                .await?;
        conn.execute("COMMIT").await?;
        if let Some(refusal) = refusal {
            return Err(format!("the database refused the bench's sign-in: {refusal}").into());
        }
        if run > 0 {
            signing_in.push(started.elapsed().as_secs_f64() * 1e3);
        }
    }
    let mut connecting = Vec::with_capacity(10);
    for _ in 0..10 {
        let started = Instant::now();
        let conn = sqlx::PgConnection::connect(url).await?;
        connecting.push(started.elapsed().as_secs_f64() * 1e3);
        conn.close().await?;
    }
    let dir = tempfile::tempdir()?;
    let queue = outreach_backend::audit::queue::AuditQueue::open(dir.path())?;
    let mut auditing = Vec::with_capacity(runs());
    for run in 0..=runs() {
        let event = outreach_backend::audit::Event::now(
            outreach_backend::audit::EventKind::View,
            serde_json::json!({ "question": "summary", "filter": { "bench": run } }),
        );
        let started = Instant::now();
        let delivery = dashboard.record_event(&queue, &event).await?;
        if !delivery.recorded() {
            return Err("the bench's audit event was not recorded".into());
        }
        if run > 0 {
            auditing.push(started.elapsed().as_secs_f64() * 1e3);
        }
    }
    Ok(vec![
        (
            "a connection's sign-in (auth.sign_in, committed)",
            timed(signing_in),
        ),
        ("(a new connection, for comparison)", timed(connecting)),
        (
            "a question's audit event (queue, fsync, audit.record)",
            timed(auditing),
        ),
    ])
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let owner_url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/outreach_scale".to_owned());
    let asker = std::env::var("BENCH_AS").unwrap_or_else(|_| "owner".to_owned());
    let signed_in = match asker.as_str() {
        "owner" => None,
        "admin" => Some(signed_in(&owner_url, None).await?),
        other => match other.strip_prefix("viewer:") {
            Some(campaign_type) if !campaign_type.is_empty() => {
                Some(signed_in(&owner_url, Some(campaign_type)).await?)
            }
            _ => {
                return Err(format!(
                    "BENCH_AS={other} is not known: say owner, admin or viewer:<campaign type>"
                )
                .into());
            }
        },
    };
    let (url, token) = match &signed_in {
        Some((url, token)) => (url.clone(), Some(token.clone())),
        None => (owner_url.clone(), None),
    };
    let dashboard = match &token {
        Some(token) => {
            Dashboard::connect_signed_in(&url, SignIn::new(IdToken::new(token.clone()))).await?
        }
        None => Dashboard::connect(&url).await?,
    };
    let who = dashboard.identity().await?;
    println!(
        "asking as {asker}: {}",
        who.map_or("a database without sign-in".to_owned(), |w| format!(
            "{} ({:?}, {})",
            w.subject,
            w.role,
            if w.everything {
                "everything".to_owned()
            } else {
                format!("{} grant(s)", w.grants.len())
            }
        ))
    );
    let latest = dashboard
        .health()
        .await?
        .latest_metric_date
        .ok_or("the database holds no data: run bench/read.sh")?;
    // BENCH_FILTER_TYPE: every filter also names that campaign type (an admin asking what a
    // viewer of that type sees, for comparison).
    let filter_type = std::env::var("BENCH_FILTER_TYPE")
        .ok()
        .filter(|t| !t.is_empty());
    if let Some(campaign_type) = &filter_type {
        println!("every filter names the campaign type {campaign_type:?}");
    }
    let new_filter = |range: DateRange| Filter {
        campaign_types: filter_type.iter().cloned().collect(),
        ..Filter::new(range)
    };
    let days90 = new_filter(DateRange::last_days(latest, 90));
    let year = new_filter(DateRange::last_days(latest, 365));
    let two_years = DateRange::last_days(latest, 730);
    let page = Page::new(1, 50)?;
    let hundred = Page::new(1, 100)?;
    let row_5000 = Page::new(51, 100)?;
    let days30 = new_filter(DateRange::last_days(latest, 30));
    let days30_sms = Filter {
        channels: vec![Channel::Sms],
        ..days30.clone()
    };
    let days90_sms = Filter {
        channels: vec![Channel::Sms],
        ..days90.clone()
    };
    let september = new_filter(DateRange::new(
        time::macros::date!(2026 - 09 - 01),
        time::macros::date!(2026 - 09 - 30),
    )?);
    let everything = new_filter(two_years);
    let campaign = dashboard
        .campaigns(
            &days90,
            None,
            CampaignSort::Metric(Metric::Impressions).into(),
            page,
        )
        .await?
        .campaigns
        .first()
        .map(|c| c.campaign_id)
        .ok_or("no campaign")?;
    let one = Filter {
        campaigns: vec![campaign],
        ..new_filter(two_years)
    };

    let questions = vec![
        measure(
            "summary, all campaigns, 90 days, with previous period",
            50.0,
            &dashboard,
            async |d: &Dashboard| d.summary(&days90).await,
        )
        .await?,
        measure(
            "one campaign's metrics over two years by week",
            20.0,
            &dashboard,
            async |d: &Dashboard| {
                d.campaign_metrics(campaign, two_years, Interval::Week)
                    .await
            },
        )
        .await?,
        measure(
            "campaign list, 90 days, sorted by opt_out_rate, page 1",
            100.0,
            &dashboard,
            async |d: &Dashboard| {
                d.campaigns(
                    &days90,
                    None,
                    CampaignSort::Metric(Metric::OptOutRate).into(),
                    page,
                )
                .await
            },
        )
        .await?,
        measure(
            "segments of one campaign, two years",
            50.0,
            &dashboard,
            async |d: &Dashboard| d.segments(&one).await,
        )
        .await?,
        measure(
            "segments of all campaigns, 90 days",
            300.0,
            &dashboard,
            async |d: &Dashboard| d.segments(&days90).await,
        )
        .await?,
        measure(
            "trend of opt_out_rate over a year by day, per channel",
            100.0,
            &dashboard,
            async |d: &Dashboard| d.trend(&year, Metric::OptOutRate, Interval::Day).await,
        )
        .await?,
        measure(
            "trend of reach over a year by week, per channel",
            f64::NAN,
            &dashboard,
            async |d: &Dashboard| d.trend(&year, Metric::Reach, Interval::Week).await,
        )
        .await?,
        // The app's questions (issue 13): what each of its pages asks at a large plan's size.
        measure(
            "overview, 30 days, SMS: its eleven questions at once",
            150.0,
            &dashboard,
            async |d: &Dashboard| overview(d, &days30_sms).await,
        )
        .await?,
        measure(
            "overview, 90 days, SMS: its eleven questions at once",
            150.0,
            &dashboard,
            async |d: &Dashboard| overview(d, &days90_sms).await,
        )
        .await?,
        measure(
            "best and worst by engagement_rate, 90 days",
            100.0,
            &dashboard,
            async |d: &Dashboard| {
                d.ranking(&days90, Metric::EngagementRate, 5, DEFAULT_MIN_VOLUME)
                    .await
            },
        )
        .await?,
        measure(
            "campaign list, 30 days, by name, first 100",
            150.0,
            &dashboard,
            async |d: &Dashboard| {
                d.campaigns(&days30, None, CampaignSort::Name.into(), hundred)
                    .await
            },
        )
        .await?,
        measure(
            "campaign list, 90 days, by reach, first 100",
            150.0,
            &dashboard,
            async |d: &Dashboard| {
                d.campaigns(
                    &days90,
                    None,
                    CampaignSort::Metric(Metric::Reach).into(),
                    hundred,
                )
                .await
            },
        )
        .await?,
        measure(
            "campaign list, 90 days, by reach reversed, first 100",
            150.0,
            &dashboard,
            async |d: &Dashboard| {
                d.campaigns(
                    &days90,
                    None,
                    CampaignOrder::from(CampaignSort::Metric(Metric::Reach)).reverse(),
                    hundred,
                )
                .await
            },
        )
        .await?,
        measure(
            "campaign list, September, by reach (cut campaigns merged)",
            f64::NAN,
            &dashboard,
            async |d: &Dashboard| {
                d.campaigns(
                    &september,
                    None,
                    CampaignSort::Metric(Metric::Reach).into(),
                    hundred,
                )
                .await
            },
        )
        .await?,
        measure(
            "campaign list, two years, by name, rows 5,001 to 5,100",
            150.0,
            &dashboard,
            async |d: &Dashboard| {
                d.campaigns(&everything, None, CampaignSort::Name.into(), row_5000)
                    .await
            },
        )
        .await?,
        measure(
            "a campaign's page, 30 days (its row, by day, its segments)",
            200.0,
            &dashboard,
            async |d: &Dashboard| {
                let row = Filter {
                    campaigns: vec![campaign],
                    ..days30.clone()
                };
                tokio::try_join!(
                    d.campaigns(&row, None, CampaignSort::Name.into(), page),
                    d.campaign_metrics(campaign, days30.range, Interval::Day),
                    d.segments(&row),
                )
            },
        )
        .await?,
        measure(
            "campaign picker: names containing \"flu\", first 50",
            100.0,
            &dashboard,
            async |d: &Dashboard| d.campaign_names(days30.range, Some("flu"), &[], page).await,
        )
        .await?,
    ];

    let questions: Vec<Question> = questions.into_iter().flatten().collect();
    let (bare, plans) = psql(&url, token.as_deref(), &questions)?;
    let signing_in = match &token {
        Some(token) => Some(sign_in_and_audit(&url, token, &dashboard).await?),
        None => None,
    };
    let plans_path = std::env::var("BENCH_PLANS").unwrap_or_else(|_| {
        let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_owned());
        format!("{dir}/bench-plans.txt")
    });
    let names: String = questions
        .iter()
        .enumerate()
        .map(|(q, question)| format!("q{q}: {}\n", question.name))
        .collect();
    std::fs::write(&plans_path, format!("{names}\n{plans}"))?;

    println!(
        "{:<56} {:>9} {:>9} {:>7}  {:>9} {:>9}  {:>5}  plan",
        "question (ms)", "median", "p95", "target", "psql med", "psql p95", "ratio"
    );
    let mut failed = false;
    for (q, (question, (bare_median, bare_p95))) in questions.iter().zip(&bare).enumerate() {
        let plan: String = plans
            .split("### ")
            .filter(|section| section.starts_with(&format!("q{q}:")))
            .collect();
        let shapes = shapes(&plan);
        let seq_scans: Vec<&String> = shapes
            .iter()
            .filter(|s| s.starts_with("Seq Scan") && FACT_TABLES.iter().any(|t| s.ends_with(t)))
            .collect();
        let met = question.target_ms.is_nan() || question.backend.1 < question.target_ms;
        failed |= !met || !seq_scans.is_empty();
        println!(
            "{:<56} {:>9.1} {:>9.1} {:>7}  {:>9.1} {:>9.1}  {:>5.2}  {}",
            question.name,
            question.backend.0,
            question.backend.1,
            if question.target_ms.is_nan() {
                "-".to_owned()
            } else {
                format!("{}{}", question.target_ms, if met { "" } else { "✗" })
            },
            bare_median,
            bare_p95,
            question.backend.0 / bare_median,
            shapes.join("; ")
        );
    }
    println!("plans: {plans_path}; ratio: backend median / psql median");
    if let Some(timings) = signing_in {
        for (name, (median, p95)) in timings {
            println!("{name:<56} {median:>9.1} {p95:>9.1}");
        }
    }
    if failed {
        println!("some targets were missed or a fact table was scanned whole (marked above)");
    }
    Ok(())
}
