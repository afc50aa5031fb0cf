//! `exponential`: a mean, or a rate (1 / mean).

use rand_distr::{Distribution as _, Exp1};

use super::special::normal_tails;
use super::{Arg, Args, DistError, Family, Spec};

/// The exponential distribution, kept in the form it was written in: a draw is Exp(1) times
/// the mean or divided by the rate, which are not the same in the last bit.
#[derive(Clone, Debug)]
pub(crate) enum Exponential {
    Mean(f64),
    Rate(f64),
}

/// The form with `rate`.
const RATE: usize = 1;

impl Family for Exponential {
    const SPEC: Spec = Spec {
        name: "exponential",
        forms: &[&[Arg::required("mean")], &[Arg::required("rate")]],
        mixed: (
            "an exponential takes either `mean` or `rate`, not both",
            "rate = 1 / mean",
        ),
        lists: false,
    };

    fn build(form: usize, a: Args<'_>) -> Result<Self, DistError> {
        let v = a.positive(0)?;
        Ok(if form == RATE {
            Exponential::Rate(v)
        } else {
            Exponential::Mean(v)
        })
    }

    #[inline]
    fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let e: f64 = Exp1.sample(rng);
        match *self {
            Exponential::Mean(m) => e * m,
            Exponential::Rate(r) => e / r,
        }
    }

    fn mean(&self) -> f64 {
        match *self {
            Exponential::Mean(m) => m,
            Exponential::Rate(r) => 1.0 / r,
        }
    }

    /// Exact: -ln(1 - p) times the mean.
    fn quantile(&self, p: f64) -> f64 {
        let e = -(-p).ln_1p();
        match *self {
            Exponential::Mean(m) => e * m,
            Exponential::Rate(r) => e / r,
        }
    }

    /// Exact: -ln P(Z > z) times the mean (the upper tail's digits kept).
    fn at_score(&self, z: f64) -> f64 {
        let e = -normal_tails(z).1.ln();
        match *self {
            Exponential::Mean(m) => e * m,
            Exponential::Rate(r) => e / r,
        }
    }

    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        let e = match *self {
            Exponential::Mean(m) => x / m,
            Exponential::Rate(r) => x * r,
        };
        -(-e).exp_m1()
    }
}
