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

use std::fmt::Write;

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

/// Text escaped for HTML and SVG (element content and attribute values alike). Characters
/// that XML forbids (control characters other than tab and newline) become U+FFFD.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || (0x7f..0xa0).contains(&(c as u32)) => out.push('\u{fffd}'),
            // Bidirectional overrides would reorder the text around the label.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `s` cut to at most `n` characters, with `…` when cut.
pub fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A probability as a percentage for reading: three significant digits at most, at most
/// three decimals (`23.9%`, `2.35%`, `0.054%`, `100%`, `0%`).
pub fn pct(p: f64) -> String {
    let v = p * 100.0;
    if v == 0.0 {
        return "0%".into();
    }
    let mag = v.abs().log10().floor() as i32;
    let decimals = (2 - mag).clamp(0, 3) as usize;
    let s = format!("{v:.decimals$}");
    if v.abs() < 1.0 {
        // Below 1%: at least two decimals, no trailing zero past them (0.50%, 0.054%).
        let t = s.trim_end_matches('0');
        let keep = t.find('.').map_or(t.len(), |d| (d + 3).max(t.len()));
        return format!("{}%", &s[..keep.min(s.len())]);
    }
    format!("{s}%")
}

/// A number for reading: three significant digits for small ones, whole numbers with
/// thousands separators for large ones (`0.0123`, `4.56`, `12.3`, `1,234`).
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if a >= 1000.0 {
        let r = v.round() as i64;
        let digits = r.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        return if r < 0 { format!("-{out}") } else { out };
    }
    let mag = a.log10().floor() as i32;
    let decimals = (2 - mag).clamp(0, 6) as usize;
    trim_zeros(&format!("{v:.decimals$}"))
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// The width in pixels of `s` at 12px in a sans-serif font, roughly (for layout).
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | '\'' | '|' | ':' | ';' | '!' => 0.3,
            'm' | 'w' | 'M' | 'W' | '%' => 0.85,
            c if c.is_uppercase() => 0.68,
            _ => 0.55,
        })
        .sum::<f64>()
        * size
}

/// A linear or logarithmic map from data to pixels.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
    log: bool,
}

impl Scale {
    /// A linear scale from `[d0, d1]` to `[r0, r1]`.
    pub fn linear(d0: f64, d1: f64, r0: f64, r1: f64) -> Scale {
        let (d0, d1) = if d1 > d0 { (d0, d1) } else { (d0, d0 + 1.0) };
        Scale {
            d0,
            d1,
            r0,
            r1,
            log: false,
        }
    }

    /// A base-10 logarithmic scale from `[d0, d1]` (both positive) to `[r0, r1]`.
    pub fn log(d0: f64, d1: f64, r0: f64, r1: f64) -> Scale {
        let (d0, d1) = (d0.max(1e-300), d1.max(d0 * 10.0_f64.powf(0.1)));
        Scale {
            d0: d0.log10(),
            d1: d1.log10(),
            r0,
            r1,
            log: true,
        }
    }

    /// The pixel position of `v` (clamped to the range).
    pub fn at(&self, v: f64) -> f64 {
        let v = if self.log { v.max(1e-300).log10() } else { v };
        let t = ((v - self.d0) / (self.d1 - self.d0)).clamp(-0.02, 1.02);
        self.r0 + t * (self.r1 - self.r0)
    }

    /// Tick values: about `n` round numbers on a linear scale, powers of ten (and 2, 5
    /// between when few) on a log scale.
    pub fn ticks(&self, n: usize) -> Vec<f64> {
        if self.log {
            let (a, b) = (self.d0.floor() as i32, self.d1.ceil() as i32);
            let mut out = Vec::new();
            for e in a..=b {
                for m in [1.0, 2.0, 5.0] {
                    if m != 1.0 && b - a > 2 {
                        continue;
                    }
                    let v = m * 10f64.powi(e);
                    let l = v.log10();
                    if l >= self.d0 - 1e-9 && l <= self.d1 + 1e-9 {
                        out.push(v);
                    }
                }
            }
            return out;
        }
        nice_ticks(self.d0, self.d1, n)
    }
}

