//! Vertical bars in panels sharing their categories.

use super::*;

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
    pub(super) fn legend(&self) -> Vec<LegendItem> {
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
