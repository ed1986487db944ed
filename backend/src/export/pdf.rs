//! PDF reports drawn with printpdf as vector text and vector charts: a header on every page
//! (title, the filter in words, the reporting time zone, the data's "as of" time, who generated
//! it and when), "Page N of M" in the footer, the KPIs against the previous period, trend charts
//! (axes, gridlines, labelled ticks, a legend, a line per channel), tables paginated with their
//! header repeated, the segment drill-down with the screen's "<11", and the definition of every
//! metric shown. Numbers are formatted as the screen formats them (`outreach_model::format`).

use std::collections::BTreeSet;

use outreach_model::format::{self, Better};
use outreach_model::{
    CampaignMetrics, CampaignRow, Interval, Metric, Metrics, PaperSize, ReportView, SegmentMetrics,
    SegmentReport, Trend, day_in_words,
};
use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem, TextMatrix,
};

use super::Report;
use super::text::{Face, Faces, faces};

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

/// Colours of the report (print-friendly: dark text, light rules).
mod ink {
    pub const TEXT: (f32, f32, f32) = (0.10, 0.10, 0.12);
    pub const MUTED: (f32, f32, f32) = (0.38, 0.40, 0.44);
    pub const RULE: (f32, f32, f32) = (0.78, 0.80, 0.83);
    pub const GRID: (f32, f32, f32) = (0.90, 0.91, 0.93);
    pub const STRIPE: (f32, f32, f32) = (0.955, 0.96, 0.97);
    /// Email, SMS, Push, then the total (colour-blind safe: blue, orange, teal, black).
    pub const SERIES: [(f32, f32, f32); 4] = [
        (0.00, 0.45, 0.70),
        (0.90, 0.62, 0.00),
        (0.00, 0.62, 0.45),
        (0.10, 0.10, 0.12),
    ];
}

fn colour((r, g, b): (f32, f32, f32)) -> Color {
    Color::Rgb(Rgb {
        r,
        g,
        b,
        icc_profile: None,
    })
}

/// The id a face has in every report.
fn font_id(face: Face) -> FontId {
    FontId(face.name().to_owned())
}

/// Left or right aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

/// A table column: its title and its alignment (its width follows from its cells).
#[derive(Debug, Clone, Copy)]
struct Column {
    title: &'static str,
    align: Align,
}

const fn text_column(title: &'static str) -> Column {
    Column {
        title,
        align: Align::Left,
    }
}

const fn number_column(title: &'static str) -> Column {
    Column {
        title,
        align: Align::Right,
    }
}

/// Pages being drawn; y runs down from the top of the page.
struct Canvas<'f> {
    faces: &'f Faces,
    doc: PdfDocument,
    /// The characters set in each face (`Face::ALL` order): the fonts are subset to them.
    used: [BTreeSet<char>; 4],
    width: f32,
    height: f32,
    pages: Vec<Vec<Op>>,
    /// Where the next block goes.
    y: f32,
    /// Where content starts on a page (below the header).
    top: f32,
    /// Where content must end on a page (above the footer).
    bottom: f32,
}

