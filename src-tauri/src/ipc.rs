//! The IPC's edge: each command's arguments arrive as JSON from the webview (which a modified
//! page could fill with anything) and become typed values here, once, with a `{code, message}`
//! that says which argument is wrong and why; then each question is one line into the backend.
//! The Tauri commands (`commands.rs`) are one line into these functions, which the tests call
//! directly.

use outreach_backend::export::{self, ReportContext};
use outreach_backend::settings::{self, ExportPlace};
use outreach_model::{
    ApiError, CampaignId, CampaignMetrics, CampaignNames, CampaignOrder, CampaignPage, DateRange,
    ErrorCode, ExportDone, ExportRequest, Filter, Health, Interval, Metric, Page, Ranking, Search,
    SegmentReport, Summary, Trend, ViewSettings,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::state::{Backend, Opened};

/// Records, for a signed-in person, that they asked `question` (with its filter or range)
/// before it is asked: if the event cannot even be queued, the question is not answered.
async fn asked(opened: &Opened, question: &str, detail: Value) -> Result<(), ApiError> {
    use outreach_backend::audit::{Event, EventKind};
    let Some(queue) = &opened.audit else {
        return Ok(());
    };
    let event = Event::now(
        EventKind::View,
        serde_json::json!({ "question": question, "filter": detail }),
    );
    let delivery = opened
        .dashboard
        .record_event(queue, &event)
        .await
        .map_err(|err| ApiError::new(ErrorCode::Unavailable, err.to_string()))?;
    if !delivery.recorded() {
        tracing::warn!(?delivery, "audit events wait to be recorded");
    }
    Ok(())
}

fn json_of(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The most bytes one argument may take: a filter of a thousand campaigns is about 40 KB.
const MAX_ARGUMENT_BYTES: usize = 256 * 1024;

/// `value`, the command's argument `name`, as a `T`; a missing argument reads as JSON null
/// (what an optional argument is).
pub fn decode<T: DeserializeOwned>(name: &str, value: Value) -> Result<T, ApiError> {
    let bytes = serde_json::to_vec(&value)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if bytes > MAX_ARGUMENT_BYTES {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            format!(
                "the argument {name} is {bytes} bytes long, more than any question needs ({MAX_ARGUMENT_BYTES}): ask a smaller question"
            ),
        ));
    }
    serde_json::from_value(value).map_err(|err| {
        ApiError::new(
            ErrorCode::BadRequest,
            format!("the argument {name} is not valid: {err}"),
        )
    })
}

/// An optional search, at most [`Search::MAX_CHARS`] characters.
fn search(value: Value) -> Result<Option<Search>, ApiError> {
    decode::<Option<String>>("search", value)?
        .map(|text| Search::new(&text))
        .transpose()
        .map(Option::flatten)
        .map_err(|err| ApiError::new(ErrorCode::BadRequest, err.to_string()))
}

/// Totals and rates over the filter, against the previous period.
pub async fn summary(backend: &Backend, filter: Value) -> Result<Summary, ApiError> {
    let filter: Filter = decode("filter", filter)?;
    let opened = backend.opened().await?;
    asked(&opened, "summary", json_of(&filter)).await?;
    Ok(opened.dashboard.summary(&filter).await?)
}

/// `metric` per interval: one series per channel of the filter, then the total.
pub async fn trend(
    backend: &Backend,
    filter: Value,
    metric: Value,
    interval: Value,
) -> Result<Trend, ApiError> {
    let (filter, metric, interval): (Filter, Metric, Interval) = (
        decode("filter", filter)?,
        decode("metric", metric)?,
        decode("interval", interval)?,
    );
    let opened = backend.opened().await?;
    asked(&opened, "trend", json_of(&filter)).await?;
    Ok(opened.dashboard.trend(&filter, metric, interval).await?)
}

/// One page of the filter's campaigns with their metrics, in `order`.
pub async fn campaigns(
    backend: &Backend,
    filter: Value,
    search_text: Value,
    order: Value,
    page: Value,
) -> Result<CampaignPage, ApiError> {
    let (filter, search, order, page): (Filter, _, CampaignOrder, Page) = (
        decode("filter", filter)?,
        search(search_text)?,
        decode("order", order)?,
        decode("page", page)?,
    );
    let search = search.as_ref().map(Search::as_str);
    let opened = backend.opened().await?;
    asked(&opened, "campaigns", json_of(&filter)).await?;
    Ok(opened
        .dashboard
        .campaigns(&filter, search, order, page)
        .await?)
}

