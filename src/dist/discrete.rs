//! `discrete`: values and weights (lists of one length; the weights need not sum to 1).

use std::sync::Arc;

use super::{Arg, Args, DistError, Family, Spec, unit};
use crate::expr::{Env, Expr};

/// A discrete distribution, its tables built once (shared: models are cloned per sweep
/// point, and a table can hold a million values).
#[derive(Clone, Debug)]
pub(crate) struct Discrete {
    table: Arc<Table>,
}

#[derive(Debug)]
struct Table {
    /// The values of positive weight, in file order, with the running sums of their weights
    /// added in file order exactly as the scan of [`Discrete::sample_exprs`] adds them: a
    /// binary search for the first sum above the draw then picks the same value as the
    /// scan, bit for bit, in O(log n).
    values: Vec<f64>,
    sums: Vec<f64>,
    /// Every (value, P(X <= value)) in increasing value, for the quantile and the CDF.
    sorted: Vec<(f64, f64)>,
    mean: f64,
}

impl Table {
    /// The table of checked `values` and `weights`.
    fn new(values: &[f64], weights: &[f64]) -> Self {
        let mut table = Table {
            values: Vec::new(),
            sums: Vec::new(),
            sorted: Vec::with_capacity(values.len()),
            mean: 0.0,
        };
        let mut acc = 0.0;
        for (&v, &w) in values.iter().zip(weights) {
            if w > 0.0 {
                acc += w;
                table.values.push(v);
                table.sums.push(acc);
            }
        }
        let total: f64 = weights.iter().sum();
        table.mean = values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total;
        let mut pairs: Vec<(f64, f64)> = values.iter().copied().zip(weights.iter().copied()).collect();
        pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut acc = 0.0;
        for (value, weight) in pairs {
            acc += weight / total;
            table.sorted.push((value, acc));
        }
        table
    }

    /// The value for a uniform draw `u` in [0, 1).
    fn pick(&self, u: f64) -> f64 {
        // The checks made the sum of the weights positive and finite. Summing zero weights
        // too (as the check does) gives the same total: adding 0 changes no sum.
        let total = self.sums.last().copied().unwrap_or(0.0);
        let target = u * total;
        // The sums never decrease, so the first one above `target` is found by bisection;
        // none (rounding): the last positive weight, as in the scan.
        let i = self.sums.partition_point(|&acc| acc <= target);
        self.values[i.min(self.values.len() - 1)]
    }
}

/// A problem with value or weight `i` (0-based) of a `discrete` with `n` values.
fn problem(n: usize, i: usize, value: f64, weight: f64) -> Option<DistError> {
    if !value.is_finite() {
        return Some(DistError::new(
            i,
            format!("value {} must be a finite number, got {value}", i + 1),
        ));
    }
    if !(weight.is_finite() && weight >= 0.0) {
        return Some(DistError::new(
            n + i,
            format!(
                "weight {} must be a finite number >= 0, got {weight}",
                i + 1
            ),
        ));
    }
    None
}

/// The weights of a `discrete` with `n` values do not have a positive, finite sum.
fn zero_total(n: usize, total: f64) -> DistError {
    DistError::new(
        n,
        format!("the weights must have a positive sum, got {total}"),
    )
}

/// Not two lists of one length (the loader prevents it; checked so that nothing panics).
fn arity(got: usize) -> DistError {
    DistError::new(
        0,
        format!("discrete needs as many weights as values (at least one), got {got} numbers in all"),
    )
}

impl Family for Discrete {
    const SPEC: Spec = Spec {
        name: "discrete",
        forms: &[&[Arg::required("values"), Arg::required("weights")]],
        mixed: ("", ""),
        lists: true,
    };

    /// The values then the weights, equally many: finite values, finite weights >= 0 with
    /// a positive sum.
    fn check_values(_form: usize, args: &[f64]) -> Result<(), DistError> {
        if args.is_empty() || !args.len().is_multiple_of(2) {
            return Err(arity(args.len()));
        }
        let n = args.len() / 2;
        let mut total = 0.0;
        for i in 0..n {
            if let Some(e) = problem(n, i, args[i], args[n + i]) {
                return Err(e);
            }
            total += args[n + i];
        }
        if total > 0.0 && total.is_finite() {
            Ok(())
        } else {
            Err(zero_total(n, total))
        }
    }

    fn build(_form: usize, a: Args<'_>) -> Result<Self, DistError> {
        let (values, weights) = a.values.split_at(a.values.len() / 2);
        Ok(Discrete {
            table: Arc::new(Table::new(values, weights)),
        })
    }

