//! The report's fonts (assets/fonts, embedded in the binary and, subset, in every PDF) and text
//! measured in them: Noto Sans for Latin (with Vietnamese), Greek and Cyrillic; for a character
//! Noto Sans lacks, Droid Sans Fallback (Chinese, Japanese), then Nanum Gothic (Korean). A
//! character none has (an emoji) prints as Noto Sans's visible "missing" box.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile};
use printpdf::ParsedFont;

static NOTO_REGULAR: &[u8] = include_bytes!("../../../assets/fonts/NotoSans-Regular.ttf");
static NOTO_BOLD: &[u8] = include_bytes!("../../../assets/fonts/NotoSans-Bold.ttf");
static FALLBACK: &[u8] = include_bytes!("../../../assets/fonts/DroidSansFallbackFull.ttf");
static KOREAN: &[u8] = include_bytes!("../../../assets/fonts/NanumGothic.ttf");

/// Which font a run of text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// Noto Sans.
    Regular,
    /// Noto Sans Bold.
    Bold,
    /// Droid Sans Fallback (Chinese, Japanese), regular weight only.
    Fallback,
    /// Nanum Gothic (Korean), regular weight only.
    Korean,
}

/// The parsed fonts, read once per process.
#[derive(Debug)]
pub struct Faces {
    /// Noto Sans.
    pub regular: ParsedFont,
    /// Noto Sans Bold.
    pub bold: ParsedFont,
    /// Droid Sans Fallback.
    pub fallback: ParsedFont,
    /// Nanum Gothic.
    pub korean: ParsedFont,
}

/// The fonts, parsed on first use; `None` only if a built-in font file is damaged.
pub fn faces() -> Option<&'static Faces> {
    static FACES: OnceLock<Option<Faces>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            let parse = |bytes| ParsedFont::from_bytes(bytes, 0, &mut Vec::new());
            Some(Faces {
                regular: parse(NOTO_REGULAR)?,
                bold: parse(NOTO_BOLD)?,
                fallback: parse(FALLBACK)?,
                korean: parse(KOREAN)?,
            })
        })
        .as_ref()
}

impl Face {
    /// Every face.
    pub const ALL: [Face; 4] = [Face::Regular, Face::Bold, Face::Fallback, Face::Korean];

    /// The font's PostScript name, as PDF readers list it.
    pub const fn name(self) -> &'static str {
        match self {
            Face::Regular => "NotoSans-Regular",
            Face::Bold => "NotoSans-Bold",
            Face::Fallback => "DroidSansFallbackFull",
            Face::Korean => "NanumGothic",
        }
    }

    fn bytes(self) -> &'static [u8] {
        match self {
            Face::Regular => NOTO_REGULAR,
            Face::Bold => NOTO_BOLD,
            Face::Fallback => FALLBACK,
            Face::Korean => KOREAN,
        }
    }
}

impl Faces {
    /// `face` cut down to the glyphs of `chars` (and the missing-glyph box), named by its
    /// PostScript name: a report embeds tens of kilobytes, not the 4 MB of the CJK font. The
    /// whole font when it cannot be cut.
    pub fn subset(&self, face: Face, chars: &BTreeSet<char>) -> ParsedFont {
        let font = self.font(face);
        let mut glyphs: Vec<u16> = chars
            .iter()
            .filter_map(|c| font.lookup_glyph_index(*c as u32))
            .collect();
        glyphs.sort_unstable();
        glyphs.dedup();
        glyphs.retain(|g| *g != 0);
        glyphs.insert(0, 0);
        let cut = ReadScope::new(face.bytes())
            .read::<FontData<'_>>()
            .ok()
            .and_then(|data| data.table_provider(0).ok())
            .and_then(|provider| {
                allsorts::subset::subset(
                    &provider,
                    &glyphs,
                    &SubsetProfile::Minimal,
                    CmapTarget::Unrestricted,
                )
                .ok()
            })
            .and_then(|bytes| ParsedFont::from_bytes(&bytes, 0, &mut Vec::new()));
        let mut parsed = cut.unwrap_or_else(|| font.clone());
        parsed.font_name = Some(face.name().to_owned());
        parsed
    }

