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
const MUTED: RGBColor = RGBColor(0x5b, 0x64, 0x72);
const GRID: RGBColor = RGBColor(0xe3, 0xe7, 0xee);
const GRID_LIGHT: RGBColor = RGBColor(0xf1, 0xf3, 0xf6);

/// Parses `#rrggbb`.
pub fn hex(s: &str) -> RGBColor {
    let v = u32::from_str_radix(s.trim_start_matches('#'), 16).unwrap_or(0x808080);
    RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

/// Drawing scale: user units to pixels (1 for SVG, 2 for PNG).
#[derive(Debug, Clone, Copy)]
pub struct St {
    k: f64,
}

impl St {
    fn px(self, v: f64) -> i32 {
        (v * self.k).round() as i32
    }

    fn u(self, v: f64) -> u32 {
        (v * self.k).round().max(0.0) as u32
    }

    fn text(self, size: f64) -> TextStyle<'static> {
        TextStyle::from((fonts::FAMILY, size * self.k).into_font()).color(&INK)
    }

    fn muted(self, size: f64) -> TextStyle<'static> {
        TextStyle::from((fonts::FAMILY, size * self.k).into_font()).color(&MUTED)
    }

    fn bold(self, size: f64) -> TextStyle<'static> {
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

type Res<T = ()> = Result<T, String>;

fn ck<T, E: std::fmt::Display>(r: Result<T, E>) -> Res<T> {
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

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Res<Vec<u8>> {
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

// ------------------------------------------------------------------ axes

/// One axis: its range (in log10 units when `log`), ticks and title.
#[derive(Debug, Clone)]
struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
    ticks: Vec<f64>,
    light: Vec<f64>,
    desc: String,
}

fn nice_step(span: f64, n: f64) -> f64 {
    let raw = (span / n).max(f64::MIN_POSITIVE);
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let k = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    k * p
}

impl Axis {
    /// A linear axis from `lo` to at least `hi` (rounded up to a tick).
    fn linear(lo: f64, hi: f64, desc: &str) -> Axis {
        let hi = if hi <= lo { lo + 1.0 } else { hi };
        let step = nice_step(hi - lo, 5.0);
        let hi = (hi / step).ceil() * step;
        let mut ticks = Vec::new();
        let mut t = (lo / step).ceil() * step;
        while t <= hi + step * 1e-9 {
            ticks.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
            t += step;
        }
        Axis {
            lo,
            hi,
            log: false,
            ticks,
            light: Vec::new(),
            desc: desc.to_string(),
        }
    }

    /// A logarithmic axis covering `lo..hi` (values, both > 0), widened to
    /// whole decades when it spans more than one.
    fn log(lo: f64, hi: f64, desc: &str) -> Axis {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo / 2.0, lo * 2.0)
        };
        let (mut a, mut b) = (lo.log10(), hi.log10());
        if b - a >= 1.0 {
            a = a.floor();
            b = b.ceil();
        } else {
            // less than a decade: ticks at round values, placed logarithmically
            let lin = Axis::linear(lo, hi, desc);
            let step = lin
                .ticks
                .get(1)
                .zip(lin.ticks.first())
                .map_or(hi - lo, |(y, x)| y - x);
            let lo2 = (lo / step).floor() * step;
            let (lo2, extra) = if lo2 > 0.0 { (lo2, lo2) } else { (lo, -1.0) };
            let (a, b) = (lo2.log10(), lin.hi.log10());
            let mut ticks: Vec<f64> = lin
                .ticks
                .iter()
                .chain(std::iter::once(&extra))
                .filter(|t| **t > 0.0)
                .map(|t| t.log10())
                .filter(|t| *t >= a - 1e-12 && *t <= b + 1e-12)
                .collect();
            ticks.sort_by(f64::total_cmp);
            ticks.dedup();
            return Axis {
                lo: a,
                hi: b,
                log: true,
                ticks,
                light: Vec::new(),
                desc: desc.to_string(),
            };
        }
        let mut ticks = Vec::new();
        let mut light = Vec::new();
        for e in (a.floor() as i32)..=(b.ceil() as i32) {
            for m in 1..10 {
                let v = f64::from(m).log10() + f64::from(e);
                if v < a - 1e-9 || v > b + 1e-9 {
                    continue;
                }
                let major = m == 1 || (b - a < 2.0 && (m == 2 || m == 5));
                if major {
                    ticks.push(v);
                } else {
                    light.push(v);
                }
            }
        }
        Axis {
            lo: a,
            hi: b,
            log: true,
            ticks,
            light,
            desc: desc.to_string(),
        }
    }

    fn coord(&self, v: f64) -> f64 {
        if self.log {
            v.max(1e-300).log10()
        } else {
            v
        }
    }

    fn label(&self, t: f64) -> String {
        if self.log {
            fmt_axis(10f64.powf(t))
        } else {
            fmt_axis(t)
        }
    }

    fn spec(&self) -> Ticked {
        Ticked {
            lo: self.lo,
            hi: self.hi,
            bold: self.ticks.clone(),
            light: self.light.clone(),
        }
    }
}

