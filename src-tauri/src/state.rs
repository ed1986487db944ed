//! The backend the commands share: the dashboard database, opened once.

use std::sync::Arc;

use outreach_backend::Dashboard;
use outreach_model::{ApiError, ErrorCode};
use tokio::sync::OnceCell;

/// The dashboard, opened on first use: the configured database (`OUTREACH_DATABASE_URL`, or
/// `database_url` in the config file), else the demo database, built on first use.
#[derive(Debug, Clone, Default)]
pub struct Backend {
    opened: Arc<OnceCell<Result<Arc<Dashboard>, ApiError>>>,
}

impl Backend {
    /// The open dashboard, or why it could not be opened (asked again on the next call).
    pub async fn dashboard(&self) -> Result<Arc<Dashboard>, ApiError> {
        let opened = self.opened.get_or_init(open_on_a_blocking_thread).await;
        opened.clone()
    }
}

/// Opening (and building the demo) holds futures the compiler cannot prove `Send` (sqlx's
/// migrations over a borrowed connection), so it runs to completion on a blocking thread.
async fn open_on_a_blocking_thread() -> Result<Arc<Dashboard>, ApiError> {
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || runtime.block_on(open()))
        .await
        .unwrap_or_else(|err| {
            Err(ApiError::new(
                ErrorCode::Internal,
                format!("opening the dashboard database stopped: {err}"),
            ))
        })
}

async fn open() -> Result<Arc<Dashboard>, ApiError> {
    let flag = std::env::var("OUTREACH_DATABASE_URL").ok();
    let url = outreach_cli::config::database_url(flag)
        .await
        .map_err(|err| ApiError::new(ErrorCode::Unavailable, format!("{err:#}")))?;
    let dashboard = Dashboard::connect(&url).await?;
    tracing::info!(
        store = dashboard.store().kind(),
        "opened the dashboard database"
    );
    Ok(Arc::new(dashboard))
}
