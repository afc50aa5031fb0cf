//! `uniform`: min, max.

use super::{Arg, Args, DistError, Family, Spec, unit};

/// Uniform on [min, max) (min == max: always min).
#[derive(Clone, Debug)]
pub(crate) struct Uniform {
    min: f64,
    max: f64,
}

impl Family for Uniform {
    const SPEC: Spec = Spec::new(
        "uniform",
        &[&[Arg::required("min"), Arg::required("max")]],
    );

    fn build(_form: usize, a: Args<'_>) -> Result<Self, DistError> {
        let (min, max) = (a.value(0), a.value(1));
        if min <= max {
            Ok(Uniform { min, max })
        } else {
            Err(a.error(
                1,
                format!("min must be <= max, got min {min} and max {max}"),
            ))
        }
    }

    #[inline]
    fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        if self.min == self.max {
            self.min
        } else {
            self.min + (self.max - self.min) * unit(rng)
        }
    }

    fn mean(&self) -> f64 {
        (self.min + self.max) / 2.0
    }

    /// Exact.
    fn quantile(&self, p: f64) -> f64 {
        self.min + p * (self.max - self.min)
    }

    fn cdf(&self, x: f64) -> f64 {
        if x >= self.max {
            1.0
        } else if x <= self.min {
            0.0
        } else {
            (x - self.min) / (self.max - self.min)
        }
    }
}
