//! Legends: swatches and their labels, laid out in rows.

use super::*;

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

pub(super) const LEGEND_FONT: f64 = 12.5;
pub(super) const LEGEND_ROW: f64 = 20.0;

/// Columns, rows and column width of a legend in `width` units.
pub(super) fn legend_grid(items: &[LegendItem], width: f64) -> (usize, usize, f64) {
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
pub(super) fn legend_height(items: &[LegendItem], width: f64) -> f64 {
    let (_, rows, _) = legend_grid(items, width);
    rows as f64 * LEGEND_ROW
}

pub(super) fn draw_swatch<DB: DrawingBackend>(
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

pub(super) fn draw_legend<DB: DrawingBackend>(
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