/// Round tick values covering `[lo, hi]`, about `n` of them.
pub fn nice_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if hi <= lo || !lo.is_finite() || !hi.is_finite() {
        return vec![lo];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() * step;
    let mut out = Vec::new();
    let mut k = 0;
    loop {
        let v = first + k as f64 * step;
        if v > hi + step * 1e-9 {
            break;
        }
        // Snap float noise (0.6000000000000001) to the tick's own precision.
        let scale = 10f64.powi((-step.log10().floor()).max(0.0) as i32 + 1);
        out.push((v * scale).round() / scale);
        k += 1;
        if k > 50 {
            break;
        }
    }
    out
}

/// A value range `[lo, hi]` widened to round ends.
pub fn nice_range(lo: f64, hi: f64) -> (f64, f64) {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return (lo - pad, hi + pad);
    }
    let t = nice_ticks(lo, hi, 5);
    let step = if t.len() > 1 { t[1] - t[0] } else { hi - lo };
    ((lo / step).floor() * step, (hi / step).ceil() * step)
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

/// Formats a tick value on an axis (`fmt` decides percent or plain).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unit {
    /// Probabilities shown as percentages.
    Percent,
    /// Plain numbers.
    Plain,
    /// Ratios on a log scale (`×2`).
    Ratio,
}

fn tick_label(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Percent => {
            let p = pct(v);
            match p.strip_suffix('%') {
                Some(n) if n.contains('.') => format!("{}%", trim_zeros(n)),
                _ => p,
            }
        }
        Unit::Plain => num(v),
        Unit::Ratio => format!("×{}", num(v)),
    }
}

/// Vertical grid lines and tick labels of an x axis at `y0..y1`, with its label below.
fn x_axis(s: &Scale, ticks: &[f64], y0: f64, y1: f64, unit: Unit, label: &str) -> String {
    let mut o = String::new();
    for &t in ticks {
        let x = s.at(t);
        let _ = write!(
            o,
            "<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#ddd\"/>",
            f(x),
            f(y0),
            f(y1)
        );
        o.push_str(&text(
            x,
            y1 + 15.0,
            "middle",
            " class=\"tick\" fill=\"#444\"",
            &tick_label(t, unit),
        ));
    }
    let mid = (s.r0 + s.r1) / 2.0;
    o.push_str(&text(mid, y1 + 33.0, "middle", " fill=\"#222\"", label));
    o
}

/// Horizontal grid lines and tick labels of a y axis at `x0..x1`, label rotated at the left.
fn y_axis(s: &Scale, ticks: &[f64], x0: f64, x1: f64, unit: Unit, label: &str) -> String {
    let mut o = String::new();
    for &t in ticks {
        let y = s.at(t);
        let _ = write!(
            o,
            "<line x1=\"{}\" x2=\"{}\" y1=\"{2}\" y2=\"{2}\" stroke=\"#ddd\"/>",
            f(x0),
            f(x1),
            f(y)
        );
        o.push_str(&text(
            x0 - 6.0,
            y + 4.0,
            "end",
            " class=\"tick\" fill=\"#444\"",
            &tick_label(t, unit),
        ));
    }
    let mid = (s.r0 + s.r1) / 2.0;
    let _ = write!(
        o,
        "<text transform=\"translate(14 {}) rotate(-90)\" text-anchor=\"middle\" fill=\"#222\">{}</text>",
        f(mid),
        esc(label)
    );
    o
}

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

const ROW: f64 = 22.0;
const WIDTH: f64 = 820.0;

