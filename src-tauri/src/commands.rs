//! The IPC commands: one per backend question, each a line into the backend.

use outreach_backend::export::{self, ReportContext};
use outreach_cli::settings::{
    ExportPlace, export_place_path, read_export_place, write_export_place,
};
use outreach_model::{
    ApiError, CampaignId, CampaignMetrics, CampaignPage, CampaignSort, DateRange, ErrorCode,
    ExportFormat, ExportOutcome, ExportRequest, Filter, Health, Interval, Metric, Page,
    SegmentReport, Summary, Trend, ViewSettings,
};
use tauri::State;

use crate::state::Backend;

/// Totals and rates over the filter, against the previous period.
#[tauri::command]
#[tracing::instrument(skip(backend), err, ret(level = "debug"))]
pub async fn summary(backend: State<'_, Backend>, filter: Filter) -> Result<Summary, ApiError> {
    Ok(backend.dashboard().await?.summary(&filter).await?)
}

/// `metric` per interval: one series per channel of the filter, then the total.
#[tauri::command]
#[tracing::instrument(skip(backend), err, ret(level = "debug"))]
pub async fn trend(
    backend: State<'_, Backend>,
    filter: Filter,
    metric: Metric,
    interval: Interval,
) -> Result<Trend, ApiError> {
    Ok(backend
        .dashboard()
        .await?
        .trend(&filter, metric, interval)
        .await?)
}

/// One page of the filter's campaigns with their metrics; `search` keeps names containing it.
#[tauri::command]
#[tracing::instrument(skip(backend), err, ret(level = "debug"))]
pub async fn campaigns(
    backend: State<'_, Backend>,
    filter: Filter,
    search: Option<String>,
    sort: CampaignSort,
    page: Page,
) -> Result<CampaignPage, ApiError> {
    Ok(backend
        .dashboard()
        .await?
        .campaigns(&filter, search.as_deref(), sort, page)
        .await?)
}

/// One campaign's metrics per interval of `range`.
#[tauri::command]
#[tracing::instrument(skip(backend), err, ret(level = "debug"))]
pub async fn campaign_metrics(
    backend: State<'_, Backend>,
    campaign_id: CampaignId,
    range: DateRange,
    interval: Interval,
) -> Result<CampaignMetrics, ApiError> {
    Ok(backend
        .dashboard()
        .await?
        .campaign_metrics(campaign_id, range, interval)
        .await?)
}

/// The drill-down by member segment, counts from 1 to 10 suppressed.
#[tauri::command]
#[tracing::instrument(skip(backend), err, ret(level = "debug"))]
pub async fn segments(
    backend: State<'_, Backend>,
    filter: Filter,
) -> Result<SegmentReport, ApiError> {
    Ok(backend.dashboard().await?.segments(&filter).await?)
}

/// The remembered view (settings.toml): the defaults when there is none yet.
#[tauri::command]
#[tracing::instrument(err)]
pub async fn settings() -> Result<ViewSettings, ApiError> {
    let path = outreach_cli::settings::settings_path().map_err(bad_settings)?;
    outreach_cli::settings::read(&path).map_err(bad_settings)
}

/// Remembers the view, atomically.
#[tauri::command]
#[tracing::instrument(err)]
pub async fn save_settings(settings: ViewSettings) -> Result<(), ApiError> {
    let path = outreach_cli::settings::settings_path().map_err(bad_settings)?;
    // File I/O off the async threads; the write is small.
    tokio::task::spawn_blocking(move || outreach_cli::settings::write(&path, &settings))
        .await
        .map_err(|err| {
            ApiError::new(
                ErrorCode::Internal,
                format!("saving the settings stopped: {err}"),
            )
        })?
        .map_err(bad_settings)
}

fn bad_settings(err: anyhow::Error) -> ApiError {
    ApiError::new(ErrorCode::BadRequest, format!("{err:#}"))
}

/// Which database answers and how fresh its data is.
#[tauri::command]
#[tracing::instrument(skip(backend), err, ret(level = "debug"))]
pub async fn health(backend: State<'_, Backend>) -> Result<Health, ApiError> {
    Ok(backend.dashboard().await?.health().await?)
}

/// Exports the view: a native save dialog (opening in the last export folder), then the file,
/// written atomically. Cancelling the dialog writes nothing.
#[tauri::command]
#[tracing::instrument(skip(backend, window), err)]
pub async fn export(
    backend: State<'_, Backend>,
    window: tauri::WebviewWindow,
    request: ExportRequest,
) -> Result<ExportOutcome, ApiError> {
    let place_path = export_place_path().ok();
    let place = place_path
        .as_deref()
        .map(read_export_place)
        .unwrap_or_default();
    let (kind, extensions): (&str, &[&str]) = match request.format {
        ExportFormat::Csv => ("CSV", &["csv"]),
        ExportFormat::Pdf => ("PDF", &["pdf"]),
    };
    let mut dialog = rfd::AsyncFileDialog::new()
        .set_title(format!("Export {kind}"))
        .set_file_name(request.suggested_file_name())
        .add_filter(kind, extensions)
        .set_parent(&window);
    if let Some(folder) = place.last_folder.filter(|f| f.is_dir()) {
        dialog = dialog.set_directory(folder);
    }
    let Some(chosen) = dialog.save_file().await else {
        return Ok(ExportOutcome::Cancelled);
    };
    let path = chosen.path().to_path_buf();
    if let (Some(place_path), Some(folder)) = (place_path, path.parent()) {
        let place = ExportPlace {
            last_folder: Some(folder.to_path_buf()),
        };
        // Only a convenience: an export is not failed because its folder was not remembered.
        if let Err(err) = write_export_place(&place_path, &place) {
            tracing::warn!(%err, "the export folder was not remembered");
        }
    }
    let context = ReportContext {
        generated_by: outreach_cli::config::account_name(),
        generated_at: time::OffsetDateTime::now_utc(),
    };
    let dashboard = backend.dashboard().await?;
    let done = export::export(&dashboard, &request, &path, &context)
        .await
        .map_err(|err| ApiError::new(ErrorCode::Unavailable, err.to_string()))?;
    Ok(ExportOutcome::Written(done))
}
