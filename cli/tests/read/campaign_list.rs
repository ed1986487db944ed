//! The campaign list at a large plan's size, checked against what it stands for: each campaign's
//! reach (read from its cumulative numbers, or merged from its weekly, monthly and daily
//! sketches) is the count a merge of its daily sketches gives; the list ordered by reach is in
//! the order of those counts, both ways; the ranking leaves out campaigns below the minimum;
//! the picker's names page and fold case the same way on both stores.

use std::collections::{BTreeSet, HashMap};

use outreach_backend::Dashboard;
use outreach_backend::reach::Sketch;
use outreach_model::{
    CampaignId, CampaignOrder, CampaignRow, CampaignSort, DateRange, Filter, Metric, Page,
};
use sqlx::Row;
use time::macros::date;

use crate::helpers::{campaign_ids, stores};

/// Every campaign of `filter`, in `order`.
async fn every(dashboard: &Dashboard, filter: &Filter, order: CampaignOrder) -> Vec<CampaignRow> {
    let page = Page::new(1, Page::MAX_SIZE).expect("a page");
    dashboard
        .campaigns(filter, None, order, page)
        .await
        .expect("the list")
        .campaigns
}

/// Each campaign's reach over `range`, merged here from its stored daily sketches.
async fn merged_here(conn: &mut sqlx::PgConnection, range: DateRange) -> HashMap<CampaignId, i64> {
    let rows = sqlx::query(
        "SELECT campaign_id, sketch FROM campaign_reach_sketches WHERE metric_date BETWEEN $1 AND $2",
    )
    .bind(range.start())
    .bind(range.end())
    .fetch_all(conn)
    .await
    .expect("the stored sketches");
    let mut sketches: HashMap<CampaignId, Sketch> = HashMap::new();
    for row in rows {
        let id: uuid::Uuid = row.get(0);
        let bytes: Vec<u8> = row.get(1);
        sketches
            .entry(CampaignId::from_u128(id.as_u128()))
            .or_default()
            .merge_bytes(&bytes)
            .expect("a stored sketch");
    }
    sketches
        .into_iter()
        .map(|(id, sketch)| (id, sketch.count() as i64))
        .collect()
}

