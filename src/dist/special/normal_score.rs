//! From a standard normal score z to a quantile, fast: what the Gaussian copula of
//! `[[correlations]]` does for every correlated parameter of every run.
//!
//! The robust inverses of the parent module ([`gamma_inc_inv`], [`beta_inc_inv`]) bracket
//! the root and need ~10 to 60 evaluations of the CDF; here a good start (from z itself,
//! which the copula has already) and Halley's method need 2 or 3, with the constants of the
//! shape computed once, when the scenario loads ([`BetaInverse::new`], [`GammaInverse::new`]).
//!
//! Error bound: Halley's iteration converges cubically; it stops when a step is below
//! [`STEP`] relative to x (and to 1 - x for the beta), so x is the root of the computed CDF
//! to ~1e-13 relative. The computed CDF's own relative error δ (below 1e-12, see
//! [`beta_inc`] and [`gamma_inc`]) moves the root by at most δ min(p, 1 - p) / f(x). A start
//! that does not converge within [`MAX_STEPS`] (never seen in the tests) falls back on the
//! robust inverse. Tested over shapes 0.3 to 50 and z in [-8, 8]: the CDF's tail at x is
//! the normal tail asked for to 1e-10 of it (the robust inverses take p alone, so in the
//! upper tail they lose the digits of 1 - p that these keep).

use super::{BetaShape, GammaShape, beta_tails_inv, gamma_tails_inv, ln_gamma};
#[cfg(test)]
use super::{beta_inc_inv, gamma_inc_inv};

/// Halley's iteration stops when a step is below this, relative to x.
const STEP: f64 = 1e-13;

/// At most this many Halley steps before falling back on the robust inverse.
const MAX_STEPS: usize = 12;

/// (P(Z <= z), P(Z > z)) for a standard normal Z, each to full relative precision in its
/// own tail (the smaller of the two from erfc, the other as 1 minus it).
#[inline]
pub(crate) fn normal_tails(z: f64) -> (f64, f64) {
    let small = libm::erfc(z.abs() * std::f64::consts::FRAC_1_SQRT_2) / 2.0;
    if z < 0.0 {
        (small, 1.0 - small)
    } else {
        (1.0 - small, small)
    }
}

/// Normal scores beyond this (probability 1e-15 per draw) are not tabulated: Halley there.
/// (At z = 8, 1 - x of a beta is still a few float steps below 1.)
const TABLE_Z: f64 = 8.0;

/// Intervals of the table over [-TABLE_Z, TABLE_Z].
const TABLE_INTERVALS: usize = 1024;

/// A table is used only if its error, measured at every interval's midpoint (where a
/// Hermite cubic's error peaks), is below this relative to x (to min(x, 1 - x) for the
/// beta); otherwise every draw uses Halley's method. 1e-8 is six orders of magnitude below
/// the sampling error of any statistic of 10^8 runs; the tables of the shapes tested (0.5 to
/// 50) all stay below 1e-9.
pub(crate) const TABLE_TOLERANCE: f64 = 1e-8;

/// A quantile function tabulated on normal scores: values and slopes of a transform T of x
/// (ln x for the gamma, logit x for the beta, which are smooth in z into both tails) at
/// equally spaced z, and a cubic Hermite interpolant between them: one interval look-up and
/// a cubic per draw instead of 2 or 3 evaluations of the incomplete beta or gamma.
#[derive(Debug)]
pub(crate) struct InverseTable {
    inv_h: f64,
    h: f64,
    /// (T, dT/dz) at z = -TABLE_Z + i h.
    nodes: Vec<(f64, f64)>,
    /// The largest relative error found at the midpoints.
    pub(crate) error: f64,
}

