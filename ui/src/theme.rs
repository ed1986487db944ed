//! Colours and spacing, in one place: light and dark tokens, chosen from egui's visuals (which
//! follow the OS setting by default).

use egui::Color32;

/// The colours the views use beyond egui's own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    /// A change that is good news.
    pub good: Color32,
    /// A change that is bad news.
    pub bad: Color32,
    /// Secondary text: captions, "as of" lines.
    pub muted: Color32,
    /// Behind a KPI tile.
    pub tile: Color32,
    /// A sparkline, a funnel's bars, a bar chart's bars.
    pub accent: Color32,
}

const LIGHT: Palette = Palette {
    good: Color32::from_rgb(0x1b, 0x7f, 0x3b),
    bad: Color32::from_rgb(0xb4, 0x23, 0x18),
    muted: Color32::from_rgb(0x5f, 0x63, 0x68),
    tile: Color32::from_rgb(0xf3, 0xf5, 0xf8),
    accent: Color32::from_rgb(0x1f, 0x5f, 0xbf),
};

const DARK: Palette = Palette {
    good: Color32::from_rgb(0x5c, 0xc9, 0x7b),
    bad: Color32::from_rgb(0xf2, 0x8b, 0x82),
    muted: Color32::from_rgb(0xa0, 0xa4, 0xaa),
    tile: Color32::from_rgb(0x26, 0x29, 0x2e),
    accent: Color32::from_rgb(0x7a, 0xb0, 0xff),
};

/// The palette for the current visuals.
pub fn palette(ctx: &egui::Context) -> Palette {
    if ctx.theme() == egui::Theme::Dark {
        DARK
    } else {
        LIGHT
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
