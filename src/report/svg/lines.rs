//! Line charts (and scatter plots) of series against a numeric x.

use std::fmt::Write;

use super::axes::{x_axis, y_axis};
use super::{
    DASHES, MARKERS, Marker, PALETTE, Scale, Unit, WIDTH, cut, esc, f, frame, nice_range, text,
    text_width, tip,
};

/// One line of a [`Lines`] chart.
#[derive(Clone, Debug, Default)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// The points (x, y), in x order.
    pub points: Vec<(f64, f64)>,
    /// An interval band (x, lo, hi), drawn under the line; empty for none.
    pub band: Vec<(f64, f64, f64)>,
    /// Tooltip of each point (empty: none); same length as `points` when given.
    pub tips: Vec<String>,
}

/// A chart of lines over a common x axis.
#[derive(Clone, Debug)]
pub struct Lines {
    /// Name for tests (`data-chart`).
    pub name: String,
    /// Title for screen readers.
    pub title: String,
    /// The x axis label.
    pub x_label: String,
    /// The y axis label.
    pub y_label: String,
    /// The lines.
    pub series: Vec<Series>,
    /// How y ticks read.
    pub y_unit: Unit,
    /// Fixed y domain (`None` fits the data from 0).
    pub y_domain: Option<(f64, f64)>,
    /// Draw a marker at each point (few points: a sweep).
    pub markers: bool,
    /// Draw only markers (scatter), no connecting line.
    pub scatter: bool,
}

fn marker(m: Marker, x: f64, y: f64, colour: &str) -> String {
    let r = 3.5;
    match m {
        Marker::Circle => format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{colour}\"/>",
            f(x),
            f(y),
            f(r)
        ),
        Marker::Square => format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{w}\" height=\"{w}\" fill=\"{colour}\"/>",
            f(x - r),
            f(y - r),
            w = f(2.0 * r)
        ),
        Marker::Triangle => format!(
            "<path d=\"M{} {}L{} {}L{} {}Z\" fill=\"{colour}\"/>",
            f(x),
            f(y - r - 1.0),
            f(x + r + 0.5),
            f(y + r),
            f(x - r - 0.5),
            f(y + r)
        ),
        Marker::Diamond => format!(
            "<path d=\"M{} {}L{} {}L{} {}L{} {}Z\" fill=\"{colour}\"/>",
            f(x),
            f(y - r - 1.0),
            f(x + r + 1.0),
            f(y),
            f(x),
            f(y + r + 1.0),
            f(x - r - 1.0),
            f(y)
        ),
        Marker::Cross => format!(
            "<path d=\"M{} {}L{} {}M{} {}L{} {}\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            f(x - r),
            f(y - r),
            f(x + r),
            f(y + r),
            f(x - r),
            f(y + r),
            f(x + r),
            f(y - r)
        ),
    }
}

/// Draws [`Lines`], with a legend under the plot.
pub fn lines(c: &Lines) -> String {
    let (x0, x1, top) = (70.0, WIDTH - 20.0, 12.0);
    let plot_h = 300.0;
    let y1 = top + plot_h;
    let all_x = c.series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (mut xa, mut xb) = (f64::INFINITY, f64::NEG_INFINITY);
    for x in all_x {
        xa = xa.min(x);
        xb = xb.max(x);
    }
    if !xa.is_finite() {
        (xa, xb) = (0.0, 1.0);
    }
    let (mut ya, mut yb) = (0.0_f64, 0.0_f64);
    for s in &c.series {
        for p in &s.points {
            ya = ya.min(p.1);
            yb = yb.max(p.1);
        }
        for b in &s.band {
            ya = ya.min(b.1);
            yb = yb.max(b.2);
        }
    }
    let (ya, yb) = c.y_domain.unwrap_or_else(|| nice_range(ya, yb.max(1e-9)));
    let xs = Scale::linear(xa, xb, x0, x1);
    let ys = Scale::linear(ya, yb, y1, top);
    let mut o = String::new();
    o.push_str(&y_axis(&ys, &ys.ticks(5), x0, x1, c.y_unit, &c.y_label));
    o.push_str(&x_axis(&xs, &xs.ticks(8), top, y1, Unit::Plain, &c.x_label));
    let _ = write!(
        o,
        "<path d=\"M{0} {1}V{2}H{3}\" stroke=\"#555\" fill=\"none\"/>",
        f(x0),
        f(top),
        f(y1),
        f(x1)
    );
    for (i, s) in c.series.iter().enumerate() {
        o.push_str(&series(c, i, s, &xs, &ys));
    }
    let (legend, end) = legend(c, x0, y1 + 56.0);
    o.push_str(&legend);
    frame(&c.name, &c.title, WIDTH, end + 12.0, &o)
}

