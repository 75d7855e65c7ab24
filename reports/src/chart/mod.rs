//! Plots, drawn with plotters once as SVG (1 px per unit) and once as PNG
//! (2 px per unit, for slides), from the same drawing code.
//!
//! Four kinds of plot cover every figure of the reports:
//! - [`HBars`]: horizontal stacked bars (energy per component, time per
//!   operator split into computing and waiting);
//! - [`BarPanels`]: vertical bars in one or more panels sharing their
//!   categories, grouped when there are several series, on a linear or
//!   logarithmic axis (time and energy per layer; energy across model
//!   sizes);
//! - [`Roofline`]: operators as points under the design's compute and
//!   bandwidth ceilings, on log-log axes;
//! - [`Scatter`]: panels of point clouds, with highlighted subsets (Pareto
//!   fronts of sweeps).
//!
//! Logarithmic axes are drawn as linear axes over log10 of the values,
//! with ticks at powers of ten labelled in plain numbers. Every plot
//! carries its title, axis titles with units, and a legend.

use crate::fonts;
use crate::format::axis as fmt_axis;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub use plotters::style::RGBColor;

/// A plot drawn as SVG and PNG.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The SVG document, `width` x `height` user units.
    pub svg: String,
    /// The PNG file, 2 x `width` by 2 x `height` pixels.
    pub png: Vec<u8>,
    /// Natural width (CSS px).
    pub width: u32,
    /// Natural height (CSS px).
    pub height: u32,
}

impl Rendered {
    /// The SVG as a standalone file.
    pub fn svg_file(&self) -> String {
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}", self.svg)
    }

    /// The SVG for inlining in an HTML page.
    pub fn inline_svg(&self) -> String {
        self.svg.replacen("<svg ", "<svg role=\"img\" ", 1)
    }
}

/// The ink of text and axes.
pub const INK: RGBColor = RGBColor(0x1d, 0x24, 0x30);
pub(super) const MUTED: RGBColor = RGBColor(0x5b, 0x64, 0x72);
pub(super) const GRID: RGBColor = RGBColor(0xe3, 0xe7, 0xee);
pub(super) const GRID_LIGHT: RGBColor = RGBColor(0xf1, 0xf3, 0xf6);

/// Parses `#rrggbb`.
pub fn hex(s: &str) -> RGBColor {
    let v = u32::from_str_radix(s.trim_start_matches('#'), 16).unwrap_or(0x808080);
    RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

/// Drawing scale: user units to pixels (1 for SVG, 2 for PNG).
#[derive(Debug, Clone, Copy)]
pub struct St {
    pub(super) k: f64,
}

impl St {
    pub(super) fn px(self, v: f64) -> i32 {
        (v * self.k).round() as i32
    }

    pub(super) fn u(self, v: f64) -> u32 {
        (v * self.k).round().max(0.0) as u32
    }

    pub(super) fn text(self, size: f64) -> TextStyle<'static> {
        TextStyle::from((fonts::FAMILY, size * self.k).into_font()).color(&INK)
    }

    pub(super) fn muted(self, size: f64) -> TextStyle<'static> {
        TextStyle::from((fonts::FAMILY, size * self.k).into_font()).color(&MUTED)
    }

    pub(super) fn bold(self, size: f64) -> TextStyle<'static> {
        TextStyle::from((fonts::FAMILY, size * self.k, FontStyle::Bold).into_font()).color(&INK)
    }
}

/// Width of `text` at `size` user units (measured with the embedded font).
pub fn text_width(text: &str, size: f64) -> f64 {
    fonts::init();
    let f: FontDesc = (fonts::FAMILY, size).into();
    f.box_size(text)
        .map(|(w, _)| f64::from(w))
        .unwrap_or(text.chars().count() as f64 * size * 0.6)
}

/// Width of every chart, in user units.
pub(super) const WIDTH: f64 = 960.0;

pub(super) type Res<T = ()> = Result<T, String>;

pub(super) fn ck<T, E: std::fmt::Display>(r: Result<T, E>) -> Res<T> {
    r.map_err(|e| e.to_string())
}

/// Something that can be drawn.
pub trait Chart {
    /// Natural size in user units (CSS px).
    fn size(&self) -> (u32, u32);
    /// Draws on `root` (already filled white) at scale `st`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, st: St) -> Res;
}

/// Draws `c` as SVG and as a PNG at twice the size.
pub fn render<C: Chart>(c: &C) -> Res<Rendered> {
    fonts::init();
    let (w, h) = c.size();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        ck(root.fill(&WHITE))?;
        c.draw(&root, St { k: 1.0 })?;
        ck(root.present())?;
    }
    let svg = svg.replace(
        &format!("font-family=\"{}\"", fonts::FAMILY),
        &format!("font-family=\"{}\"", fonts::CSS_FAMILY),
    );
    let (pw, ph) = (w * 2, h * 2);
    let mut buf = vec![255u8; (pw * ph * 3) as usize];
    {
        let root =
            crate::raster::Png(BitMapBackend::with_buffer(&mut buf, (pw, ph))).into_drawing_area();
        ck(root.fill(&WHITE))?;
        c.draw(&root, St { k: 2.0 })?;
        ck(root.present())?;
    }
    Ok(Rendered {
        svg,
        png: encode_png(&buf, pw, ph)?,
        width: w,
        height: h,
    })
}

pub(super) fn encode_png(rgb: &[u8], w: u32, h: u32) -> Res<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Best);
        let mut wr = ck(enc.write_header())?;
        ck(wr.write_image_data(rgb))?;
    }
    Ok(out)
}

mod axis;
mod frame;
mod hbars;
mod legend;
mod panels;
mod roofline;
mod scatter;

use axis::*;
use frame::*;
use legend::*;

pub use hbars::{HBars, Series};
pub use legend::{LegendItem, Swatch};
pub use panels::{BarPanel, BarPanels};
pub use roofline::{RoofGroup, Roofline};
pub use scatter::{PointLayer, Scatter, ScatterPanel};