#[tokio::test]
async fn each_campaign_s_reach_is_its_merged_sketches_and_orders_the_list() {
    let stores = stores().await;
    let pg = stores.reader_dashboard().await;
    let lite = Dashboard::connect(&stores.sqlite.display().to_string())
        .await
        .expect("open SQLite");
    let mut conn = stores.postgres.connect().await;
    let end = date!(2026 - 11 - 27);
    let ranges = [
        // Ending on the last day: each campaign's reach is one stored number.
        DateRange::last_days(end, 30),
        DateRange::last_days(end, 90),
        // In the past, cutting into campaigns on both sides: merged from the rollups.
        DateRange::new(date!(2026 - 09 - 01), date!(2026 - 09 - 30)).expect("September"),
        DateRange::new(date!(2026 - 10 - 05), date!(2026 - 10 - 11)).expect("an ISO week"),
        DateRange::new(date!(2026 - 08 - 19), date!(2026 - 10 - 08)).expect("weeks and a month"),
        DateRange::new(date!(2026 - 10 - 14), date!(2026 - 10 - 14)).expect("a day"),
        // Before any campaign.
        DateRange::new(date!(2020 - 01 - 01), date!(2020 - 02 - 01)).expect("no data"),
    ];
    // The stored first and last days with data are those of the facts.
    let wrong: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM campaigns c
         CROSS JOIN LATERAL (SELECT min(d.metric_date) AS first_day, max(d.metric_date) AS last_day
                             FROM campaign_metrics_daily d
                             WHERE d.campaign_id = c.campaign_id) f
         WHERE c.first_data_date IS DISTINCT FROM f.first_day
            OR c.last_data_date IS DISTINCT FROM f.last_day",
    )
    .fetch_one(&mut conn)
    .await
    .expect("compare the days with data");
    assert_eq!(
        wrong, 0,
        "campaigns whose stored days with data are not the facts'"
    );
    let mut merged_ranges = 0;
    for range in ranges {
        let filter = Filter::new(range);
        let expected = merged_here(&mut conn, range).await;
        let listed = every(&pg, &filter, CampaignSort::Name.into()).await;
        // Listed: the campaigns whose schedule meets the range or that have data in it (asked
        // here of the facts, not of the stored first and last days with data).
        let of_range: BTreeSet<CampaignId> = campaign_ids(
            sqlx::query_scalar(
            "SELECT c.campaign_id FROM campaigns c
             WHERE (c.start_date <= $2 AND (c.end_date IS NULL OR c.end_date >= $1))
                OR EXISTS (SELECT 1 FROM campaign_metrics_daily d
                           WHERE d.campaign_id = c.campaign_id AND d.metric_date BETWEEN $1 AND $2)",
        )
        .bind(range.start())
        .bind(range.end())
        .fetch_all(&mut conn)
        .await
        .expect("the range's campaigns"),
        );
        assert_eq!(
            listed
                .iter()
                .map(|c| c.campaign_id)
                .collect::<BTreeSet<_>>(),
            of_range,
            "the campaigns of {range}"
        );
        for row in &listed {
            assert_eq!(
                row.metrics.reach,
                expected.get(&row.campaign_id).copied().unwrap_or(0),
                "{} over {range}",
                row.campaign_name
            );
        }
        // The same answers on SQLite, campaign by campaign.
        let on_sqlite = every(&lite, &filter, CampaignSort::Name.into()).await;
        let reach = |rows: &[CampaignRow]| -> Vec<(CampaignId, i64)> {
            rows.iter()
                .map(|r| (r.campaign_id, r.metrics.reach))
                .collect()
        };
        assert_eq!(reach(&on_sqlite), reach(&listed), "{range}");

        // Ordered by reach, highest first (ties by name), and reversed; a page of it is that
        // order's page.
        let by_reach: CampaignOrder = CampaignSort::Metric(Metric::Reach).into();
        let mut order = listed.clone();
        order.sort_by(|a, b| {
            b.metrics
                .reach
                .cmp(&a.metrics.reach)
                .then_with(|| a.campaign_name.as_bytes().cmp(b.campaign_name.as_bytes()))
                .then_with(|| a.campaign_id.cmp(&b.campaign_id))
        });
        for (dashboard, store) in [(&pg, "PostgreSQL"), (&lite, "SQLite")] {
            let ordered = every(dashboard, &filter, by_reach).await;
            assert_eq!(reach(&ordered), reach(&order), "{store} {range}");
            let reversed = every(dashboard, &filter, by_reach.reverse()).await;
            let mut backwards = reach(&order);
            backwards.reverse();
            assert_eq!(reach(&reversed), backwards, "{store} {range} reversed");
            let second = dashboard
                .campaigns(&filter, None, by_reach, Page::new(2, 3).expect("a page"))
                .await
                .expect("a page");
            assert_eq!(second.total, order.len() as u64);
            assert_eq!(
                reach(&second.campaigns),
                reach(&order)
                    .into_iter()
                    .skip(3)
                    .take(3)
                    .collect::<Vec<_>>(),
                "{store} {range} page 2"
            );
        }
        // The past ranges cut into campaigns that ran before and after them.
        let cut: i64 = sqlx::query_scalar(
            "SELECT count(DISTINCT campaign_id) FROM campaign_metrics_daily d
             WHERE EXISTS (SELECT 1 FROM campaign_metrics_daily b WHERE b.campaign_id = d.campaign_id AND b.metric_date < $1)
               AND EXISTS (SELECT 1 FROM campaign_metrics_daily a WHERE a.campaign_id = d.campaign_id AND a.metric_date > $2)
               AND d.metric_date BETWEEN $1 AND $2",
        )
        .bind(range.start())
        .bind(range.end())
        .fetch_one(&mut conn)
        .await
        .expect("count the cut campaigns");
        if cut > 0 {
            merged_ranges += 1;
        }
    }
    assert!(
        merged_ranges >= 2,
        "some ranges are merged from the rollups"
    );
}