impl InverseTable {
    /// The table of `exact(z) = (T, dT/dz)`, if `close(interpolated T, exact T)` (a relative
    /// error in x) stays below [`TABLE_TOLERANCE`] at every midpoint.
    fn new(
        exact: impl Fn(f64) -> (f64, f64),
        error: impl Fn(f64, f64) -> f64,
    ) -> Option<InverseTable> {
        let h = 2.0 * TABLE_Z / TABLE_INTERVALS as f64;
        let z = |i: usize| -TABLE_Z + i as f64 * h;
        let nodes: Vec<(f64, f64)> = (0..=TABLE_INTERVALS).map(|i| exact(z(i))).collect();
        if nodes.iter().any(|(t, d)| !t.is_finite() || !d.is_finite()) {
            return None;
        }
        let mut table = InverseTable {
            inv_h: 1.0 / h,
            h,
            nodes,
            error: 0.0,
        };
        for i in 0..TABLE_INTERVALS {
            let mid = z(i) + h / 2.0;
            let e = error(table.eval(mid)?, exact(mid).0);
            if e.is_nan() || e > TABLE_TOLERANCE {
                return None;
            }
            table.error = table.error.max(e);
        }
        Some(table)
    }

    /// T at `z`, if `z` is inside the table.
    #[inline]
    fn eval(&self, z: f64) -> Option<f64> {
        let u = (z + TABLE_Z) * self.inv_h;
        if !(u >= 0.0 && u < TABLE_INTERVALS as f64) {
            return None;
        }
        let i = u as usize;
        let t = u - i as f64;
        let ((y0, d0), (y1, d1)) = (self.nodes[i], self.nodes[i + 1]);
        // Cubic Hermite on [0, 1] with slopes scaled to the interval.
        let (m0, m1) = (d0 * self.h, d1 * self.h);
        let t2 = t * t;
        let t3 = t2 * t;
        Some(
            (2.0 * t3 - 3.0 * t2 + 1.0) * y0
                + (t3 - 2.0 * t2 + t) * m0
                + (-2.0 * t3 + 3.0 * t2) * y1
                + (t3 - t2) * m1,
        )
    }
}