/// Draws [`Bars`].
pub fn bars(c: &Bars) -> String {
    let label_w = c
        .bars
        .iter()
        .map(|b| text_width(&cut(&b.label, 48), 12.0))
        .fold(60.0_f64, f64::max)
        .min(330.0)
        + 16.0;
    let text_w = c
        .bars
        .iter()
        .map(|b| text_width(&b.text, 12.0))
        .fold(30.0_f64, f64::max)
        + 14.0;
    let (x0, x1) = (label_w, WIDTH - text_w);
    let top = 10.0;
    let group_rows = c.groups.iter().filter(|(i, _)| *i < c.bars.len()).count() as f64;
    let h_body = ROW * c.bars.len() as f64 + group_rows * ROW;
    let y_end = top + h_body;
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
    let scale = match (c.domain, c.log) {
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
    };
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
        let colour = PALETTE[b.colour % PALETTE.len()];
        let mut g = format!("<g class=\"bar\">{}", tip(&b.tip));
        g.push_str(&text(
            label_w - 8.0,
            y + 15.0,
            "end",
            " fill=\"#222\"",
            &cut(&b.label, 48),
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
        o.push_str(&g);
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
        o.push_str(&g);
    }
    // Legend: rows of entries under the x axis label.
    let mut lx = x0;
    let mut ly = y1 + 56.0;
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
    frame(&c.name, &c.title, WIDTH, ly + 12.0, &o)
}

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
    let label_w = c
        .rows
        .iter()
        .map(|b| text_width(&cut(&b.label, 48), 12.0))
        .fold(60.0_f64, f64::max)
        .min(330.0)
        + 16.0;
    let text_w = c
        .rows
        .iter()
        .map(|b| text_width(&b.text, 12.0))
        .fold(30.0_f64, f64::max)
        .min(240.0)
        + 14.0;
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
                &cut(&r.label, 48)
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
    let label_w = c
        .rows
        .iter()
        .map(|r| text_width(r, 12.0))
        .fold(40.0_f64, f64::max)
        + 40.0;
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
    // Colour key.
    let ky = y_end + 34.0;
    for k in 0..=20 {
        let _ = write!(
            o,
            "<rect x=\"{}\" y=\"{}\" width=\"9\" height=\"10\" fill=\"{}\"/>",
            f(label_w + 9.0 * k as f64),
            f(ky),
            sequential(k as f64 / 20.0)
        );
    }
    if lo.is_finite() {
        o.push_str(&text(
            label_w - 4.0,
            ky + 9.0,
            "end",
            " class=\"tick\" fill=\"#444\"",
            &pct(lo),
        ));
        o.push_str(&text(
            label_w + 9.0 * 21.0 + 4.0,
            ky + 9.0,
            "start",
            " class=\"tick\" fill=\"#444\"",
            &pct(hi),
        ));
    }
    let w = (label_w + cw * ncols + 20.0).max(label_w + 260.0);
    frame(&c.name, &c.title, w, ky + 20.0, &o)
}

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
    let label_w = c
        .rows
        .iter()
        .map(|b| text_width(&cut(&b.label, 40), 12.0))
        .fold(60.0_f64, f64::max)
        .min(300.0)
        + 16.0;
    let text_w = c
        .rows
        .iter()
        .map(|b| text_width(&b.text, 12.0))
        .fold(30.0_f64, f64::max)
        .min(260.0)
        + 14.0;
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
    // Key.
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
    let centre = c.base.unwrap_or(f64::NAN);
    for (i, r) in c.rows.iter().enumerate() {
        let y = top + ROW * i as f64;
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
        o.push_str(&g);
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

/// A dot plot: per row, one dot per value (tooltip each), on a common percent axis.
pub fn dots(name: &str, rows: &[(String, Vec<(f64, String)>)], x_label: &str) -> String {
    let label_w = rows
        .iter()
        .map(|(l, _)| text_width(&cut(l, 48), 12.0))
        .fold(60.0_f64, f64::max)
        .min(330.0)
        + 16.0;
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
            &cut(label, 48),
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

#[cfg(test)]
mod tests {
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
