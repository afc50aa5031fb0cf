//! `lognormal`: mu and sigma of the underlying normal, or p5 and p95, the 90% interval as
//! forecasters state it.

use rand_distr::{Distribution as _, StandardNormal};

use super::special::{Z_P95, inverse_normal_cdf, normal_cdf};
use super::{Arg, Args, DistError, Family, Spec, step};

/// exp(N(mu, sigma)), however it was written.
#[derive(Clone, Debug)]
pub(crate) struct LogNormal {
    mu: f64,
    sigma: f64,
}

/// The form with p5 and p95.
const INTERVAL: usize = 1;

impl Family for LogNormal {
    const SPEC: Spec = Spec {
        name: "lognormal",
        forms: &[
            &[Arg::required("mu"), Arg::required("sigma")],
            &[Arg::required("p5"), Arg::required("p95")],
        ],
        mixed: (
            "a lognormal takes either mu and sigma, or p5 and p95, not both",
            "mu and sigma describe the underlying normal; p5 and p95 the 90% interval",
        ),
        lists: false,
    };

    fn build(form: usize, a: Args<'_>) -> Result<Self, DistError> {
        if form != INTERVAL {
            return Ok(LogNormal {
                mu: a.value(0),
                sigma: a.non_negative(1)?,
            });
        }
        let p5 = a.positive(0)?;
        let p95 = a.value(1);
        if p5 >= p95 {
            return Err(a.error(
                1,
                format!("p5 must be < p95, got p5 {p5} and p95 {p95}"),
            ));
        }
        // The normal's 5% and 95% points are its mean -+ Z_P95 sd.
        let (l5, l95) = (p5.ln(), p95.ln());
        Ok(LogNormal {
            mu: (l5 + l95) / 2.0,
            sigma: (l95 - l5) / (2.0 * Z_P95),
        })
    }

    #[inline]
    fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let z: f64 = StandardNormal.sample(rng);
        (self.mu + self.sigma * z).exp()
    }

    fn mean(&self) -> f64 {
        (self.mu + self.sigma * self.sigma / 2.0).exp()
    }

    /// Exact up to AS 241's relative error (~1e-16) and `exp`'s.
    fn quantile(&self, p: f64) -> f64 {
        (self.mu + self.sigma * inverse_normal_cdf(p)).exp()
    }

    /// Exact: exp(mu + sigma z).
    fn at_score(&self, z: f64) -> f64 {
        (self.mu + self.sigma * z).exp()
    }

    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            0.0
        } else if self.sigma == 0.0 {
            step(x, self.mu.exp())
        } else {
            normal_cdf((x.ln() - self.mu) / self.sigma)
        }
    }
}
