//! Horizontal bar charts with interval whiskers.

use std::fmt::Write;

use super::axes::x_axis;
use super::{
    LABEL_CHARS, PALETTE, ROW, Scale, Unit, WIDTH, column_width, cut, f, frame, nice_range, text,
    text_width, tip,
};

/// One horizontal bar.
#[derive(Clone, Debug, Default)]
pub struct Bar {
    /// The label at the left.
    pub label: String,
    /// The bar's value.
    pub value: f64,
    /// Its interval, if any (whiskers).
    pub lo: Option<f64>,
    /// Upper end of the interval.
    pub hi: Option<f64>,
    /// The text at the bar's end.
    pub text: String,
    /// The tooltip: the CSV cells behind the bar, verbatim.
    pub tip: String,
    /// Colour index into [`PALETTE`].
    pub colour: usize,
}

/// A chart of horizontal bars with optional interval whiskers.
#[derive(Clone, Debug)]
pub struct Bars {
    /// Name for tests (`data-chart`).
    pub name: String,
    /// Title for screen readers.
    pub title: String,
    /// The x axis label.
    pub x_label: String,
    /// The bars, top to bottom.
    pub bars: Vec<Bar>,
    /// How ticks read.
    pub unit: Unit,
    /// Fixed domain; `None` fits the data (always including the base).
    pub domain: Option<(f64, f64)>,
    /// Where bars start: 0, or 1 for ratios.
    pub base: f64,
    /// Log scale (ratios).
    pub log: bool,
    /// Sub-headings: (index of the first bar of the group, heading text).
    pub groups: Vec<(usize, String)>,
}

impl Bars {
    /// Bars of probabilities on a 0..max axis.
    pub fn new(name: &str, title: &str, x_label: &str, unit: Unit) -> Bars {
        Bars {
            name: name.into(),
            title: title.into(),
            x_label: x_label.into(),
            bars: Vec::new(),
            unit,
            domain: None,
            base: 0.0,
            log: false,
            groups: Vec::new(),
        }
    }
}

/// Draws [`Bars`].
pub fn bars(c: &Bars) -> String {
    let labels = c.bars.iter().map(|b| b.label.as_str());
    let label_w = column_width(labels, Some(LABEL_CHARS), (60.0, 330.0), 16.0);
    let texts = c.bars.iter().map(|b| b.text.as_str());
    let text_w = column_width(texts, None, (30.0, f64::INFINITY), 14.0);
    let (x0, x1) = (label_w, WIDTH - text_w);
    let top = 10.0;
    let group_rows = c.groups.iter().filter(|(i, _)| *i < c.bars.len()).count() as f64;
    let h_body = ROW * c.bars.len() as f64 + group_rows * ROW;
    let y_end = top + h_body;
    let scale = scale_of(c, x0, x1);
    let mut o = String::new();
    o.push_str(&x_axis(
        &scale,
        &scale.ticks(6),
        top - 4.0,
        y_end + 2.0,
        c.unit,
        &c.x_label,
    ));
    let bx = scale.at(c.base);
    let mut y = top;
    for (i, b) in c.bars.iter().enumerate() {
        if let Some((_, g)) = c.groups.iter().find(|(gi, _)| *gi == i) {
            o.push_str(&text(
                4.0,
                y + 15.0,
                "start",
                " font-weight=\"600\" fill=\"#222\"",
                &cut(g, 100),
            ));
            y += ROW;
        }
        o.push_str(&bar(c, b, &scale, (label_w, x1), y));
        y += ROW;
    }
    let _ = write!(
        o,
        "<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#555\"/>",
        f(bx),
        f(top - 4.0),
        f(y_end + 2.0)
    );
    frame(&c.name, &c.title, WIDTH, y_end + 44.0, &o)
}

/// The x scale of `c` from `x0` to `x1`: its fixed domain, or one fitted to the values and
/// intervals (always including the base; log scales around 1 for ratios).
fn scale_of(c: &Bars, x0: f64, x1: f64) -> Scale {
    let values = c
        .bars
        .iter()
        .flat_map(|b| [Some(b.value), b.lo, b.hi])
        .flatten()
        .filter(|v| v.is_finite() && (!c.log || *v > 0.0));
    let (mut lo, mut hi) = (c.base, c.base);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    match (c.domain, c.log) {
        (Some((a, b)), false) => Scale::linear(a, b, x0, x1),
        (Some((a, b)), true) => Scale::log(a, b, x0, x1),
        (None, true) => {
            let (a, b) = (lo.min(1.0) / 1.15, hi.max(1.0) * 1.15);
            Scale::log(a, b, x0, x1)
        }
        (None, false) => {
            let (a, b) = nice_range(lo, hi);
            Scale::linear(a, b, x0, x1)
        }
    }
}

/// One bar of `c` at height `y`: its label (right-aligned before `label_w`), the bar from
/// the base (a pale one to the edge `x1` for an infinite ratio), its whiskers and its text.
fn bar(c: &Bars, b: &Bar, scale: &Scale, (label_w, x1): (f64, f64), y: f64) -> String {
    let bx = scale.at(c.base);
    let colour = PALETTE[b.colour % PALETTE.len()];
    let mut g = format!("<g class=\"bar\">{}", tip(&b.tip));
    g.push_str(&text(
        label_w - 8.0,
        y + 15.0,
        "end",
        " fill=\"#222\"",
        &cut(&b.label, LABEL_CHARS),
    ));
    if b.value == f64::INFINITY {
        // An infinite ratio: a pale bar to the edge.
        let _ = write!(
            g,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{colour}\" fill-opacity=\"0.3\"/>",
            f(bx),
            f(y + 4.0),
            f((x1 - bx).max(0.8)),
            f(ROW - 8.0)
        );
    } else if b.value.is_finite() && (!c.log || b.value > 0.0) {
        let vx = scale.at(b.value);
        let _ = write!(
            g,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{colour}\" fill-opacity=\"0.85\"/>",
            f(bx.min(vx)),
            f(y + 4.0),
            f((vx - bx).abs().max(0.8)),
            f(ROW - 8.0)
        );
    }
    if let (Some(l), Some(h)) = (b.lo, b.hi) {
        let (lx, hx, cy) = (scale.at(l), scale.at(h), y + ROW / 2.0);
        let _ = write!(
            g,
            "<path d=\"M{0} {1}H{2}M{0} {3}V{4}M{2} {3}V{4}\" stroke=\"#222\" stroke-width=\"1.3\" fill=\"none\"/>",
            f(lx),
            f(cy),
            f(hx),
            f(cy - 5.0),
            f(cy + 5.0)
        );
    }
    let end = if b.value == f64::INFINITY {
        x1 - text_width(&b.text, 12.0) - 12.0
    } else {
        [Some(b.value), b.hi]
            .into_iter()
            .flatten()
            .filter(|v| v.is_finite())
            .map(|v| scale.at(v))
            .fold(bx, f64::max)
    };
    g.push_str(&text(
        end + 6.0,
        y + 15.0,
        "start",
        " class=\"value\" fill=\"#222\"",
        &b.text,
    ));
    g.push_str("</g>");
    g
}
