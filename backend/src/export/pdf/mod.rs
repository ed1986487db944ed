//! PDF reports drawn with printpdf as vector text and vector charts: a header on every page
//! (title, the filter in words, the reporting time zone, the data's "as of" time, who generated
//! it and when), "Page N of M" in the footer, the KPIs against the previous period, trend charts
//! (axes, gridlines, labelled ticks, a legend, a line per channel), tables paginated with their
//! header repeated, the best and worst campaigns, the segment drill-down with the screen's
//! "<11", and the definition of every metric shown. Numbers are formatted as the screen formats
//! them (`outreach_model::format`).
//!
//! `canvas` is the layout engine (pages, text, lines, the flow down a page), `table` and
//! `chart` draw on it, `sections` is the report itself, view by view; this module draws the
//! pages' header and footer and writes the file.

mod canvas;
mod chart;
mod sections;
mod table;

use outreach_model::{Metric, PaperSize, ReportView, day_in_words};
use printpdf::{Mm, PdfDocument, PdfPage, PdfSaveOptions, Pt};

use super::Report;
use super::text::{Face, Faces, faces};
use canvas::{Canvas, font_id, ink};

/// A report drawn.
#[derive(Debug)]
pub struct RenderedPdf {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Its pages.
    pub pages: usize,
}

/// Why a report could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error(
    "the report's built-in font could not be read: reinstall Outreach Dashboard, or export CSV meanwhile"
)]
pub struct FontError;

const MARGIN: f32 = 40.0;
const BODY: f32 = 8.0;
const SMALL: f32 = 7.0;
const ROW: f32 = 11.5;
/// A table cell's padding, each side.
const PAD: f32 = 2.5;
/// A table header's text (small enough that the segment table's closed-set values, "Medicare
/// Advantage" and "Territories", fit unwrapped beside its nine figures on A4).
const HEADER: f32 = 6.5;

/// Draws `report`.
pub fn render(report: &Report) -> Result<RenderedPdf, FontError> {
    let faces = faces().ok_or(FontError)?;
    let (width, height) = match report.paper {
        PaperSize::A4 => (Mm(210.0).into_pt().0, Mm(297.0).into_pt().0),
        PaperSize::Letter => (612.0, 792.0),
    };
    let title = report_title(report);
    let mut doc = PdfDocument::new(&title);
    let info = &mut doc.metadata.info;
    if let Ok(when) =
        printpdf::OffsetDateTime::from_unix_timestamp(report.context.generated_at.unix_timestamp())
    {
        info.creation_date = when;
        info.modification_date = when;
        info.metadata_date = when;
    }
    info.author = report.context.generated_by.clone();
    info.creator = "Outreach Dashboard".to_owned();
    info.producer = "Outreach Dashboard (printpdf)".to_owned();
    info.subject = report.filter_words.clone();
    let mut canvas = Canvas::new(faces, doc, width, height);
    let header = header_lines(report, faces, canvas.content_width());
    canvas.top = MARGIN + 20.0 + header.len() as f32 * 10.5 + 10.0;
    canvas.new_page();

    sections::body(&mut canvas, report);
    // The KPI table shows every metric, so every definition is in the appendix.
    sections::appendix(&mut canvas, Metric::ALL);

    let pages = canvas.pages.len();
    for page in 0..pages {
        decorate(&mut canvas, page, pages, &title, &header);
    }
    let (mut doc, contents, used) = canvas.finish();
    let pdf_pages = contents
        .into_iter()
        .map(|ops| PdfPage::new(Mm::from(Pt(width)), Mm::from(Pt(height)), ops))
        .collect();
    // The fonts go in last, each cut down to the characters the report used.
    for (face, chars) in Face::ALL.iter().zip(&used) {
        if !chars.is_empty() {
            doc.resources.fonts.map.insert(
                font_id(*face),
                printpdf::PdfFont::new(faces.subset(*face, chars)),
            );
        }
    }
    let bytes = doc
        .with_pages(pdf_pages)
        .save(&PdfSaveOptions::default(), &mut Vec::new());

    Ok(RenderedPdf { bytes, pages })
}

/// "Campaigns report", or "Campaign report: <name>".
fn report_title(report: &Report) -> String {
    match (&report.view, &report.campaign) {
        (ReportView::Campaign { .. }, Some(campaign)) => {
            format!("{}: {}", report.view.title(), campaign.campaign_name)
        }
        _ => report.view.title().to_owned(),
    }
}

/// The header's lines under the title: the filter, then time zone, as-of and who and when.
fn header_lines(report: &Report, faces: &Faces, width: f32) -> Vec<String> {
    let zone = &report.health.reporting_time_zone;
    let loaded = report
        .health
        .last_run
        .as_ref()
        .and_then(|run| run.finished_at);
    let as_of = match (loaded, report.health.latest_metric_date) {
        (Some(loaded), latest) => format!(
            "data as of {}{}",
            instant_words(loaded),
            latest.map_or(String::new(), |d| format!(
                " (latest day {})",
                day_in_words(d)
            ))
        ),
        (None, Some(latest)) => format!("data up to {}", day_in_words(latest)),
        (None, None) => "no data loaded yet".to_owned(),
    };
    let mut lines = faces.wrap(
        &format!("Filter: {}", report.filter_words),
        SMALL + 1.0,
        false,
        width,
    );
    lines.extend(faces.wrap(
        &format!(
            "Reporting time zone {zone}; {as_of}; generated by {} on {}",
            report.context.generated_by,
            instant_words(report.context.generated_at)
        ),
        SMALL + 1.0,
        false,
        width,
    ));
    lines
}

/// "27 Nov 2026 06:05 UTC".
fn instant_words(instant: time::OffsetDateTime) -> String {
    let utc = instant.to_offset(time::UtcOffset::UTC);
    format!(
        "{} {:02}:{:02} UTC",
        day_in_words(utc.date()),
        utc.hour(),
        utc.minute()
    )
}

/// The header and footer of page `page` of `pages`.
fn decorate(canvas: &mut Canvas<'_>, page: usize, pages: usize, title: &str, header: &[String]) {
    let right = canvas.width - MARGIN;
    let mut y = MARGIN + 12.0;
    canvas.text_on(page, MARGIN, y, title, 15.0, true, ink::TEXT);
    y += 6.0;
    for line in header {
        y += 10.5;
        canvas.text_on(page, MARGIN, y, line, SMALL + 1.0, false, ink::MUTED);
    }
    y += 6.0;
    canvas.polyline_on(page, &[(MARGIN, y), (right, y)], 0.8, ink::RULE);
    let footer = canvas.height - MARGIN + 8.0;
    canvas.text_on(
        page,
        MARGIN,
        footer,
        "Outreach Dashboard",
        SMALL,
        false,
        ink::MUTED,
    );
    let number = format!("Page {} of {pages}", page + 1);
    let width = canvas.faces.width(&number, SMALL, false);
    canvas.text_on(
        page,
        right - width,
        footer,
        &number,
        SMALL,
        false,
        ink::MUTED,
    );
}
