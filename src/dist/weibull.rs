//! `weibull`: shape, scale.

use rand_distr::Distribution as _;

use super::special::{gamma_fn, normal_tails};
use super::{Args, DistError, Family, SHAPE_SCALE, Spec, shape_scale};

/// Weibull(shape k, scale s): P(X > x) = exp(-(x / s)^k), through rand_distr's `Weibull`.
#[derive(Clone, Debug)]
pub(crate) struct Weibull {
    shape: f64,
    scale: f64,
    sampler: rand_distr::Weibull<f64>,
}

impl Family for Weibull {
    const SPEC: Spec = Spec::new("weibull", &[SHAPE_SCALE]);

    fn build(_form: usize, a: Args<'_>) -> Result<Self, DistError> {
        let (shape, scale) = shape_scale(&a)?;
        // rand_distr orders the arguments scale, shape.
        let sampler = rand_distr::Weibull::new(scale, shape)
            .map_err(|e| DistError::refused(Self::SPEC.name, e))?;
        Ok(Weibull {
            shape,
            scale,
            sampler,
        })
    }

    #[inline]
    fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.sampler.sample(rng)
    }

    fn mean(&self) -> f64 {
        self.scale * gamma_fn(1.0 + 1.0 / self.shape)
    }

    /// Exact: s (-ln(1 - p))^(1/k).
    fn quantile(&self, p: f64) -> f64 {
        self.scale * (-(-p).ln_1p()).powf(1.0 / self.shape)
    }

    /// Exact: s (-ln P(Z > z))^(1/k).
    fn at_score(&self, z: f64) -> f64 {
        self.scale * (-normal_tails(z).1.ln()).powf(1.0 / self.shape)
    }

    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            0.0
        } else {
            -(-(x / self.scale).powf(self.shape)).exp_m1()
        }
    }
}
