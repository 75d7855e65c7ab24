//! The font of every plot and report page: DejaVu Sans, subset to Latin,
//! Greek and a few symbols, embedded in the binary (reports/assets/, with
//! its license). PNG plots are rasterized with it, so they look the same on
//! any machine; HTML pages embed it as a data URL, so they need no
//! installed font; standalone SVG files name it first and fall back to the
//! viewer's sans-serif fonts.

use base64::Engine;
use plotters::style::FontStyle;
use std::sync::Once;

/// The family name plots are drawn with (the font's own name).
pub const FAMILY: &str = "DejaVu Sans";

/// The regular face (TrueType).
pub const REGULAR: &[u8] = include_bytes!("../assets/DejaVuSans-subset.ttf");

/// The bold face (TrueType).
pub const BOLD: &[u8] = include_bytes!("../assets/DejaVuSans-Bold-subset.ttf");

/// The CSS `font-family` list of standalone SVG files and pages.
pub const CSS_FAMILY: &str = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', Arial, sans-serif";

/// Registers the faces with plotters once per process; every drawing
/// function calls it first.
pub fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The embedded files are valid fonts (a unit test loads them).
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, REGULAR);
        let _ = plotters::style::register_font(FAMILY, FontStyle::Bold, BOLD);
    });
}

/// `@font-face` rules that embed both faces in a page's CSS.
pub fn css_font_faces() -> String {
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    format!(
        "@font-face {{ font-family: '{FAMILY}'; font-weight: normal; src: url(data:font/ttf;base64,{}) format('truetype'); }}\n\
         @font-face {{ font-family: '{FAMILY}'; font-weight: bold; src: url(data:font/ttf;base64,{}) format('truetype'); }}\n",
        b64(REGULAR),
        b64(BOLD)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_faces_load() {
        for f in [REGULAR, BOLD] {
            assert!(plotters::style::register_font("onebit-test", FontStyle::Normal, f).is_ok());
        }
        assert!(css_font_faces().contains("data:font/ttf;base64,AAEAAA"));
    }
}