impl<'f> Canvas<'f> {
    fn content_width(&self) -> f32 {
        self.width - 2.0 * MARGIN
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// `text` with its baseline at `baseline`, starting at `x`, on page `page`.
    #[allow(clippy::too_many_arguments)] // one drawing call; a struct would only rename them
    fn text_on(
        &mut self,
        page: usize,
        x: f32,
        baseline: f32,
        text: &str,
        size: f32,
        bold: bool,
        ink: (f32, f32, f32),
    ) {
        let mut ops = vec![Op::StartTextSection, Op::SetFillColor { col: colour(ink) }];
        let mut at = x;
        for (face, run, width) in self.faces.runs(text, bold) {
            let at_face = Face::ALL.iter().position(|f| *f == face).unwrap_or(0);
            self.used[at_face].extend(run.chars());
            let font = font_id(face);
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(font),
                size: Pt(size),
            });
            ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(at), Pt(self.height - baseline)),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(run)],
            });
            at += width * size;
        }
        ops.push(Op::EndTextSection);
        self.pages[page].extend(ops);
    }

    fn text(&mut self, x: f32, baseline: f32, text: &str, size: f32, bold: bool) {
        self.ops();
        let page = self.pages.len() - 1;
        self.text_on(page, x, baseline, text, size, bold, ink::TEXT);
    }

    fn text_muted(&mut self, x: f32, baseline: f32, text: &str, size: f32) {
        self.ops();
        let page = self.pages.len() - 1;
        self.text_on(page, x, baseline, text, size, false, ink::MUTED);
    }

    fn text_right(&mut self, right: f32, baseline: f32, text: &str, size: f32, bold: bool) {
        let width = self.faces.width(text, size, bold);
        self.text(right - width, baseline, text, size, bold);
    }

    fn polyline(&mut self, points: &[(f32, f32)], thickness: f32, ink: (f32, f32, f32)) {
        self.ops();
        let page = self.pages.len() - 1;
        self.polyline_on(page, points, thickness, ink);
    }

    /// A line through `points` (y down from the top) on page `page`.
    fn polyline_on(
        &mut self,
        page: usize,
        points: &[(f32, f32)],
        thickness: f32,
        ink: (f32, f32, f32),
    ) {
        if points.len() < 2 {
            return;
        }
        let height = self.height;
        let line = Line {
            points: points
                .iter()
                .map(|(x, y)| LinePoint {
                    p: Point {
                        x: Pt(*x),
                        y: Pt(height - y),
                    },
                    bezier: false,
                })
                .collect(),
            is_closed: false,
        };
        self.pages[page].extend([
            Op::SetOutlineColor { col: colour(ink) },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine { line },
        ]);
    }

    fn fill(&mut self, x: f32, y: f32, width: f32, height: f32, ink: (f32, f32, f32)) {
        let page_height = self.height;
        self.ops().extend([
            Op::SetFillColor { col: colour(ink) },
            Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(x),
                    y: Pt(page_height - y - height),
                    width: Pt(width),
                    height: Pt(height),
                    mode: Some(PaintMode::Fill),
                    winding_order: None,
                },
            },
        ]);
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.top;
    }

    /// Starts a new page unless `height` more fits on this one.
    fn room_for(&mut self, height: f32) {
        if self.pages.is_empty() || self.y + height > self.bottom {
            self.new_page();
        }
    }

    fn heading(&mut self, text: &str) {
        // A heading never ends a page: it keeps a few rows of what follows with it.
        self.room_for(22.0 + 4.0 * ROW);
        self.y += 16.0;
        self.text(MARGIN, self.y, text, 11.0, true);
        self.y += 8.0;
    }

    fn paragraph(&mut self, text: &str, size: f32) {
        let lines = self.faces.wrap(text, size, false, self.content_width());
        for line in lines {
            self.room_for(size * 1.45);
            self.y += size * 1.45;
            self.text_muted(MARGIN, self.y, &line, size);
        }
    }

    /// Column widths for `rows` at `size`: each number column as wide as its widest cell or
    /// header word; each text column at least as wide as its longest word, and the room left
    /// shared by how much more each would need to fit its text on one line.
    fn column_widths(&self, columns: &[Column], rows: &[Vec<String>], size: f32) -> Vec<f32> {
        let faces = self.faces;
        let longest_word = |text: &str, size: f32, bold: bool| {
            text.split_whitespace()
                .map(|w| faces.width(w, size, bold))
                .fold(0.0_f32, f32::max)
        };
        // (smallest, natural) per column.
        let needs: Vec<(f32, f32)> = columns
            .iter()
            .enumerate()
            .map(|(i, column)| {
                let header = longest_word(column.title, HEADER, true);
                let cells = rows.iter().filter_map(|row| row.get(i));
                let (word, whole) = cells.fold((0.0_f32, 0.0_f32), |(word, whole), cell| {
                    (
                        word.max(longest_word(cell, size, false)),
                        whole.max(faces.width(cell, size, false)),
                    )
                });
                let smallest = header.max(word) + 2.0 * PAD;
                match column.align {
                    Align::Right => (header.max(whole) + 2.0 * PAD, header.max(whole) + 2.0 * PAD),
                    Align::Left => (smallest, smallest.max(whole + 2.0 * PAD)),
                }
            })
            .collect();
        let room = self.content_width();
        let natural: f32 = needs.iter().map(|(_, n)| n).sum();
        if natural <= room {
            // Room to spare: every column grows in proportion.
            return needs
                .iter()
                .map(|(_, n)| n * room / natural.max(1.0))
                .collect();
        }
        let smallest: f32 = needs.iter().map(|(s, _)| s).sum();
        let wanted: f32 = needs.iter().map(|(s, n)| n - s).sum();
        let spare = (room - smallest).max(0.0);
        needs
            .iter()
            .map(|(s, n)| s + (n - s) / wanted.max(1.0) * spare)
            .collect()
    }

    /// A table under `title`, split across pages with its header repeated on each.
    fn table(&mut self, title: &str, columns: &[Column], rows: &[Vec<String>], size: f32) {
        let row_height = size * 1.45;
        self.heading(title);
        let widths = self.column_widths(columns, rows, size);
        self.table_header(columns, &widths);
        for (i, row) in rows.iter().enumerate() {
            // Text wraps to two lines at most; numbers never wrap.
            let cells: Vec<Vec<String>> = row
                .iter()
                .zip(columns.iter().zip(&widths))
                .map(|(cell, (column, width))| match column.align {
                    Align::Left => self
                        .faces
                        .wrap_at_most(cell, size, false, width - 2.0 * PAD, 2),
                    Align::Right => vec![cell.clone()],
                })
                .collect();
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let height = row_height * lines as f32 + 3.0;
            if self.y + height > self.bottom {
                self.new_page();
                self.heading(&format!("{title} (continued)"));
                self.table_header(columns, &widths);
            }
            if i % 2 == 1 {
                self.fill(MARGIN, self.y, self.content_width(), height, ink::STRIPE);
            }
            let mut x = MARGIN;
            for ((cell, column), width) in cells.iter().zip(columns).zip(&widths) {
                for (line_number, line) in cell.iter().enumerate() {
                    let baseline =
                        self.y + 1.5 + row_height * (line_number as f32 + 1.0) - size * 0.3;
                    match column.align {
                        Align::Left => self.text(x + PAD, baseline, line, size, false),
                        Align::Right => {
                            self.text_right(x + width - PAD, baseline, line, size, false)
                        }
                    }
                }
                x += width;
            }
            self.y += height;
        }
        self.y += 4.0;
    }

    /// The header row: titles in bold, wrapped at spaces, over a rule.
    fn table_header(&mut self, columns: &[Column], widths: &[f32]) {
        let titles: Vec<Vec<String>> = columns
            .iter()
            .zip(widths)
            .map(|(column, width)| {
                self.faces
                    .wrap(column.title, HEADER, true, width - 2.0 * PAD)
            })
            .collect();
        let lines = titles.iter().map(Vec::len).max().unwrap_or(1);
        let mut x = MARGIN;
        for ((column, width), title) in columns.iter().zip(widths).zip(&titles) {
            // Bottom-aligned, so a one-line title sits on the rule like the others.
            let first = lines - title.len();
            for (i, line) in title.iter().enumerate() {
                let baseline = self.y + ROW * (first + i + 1) as f32 - 2.0;
                match column.align {
                    Align::Left => self.text(x + PAD, baseline, line, HEADER, true),
                    Align::Right => self.text_right(x + width - PAD, baseline, line, HEADER, true),
                }
            }
            x += width;
        }
        self.y += ROW * lines as f32 + 2.0;
        let y = self.y;
        self.polyline(&[(MARGIN, y), (self.width - MARGIN, y)], 0.6, ink::RULE);
        self.y += 1.0;
    }

    /// A trend chart: gridlines with labelled ticks, a labelled time axis, a line per series
    /// (broken where a period has no value) and a legend.
    fn chart(&mut self, trend: &Trend) {
        let height = 190.0;
        self.room_for(height + 20.0);
        self.y += 14.0;
        let title = format!(
            "{} by {}",
            trend.metric.label(),
            interval_words(trend.interval)
        );
        self.text(MARGIN, self.y, &title, 9.5, true);
        // The legend, right-aligned on the title's line.
        let mut x = self.width - MARGIN;
        for (i, series) in trend.series.iter().enumerate().rev() {
            let width = self.faces.width(&series.name, SMALL, false);
            x -= width;
            self.text(x, self.y, &series.name, SMALL, false);
            x -= 16.0;
            let y = self.y - 2.5;
            self.polyline(&[(x, y), (x + 12.0, y)], 2.0, series_ink(i, trend));
            x -= 10.0;
        }
        let plot_top = self.y + 10.0;
        let plot_height = 130.0;
        let values: Vec<f64> = trend
            .series
            .iter()
            .flat_map(|s| s.points.iter().filter_map(|p| p.value))
            .collect();
        let max = values.iter().copied().fold(0.0_f64, f64::max);
        let (step, ticks) = nice_ticks(max);
        let label_width = (0..=ticks)
            .map(|t| {
                self.faces.width(
                    &tick_label(trend.metric, step * t as f64, step),
                    SMALL,
                    false,
                )
            })
            .fold(0.0_f32, f32::max);
        let left = MARGIN + label_width + 6.0;
        let right = self.width - MARGIN;
        let bottom = plot_top + plot_height;
        let top_value = step * ticks as f64;
        let y_of = |value: f64| -> f32 {
            if top_value <= 0.0 {
                bottom
            } else {
                bottom - (value / top_value) as f32 * plot_height
            }
        };
        for t in 0..=ticks {
            let value = step * t as f64;
            let y = y_of(value);
            let ink = if t == 0 { ink::MUTED } else { ink::GRID };
            self.polyline(&[(left, y), (right, y)], 0.5, ink);
            let label = tick_label(trend.metric, value, step);
            let width = self.faces.width(&label, SMALL, false);
            self.text_muted(left - 4.0 - width, y + 2.5, &label, SMALL);
        }
        self.polyline(&[(left, plot_top), (left, bottom)], 0.5, ink::MUTED);
        let points = trend.series.first().map_or(0, |s| s.points.len());
        let x_of = |i: usize| -> f32 {
            if points <= 1 {
                (left + right) / 2.0
            } else {
                left + (right - left) * i as f32 / (points - 1) as f32
            }
        };
        // About six labelled ticks on the time axis, always the first and the last period.
        if let Some(first) = trend.series.first() {
            let every = points.div_ceil(6).max(1);
            for (i, point) in first.points.iter().enumerate() {
                if i % every != 0 && i + 1 != points {
                    continue;
                }
                if i + 1 == points && i % every != 0 && i % every < every / 2 {
                    continue; // too close to the previous label
                }
                let x = x_of(i);
                self.polyline(&[(x, bottom), (x, bottom + 3.0)], 0.5, ink::MUTED);
                // Bucket labels start no earlier than the range.
                let label = short_day(point.start);
                let width = self.faces.width(&label, SMALL, false);
                let at = (x - width / 2.0).clamp(left - 10.0, right - width);
                self.text_muted(at, bottom + 11.0, &label, SMALL);
            }
        }
        for (i, series) in trend.series.iter().enumerate() {
            let thickness = if i + 1 == trend.series.len() {
                1.6
            } else {
                1.1
            };
            let mut run: Vec<(f32, f32)> = Vec::new();
            for (j, point) in series.points.iter().enumerate() {
                match point.value {
                    Some(value) => run.push((x_of(j), y_of(value))),
                    None => {
                        self.polyline(&run, thickness, series_ink(i, trend));
                        run.clear();
                    }
                }
            }
            if run.len() == 1 {
                // A single value still shows: a short tick at it.
                let (x, y) = run[0];
                run = vec![(x - 1.5, y), (x + 1.5, y)];
            }
            self.polyline(&run, thickness, series_ink(i, trend));
        }
        self.y = bottom + 24.0;
    }
}

