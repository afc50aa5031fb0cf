//! `fixed`: one value, always (a parameter written this way is a fixed parameter, not a
//! drawn one; the family exists for delays and for the loader's uniformity).

use super::{Arg, Args, DistError, Family, Spec, step};

/// Always `value`.
#[derive(Clone, Debug)]
pub(crate) struct Fixed {
    value: f64,
}

impl Family for Fixed {
    const SPEC: Spec = Spec::new("fixed", &[&[Arg::required("value")]]);

    fn build(_form: usize, a: Args<'_>) -> Result<Self, DistError> {
        Ok(Fixed { value: a.value(0) })
    }

    fn draw<R: rand::Rng + ?Sized>(&self, _rng: &mut R) -> f64 {
        self.value
    }

    fn mean(&self) -> f64 {
        self.value
    }

    /// Exact.
    fn quantile(&self, _p: f64) -> f64 {
        self.value
    }

    fn cdf(&self, x: f64) -> f64 {
        step(x, self.value)
    }
}
