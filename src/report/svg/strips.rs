//! Quantile strips (five quantiles and a mean per row) and dot plots.

use std::fmt::Write;

use super::axes::x_axis;
use super::{
    LABEL_CHARS, PALETTE, ROW, Scale, Unit, WIDTH, column_width, cut, f, frame, nice_range, text,
    tip,
};

/// One row of a [`Strips`] chart: five quantiles and the mean of a time.
#[derive(Clone, Debug, Default)]
pub struct Strip {
    /// Label at the left.
    pub label: String,
    /// p05, p25, p50, p75, p95.
    pub q: [f64; 5],
    /// The mean, if known.
    pub mean: Option<f64>,
    /// The text at the right (e.g. "median 19.4 days, in 90% of runs").
    pub text: String,
    /// Tooltip: the CSV cells.
    pub tip: String,
}

/// Quantile strips (box plots without outliers) on a common axis.
#[derive(Clone, Debug)]
pub struct Strips {
    /// Name for tests.
    pub name: String,
    /// Title for screen readers.
    pub title: String,
    /// The axis label.
    pub x_label: String,
    /// The rows.
    pub rows: Vec<Strip>,
    /// Fixed domain (the horizon), or fit.
    pub domain: Option<(f64, f64)>,
}

/// Draws [`Strips`]: a thin line p05..p95, a box p25..p75, a bar at p50, a dot at the mean.
pub fn strips(c: &Strips) -> String {
    let labels = c.rows.iter().map(|b| b.label.as_str());
    let label_w = column_width(labels, Some(LABEL_CHARS), (60.0, 330.0), 16.0);
    let texts = c.rows.iter().map(|b| b.text.as_str());
    let text_w = column_width(texts, None, (30.0, 240.0), 14.0);
    let (x0, x1, top) = (label_w, WIDTH - text_w, 10.0);
    let y_end = top + ROW * c.rows.len() as f64;
    let (a, b) = c.domain.unwrap_or_else(|| {
        let hi = c.rows.iter().map(|r| r.q[4]).fold(0.0_f64, f64::max);
        nice_range(0.0, hi.max(1e-9))
    });
    let s = Scale::linear(a, b, x0, x1);
    let mut o = x_axis(
        &s,
        &s.ticks(8),
        top - 4.0,
        y_end + 2.0,
        Unit::Plain,
        &c.x_label,
    );
    for (i, r) in c.rows.iter().enumerate() {
        let y = top + ROW * i as f64;
        let cy = y + ROW / 2.0;
        let colour = PALETTE[0];
        let x = |v: f64| f(s.at(v));
        let _ = write!(
            o,
            "<g class=\"strip\">{}{}<line x1=\"{}\" x2=\"{}\" y1=\"{cy}\" y2=\"{cy}\" stroke=\"#333\"/>",
            tip(&r.tip),
            text(
                label_w - 8.0,
                y + 15.0,
                "end",
                " fill=\"#222\"",
                &cut(&r.label, LABEL_CHARS)
            ),
            x(r.q[0]),
            x(r.q[4]),
            cy = f(cy),
        );
        let _ = write!(
            o,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"12\" fill=\"{colour}\" fill-opacity=\"0.35\" stroke=\"{colour}\"/>",
            x(r.q[1]),
            f(cy - 6.0),
            f((s.at(r.q[3]) - s.at(r.q[1])).max(1.0)),
        );
        let _ = write!(
            o,
            "<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#000\" stroke-width=\"2.5\"/>",
            x(r.q[2]),
            f(cy - 7.0),
            f(cy + 7.0)
        );
        if let Some(m) = r.mean {
            let _ = write!(
                o,
                "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"#fff\" stroke=\"#000\"/>",
                x(m),
                f(cy)
            );
        }
        o.push_str(&text(
            x1 + 8.0,
            y + 15.0,
            "start",
            " class=\"value\" fill=\"#222\"",
            &r.text,
        ));
        o.push_str("</g>");
    }
    frame(&c.name, &c.title, WIDTH, y_end + 44.0, &o)
}

/// A dot plot: per row, one dot per value (tooltip each), on a common percent axis.
pub fn dots(name: &str, rows: &[(String, Vec<(f64, String)>)], x_label: &str) -> String {
    let labels = rows.iter().map(|(l, _)| l.as_str());
    let label_w = column_width(labels, Some(LABEL_CHARS), (60.0, 330.0), 16.0);
    let (x0, x1, top) = (label_w, WIDTH - 20.0, 10.0);
    let y_end = top + ROW * rows.len() as f64;
    let hi = rows
        .iter()
        .flat_map(|(_, v)| v.iter().map(|p| p.0))
        .fold(0.0_f64, f64::max);
    let (a, b) = nice_range(0.0, hi.max(1e-9));
    let s = Scale::linear(a, b.min(1.0), x0, x1);
    let mut o = x_axis(
        &s,
        &s.ticks(8),
        top - 4.0,
        y_end + 2.0,
        Unit::Percent,
        x_label,
    );
    for (i, (label, vals)) in rows.iter().enumerate() {
        let y = top + ROW * i as f64;
        let cy = y + ROW / 2.0;
        o.push_str("<g class=\"dots\">");
        o.push_str(&text(
            label_w - 8.0,
            y + 15.0,
            "end",
            " fill=\"#222\"",
            &cut(label, LABEL_CHARS),
        ));
        for (v, t) in vals {
            let _ = write!(
                o,
                "<g class=\"point\">{}<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\" fill-opacity=\"0.6\"/></g>",
                tip(t),
                f(s.at(*v)),
                f(cy),
                PALETTE[i % PALETTE.len()]
            );
        }
        o.push_str("</g>");
    }
    frame(name, x_label, WIDTH, y_end + 44.0, &o)
}
