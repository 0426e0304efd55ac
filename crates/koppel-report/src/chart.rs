//! Charts drawn with plotters' SVG backend into strings: horizontal bars (rates or counts per
//! group, one or two series) and vertical bars (histograms). Every chart gets `role="img"`, a
//! `<title>` and a `<desc>`; the same numbers are always in a table next to it.

use crate::Lang;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Series colours (navy, burnt orange): both at least 4.5:1 against white.
pub(crate) const SERIES: [RGBColor; 2] = [RGBColor(0x1f, 0x4e, 0x79), RGBColor(0xb3, 0x56, 0x00)];
/// Bars of flagged groups in a one-series chart (dark red, 7:1 against white).
pub(crate) const FLAG: RGBColor = RGBColor(0xa4, 0x26, 0x2c);
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const GRID: RGBColor = RGBColor(0xd0, 0xd0, 0xd0);
const WIDTH: u32 = 760;
const FONT: u32 = 15;

/// One series of bars.
pub(crate) struct Series {
    /// Legend name.
    pub name: String,
    /// Value per category (`None`: no bar, e.g. an empty group).
    pub values: Vec<Option<f64>>,
    /// Per category: draw the bar in the flag colour (one-series charts only).
    pub flagged: Vec<bool>,
    /// A dashed vertical line at this value (four fifths of the best rate).
    pub marker: Option<f64>,
}

/// What the axis shows.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Scale {
    /// Shares 0..=1 as percentages.
    Share,
    /// Whole counts.
    Count,
}

/// A chart's text: element id, title, description, and the legend text of the marker.
pub(crate) struct Labels<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
    pub marker: &'a str,
}

type Error = String;

fn err<E: std::fmt::Display>(e: E) -> Error {
    e.to_string()
}

fn font(pos: Pos) -> TextStyle<'static> {
    ("sans-serif", FONT).into_font().color(&INK).pos(pos)
}

fn fmt(lang: Lang, scale: Scale, v: f64) -> String {
    match scale {
        Scale::Share => lang.pct(v),
        Scale::Count => format!("{v:.0}"),
    }
}

/// An axis maximum at or above `max` that gives whole-number ticks.
fn nice_max(max: f64) -> f64 {
    let max = max.max(1.0);
    let mag = 10f64.powf(max.log10().floor());
    let step = [0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|f| (f * mag).max(1.0))
        .find(|s| max / s <= 6.0)
        .unwrap_or(mag);
    (max / step).ceil() * step
}

/// Axis tick text: whole numbers only (a count axis may get fractional ticks).
fn tick(lang: Lang, scale: Scale, v: f64) -> String {
    match scale {
        Scale::Count if v.fract() != 0.0 => String::new(),
        Scale::Share if v > 1.0 + 1e-9 => String::new(),
        Scale::Share => format!("{}{}", lang.dec(v * 100.0, 0), lang.t("\u{a0}%", "%")),
        Scale::Count => fmt(lang, scale, v),
    }
}

fn legend(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    series: &[Series],
    marker: Option<&str>,
) -> Result<(), Error> {
    let mut x = 8;
    let text = font(Pos::new(HPos::Left, VPos::Center));
    if series.len() > 1 {
        for (s, color) in series.iter().zip(SERIES) {
            area.draw(&Rectangle::new([(x, 6), (x + 14, 20)], color.filled()))
                .map_err(err)?;
            area.draw(&Text::new(s.name.clone(), (x + 20, 13), text.clone()))
                .map_err(err)?;
            x += 30 + 8 * s.name.chars().count() as i32;
        }
    }
    if let Some(m) = marker {
        area.draw(&DashedPathElement::new(
            vec![(x, 4), (x, 22)],
            4,
            3,
            INK.stroke_width(2),
        ))
        .map_err(err)?;
        area.draw(&Text::new(m.to_owned(), (x + 8, 13), text))
            .map_err(err)?;
    }
    Ok(())
}

/// Wraps a drawn SVG with its accessible name and description.
fn accessible(svg: String, l: &Labels) -> String {
    let head = format!(
        "<svg role=\"img\" aria-labelledby=\"{0}-title {0}-desc\" class=\"chart\" ",
        esc(l.id)
    );
    let svg = svg.replacen("<svg ", &head, 1);
    let at = svg.find('>').map_or(svg.len(), |i| i + 1);
    format!(
        "{}\n<title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>{}",
        &svg[..at],
        esc(l.title),
        esc(l.desc),
        &svg[at..],
        id = esc(l.id)
    )
}

