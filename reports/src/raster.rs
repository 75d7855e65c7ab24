//! The PNG backend: plotters' bitmap backend with text drawn by this
//! module. plotters 0.3.7 places each glyph without its left side bearing
//! when it rasterizes through ab_glyph, which spaces letters unevenly; here
//! every glyph is positioned by its outline's bounds, kerned, and anchored
//! and rotated exactly as the SVG backend's `<text>` is (the same font
//! size: plotters' size / 1.24; the same baselines: `dy` of 0.76 em, 0.5 ex
//! and -0.5 ex for top, centre and bottom anchors), so the PNG and the SVG
//! of a plot agree.

use crate::fonts;
use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontStyle,
    FontTransform,
};

/// A bitmap backend with correctly spaced text.
pub struct Png<'a>(pub BitMapBackend<'a>);

type Err<'a> = DrawingErrorKind<<BitMapBackend<'a> as DrawingBackend>::ErrorType>;

impl<'a> DrawingBackend for Png<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), Err<'a>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), Err<'a>> {
        self.0.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), Err<'a>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), Err<'a>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), Err<'a>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), Err<'a>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), Err<'a>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), Err<'a>> {
        self.0.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), Err<'a>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), Err<'a>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let bytes = if matches!(style.style(), FontStyle::Bold) {
            fonts::BOLD
        } else {
            fonts::REGULAR
        };
        let Ok(font) = FontRef::try_from_slice(bytes) else {
            return self.0.draw_text(text, style, pos);
        };
        let em = (style.size() / 1.24) as f32;
        let upem = font.units_per_em().unwrap_or(2048.0);
        let scale = PxScale::from(em * font.height_unscaled() / upem);
        let sf = font.as_scaled(scale);
        // x-height of DejaVu Sans: 1120 / 2048 em
        let ex = em * 1120.0 / 2048.0;
        let mut caret = 0.0f32;
        let mut prev = None;
        let mut ids = Vec::new();
        for c in text.chars() {
            let id = sf.glyph_id(c);
            if let Some(p) = prev {
                caret += sf.kern(p, id);
            }
            ids.push((id, caret));
            caret += sf.h_advance(id);
            prev = Some(id);
        }
        let dx = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -caret / 2.0,
            HPos::Right => -caret,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0.76 * em,
            VPos::Center => 0.5 * ex,
            VPos::Bottom => -0.5 * ex,
        };
        let trans = style.transform();
        let (w, h) = self.get_size();
        let mut result = Ok(());
        for (id, x) in ids {
            let g = id.with_scale_and_position(scale, point(x + dx, dy));
            let Some(outline) = font.outline_glyph(g) else {
                continue;
            };
            let b = outline.px_bounds();
            outline.draw(|gx, gy, cov| {
                if result.is_err() || cov <= 0.0 {
                    return;
                }
                let px = b.min.x as i32 + gx as i32;
                let py = b.min.y as i32 + gy as i32;
                let (rx, ry) = match trans {
                    FontTransform::Rotate90 => (-py, px),
                    FontTransform::Rotate180 => (-px, -py),
                    FontTransform::Rotate270 => (py, -px),
                    _ => (px, py),
                };
                let (x, y) = (pos.0 + rx, pos.1 + ry);
                if x >= 0 && y >= 0 && (x as u32) < w && (y as u32) < h {
                    result = self.0.draw_pixel(
                        (x, y),
                        BackendColor {
                            alpha: color.alpha * f64::from(cov.min(1.0)),
                            rgb: color.rgb,
                        },
                    );
                }
            });
        }
        result
    }
}