/// The colour of series `i`: its channel's, the total's for the last.
fn series_ink(i: usize, trend: &Trend) -> (f32, f32, f32) {
    if i + 1 == trend.series.len() {
        return ink::SERIES[3];
    }
    let name = &trend.series[i].name;
    match name.as_str() {
        "Email" => ink::SERIES[0],
        "SMS" => ink::SERIES[1],
        "Push" => ink::SERIES[2],
        _ => ink::SERIES[i % 3],
    }
}

fn interval_words(interval: Interval) -> &'static str {
    match interval {
        Interval::Day => "day",
        Interval::Week => "week",
        Interval::Month => "month",
    }
}

/// "27 Nov" for a time axis.
fn short_day(day: time::Date) -> String {
    let words = day_in_words(day);
    words
        .rsplit_once(' ')
        .map_or(words.clone(), |(day_month, _)| day_month.to_owned())
}

/// A step of 1, 2 or 5 times a power of ten giving four or five gridlines up to `max`.
fn nice_ticks(max: f64) -> (f64, u32) {
    if max <= 0.0 || !max.is_finite() {
        return (1.0, 1);
    }
    let rough = max / 4.0;
    let power = 10_f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * power);
    let ticks = (max / step).ceil().max(1.0) as u32;
    (step, ticks)
}