/// The density of the standard normal.
fn normal_density(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// The upper-tail normal deviate as Numerical Recipes' starts use it: -z.
#[inline]
fn upper(z: f64) -> f64 {
    -z
}

/// The quantile function of Beta(a, b) on normal scores, with its constants.
#[derive(Clone, Debug)]
pub(crate) struct BetaInverse {
    shape: BetaShape,
    /// a >= 1 and b >= 1: the start is Abramowitz and Stegun 26.5.22 (with `h` and `w1`);
    /// otherwise the two tails' power laws, split at `split` (with `t_a`, `u_b`).
    large: bool,
    h: f64,
    w1: f64,
    split: f64,
    aw: f64,
    bw: f64,
    /// The tabulated inverse, once [`BetaInverse::tabulate`] has run (and met its bound).
    table: Option<std::sync::Arc<InverseTable>>,
}

impl BetaInverse {
    /// The constants of Beta(a, b), a, b > 0.
    pub(crate) fn new(a: f64, b: f64) -> BetaInverse {
        let large = a >= 1.0 && b >= 1.0;
        let h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0));
        let w1 = 1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0);
        let (lna, lnb) = ((a / (a + b)).ln(), (b / (a + b)).ln());
        let t = (a * lna).exp() / a;
        let u = (b * lnb).exp() / b;
        let w = t + u;
        BetaInverse {
            shape: BetaShape::new(a, b),
            large,
            h,
            w1,
            split: t / w,
            aw: a * w,
            bw: b * w,
            table: None,
        }
    }

    /// Tabulates the inverse in logit x (2,049 exact inversions: ~1 ms, once per
    /// correlated parameter at load).
    pub(crate) fn tabulate(&mut self) {
        let (a, b) = (self.shape.a, self.shape.b);
        let exact = |z: f64| {
            let x = self.halley(z);
            let y = 1.0 - x;
            // d logit(x) / dz = phi(z) / (f(x) x y), and f(x) x y = a b / (a + b) term.
            let slope = normal_density(z) / (a * b / (a + b) * self.shape.term(x, y));
            ((x / y).ln(), slope)
        };
        // Relative to x in the lower half, to 1 - x in the upper, but not finer than x can
        // hold near 1 (a float step of 1.1e-16 is 1e-9 of 1 - x = 1.1e-7).
        let error = |got: f64, want: f64| {
            let (xg, xw) = (logistic(got), logistic(want));
            if want < 0.0 {
                (xg - xw).abs() / xw
            } else {
                (xg - xw).abs() / (1.0 - xw).max(1.1e-7)
            }
        };
        self.table = InverseTable::new(exact, error).map(std::sync::Arc::new);
    }

    /// The table's measured error, if it has one.
    #[cfg(test)]
    pub(crate) fn table_error(&self) -> Option<f64> {
        self.table.as_ref().map(|t| t.error)
    }

    /// The x in [0, 1] with I_x(a, b) = P(Z <= z): from the table when there is one.
    #[inline]
    pub(crate) fn at_score(&self, z: f64) -> f64 {
        match self.table.as_ref().and_then(|t| t.eval(z)) {
            Some(l) => logistic(l),
            None => self.halley(z),
        }
    }

    /// The x in [0, 1] with I_x(a, b) = P(Z <= z), by Halley's method.
    fn halley(&self, z: f64) -> f64 {
        let (p, q) = normal_tails(z);
        if p == 0.0 {
            return 0.0;
        }
        if q == 0.0 {
            return 1.0;
        }
        let (a, b) = (self.shape.a, self.shape.b);
        let mut x = if self.large {
            let y = upper(z);
            let al = (y * y - 3.0) / 6.0;
            let h = self.h;
            let w = y * (al + h).sqrt() / h - self.w1 * (al + 5.0 / 6.0 - 2.0 / (3.0 * h));
            a / (a + b * (2.0 * w).exp())
        } else if p < self.split {
            (self.aw * p).powf(1.0 / a)
        } else {
            1.0 - (self.bw * q).powf(1.0 / b)
        };
        let lower = p <= 0.5;
        for _ in 0..MAX_STEPS {
            if !(x > 0.0 && x < 1.0) {
                break;
            }
            let y = 1.0 - x;
            let (below, above) = self.shape.inc(x, y);
            let err = if lower { below - p } else { q - above };
            let density = a * b / (a + b) * self.shape.term(x, y) / (x * y);
            let u = err / density;
            let curve = u * ((a - 1.0) / x - (b - 1.0) / y);
            let step = u / (1.0 - 0.5 * curve.min(1.0));
            let next = x - step;
            // Out of (0, 1): halve the way to the edge instead.
            let next = if next <= 0.0 {
                x / 2.0
            } else if next >= 1.0 {
                (x + 1.0) / 2.0
            } else {
                next
            };
            if (next - x).abs() <= STEP * x.min(y) || next == x {
                return next;
            }
            x = next;
        }
        beta_tails_inv(a, b, p, q)
    }
}

/// The quantile function of Gamma(a, 1) on normal scores, with its constants.
#[derive(Clone, Debug)]
pub(crate) struct GammaInverse {
    shape: GammaShape,
    /// For a <= 1: the lower tail's power law below `t`, an exponential tail above it.
    t: f64,
    /// ln Gamma(a + 1), for the start of small shapes.
    ln_gamma_a1: f64,
    /// The tabulated inverse, once [`GammaInverse::tabulate`] has run (and met its bound).
    table: Option<std::sync::Arc<InverseTable>>,
}

impl GammaInverse {
    /// The constants of Gamma(a, 1), a > 0.
    pub(crate) fn new(a: f64) -> GammaInverse {
        GammaInverse {
            shape: GammaShape::new(a),
            t: 1.0 - a * (0.253 + a * 0.12),
            ln_gamma_a1: ln_gamma(a + 1.0),
            table: None,
        }
    }

