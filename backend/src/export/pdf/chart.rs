//! Trend charts on a report's pages: gridlines with labelled ticks at round steps, a time axis
//! with about six labels, a line per series in its channel's colour (broken where a period has
//! no value), and a legend.

use outreach_model::{Interval, Metric, Series, Trend, day_in_words, format};

use super::canvas::{Canvas, ink};
use super::{MARGIN, SMALL};

impl Canvas<'_> {
    /// A trend chart: gridlines with labelled ticks, a labelled time axis, a line per series
    /// (broken where a period has no value) and a legend.
    pub(super) fn chart(&mut self, trend: &Trend) {
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
            let width = self.faces.width(series.name.as_str(), SMALL, false);
            x -= width;
            self.text(x, self.y, series.name.as_str(), SMALL, false);
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

/// The colour of series `i`: its channel's, or the total's, from the model's one list (the
/// screen's charts draw with the same).
fn series_ink(i: usize, trend: &Trend) -> (f32, f32, f32) {
    let [r, g, b] = trend
        .series
        .get(i)
        .map_or(Series::Total, |s| s.name)
        .colour(false);
    (
        f32::from(r) / 255.0,
        f32::from(g) / 255.0,
        f32::from(b) / 255.0,
    )
}

pub(super) fn interval_words(interval: Interval) -> &'static str {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_steps_up_to_the_largest_value() {
        assert_eq!(nice_ticks(0.0), (1.0, 1));
        assert_eq!(nice_ticks(f64::NAN), (1.0, 1));
        let (step, ticks) = nice_ticks(0.037);
        assert!((step - 0.01).abs() < 1e-12 && ticks == 4, "{step} {ticks}");
        let (step, ticks) = nice_ticks(12_345.0);
        assert_eq!((step, ticks), (5_000.0, 3));
        for max in [0.0004, 0.9, 7.0, 99.0, 1e6] {
            let (step, ticks) = nice_ticks(max);
            assert!(step * f64::from(ticks) >= max, "{max}");
            assert!((1..=5).contains(&ticks), "{max}: {ticks}");
        }
    }

    #[test]
    fn tick_labels_have_the_decimals_their_step_needs() {
        assert_eq!(tick_label(Metric::OptOutRate, 0.02, 0.01), "2%");
        assert_eq!(tick_label(Metric::OptOutRate, 0.0025, 0.0005), "0.25%");
        assert_eq!(tick_label(Metric::OptOutRate, 0.004, 0.002), "0.4%");
        assert_eq!(tick_label(Metric::Reach, 25_000.0, 5_000.0), "25,000");
        assert_eq!(short_day(time::macros::date!(2026 - 11 - 27)), "27 Nov");
    }
}
