//! Special functions the families need for their means, CDFs and quantiles: the gamma
//! function, the standard normal's CDF and quantile (AS 241), the regularized incomplete gamma
//! and beta functions, and the root finders that invert a CDF.
//!
//! Accuracy is stated per function and checked in `tests` against values computed with
//! mpmath at 50 digits. The incomplete functions use Catherine Loader's saddle-point form of
//! their prefactors (`stirlerr`, `bd0`: "Fast and accurate computation of binomial
//! probabilities", 2000, as in R's `dbinom`), which keeps the relative error near 1e-14 where
//! the naive `exp(a ln x - x - ln Gamma(a))` loses a digit per factor of ten in `a`.

use std::f64::consts::PI;

mod normal_score;
pub(crate) use normal_score::{BetaInverse, GammaInverse, normal_tails};

/// ln(sqrt(2 pi)).
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Continued fractions and series stop when a step changes the result by less than this.
const EPS: f64 = 1e-16;

/// Keeps Lentz's continued-fraction algorithm away from dividing by zero.
const TINY: f64 = 1e-300;

/// Above this shape the incomplete gamma function uses Temme's uniform expansion (a series or
/// continued fraction there needs ~8 sqrt(a) terms; the expansion's first omitted term is below
/// 1e-17 from here on).
const TEMME_SHAPE: f64 = 1e5;

/// z with P(Z <= z) = 0.95 for a standard normal Z: the 5% and 95% points of a normal are its
/// mean -+ Z_P95 standard deviations.
pub(crate) const Z_P95: f64 = 1.644_853_626_951_472_2;

/// A guard against a series or continued fraction that stops converging (rounding among
/// subnormals): the incomplete gamma needs ~8 sqrt(a) terms below [`TEMME_SHAPE`], the
/// incomplete beta ~sqrt(max(a, b)), ~1e8 for the largest binomial.
const MAX_TERMS: u64 = 1 << 30;

/// Lanczos's approximation (g = 7, n = 9) at x >= 0.5: Gamma(x) = sqrt(2 pi) t^(y + 1/2)
/// e^-t sum with y = x - 1, returned as (y, t, sum).
fn lanczos(x: f64) -> (f64, f64, f64) {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    (x, x + G + 0.5, sum)
}

/// The gamma function (Lanczos, g = 7, n = 9; relative error ~1e-15 for x >= 0.5).
pub(crate) fn gamma_fn(x: f64) -> f64 {
    if x < 0.5 {
        // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
        return PI / ((PI * x).sin() * gamma_fn(1.0 - x));
    }
    let (y, t, sum) = lanczos(x);
    (2.0 * PI).sqrt() * t.powf(y + 0.5) * (-t).exp() * sum
}

