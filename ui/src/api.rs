//! The one door to the backend.

use std::future::Future;
use std::pin::Pin;

use outreach_model::{ApiError, Filter, Health, Interval, Metric, Summary, Trend};

/// A question in flight. It need not be `Send`: in the webview it wraps a JavaScript promise.
pub type ApiFuture<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// The backend's questions as the views ask them. The desktop shell implements it over Tauri's
/// IPC; the tests implement it over the real backend in-process.
pub trait DashboardApi {
    /// Totals and rates over the filter, with the same campaigns over the previous period.
    fn summary(&self, filter: &Filter) -> ApiFuture<Summary>;
    /// `metric` per interval: one series per channel of the filter, then the total.
    fn trend(&self, filter: &Filter, metric: Metric, interval: Interval) -> ApiFuture<Trend>;
    /// Which database answers, how fresh its data is, and its reporting time zone.
    fn health(&self) -> ApiFuture<Health>;
}