/// Series `i` of `c` on the scales `xs` and `ys`: its band, its line and its markers (each
/// with its tooltip).
fn series(c: &Lines, i: usize, s: &Series, xs: &Scale, ys: &Scale) -> String {
    let colour = PALETTE[i % PALETTE.len()];
    let mut g = format!("<g class=\"series\" data-series=\"{}\">", esc(&s.name));
    if !s.band.is_empty() {
        let mut d = String::new();
        for (k, b) in s.band.iter().enumerate() {
            let _ = write!(
                d,
                "{}{} {}",
                if k == 0 { "M" } else { "L" },
                f(xs.at(b.0)),
                f(ys.at(b.2))
            );
        }
        for b in s.band.iter().rev() {
            let _ = write!(d, "L{} {}", f(xs.at(b.0)), f(ys.at(b.1)));
        }
        let _ = write!(
            g,
            "<path class=\"band\" d=\"{d}Z\" fill=\"{colour}\" fill-opacity=\"0.16\" stroke=\"none\"/>"
        );
    }
    if !c.scatter && s.points.len() > 1 {
        let mut d = String::new();
        for (k, p) in s.points.iter().enumerate() {
            let _ = write!(
                d,
                "{}{} {}",
                if k == 0 { "M" } else { "L" },
                f(xs.at(p.0)),
                f(ys.at(p.1))
            );
        }
        let dash = DASHES[i % DASHES.len()];
        let dash = if dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{dash}\"")
        };
        let _ = write!(
            g,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>"
        );
    }
    if c.markers || c.scatter {
        for (k, p) in s.points.iter().enumerate() {
            let m = marker(MARKERS[i % MARKERS.len()], xs.at(p.0), ys.at(p.1), colour);
            match s.tips.get(k) {
                Some(t) => {
                    let _ = write!(g, "<g class=\"point\">{}{m}</g>", tip(t));
                }
                None => g.push_str(&m),
            }
        }
    }
    g.push_str("</g>");
    g
}

/// The legend: rows of entries from `x0` at height `y`, a new row when one is full; and the
/// height of its last row.
fn legend(c: &Lines, x0: f64, y: f64) -> (String, f64) {
    let mut lx = x0;
    let mut ly = y;
    let mut o = String::new();
    for (i, s) in c.series.iter().enumerate() {
        let name = cut(&s.name, 60);
        let w = 40.0 + text_width(&name, 12.0) + 18.0;
        if lx + w > WIDTH && lx > x0 {
            lx = x0;
            ly += 20.0;
        }
        let colour = PALETTE[i % PALETTE.len()];
        let dash = DASHES[i % DASHES.len()];
        let dash = if dash.is_empty() || c.scatter {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{dash}\"")
        };
        let _ = write!(o, "<g class=\"legend\">");
        if !c.scatter {
            let _ = write!(
                o,
                "<line x1=\"{}\" x2=\"{}\" y1=\"{2}\" y2=\"{2}\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>",
                f(lx),
                f(lx + 30.0),
                f(ly - 4.0)
            );
        }
        if c.markers || c.scatter {
            o.push_str(&marker(
                MARKERS[i % MARKERS.len()],
                lx + 15.0,
                ly - 4.0,
                colour,
            ));
        }
        o.push_str(&text(lx + 36.0, ly, "start", " fill=\"#222\"", &name));
        o.push_str("</g>");
        lx += w;
    }
    (o, ly)
}
