//! `triangular`: min, mode, max.

use rand_distr::Distribution as _;

use super::special::normal_tails;
use super::{Arg, Args, DistError, Family, Spec, step};

/// The triangular distribution, through rand_distr's `Triangular` (min == max: always min).
#[derive(Clone, Debug)]
pub(crate) struct Triangular {
    min: f64,
    mode: f64,
    max: f64,
    /// `None` when min == max.
    sampler: Option<rand_distr::Triangular<f64>>,
}

/// min, mode and max (arguments 0 to 2) if min <= mode <= max; shared with `pert`.
pub(super) fn three_points(a: &Args<'_>) -> Result<(f64, f64, f64), DistError> {
    let (min, mode, max) = (a.value(0), a.value(1), a.value(2));
    if min > max {
        return Err(a.error(
            2,
            format!("min must be <= max, got min {min} and max {max}"),
        ));
    }
    if !(min <= mode && mode <= max) {
        return Err(a.error(
            1,
            format!(
                "mode must be between min and max, got mode {mode} with min {min} and max {max}"
            ),
        ));
    }
    Ok((min, mode, max))
}

impl Family for Triangular {
    const SPEC: Spec = Spec::new(
        "triangular",
        &[&[
            Arg::required("min"),
            Arg::required("mode"),
            Arg::required("max"),
        ]],
    );

    fn build(_form: usize, a: Args<'_>) -> Result<Self, DistError> {
        let (min, mode, max) = three_points(&a)?;
        let sampler = if min == max {
            None
        } else {
            // rand_distr orders the arguments min, max, mode.
            Some(
                rand_distr::Triangular::new(min, max, mode)
                    .map_err(|e| DistError::refused(Self::SPEC.name, e))?,
            )
        };
        Ok(Triangular {
            min,
            mode,
            max,
            sampler,
        })
    }

    #[inline]
    fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.sampler {
            Some(t) => t.sample(rng),
            None => self.min,
        }
    }

    fn mean(&self) -> f64 {
        (self.min + self.mode + self.max) / 3.0
    }

    /// Exact (the inverse of the piecewise-quadratic CDF).
    fn quantile(&self, p: f64) -> f64 {
        let (min, mode, max) = (self.min, self.mode, self.max);
        let range = max - min;
        if range == 0.0 {
            min
        } else if p < (mode - min) / range {
            min + (p * range * (mode - min)).sqrt()
        } else {
            max - ((1.0 - p) * range * (max - mode)).sqrt()
        }
    }

    /// Exact, the upper branch from P(Z > z) (its digits kept).
    fn at_score(&self, z: f64) -> f64 {
        let (min, mode, max) = (self.min, self.mode, self.max);
        let range = max - min;
        let (p, q) = normal_tails(z);
        if range == 0.0 {
            min
        } else if p < (mode - min) / range {
            min + (p * range * (mode - min)).sqrt()
        } else {
            max - (q * range * (max - mode)).sqrt()
        }
    }

    fn cdf(&self, x: f64) -> f64 {
        let (min, mode, max) = (self.min, self.mode, self.max);
        let range = max - min;
        if range == 0.0 {
            step(x, min)
        } else if x <= min {
            0.0
        } else if x >= max {
            1.0
        } else if x < mode {
            (x - min) * (x - min) / (range * (mode - min))
        } else {
            1.0 - (max - x) * (max - x) / (range * (max - mode))
        }
    }
}