/// The standard normal quantile function, by Wichura's algorithm AS 241 (PPND16): relative
/// error about 1e-16 over (0, 1).
// The coefficients are written as published (more digits than an f64 holds).
#[allow(clippy::excessive_precision)]
pub(crate) fn inverse_normal_cdf(p: f64) -> f64 {
    if !(p > 0.0 && p < 1.0) {
        return if p == 0.0 {
            f64::NEG_INFINITY
        } else if p == 1.0 {
            f64::INFINITY
        } else {
            f64::NAN
        };
    }
    // Rational function num(x) / den(x), coefficients lowest order first.
    fn ratio(x: f64, num: &[f64; 8], den: &[f64; 8]) -> f64 {
        let n = num.iter().rev().fold(0.0, |acc, c| acc * x + c);
        let d = den.iter().rev().fold(0.0, |acc, c| acc * x + c);
        n / d
    }
    const A: [f64; 8] = [
        3.387_132_872_796_366_608,
        1.331_416_678_917_843_774_5e2,
        1.971_590_950_306_551_442_7e3,
        1.373_169_376_550_946_112_5e4,
        4.592_195_393_154_987_145_7e4,
        6.726_577_092_700_870_085_3e4,
        3.343_057_558_358_812_810_5e4,
        2.509_080_928_730_122_672_7e3,
    ];
    const B: [f64; 8] = [
        1.0,
        4.231_333_070_160_091_125_2e1,
        6.871_870_074_920_579_083e2,
        5.394_196_021_424_751_107_7e3,
        2.121_379_430_158_659_586_7e4,
        3.930_789_580_009_271_061e4,
        2.872_908_573_572_194_267_4e4,
        5.226_495_278_852_854_561e3,
    ];
    const C: [f64; 8] = [
        1.423_437_110_749_683_577_34,
        4.630_337_846_156_545_295_9,
        5.769_497_221_460_691_405_5,
        3.647_848_324_763_204_605_04,
        1.270_458_252_452_368_382_58,
        2.417_807_251_774_506_117_7e-1,
        2.272_384_498_926_918_458_33e-2,
        7.745_450_142_783_414_076_4e-4,
    ];
    const D: [f64; 8] = [
        1.0,
        2.053_191_626_637_758_821_87,
        1.676_384_830_183_803_849_4,
        6.897_673_349_851_000_045_5e-1,
        1.481_039_764_274_800_745_9e-1,
        1.519_866_656_361_645_719_66e-2,
        5.475_938_084_995_344_946e-4,
        1.050_750_071_644_416_843_24e-9,
    ];
    const E: [f64; 8] = [
        6.657_904_643_501_103_777_2,
        5.463_784_911_164_114_369_9,
        1.784_826_539_917_291_335_8,
        2.965_605_718_285_048_912_3e-1,
        2.653_218_952_657_612_309_3e-2,
        1.242_660_947_388_078_438_6e-3,
        2.711_555_568_743_487_578_15e-5,
        2.010_334_399_292_288_132_65e-7,
    ];
    const F: [f64; 8] = [
        1.0,
        5.998_322_065_558_879_376_9e-1,
        1.369_298_809_227_358_053_1e-1,
        1.487_536_129_085_061_485_25e-2,
        7.868_691_311_456_132_591e-4,
        1.846_318_317_510_054_681_8e-5,
        1.421_511_758_316_445_888_7e-7,
        2.044_263_103_389_939_785_64e-15,
    ];
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        return q * ratio(0.180_625 - q * q, &A, &B);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let r = (-r.ln()).sqrt();
    let x = if r <= 5.0 {
        ratio(r - 1.6, &C, &D)
    } else {
        ratio(r - 5.0, &E, &F)
    };
    if q < 0.0 { -x } else { x }
}