/// A linear f64 coordinate with the ticks (bold mesh lines) and light
/// mesh lines an [`Axis`] chose.
#[derive(Debug, Clone)]
struct Ticked {
    lo: f64,
    hi: f64,
    bold: Vec<f64>,
    light: Vec<f64>,
}

impl Ranged for Ticked {
    type ValueType = f64;
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        if self.hi == self.lo {
            return (limit.0 + limit.1) / 2;
        }
        let r = (v - self.lo) / (self.hi - self.lo);
        limit.0 + (f64::from(limit.1 - limit.0) * r + 1e-9).floor() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.bold.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<Ticked, Ticked>>;

/// Builds a chart with axes, grid and axis titles on `area`.
#[allow(clippy::too_many_arguments)]
fn frame<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    st: St,
    x: &Axis,
    y: &Axis,
    left: f64,
    bottom: f64,
    x_labels: bool,
    y_labels: bool,
) -> Res<Chart2d<'a, DB>> {
    let mut chart = ck(ChartBuilder::on(area)
        .margin_right(st.u(18.0))
        .margin_top(st.u(8.0))
        .x_label_area_size(st.u(bottom))
        .y_label_area_size(st.u(left))
        .build_cartesian_2d(x.spec(), y.spec()))?;
    let fx = |v: &f64| if x_labels { x.label(*v) } else { String::new() };
    let fy = |v: &f64| if y_labels { y.label(*v) } else { String::new() };
    ck(chart
        .configure_mesh()
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .x_desc(x.desc.clone())
        .y_desc(y.desc.clone())
        .label_style(st.text(12.5))
        .axis_desc_style(st.text(13.5))
        .bold_line_style(ShapeStyle::from(&GRID).stroke_width(st.u(1.0)))
        .light_line_style(ShapeStyle::from(&GRID_LIGHT).stroke_width(st.u(1.0)))
        .axis_style(ShapeStyle::from(&MUTED).stroke_width(st.u(1.0)))
        .set_all_tick_mark_size(st.u(4.0))
        .draw())?;
    Ok(chart)
}

fn draw_title<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, st: St, title: &str) -> Res {
    ck(root.draw(&Text::new(
        title.to_string(),
        (st.px(16.0), st.px(12.0)),
        st.bold(17.0),
    )))
}

// ---------------------------------------------------------------- legend

/// How a legend entry is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swatch {
    /// A filled square (bars).
    Box,
    /// A filled dot (points).
    Dot,
    /// A hollow ring (points drawn outlined).
    Ring,
    /// A line (ceilings).
    Line,
    /// A dashed line.
    Dashed,
}

/// One legend entry.
#[derive(Debug, Clone)]
pub struct LegendItem {
    /// The label.
    pub label: String,
    /// Its colour.
    pub color: RGBColor,
    /// Its mark.
    pub swatch: Swatch,
}

const LEGEND_FONT: f64 = 12.5;
const LEGEND_ROW: f64 = 20.0;

/// Columns, rows and column width of a legend in `width` units.
fn legend_grid(items: &[LegendItem], width: f64) -> (usize, usize, f64) {
    if items.is_empty() {
        return (1, 0, width);
    }
    let colw = items
        .iter()
        .map(|i| text_width(&i.label, LEGEND_FONT) + 34.0)
        .fold(0.0, f64::max)
        .min(width);
    let cols = ((width / colw).floor() as usize).clamp(1, items.len());
    let rows = items.len().div_ceil(cols);
    (cols, rows, colw)
}

