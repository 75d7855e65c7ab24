//! The frame of a chart: axes, grid and axis titles, and the title.

use super::*;

pub(super) type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<Ticked, Ticked>>;

/// Builds a chart with axes, grid and axis titles on `area`.
#[allow(clippy::too_many_arguments)]
pub(super) fn frame<'a, DB: DrawingBackend>(
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

pub(super) fn draw_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: St,
    title: &str,
) -> Res {
    ck(root.draw(&Text::new(
        title.to_string(),
        (st.px(16.0), st.px(12.0)),
        st.bold(17.0),
    )))
}
