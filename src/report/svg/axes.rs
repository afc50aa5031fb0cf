//! Scales from data to pixels, round ticks, and the axes drawn from them.

use std::fmt::Write;

use super::text::trim_zeros;
use super::{esc, f, num, pct, text};

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
pub(super) fn x_axis(
    s: &Scale,
    ticks: &[f64],
    y0: f64,
    y1: f64,
    unit: Unit,
    label: &str,
) -> String {
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
pub(super) fn y_axis(
    s: &Scale,
    ticks: &[f64],
    x0: f64,
    x1: f64,
    unit: Unit,
    label: &str,
) -> String {
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