/// Height of a legend of `items` in `width` units.
fn legend_height(items: &[LegendItem], width: f64) -> f64 {
    let (_, rows, _) = legend_grid(items, width);
    rows as f64 * LEGEND_ROW
}

fn draw_swatch<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: St,
    item: &LegendItem,
    x: f64,
    y: f64,
) -> Res {
    let c = item.color;
    match item.swatch {
        Swatch::Box => ck(root.draw(&Rectangle::new(
            [
                (st.px(x), st.px(y - 6.0)),
                (st.px(x + 14.0), st.px(y + 6.0)),
            ],
            c.filled(),
        ))),
        Swatch::Dot => ck(root.draw(&Circle::new(
            (st.px(x + 7.0), st.px(y)),
            st.u(4.5),
            c.filled(),
        ))),
        Swatch::Ring => ck(root.draw(&Circle::new(
            (st.px(x + 7.0), st.px(y)),
            st.u(5.0),
            c.stroke_width(st.u(2.0)),
        ))),
        Swatch::Line | Swatch::Dashed => {
            let style = c.stroke_width(st.u(2.5));
            if item.swatch == Swatch::Line {
                ck(root.draw(&PathElement::new(
                    vec![(st.px(x), st.px(y)), (st.px(x + 18.0), st.px(y))],
                    style,
                )))
            } else {
                for s in [0.0, 7.0, 14.0] {
                    ck(root.draw(&PathElement::new(
                        vec![(st.px(x + s), st.px(y)), (st.px(x + s + 4.0), st.px(y))],
                        style,
                    )))?;
                }
                Ok(())
            }
        }
    }
}

fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: St,
    items: &[LegendItem],
    x0: f64,
    y0: f64,
    width: f64,
) -> Res {
    let (cols, _, colw) = legend_grid(items, width);
    for (i, item) in items.iter().enumerate() {
        let (r, c) = (i / cols, i % cols);
        let x = x0 + c as f64 * colw;
        let y = y0 + r as f64 * LEGEND_ROW + LEGEND_ROW / 2.0;
        draw_swatch(root, st, item, x, y)?;
        ck(root.draw(&Text::new(
            item.label.clone(),
            (st.px(x + 22.0), st.px(y)),
            st.text(LEGEND_FONT).pos(Pos::new(HPos::Left, VPos::Center)),
        )))?;
    }
    Ok(())
}

// ------------------------------------------------------------ bar charts

/// A named series of values, one per category.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// Fill colour.
    pub color: RGBColor,
    /// One value per category, in the axis unit.
    pub values: Vec<f64>,
}

/// Horizontal stacked bars: one bar per category (top to bottom), the
/// series stacked left to right, the bar's total written at its end, and
/// each segment wide enough labelled with its share of the bar.
#[derive(Debug, Clone)]
pub struct HBars {
    /// Plot title.
    pub title: String,
    /// X axis title with its unit.
    pub x_desc: String,
    /// Bar labels.
    pub categories: Vec<String>,
    /// Stacked series (every series has one value per category).
    pub series: Vec<Series>,
    /// Text written after each bar (its total with the unit).
    pub totals: Vec<String>,
    /// Label segments with their share of the bar.
    pub shares: bool,
}

const WIDTH: f64 = 960.0;

impl HBars {
    fn legend(&self) -> Vec<LegendItem> {
        self.series
            .iter()
            .map(|s| LegendItem {
                label: s.name.clone(),
                color: s.color,
                swatch: Swatch::Box,
            })
            .collect()
    }

    fn bar_h(&self) -> f64 {
        if self.categories.len() <= 4 {
            46.0
        } else {
            26.0
        }
    }

    fn left(&self) -> f64 {
        self.categories
            .iter()
            .map(|c| text_width(c, 12.5))
            .fold(40.0, f64::max)
            + 18.0
    }
}

