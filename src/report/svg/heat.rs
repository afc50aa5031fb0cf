//! Heat maps of a value over two parameters.

use std::fmt::Write;

use super::{WIDTH, column_width, esc, f, frame, pct, text, tip};

/// A heat map: one cell per (row, column) value.
#[derive(Clone, Debug)]
pub struct Heat {
    /// Name for tests.
    pub name: String,
    /// Title for screen readers.
    pub title: String,
    /// Column axis label (the second varied parameter).
    pub x_label: String,
    /// Row axis label (the first varied parameter).
    pub y_label: String,
    /// Column headings.
    pub cols: Vec<String>,
    /// Row headings.
    pub rows: Vec<String>,
    /// `cells[r][c]`: value, text, tooltip.
    pub cells: Vec<Vec<Option<(f64, String, String)>>>,
}

/// A colour of the cividis-like sequential scale for `t` in 0..1: dark blue to yellow,
/// lightness rising steadily (readable in greyscale and with colour-vision deficiencies).
pub fn sequential(t: f64) -> String {
    const STOPS: [(f64, f64, f64); 5] = [
        (0.0, 34.0, 78.0),
        (65.0, 77.0, 108.0),
        (124.0, 123.0, 120.0),
        (188.0, 175.0, 111.0),
        (253.0, 231.0, 55.0),
    ];
    let t = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (t.floor() as usize).min(STOPS.len() - 2);
    let u = t - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * u).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

/// Draws a [`Heat`] map, with the value written in each cell.
pub fn heat(c: &Heat) -> String {
    let label_w = column_width(
        c.rows.iter().map(String::as_str),
        None,
        (40.0, f64::INFINITY),
        40.0,
    );
    let ncols = c.cols.len().max(1) as f64;
    let cw = ((WIDTH - label_w - 20.0) / ncols).clamp(24.0, 110.0);
    let ch = 28.0;
    let top = 30.0;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in c.cells.iter().flatten().flatten() {
        lo = lo.min(v.0);
        hi = hi.max(v.0);
    }
    let mut o = String::new();
    let small = cw < 52.0;
    for (j, col) in c.cols.iter().enumerate() {
        o.push_str(&text(
            label_w + cw * (j as f64 + 0.5),
            top - 8.0,
            "middle",
            " class=\"tick\" fill=\"#444\"",
            col,
        ));
    }
    for (i, row) in c.rows.iter().enumerate() {
        let y = top + ch * i as f64;
        o.push_str(&text(
            label_w - 6.0,
            y + ch / 2.0 + 4.0,
            "end",
            " class=\"tick\" fill=\"#444\"",
            row,
        ));
        for j in 0..c.cols.len() {
            let x = label_w + cw * j as f64;
            let Some(Some((v, t, tp))) = c.cells.get(i).and_then(|r| r.get(j)) else {
                continue;
            };
            let u = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
            let fg = if u > 0.55 { "#000" } else { "#fff" };
            let _ = write!(
                o,
                "<g class=\"cell\">{}<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"#fff\"/>",
                tip(tp),
                f(x),
                f(y),
                f(cw),
                f(ch),
                sequential(u)
            );
            if !small {
                o.push_str(&text(
                    x + cw / 2.0,
                    y + ch / 2.0 + 4.0,
                    "middle",
                    &format!(" class=\"value\" fill=\"{fg}\""),
                    t,
                ));
            }
            o.push_str("</g>");
        }
    }
    let y_end = top + ch * c.rows.len() as f64;
    o.push_str(&text(
        label_w + cw * ncols / 2.0,
        y_end + 20.0,
        "middle",
        " fill=\"#222\"",
        &format!("columns: {}", c.x_label),
    ));
    let _ = write!(
        o,
        "<text transform=\"translate(14 {}) rotate(-90)\" text-anchor=\"middle\" fill=\"#222\">{}</text>",
        f((top + y_end) / 2.0),
        esc(&format!("rows: {}", c.y_label))
    );
    let ky = y_end + 34.0;
    o.push_str(&colour_key(label_w, ky, lo, hi));
    let w = (label_w + cw * ncols + 20.0).max(label_w + 260.0);
    frame(&c.name, &c.title, w, ky + 20.0, &o)
}

/// The colour key at `x0`, `ky`: the sequential scale in 21 steps, from the map's lowest
/// value `lo` to its highest `hi`.
fn colour_key(x0: f64, ky: f64, lo: f64, hi: f64) -> String {
    let mut o = String::new();
    for k in 0..=20 {
        let _ = write!(
            o,
            "<rect x=\"{}\" y=\"{}\" width=\"9\" height=\"10\" fill=\"{}\"/>",
            f(x0 + 9.0 * k as f64),
            f(ky),
            sequential(k as f64 / 20.0)
        );
    }
    if lo.is_finite() {
        o.push_str(&text(
            x0 - 4.0,
            ky + 9.0,
            "end",
            " class=\"tick\" fill=\"#444\"",
            &pct(lo),
        ));
        o.push_str(&text(
            x0 + 9.0 * 21.0 + 4.0,
            ky + 9.0,
            "start",
            " class=\"tick\" fill=\"#444\"",
            &pct(hi),
        ));
    }
    o
}
