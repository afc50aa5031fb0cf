//! Tornado charts: one bar per parameter from its low to its high value.

use std::fmt::Write;

use super::axes::x_axis;
use super::{
    PALETTE, ROW, Scale, Unit, WIDTH, column_width, cut, f, frame, nice_range, pct, text, tip,
};

/// One row of a tornado.
#[derive(Clone, Debug, Default)]
pub struct TornadoRow {
    /// Parameter label.
    pub label: String,
    /// Probability with the parameter at its low value.
    pub p_low: f64,
    /// Probability with the parameter at its high value.
    pub p_high: f64,
    /// Text at the right (the two values of the parameter).
    pub text: String,
    /// Tooltip: the CSV cells.
    pub tip: String,
}

/// A tornado chart: per parameter, a bar from the probability at its low value to that at
/// its high value, largest swing first, around the base probability.
#[derive(Clone, Debug)]
pub struct Tornado {
    /// Name for tests.
    pub name: String,
    /// Title.
    pub title: String,
    /// The axis label.
    pub x_label: String,
    /// Rows, largest swing first.
    pub rows: Vec<TornadoRow>,
    /// The base probability (centre line), if known.
    pub base: Option<f64>,
}

/// Draws a [`Tornado`]. The low end is an open circle and a light bar, the high end a filled
/// square and a dark bar, so the direction reads in greyscale.
pub fn tornado(c: &Tornado) -> String {
    let labels = c.rows.iter().map(|b| b.label.as_str());
    let label_w = column_width(labels, Some(40), (60.0, 300.0), 16.0);
    let texts = c.rows.iter().map(|b| b.text.as_str());
    let text_w = column_width(texts, None, (30.0, 260.0), 14.0);
    let (x0, x1, top) = (label_w, WIDTH - text_w, 30.0);
    let y_end = top + ROW * c.rows.len() as f64;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for r in &c.rows {
        lo = lo.min(r.p_low.min(r.p_high));
        hi = hi.max(r.p_low.max(r.p_high));
    }
    if let Some(b) = c.base {
        lo = lo.min(b);
        hi = hi.max(b);
    }
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let (a, b) = nice_range(lo.max(0.0), hi.min(1.0).max(lo + 1e-9));
    let s = Scale::linear(a.max(0.0), b.min(1.0).max(a + 1e-9), x0, x1);
    let mut o = x_axis(
        &s,
        &s.ticks(6),
        top - 4.0,
        y_end + 2.0,
        Unit::Percent,
        &c.x_label,
    );
    o.push_str(&key(x0));
    let centre = c.base.unwrap_or(f64::NAN);
    for (i, r) in c.rows.iter().enumerate() {
        o.push_str(&row(r, &s, centre, (label_w, x1), top + ROW * i as f64));
    }
    if let Some(b) = c.base {
        let x = s.at(b);
        let _ = write!(
            o,
            "<g class=\"base\">{}<line x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\" stroke=\"#000\" stroke-width=\"1.5\" stroke-dasharray=\"4 2\"/></g>",
            tip(&format!("base probability {b}")),
            f(top - 4.0),
            f(y_end + 2.0),
            x = f(x),
        );
        let _ = write!(
            o,
            "<line x1=\"{x:.1}\" x2=\"{:.1}\" y1=\"9\" y2=\"9\" stroke=\"#000\" stroke-width=\"1.5\" stroke-dasharray=\"4 2\"/>",
            x0 + 470.0,
            x = x0 + 448.0
        );
        o.push_str(&text(
            x0 + 476.0,
            13.0,
            "start",
            " class=\"value\" fill=\"#000\"",
            &format!("base {}", pct(b)),
        ));
    }
    frame(&c.name, &c.title, WIDTH, y_end + 44.0, &o)
}

/// The key above the bars: what the light and the dark bar mean.
fn key(x0: f64) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<rect x=\"{}\" y=\"4\" width=\"22\" height=\"10\" fill=\"{}\" fill-opacity=\"0.45\"/>{}\
         <rect x=\"{}\" y=\"4\" width=\"22\" height=\"10\" fill=\"{}\"/>{}",
        f(x0),
        PALETTE[5],
        text(
            x0 + 28.0,
            13.0,
            "start",
            " fill=\"#222\"",
            "parameter at its low value"
        ),
        f(x0 + 220.0),
        PALETTE[0],
        text(
            x0 + 248.0,
            13.0,
            "start",
            " fill=\"#222\"",
            "parameter at its high value"
        ),
    );
    o
}

/// The bar of row `r` at height `y` on the scale `s`: from the centre (the base, or the
/// middle of the two ends) to each end, the end markers, and the label before `label_w` and
/// the text after `x1`.
fn row(r: &TornadoRow, s: &Scale, centre: f64, (label_w, x1): (f64, f64), y: f64) -> String {
    let cy = y + ROW / 2.0;
    let mut g = format!("<g class=\"bar\">{}", tip(&r.tip));
    g.push_str(&text(
        label_w - 8.0,
        y + 15.0,
        "end",
        " fill=\"#222\"",
        &cut(&r.label, 40),
    ));
    // From the centre (or the other end) to each end.
    let from = |p: f64, other: f64| {
        if centre.is_finite() {
            centre
        } else {
            (p + other) / 2.0
        }
    };
    for (p, other, colour, op) in [
        (r.p_low, r.p_high, PALETTE[5], "0.45"),
        (r.p_high, r.p_low, PALETTE[0], "1"),
    ] {
        let (a, b) = (s.at(from(p, other)), s.at(p));
        let _ = write!(
            g,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{colour}\" fill-opacity=\"{op}\"/>",
            f(a.min(b)),
            f(y + 4.0),
            f((a - b).abs().max(0.8)),
            f(ROW - 8.0)
        );
    }
    g.push_str(&format!(
        "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"#fff\" stroke=\"#000\"/>",
        f(s.at(r.p_low)),
        f(cy)
    ));
    g.push_str(&format!(
        "<rect x=\"{}\" y=\"{}\" width=\"7\" height=\"7\" fill=\"#000\"/>",
        f(s.at(r.p_high) - 3.5),
        f(cy - 3.5)
    ));
    g.push_str(&text(
        x1 + 8.0,
        y + 15.0,
        "start",
        " class=\"value\" fill=\"#222\"",
        &r.text,
    ));
    g.push_str("</g>");
    g
}
