//! Rooflines: operators under compute and bandwidth ceilings.

use super::*;

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
    pub(super) fn legend(&self) -> Vec<LegendItem> {
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
