//! What an export is asked for: which view (with that view's own choices), which filter, CSV or
//! PDF, and how it is written; and the words a report uses to describe its filter.

use crate::{CampaignId, CampaignSort, Filter, Interval, Metric, named_enum};

named_enum!(
    /// What an export is written as.
    ExportFormat, "export format", {
        /// RFC 4180 CSV, UTF-8: the view's table, every row, full precision.
        Csv => "csv",
        /// A PDF report: header, KPIs, charts and tables as vectors, definitions.
        Pdf => "pdf",
    }
);

named_enum!(
    /// The paper a PDF report is laid out for.
    PaperSize, "paper size", {
        /// ISO A4, 210 × 297 mm.
        A4 => "a4",
        /// US Letter, 8.5 × 11 in.
        Letter => "letter",
    }
);

/// One of the app's views, with the choices made on it, as an export shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "view", rename_all = "snake_case")]
pub enum ReportView {
    /// The overview: KPIs, the trend of `metric` per `interval`, the best and worst campaigns
    /// by `ranked_by`, campaigns and segments.
    Overview {
        /// The metric of the trend chart (and of the CSV's trend series).
        metric: Metric,
        /// How the trend is cut.
        interval: Interval,
        /// The rate the best and worst campaigns are ranked by.
        #[serde(default = "default_ranked_by")]
        ranked_by: Metric,
    },
    /// The campaign list, every campaign of the filter.
    Campaigns {
        /// Only campaigns whose name contains this (ignoring case).
        search: Option<String>,
        /// The list's column.
        sort: CampaignSort,
        /// Whether the column is in its other direction, as on screen.
        #[serde(default)]
        reversed: bool,
    },
    /// One campaign's metrics over time.
    Campaign {
        /// The campaign.
        campaign_id: CampaignId,
        /// How its range is cut.
        interval: Interval,
    },
    /// The member segment drill-down (counts from 1 to 10 shown as "<11").
    Segments,
}

fn default_ranked_by() -> Metric {
    Metric::EngagementRate
}

impl ReportView {
    /// The campaign list's order, for the campaigns view.
    pub fn campaign_order(&self) -> Option<crate::CampaignOrder> {
        match self {
            ReportView::Campaigns { sort, reversed, .. } => Some(crate::CampaignOrder {
                sort: *sort,
                reversed: *reversed,
            }),
            _ => None,
        }
    }

    /// The report's title, e.g. "Campaigns report".
    pub const fn title(&self) -> &'static str {
        match self {
            ReportView::Overview { .. } => "Outreach overview",
            ReportView::Campaigns { .. } => "Campaigns report",
            ReportView::Campaign { .. } => "Campaign report",
            ReportView::Segments => "Member segments report",
        }
    }

    /// A short name for files: "overview", "campaigns", "campaign", "segments".
    pub const fn slug(&self) -> &'static str {
        match self {
            ReportView::Overview { .. } => "overview",
            ReportView::Campaigns { .. } => "campaigns",
            ReportView::Campaign { .. } => "campaign",
            ReportView::Segments => "segments",
        }
    }
}

/// An export asked for: what to write and how. Where it goes is the caller's (a save dialog, a
/// command's `--out`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ExportRequest {
    /// CSV or PDF.
    pub format: ExportFormat,
    /// The view and its choices.
    pub view: ReportView,
    /// The filter, as on screen.
    pub filter: Filter,
    /// The paper of a PDF.
    pub paper: PaperSize,
    /// Whether a CSV starts with a UTF-8 byte-order mark (Excel on Windows needs one).
    pub byte_order_mark: bool,
}

impl ExportRequest {
    /// A file name to suggest, e.g. `campaigns-2026-08-30-to-2026-11-27.csv`.
    pub fn suggested_file_name(&self) -> String {
        let campaign = match &self.view {
            ReportView::Campaign { campaign_id, .. } => {
                format!("-{}", &campaign_id.to_string()[..8])
            }
            _ => String::new(),
        };
        format!(
            "{}{campaign}-{}-to-{}.{}",
            self.view.slug(),
            self.filter.range.start(),
            self.filter.range.end(),
            self.format
        )
    }
}

/// An export written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExportDone {
    /// Where it was written.
    pub path: String,
    /// The file's size.
    pub bytes: u64,
    /// The rows of a CSV (without the header), the pages of a PDF.
    pub rows_or_pages: u64,
}

