//! Scatter panels with highlighted subsets.

use super::*;

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
    pub(super) fn legend(&self) -> Vec<LegendItem> {
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