/// A tick's label: a count with separators, a rate in percent with the decimals its step needs.
fn tick_label(metric: Metric, value: f64, step: f64) -> String {
    if metric.is_rate() {
        let decimals = if step * 100.0 >= 1.0 {
            0
        } else if step * 100.0 >= 0.1 {
            1
        } else {
            2
        };
        format!("{:.*}%", decimals, value * 100.0)
    } else {
        format::count(value.round() as i64)
    }
}

/// Which way a metric should move, for the change column.
fn better(metric: Metric) -> Better {
    match metric {
        Metric::OptOuts | Metric::OptOutRate | Metric::Bounces => Better::Lower,
        _ => Better::Higher,
    }
}

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
    let mut canvas = Canvas {
        faces,
        doc,
        used: Default::default(),
        width,
        height,
        pages: Vec::new(),
        y: 0.0,
        top: 0.0,
        bottom: height - MARGIN - 16.0,
    };
    let header = header_lines(report, faces, canvas.content_width());
    canvas.top = MARGIN + 20.0 + header.len() as f32 * 10.5 + 10.0;
    canvas.new_page();

    body(&mut canvas, report);
    // The KPI table shows every metric, so every definition is in the appendix.
    appendix(&mut canvas, Metric::ALL);

    let pages = canvas.pages.len();
    for page in 0..pages {
        decorate(&mut canvas, page, pages, &title, &header);
    }
    let Canvas {
        mut doc,
        pages: contents,
        used,
        ..
    } = canvas;
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

