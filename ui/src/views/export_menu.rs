//! The Export menu of every page: CSV (plain, or with the byte-order mark Excel on Windows needs)
//! or a PDF report (A4 or US Letter). The shell asks where with a save dialog and writes the
//! file; meanwhile a spinner says the export is under way, and then a message names the file,
//! says the dialog was cancelled, or says what went wrong and what to do.

use outreach_model::{ExportFormat, ExportOutcome, ExportRequest, Filter, PaperSize, ReportView};

use crate::api::DashboardApi;
use crate::fetch::Fetch;
use crate::{format, theme};

/// The choices of the menu, in order: label, format, paper, byte-order mark.
const CHOICES: [(&str, ExportFormat, PaperSize, bool); 4] = [
    ("CSV…", ExportFormat::Csv, PaperSize::A4, false),
    (
        "CSV for Excel (Windows)…",
        ExportFormat::Csv,
        PaperSize::A4,
        true,
    ),
    ("PDF report, A4…", ExportFormat::Pdf, PaperSize::A4, false),
    (
        "PDF report, US Letter…",
        ExportFormat::Pdf,
        PaperSize::Letter,
        false,
    ),
];

/// The menu's own state: the export in flight or the last one's outcome.
#[derive(Debug, Default)]
pub struct ExportMenu {
    export: Fetch<ExportOutcome>,
    /// What the last export was (a CSV's rows, a PDF's pages).
    format: Option<ExportFormat>,
}

impl ExportMenu {
    /// Whether an export is under way.
    pub fn is_loading(&self) -> bool {
        self.export.is_loading()
    }

    /// The menu for `view` over `filter`, and the export's progress or outcome beside it.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        api: &dyn DashboardApi,
        view: ReportView,
        filter: &Filter,
    ) {
        let Self { export, format } = self;
        export.poll(ui.ctx());
        let busy = export.is_loading();
        ui.add_enabled_ui(!busy, |ui| {
            ui.menu_button("Export…", |ui| {
                for (label, kind, paper, byte_order_mark) in CHOICES {
                    if ui.button(label).clicked() {
                        let request = ExportRequest {
                            format: kind,
                            view: view.clone(),
                            filter: filter.clone(),
                            paper,
                            byte_order_mark,
                        };
                        export.ask(api.export(&request));
                        *format = Some(kind);
                        ui.close();
                    }
                }
            })
        });
        let palette = theme::palette(ui.ctx());
        if busy {
            ui.spinner();
            ui.label("Exporting…");
            return;
        }
        match export.answer() {
            Some(Ok(ExportOutcome::Written(done))) => {
                let what = match format {
                    Some(ExportFormat::Pdf) => "pages",
                    _ => "rows",
                };
                ui.colored_label(
                    palette.good,
                    format!(
                        "Saved {} ({} {what})",
                        done.path,
                        format::count(done.rows_or_pages as i64)
                    ),
                );
            }
            Some(Ok(ExportOutcome::Cancelled)) => {
                ui.colored_label(palette.muted, "Export cancelled; nothing was saved.");
            }
            Some(Err(err)) => {
                ui.colored_label(palette.bad, format!("Export failed: {}", err.message));
            }
            None => {}
        }
    }
}