/// What the app's export command answers: written, or the person cancelled the save dialog.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ExportOutcome {
    /// The file is in place.
    Written(ExportDone),
    /// The save dialog was cancelled: nothing was written.
    Cancelled,
}

impl Filter {
    /// The filter in words, for a report's header: "30 Aug 2026 to 27 Nov 2026 (90 days); all
    /// channels; all campaign types; status Active or Paused; 2 campaigns: A, B".
    /// `campaign_name` names a selected campaign (its id when unknown).
    pub fn in_words(&self, campaign_name: impl Fn(CampaignId) -> Option<String>) -> String {
        let range = format!(
            "{} to {} ({} {})",
            day_in_words(self.range.start()),
            day_in_words(self.range.end()),
            self.range.days(),
            if self.range.days() == 1 {
                "day"
            } else {
                "days"
            }
        );
        let list = |what: &str, all: &str, items: Vec<String>| match items.len() {
            0 => all.to_owned(),
            _ => format!("{what} {}", items.join(" or ")),
        };
        let channels = list(
            "channel",
            "all channels",
            self.channels.iter().map(ToString::to_string).collect(),
        );
        let types = list("type", "all campaign types", self.campaign_types.clone());
        let statuses = list(
            "status",
            "any status",
            self.statuses.iter().map(ToString::to_string).collect(),
        );
        let mut words = format!("{range}; {channels}; {types}; {statuses}");
        if !self.campaigns.is_empty() {
            let names: Vec<String> = self
                .campaigns
                .iter()
                .map(|id| campaign_name(*id).unwrap_or_else(|| id.to_string()))
                .collect();
            let count = names.len();
            words.push_str(&format!(
                "; {count} {}: {}",
                if count == 1 { "campaign" } else { "campaigns" },
                names.join(", ")
            ));
        }
        words
    }
}

/// A day as a report writes it: "27 Nov 2026" (unambiguous in every locale).
pub fn day_in_words(day: time::Date) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {}",
        day.day(),
        MONTHS[usize::from(u8::from(day.month())) - 1],
        day.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CampaignStatus, Channel, DateRange};
    use time::macros::date;

    fn filter() -> Filter {
        Filter::new(DateRange::new(date!(2026 - 08 - 30), date!(2026 - 11 - 27)).expect("a range"))
    }

    #[test]
    fn a_filter_reads_as_words() {
        assert_eq!(
            filter().in_words(|_| None),
            "30 Aug 2026 to 27 Nov 2026 (90 days); all channels; all campaign types; any status"
        );
        let id = CampaignId::from_u128(7);
        let narrow = Filter {
            channels: vec![Channel::Email, Channel::Sms],
            campaign_types: vec!["Wellness".to_owned()],
            statuses: vec![CampaignStatus::Active],
            campaigns: vec![id],
            ..filter()
        };
        assert_eq!(
            narrow.in_words(|c| (c == id).then(|| "Flu shots, 2026".to_owned())),
            "30 Aug 2026 to 27 Nov 2026 (90 days); channel Email or SMS; type Wellness; \
             status Active; 1 campaign: Flu shots, 2026"
        );
    }

    #[test]
    fn file_names_say_what_and_when() {
        let request = ExportRequest {
            format: ExportFormat::Csv,
            view: ReportView::Segments,
            filter: filter(),
            paper: PaperSize::A4,
            byte_order_mark: false,
        };
        assert_eq!(
            request.suggested_file_name(),
            "segments-2026-08-30-to-2026-11-27.csv"
        );
        assert_eq!("letter".parse::<PaperSize>(), Ok(PaperSize::Letter));
        assert!("legal".parse::<PaperSize>().is_err());
    }

    #[test]
    fn a_view_crosses_json_with_its_choices() {
        let view = ReportView::Overview {
            metric: Metric::OptOutRate,
            interval: Interval::Week,
            ranked_by: Metric::EngagementRate,
        };
        let json = serde_json::to_string(&view).expect("serialised");
        assert_eq!(
            json,
            r#"{"view":"overview","metric":"opt_out_rate","interval":"week","ranked_by":"engagement_rate"}"#
        );
        assert_eq!(
            serde_json::from_str::<ReportView>(&json).expect("read back"),
            view
        );
    }
}
