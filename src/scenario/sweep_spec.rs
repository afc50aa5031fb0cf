//! A sweep design as written: the `[sweep]` table of a scenario or the `--vary`, `--lhs` and
//! `--epistemic` flags of `rungs sweep`. Its types, the text of one varied parameter
//! ([`parse_vary`]) and the rules between its parts ([`SweepSpec::check`]) are here, once:
//! the loader reports a broken rule at its spot in the file, the sweep command names its
//! flag, and the points are built only from a [`CheckedSpec`].

use crate::scenario::{Model, ParamId, ParamValue};

/// The most points a design may have: a guard against `a=0..1:1000` typos multiplied over
/// several parameters. Every point's summary is held in memory until the tables are written
/// (a few kB to tens of kB each), so 100,000 points stay within a few GB.
pub const MAX_POINTS: u64 = 100_000;

/// A sweep design as written in a `[sweep]` table (the same design `--vary`, `--lhs` and
/// `--epistemic` give on the command line), not yet checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepSpec {
    /// Varied parameters with their values or ranges, in file order.
    pub vary: Vec<(ParamId, Vary)>,
    /// Latin-hypercube points over the ranges, if given.
    pub lhs: Option<u32>,
    /// Points drawn from the scenario's own parameter distributions, if given.
    pub epistemic: Option<u32>,
}

/// How one parameter is varied in a sweep.
#[derive(Clone, Debug, PartialEq)]
pub enum Vary {
    /// These values.
    List(Vec<f64>),
    /// `lo..hi:k`: k evenly spaced values (k = None: a range for `--lhs`).
    Range {
        /// Low end.
        lo: f64,
        /// High end.
        hi: f64,
        /// Number of values, for a grid.
        k: Option<u32>,
    },
}

impl Vary {
    /// How many values it gives a grid (a range without a count: 1, and an error there).
    pub fn count(&self) -> u64 {
        match self {
            Vary::List(values) => values.len() as u64,
            Vary::Range { k, .. } => k.map_or(1, u64::from),
        }
    }

    /// Its smallest and largest value: a range's ends, or a list's extremes.
    pub fn ends(&self) -> (f64, f64) {
        match self {
            Vary::Range { lo, hi, .. } => (*lo, *hi),
            Vary::List(v) => (
                v.iter().copied().fold(f64::INFINITY, f64::min),
                v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
        }
    }
}

/// A [`SweepSpec`] whose rules hold: the only form the sweep command builds points from.
/// Made by [`SweepSpec::check`]; read through `Deref` (`spec.vary`, `spec.lhs`).
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedSpec(SweepSpec);

impl std::ops::Deref for CheckedSpec {
    type Target = SweepSpec;

    fn deref(&self) -> &SweepSpec {
        &self.0
    }
}

/// The kinds of design that take a number of points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    /// `lhs` / `--lhs`.
    Lhs,
    /// `epistemic` / `--epistemic`.
    Epistemic,
}

impl Counted {
    /// Its key in `[sweep]` (the flag is `--` and the key).
    pub fn key(self) -> &'static str {
        match self {
            Counted::Lhs => "lhs",
            Counted::Epistemic => "epistemic",
        }
    }
}

/// A broken rule of a sweep design. Each names the part at fault (an index is into
/// [`SweepSpec::vary`]) so that the loader can point at its key in `[sweep]` and the sweep
/// command can name its flag.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// Both `lhs` and `epistemic`: a sweep is one design.
    LhsAndEpistemic,
    /// `lhs` or `epistemic` asks for 0 points, or more than [`MAX_POINTS`].
    PointCount(Counted, u32),
    /// A varied parameter with more values than [`MAX_POINTS`].
    TooManyValues(usize),
    /// `lhs` with no range to spread its points over.
    LhsWithoutRanges,
    /// `lhs` with a list of values: Latin-hypercube points lie in ranges.
    LhsOverList(usize),
    /// `epistemic` with `vary`: epistemic points draw every uncertain parameter.
    EpistemicWithVary,
    /// `epistemic`, but no parameter is drawn from a distribution.
    NothingDrawn,
    /// A grid (no `lhs`, no `epistemic`) over a range without a number of values.
    RangeWithoutCount(usize),
    /// A grid of this many points, more than [`MAX_POINTS`].
    GridTooLarge(u64),
    /// Nothing to sweep over.
    NoPoints,
}

/// A [`SweepSpec`] that breaks rules, given back with every rule it breaks.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejected {
    /// The spec, for the messages (the names and values of its parts).
    pub spec: SweepSpec,
    /// The broken rules, the combination of `lhs` and `epistemic` first.
    pub problems: Vec<Problem>,
}