    /// The parsed font of `face`.
    pub fn font(&self, face: Face) -> &ParsedFont {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
            Face::Fallback => &self.fallback,
            Face::Korean => &self.korean,
        }
    }

    /// The face `c` is set in: Noto Sans when it has the character, else the fallback when it
    /// has it, else Noto Sans (its missing-glyph box).
    pub fn face_of(&self, c: char, bold: bool) -> Face {
        let primary = if bold { Face::Bold } else { Face::Regular };
        if c.is_control() || self.font(primary).lookup_glyph_index(c as u32).is_some() {
            primary
        } else if self.fallback.lookup_glyph_index(c as u32).is_some() {
            Face::Fallback
        } else if self.korean.lookup_glyph_index(c as u32).is_some() {
            Face::Korean
        } else {
            primary
        }
    }

    /// The advance of `c` in `face`, in ems.
    fn advance(&self, face: Face, c: char) -> f32 {
        let font = self.font(face);
        let glyph = font.lookup_glyph_index(c as u32).unwrap_or(0);
        let units = font.get_glyph_width(glyph).unwrap_or(0);
        f32::from(units) / f32::from(font.units_per_em.max(1))
    }

    /// `text` cut into runs of one face each, with each run's width in ems.
    pub fn runs(&self, text: &str, bold: bool) -> Vec<(Face, String, f32)> {
        let mut runs: Vec<(Face, String, f32)> = Vec::new();
        for c in text.chars() {
            let face = self.face_of(c, bold);
            let advance = self.advance(face, c);
            match runs.last_mut() {
                Some((last, run, width)) if *last == face => {
                    run.push(c);
                    *width += advance;
                }
                _ => runs.push((face, c.to_string(), advance)),
            }
        }
        runs
    }

    /// The width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        text.chars()
            .map(|c| self.advance(self.face_of(c, bold), c))
            .sum::<f32>()
            * size
    }

    /// `text` in lines no wider than `width` points: broken between words, and inside a word
    /// only when the word alone is wider (as in Chinese or Japanese, written without spaces).
    pub fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ') {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for c in word.chars() {
                    let mut longer = line.clone();
                    longer.push(c);
                    if !line.is_empty() && self.width(&longer, size, bold) > width {
                        lines.push(std::mem::replace(&mut line, c.to_string()));
                    } else {
                        line = longer;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }

    /// `text` in at most `max_lines` lines of `width` points, the last ending in "…" when text
    /// had to be left out.
    pub fn wrap_at_most(
        &self,
        text: &str,
        size: f32,
        bold: bool,
        width: f32,
        max_lines: usize,
    ) -> Vec<String> {
        let mut lines = self.wrap(text, size, bold, width);
        if lines.len() > max_lines {
            lines.truncate(max_lines);
            if let Some(last) = lines.last_mut() {
                while !last.is_empty() && self.width(&format!("{last}…"), size, bold) > width {
                    last.pop();
                }
                last.push('…');
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_script_finds_a_font_and_text_wraps_within_its_width() {
        let faces = faces().expect("the built-in fonts parse");
        assert_eq!(faces.face_of('A', false), Face::Regular);
        assert_eq!(faces.face_of('Ж', true), Face::Bold);
        assert_eq!(faces.face_of('流', false), Face::Fallback);
        assert_eq!(faces.face_of('한', false), Face::Korean);
        assert_eq!(faces.face_of('ệ', false), Face::Regular, "Vietnamese");
        let runs = faces.runs("Flu 流感疫苗 shot", false);
        let faces_of_runs: Vec<Face> = runs.iter().map(|(face, _, _)| *face).collect();
        assert_eq!(
            faces_of_runs,
            [Face::Regular, Face::Fallback, Face::Regular]
        );

        let text = "Medication adherence reminders for members with diabetes, 流感疫苗接种提醒流感疫苗接种提醒";
        let lines = faces.wrap(text, 8.0, false, 80.0);
        assert!(lines.len() > 2, "{lines:?}");
        for line in &lines {
            assert!(faces.width(line, 8.0, false) <= 80.0, "{line:?}");
        }
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
        let two = faces.wrap_at_most(text, 8.0, false, 80.0, 2);
        assert_eq!(two.len(), 2);
        assert!(two[1].ends_with('…'));
    }
}