    /// Tabulates the inverse in ln x (as [`BetaInverse::tabulate`]).
    pub(crate) fn tabulate(&mut self) {
        let a = self.shape.a;
        let exact = |z: f64| {
            let x = self.halley(z);
            // d ln(x) / dz = phi(z) / (f(x) x), and f(x) x = a term.
            (x.ln(), normal_density(z) / (a * self.shape.term(x)))
        };
        let error = |got: f64, want: f64| (got.exp() - want.exp()).abs() / want.exp();
        self.table = InverseTable::new(exact, error).map(std::sync::Arc::new);
    }

    /// The table's measured error, if it has one.
    #[cfg(test)]
    pub(crate) fn table_error(&self) -> Option<f64> {
        self.table.as_ref().map(|t| t.error)
    }

    /// The x >= 0 with P(a, x) = P(Z <= z): from the table when there is one.
    #[inline]
    pub(crate) fn at_score(&self, z: f64) -> f64 {
        match self.table.as_ref().and_then(|t| t.eval(z)) {
            Some(l) => l.exp(),
            None => self.halley(z),
        }
    }

    /// The x >= 0 with P(a, x) = P(Z <= z), by Halley's method.
    fn halley(&self, z: f64) -> f64 {
        let (p, q) = normal_tails(z);
        if p == 0.0 {
            return 0.0;
        }
        if q == 0.0 {
            return f64::INFINITY;
        }
        let a = self.shape.a;
        // Wilson and Hilferty's cube-root normal approximation; for small shapes the tails'
        // own forms (Numerical Recipes' `invgammp`).
        let wh = 1.0 - 1.0 / (9.0 * a) - upper(z) / (3.0 * a.sqrt());
        let mut x = if a > 1.0 && wh > 0.0 {
            a * wh * wh * wh
        } else if a > 1.0 || p < self.t {
            ((p.ln() + self.ln_gamma_a1) / a).exp()
        } else {
            1.0 - (q / (1.0 - self.t)).ln()
        };
        let lower = p <= 0.5;
        for _ in 0..MAX_STEPS {
            if !(x > 0.0 && x.is_finite()) {
                break;
            }
            let (below, above) = self.shape.inc(x);
            let err = if lower { below - p } else { q - above };
            let density = a * self.shape.term(x) / x;
            let u = err / density;
            let step = u / (1.0 - 0.5 * (u * ((a - 1.0) / x - 1.0)).min(1.0));
            let next = x - step;
            let next = if next <= 0.0 { x / 2.0 } else { next };
            if (next - x).abs() <= STEP * x || next == x {
                return next;
            }
            x = next;
        }
        gamma_tails_inv(a, p, q)
    }
}

