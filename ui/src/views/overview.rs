//! The overview page: the KPI tiles of the filter, each with its change against the previous
//! period, coloured by whether the change is good news.

use outreach_model::{Metric, Summary};

use crate::format::{self, Better, Change, Verdict};
use crate::theme;

/// The KPIs on the overview, in order, and which way each should move.
const KPIS: [(Metric, Better); 5] = [
    (Metric::Reach, Better::Higher),
    (Metric::Impressions, Better::Higher),
    (Metric::EngagementRate, Better::Higher),
    (Metric::ConversionRate, Better::Higher),
    (Metric::OptOutRate, Better::Lower),
];

/// One KPI as shown: its figure and its change.
#[derive(Debug, Clone, PartialEq)]
pub struct Kpi {
    /// Which metric.
    pub metric: Metric,
    /// The figure, formatted.
    pub figure: String,
    /// Against the previous period.
    pub change: Change,
}

/// The overview's KPIs from a summary.
pub fn kpis(summary: &Summary) -> Vec<Kpi> {
    KPIS.iter()
        .map(|&(metric, better)| {
            let value = summary.current.get(metric);
            let figure = if metric.is_rate() {
                format::rate(value)
            } else {
                // Counts are whole numbers; `get` gives them as floats.
                format::count(value.unwrap_or(0.0).round() as i64)
            };
            Kpi {
                metric,
                figure,
                change: format::change(summary.change(metric), better),
            }
        })
        .collect()
}

/// The overview page's own state.
#[derive(Debug, Default)]
pub struct Overview {}

impl Overview {
    /// Shows the tiles of `summary`.
    pub fn ui(&mut self, ui: &mut egui::Ui, summary: &Summary) {
        let Self {} = self;
        let palette = theme::palette(ui.ctx());
        ui.horizontal_wrapped(|ui| {
            for kpi in kpis(summary) {
                egui::Frame::new()
                    .fill(palette.tile)
                    .inner_margin(theme::TILE_MARGIN)
                    .corner_radius(6)
                    .show(ui, |ui| {
                        ui.set_width(theme::TILE_WIDTH);
                        ui.vertical(|ui| {
                            ui.label(kpi.metric.label())
                                .on_hover_text(kpi.metric.definition());
                            ui.label(egui::RichText::new(&kpi.figure).size(theme::FIGURE_SIZE))
                                .on_hover_text(kpi.metric.definition());
                            let colour = match kpi.change.verdict {
                                Verdict::Good => palette.good,
                                Verdict::Bad => palette.bad,
                                Verdict::Neutral => palette.muted,
                            };
                            ui.label(
                                egui::RichText::new(format!(
                                    "{} vs previous period",
                                    kpi.change.text
                                ))
                                .color(colour),
                            );
                        });
                    });
            }
        });
        ui.add_space(theme::GAP);
        ui.label(
            egui::RichText::new(format!(
                "{} to {}, compared with {} to {}",
                summary.range.start(),
                summary.range.end(),
                summary.previous_range.start(),
                summary.previous_range.end()
            ))
            .color(palette.muted),
        );
    }
}
