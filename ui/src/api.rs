//! The one door to the backend.

use std::future::Future;
use std::pin::Pin;

use outreach_model::{
    ApiError, CampaignId, CampaignMetrics, CampaignNames, CampaignOrder, CampaignPage, DateRange,
    ExportOutcome, ExportRequest, Filter, Health, Interval, Metric, Page, Ranking, SegmentReport,
    Session, Summary, Trend, ViewSettings,
};

/// A question in flight. It need not be `Send`: in the webview it wraps a JavaScript promise.
pub type ApiFuture<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// The backend's questions as the views ask them. The desktop shell implements it over Tauri's
/// IPC; the tests implement it over the real backend in-process.
pub trait DashboardApi {
    /// Totals and rates over the filter, with the same campaigns over the previous period.
    fn summary(&self, filter: &Filter) -> ApiFuture<Summary>;
    /// `metric` per interval: one series per channel of the filter, then the total.
    fn trend(&self, filter: &Filter, metric: Metric, interval: Interval) -> ApiFuture<Trend>;
    /// One page of the filter's campaigns with their metrics over its range, in `order`;
    /// `search` keeps those whose name contains it.
    fn campaigns(
        &self,
        filter: &Filter,
        search: Option<&str>,
        order: CampaignOrder,
        page: Page,
    ) -> ApiFuture<CampaignPage>;
    /// One page of the range's campaigns by id and name whose name contains `search`, and the
    /// names of `chosen`: the campaign picker's light question.
    fn campaign_names(
        &self,
        range: DateRange,
        search: Option<&str>,
        chosen: &[CampaignId],
        page: Page,
    ) -> ApiFuture<CampaignNames>;
    /// The campaign types of the range's campaigns.
    fn campaign_types(&self, range: DateRange) -> ApiFuture<Vec<String>>;
    /// The `count` best and worst campaigns of the filter by the rate `metric`, among those
    /// with the configured minimum volume.
    fn ranking(&self, filter: &Filter, metric: Metric, count: u32) -> ApiFuture<Ranking>;
    /// One campaign's metrics per interval of `range`.
    fn campaign_metrics(
        &self,
        campaign: CampaignId,
        range: DateRange,
        interval: Interval,
    ) -> ApiFuture<CampaignMetrics>;
    /// The drill-down by member segment, small counts suppressed.
    fn segments(&self, filter: &Filter) -> ApiFuture<SegmentReport>;
    /// Which database answers, how fresh its data is, and its reporting time zone.
    fn health(&self) -> ApiFuture<Health>;
    /// The remembered view (the filter): the defaults when nothing is remembered yet, a failure
    /// when the settings cannot be read.
    fn settings(&self) -> ApiFuture<ViewSettings>;
    /// Remembers the view.
    fn save_settings(&self, settings: &ViewSettings) -> ApiFuture<()>;
    /// Exports a view: the shell asks where with a save dialog, then writes the file; the
    /// answer says where, or that the dialog was cancelled.
    fn export(&self, request: &ExportRequest) -> ApiFuture<ExportOutcome>;
    /// How the app is signed in. By default no one signs in (the demo, a database without an
    /// identity provider).
    fn session(&self) -> ApiFuture<Session> {
        Box::pin(std::future::ready(Ok(Session {
            demo: false,
            sign_in_configured: false,
            subject: None,
            role: None,
        })))
    }
    /// Signs a person in, in the system browser: their subject.
    fn sign_in(&self) -> ApiFuture<String> {
        Box::pin(std::future::ready(Err(ApiError::new(
            outreach_model::ErrorCode::BadRequest,
            "no identity provider is configured",
        ))))
    }
    /// Signs out.
    fn sign_out(&self) -> ApiFuture<()> {
        Box::pin(std::future::ready(Ok(())))
    }
}

/// The answers of several questions, in order; the first failure fails them all. They are
/// asked at once: over the IPC a question is sent when first polled, so awaiting them one
/// after another would add up their round trips.
pub fn all<T: 'static>(questions: Vec<ApiFuture<T>>) -> ApiFuture<Vec<T>> {
    Box::pin(futures_util::future::try_join_all(questions))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;
    use std::task::{Context, Poll, Waker};

    #[test]
    fn all_asks_every_question_at_once_and_keeps_their_order() {
        let asked = Rc::new(Cell::new(0));
        // Each question is "sent" when first polled and answers on its second poll.
        let question = |answer: u8| -> ApiFuture<u8> {
            let asked = asked.clone();
            let mut polls = 0;
            Box::pin(std::future::poll_fn(move |_| {
                polls += 1;
                if polls == 1 {
                    asked.set(asked.get() + 1);
                    Poll::Pending
                } else {
                    Poll::Ready(Ok(answer))
                }
            }))
        };
        let mut answers = all(vec![question(1), question(2), question(3)]);
        let mut context = Context::from_waker(Waker::noop());
        assert!(answers.as_mut().poll(&mut context).is_pending());
        assert_eq!(asked.get(), 3, "every question is in flight after one poll");
        assert_eq!(
            answers.as_mut().poll(&mut context),
            Poll::Ready(Ok(vec![1, 2, 3]))
        );
    }
}