/// Escapes text for XML content and attributes.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Horizontal bars: one row per category (first on top), one bar per series in each row.
pub(crate) fn hbars(
    lang: Lang,
    labels: &Labels,
    categories: &[String],
    series: &[Series],
    scale: Scale,
) -> Result<String, Error> {
    let n = categories.len().max(1);
    let k = series.len().max(1);
    let has_marker = series.iter().any(|s| s.marker.is_some());
    let legend_h = if k > 1 || has_marker { 26 } else { 0 };
    let row = 12 + 14 * k as u32;
    let height = legend_h + 12 + row * n as u32 + 34;
    let longest = categories.iter().map(|c| c.chars().count()).max();
    let label_w = (longest.unwrap_or(4) as u32 * 8 + 16).clamp(60, 320);
    let all = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied());
    let max = match scale {
        Scale::Share => 1.0,
        Scale::Count => nice_max(all.fold(0.0, f64::max)),
    };
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (top, body) = root.split_vertically(legend_h);
        if legend_h > 0 {
            legend(&top, series, has_marker.then_some(labels.marker))?;
        }
        let mut chart = ChartBuilder::on(&body)
            .margin_top(12)
            .margin_right(80)
            .x_label_area_size(30)
            .y_label_area_size(label_w)
            .build_cartesian_2d(0f64..max, 0f64..n as f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&|v| tick(lang, scale, *v))
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(INK)
            .label_style(font(Pos::new(HPos::Center, VPos::Top)))
            .draw()
            .map_err(err)?;
        let top_of = |i: usize| (n - i) as f64;
        chart
            .draw_series(categories.iter().enumerate().map(|(i, c)| {
                EmptyElement::at((0.0, top_of(i) - 0.5))
                    + Text::new(
                        c.clone(),
                        (-8, 0),
                        font(Pos::new(HPos::Right, VPos::Center)),
                    )
            }))
            .map_err(err)?;
        // Markers first, so that bars and their labels are drawn over them.
        for (ser, color) in series.iter().zip(SERIES) {
            if let Some(m) = ser.marker {
                let style = if k == 1 { INK } else { color };
                chart
                    .draw_series([DashedPathElement::new(
                        vec![(m, 0.0), (m, n as f64)],
                        4,
                        3,
                        style.stroke_width(2),
                    )])
                    .map_err(err)?;
            }
        }
        let slice = 0.72 / k as f64;
        for (s, (ser, color)) in series.iter().zip(SERIES).enumerate() {
            for (i, v) in ser.values.iter().enumerate() {
                let Some(v) = *v else { continue };
                let y1 = top_of(i) - 0.14 - s as f64 * slice;
                let y0 = y1 - slice + 0.03;
                let fill = if k == 1 && ser.flagged.get(i).copied().unwrap_or(false) {
                    FLAG
                } else {
                    color
                };
                chart
                    .draw_series([Rectangle::new([(0.0, y0), (v, y1)], fill.filled())])
                    .map_err(err)?;
                chart
                    .draw_series([EmptyElement::at((v, (y0 + y1) / 2.0))
                        + Text::new(
                            fmt(lang, scale, v),
                            (5, 0),
                            font(Pos::new(HPos::Left, VPos::Center)),
                        )])
                    .map_err(err)?;
            }
        }
        root.present().map_err(err)?;
    }
    Ok(accessible(out, labels))
}

/// Vertical bars: one column per bin, one bar per series in each column.
pub(crate) fn vbars(
    lang: Lang,
    labels: &Labels,
    bins: &[String],
    series: &[Series],
) -> Result<String, Error> {
    let n = bins.len().max(1);
    let k = series.len().max(1);
    let legend_h = if k > 1 { 26 } else { 0 };
    let height = legend_h + 280;
    let all = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied());
    let max = nice_max(all.fold(0.0, f64::max) * 1.08);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (top, body) = root.split_vertically(legend_h);
        if legend_h > 0 {
            legend(&top, series, None)?;
        }
        let mut chart = ChartBuilder::on(&body)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..n as f64, 0f64..max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_label_formatter(&|v| tick(lang, Scale::Count, *v))
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(INK)
            .label_style(font(Pos::new(HPos::Right, VPos::Center)))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(bins.iter().enumerate().map(|(i, b)| {
                EmptyElement::at((i as f64 + 0.5, 0.0))
                    + Text::new(b.clone(), (0, 8), font(Pos::new(HPos::Center, VPos::Top)))
            }))
            .map_err(err)?;
        let slice = 0.76 / k as f64;
        for (s, (ser, color)) in series.iter().zip(SERIES).enumerate() {
            for (i, v) in ser.values.iter().enumerate() {
                let Some(v) = *v else { continue };
                let x0 = i as f64 + 0.12 + s as f64 * slice;
                let x1 = x0 + slice - 0.02;
                chart
                    .draw_series([Rectangle::new([(x0, 0.0), (x1, v)], color.filled())])
                    .map_err(err)?;
                chart
                    .draw_series([EmptyElement::at(((x0 + x1) / 2.0, v))
                        + Text::new(
                            format!("{v:.0}"),
                            (0, -4),
                            font(Pos::new(HPos::Center, VPos::Bottom)),
                        )])
                    .map_err(err)?;
            }
        }
        root.present().map_err(err)?;
    }
    Ok(accessible(out, labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(3.0), 3.0);
        assert_eq!(nice_max(7.0), 8.0);
        assert_eq!(nice_max(57.0), 60.0);
        assert_eq!(nice_max(260.0), 300.0);
    }

    #[test]
    fn charts_are_svg_with_an_accessible_name() {
        let l = Labels {
            id: "t",
            title: "Rates <by> group",
            desc: "d",
            marker: "4/5",
        };
        let s = Series {
            name: "A".into(),
            values: vec![Some(0.5), None],
            flagged: vec![false, true],
            marker: Some(0.4),
        };
        let svg = hbars(Lang::En, &l, &["a".into(), "b".into()], &[s], Scale::Share).unwrap();
        assert!(svg.starts_with("<svg role=\"img\" aria-labelledby=\"t-title t-desc\""));
        assert!(svg.contains("<title id=\"t-title\">Rates &lt;by&gt; group</title>"));
        assert!(svg.contains("\n50.0%\n</text>"));
    }
}