/// The report's sections for its view.
fn body(canvas: &mut Canvas<'_>, report: &Report) {
    let summary = &report.summary;
    let rows: Vec<Vec<String>> = Metric::ALL
        .iter()
        .map(|m| {
            vec![
                m.label().to_owned(),
                format::metric(*m, summary.current.get(*m)),
                format::metric(*m, summary.previous.get(*m)),
                format::change(summary.change(*m), better(*m)).text,
            ]
        })
        .collect();
    let columns = [
        text_column("Metric"),
        number_column("This period"),
        number_column("Previous period"),
        number_column("Change"),
    ];
    canvas.table("Key figures", &columns, &rows, BODY);
    canvas.paragraph(
        &format!(
            "This period: {} to {}. Previous period: {} to {}, the same number of days just before. \
             Changes are in percent for counts and in percentage points (pp) for rates.",
            day_in_words(summary.range.start()),
            day_in_words(summary.range.end()),
            day_in_words(summary.previous_range.start()),
            day_in_words(summary.previous_range.end()),
        ),
        SMALL,
    );
    if !report.trends.is_empty() {
        canvas.heading("Trends");
        for trend in &report.trends {
            canvas.chart(trend);
        }
    }
    if let Some(campaign) = &report.campaign {
        periods_table(canvas, campaign);
    }
    if matches!(
        report.view,
        ReportView::Overview { .. } | ReportView::Campaigns { .. }
    ) {
        campaigns_table(canvas, &report.campaigns);
    }
    if let Some(segments) = &report.segments {
        segments_tables(
            canvas,
            segments,
            matches!(report.view, ReportView::Segments),
        );
    }
}

