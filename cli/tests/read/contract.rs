//! The contract: every question gives the same answer on PostgreSQL and on SQLite loaded with
//! the same data (reach within the sketch error), and the answers agree with sums written here
//! in SQL, independently of the backend.

use outreach_backend::Dashboard;
use outreach_model::{
    CampaignId, CampaignOrder, CampaignSort, CampaignStatus, Channel, DateRange, Dimension, Filter,
    Interval, Metric, Page, SegmentCount, Series, StoreKind,
};
use serde_json::Value;
use sqlx::Row;
use time::Date;
use time::macros::date;

use crate::helpers::{campaign_ids, stores};

/// Relative error allowed between two reach estimates (docs/metrics.md: within 2%).
const REACH_TOLERANCE: f64 = 0.02;

fn same(what: &str, pg: &Value, lite: &Value, reach_values: bool) {
    compare(what, "", pg, lite, reach_values);
}

fn compare(what: &str, path: &str, pg: &Value, lite: &Value, reach_values: bool) {
    match (pg, lite) {
        (Value::Object(a), Value::Object(b)) => {
            assert_eq!(
                a.keys().collect::<Vec<_>>(),
                b.keys().collect::<Vec<_>>(),
                "{what}: fields of {path}"
            );
            for (key, value) in a {
                let reach = reach_values || key == "reach";
                compare(
                    what,
                    &format!("{path}.{key}"),
                    value,
                    &b[key],
                    reach && (key == "reach" || key == "value" || reach_values && value.is_array()),
                );
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{what}: length of {path}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(what, &format!("{path}[{i}]"), x, y, reach_values);
            }
        }
        (Value::Number(x), Value::Number(y)) if reach_values => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            assert!(
                (x - y).abs() <= (REACH_TOLERANCE * x.max(y)).max(1.0),
                "{what}: reach at {path}: {x} on PostgreSQL, {y} on SQLite"
            );
        }
        _ => assert_eq!(pg, lite, "{what}: {path}"),
    }
}

fn json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).expect("answers serialise")
}

#[tokio::test]
async fn the_reader_reads_in_read_only_transactions_that_time_out() {
    use sqlx::ConnectOptions as _;
    let stores = stores().await;
    let options = outreach_backend::store::postgres_options(stores.reader.url()).expect("options");
    let mut conn = options.connect().await.expect("connect as the reader");
    let setting = |name: &'static str| {
        sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(format!("SHOW {name}")))
    };
    assert_eq!(
        setting("statement_timeout")
            .fetch_one(&mut conn)
            .await
            .expect("shown"),
        "15s"
    );
    assert_eq!(
        setting("default_transaction_read_only")
            .fetch_one(&mut conn)
            .await
            .expect("shown"),
        "on"
    );
    let sqlstate = |err: sqlx::Error| {
        err.as_database_error()
            .and_then(|db| db.code())
            .map(|code| code.into_owned())
    };
    // A write is refused by the transaction (read only, 25006) before the role is asked. (The
    // tables themselves: what the login reads by name are views, which refuse any write.)
    let write = sqlx::query("UPDATE public.dashboard_settings SET reporting_time_zone = 'UTC'")
        .execute(&mut conn)
        .await
        .expect_err("read only");
    assert_eq!(sqlstate(write).as_deref(), Some("25006"));
    // And, in a transaction that may write, by the role (insufficient privilege, 42501).
    sqlx::query("SET default_transaction_read_only = off")
        .execute(&mut conn)
        .await
        .expect("a session setting");
    let write = sqlx::query("DELETE FROM public.campaigns")
        .execute(&mut conn)
        .await
        .expect_err("the reader may not write");
    assert_eq!(sqlstate(write).as_deref(), Some("42501"));
    // A runaway query is cancelled after 15 s (57014), not waited on.
    let started = std::time::Instant::now();
    let slow = sqlx::query("SELECT pg_sleep(60)")
        .execute(&mut conn)
        .await
        .expect_err("cancelled");
    assert_eq!(sqlstate(slow).as_deref(), Some("57014"));
    let waited = started.elapsed().as_secs_f64();
    assert!(
        (14.0..30.0).contains(&waited),
        "cancelled after {waited:.1} s"
    );
}