/// ln Gamma(x) for x > 0 (Lanczos, as [`gamma_fn`]; absolute error ~1e-14 for x <= 20, where
/// it is used).
fn ln_gamma(x: f64) -> f64 {
    if x < 0.5 {
        // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let (y, t, sum) = lanczos(x);
    LN_SQRT_2PI + (y + 0.5) * t.ln() - t + sum.ln()
}

/// The error of Stirling's formula: ln Gamma(n + 1) - (n + 1/2) ln n + n - ln sqrt(2 pi),
/// for n > 0 (absolute error ~1e-15).
fn stirlerr(n: f64) -> f64 {
    const S: [f64; 5] = [
        1.0 / 12.0,
        1.0 / 360.0,
        1.0 / 1260.0,
        1.0 / 1680.0,
        1.0 / 1188.0,
    ];
    if n <= 15.0 {
        return ln_gamma(n + 1.0) - (n + 0.5) * n.ln() + n - LN_SQRT_2PI;
    }
    // The asymptotic series, with as many terms as n needs (Loader's cut-offs).
    let nn = n * n;
    let terms = if n > 500.0 {
        2
    } else if n > 80.0 {
        3
    } else if n > 35.0 {
        4
    } else {
        5
    };
    let mut s = S[terms - 1];
    for c in S[..terms - 1].iter().rev() {
        s = c - s / nn;
    }
    s / n
}

/// x ln(x / m) + m - x (>= 0), without the cancellation of that formula when x is near m:
/// Loader's series in v = (x - m) / (x + m) there. Relative error ~1e-15.
fn bd0(x: f64, m: f64) -> f64 {
    if x == 0.0 {
        return m;
    }
    if (x - m).abs() < 0.1 * (x + m) {
        let v = (x - m) / (x + m);
        let mut s = (x - m) * v;
        let mut ej = 2.0 * x * v;
        let v2 = v * v;
        for j in 1..1000 {
            ej *= v2;
            let next = s + ej / f64::from(2 * j + 1);
            if next == s {
                break;
            }
            s = next;
        }
        return s;
    }
    x * (x / m).ln() + m - x
}

/// x^a e^-x / Gamma(a + 1) for a > 0, x >= 0 (a Poisson probability for whole a), relative
/// error ~1e-14.
fn poisson_term(a: f64, x: f64) -> f64 {
    GammaShape::new(a).term(x)
}

/// x^a y^b Gamma(a + b + 1) / (Gamma(a + 1) Gamma(b + 1)) with y = 1 - x, for a, b > 0 (a
/// binomial probability for whole a and b), relative error ~1e-14.
fn binomial_term(a: f64, b: f64, x: f64, y: f64) -> f64 {
    BetaShape::new(a, b).term(x, y)
}

/// What the incomplete gamma function of shape `a` computes from `a` alone, once: the
/// copula's inverse CDFs evaluate it many times for one shape.
#[derive(Clone, Debug)]
pub(crate) struct GammaShape {
    pub(crate) a: f64,
    /// stirlerr(a).
    stirl: f64,
    /// sqrt(2 pi a).
    root: f64,
}

impl GammaShape {
    /// The constants of shape `a` > 0.
    pub(crate) fn new(a: f64) -> GammaShape {
        GammaShape {
            a,
            stirl: stirlerr(a),
            root: (2.0 * PI * a).sqrt(),
        }
    }

    /// x^a e^-x / Gamma(a + 1) (see [`poisson_term`]).
    fn term(&self, x: f64) -> f64 {
        if x == 0.0 {
            return 0.0;
        }
        (-self.stirl - bd0(self.a, x)).exp() / self.root
    }
}

/// What the incomplete beta function of shapes `a`, `b` computes from them alone, once.
#[derive(Clone, Debug)]
pub(crate) struct BetaShape {
    pub(crate) a: f64,
    pub(crate) b: f64,
    /// stirlerr(a + b) - stirlerr(a) - stirlerr(b).
    stirl: f64,
    /// sqrt((a + b) / (2 pi a b)).
    root: f64,
}

impl BetaShape {
    /// The constants of shapes `a`, `b` > 0.
    pub(crate) fn new(a: f64, b: f64) -> BetaShape {
        let n = a + b;
        BetaShape {
            a,
            b,
            stirl: stirlerr(n) - stirlerr(a) - stirlerr(b),
            root: (n / (2.0 * PI * a * b)).sqrt(),
        }
    }

    /// x^a y^b Gamma(a + b + 1) / (Gamma(a + 1) Gamma(b + 1)) (see [`binomial_term`]).
    fn term(&self, x: f64, y: f64) -> f64 {
        if x == 0.0 || y == 0.0 {
            return 0.0;
        }
        let (a, b) = (self.a, self.b);
        let n = a + b;
        let log = self.stirl - bd0(a, n * x) - bd0(b, n * y);
        log.exp() * self.root
    }
}

/// The regularized incomplete gamma functions (P(a, x), Q(a, x)) = (lower, upper) for a > 0,
/// x >= 0, each with its own relative error (~1e-13), so that both tails are accurate.
/// A series for P when x < a + 1, a continued fraction for Q otherwise, Temme's uniform
/// expansion for a > [`TEMME_SHAPE`].
pub(crate) fn gamma_inc(a: f64, x: f64) -> (f64, f64) {
    GammaShape::new(a).inc(x)
}

impl GammaShape {
    /// (P(a, x), Q(a, x)), as [`gamma_inc`].
    pub(crate) fn inc(&self, x: f64) -> (f64, f64) {
        let a = self.a;
        if x.is_nan() || a.is_nan() {
            return (f64::NAN, f64::NAN);
        }
        if x <= 0.0 {
            return (0.0, 1.0);
        }
        if x == f64::INFINITY {
            return (1.0, 0.0);
        }
        if a > TEMME_SHAPE {
            return gamma_inc_temme(a, x);
        }
        let term = self.term(x);
        if term == 0.0 {
            // Far in a tail: the smaller of P and Q is below the smallest float.
            return if x < a { (0.0, 1.0) } else { (1.0, 0.0) };
        }
        if x < a + 1.0 {
            // P = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a + 1) ... (a + n)).
            let term_at_x = term;
            let (mut sum, mut term) = (1.0, 1.0);
            let mut n = 1.0;
            while term > sum * EPS && n < MAX_TERMS as f64 {
                term *= x / (a + n);
                sum += term;
                n += 1.0;
            }
            let p = term_at_x * sum;
            (p, 1.0 - p)
        } else {
            // Q = x^a e^-x / Gamma(a) * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - ...)), by
            // the modified Lentz algorithm.
            let mut b = x + 1.0 - a;
            let mut c = 1.0 / TINY;
            let mut d = 1.0 / b;
            let mut h = d;
            for i in 1..MAX_TERMS {
                let i = i as f64;
                let an = -i * (i - a);
                b += 2.0;
                d = an * d + b;
                if d.abs() < TINY {
                    d = TINY;
                }
                c = b + an / c;
                if c.abs() < TINY {
                    c = TINY;
                }
                d = 1.0 / d;
                let step = d * c;
                h *= step;
                if (step - 1.0).abs() < EPS || !step.is_finite() {
                    break;
                }
            }
            let q = a * term * h;
            (1.0 - q, q)
        }
    }
}

/// Temme's uniform asymptotic expansion of (P, Q) for large a (DiDonato and Morris, ACM TOMS
/// 12, 1986): Q = erfc(eta sqrt(a / 2)) / 2 + e^(-a eta^2 / 2) / sqrt(2 pi a) (C0(eta) +
/// C1(eta) / a), with eta^2 / 2 = x/a - 1 - ln(x/a) (so a eta^2 / 2 = bd0(a, x)) and eta of
/// the sign of x - a. Near eta = 0 the C's are their Taylor series; elsewhere their closed
/// forms.
fn gamma_inc_temme(a: f64, x: f64) -> (f64, f64) {
    // The Taylor coefficients of C0 and C1 in eta (DiDonato and Morris's d0k, d1k).
    const D0: [f64; 7] = [
        -1.0 / 3.0,
        1.0 / 12.0,
        -2.0 / 135.0,
        1.0 / 864.0,
        1.0 / 2835.0,
        -139.0 / 777_600.0,
        1.0 / 25_515.0,
    ];
    const D1: [f64; 5] = [
        -1.0 / 540.0,
        -1.0 / 288.0,
        1.0 / 378.0,
        -77.0 / 77_760.0,
        1.0 / 4860.0,
    ];
    let poly = |c: &[f64], t: f64| c.iter().rev().fold(0.0, |acc, c| acc * t + c);
    let b = bd0(a, x);
    let root = b.sqrt().copysign(x - a); // eta sqrt(a / 2)
    let eta = root * (2.0 / a).sqrt();
    let u = (x - a) / a; // lambda - 1
    let (c0, c1) = if u.abs() < 0.1 {
        (poly(&D0, eta), poly(&D1, eta))
    } else {
        (
            1.0 / u - 1.0 / eta,
            1.0 / eta.powi(3) - 1.0 / u.powi(3) - 1.0 / (u * u) - 1.0 / (12.0 * u),
        )
    };
    let r = (-b).exp() / (2.0 * PI * a).sqrt() * (c0 + c1 / a);
    (erfc(-root) / 2.0 - r, erfc(root) / 2.0 + r)
}

/// The complementary error function: FreeBSD's (musl's) `erfc` through the `libm` crate,
/// pure Rust, so the same bits in every build; relative error below 1e-15 in both tails.
pub(crate) fn erfc(x: f64) -> f64 {
    libm::erfc(x)
}

/// The standard normal CDF, relative error ~1e-14 in both tails.
pub(crate) fn normal_cdf(z: f64) -> f64 {
    erfc(-z / std::f64::consts::SQRT_2) / 2.0
}

/// The regularized incomplete beta functions (I_x(a, b), 1 - I_x(a, b)) for a, b > 0 and
/// x in [0, 1], with y = 1 - x given by the caller (so that a y near 0 keeps its digits).
/// Each value has its own relative error: below 1e-12 in the tests against mpmath, but up to
/// ~3e-11 where the continued fraction runs at x within ~1e-5 of 1 with a or b near 1e6 (it
/// then cancels in 1 - x). It takes ~sqrt(max(a, b)) terms.
pub(crate) fn beta_inc(a: f64, b: f64, x: f64, y: f64) -> (f64, f64) {
    BetaShape::new(a, b).inc(x, y)
}

impl BetaShape {
    /// (I_x(a, b), 1 - I_x(a, b)), as [`beta_inc`].
    pub(crate) fn inc(&self, x: f64, y: f64) -> (f64, f64) {
        let (a, b) = (self.a, self.b);
        if x.is_nan() || y.is_nan() {
            return (f64::NAN, f64::NAN);
        }
        if x <= 0.0 {
            return (0.0, 1.0);
        }
        if y <= 0.0 {
            return (1.0, 0.0);
        }
        // x^a y^b / (a B(a, b)) = b / (a + b) * binomial_term; the continued fraction converges
        // quickly below the mean, so above it the symmetry I_x(a, b) = 1 - I_y(b, a) is used.
        let term = self.term(x, y);
        if term == 0.0 {
            // Far in a tail: the smaller of I and 1 - I is below the smallest float.
            return if x < a / (a + b) {
                (0.0, 1.0)
            } else {
                (1.0, 0.0)
            };
        }
        if x < (a + 1.0) / (a + b + 2.0) {
            let i = b / (a + b) * term * beta_fraction(a, b, x, y);
            (i, 1.0 - i)
        } else {
            let j = a / (a + b) * term * beta_fraction(b, a, y, x);
            (1.0 - j, j)
        }
    }
}

/// The continued fraction of the incomplete beta function (Numerical Recipes' `betacf`, by
/// the modified Lentz algorithm), y = 1 - x.
fn beta_fraction(a: f64, b: f64, x: f64, y: f64) -> f64 {
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    // 1 - qab x / qap, which cancels when x is near 1: there from y, whose digits the
    // caller kept.
    let first = if x > 0.5 {
        (1.0 - b + qab * y) / qap
    } else {
        1.0 - qab * x / qap
    };
    let mut c = 1.0;
    let mut d = 1.0 / guard(first);
    let mut h = d;
    for m in 1..MAX_TERMS {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < EPS || !step.is_finite() {
            break;
        }
    }
    h
}

/// The density of Beta(a, b) at x (y = 1 - x).
fn beta_density(a: f64, b: f64, x: f64, y: f64) -> f64 {
    a * b / (a + b) * binomial_term(a, b, x, y) / (x * y)
}

/// The density of Gamma(a, 1) at x.
fn gamma_density(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    a * poisson_term(a, x) / x
}

/// The x with P(a, x) = p, the p-quantile of Gamma(a, 1), for a > 0 and 0 < p < 1.
///
/// Error bound: x is the root of the computed P (or of Q above the median) to a few ulps
/// ([`solve`]); their relative error δ (below 1e-12, see [`gamma_inc`]) moves it by at most
/// δ min(p, 1 - p) / f(x), f the density: the exact CDF at x is p within a relative 1e-12
/// of min(p, 1 - p), tails included (tested from p = 1e-300 to 1 - 1e-12).
pub(crate) fn gamma_inc_inv(a: f64, p: f64) -> f64 {
    gamma_tails_inv(a, p, 1.0 - p)
}

/// [`gamma_inc_inv`] given both tails, p and q = 1 - p, for a caller that knows q to more
/// digits than 1 - p keeps.
fn gamma_tails_inv(a: f64, p: f64, q: f64) -> f64 {
    let lower = p <= 0.5;
    // Start from Wilson and Hilferty's cube-root normal approximation, or for small shapes
    // from the lower tail's P(a, x) ~ x^a / Gamma(a + 1).
    let z = inverse_normal_cdf(p);
    let t = 1.0 - 1.0 / (9.0 * a) + z / (3.0 * a.sqrt());
    let start = if a > 1.0 && t > 0.0 {
        a * t * t * t
    } else {
        ((p.ln() + ln_gamma(a + 1.0)) / a).exp()
    };
    solve(0.0, f64::MAX, start, |x| {
        let (below, above) = gamma_inc(a, x);
        let v = if lower { below - p } else { q - above };
        (v, gamma_density(a, x))
    })
}

/// The x with I_x(a, b) = p, the p-quantile of Beta(a, b), for a, b > 0 and 0 < p < 1.
///
/// Error bound: x is the root of the computed I (or of 1 - I above the median) to a few
/// ulps ([`solve`]); their relative error δ (see [`beta_inc`]: below 1e-12, at worst ~3e-11)
/// moves it by at most δ min(p, 1 - p) / f(x), f the density: the exact CDF at x is p within
/// δ min(p, 1 - p), plus the CDF's change over one float step of x (near x = 1 a float step
/// is a large share of 1 - x). Tested from p = 1e-300 to 1 - 1e-12.
pub(crate) fn beta_inc_inv(a: f64, b: f64, p: f64) -> f64 {
    beta_tails_inv(a, b, p, 1.0 - p)
}

/// [`beta_inc_inv`] given both tails, p and q = 1 - p (see [`gamma_tails_inv`]).
fn beta_tails_inv(a: f64, b: f64, p: f64, q: f64) -> f64 {
    let lower = p <= 0.5;
    solve(0.0, 1.0, a / (a + b), |x| {
        let y = 1.0 - x;
        let (below, above) = beta_inc(a, b, x, y);
        let v = if lower { below - p } else { q - above };
        (v, beta_density(a, b, x, y))
    })
}

/// The x in [lo, hi] (0 <= lo < hi, hi finite) where the increasing `g` crosses zero, given
/// a start `x` in between. `g` returns its value and derivative. Newton steps while they stay
/// in the bracket, otherwise a bisection of the bracket's bit patterns (the order of
/// non-negative floats is that of their bits): the bracket narrows to adjacent floats in at
/// most ~64 bisections whatever its range, so the root of `g` is found to about 2 ulps.
pub(crate) fn solve(mut lo: f64, mut hi: f64, mut x: f64, g: impl Fn(f64) -> (f64, f64)) -> f64 {
    let mid = |lo: f64, hi: f64| f64::from_bits(lo.to_bits() / 2 + hi.to_bits() / 2);
    if !(x > lo && x < hi) {
        x = mid(lo, hi);
    }
    let mut step_before = f64::INFINITY;
    for _ in 0..400 {
        let (v, dv) = g(x);
        if v == 0.0 {
            return x;
        }
        if v < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        // Newton's step if it stays in the bracket and at least halves the step before it
        // (so that a slow approach from afar gives way to bisection).
        let newton = x - v / dv;
        let next = if newton > lo && newton < hi && (newton - x).abs() < step_before / 2.0 {
            newton
        } else {
            mid(lo, hi)
        };
        // Stop when Newton's steps have shrunk below one float (they at least halve, so
        // they do), or the bracket holds two adjacent floats: at x near 1 an ulp of x is a
        // large share of 1 - x, which the upper tails depend on.
        if next == x || next <= lo || next >= hi {
            return next.clamp(lo, hi);
        }
        step_before = (next - x).abs();
        x = next;
    }
    x
}

/// The smallest whole number k in [lo, hi] for which the monotone `enough(k)` holds
/// (`enough(hi)` must), searched from `guess` by doubling steps, then bisection: O(log
/// distance) calls. Past 2^53, where not every whole number is a float, the result is the
/// first float found to suffice.
pub(crate) fn first_whole(lo: f64, hi: f64, guess: f64, enough: impl Fn(f64) -> bool) -> f64 {
    let guess = guess.floor().clamp(lo, hi);
    // `bad` < k <= `good`: `bad` lacks, `good` suffices (`bad` = lo - 1 stands for none).
    let (mut bad, mut good);
    if enough(guess) {
        good = guess;
        let mut step = 1.0;
        loop {
            let k = (good - step).max(lo - 1.0);
            if k < lo || !enough(k) {
                bad = k;
                break;
            }
            good = k;
            step *= 2.0;
        }
    } else {
        bad = guess;
        let mut step = 1.0;
        loop {
            let k = (bad + step).min(hi);
            if k >= hi || enough(k) {
                good = k;
                break;
            }
            bad = k;
            step *= 2.0;
        }
    }
    loop {
        let m = ((bad + good) / 2.0).floor();
        if m <= bad || m >= good {
            return good;
        }
        if enough(m) {
            good = m;
        } else {
            bad = m;
        }
    }
}

#[cfg(test)]
mod tests;