/// The metrics of the campaign table, and of a campaign's periods.
const CAMPAIGN_METRICS: [Metric; 5] = [
    Metric::Reach,
    Metric::Impressions,
    Metric::EngagementRate,
    Metric::ConversionRate,
    Metric::OptOutRate,
];
const PERIOD_METRICS: [Metric; 8] = [
    Metric::Reach,
    Metric::Impressions,
    Metric::Engaged,
    Metric::Conversions,
    Metric::OptOuts,
    Metric::EngagementRate,
    Metric::ConversionRate,
    Metric::OptOutRate,
];

/// A column per metric, titled with its label.
fn metric_columns(metrics: &[Metric]) -> impl Iterator<Item = Column> + '_ {
    metrics.iter().map(|m| number_column(m.label()))
}

/// The cells of `metrics` as the screen shows them.
fn metric_cells<'m>(
    shown: &'m [Metric],
    metrics: &'m Metrics,
) -> impl Iterator<Item = String> + 'm {
    shown.iter().map(|m| format::metric(*m, metrics.get(*m)))
}

fn campaigns_table(canvas: &mut Canvas<'_>, campaigns: &[CampaignRow]) {
    let mut columns = vec![
        text_column("Campaign"),
        text_column("Channel"),
        text_column("Status"),
    ];
    columns.extend(metric_columns(&CAMPAIGN_METRICS));
    let rows: Vec<Vec<String>> = campaigns
        .iter()
        .map(|c| {
            let mut row = vec![
                c.campaign_name.clone(),
                c.channel.to_string(),
                c.status.to_string(),
            ];
            row.extend(metric_cells(&CAMPAIGN_METRICS, &c.metrics));
            row
        })
        .collect();
    let title = format!("Campaigns ({})", format::count(campaigns.len() as i64));
    if rows.is_empty() {
        canvas.heading(&title);
        canvas.paragraph("No campaign matches this filter.", BODY);
    } else {
        canvas.table(&title, &columns, &rows, BODY);
    }
}

fn periods_table(canvas: &mut Canvas<'_>, campaign: &CampaignMetrics) {
    let mut columns = vec![text_column("Period")];
    columns.extend(metric_columns(&PERIOD_METRICS));
    let rows: Vec<Vec<String>> = campaign
        .periods
        .iter()
        .map(|p| {
            let mut row = vec![if p.start == p.end {
                day_in_words(p.start)
            } else {
                format!("{} – {}", day_in_words(p.start), day_in_words(p.end))
            }];
            row.extend(metric_cells(&PERIOD_METRICS, &p.metrics));
            row
        })
        .collect();
    let title = format!(
        "{} by {}",
        campaign.campaign_name,
        interval_words(campaign.interval)
    );
    canvas.table(&title, &columns, &rows, BODY);
}