impl SweepSpec {
    /// The spec if its rules hold, else every broken rule. Each [`Vary`] must be well
    /// formed, as [`parse_vary`] and the loader make them: finite values, `lo <= hi`, a
    /// count of at least 1.
    pub fn check(self, model: &Model) -> Result<CheckedSpec, Rejected> {
        let mut out = Vec::new();
        if self.lhs.is_some() && self.epistemic.is_some() {
            out.push(Problem::LhsAndEpistemic);
        }
        for (kind, k) in [
            (Counted::Lhs, self.lhs),
            (Counted::Epistemic, self.epistemic),
        ] {
            if let Some(k) = k
                && (k == 0 || u64::from(k) > MAX_POINTS)
            {
                out.push(Problem::PointCount(kind, k));
            }
        }
        let too_many: Vec<usize> = (0..self.vary.len())
            .filter(|&i| self.vary[i].1.count() > MAX_POINTS)
            .collect();
        out.extend(too_many.iter().map(|&i| Problem::TooManyValues(i)));
        let is_range = |v: &Vary| matches!(v, Vary::Range { .. });
        match (self.lhs, self.epistemic) {
            (Some(_), Some(_)) => {}
            (Some(_), None) => {
                if !self.vary.iter().any(|(_, v)| is_range(v)) {
                    out.push(Problem::LhsWithoutRanges);
                } else {
                    out.extend(
                        (0..self.vary.len())
                            .filter(|&i| !is_range(&self.vary[i].1))
                            .map(Problem::LhsOverList),
                    );
                }
            }
            (None, Some(_)) => {
                if !self.vary.is_empty() {
                    out.push(Problem::EpistemicWithVary);
                }
                if !model
                    .params
                    .iter()
                    .any(|p| matches!(p.value, ParamValue::Drawn(_)))
                {
                    out.push(Problem::NothingDrawn);
                }
            }
            (None, None) if self.vary.is_empty() => out.push(Problem::NoPoints),
            (None, None) => {
                let total = self
                    .vary
                    .iter()
                    .fold(1u64, |n, (_, v)| n.saturating_mul(v.count()));
                if too_many.is_empty() && total > MAX_POINTS {
                    out.push(Problem::GridTooLarge(total));
                }
                out.extend(
                    (0..self.vary.len())
                        .filter(|&i| matches!(self.vary[i].1, Vary::Range { k: None, .. }))
                        .map(Problem::RangeWithoutCount),
                );
            }
        }
        if out.is_empty() {
            Ok(CheckedSpec(self))
        } else {
            Err(Rejected {
                spec: self,
                problems: out,
            })
        }
    }
}

/// Parses the text of one varied parameter, as in `--vary NAME=TEXT` and in `[sweep]`:
/// `v1,v2,v3` (a list), `lo..hi:k` (k evenly spaced values, k >= 1) or `lo..hi` (a range
/// for `--lhs`). Numbers must be finite, and `lo <= hi`.
pub fn parse_vary(text: &str) -> Result<Vary, String> {
    let num = |s: &str| -> Result<f64, String> {
        let s = s.trim();
        let cleaned = s.replace('_', "");
        match cleaned.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(format!("`{s}` is not a finite number")),
        }
    };
    if let Some((lo, rest)) = text.split_once("..") {
        let (hi, k) = match rest.split_once(':') {
            Some((hi, k)) => {
                let k = count_after_colon(k.trim())?;
                (hi, Some(k))
            }
            None => (rest, None),
        };
        let (lo, hi) = (num(lo)?, num(hi)?);
        if lo > hi {
            return Err(format!("the range {lo}..{hi} runs backwards"));
        }
        return Ok(Vary::Range { lo, hi, k });
    }
    let values = text
        .split(',')
        .map(num)
        .collect::<Result<Vec<f64>, String>>()?;
    Ok(Vary::List(values))
}

/// The `k` of `lo..hi:k`, with the real reason when it is not one: not a whole number, 0,
/// or more values than any design may have (not "must be at least 1" for 4294967296).
/// Checked before the values are made: `0..1:4294967295` must not allocate them.
fn count_after_colon(k: &str) -> Result<u32, String> {
    let digits = !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit());
    if !digits {
        return Err(format!(
            "`{k}` after `:` must be a whole number of values, e.g. `:5`"
        ));
    }
    match k.parse::<u64>() {
        Ok(0) => Err("`0` after `:` gives no values: it must be >= 1".to_string()),
        Ok(n) if n <= MAX_POINTS => {
            u32::try_from(n).map_err(|_| format!("`{k}` after `:` is too large"))
        }
        _ => Err(format!(
            "`{k}` values after `:` are more than a design may have points ({MAX_POINTS})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vary_text() {
        assert_eq!(parse_vary("1,2, 3"), Ok(Vary::List(vec![1.0, 2.0, 3.0])));
        assert_eq!(
            parse_vary("-1.5..2.5:5"),
            Ok(Vary::Range {
                lo: -1.5,
                hi: 2.5,
                k: Some(5)
            })
        );
        assert_eq!(
            parse_vary("0..10_000"),
            Ok(Vary::Range {
                lo: 0.0,
                hi: 10000.0,
                k: None
            })
        );
        assert!(parse_vary("5..1:3").is_err());
        assert!(parse_vary("1..5:0").is_err());
        assert!(parse_vary("a,b").is_err());
        assert!(parse_vary("inf..1").is_err());
        assert!(parse_vary("").is_err());
    }
}
