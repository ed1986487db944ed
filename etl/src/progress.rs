//! How far a long operation is: the library says it here, and prints nothing; the binary shows
//! it as a progress bar, tests pass [`Quiet`].

/// Hears how far a run or a generation is.
pub trait Progress: Sync {
    /// The operation has `steps` steps in all.
    fn length(&self, steps: u64) {
        let _ = steps;
    }
    /// A stage begins, e.g. "checking the warehouse".
    fn stage(&self, message: &str) {
        let _ = message;
    }
    /// `steps` more steps are done.
    fn advance(&self, steps: u64) {
        let _ = steps;
    }
    /// The operation ended, well (`succeeded`) or not.
    fn finished(&self, succeeded: bool) {
        let _ = succeeded;
    }
}

/// Progress nobody watches.
#[derive(Debug, Default, Clone, Copy)]
pub struct Quiet;

impl Progress for Quiet {}