/// The campaign picker's page of ids and names, and the names of those chosen.
pub async fn campaign_names(
    backend: &Backend,
    range: Value,
    search_text: Value,
    chosen: Value,
    page: Value,
) -> Result<CampaignNames, ApiError> {
    let (range, search, chosen, page): (DateRange, _, Vec<CampaignId>, Page) = (
        decode("range", range)?,
        search(search_text)?,
        decode("chosen", chosen)?,
        decode("page", page)?,
    );
    if chosen.len() > Filter::MAX_CAMPAIGNS {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            format!(
                "the argument chosen names {} campaigns: at most {} are chosen at once",
                chosen.len(),
                Filter::MAX_CAMPAIGNS
            ),
        ));
    }
    let search = search.as_ref().map(Search::as_str);
    let opened = backend.opened().await?;
    Ok(opened
        .dashboard
        .campaign_names(range, search, &chosen, page)
        .await?)
}

/// The campaign types of the range's campaigns.
pub async fn campaign_types(backend: &Backend, range: Value) -> Result<Vec<String>, ApiError> {
    let range: DateRange = decode("range", range)?;
    Ok(backend
        .opened()
        .await?
        .dashboard
        .campaign_types(range)
        .await?)
}

/// The best and worst campaigns by a rate, among those with the configured minimum volume.
pub async fn ranking(
    backend: &Backend,
    filter: Value,
    metric: Value,
    count: Value,
) -> Result<Ranking, ApiError> {
    let (filter, metric, count): (Filter, Metric, u32) = (
        decode("filter", filter)?,
        decode("metric", metric)?,
        decode("count", count)?,
    );
    let opened = backend.opened().await?;
    asked(&opened, "ranking", json_of(&filter)).await?;
    let min_volume = opened.config.min_volume;
    Ok(opened
        .dashboard
        .ranking(&filter, metric, count, min_volume)
        .await?)
}

/// One campaign's metrics per interval of `range`.
pub async fn campaign_metrics(
    backend: &Backend,
    campaign_id: Value,
    range: Value,
    interval: Value,
) -> Result<CampaignMetrics, ApiError> {
    let (campaign_id, range, interval): (CampaignId, DateRange, Interval) = (
        decode("campaignId", campaign_id)?,
        decode("range", range)?,
        decode("interval", interval)?,
    );
    let opened = backend.opened().await?;
    asked(
        &opened,
        "campaign_metrics",
        serde_json::json!({ "campaign": campaign_id, "range": range }),
    )
    .await?;
    Ok(opened
        .dashboard
        .campaign_metrics(campaign_id, range, interval)
        .await?)
}

/// The drill-down by member segment, counts from 1 to 10 suppressed.
pub async fn segments(backend: &Backend, filter: Value) -> Result<SegmentReport, ApiError> {
    let filter: Filter = decode("filter", filter)?;
    let opened = backend.opened().await?;
    asked(&opened, "segments", json_of(&filter)).await?;
    Ok(opened.dashboard.segments(&filter).await?)
}

/// Which database answers and how fresh its data is.
pub async fn health(backend: &Backend) -> Result<Health, ApiError> {
    Ok(backend.opened().await?.dashboard.health().await?)
}

/// The remembered view (settings.toml): the defaults when there is none yet.
pub fn read_settings(backend: &Backend) -> Result<ViewSettings, ApiError> {
    settings::read_view(&backend.dirs()?.settings_file()).map_err(bad_settings)
}

/// Remembers the view, atomically.
pub fn save_settings(backend: &Backend, view: Value) -> Result<(), ApiError> {
    let view: ViewSettings = decode("settings", view)?;
    settings::write_view(&backend.dirs()?.settings_file(), &view).map_err(bad_settings)
}

fn bad_settings(err: settings::SettingsError) -> ApiError {
    ApiError::new(ErrorCode::BadRequest, err.to_string())
}

/// Refuses, before any dialog opens, an export the person's role does not allow (a viewer's).
pub async fn may_export(backend: &Backend) -> Result<(), ApiError> {
    let opened = backend.opened().await?;
    export::may_export(&opened.dashboard)
        .await
        .map_err(export_error)
}

