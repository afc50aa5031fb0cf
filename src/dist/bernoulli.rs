//! `bernoulli`: p; draws 1 or 0.

use super::{Arg, Args, DistError, Family, Spec, unit};

/// 1 with probability p, else 0.
#[derive(Clone, Debug)]
pub(crate) struct Bernoulli {
    p: f64,
}

impl Family for Bernoulli {
    const SPEC: Spec = Spec::new("bernoulli", &[&[Arg::required("p")]]);

    fn build(_form: usize, a: Args<'_>) -> Result<Self, DistError> {
        Ok(Bernoulli {
            p: a.probability(0)?,
        })
    }

    #[inline]
    fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        if unit(rng) < self.p { 1.0 } else { 0.0 }
    }

    fn mean(&self) -> f64 {
        self.p
    }

    /// Exact: 0 while P(X <= 0) = 1 - p reaches `level`, else 1.
    fn quantile(&self, level: f64) -> f64 {
        if level <= 1.0 - self.p { 0.0 } else { 1.0 }
    }

    fn cdf(&self, x: f64) -> f64 {
        if x < 0.0 {
            0.0
        } else if x < 1.0 {
            1.0 - self.p
        } else {
            1.0
        }
    }
}
