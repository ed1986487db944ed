//! The IPC commands: one per question, each one line into `ipc` (which decodes its arguments
//! and asks the backend). Arguments arrive as raw JSON so that a malformed one is answered with
//! our own `{code, message}`, not Tauri's.

use outreach_model::{
    ApiError, CampaignMetrics, CampaignNames, CampaignPage, ExportOutcome, Health, Ranking,
    SegmentReport, Summary, Trend, ViewSettings,
};
use serde_json::Value;
use tauri::State;

use crate::ipc;
use crate::state::Backend;

/// Totals and rates over the filter, against the previous period.
#[tauri::command]
#[tracing::instrument(skip(backend), err, ret(level = "debug"))]
pub async fn summary(backend: State<'_, Backend>, filter: Value) -> Result<Summary, ApiError> {
    ipc::summary(&backend, filter).await
}

/// `metric` per interval: one series per channel of the filter, then the total.
#[tauri::command]
#[tracing::instrument(skip(backend), err, ret(level = "debug"))]
pub async fn trend(
    backend: State<'_, Backend>,
    filter: Value,
    metric: Value,
    interval: Value,
) -> Result<Trend, ApiError> {
    ipc::trend(&backend, filter, metric, interval).await
}

/// One page of the filter's campaigns with their metrics, in an order.
#[tauri::command]
#[tracing::instrument(skip(backend), err, ret(level = "debug"))]
pub async fn campaigns(
    backend: State<'_, Backend>,
    filter: Value,
    search: Value,
    order: Value,
    page: Value,
) -> Result<CampaignPage, ApiError> {
    ipc::campaigns(&backend, filter, search, order, page).await
}

/// The campaign picker's choices: ids and names, a page at a time.
#[tauri::command]
#[tracing::instrument(skip(backend), err, ret(level = "debug"))]
pub async fn campaign_names(
    backend: State<'_, Backend>,
    range: Value,
    search: Value,
    chosen: Value,
    page: Value,
) -> Result<CampaignNames, ApiError> {
    ipc::campaign_names(&backend, range, search, chosen, page).await
}

/// The campaign types of a range's campaigns.
#[tauri::command]
#[tracing::instrument(skip(backend), err, ret(level = "debug"))]
pub async fn campaign_types(
    backend: State<'_, Backend>,
    range: Value,
) -> Result<Vec<String>, ApiError> {
    ipc::campaign_types(&backend, range).await
}

/// The best and worst campaigns by a rate.
#[tauri::command]
#[tracing::instrument(skip(backend), err, ret(level = "debug"))]
pub async fn ranking(
    backend: State<'_, Backend>,
    filter: Value,
    metric: Value,
    count: Value,
) -> Result<Ranking, ApiError> {
    ipc::ranking(&backend, filter, metric, count).await
}

/// One campaign's metrics per interval of a range.
#[tauri::command]
#[tracing::instrument(skip(backend), err, ret(level = "debug"))]
pub async fn campaign_metrics(
    backend: State<'_, Backend>,
    campaign_id: Value,
    range: Value,
    interval: Value,
) -> Result<CampaignMetrics, ApiError> {
    ipc::campaign_metrics(&backend, campaign_id, range, interval).await
}

/// The drill-down by member segment, counts from 1 to 10 suppressed.
#[tauri::command]
#[tracing::instrument(skip(backend), err, ret(level = "debug"))]
pub async fn segments(
    backend: State<'_, Backend>,
    filter: Value,
) -> Result<SegmentReport, ApiError> {
    ipc::segments(&backend, filter).await
}

/// How the app is signed in: a sign-in screen, "Demo: no sign-in", or the person and role.
#[tauri::command]
#[tracing::instrument(skip(backend), err)]
pub async fn session(backend: State<'_, Backend>) -> Result<outreach_model::Session, ApiError> {
    backend.session().await
}

/// Signs a person in in the system browser (RFC 8252); the app's window comes forward when
/// the browser hands the sign-in back. Their subject.
#[tauri::command]
#[tracing::instrument(skip(backend, window), err)]
pub async fn sign_in(
    backend: State<'_, Backend>,
    window: tauri::WebviewWindow,
) -> Result<String, ApiError> {
    let subject = backend
        .sign_in(
            outreach_backend::signin::open_in_browser,
            std::time::Duration::from_secs(300),
        )
        .await?;
    if let Err(err) = window.set_focus() {
        tracing::warn!(%err, "the window could not come forward");
    }
    Ok(subject)
}

/// Signs out: the refresh token leaves the keychain; the next question asks to sign in.
#[tauri::command]
#[tracing::instrument(skip(backend), err)]
pub async fn sign_out(backend: State<'_, Backend>) -> Result<(), ApiError> {
    backend.sign_out().await
}

/// Which database answers and how fresh its data is.
#[tauri::command]
#[tracing::instrument(skip(backend), err, ret(level = "debug"))]
pub async fn health(backend: State<'_, Backend>) -> Result<Health, ApiError> {
    ipc::health(&backend).await
}

/// The remembered view (settings.toml): the defaults when there is none yet.
#[tauri::command]
#[tracing::instrument(skip(backend), err)]
pub async fn settings(backend: State<'_, Backend>) -> Result<ViewSettings, ApiError> {
    ipc::read_settings(&backend)
}

/// Remembers the view, atomically.
#[tauri::command]
#[tracing::instrument(skip(backend), err)]
pub async fn save_settings(backend: State<'_, Backend>, settings: Value) -> Result<(), ApiError> {
    ipc::save_settings(&backend, settings)
}

/// Exports the view: a native save dialog (opening in the last export folder), then the file,
/// written atomically. Cancelling the dialog writes nothing.
#[tauri::command]
#[tracing::instrument(skip(backend, window), err, ret(level = "debug"))]
pub async fn export(
    backend: State<'_, Backend>,
    window: tauri::WebviewWindow,
    request: Value,
) -> Result<ExportOutcome, ApiError> {
    let request = ipc::export_request(request)?;
    ipc::may_export(&backend).await?;
    let (kind, extensions): (&str, &[&str]) = match request.format {
        outreach_model::ExportFormat::Csv => ("CSV", &["csv"]),
        outreach_model::ExportFormat::Pdf => ("PDF", &["pdf"]),
    };
    let mut dialog = rfd::AsyncFileDialog::new()
        .set_title(format!("Export {kind}"))
        .set_file_name(request.suggested_file_name())
        .add_filter(kind, extensions)
        .set_parent(&window);
    if let Some(folder) = ipc::last_export_folder(&backend) {
        dialog = dialog.set_directory(folder);
    }
    let Some(chosen) = dialog.save_file().await else {
        return Ok(ExportOutcome::Cancelled);
    };
    let done = ipc::export_to(&backend, &request, chosen.path()).await?;
    Ok(ExportOutcome::Written(done))
}
