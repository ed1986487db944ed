//! outreach-model: the types that cross every boundary of Outreach Dashboard — channels, campaign
//! statuses, member segments, interaction types, the questions the dashboard answers (filters,
//! date ranges, intervals, metrics) and its answers.
//!
//! Each type is parsed once, at the edge (`FromStr`), and carries its own unit tests. This crate
//! depends on serde, time and thiserror only, and builds for wasm32.

mod access;
mod api;
mod campaign;
mod count;
mod export;
pub mod format;
mod query;
mod report;
mod segment;
mod settings;

pub use access::{Grant, Identity, Role, Session};
pub use api::{ApiError, ErrorCode};
pub use campaign::{CampaignStatus, Channel};
pub use count::Count;
pub use export::{
    ExportDone, ExportFormat, ExportOutcome, ExportRequest, PaperSize, ReportView, day_in_words,
};
pub use query::{
    CampaignId, CampaignOrder, CampaignSort, DateRange, Filter, Interval, InvalidCampaignId,
    InvalidDate, InvalidFilter, InvalidPage, InvalidRange, InvalidSearch, Metric, Page, Search,
    parse_date, search_key,
};
pub use report::{
    CampaignMetrics, CampaignName, CampaignNames, CampaignPage, CampaignRow, DimensionRow, Health,
    LastRun, Metrics, PeriodChange, PeriodMetrics, RankedCampaign, Ranking, SegmentCount,
    SegmentMetrics, SegmentReport, SegmentRow, SegmentValue, Series, StoreKind, Summary, Trend,
    TrendPoint, TrendSeries,
};
pub use segment::{
    AgeBand, Dimension, InteractionType, PlanType, Region, RiskTier, STATE_REGIONS, Segment,
};
pub use settings::{RangePreset, SavedRange, ViewSettings};

/// A value that is not one of a closed set of names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}: expected one of {expected}")]
pub struct UnknownName {
    /// What was being parsed, e.g. "channel".
    pub kind: &'static str,
    /// The text that did not match.
    pub value: String,
    /// The accepted names, comma separated.
    pub expected: &'static str,
}

/// Declares a closed set of names with `as_str`, `ALL`, `FromStr`, `Display` and serde as the name.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal, { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name as written in the warehouse, the dashboard database and the UI.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::UnknownName;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::UnknownName {
                        kind: $kind,
                        value: value.to_owned(),
                        expected: concat!($($text, ", "),+),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use named_enum;