#[tokio::test]
async fn the_ranking_and_the_picker_answer_what_they_say() {
    let stores = stores().await;
    let pg = stores.reader_dashboard().await;
    let lite = Dashboard::connect(&stores.sqlite.display().to_string())
        .await
        .expect("open SQLite");
    let range = DateRange::last_days(date!(2026 - 11 - 27), 90);
    let filter = Filter::new(range);
    let listed = every(&pg, &filter, CampaignSort::Name.into()).await;

    // The ranking: the rate of each campaign with enough impressions, best first; the ones
    // with less counted apart; the same on both stores.
    for min in [0, 100, 5_000] {
        let ranking = pg
            .ranking(&filter, Metric::EngagementRate, 3, min)
            .await
            .expect("a ranking");
        let eligible: Vec<&CampaignRow> = listed
            .iter()
            .filter(|c| c.metrics.impressions >= min.max(1))
            .collect();
        let below = listed
            .iter()
            .filter(|c| c.metrics.impressions > 0 && c.metrics.impressions < min)
            .count();
        assert_eq!(ranking.ranked, eligible.len() as u64, "min {min}");
        assert_eq!(ranking.below_minimum, below as u64, "min {min}");
        let mut best: Vec<(f64, &str)> = eligible
            .iter()
            .map(|c| {
                (
                    c.metrics.engagement_rate.unwrap_or(0.0),
                    c.campaign_name.as_str(),
                )
            })
            .collect();
        best.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let shown: Vec<f64> = ranking.best.iter().map(|c| c.value).collect();
        let expected: Vec<f64> = best.iter().take(shown.len()).map(|b| b.0).collect();
        assert_eq!(shown, expected, "min {min}: the best are the highest rates");
        assert!(
            ranking
                .best
                .iter()
                .chain(&ranking.worst)
                .all(|c| c.volume >= min)
        );
        for worst in &ranking.worst {
            assert!(
                ranking
                    .best
                    .iter()
                    .all(|b| b.campaign_id != worst.campaign_id)
            );
        }
        let on_sqlite = lite
            .ranking(&filter, Metric::EngagementRate, 3, min)
            .await
            .expect("a ranking");
        assert_eq!(on_sqlite, ranking, "min {min}: both stores");
    }
    let err = pg
        .ranking(&filter, Metric::Reach, 3, 100)
        .await
        .expect_err("reach is not a rate");
    assert!(matches!(
        err,
        outreach_backend::DashboardError::Ranking(outreach_backend::RankingError::NotARate(
            Metric::Reach
        ))
    ));

    // The picker: names A to Z a page at a time, the total at once, the chosen by id.
    let first = pg
        .campaign_names(range, None, &[], Page::new(1, 5).expect("a page"))
        .await
        .expect("names");
    let second = pg
        .campaign_names(range, None, &[], Page::new(2, 5).expect("a page"))
        .await
        .expect("names");
    assert_eq!(first.total, listed.len() as u64);
    let names: Vec<&str> = first
        .campaigns
        .iter()
        .chain(&second.campaigns)
        .map(|c| c.campaign_name.as_str())
        .collect();
    let expected: Vec<&str> = listed
        .iter()
        .take(10)
        .map(|c| c.campaign_name.as_str())
        .collect();
    assert_eq!(names, expected, "pages of names A to Z");
    let chosen = [listed[7].campaign_id];
    let with_chosen = pg
        .campaign_names(
            range,
            Some("zzz-nothing"),
            &chosen,
            Page::new(1, 5).expect("a page"),
        )
        .await
        .expect("names");
    assert_eq!(with_chosen.total, 0);
    assert_eq!(with_chosen.chosen[0].campaign_name, listed[7].campaign_name);
    let past_the_end = pg
        .campaign_names(range, None, &[], Page::new(999, 5).expect("a page"))
        .await
        .expect("names");
    assert!(past_the_end.campaigns.is_empty());
    assert_eq!(
        past_the_end.total,
        listed.len() as u64,
        "the total past the last page"
    );
    let types = pg.campaign_types(range).await.expect("types");
    let mut expected_types: Vec<String> = listed.iter().map(|c| c.campaign_type.clone()).collect();
    expected_types.sort();
    expected_types.dedup();
    assert_eq!(types, expected_types);
    assert_eq!(lite.campaign_types(range).await.expect("types"), types);
}

