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
        }
    }

    /// The x in [0, 1] with I_x(a, b) = P(Z <= z).
    pub(crate) fn from_normal(&self, z: f64) -> f64 {
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
}

impl GammaInverse {
    /// The constants of Gamma(a, 1), a > 0.
    pub(crate) fn new(a: f64) -> GammaInverse {
        GammaInverse {
            shape: GammaShape::new(a),
            t: 1.0 - a * (0.253 + a * 0.12),
            ln_gamma_a1: ln_gamma(a + 1.0),
        }
    }

    /// The x >= 0 with P(a, x) = P(Z <= z).
    pub(crate) fn from_normal(&self, z: f64) -> f64 {
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
                let x = g.from_normal(z);
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
                    let x = beta.from_normal(z);
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
