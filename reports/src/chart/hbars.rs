//! Horizontal stacked bars.

use super::*;

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

impl HBars {
    pub(super) fn legend(&self) -> Vec<LegendItem> {
        self.series
            .iter()
            .map(|s| LegendItem {
                label: s.name.clone(),
                color: s.color,
                swatch: Swatch::Box,
            })
            .collect()
    }

    pub(super) fn bar_h(&self) -> f64 {
        if self.categories.len() <= 4 {
            46.0
        } else {
            26.0
        }
    }

    pub(super) fn left(&self) -> f64 {
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
}
