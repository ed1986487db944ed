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
    answer: Option<Result<T, ApiError>>,
}

impl<T> Default for Fetch<T> {
    fn default() -> Self {
        Fetch {
            asked: None,
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
        let waker = Waker::from(Arc::new(Repaint(ctx.clone())));
        if let Poll::Ready(answer) = question.as_mut().poll(&mut Context::from_waker(&waker)) {
            self.answer = Some(answer);
            self.asked = None;
        }
    }

    /// The latest answer, if one came.
    pub fn answer(&self) -> Option<&Result<T, ApiError>> {
        self.answer.as_ref()
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
}
