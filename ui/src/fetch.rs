//! Answers that arrive while frames go on: a question is polled once a frame, and its waker
//! asks egui for the next frame, so no executor is needed on either platform.

use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use outreach_model::ApiError;

use crate::api::ApiFuture;

/// The latest answer to one question, and the question in flight, if any. The previous answer
/// stays on screen while the next loads.
pub struct Fetch<T> {
    asked: Option<ApiFuture<T>>,
    /// When the question in flight was first polled (egui's input time, in seconds).
    asked_at: Option<f64>,
    answer: Option<Result<T, ApiError>>,
}

impl<T> Default for Fetch<T> {
    fn default() -> Self {
        Fetch {
            asked: None,
            asked_at: None,
            answer: None,
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Fetch<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetch")
            .field("loading", &self.asked.is_some())
            .field("answer", &self.answer)
            .finish()
    }
}

/// Wakes egui: the next frame polls the question again.
struct Repaint(egui::Context);

impl Wake for Repaint {
    fn wake(self: Arc<Self>) {
        self.0.request_repaint();
    }
}

impl<T> Fetch<T> {
    /// Asks `question`, replacing any question still in flight.
    pub fn ask(&mut self, question: ApiFuture<T>) {
        self.asked = Some(question);
        self.asked_at = None;
    }

    /// Since when (egui's input time, in seconds) the question in flight has been waited for
    /// (set when it is first polled, cleared when its answer comes).
    pub fn loading_since(&self) -> Option<f64> {
        self.asked_at
    }

    /// Whether a question is in flight.
    pub fn is_loading(&self) -> bool {
        self.asked.is_some()
    }

    /// Polls the question in flight; its answer replaces the previous one when it comes.
    pub fn poll(&mut self, ctx: &egui::Context) {
        let Some(question) = self.asked.as_mut() else {
            return;
        };
        if self.asked_at.is_none() {
            self.asked_at = Some(ctx.input(|i| i.time));
        }
        let waker = Waker::from(Arc::new(Repaint(ctx.clone())));
        if let Poll::Ready(answer) = question.as_mut().poll(&mut Context::from_waker(&waker)) {
            self.answer = Some(answer);
            self.asked = None;
            self.asked_at = None;
        }
    }

    /// The latest answer, if one came.
    pub fn answer(&self) -> Option<&Result<T, ApiError>> {
        self.answer.as_ref()
    }

    /// Whether the latest answer is a failure.
    pub fn failed(&self) -> bool {
        matches!(self.answer, Some(Err(_)))
    }
}

/// A question that follows what it is about: asked when its key (the filter and the choices it
/// answers) differs from the key of the answer on screen, and again after a retry. Only the
/// page on screen follows its questions, so a filter change asks nothing of the other pages.
pub struct Query<K, T> {
    key: Option<K>,
    fetch: Fetch<T>,
}

impl<K, T> Default for Query<K, T> {
    fn default() -> Self {
        Query {
            key: None,
            fetch: Fetch::default(),
        }
    }
}

impl<K: std::fmt::Debug, T: std::fmt::Debug> std::fmt::Debug for Query<K, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("key", &self.key)
            .field("fetch", &self.fetch)
            .finish()
    }
}

impl<K: PartialEq + Clone, T> Query<K, T> {
    /// Asks `ask(key)` unless the answer on screen (or in flight) is already for `key`, then
    /// polls it.
    pub fn follow(&mut self, ctx: &egui::Context, key: &K, ask: impl FnOnce(&K) -> ApiFuture<T>) {
        if self.key.as_ref() != Some(key) {
            self.fetch.ask(ask(key));
            self.key = Some(key.clone());
        }
        self.fetch.poll(ctx);
    }

    /// Asks again on the next `follow`.
    pub fn retry(&mut self) {
        self.key = None;
    }

    /// The answer and the question in flight.
    pub fn fetch(&self) -> &Fetch<T> {
        &self.fetch
    }

    /// Whether its question is in flight.
    pub fn is_loading(&self) -> bool {
        self.fetch.is_loading()
    }

    /// Whether its latest answer is a failure.
    pub fn failed(&self) -> bool {
        self.fetch.failed()
    }

    /// The latest answer, if it came and is not a failure.
    pub fn ok(&self) -> Option<&T> {
        self.fetch.answer().and_then(|answer| answer.as_ref().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use outreach_model::ErrorCode;

    #[test]
    fn an_answer_replaces_the_previous_one_when_it_comes() {
        let ctx = egui::Context::default();
        let mut fetch: Fetch<i32> = Fetch::default();
        assert!(fetch.answer().is_none() && !fetch.is_loading());
        fetch.ask(Box::pin(async { Ok(1) }));
        assert!(fetch.is_loading());
        fetch.poll(&ctx);
        assert_eq!(fetch.answer(), Some(&Ok(1)));
        assert!(!fetch.is_loading());

        // A question that is not ready yet keeps the previous answer on screen.
        fetch.ask(Box::pin(std::future::pending()));
        fetch.poll(&ctx);
        assert!(fetch.is_loading());
        assert_eq!(fetch.answer(), Some(&Ok(1)));

        let failure = ApiError::new(ErrorCode::Unavailable, "down");
        let answer = Err(failure.clone());
        fetch.ask(Box::pin(async move { answer }));
        fetch.poll(&ctx);
        assert_eq!(fetch.answer(), Some(&Err(failure)));
    }

    #[test]
    fn a_query_asks_again_only_when_its_key_changes_or_on_retry() {
        let ctx = egui::Context::default();
        let mut query: Query<u8, u8> = Query::default();
        let mut asked = Vec::new();
        let mut follow = |query: &mut Query<u8, u8>, key: u8| {
            query.follow(&ctx, &key, |k| {
                asked.push(*k);
                let answer = *k * 2;
                Box::pin(async move { Ok(answer) })
            });
        };
        follow(&mut query, 1);
        follow(&mut query, 1);
        assert_eq!(query.ok(), Some(&2));
        follow(&mut query, 2);
        query.retry();
        follow(&mut query, 2);
        assert_eq!(query.ok(), Some(&4));
        assert_eq!(asked, [1, 2, 2]);
    }
}
