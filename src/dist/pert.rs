//! `pert`: min, mode, max and an optional lambda, the Beta-PERT distribution.

use rand_distr::Distribution as _;

use super::special::{BetaInverse, beta_inc, beta_inc_inv};
use super::triangular::three_points;
use super::{Arg, Args, DistError, Family, Spec, step};

/// PERT's conventional shape parameter, the default `lambda` (spec: 4).
const LAMBDA: f64 = 4.0;

/// min + (max - min) Beta(1 + lambda (mode - min) / range, 1 + lambda (max - mode) / range),
/// with range = max - min (0: always min).
#[derive(Clone, Debug)]
pub(crate) struct Pert {
    min: f64,
    mode: f64,
    max: f64,
    lambda: f64,
    /// The Beta's shapes and sampler; `None` when min == max.
    beta: Option<(f64, f64, rand_distr::Beta<f64>)>,
    /// The Beta's inverse CDF constants, once [`Family::precompute`] has run.
    inverse: Option<Box<BetaInverse>>,
}

impl Family for Pert {
    const SPEC: Spec = Spec::new(
        "pert",
        &[&[
            Arg::required("min"),
            Arg::required("mode"),
            Arg::required("max"),
            Arg::optional("lambda", LAMBDA),
        ]],
    );

    fn build(_form: usize, a: Args<'_>) -> Result<Self, DistError> {
        let (min, mode, max) = three_points(&a)?;
        let lambda = a.non_negative(3)?;
        let range = max - min;
        let beta = if range == 0.0 {
            None
        } else {
            let alpha = 1.0 + lambda * (mode - min) / range;
            let beta = 1.0 + lambda * (max - mode) / range;
            let sampler = rand_distr::Beta::new(alpha, beta)
                .map_err(|e| DistError::refused(Self::SPEC.name, e))?;
            Some((alpha, beta, sampler))
        };
        Ok(Pert {
            min,
            mode,
            max,
            lambda,
            beta,
            inverse: None,
        })
    }

    #[inline]
    fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.beta {
            Some((_, _, b)) => {
                let b: f64 = b.sample(rng);
                self.min + (self.max - self.min) * b
            }
            None => self.min,
        }
    }

    fn mean(&self) -> f64 {
        (self.min + self.lambda * self.mode + self.max) / (self.lambda + 2.0)
    }

    /// Numeric, through the Beta's quantile: see [`beta_inc_inv`] for its error bound.
    fn quantile(&self, p: f64) -> f64 {
        match self.beta {
            Some((alpha, beta, _)) => self.min + (self.max - self.min) * beta_inc_inv(alpha, beta, p),
            None => self.min,
        }
    }

    fn precompute(&mut self) {
        self.inverse = self.beta.as_ref().map(|(a, b, _)| {
            let mut inverse = BetaInverse::new(*a, *b);
            inverse.tabulate();
            Box::new(inverse)
        });
    }

    /// Numeric, through the Beta's (Halley from a normal-score start): see
    /// `special::normal_score`.
    fn at_score(&self, z: f64) -> f64 {
        let u = match (&self.inverse, &self.beta) {
            (Some(inv), _) => inv.at_score(z),
            (None, Some((a, b, _))) => BetaInverse::new(*a, *b).at_score(z),
            (None, None) => return self.min,
        };
        self.min + (self.max - self.min) * u
    }

    fn cdf(&self, x: f64) -> f64 {
        match self.beta {
            Some((alpha, beta, _)) => {
                let u = ((x - self.min) / (self.max - self.min)).clamp(0.0, 1.0);
                beta_inc(alpha, beta, u, 1.0 - u).0
            }
            None => step(x, self.min),
        }
    }
}
