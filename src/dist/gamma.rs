//! `gamma`: shape, scale.

use rand_distr::Distribution as _;

use super::special::{GammaInverse, gamma_inc, gamma_inc_inv};
use super::{Args, DistError, Family, SHAPE_SCALE, Spec, shape_scale};

/// Gamma(shape, scale) (mean shape * scale), through rand_distr's `Gamma`.
#[derive(Clone, Debug)]
pub(crate) struct Gamma {
    shape: f64,
    scale: f64,
    sampler: rand_distr::Gamma<f64>,
    /// The inverse CDF's constants, once [`Family::precompute`] has run.
    inverse: Option<Box<GammaInverse>>,
}

impl Family for Gamma {
    const SPEC: Spec = Spec::new("gamma", &[SHAPE_SCALE]);

    fn build(_form: usize, a: Args<'_>) -> Result<Self, DistError> {
        let (shape, scale) = shape_scale(&a)?;
        let sampler = rand_distr::Gamma::new(shape, scale)
            .map_err(|e| DistError::refused(Self::SPEC.name, e))?;
        Ok(Gamma {
            shape,
            scale,
            sampler,
            inverse: None,
        })
    }

    #[inline]
    fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.sampler.sample(rng)
    }

    fn mean(&self) -> f64 {
        self.shape * self.scale
    }

    /// Numeric: see [`gamma_inc_inv`] for its error bound.
    fn quantile(&self, p: f64) -> f64 {
        self.scale * gamma_inc_inv(self.shape, p)
    }

    fn precompute(&mut self) {
        let mut inverse = GammaInverse::new(self.shape);
        inverse.tabulate();
        self.inverse = Some(Box::new(inverse));
    }

    /// Numeric (Halley from a normal-score start): see `special::normal_score`.
    fn at_score(&self, z: f64) -> f64 {
        let x = match &self.inverse {
            Some(inv) => inv.at_score(z),
            None => GammaInverse::new(self.shape).at_score(z),
        };
        self.scale * x
    }

    fn cdf(&self, x: f64) -> f64 {
        gamma_inc(self.shape, x / self.scale).0
    }
}