fn export_error(err: export::ExportError) -> ApiError {
    let code = match err {
        export::ExportError::NotPermitted(_) => ErrorCode::Forbidden,
        _ => ErrorCode::Unavailable,
    };
    ApiError::new(code, err.to_string())
}

/// The export asked for, read from the IPC.
pub fn export_request(request: Value) -> Result<ExportRequest, ApiError> {
    decode("request", request)
}

/// Where the save dialog opens: the folder of the last export, when it still exists.
pub fn last_export_folder(backend: &Backend) -> Option<std::path::PathBuf> {
    let path = backend.dirs().ok()?.exports_file();
    settings::read_export_place(&path)
        .last_folder
        .filter(|folder| folder.is_dir())
}

/// Writes `request` to `path` (chosen in the save dialog) and remembers its folder.
pub async fn export_to(
    backend: &Backend,
    request: &ExportRequest,
    path: &std::path::Path,
) -> Result<ExportDone, ApiError> {
    if let (Ok(dirs), Some(folder)) = (backend.dirs(), path.parent()) {
        let place = ExportPlace {
            last_folder: Some(folder.to_path_buf()),
        };
        // Only a convenience: an export is not failed because its folder was not remembered.
        if let Err(err) = settings::write_export_place(&dirs.exports_file(), &place) {
            tracing::warn!(%err, "the export folder was not remembered");
        }
    }
    let opened = backend.opened().await?;
    let context = ReportContext {
        min_volume: opened.config.min_volume,
        ..ReportContext::for_os_account(time::OffsetDateTime::now_utc())
    };
    // The export's event is queued before the file takes its name, then sent.
    let done = export::export_recorded(&opened.dashboard, request, path, &context, |count| {
        let Some(queue) = &opened.audit else {
            return Ok(());
        };
        queue.push(&outreach_backend::audit::Event::export(
            request, path, count,
        ))
    })
    .await
    .map_err(export_error)?;
    if let Some(queue) = &opened.audit {
        match opened.dashboard.send_queued(queue).await {
            Ok(delivery) if !delivery.recorded() => {
                tracing::warn!(?delivery, "audit events wait to be recorded");
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(%err, "the audit queue cannot be read"),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use outreach_backend::config::Overrides;
    use outreach_backend::paths::AppDirs;
    use proptest::prelude::*;
    use serde_json::json;

    /// A backend whose database is a closed loopback port: any question that gets past its
    /// arguments' decoding is refused as unavailable, never answered.
    fn unreachable_backend(home: &std::path::Path) -> Backend {
        let port = outreach_testkit::free_port();
        Backend::new(
            Ok(AppDirs::under(home)),
            Overrides {
                database: Some(format!("postgres://reader@127.0.0.1:{port}/dashboard")),
                min_volume: None,
            },
        )
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    }

    /// Any JSON a page could send: scalars, long strings, deep and wide values.
    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|n| json!(n)),
            ".{0,40}".prop_map(Value::String),
            Just(json!("9999999-99-99")),
            Just(json!({"start": "0001-01-01", "end": "9999-12-31"})),
            Just(json!({"number": 0, "size": 10})),
            Just(json!({"number": 1, "size": 4_294_967_295_u64})),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{1,10}", inner, 0..6)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    fn refused(result: Result<impl std::fmt::Debug, ApiError>) -> ApiError {
        let err = result.expect_err("a hostile argument is refused");
        assert!(!err.message.is_empty());
        assert!(
            matches!(err.code, ErrorCode::BadRequest | ErrorCode::Unavailable),
            "{err:?}"
        );
        err
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn any_argument_gets_a_code_and_a_message_and_never_a_panic(
            a in any_json(), b in any_json(), c in any_json(), d in any_json()
        ) {
            let home = tempfile::tempdir().expect("a home");
            let backend = unreachable_backend(home.path());
            let runtime = runtime();
            runtime.block_on(async {
                refused(summary(&backend, a.clone()).await);
                refused(trend(&backend, a.clone(), b.clone(), c.clone()).await);
                refused(campaigns(&backend, a.clone(), b.clone(), c.clone(), d.clone()).await);
                refused(campaign_names(&backend, a.clone(), b.clone(), c.clone(), d.clone()).await);
                refused(campaign_types(&backend, a.clone()).await);
                refused(ranking(&backend, a.clone(), b.clone(), c.clone()).await);
                refused(campaign_metrics(&backend, a.clone(), b.clone(), c.clone()).await);
                refused(segments(&backend, a.clone()).await);
            });
            // Settings of any shape are refused, or, when valid, written and read back.
            match save_settings(&backend, a.clone()) {
                Ok(()) => prop_assert!(read_settings(&backend).is_ok()),
                Err(err) => prop_assert_eq!(err.code, ErrorCode::BadRequest),
            }
            let _ = export_request(a);
        }
    }

    #[test]
    fn each_hostile_argument_is_named_with_what_is_wrong() {
        let home = tempfile::tempdir().expect("a home");
        let backend = unreachable_backend(home.path());
        let runtime = runtime();
        let filter = json!({"range": {"start": "2026-01-01", "end": "2026-01-31"}});
        let order = json!({"sort": "Name"});
        let cases: Vec<(&str, Result<CampaignPage, ApiError>)> = runtime.block_on(async {
            vec![
                (
                    "pages start at 1",
                    campaigns(&backend, filter.clone(), Value::Null, order.clone(), json!({"number": 1, "size": 10_001})).await,
                ),
                (
                    "ten years or less",
                    campaigns(&backend, json!({"range": {"start": "1900-01-01", "end": "2026-01-31"}}), Value::Null, order.clone(), json!({"number": 1, "size": 50})).await,
                ),
                (
                    "more than any question needs",
                    campaigns(&backend, filter.clone(), json!("x".repeat(1 << 20)), order.clone(), json!({"number": 1, "size": 50})).await,
                ),
                (
                    "at most 200 characters",
                    campaigns(&backend, filter.clone(), json!("é".repeat(201)), order.clone(), json!({"number": 1, "size": 50})).await,
                ),
                (
                    "unknown field",
                    campaigns(&backend, json!({"range": {"start": "2026-01-01", "end": "2026-01-31"}, "everything": true}), Value::Null, order.clone(), json!({"number": 1, "size": 50})).await,
                ),
                (
                    "the argument page is not valid",
                    campaigns(&backend, filter.clone(), Value::Null, order.clone(), json!("first")).await,
                ),
                (
                    "the argument filter is not valid",
                    campaigns(&backend, json!({"range": {"start": "2026-13-01", "end": "2026-01-31"}}), Value::Null, order.clone(), json!({"number": 1, "size": 50})).await,
                ),
            ]
        });
        for (says, result) in cases {
            let err = result.expect_err(says);
            assert_eq!(err.code, ErrorCode::BadRequest, "{says}: {err:?}");
            assert!(err.message.contains(says), "{says}: {}", err.message);
        }
        // Well-formed arguments get as far as the database, which is down: unavailable, and
        // the URL's password (there is none here) or host never matters to the message's shape.
        let down = runtime
            .block_on(campaigns(
                &backend,
                filter,
                Value::Null,
                order,
                json!({"number": 1, "size": 50}),
            ))
            .expect_err("the database is down");
        assert_eq!(down.code, ErrorCode::Unavailable, "{down:?}");
        assert!(
            down.message.contains("cannot reach the dashboard database"),
            "{down:?}"
        );
    }

    #[test]
    fn a_damaged_settings_file_is_a_bad_request_that_says_what_to_do() {
        let home = tempfile::tempdir().expect("a home");
        let backend = unreachable_backend(home.path());
        let path = AppDirs::under(home.path()).settings_file();
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("a folder");
        std::fs::write(&path, "range = \"last_8_days\"").expect("a damaged file");
        let err = read_settings(&backend).expect_err("damaged");
        assert_eq!(err.code, ErrorCode::BadRequest);
        assert!(err.message.contains("fix or remove it"), "{}", err.message);
        let err = save_settings(&backend, json!({"range": "last_8_days"})).expect_err("invalid");
        assert!(
            err.message.contains("the argument settings is not valid"),
            "{}",
            err.message
        );
        assert_eq!(
            std::fs::read_to_string(&path).expect("kept"),
            "range = \"last_8_days\""
        );
    }
}
