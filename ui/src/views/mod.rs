//! The views: one per file, each a struct with `Default` and a `ui` function.

pub mod filter_bar;
pub mod overview;
pub mod status_bar;
pub mod trend;