#[tokio::test]
async fn both_stores_give_the_same_answers_and_they_add_up() {
    let stores = stores().await;
    // As the app reads: a login that holds only outreach_reader.
    let pg = stores.reader_dashboard().await;
    let lite = Dashboard::connect(&stores.sqlite.display().to_string())
        .await
        .expect("open SQLite");
    assert_eq!(pg.store().kind(), StoreKind::Postgres);
    assert_eq!(lite.store().kind(), StoreKind::Sqlite);

    let recent = DateRange::new(date!(2026 - 09 - 01), date!(2026 - 11 - 27)).expect("range");
    let everything = DateRange::new(date!(2026 - 06 - 01), date!(2026 - 11 - 27)).expect("range");
    let empty = DateRange::new(date!(2020 - 01 - 01), date!(2020 - 01 - 31)).expect("range");
    let all = pg
        .campaigns(
            &Filter::new(everything),
            None,
            CampaignSort::Name.into(),
            Page::new(1, 1000).expect("page"),
        )
        .await
        .expect("list campaigns");
    assert!(
        all.total >= 10,
        "the generated world has campaigns: {}",
        all.total
    );
    let ids: Vec<CampaignId> = all.campaigns.iter().map(|c| c.campaign_id).collect();
    let first_type = all.campaigns[0].campaign_type.clone();

    let mut filters = vec![
        Filter::new(recent),
        Filter::new(everything),
        Filter::new(empty),
        Filter {
            channels: vec![Channel::Sms],
            ..Filter::new(recent)
        },
        Filter {
            channels: vec![Channel::Email, Channel::Push],
            ..Filter::new(everything)
        },
        Filter {
            campaign_types: vec![first_type.clone()],
            ..Filter::new(everything)
        },
        Filter {
            statuses: vec![CampaignStatus::Active, CampaignStatus::Completed],
            ..Filter::new(recent)
        },
        Filter {
            campaigns: ids[..3].to_vec(),
            ..Filter::new(everything)
        },
    ];
    filters.push(Filter {
        campaigns: vec![ids[0]],
        channels: vec![Channel::Email, Channel::Sms, Channel::Push],
        ..Filter::new(recent)
    });

    for filter in &filters {
        let what = format!("{filter:?}");
        let (a, b) = (
            pg.summary(filter).await.expect("summary"),
            lite.summary(filter).await.expect("summary"),
        );
        same(&format!("summary of {what}"), &json(&a), &json(&b), false);

        for interval in Interval::ALL {
            for metric in [
                Metric::Reach,
                Metric::Impressions,
                Metric::OptOutRate,
                Metric::EngagementRate,
            ] {
                let (a, b) = (
                    pg.trend(filter, metric, *interval).await.expect("trend"),
                    lite.trend(filter, metric, *interval).await.expect("trend"),
                );
                same(
                    &format!("trend of {metric} by {interval} of {what}"),
                    &json(&a),
                    &json(&b),
                    metric == Metric::Reach,
                );
            }
        }

        let (a, b) = (
            pg.segments(filter).await.expect("segments"),
            lite.segments(filter).await.expect("segments"),
        );
        same(&format!("segments of {what}"), &json(&a), &json(&b), false);

        let sorts = [
            CampaignSort::Name,
            CampaignSort::StartDate,
            CampaignSort::Metric(Metric::EngagementRate),
            CampaignSort::Metric(Metric::OptOutRate),
            CampaignSort::Metric(Metric::Sent),
            CampaignSort::Metric(Metric::Reach),
        ];
        let orders = sorts.iter().flat_map(|sort| {
            [false, true].map(|reversed| CampaignOrder {
                sort: *sort,
                reversed,
            })
        });
        for sort in orders {
            for page in [
                Page::new(1, 5).expect("page"),
                Page::new(2, 5).expect("page"),
            ] {
                for search in [None, Some("sms")] {
                    let (a, b) = (
                        pg.campaigns(filter, search, sort, page)
                            .await
                            .expect("campaigns"),
                        lite.campaigns(filter, search, sort, page)
                            .await
                            .expect("campaigns"),
                    );
                    same(
                        &format!("campaigns of {what} by {sort:?}, {page:?}, {search:?}"),
                        &json(&a),
                        &json(&b),
                        false,
                    );
                }
            }
        }
    }
    // Without a campaign or status filter the answers come from the rollups (over every
    // campaign, or per type when types filter); naming every campaign reads the facts instead. Both must give the same answer exactly, reach
    // included (a rollup's registers are the union of its days').
    let mut conn = stores.postgres.connect().await;
    let every_id: Vec<CampaignId> = campaign_ids(
        sqlx::query_scalar("SELECT campaign_id FROM campaigns")
            .fetch_all(&mut conn)
            .await
            .expect("campaign ids"),
    );
    let ready: bool = sqlx::query_scalar("SELECT rollups_ready FROM dashboard_settings")
        .fetch_one(&mut conn)
        .await
        .expect("rollups_ready");
    assert!(ready, "the ETL built the rollups");
    // Filters by campaign type read the rollups per type.
    let types: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT campaign_type FROM campaigns ORDER BY 1")
            .fetch_all(&mut conn)
            .await
            .expect("campaign types");
    assert!(types.len() >= 3, "the dataset has several types: {types:?}");
    // From a Wednesday, over two month ends: days, whole weeks and a whole month.
    let ragged = DateRange::new(date!(2026 - 07 - 29), date!(2026 - 10 - 02)).expect("range");
    for filter in [
        Filter {
            campaign_types: vec![types[0].clone()],
            ..Filter::new(ragged)
        },
        Filter {
            campaign_types: vec![types[1].clone(), types[2].clone()],
            channels: vec![Channel::Email, Channel::Sms],
            ..Filter::new(recent)
        },
        Filter {
            campaign_types: types.clone(),
            ..Filter::new(everything)
        },
        Filter::new(recent),
        Filter::new(ragged),
        Filter::new(empty),
        Filter {
            channels: vec![Channel::Sms],
            ..Filter::new(ragged)
        },
        Filter {
            channels: vec![Channel::Email, Channel::Push],
            ..Filter::new(everything)
        },
    ] {
        let facts = Filter {
            campaigns: every_id.clone(),
            ..filter.clone()
        };
        for (store, dashboard) in [("PostgreSQL", &pg), ("SQLite", &lite)] {
            let what = format!("{store}, {filter:?}");
            assert_eq!(
                json(&dashboard.summary(&filter).await.expect("summary")),
                json(&dashboard.summary(&facts).await.expect("summary")),
                "summary from the rollups and the facts, {what}"
            );
            assert_eq!(
                json(&dashboard.segments(&filter).await.expect("segments")),
                json(&dashboard.segments(&facts).await.expect("segments")),
                "segments from the rollups and the facts, {what}"
            );
            for interval in Interval::ALL {
                for metric in [Metric::Reach, Metric::Impressions, Metric::OptOutRate] {
                    assert_eq!(
                        json(
                            &dashboard
                                .trend(&filter, metric, *interval)
                                .await
                                .expect("trend")
                        ),
                        json(
                            &dashboard
                                .trend(&facts, metric, *interval)
                                .await
                                .expect("trend")
                        ),
                        "trend of {metric} by {interval} from the rollups and the facts, {what}"
                    );
                }
            }
        }
    }

    // A rollup whose estimate is not written (a row the ETL has not rebuilt since the column
    // came) is estimated from its sketch: the same answers. (Other tests reading meanwhile get
    // the same answers too; the estimates are put back after.)
    let kept: Vec<(String, String, Date, Option<i64>)> = sqlx::query_as(
        "SELECT scope, period, period_start, reach FROM reach_rollups WHERE scope = 'SMS'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("the SMS estimates");
    assert!(
        kept.iter().all(|row| row.3.is_some()),
        "the ETL wrote estimates"
    );
    sqlx::query("UPDATE reach_rollups SET reach = NULL WHERE scope = 'SMS'")
        .execute(&mut conn)
        .await
        .expect("forget the SMS estimates");
    let sms = Filter {
        channels: vec![Channel::Sms],
        ..Filter::new(ragged)
    };
    let sms_facts = Filter {
        campaigns: every_id.clone(),
        ..sms.clone()
    };
    for interval in Interval::ALL {
        assert_eq!(
            json(
                &pg.trend(&sms, Metric::Reach, *interval)
                    .await
                    .expect("trend")
            ),
            json(
                &pg.trend(&sms_facts, Metric::Reach, *interval)
                    .await
                    .expect("trend")
            ),
            "SMS reach by {interval} without stored estimates"
        );
    }
    for (scope, period, start, reach) in kept {
        sqlx::query(
            "UPDATE reach_rollups SET reach = $4 WHERE scope = $1 AND period = $2 AND period_start = $3",
        )
        .bind(scope)
        .bind(period)
        .bind(start)
        .bind(reach)
        .execute(&mut conn)
        .await
        .expect("put the estimate back");
    }

    for id in &ids[..4] {
        for interval in Interval::ALL {
            let (a, b) = (
                pg.campaign_metrics(*id, everything, *interval)
                    .await
                    .expect("metrics"),
                lite.campaign_metrics(*id, everything, *interval)
                    .await
                    .expect("metrics"),
            );
            same(
                &format!("metrics of {id} by {interval}"),
                &json(&a),
                &json(&b),
                false,
            );
        }
    }
    let (a, b) = (
        pg.health().await.expect("health"),
        lite.health().await.expect("health"),
    );
    assert_eq!(a.reporting_time_zone, b.reporting_time_zone);
    assert_eq!(a.latest_metric_date, b.latest_metric_date);
    assert_eq!(a.schema_version, a.expected_schema_version);
    assert_eq!(b.schema_version, b.expected_schema_version);
    assert!(a.last_run.is_some() && b.last_run.is_some());

    // The answers add up to sums written here, over the stored rows.
    let stored = sqlx::query(
        "SELECT sum(total_impressions)::bigint AS impressions, sum(total_opt_outs)::bigint AS opt_outs,
                sum(total_sent)::bigint AS sent
         FROM campaign_metrics_daily WHERE metric_date BETWEEN $1 AND $2",
    )
    .bind(recent.start())
    .bind(recent.end())
    .fetch_one(&mut conn)
    .await
    .expect("sum the stored rows");
    let summary = pg.summary(&Filter::new(recent)).await.expect("summary");
    let impressions: i64 = stored.get("impressions");
    let opt_outs: i64 = stored.get("opt_outs");
    assert!(impressions > 1000, "the range has data: {impressions}");
    assert_eq!(summary.current.impressions, impressions);
    assert_eq!(summary.current.opt_outs, opt_outs);
    assert_eq!(summary.current.sent, stored.get::<i64, _>("sent"));
    assert_eq!(
        summary.current.opt_out_rate,
        Some(opt_outs as f64 / impressions as f64)
    );
    assert!(
        summary.previous.impressions > 0,
        "the previous period has data too"
    );
    assert_eq!(
        pg.summary(&Filter::new(empty))
            .await
            .expect("summary")
            .current
            .opt_out_rate,
        None
    );

    // Weeks and months add up to the range; the trend's total is the sum of its channels;
    // reach over the range is at most the sum of weekly reach and at least the largest week.
    for interval in Interval::ALL {
        let trend = pg
            .trend(&Filter::new(recent), Metric::Impressions, *interval)
            .await
            .expect("trend");
        let total = trend
            .series
            .iter()
            .find(|s| s.name == Series::Total)
            .expect("a total series");
        let sum: f64 = total.points.iter().filter_map(|p| p.value).sum();
        assert_eq!(sum as i64, impressions, "{interval}");
        for (i, point) in total.points.iter().enumerate() {
            let channels: f64 = trend
                .series
                .iter()
                .filter(|s| s.name != Series::Total)
                .filter_map(|s| s.points[i].value)
                .sum();
            assert_eq!(point.value, Some(channels));
        }
    }
    let weekly = pg
        .trend(&Filter::new(recent), Metric::Reach, Interval::Week)
        .await
        .expect("trend");
    let weeks: Vec<f64> = weekly
        .series
        .last()
        .expect("total")
        .points
        .iter()
        .filter_map(|p| p.value)
        .collect();
    let reach = summary.current.reach as f64;
    assert!(
        reach <= weeks.iter().sum::<f64>() && reach >= weeks.iter().cloned().fold(0.0, f64::max)
    );
    let first = weekly.series[0].points[0].start;
    assert_eq!(first, recent.start(), "the first week is cut by the range");

    // Segment impressions add up to campaign impressions (member_interactions against
    // campaign_metrics_daily), and the drill-down shows every age band's count but the hidden
    // ones (the Unknown band of members the CRM lacks is small, and the smallest other band is
    // hidden with it): the shown bands are the stored total less what is hidden.
    let delivered: i64 = sqlx::query_scalar(
        "SELECT sum(count)::bigint FROM member_interactions
         WHERE interaction_type = 'Delivered' AND interaction_date BETWEEN $1 AND $2",
    )
    .bind(recent.start())
    .bind(recent.end())
    .fetch_one(&mut conn)
    .await
    .expect("sum the stored interactions");
    assert_eq!(delivered, impressions, "segments add up to campaigns");
    let segments = pg.segments(&Filter::new(recent)).await.expect("segments");
    let bands: Vec<_> = segments
        .dimensions
        .iter()
        .filter(|d| d.dimension == Dimension::AgeBand)
        .collect();
    let exact: i64 = bands
        .iter()
        .filter_map(|d| d.metrics.impressions.exact())
        .sum();
    let hidden = bands
        .iter()
        .filter(|d| d.metrics.impressions == SegmentCount::Suppressed)
        .count();
    assert!(
        exact <= impressions && exact > impressions / 2,
        "{exact} of {impressions}"
    );
    assert_ne!(
        hidden, 1,
        "a single hidden band would be the total less the others"
    );
    let mut suppressed = 0;
    for counts in segments
        .segments
        .iter()
        .map(|s| s.metrics)
        .chain(segments.dimensions.iter().map(|d| d.metrics))
    {
        for count in counts.counts() {
            match count {
                SegmentCount::Exact(n) => assert!(n == 0 || n > 10, "a small count is shown: {n}"),
                SegmentCount::Suppressed => suppressed += 1,
            }
        }
    }
    assert!(
        suppressed > 0,
        "this data has small cells, and they are suppressed"
    );
    let text = serde_json::to_string(&segments).expect("json");
    assert!(text.contains("\"<11\""));

    // Reach of the range is within 2% of the true distinct count of members reached.
    let mut warehouse = stores._warehouse.connect().await;
    let truth: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT member_id) FROM warehouse.outreach_events
         WHERE event_type = 'delivered' AND event_ts >= $1::date AND event_ts < ($2::date + 1)",
    )
    .bind(recent.start())
    .bind(recent.end())
    .fetch_one(&mut warehouse)
    .await
    .expect("true reach");
    assert!(
        (summary.current.reach - truth).abs() as f64 <= 0.02 * truth as f64,
        "reach {} against {truth}",
        summary.current.reach
    );

    // Sorting by a rate orders by it, campaigns without a value last.
    let sorted = pg
        .campaigns(
            &Filter::new(recent),
            None,
            CampaignSort::Metric(Metric::OptOutRate).into(),
            Page::new(1, 1000).expect("page"),
        )
        .await
        .expect("campaigns");
    let rates: Vec<Option<f64>> = sorted
        .campaigns
        .iter()
        .map(|c| c.metrics.opt_out_rate)
        .collect();
    let mut expected = rates.clone();
    expected.sort_by(|a, b| match (a, b) {
        (Some(x), Some(y)) => y.total_cmp(x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    assert_eq!(rates, expected);
    assert_eq!(sorted.total as usize, sorted.campaigns.len());
    // A listed campaign's metrics are its own summary over the range, every count of them
    // (the list ranks by the sort's counts alone, then sums the page's in full).
    for sort in [
        CampaignSort::Metric(Metric::OptOutRate),
        CampaignSort::Name,
        CampaignSort::Metric(Metric::Reach),
    ] {
        let page = pg
            .campaigns(
                &Filter::new(recent),
                None,
                sort.into(),
                Page::new(1, 5).expect("page"),
            )
            .await
            .expect("campaigns");
        assert_eq!(page.campaigns.len(), 5);
        for row in &page.campaigns {
            let own = pg
                .summary(&Filter {
                    campaigns: vec![row.campaign_id],
                    ..Filter::new(recent)
                })
                .await
                .expect("summary");
            assert_eq!(
                json(&row.metrics),
                json(&own.current),
                "{sort:?}: {}",
                row.campaign_name
            );
        }
    }
    let searched = pg
        .campaigns(
            &Filter::new(everything),
            Some("SmS"),
            CampaignSort::Name.into(),
            Page::new(1, 1000).expect("page"),
        )
        .await
        .expect("campaigns");
    assert!(!searched.campaigns.is_empty());
    assert!(
        searched
            .campaigns
            .iter()
            .all(|c| c.campaign_name.to_lowercase().contains("sms"))
    );
}
