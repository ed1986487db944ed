//! Colours, spacing and type, in one place: light and dark tokens, applied to egui's own
//! `Style` (links, selections, fields, panels, stripes, warnings and errors), so egui's widgets
//! follow them as the views' own drawing does. The channels' colours come from the model's one
//! list (`Series::colour`), which the PDF reports use too. No view writes a colour of its own.

use egui::Color32;
use outreach_model::Series;

/// The colours of one theme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    /// Body text.
    pub text: Color32,
    /// Secondary text: captions, "as of" lines.
    pub muted: Color32,
    /// A change that is good news.
    pub good: Color32,
    /// A change that is bad news, and errors.
    pub bad: Color32,
    /// Warnings.
    pub warn: Color32,
    /// Links, selections, a funnel's bars, a sparkline.
    pub accent: Color32,
    /// Behind the pages.
    pub background: Color32,
    /// Behind a KPI tile, a menu, a window.
    pub tile: Color32,
    /// Every other row of a table.
    pub stripe: Color32,
    /// Behind a text field and a plot.
    pub field: Color32,
}

const LIGHT: Palette = Palette {
    text: Color32::from_rgb(0x1f, 0x23, 0x28),
    muted: Color32::from_rgb(0x5f, 0x63, 0x68),
    good: Color32::from_rgb(0x1b, 0x7f, 0x3b),
    bad: Color32::from_rgb(0xb4, 0x23, 0x18),
    warn: Color32::from_rgb(0x9a, 0x5b, 0x00),
    accent: Color32::from_rgb(0x1f, 0x5f, 0xbf),
    background: Color32::from_rgb(0xfb, 0xfb, 0xfc),
    tile: Color32::from_rgb(0xf0, 0xf2, 0xf5),
    stripe: Color32::from_rgb(0xf3, 0xf5, 0xf8),
    field: Color32::from_rgb(0xff, 0xff, 0xff),
};

const DARK: Palette = Palette {
    text: Color32::from_rgb(0xe3, 0xe5, 0xe8),
    muted: Color32::from_rgb(0xa0, 0xa4, 0xaa),
    good: Color32::from_rgb(0x5c, 0xc9, 0x7b),
    bad: Color32::from_rgb(0xf2, 0x8b, 0x82),
    warn: Color32::from_rgb(0xe6, 0xb4, 0x5c),
    accent: Color32::from_rgb(0x7a, 0xb0, 0xff),
    background: Color32::from_rgb(0x1b, 0x1d, 0x21),
    tile: Color32::from_rgb(0x26, 0x29, 0x2e),
    stripe: Color32::from_rgb(0x22, 0x25, 0x2a),
    field: Color32::from_rgb(0x13, 0x15, 0x18),
};

/// The palette of `theme`.
pub const fn palette_of(theme: egui::Theme) -> Palette {
    match theme {
        egui::Theme::Dark => DARK,
        egui::Theme::Light => LIGHT,
    }
}

/// The palette for the current visuals.
pub fn palette(ctx: &egui::Context) -> Palette {
    palette_of(ctx.theme())
}

/// The colour of a chart's series (a channel, or the total) in the current visuals: the same
/// colour-blind-safe list as the PDF reports'.
pub fn series_colour(ctx: &egui::Context, series: Series) -> Color32 {
    let [r, g, b] = series.colour(ctx.theme() == egui::Theme::Dark);
    Color32::from_rgb(r, g, b)
}

/// Applies the tokens of both themes to egui's styles, so its own widgets follow them.
pub fn apply(ctx: &egui::Context) {
    for theme in [egui::Theme::Light, egui::Theme::Dark] {
        let palette = palette_of(theme);
        ctx.style_mut_of(theme, |style| {
            let visuals = &mut style.visuals;
            visuals.hyperlink_color = palette.accent;
            visuals.selection.bg_fill = palette.accent.gamma_multiply(0.35);
            visuals.selection.stroke.color = palette.accent;
            visuals.error_fg_color = palette.bad;
            visuals.warn_fg_color = palette.warn;
            visuals.faint_bg_color = palette.stripe;
            visuals.extreme_bg_color = palette.field;
            visuals.text_edit_bg_color = Some(palette.field);
            visuals.panel_fill = palette.background;
            visuals.window_fill = palette.tile;
            visuals.widgets.noninteractive.fg_stroke.color = palette.text;
            visuals.widgets.active.bg_stroke.color = palette.accent;
            visuals.widgets.hovered.bg_stroke.color = palette.accent.gamma_multiply(0.6);
            style.spacing.item_spacing = egui::vec2(8.0, 6.0);
            style.spacing.button_padding = egui::vec2(6.0, 3.0);
        });
    }
}

/// The space between blocks of a page, in points.
pub const GAP: f32 = 12.0;
/// The inner margin of a tile, in points.
pub const TILE_MARGIN: i8 = 10;
/// The width of a KPI tile, in points.
pub const TILE_WIDTH: f32 = 180.0;
/// The size of a KPI's figure, in points.
pub const FIGURE_SIZE: f32 = 24.0;
/// The size of a section's title, in points.
pub const SECTION_SIZE: f32 = 17.0;
/// The height of a sparkline under a KPI's figure, in points.
pub const SPARKLINE_HEIGHT: f32 = 28.0;
/// The height of a chart, in points.
pub const CHART_HEIGHT: f32 = 260.0;
/// The height of a table's row, in points.
pub const ROW_HEIGHT: f32 = 22.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn egui_s_own_widgets_follow_the_tokens() {
        let ctx = egui::Context::default();
        apply(&ctx);
        for theme in [egui::Theme::Light, egui::Theme::Dark] {
            ctx.set_theme(theme);
            let visuals = ctx.style_of(theme).visuals.clone();
            let palette = palette_of(theme);
            assert_eq!(visuals.hyperlink_color, palette.accent);
            assert_eq!(visuals.error_fg_color, palette.bad);
            assert_eq!(visuals.panel_fill, palette.background);
            assert_eq!(visuals.widgets.noninteractive.fg_stroke.color, palette.text);
        }
    }

    #[test]
    fn each_channel_has_its_own_colour_in_both_themes() {
        let ctx = egui::Context::default();
        for theme in [egui::Theme::Light, egui::Theme::Dark] {
            ctx.set_theme(theme);
            let colours: Vec<Color32> = Series::all().map(|s| series_colour(&ctx, s)).collect();
            for (i, a) in colours.iter().enumerate() {
                for b in &colours[i + 1..] {
                    assert_ne!(a, b, "{theme:?}");
                }
                assert_ne!(*a, palette_of(theme).background, "{theme:?}");
            }
        }
    }
}