#[tokio::test]
async fn a_search_folds_case_the_same_way_on_both_stores() {
    let stores = stores().await;
    // Names in other scripts and accents, written as the ETL and the demo builder write them.
    let names = [
        "ÉTÉ: vaccin antigrippal",
        "Прививка от гриппа",
        "İstanbul wellness",
        "Straße der Gesundheit",
    ];
    let mut conn = stores.postgres.connect().await;
    let ids: Vec<uuid::Uuid> =
        sqlx::query_scalar("SELECT campaign_id FROM campaigns ORDER BY campaign_id LIMIT 4")
            .fetch_all(&mut conn)
            .await
            .expect("campaigns");
    let sqlite_url = format!("sqlite://{}", stores.sqlite.display());
    let mut lite_conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&sqlite_url)
        .await
        .expect("the SQLite store");
    for (id, name) in ids.iter().zip(names) {
        sqlx::query(
            "UPDATE campaigns SET campaign_name = $1, search_name = $2 WHERE campaign_id = $3",
        )
        .bind(name)
        .bind(outreach_model::search_key(name))
        .bind(id)
        .execute(&mut conn)
        .await
        .expect("rename on PostgreSQL");
        sqlx::query(
            "UPDATE campaigns SET campaign_name = ?1, search_name = ?2 WHERE campaign_id = ?3",
        )
        .bind(name)
        .bind(outreach_model::search_key(name))
        .bind(id.to_string())
        .execute(&mut lite_conn)
        .await
        .expect("rename on SQLite");
    }
    drop(lite_conn);
    let pg = stores.reader_dashboard().await;
    let lite = Dashboard::connect(&stores.sqlite.display().to_string())
        .await
        .expect("open");
    let range = DateRange::new(date!(2020 - 01 - 01), date!(2026 - 11 - 27)).expect("a range");
    for (search, expected) in [
        ("été", "ÉTÉ: vaccin antigrippal"),
        ("ГРИППА", "Прививка от гриппа"),
        // Unicode lower case keeps İ's dot: only a search for it (or İ itself) finds it.
        ("İSTANBUL", "İstanbul wellness"),
        ("istanbul", ""),
        ("STRASSE", ""),
        ("straße", "Straße der Gesundheit"),
    ] {
        for (dashboard, store) in [(&pg, "PostgreSQL"), (&lite, "SQLite")] {
            let found = dashboard
                .campaign_names(range, Some(search), &[], Page::new(1, 10).expect("a page"))
                .await
                .expect("names");
            let names: Vec<&str> = found
                .campaigns
                .iter()
                .map(|c| c.campaign_name.as_str())
                .collect();
            let expected: Vec<&str> = if expected.is_empty() {
                vec![]
            } else {
                vec![expected]
            };
            assert_eq!(names, expected, "{store}: {search:?}");
            let listed = dashboard
                .campaigns(
                    &Filter::new(range),
                    Some(search),
                    CampaignSort::Name.into(),
                    Page::default(),
                )
                .await
                .expect("the list");
            assert_eq!(
                listed.total,
                expected.len() as u64,
                "{store}: the list finds {search:?}"
            );
        }
    }
}
