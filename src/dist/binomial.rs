//! `binomial`: n, p.

use rand_distr::Distribution as _;

use super::special::{beta_inc, first_whole, inverse_normal_cdf};
use super::{Arg, Args, DistError, Family, Spec};

/// The number of successes in n trials of probability p, through rand_distr's `Binomial`.
#[derive(Clone, Debug)]
pub(crate) struct Binomial {
    n: f64,
    p: f64,
    sampler: rand_distr::Binomial,
}

/// Integers up to 2^53 are exact in f64 and fit a u64.
const MAX_N: f64 = 9_007_199_254_740_992.0;

impl Family for Binomial {
    const SPEC: Spec = Spec::new("binomial", &[&[Arg::required("n"), Arg::required("p")]]);

    fn build(_form: usize, a: Args<'_>) -> Result<Self, DistError> {
        let n = a.value(0);
        if !(n >= 0.0 && n.fract() == 0.0 && n <= MAX_N) {
            return Err(a.error(0, format!("n must be a non-negative integer, got {n}")));
        }
        let p = a.probability(1)?;
        // Checked: a non-negative integer at most 2^53, so the cast is exact.
        let sampler = rand_distr::Binomial::new(n as u64, p)
            .map_err(|e| DistError::refused(Self::SPEC.name, e))?;
        Ok(Binomial { n, p, sampler })
    }

    #[inline]
    fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.sampler.sample(rng) as f64
    }

    fn mean(&self) -> f64 {
        self.n * self.p
    }

    /// The smallest k with P(X <= k) >= `level`, where P(X <= k) = I_(1-p)(n - k, k + 1),
    /// searched from the Cornish-Fisher approximation. Exact but where `level` lies within
    /// the CDF's error (relative ~1e-12, see [`beta_inc`]) of a CDF value, where it can be
    /// one off. The incomplete beta's continued fraction takes ~sqrt(n) terms: about a
    /// second for n near 2^53.
    fn quantile(&self, level: f64) -> f64 {
        let (n, p) = (self.n, self.p);
        if n == 0.0 || p == 0.0 {
            return 0.0;
        }
        if p == 1.0 {
            return n;
        }
        let q = 1.0 - p;
        let (mean, sd) = (n * p, (n * p * q).sqrt());
        let z = inverse_normal_cdf(level);
        let guess = mean + z * sd + (z * z - 1.0) * (q - p) / 6.0;
        // Compare on the side of the smaller tail, where the CDF keeps its digits.
        first_whole(0.0, n, guess, |k| {
            if k >= n {
                return true;
            }
            let (cdf, survival) = beta_inc(n - k, k + 1.0, q, p);
            if level <= 0.5 {
                cdf >= level
            } else {
                survival <= 1.0 - level
            }
        })
    }

    fn cdf(&self, x: f64) -> f64 {
        let k = x.floor();
        if x < 0.0 {
            0.0
        } else if k >= self.n || self.p == 0.0 {
            1.0
        } else if self.p == 1.0 {
            0.0
        } else {
            beta_inc(self.n - k, k + 1.0, 1.0 - self.p, self.p).0
        }
    }
}
