//! Tables on a report's pages: columns sized from their cells (a figure never wraps, a name
//! wraps at spaces), striped rows, and the header repeated on every page a table spans.

use super::canvas::{Canvas, ink};
use super::{HEADER, MARGIN, PAD, ROW};
use crate::export::text::Faces;

/// Left or right aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    Left,
    Right,
}

/// A table column: its title and its alignment (its width follows from its cells).
#[derive(Debug, Clone, Copy)]
pub(super) struct Column {
    pub(super) title: &'static str,
    pub(super) align: Align,
}

pub(super) const fn text_column(title: &'static str) -> Column {
    Column {
        title,
        align: Align::Left,
    }
}

pub(super) const fn number_column(title: &'static str) -> Column {
    Column {
        title,
        align: Align::Right,
    }
}

/// Column widths for `rows` at `size`, in a table `room` points wide: each number column as wide as its widest cell or
/// header word; each text column at least as wide as its longest word, and the room left
/// shared by how much more each would need to fit its text on one line.
pub(super) fn column_widths(
    faces: &Faces,
    room: f32,
    columns: &[Column],
    rows: &[Vec<String>],
    size: f32,
) -> Vec<f32> {
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

impl Canvas<'_> {
    /// A table under `title`, split across pages with its header repeated on each.
    pub(super) fn table(
        &mut self,
        title: &str,
        columns: &[Column],
        rows: &[Vec<String>],
        size: f32,
    ) {
        let row_height = size * 1.45;
        self.heading(title);
        let widths = column_widths(self.faces, self.content_width(), columns, rows, size);
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_never_wraps_and_spare_room_is_shared() {
        let faces = crate::export::text::faces().expect("the embedded fonts");
        let columns = [text_column("Campaign"), number_column("Reach")];
        let rows = vec![
            vec![
                "Flu shot reminder for the autumn".to_owned(),
                "1,234,567".to_owned(),
            ],
            vec!["Short".to_owned(), "12".to_owned()],
        ];
        let figure = faces.width("1,234,567", 8.0, false) + 2.0 * PAD;
        // Room to spare: both grow in proportion, the figure's column never below its cell.
        let wide = column_widths(faces, 500.0, &columns, &rows, 8.0);
        assert!((wide.iter().sum::<f32>() - 500.0).abs() < 0.01, "{wide:?}");
        assert!(wide[1] >= figure, "{wide:?}");
        // Too narrow: the name column gives way down to its longest word, the figure not.
        let narrow = column_widths(faces, 90.0, &columns, &rows, 8.0);
        assert!((narrow[1] - figure).abs() < 0.01, "{narrow:?}");
        let word = faces.width("reminder", 8.0, false) + 2.0 * PAD;
        assert!(narrow[0] >= word - 0.01, "{narrow:?}");
    }
}