    #[inline]
    fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.table.pick(unit(rng))
    }

    fn mean(&self) -> f64 {
        self.table.mean
    }

    /// Exact: the smallest value whose cumulative weight share reaches `p`.
    fn quantile(&self, p: f64) -> f64 {
        let sorted = &self.table.sorted;
        let i = sorted.partition_point(|&(_, acc)| acc < p);
        sorted.get(i).or(sorted.last()).map_or(f64::NAN, |c| c.0)
    }

    fn cdf(&self, x: f64) -> f64 {
        let sorted = &self.table.sorted;
        match sorted.partition_point(|&(v, _)| v <= x) {
            0 => 0.0,
            i => sorted[i - 1].1.min(1.0),
        }
    }

    /// Two passes over the weights (evaluate and check, then select), so that a draw needs
    /// no buffer; the values are evaluated in the first pass only to be checked.
    fn sample_exprs<R: rand::Rng + ?Sized>(
        _form: usize,
        args: &[Expr],
        env: &Env<'_>,
        rng: &mut R,
    ) -> Result<f64, DistError> {
        let k = args.len();
        if k == 0 || !k.is_multiple_of(2) {
            return Err(arity(k));
        }
        let n = k / 2;
        let (values, weights) = args.split_at(n);
        let mut total = 0.0;
        for (i, (v, w)) in values.iter().zip(weights).enumerate() {
            let w = w.eval(env);
            if let Some(e) = problem(n, i, v.eval(env), w) {
                return Err(e);
            }
            total += w;
        }
        if !(total > 0.0 && total.is_finite()) {
            return Err(zero_total(n, total));
        }
        let target = unit(rng) * total;
        let mut acc = 0.0;
        let mut last = 0;
        for (i, w) in weights.iter().enumerate() {
            let w = w.eval(env);
            if w > 0.0 {
                last = i;
                acc += w;
                if target < acc {
                    return Ok(values[i].eval(env));
                }
            }
        }
        // Rounding can leave `target` just above the running sum: the last positive weight.
        Ok(values[last].eval(env))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::{Purpose, Stream, run_key, site};

    /// The linear scan of `sample_exprs` for a uniform `u`, written out.
    fn scan_pick(values: &[f64], weights: &[f64], u: f64) -> f64 {
        let total: f64 = weights.iter().fold(0.0, |t, w| t + w);
        let target = u * total;
        let (mut acc, mut last) = (0.0, 0);
        for (i, &w) in weights.iter().enumerate() {
            if w > 0.0 {
                last = i;
                acc += w;
                if target < acc {
                    return values[i];
                }
            }
        }
        values[last]
    }

    /// The table of a constant `discrete` draws exactly what the linear scan over its
    /// weights draws, uniform for uniform: weights with zeros, weights too small to change
    /// the running sum, huge and tiny ones, one value.
    #[test]
    fn table_draws_what_the_scan_draws() {
        let mut g = Stream::new(9, 9, 0);
        let mut cases: Vec<Vec<f64>> = vec![
            vec![0.0, 1.0, 2.0, 3.0],
            vec![1.0, 1e-300, 1e300, 0.0, 5e-324, 1.0],
            vec![1e16, 1.0, 1.0, 1.0, 1e16],
            vec![0.0, 0.0, 7.0],
        ];
        for n in [1usize, 2, 5, 50, 1000] {
            cases.push(
                (0..n)
                    .map(|i| match unit(&mut g) {
                        u if u < 0.2 => 0.0,
                        u if u < 0.3 => u * 1e-17,
                        u => u * (i + 1) as f64,
                    })
                    .collect(),
            );
        }
        let env = Env {
            params: &[],
            state: &[],
            counts: &[],
            t: 0.0,
        };
        for weights in cases {
            let n = weights.len();
            let mut args: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
            args.extend(&weights);
            let fast = Discrete::new(0, &args).expect("valid");
            // At the edges of [0, 1) too, where rounding decides.
            let values = &args[..n];
            for u in [
                0.0,
                5e-324,
                0.5,
                1.0 - f64::EPSILON / 2.0,
                1.0 - f64::EPSILON,
            ] {
                assert_eq!(
                    fast.table.pick(u),
                    scan_pick(values, &weights, u),
                    "{weights:?} {u}"
                );
            }
            let exprs: Vec<Expr> = args.iter().map(|&v| Expr::constant(v)).collect();
            let mut a = Stream::new(run_key(5, n as u64), site(Purpose::Param, "d"), 0);
            let mut b = a.clone();
            for _ in 0..20_000 {
                assert_eq!(
                    Ok(fast.draw(&mut a)),
                    Discrete::sample_exprs(0, &exprs, &env, &mut b),
                    "{weights:?}"
                );
            }
        }
    }
}
