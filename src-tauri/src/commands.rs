//! The IPC commands: one per backend question, each a line into the backend.

use outreach_model::{ApiError, Filter, Health, Interval, Metric, Summary, Trend};
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

/// Which database answers and how fresh its data is.
#[tauri::command]
#[tracing::instrument(skip(backend), err, ret(level = "debug"))]
pub async fn health(backend: State<'_, Backend>) -> Result<Health, ApiError> {
    Ok(backend.dashboard().await?.health().await?)
}
