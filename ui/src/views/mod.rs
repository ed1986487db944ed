//! The views: one per file, each a struct with `Default` and a `ui` function. A page owns the
//! questions it asks ([`Query`]) and follows them only while it is on screen.

pub mod campaign;
pub mod campaigns;
pub mod chart;
pub mod export_menu;
pub mod filter_bar;
pub mod overview;
pub mod segments;
pub mod status_bar;
pub mod trend;

use crate::fetch::Query;
use crate::theme;

/// How long a question is waited for before a spinner says so: most answers come sooner, and
/// a spinner that flashes for a moment only draws frames (an animated spinner asks for every
/// frame while it shows, which a webview drawing on the CPU pays for in the answer's time).
const SPINNER_AFTER: f64 = 0.3;

/// A spinner once a question has been waited for since `since` (egui's input time) for
/// [`SPINNER_AFTER`]; until then its room, kept empty, and a frame asked for when it is due.
pub fn waiting(ui: &mut egui::Ui, since: Option<f64>) {
    let now = ui.input(|i| i.time);
    let waited = since.map_or(SPINNER_AFTER, |since| now - since);
    if waited >= SPINNER_AFTER {
        ui.spinner();
    } else {
        let side = ui.style().spacing.interact_size.y;
        ui.allocate_space(egui::vec2(side, side));
        ui.ctx()
            .request_repaint_after_secs((SPINNER_AFTER - waited) as f32);
    }
}

/// Shows a query: its answer with `show`, or its failure with a `retry` button (which asks
/// again), or a spinner before the first answer and beside an answer while the next loads
/// (once it has been waited for a moment: [`waiting`]).
pub fn answer<K: PartialEq + Clone, T>(
    ui: &mut egui::Ui,
    query: &mut Query<K, T>,
    retry: &str,
    show: impl FnOnce(&mut egui::Ui, &T),
) {
    let fetch = query.fetch();
    let loading_more = fetch.is_loading() && fetch.answer().is_some();
    let since = fetch.loading_since();
    let mut retried = false;
    match fetch.answer() {
        Some(Ok(answer)) => show(ui, answer),
        Some(Err(err)) => {
            ui.colored_label(theme::palette(ui.ctx()).bad, &err.message);
            retried = ui.button(retry).clicked();
        }
        None => waiting(ui, since),
    }
    if loading_more {
        waiting(ui, since);
    }
    if retried {
        query.retry();
    }
}

/// What a picker holds: one choice, which closes it, or several (checkboxes, a search field),
/// made while it stays open until a click outside it (or Escape).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choices {
    /// One choice.
    One,
    /// Several choices.
    Several,
}

/// A picker: its label before it ("Type: All types ▾"), then the button that opens `options`
/// (which the label names for screen readers and tests).
pub fn picker_ui(
    ui: &mut egui::Ui,
    label: &str,
    id: &str,
    selected: &str,
    choices: Choices,
    options: impl FnOnce(&mut egui::Ui),
) {
    let close = match choices {
        Choices::One => egui::PopupCloseBehavior::CloseOnClick,
        Choices::Several => egui::PopupCloseBehavior::CloseOnClickOutside,
    };
    let label = ui.label(format!("{label}:"));
    egui::ComboBox::from_id_salt(id)
        .selected_text(selected)
        .close_behavior(close)
        .show_ui(ui, options)
        .response
        .labelled_by(label.id);
}

/// Why there is nothing to show, in the muted colour.
pub fn empty(ui: &mut egui::Ui, why: &str) {
    ui.label(egui::RichText::new(why).color(theme::palette(ui.ctx()).muted));
}

/// A section's title.
pub fn section(ui: &mut egui::Ui, title: &str) {
    ui.add_space(theme::GAP);
    ui.label(
        egui::RichText::new(title)
            .size(theme::SECTION_SIZE)
            .strong(),
    );
}

/// A KPI tile: the metric's name and its figure (each with the metric's definition on hover),
/// then whatever `below` adds.
pub fn tile(
    ui: &mut egui::Ui,
    metric: outreach_model::Metric,
    figure: &str,
    below: impl FnOnce(&mut egui::Ui),
) {
    egui::Frame::new()
        .fill(theme::palette(ui.ctx()).tile)
        .inner_margin(theme::TILE_MARGIN)
        .corner_radius(6)
        .show(ui, |ui| {
            ui.set_width(theme::TILE_WIDTH);
            ui.vertical(|ui| {
                ui.label(metric.label()).on_hover_text(metric.definition());
                ui.label(egui::RichText::new(figure).size(theme::FIGURE_SIZE))
                    .on_hover_text(metric.definition());
                below(ui);
            });
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One frame at `time` of a question waited for since `since`: how soon egui was asked for
    /// the next frame.
    fn next_frame_after(time: f64, since: f64) -> std::time::Duration {
        let ctx = egui::Context::default();
        let settle = |time: f64| egui::RawInput {
            time: Some(time),
            ..Default::default()
        };
        // The first frames of a new context ask for more frames of their own.
        for warm_up in [since - 0.02, since - 0.01] {
            let mut output = ctx.run_ui(settle(warm_up), |ui| waiting(ui, Some(since)));
            output.textures_delta.clear();
        }
        let mut output = ctx.run_ui(settle(time), |ui| waiting(ui, Some(since)));
        // No painter here: the frame's font texture is dropped on purpose.
        output.textures_delta.clear();
        output.viewport_output[&egui::ViewportId::ROOT].repaint_delay
    }

    #[test]
    fn a_spinner_turns_only_once_a_question_has_waited_a_moment() {
        // Waited 0.1 s: no spinner yet, and one frame asked for when it is due (0.2 s on).
        let soon = next_frame_after(10.0, 9.9).as_secs_f64();
        assert!((0.15..=0.25).contains(&soon), "next frame after {soon} s");
        // Waited 0.5 s: the spinner turns, asking for every frame.
        assert_eq!(next_frame_after(10.0, 9.5), std::time::Duration::ZERO);
    }
}
