//! `poisson`: mean.

use rand_distr::Distribution as _;

use super::special::{first_whole, gamma_inc, inverse_normal_cdf};
use super::{Arg, Args, DistError, Family, Spec};

/// Poisson with mean lambda, through rand_distr's `Poisson` (lambda 0: always 0).
#[derive(Clone, Debug)]
pub(crate) struct Poisson {
    mean: f64,
    /// `None` when the mean is 0.
    sampler: Option<rand_distr::Poisson<f64>>,
}

impl Family for Poisson {
    const SPEC: Spec = Spec::new("poisson", &[&[Arg::required("mean")]]);

    fn build(_form: usize, a: Args<'_>) -> Result<Self, DistError> {
        let mean = a.non_negative(0)?;
        // rand_distr's limit, so that draws fit a u64.
        let max = rand_distr::Poisson::<f64>::MAX_LAMBDA;
        if mean > max {
            return Err(a.error(0, format!("mean must be at most {max:e}, got {mean}")));
        }
        let sampler = if mean == 0.0 {
            None
        } else {
            Some(
                rand_distr::Poisson::new(mean)
                    .map_err(|e| DistError::refused(Self::SPEC.name, e))?,
            )
        };
        Ok(Poisson { mean, sampler })
    }

    #[inline]
    fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.sampler {
            Some(p) => p.sample(rng),
            None => 0.0,
        }
    }

    fn mean(&self) -> f64 {
        self.mean
    }

    /// The smallest k with P(X <= k) = Q(k + 1, lambda) >= `level`, searched from the
    /// Cornish-Fisher approximation. Exact but where `level` lies within the CDF's error
    /// (relative ~1e-12, see [`gamma_inc`]) of a CDF value, where it can be one off.
    fn quantile(&self, level: f64) -> f64 {
        let lambda = self.mean;
        if lambda == 0.0 {
            return 0.0;
        }
        let z = inverse_normal_cdf(level);
        let guess = lambda + z * lambda.sqrt() + (z * z - 1.0) / 6.0;
        // Compare on the side of the smaller tail, where the CDF keeps its digits.
        first_whole(0.0, f64::MAX, guess.max(0.0), |k| {
            // P(k + 1, lambda) = P(X > k), Q(k + 1, lambda) = P(X <= k).
            let (survival, cdf) = gamma_inc(k + 1.0, lambda);
            if level <= 0.5 {
                cdf >= level
            } else {
                survival <= 1.0 - level
            }
        })
    }

    fn cdf(&self, x: f64) -> f64 {
        if x < 0.0 {
            0.0
        } else if self.mean == 0.0 {
            1.0
        } else {
            gamma_inc(x.floor() + 1.0, self.mean).1
        }
    }
}
