//! Charts as inline SVG, drawn by rungs: no script, no font, no network.
//!
//! Every chart is a `<svg class="chart" data-chart="NAME">` element with a `<title>` for
//! screen readers. Every value drawn carries a `<title>` (a browser's tooltip) that quotes
//! the CSV cells it comes from verbatim, and the visible numbers are those cells rounded for
//! reading. All text is escaped ([`esc`]): labels come from scenario files, which anyone may
//! have written.
//!
//! Colours are the Okabe-Ito palette (distinguishable with the common colour-vision
//! deficiencies); lines also differ by dash pattern and marker, so that a greyscale print
//! still tells them apart.
//!
//! One file per kind of chart ([`bars()`], [`lines()`], [`strips()`] and [`dots()`],
//! [`heat()`], [`tornado()`]); the number formats in `text.rs`, scales and axes in
//! `axes.rs`, and here what every chart shares: the palette, the frame and the text
//! elements.

mod axes;
mod bars;
mod heat;
mod lines;
mod strips;
mod text;
mod tornado;

pub use axes::{Scale, Unit, nice_range};
pub use bars::{Bar, Bars, bars};
pub use heat::{Heat, heat};
pub use lines::{Lines, Series, lines};
pub use strips::{Strip, Strips, dots, strips};
pub use text::{cut, esc, num, pct};
pub use tornado::{Tornado, TornadoRow, tornado};

/// The most characters of a bar's or a strip's label; longer ones are cut with `…` (the
/// label column is at most 330 px wide at 12 px).
pub const LABEL_CHARS: usize = 48;

use text::text_width;

/// Okabe-Ito colours, darkest first after black.
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C6D1F",
];

/// Dash patterns, paired with [`PALETTE`] by index.
const DASHES: [&str; 8] = ["", "6 3", "2 2", "8 3 2 3", "", "4 4", "1 3", "10 4"];

/// Marker shapes, paired with [`PALETTE`] by index.
const MARKERS: [Marker; 8] = [
    Marker::Circle,
    Marker::Square,
    Marker::Triangle,
    Marker::Diamond,
    Marker::Cross,
    Marker::Circle,
    Marker::Square,
    Marker::Triangle,
];

#[derive(Clone, Copy)]
enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    Cross,
}

/// The height of one row of a bar, strip, tornado or dot chart.
const ROW: f64 = 22.0;
/// The width of the charts (a heat map with few columns is narrower).
const WIDTH: f64 = 820.0;

/// The width of a column of texts at 12px, each cut to `cut_at` characters when given: that
/// of the widest, at least `min` and at most `max`, plus `pad`.
fn column_width<'a>(
    texts: impl Iterator<Item = &'a str>,
    cut_at: Option<usize>,
    (min, max): (f64, f64),
    pad: f64,
) -> f64 {
    texts
        .map(|t| match cut_at {
            Some(n) => text_width(&cut(t, n), 12.0),
            None => text_width(t, 12.0),
        })
        .fold(min, f64::max)
        .min(max)
        + pad
}

fn f(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// The frame of every chart: `<svg>` with a title, text style and the given body.
fn frame(name: &str, title: &str, w: f64, h: f64, body: &str) -> String {
    format!(
        "<svg class=\"chart\" data-chart=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" \
         viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" \
         font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif\" \
         font-size=\"12\"><title>{}</title>{}</svg>",
        esc(name),
        f(w),
        f(h),
        f(w),
        f(h),
        esc(title),
        body
    )
}

fn text(x: f64, y: f64, anchor: &str, extra: &str, s: &str) -> String {
    format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\"{extra}>{}</text>",
        f(x),
        f(y),
        esc(s)
    )
}

fn tip(s: &str) -> String {
    format!("<title>{}</title>", esc(s))
}

#[cfg(test)]
mod tests {
    use super::axes::nice_ticks;
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            esc("<script>alert('x')</script>&\u{1b}\u{202e}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;\u{fffd}\u{fffd}"
        );
    }

    #[test]
    fn percentages_read_well() {
        assert_eq!(pct(0.2386), "23.9%");
        assert_eq!(pct(0.0235), "2.35%");
        assert_eq!(pct(0.00054), "0.054%");
        assert_eq!(pct(0.005), "0.50%");
        assert_eq!(pct(0.0025), "0.25%");
        assert_eq!(pct(1.0), "100%");
        assert_eq!(pct(0.0), "0%");
        assert_eq!(pct(0.5), "50.0%");
        assert_eq!(pct(0.2302), "23.0%");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(num(12345.6), "12,346");
        assert_eq!(num(-1234.0), "-1,234");
        assert_eq!(num(0.012345), "0.0123");
        assert_eq!(num(19.374), "19.4");
        assert_eq!(num(365.0), "365");
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(
            nice_ticks(0.0, 365.0, 8),
            vec![0.0, 50.0, 100.0, 150.0, 200.0, 250.0, 300.0, 350.0]
        );
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
    }
}
