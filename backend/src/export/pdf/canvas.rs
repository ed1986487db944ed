//! The layout engine of a report: pages of drawing operations, with y running down from the
//! top of the page, text set in the embedded faces (each character noted, so the fonts can be
//! cut down to them), lines and fills, and the flow of blocks down a page onto the next.

use std::collections::BTreeSet;

use printpdf::{
    Color, FontId, Line, LinePoint, Op, PaintMode, PdfDocument, PdfFontHandle, Point, Pt, Rect,
    Rgb, TextItem, TextMatrix,
};

use super::{MARGIN, ROW};
use crate::export::text::{Face, Faces};

/// Colours of the report (print-friendly: dark text, light rules).
pub(super) mod ink {
    pub const TEXT: (f32, f32, f32) = (0.10, 0.10, 0.12);
    pub const MUTED: (f32, f32, f32) = (0.38, 0.40, 0.44);
    pub const RULE: (f32, f32, f32) = (0.78, 0.80, 0.83);
    pub const GRID: (f32, f32, f32) = (0.90, 0.91, 0.93);
    pub const STRIPE: (f32, f32, f32) = (0.955, 0.96, 0.97);
}

pub(super) fn colour((r, g, b): (f32, f32, f32)) -> Color {
    Color::Rgb(Rgb {
        r,
        g,
        b,
        icc_profile: None,
    })
}

/// The id a face has in every report.
pub(super) fn font_id(face: Face) -> FontId {
    FontId(face.name().to_owned())
}

/// Pages being drawn; y runs down from the top of the page.
pub(super) struct Canvas<'f> {
    pub(super) faces: &'f Faces,
    pub(super) doc: PdfDocument,
    /// The characters set in each face (`Face::ALL` order): the fonts are subset to them.
    pub(super) used: [BTreeSet<char>; 4],
    pub(super) width: f32,
    pub(super) height: f32,
    pub(super) pages: Vec<Vec<Op>>,
    /// Where the next block goes.
    pub(super) y: f32,
    /// Where content starts on a page (below the header).
    pub(super) top: f32,
    /// Where content must end on a page (above the footer).
    pub(super) bottom: f32,
}

impl<'f> Canvas<'f> {
    /// A canvas of `width` by `height` points, drawing into `doc`.
    pub(super) fn new(faces: &'f Faces, doc: PdfDocument, width: f32, height: f32) -> Self {
        Canvas {
            faces,
            doc,
            used: Default::default(),
            width,
            height,
            pages: Vec::new(),
            y: 0.0,
            top: 0.0,
            bottom: height - MARGIN - 16.0,
        }
    }

    /// The document, each page's operations, and the characters set in each face.
    pub(super) fn finish(self) -> (PdfDocument, Vec<Vec<Op>>, [BTreeSet<char>; 4]) {
        (self.doc, self.pages, self.used)
    }

    pub(super) fn content_width(&self) -> f32 {
        self.width - 2.0 * MARGIN
    }

    pub(super) fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// `text` with its baseline at `baseline`, starting at `x`, on page `page`.
    #[allow(clippy::too_many_arguments)] // one drawing call; a struct would only rename them
    pub(super) fn text_on(
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

    pub(super) fn text(&mut self, x: f32, baseline: f32, text: &str, size: f32, bold: bool) {
        self.ops();
        let page = self.pages.len() - 1;
        self.text_on(page, x, baseline, text, size, bold, ink::TEXT);
    }

    pub(super) fn text_muted(&mut self, x: f32, baseline: f32, text: &str, size: f32) {
        self.ops();
        let page = self.pages.len() - 1;
        self.text_on(page, x, baseline, text, size, false, ink::MUTED);
    }

    pub(super) fn text_right(
        &mut self,
        right: f32,
        baseline: f32,
        text: &str,
        size: f32,
        bold: bool,
    ) {
        let width = self.faces.width(text, size, bold);
        self.text(right - width, baseline, text, size, bold);
    }

    pub(super) fn polyline(&mut self, points: &[(f32, f32)], thickness: f32, ink: (f32, f32, f32)) {
        self.ops();
        let page = self.pages.len() - 1;
        self.polyline_on(page, points, thickness, ink);
    }

    /// A line through `points` (y down from the top) on page `page`.
    pub(super) fn polyline_on(
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

    pub(super) fn fill(&mut self, x: f32, y: f32, width: f32, height: f32, ink: (f32, f32, f32)) {
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

    pub(super) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.top;
    }

    /// Starts a new page unless `height` more fits on this one.
    pub(super) fn room_for(&mut self, height: f32) {
        if self.pages.is_empty() || self.y + height > self.bottom {
            self.new_page();
        }
    }

    pub(super) fn heading(&mut self, text: &str) {
        // A heading never ends a page: it keeps a few rows of what follows with it.
        self.room_for(22.0 + 4.0 * ROW);
        self.y += 16.0;
        self.text(MARGIN, self.y, text, 11.0, true);
        self.y += 8.0;
    }

    pub(super) fn paragraph(&mut self, text: &str, size: f32) {
        let lines = self.faces.wrap(text, size, false, self.content_width());
        for line in lines {
            self.room_for(size * 1.45);
            self.y += size * 1.45;
            self.text_muted(MARGIN, self.y, &line, size);
        }
    }
}
