//! Charts shared by the pages: lines over days (egui_plot, decimated to the plot's width),
//! sparklines, and horizontal bars.

use time::Date;

use crate::format;
use crate::theme;

/// One line of a chart over days: its name (the legend's entry), its colour and its points, in
/// day order.
#[derive(Debug, Clone, PartialEq)]
pub struct DayLine {
    /// The legend's entry.
    pub name: String,
    /// The channel (or total) it sums, whose colour it takes; none: the accent colour.
    pub series: Option<outreach_model::Series>,
    /// (first day of the interval, value); a point without a value is left out of the line.
    pub points: Vec<(Date, Option<f64>)>,
}

/// Keeps at most two points per pixel column: the lowest and the highest, in their order. A line
/// drawn through them looks the same as one drawn through every point, at any zoom that shows
/// the whole series. `points` are in x order; fewer than two per column come back unchanged.
pub fn decimate(points: &[[f64; 2]], columns: usize) -> Vec<[f64; 2]> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Vec::new();
    };
    if columns == 0 || points.len() <= 2 * columns {
        return points.to_vec();
    }
    let span = last[0] - first[0];
    let column_of = |x: f64| {
        if span > 0.0 {
            // In [0, columns): the last point falls in the last column.
            (((x - first[0]) / span * columns as f64) as usize).min(columns - 1)
        } else {
            0
        }
    };
    let mut kept = Vec::with_capacity(2 * columns);
    let mut start = 0;
    while start < points.len() {
        let column = column_of(points[start][0]);
        let mut end = start;
        let (mut low, mut high) = (start, start);
        while end < points.len() && column_of(points[end][0]) == column {
            if points[end][1] < points[low][1] {
                low = end;
            }
            if points[end][1] > points[high][1] {
                high = end;
            }
            end += 1;
        }
        kept.push(points[low.min(high)]);
        if low != high {
            kept.push(points[low.max(high)]);
        }
        start = end;
    }
    kept
}

/// A line chart over days: x is days since the first point, y the value (rates in percent);
/// a legend, hover values, zoom, pan, and a double click to reset.
pub fn day_chart(ui: &mut egui::Ui, id: &str, lines: &[DayLine], rate: bool) {
    let first = lines
        .iter()
        .filter_map(|line| line.points.first())
        .map(|(day, _)| *day)
        .min();
    let Some(first) = first else {
        super::empty(ui, "No days in the range.");
        return;
    };
    let scale = if rate { 100.0 } else { 1.0 };
    let columns = ui.available_width().max(1.0) as usize;
    let value_text = move |value: f64| {
        if rate {
            format!("{value:.1}%")
        } else {
            format::count(value.round() as i64)
        }
    };
    egui_plot::Plot::new(id)
        .height(theme::CHART_HEIGHT)
        .legend(egui_plot::Legend::default())
        .x_axis_formatter(move |mark, _| {
            (first + time::Duration::days(mark.value.round() as i64)).to_string()
        })
        .y_axis_formatter(move |mark, _| value_text(mark.value))
        .label_formatter(move |hover| match hover {
            // Exact values at the point nearest the pointer; nothing elsewhere.
            egui_plot::HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } => {
                let day = first + time::Duration::days(position.x.round() as i64);
                Some(format!("{plot_name}\n{day}\n{}", value_text(position.y)))
            }
            egui_plot::HoverPosition::Elsewhere { .. } => None,
        })
        .show(ui, |plot| {
            for line in lines {
                let points: Vec<[f64; 2]> = line
                    .points
                    .iter()
                    .filter_map(|(day, value)| {
                        let x = (*day - first).whole_days() as f64;
                        value.map(|v| [x, v * scale])
                    })
                    .collect();
                let colour = match line.series {
                    Some(series) => theme::series_colour(plot.ctx(), series),
                    None => theme::palette(plot.ctx()).accent,
                };
                plot.line(
                    egui_plot::Line::new(line.name.clone(), decimate(&points, columns))
                        .color(colour),
                );
            }
        });
}

/// A small line of `values` (oldest first) in the accent colour, as wide as the space given.
pub fn sparkline(ui: &mut egui::Ui, values: &[f64]) {
    let size = egui::vec2(ui.available_width(), theme::SPARKLINE_HEIGHT);
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    let (low, high) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), v| {
            (low.min(*v), high.max(*v))
        });
    if values.len() < 2 || !low.is_finite() {
        return;
    }
    let span = if high > low { high - low } else { 1.0 };
    let step = rect.width() / (values.len() - 1) as f32;
    let points: Vec<egui::Pos2> = decimate(
        &values
            .iter()
            .enumerate()
            .map(|(i, v)| [i as f64, *v])
            .collect::<Vec<_>>(),
        rect.width() as usize,
    )
    .into_iter()
    .map(|[x, v]| {
        egui::pos2(
            rect.left() + x as f32 * step,
            rect.bottom() - ((v - low) / span) as f32 * rect.height(),
        )
    })
    .collect();
    let colour = theme::palette(ui.ctx()).accent;
    ui.painter()
        .add(egui::Shape::line(points, egui::Stroke::new(1.5, colour)));
}

/// A horizontal bar `fraction` (0 to 1) of the space given long, in the accent colour.
pub fn bar(ui: &mut egui::Ui, fraction: f64, width: f32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(width, 14.0), egui::Sense::hover());
    let mut filled = rect;
    filled.set_width(rect.width() * fraction.clamp(0.0, 1.0) as f32);
    let palette = theme::palette(ui.ctx());
    ui.painter().rect_filled(rect, 2.0, palette.tile);
    ui.painter().rect_filled(filled, 2.0, palette.accent);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_keeps_each_columns_extremes_in_order() {
        // 1,000 points of a sawtooth over 10 columns: each column keeps its low and its high.
        let points: Vec<[f64; 2]> = (0..1_000)
            .map(|i| [f64::from(i), f64::from(i % 7)])
            .collect();
        let kept = decimate(&points, 10);
        assert_eq!(kept.len(), 20);
        assert!(kept.windows(2).all(|w| w[0][0] < w[1][0]), "in x order");
        for column in kept.chunks(2) {
            let mut values = [column[0][1], column[1][1]];
            values.sort_by(f64::total_cmp);
            assert_eq!(values, [0.0, 6.0]);
        }
        // The first and last points of a monotone series survive.
        let rising: Vec<[f64; 2]> = (0..100).map(|i| [f64::from(i), f64::from(i)]).collect();
        let kept = decimate(&rising, 5);
        assert_eq!(kept.first(), Some(&[0.0, 0.0]));
        assert_eq!(kept.last(), Some(&[99.0, 99.0]));
    }

    #[test]
    fn short_series_pass_unchanged() {
        let points = [[0.0, 1.0], [1.0, 5.0], [2.0, 3.0]];
        assert_eq!(decimate(&points, 2), points.to_vec());
        assert_eq!(decimate(&points, 0), points.to_vec());
        assert!(decimate(&[], 10).is_empty());
        // One x for every point: one column.
        let same_day = [[4.0, 1.0], [4.0, 9.0], [4.0, 5.0], [4.0, 2.0], [4.0, 0.0]];
        assert_eq!(decimate(&same_day, 1), vec![[4.0, 9.0], [4.0, 0.0]]);
    }
}