/// 1 / (1 + e^-l).
#[inline]
fn logistic(l: f64) -> f64 {
    1.0 / (1.0 + (-l).exp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::special::inverse_normal_cdf;

    /// The fast inverses hit their target: the CDF's tail at the returned x is the normal
    /// tail asked for, to 1e-10 of it (plus the CDF's change over one float step of x, all a
    /// float x can do), over shapes 0.3 to 50 and normal scores -8 to 8. And they agree with
    /// the robust inverses where p holds all the digits (|z| <= 2).
    #[test]
    fn fast_inverses_hit_their_target() {
        let shapes = [0.3, 0.7, 1.0, 1.5, 2.0, 3.7, 6.0, 12.0, 50.0];
        let scores: Vec<f64> = (-32..=32).map(|i| f64::from(i) / 4.0).collect();
        // The tail of (lower, upper) that `p` is in, and the target in it.
        let tail = |(below, above): (f64, f64), p: f64, q: f64| {
            if p <= 0.5 { (below, p) } else { (above, q) }
        };
        for &a in &shapes {
            let g = GammaInverse::new(a);
            for &z in &scores {
                let (p, q) = normal_tails(z);
                let x = g.at_score(z);
                let (got, want) = tail(g.shape.inc(x), p, q);
                let ulp = (tail(g.shape.inc(x.next_up()), p, q).0
                    - tail(g.shape.inc(x.next_down()), p, q).0)
                    .abs();
                assert!(
                    (got - want).abs() <= 1e-10 * want + ulp,
                    "gamma({a}) z {z}: x {x}, tail {got} vs {want}"
                );
                if z.abs() <= 2.0 {
                    let slow = gamma_inc_inv(a, p);
                    assert!(
                        (x - slow).abs() <= 1e-10 * slow,
                        "gamma({a}) z {z}: {x} vs {slow}"
                    );
                }
            }
            for &b in &shapes {
                let beta = BetaInverse::new(a, b);
                let shape = &beta.shape;
                for &z in &scores {
                    let (p, q) = normal_tails(z);
                    let x = beta.at_score(z);
                    let (got, want) = tail(shape.inc(x, 1.0 - x), p, q);
                    let (up, down) = (x.next_up().min(1.0), x.next_down().max(0.0));
                    let ulp = (tail(shape.inc(up, 1.0 - up), p, q).0
                        - tail(shape.inc(down, 1.0 - down), p, q).0)
                        .abs();
                    assert!(
                        (got - want).abs() <= 1e-10 * want + ulp,
                        "beta({a}, {b}) z {z}: x {x}, tail {got} vs {want}"
                    );
                    if z.abs() <= 2.0 {
                        let slow = beta_inc_inv(a, b, p);
                        let scale = slow.min(1.0 - slow);
                        assert!(
                            (x - slow).abs() <= 1e-10 * scale,
                            "beta({a}, {b}) z {z}: {x} vs {slow}"
                        );
                    }
                }
            }
        }
    }

    /// The tables of shapes >= 1 (pert's always are) exist and meet their bound, and every
    /// table agrees with Halley's method between the nodes (a shape below 1 may have none:
    /// its draws then use Halley's method).
    #[test]
    fn tables_meet_their_bound() {
        let shapes = [0.5, 1.0, 1.5, 2.0, 3.0, 6.0, 12.0, 50.0];
        let scores: Vec<f64> = (-800..=800).map(|i| f64::from(i) / 100.0 + 0.003).collect();
        for &a in &shapes {
            let mut g = GammaInverse::new(a);
            g.tabulate();
            let e = g.table_error();
            assert!(e.is_some() || a < 1.0, "gamma({a}) has no table");
            assert!(e.is_none_or(|e| e <= TABLE_TOLERANCE), "gamma({a}): {e:?}");
            for &z in &scores {
                let (t, h) = (g.at_score(z), g.halley(z));
                assert!(
                    (t - h).abs() <= 2.0 * TABLE_TOLERANCE * h,
                    "gamma({a}) z {z}: {t} vs {h}"
                );
            }
            for &b in &shapes {
                let mut beta = BetaInverse::new(a, b);
                beta.tabulate();
                let e = beta.table_error();
                assert!(
                    e.is_some() || a < 1.0 || b < 1.0,
                    "beta({a}, {b}) has no table"
                );
                assert!(
                    e.is_none_or(|e| e <= TABLE_TOLERANCE),
                    "beta({a}, {b}): {e:?}"
                );
                for &z in &scores {
                    let (t, h) = (beta.at_score(z), beta.halley(z));
                    let scale = h.min((1.0 - h).max(1.1e-7));
                    assert!(
                        (t - h).abs() <= 2.0 * TABLE_TOLERANCE * scale,
                        "beta({a}, {b}) z {z}: {t} vs {h}"
                    );
                }
            }
        }
    }

    #[test]
    fn normal_tails_match_the_quantile_function() {
        for i in -37..=37 {
            let z = f64::from(i) / 4.0;
            let (p, q) = normal_tails(z);
            let small = p.min(q);
            let back = inverse_normal_cdf(small);
            assert!(
                (back.abs() - z.abs()).abs() < 1e-12 * z.abs().max(1.0),
                "z {z}: {back}"
            );
        }
    }
}
