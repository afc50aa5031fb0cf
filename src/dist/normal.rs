//! `normal`: mean, sd.

use rand_distr::{Distribution as _, StandardNormal};

use super::special::{inverse_normal_cdf, normal_cdf};
use super::{Arg, Args, DistError, Family, Spec, step};

/// Normal with mean `mean` and standard deviation `sd` (0: always the mean).
#[derive(Clone, Debug)]
pub(crate) struct Normal {
    mean: f64,
    sd: f64,
}

impl Family for Normal {
    const SPEC: Spec = Spec::new("normal", &[&[Arg::required("mean"), Arg::required("sd")]]);

    fn build(_form: usize, a: Args<'_>) -> Result<Self, DistError> {
        Ok(Normal {
            mean: a.value(0),
            sd: a.non_negative(1)?,
        })
    }

    #[inline]
    fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let z: f64 = StandardNormal.sample(rng);
        self.mean + self.sd * z
    }

    fn mean(&self) -> f64 {
        self.mean
    }

    /// Exact up to AS 241's relative error (~1e-16).
    fn quantile(&self, p: f64) -> f64 {
        self.mean + self.sd * inverse_normal_cdf(p)
    }

    /// Exact: mean + sd z.
    fn at_score(&self, z: f64) -> f64 {
        self.mean + self.sd * z
    }

    fn cdf(&self, x: f64) -> f64 {
        if self.sd == 0.0 {
            step(x, self.mean)
        } else {
            normal_cdf((x - self.mean) / self.sd)
        }
    }
}