fn segment_cells(metrics: &SegmentMetrics) -> Vec<String> {
    let mut cells: Vec<String> = metrics
        .counts()
        .into_iter()
        .map(format::segment_count)
        .collect();
    cells.extend(
        [
            metrics.engagement_rate,
            metrics.conversion_rate,
            metrics.opt_out_rate,
        ]
        .map(format::rate),
    );
    cells
}

/// The figures of a segment row: its counts, then the rates the screen shows.
const SEGMENT_RATES: [Metric; 3] = [
    Metric::EngagementRate,
    Metric::ConversionRate,
    Metric::OptOutRate,
];

fn segment_columns() -> impl Iterator<Item = Column> {
    metric_columns(&SegmentMetrics::COUNTED).chain(metric_columns(&SEGMENT_RATES))
}

fn segments_tables(canvas: &mut Canvas<'_>, report: &SegmentReport, every_segment: bool) {
    let mut columns = vec![text_column("Dimension"), text_column("Value")];
    columns.extend(segment_columns());
    let rows: Vec<Vec<String>> = report
        .dimensions
        .iter()
        .map(|d| {
            let mut row = vec![d.dimension.clone(), d.value.clone()];
            row.extend(segment_cells(&d.metrics));
            row
        })
        .collect();
    canvas.table(
        "Member segments by dimension (counts from 1 to 10 show as <11)",
        &columns,
        &rows,
        SMALL,
    );
    if every_segment {
        let mut columns = vec![
            text_column("Age"),
            text_column("Plan"),
            text_column("Risk"),
            text_column("Region"),
        ];
        columns.extend(segment_columns());
        let rows: Vec<Vec<String>> = report
            .segments
            .iter()
            .map(|s| {
                let mut row = vec![
                    s.age_band.clone(),
                    s.plan_type.clone(),
                    s.risk_tier.clone(),
                    s.region.clone(),
                ];
                row.extend(segment_cells(&s.metrics));
                row
            })
            .collect();
        canvas.table(
            "Every member segment (counts from 1 to 10 show as <11)",
            &columns,
            &rows,
            SMALL,
        );
    }
}

/// The definition of every metric shown, and how to read the report's marks.
fn appendix(canvas: &mut Canvas<'_>, shown: &[Metric]) {
    canvas.heading("Appendix: metric definitions");
    for metric in shown {
        let lines = canvas.faces.wrap(
            metric.definition(),
            SMALL + 0.5,
            false,
            canvas.content_width() - 110.0,
        );
        canvas.room_for(ROW * lines.len() as f32 + 4.0);
        let label = format!("{} ({})", metric.label(), metric.as_str());
        let first = canvas.y + ROW - 2.0;
        let label_lines = canvas.faces.wrap(&label, SMALL + 0.5, true, 105.0);
        for (i, line) in label_lines.iter().enumerate() {
            canvas.text(MARGIN, first + i as f32 * ROW, line, SMALL + 0.5, true);
        }
        for (i, line) in lines.iter().enumerate() {
            canvas.text_muted(MARGIN + 110.0, first + i as f32 * ROW, line, SMALL + 0.5);
        }
        canvas.y += ROW * lines.len().max(label_lines.len()) as f32 + 4.0;
    }
    canvas.paragraph(
        "n/a: a rate with nothing to divide by (no message delivered). <11: a member segment count \
         from 1 to 10, never shown so that no member can be singled out; a rate that would give such \
         a count away is shown as n/a, and where one hidden count could be worked out from the \
         totals another is hidden with it. Every number is the dashboard's own, as on screen; the \
         definitions are those of docs/metrics.md.",
        SMALL + 0.5,
    );
}