impl Chart for HBars {
    fn size(&self) -> (u32, u32) {
        let h = 40.0
            + legend_height(&self.legend(), WIDTH - 32.0)
            + 12.0
            + self.categories.len() as f64 * self.bar_h()
            + 62.0;
        (WIDTH as u32, h.ceil() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, st: St) -> Res {
        draw_title(root, st, &self.title)?;
        let legend = self.legend();
        draw_legend(root, st, &legend, 16.0, 38.0, WIDTH - 32.0)?;
        let top = 38.0 + legend_height(&legend, WIDTH - 32.0) + 8.0;
        let (_, area) = root.split_vertically(st.px(top));
        let n = self.categories.len();
        let totals: Vec<f64> = (0..n)
            .map(|i| self.series.iter().map(|s| s.values[i].max(0.0)).sum())
            .collect();
        let max = totals.iter().cloned().fold(0.0, f64::max);
        // room after the longest bar for its total
        let label_w = self
            .totals
            .iter()
            .map(|t| text_width(t, 12.5))
            .fold(0.0, f64::max);
        let left = self.left();
        let plot_w = WIDTH - left - 18.0;
        let headroom = (label_w + 16.0) / (plot_w - label_w - 16.0).max(100.0);
        let x = Axis::linear(0.0, max * (1.0 + headroom).max(1.05), &self.x_desc);
        let y = Axis {
            lo: 0.0,
            hi: n as f64,
            log: false,
            ticks: Vec::new(),
            light: Vec::new(),
            desc: String::new(),
        };
        let chart = frame(&area, st, &x, &y, left, 48.0, true, false)?;
        let mut chart = chart;
        let bar = self.bar_h();
        let pad = (0.18_f64).min(6.0 / bar);
        for (i, cat) in self.categories.iter().enumerate() {
            let y1 = (n - i) as f64 - pad;
            let y0 = (n - i - 1) as f64 + pad;
            let mut x0 = 0.0;
            for s in &self.series {
                let v = s.values[i].max(0.0);
                if v <= 0.0 {
                    continue;
                }
                ck(chart.draw_series(std::iter::once(Rectangle::new(
                    [(x0, y0), (x0 + v, y1)],
                    s.color.filled(),
                ))))?;
                if self.shares && totals[i] > 0.0 {
                    let (a, b) = (
                        chart.backend_coord(&(x0, y0)),
                        chart.backend_coord(&(x0 + v, y1)),
                    );
                    let share = v / totals[i];
                    let label = format!("{:.0}%", 100.0 * share);
                    if f64::from(b.0 - a.0) / st.k > text_width(&label, 11.5) + 8.0 {
                        let lum = 0.299 * f64::from(s.color.0)
                            + 0.587 * f64::from(s.color.1)
                            + 0.114 * f64::from(s.color.2);
                        let ink = if lum < 140.0 { WHITE } else { INK };
                        ck(root.draw(&Text::new(
                            label,
                            ((a.0 + b.0) / 2, (a.1 + b.1) / 2),
                            st.text(11.5)
                                .color(&ink)
                                .pos(Pos::new(HPos::Center, VPos::Center)),
                        )))?;
                    }
                }
                x0 += v;
            }
            let (lx, ly) = chart.backend_coord(&(0.0, (y0 + y1) / 2.0));
            ck(root.draw(&Text::new(
                cat.clone(),
                (lx - st.px(8.0), ly),
                st.text(12.5).pos(Pos::new(HPos::Right, VPos::Center)),
            )))?;
            if let Some(t) = self.totals.get(i) {
                let (tx, ty) = chart.backend_coord(&(x0, (y0 + y1) / 2.0));
                ck(root.draw(&Text::new(
                    t.clone(),
                    (tx + st.px(6.0), ty),
                    st.bold(12.5).pos(Pos::new(HPos::Left, VPos::Center)),
                )))?;
            }
        }
        Ok(())
    }
}

/// One panel of [`BarPanels`].
#[derive(Debug, Clone)]
pub struct BarPanel {
    /// Y axis title with its unit.
    pub y_desc: String,
    /// Logarithmic y axis.
    pub log: bool,
    /// Series drawn side by side within each category.
    pub series: Vec<Series>,
}

/// Vertical bars in panels stacked top to bottom, sharing the categories
/// on the x axis.
#[derive(Debug, Clone)]
pub struct BarPanels {
    /// Plot title.
    pub title: String,
    /// X axis title.
    pub x_desc: String,
    /// Category labels.
    pub categories: Vec<String>,
    /// The panels.
    pub panels: Vec<BarPanel>,
    /// Height of each panel's plotting area.
    pub panel_height: f64,
}

impl BarPanels {
    fn legend(&self) -> Vec<LegendItem> {
        let mut out: Vec<LegendItem> = Vec::new();
        for p in &self.panels {
            for s in &p.series {
                if !out.iter().any(|i| i.label == s.name) {
                    out.push(LegendItem {
                        label: s.name.clone(),
                        color: s.color,
                        swatch: Swatch::Box,
                    });
                }
            }
        }
        out
    }
}

impl Chart for BarPanels {
    fn size(&self) -> (u32, u32) {
        let h = 40.0
            + legend_height(&self.legend(), WIDTH - 32.0)
            + 8.0
            + self.panels.len() as f64 * (self.panel_height + 56.0)
            + 8.0;
        (WIDTH as u32, h.ceil() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, st: St) -> Res {
        draw_title(root, st, &self.title)?;
        let legend = self.legend();
        draw_legend(root, st, &legend, 16.0, 38.0, WIDTH - 32.0)?;
        let mut top = 38.0 + legend_height(&legend, WIDTH - 32.0) + 8.0;
        let n = self.categories.len();
        // thin out category labels that would collide
        let slot = (WIDTH - 90.0) / n.max(1) as f64;
        let widest = self
            .categories
            .iter()
            .map(|c| text_width(c, 12.0))
            .fold(0.0, f64::max);
        let every = ((widest + 6.0) / slot).ceil().max(1.0) as usize;
        let every = [1, 2, 5, 10, 20, 50, 100]
            .into_iter()
            .find(|&e| e >= every)
            .unwrap_or(every);
        for p in &self.panels {
            let h = self.panel_height + 56.0;
            let (_, below) = root.split_vertically(st.px(top));
            let (area, _) = below.split_vertically(st.px(h));
            top += h;
            let vals: Vec<f64> = p
                .series
                .iter()
                .flat_map(|s| s.values.iter().cloned())
                .filter(|v| v.is_finite())
                .collect();
            let max = vals.iter().cloned().fold(0.0, f64::max);
            let y = if p.log {
                let min = vals
                    .iter()
                    .cloned()
                    .filter(|v| *v > 0.0)
                    .fold(f64::INFINITY, f64::min);
                let min = if min.is_finite() { min } else { 1.0 };
                Axis::log(min / 1.5, max.max(min) * 1.5, &p.y_desc)
            } else {
                Axis::linear(0.0, max * 1.08, &p.y_desc)
            };
            let x = Axis {
                lo: 0.0,
                hi: n as f64,
                log: false,
                ticks: Vec::new(),
                light: Vec::new(),
                desc: self.x_desc.clone(),
            };
            let mut chart = frame(&area, st, &x, &y, 72.0, 40.0, false, true)?;
            let k = p.series.len().max(1) as f64;
            let gap = if n > 20 { 0.12 } else { 0.18 };
            let w = (1.0 - 2.0 * gap) / k;
            for (j, s) in p.series.iter().enumerate() {
                let rects = s.values.iter().enumerate().filter_map(|(i, &v)| {
                    if !(v.is_finite() && v > 0.0) {
                        return None;
                    }
                    let x0 = i as f64 + gap + j as f64 * w;
                    let base = if p.log { y.lo } else { 0.0 };
                    Some(Rectangle::new(
                        [(x0, base), (x0 + w * 0.94, y.coord(v))],
                        s.color.filled(),
                    ))
                });
                ck(chart.draw_series(rects))?;
            }
            for (i, c) in self.categories.iter().enumerate() {
                // every `every`-th label and the last, without collisions
                let show = i + 1 == n || (i % every == 0 && n - 1 - i >= every);
                if !show {
                    continue;
                }
                let (cx, cy) = chart.backend_coord(&(i as f64 + 0.5, y.lo));
                ck(root.draw(&Text::new(
                    c.clone(),
                    (cx, cy + st.px(6.0)),
                    st.text(12.0).pos(Pos::new(HPos::Center, VPos::Top)),
                )))?;
            }
        }
        Ok(())
    }
}

// -------------------------------------------------------------- roofline

/// A group of roofline points with its own ceiling.
#[derive(Debug, Clone)]
pub struct RoofGroup {
    /// Legend label of the points.
    pub name: String,
    /// Colour of the points and of the ceiling.
    pub color: RGBColor,
    /// (arithmetic intensity in operations per DRAM byte, operations per
    /// second); an intensity of infinity (no DRAM traffic) is drawn at the
    /// right edge, hollow.
    pub points: Vec<(f64, f64)>,
    /// The unit's peak, operations per second, and its label.
    pub peak: Option<(f64, String)>,
}

/// A roofline: operators as points, the compute ceilings of the units and
/// the DRAM bandwidth ceiling, on log-log axes.
#[derive(Debug, Clone)]
pub struct Roofline {
    /// Plot title.
    pub title: String,
    /// Point groups (one per unit).
    pub groups: Vec<RoofGroup>,
    /// DRAM bandwidth, bytes per second, and its label.
    pub bandwidth: (f64, String),
}

impl Roofline {
    fn legend(&self) -> Vec<LegendItem> {
        let mut v: Vec<LegendItem> = self
            .groups
            .iter()
            .map(|g| LegendItem {
                label: format!("{} ({})", g.name, g.points.len()),
                color: g.color,
                swatch: Swatch::Dot,
            })
            .collect();
        for g in &self.groups {
            if let Some((_, l)) = &g.peak {
                v.push(LegendItem {
                    label: l.clone(),
                    color: g.color,
                    swatch: Swatch::Line,
                });
            }
        }
        v.push(LegendItem {
            label: self.bandwidth.1.clone(),
            color: INK,
            swatch: Swatch::Dashed,
        });
        v
    }
}

impl Chart for Roofline {
    fn size(&self) -> (u32, u32) {
        let h = 40.0 + legend_height(&self.legend(), WIDTH - 32.0) + 8.0 + 470.0;
        (WIDTH as u32, h.ceil() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, st: St) -> Res {
        draw_title(root, st, &self.title)?;
        let legend = self.legend();
        draw_legend(root, st, &legend, 16.0, 38.0, WIDTH - 32.0)?;
        let top = 38.0 + legend_height(&legend, WIDTH - 32.0) + 8.0;
        let (_, area) = root.split_vertically(st.px(top));
        let pts = || self.groups.iter().flat_map(|g| g.points.iter());
        let finite_x = || pts().map(|p| p.0).filter(|x| x.is_finite() && *x > 0.0);
        let xmin = finite_x().fold(f64::INFINITY, f64::min);
        let xmax = finite_x().fold(0.0, f64::max);
        let has_onchip = pts().any(|p| !p.0.is_finite());
        let (xmin, xmax) = if xmin.is_finite() {
            (xmin, xmax)
        } else {
            (0.1, 10.0)
        };
        let peaks: Vec<f64> = self
            .groups
            .iter()
            .filter_map(|g| g.peak.as_ref().map(|p| p.0))
            .collect();
        let bw = self.bandwidth.0;
        // show every knee (peak / bandwidth) and every point
        let knees = peaks.iter().map(|p| p / bw);
        let x_lo = knees.clone().fold(xmin, f64::min) / 3.0;
        let x_hi = knees.fold(xmax, f64::max) * (if has_onchip { 12.0 } else { 3.0 });
        let ys = || pts().map(|p| p.1).filter(|y| *y > 0.0);
        let y_lo = ys().fold(f64::INFINITY, f64::min).min(bw * x_lo) / 3.0;
        let y_hi = ys()
            .fold(0.0, f64::max)
            .max(peaks.iter().cloned().fold(0.0, f64::max))
            * 3.0;
        let x = Axis::log(
            x_lo,
            x_hi,
            "Arithmetic intensity (operations per DRAM byte, log)",
        );
        let y = Axis::log(
            if y_lo.is_finite() { y_lo } else { 1.0 },
            y_hi,
            "Attained performance (operations/s, log)",
        );
        let mut chart = frame(&area, st, &x, &y, 72.0, 48.0, true, true)?;
        let edge = x.hi - 0.08 * (x.hi - x.lo);
        // ceilings
        let bw_line = |xv: f64| (bw * 10f64.powf(xv)).log10();
        for g in &self.groups {
            if let Some((peak, _)) = &g.peak {
                let knee = (peak / bw).log10();
                let pts = vec![
                    (x.lo, bw_line(x.lo).min(peak.log10())),
                    (knee.max(x.lo), peak.log10()),
                    (x.hi, peak.log10()),
                ];
                ck(chart.draw_series(std::iter::once(PathElement::new(
                    pts,
                    g.color.stroke_width(st.u(2.5)),
                ))))?;
            }
        }
        // bandwidth ceiling, dashed
        let steps = 40;
        for i in (0..steps).step_by(2) {
            let a = x.lo + (x.hi - x.lo) * i as f64 / steps as f64;
            let b = x.lo + (x.hi - x.lo) * (i + 1) as f64 / steps as f64;
            if bw_line(a) > y.hi {
                break;
            }
            ck(chart.draw_series(std::iter::once(PathElement::new(
                vec![(a, bw_line(a)), (b, bw_line(b).min(y.hi))],
                INK.mix(0.75).stroke_width(st.u(1.6)),
            ))))?;
        }
        if has_onchip {
            let (ex, ey) = chart.backend_coord(&(edge, y.lo));
            ck(root.draw(&Text::new(
                "no DRAM traffic".to_string(),
                (ex, ey - st.px(8.0)),
                st.muted(11.5).pos(Pos::new(HPos::Center, VPos::Bottom)),
            )))?;
        }
        for g in &self.groups {
            let filled = g
                .points
                .iter()
                .filter(|p| p.0.is_finite() && p.1 > 0.0)
                .map(|p| {
                    Circle::new(
                        (x.coord(p.0), y.coord(p.1)),
                        st.u(4.0),
                        g.color.mix(0.8).filled(),
                    )
                });
            ck(chart.draw_series(filled))?;
            let hollow = g
                .points
                .iter()
                .filter(|p| !p.0.is_finite() && p.1 > 0.0)
                .map(|p| {
                    Circle::new(
                        (edge, y.coord(p.1)),
                        st.u(4.5),
                        g.color.stroke_width(st.u(2.0)),
                    )
                });
            ck(chart.draw_series(hollow))?;
        }
        Ok(())
    }
}

// --------------------------------------------------------------- scatter

/// A set of points drawn alike.
#[derive(Debug, Clone)]
pub struct PointLayer {
    /// Legend label.
    pub name: String,
    /// Colour.
    pub color: RGBColor,
    /// Radius in user units.
    pub radius: f64,
    /// Outlined instead of filled.
    pub hollow: bool,
    /// (x, y) values.
    pub points: Vec<(f64, f64)>,
}

/// One panel of a [`Scatter`].
#[derive(Debug, Clone)]
pub struct ScatterPanel {
    /// X axis title with its unit.
    pub x_desc: String,
    /// Y axis title with its unit.
    pub y_desc: String,
    /// Logarithmic x axis.
    pub log_x: bool,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// Layers, drawn in order (later on top).
    pub layers: Vec<PointLayer>,
}

/// Scatter plots side by side sharing a legend.
#[derive(Debug, Clone)]
pub struct Scatter {
    /// Plot title.
    pub title: String,
    /// Panels, left to right.
    pub panels: Vec<ScatterPanel>,
}

impl Scatter {
    fn legend(&self) -> Vec<LegendItem> {
        let mut out: Vec<LegendItem> = Vec::new();
        for p in &self.panels {
            for l in p.layers.iter().filter(|l| !l.points.is_empty()) {
                if !out.iter().any(|i| i.label == l.name) {
                    out.push(LegendItem {
                        label: l.name.clone(),
                        color: l.color,
                        swatch: if l.hollow { Swatch::Ring } else { Swatch::Dot },
                    });
                }
            }
        }
        out
    }
}

fn axis_for(values: impl Iterator<Item = f64> + Clone, log: bool, desc: &str) -> Axis {
    let pos = values
        .clone()
        .filter(|v| v.is_finite() && (!log || *v > 0.0));
    let lo = pos.clone().fold(f64::INFINITY, f64::min);
    let hi = pos.fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() {
        (lo, hi)
    } else {
        (1.0, 10.0)
    };
    if log && hi / lo >= 4.0 {
        Axis::log(lo / 1.3, hi * 1.3, desc)
    } else {
        let pad = ((hi - lo) * 0.06).max(hi.abs() * 0.02).max(1e-12);
        let lo = if lo >= 0.0 && lo - pad < 0.0 {
            0.0
        } else {
            lo - pad
        };
        let mut a = Axis::linear(lo, hi + pad, desc);
        // start at a tick at or below lo
        let step = a
            .ticks
            .get(1)
            .zip(a.ticks.first())
            .map(|(b, a)| b - a)
            .unwrap_or(1.0);
        a.lo = (lo / step).floor() * step;
        a.ticks = Axis::linear(a.lo, a.hi, desc).ticks;
        a
    }
}

impl Chart for Scatter {
    fn size(&self) -> (u32, u32) {
        let h = 40.0 + legend_height(&self.legend(), WIDTH - 32.0) + 8.0 + 440.0;
        (WIDTH as u32, h.ceil() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, st: St) -> Res {
        draw_title(root, st, &self.title)?;
        let legend = self.legend();
        draw_legend(root, st, &legend, 16.0, 38.0, WIDTH - 32.0)?;
        let top = 38.0 + legend_height(&legend, WIDTH - 32.0) + 8.0;
        let (_, area) = root.split_vertically(st.px(top));
        let n = self.panels.len().max(1);
        let parts = area.split_evenly((1, n));
        for (p, a) in self.panels.iter().zip(parts.iter()) {
            let xs = p.layers.iter().flat_map(|l| l.points.iter().map(|q| q.0));
            let ys = p.layers.iter().flat_map(|l| l.points.iter().map(|q| q.1));
            let x = axis_for(xs, p.log_x, &p.x_desc);
            let y = axis_for(ys, p.log_y, &p.y_desc);
            let unlog = |a: Axis| {
                if a.log {
                    a
                } else {
                    Axis {
                        desc: a.desc.replace(", log", ""),
                        ..a
                    }
                }
            };
            let (x, y) = (unlog(x), unlog(y));
            let mut chart = frame(a, st, &x, &y, 72.0, 48.0, true, true)?;
            for l in &p.layers {
                let style = if l.hollow {
                    l.color.stroke_width(st.u(2.0))
                } else {
                    l.color.mix(0.85).filled()
                };
                let pts = l
                    .points
                    .iter()
                    .filter(|q| q.0.is_finite() && q.1.is_finite())
                    .filter(|q| (!x.log || q.0 > 0.0) && (!y.log || q.1 > 0.0))
                    .map(|q| Circle::new((x.coord(q.0), y.coord(q.1)), st.u(l.radius), style));
                ck(chart.draw_series(pts))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars() -> HBars {
        HBars {
            title: "Energy per token".into(),
            x_desc: "mJ per token".into(),
            categories: vec!["a".into(), "b".into()],
            series: vec![
                Series {
                    name: "DRAM".into(),
                    color: hex("#e6550d"),
                    values: vec![50.0, 20.0],
                },
                Series {
                    name: "SRAM".into(),
                    color: hex("#41ab5d"),
                    values: vec![5.0, 2.0],
                },
            ],
            totals: vec!["55 mJ".into(), "22 mJ".into()],
            shares: true,
        }
    }

    #[test]
    fn renders_svg_and_png_deterministically() {
        let a = render(&bars()).unwrap();
        let b = render(&bars()).unwrap();
        assert_eq!(a, b);
        assert!(a.svg.starts_with("<svg "));
        assert!(a.svg.contains("Energy per token"));
        assert!(a.svg.contains("DejaVu Sans"));
        assert_eq!(&a.png[1..4], b"PNG");
        let dec = png::Decoder::new(std::io::Cursor::new(&a.png));
        let r = dec.read_info().unwrap();
        assert_eq!(r.info().width, 2 * a.width);
    }

    #[test]
    fn log_axis_has_decade_ticks() {
        let a = Axis::log(0.3, 2000.0, "x");
        assert_eq!(a.lo, -1.0);
        assert_eq!(a.hi, 4.0);
        assert_eq!(a.ticks, vec![-1.0, 0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(a.label(3.0), "1000");
        let l = Axis::linear(0.0, 47.0, "y");
        assert_eq!(l.ticks, vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0]);
    }
}
