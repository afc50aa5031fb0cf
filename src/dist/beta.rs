//! `beta`: alpha, beta.

use rand_distr::Distribution as _;

use super::special::{BetaInverse, beta_inc, beta_inc_inv};
use super::{Arg, Args, DistError, Family, Spec};

/// Beta(alpha, beta) on [0, 1], through rand_distr's `Beta`.
#[derive(Clone, Debug)]
pub(crate) struct Beta {
    alpha: f64,
    beta: f64,
    sampler: rand_distr::Beta<f64>,
    /// The inverse CDF's constants, once [`Family::precompute`] has run.
    inverse: Option<Box<BetaInverse>>,
}

impl Family for Beta {
    const SPEC: Spec = Spec::new("beta", &[&[Arg::required("alpha"), Arg::required("beta")]]);

    fn build(_form: usize, a: Args<'_>) -> Result<Self, DistError> {
        let alpha = a.positive(0)?;
        let beta = a.positive(1)?;
        let sampler = rand_distr::Beta::new(alpha, beta)
            .map_err(|e| DistError::refused(Self::SPEC.name, e))?;
        Ok(Beta {
            alpha,
            beta,
            sampler,
            inverse: None,
        })
    }

    #[inline]
    fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.sampler.sample(rng)
    }

    fn mean(&self) -> f64 {
        self.alpha / (self.alpha + self.beta)
    }

    /// Numeric: see [`beta_inc_inv`] for its error bound.
    fn quantile(&self, p: f64) -> f64 {
        beta_inc_inv(self.alpha, self.beta, p)
    }

    fn precompute(&mut self) {
        let mut inverse = BetaInverse::new(self.alpha, self.beta);
        inverse.tabulate();
        self.inverse = Some(Box::new(inverse));
    }

    /// Numeric (Halley from a normal-score start): see `special::normal_score`.
    fn at_score(&self, z: f64) -> f64 {
        match &self.inverse {
            Some(inv) => inv.at_score(z),
            None => BetaInverse::new(self.alpha, self.beta).at_score(z),
        }
    }

    fn cdf(&self, x: f64) -> f64 {
        let x = x.clamp(0.0, 1.0);
        beta_inc(self.alpha, self.beta, x, 1.0 - x).0
    }
}
