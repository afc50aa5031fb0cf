//! Running checks and deciding them (docs/checks.md explains the rules to users).
//!
//! Checks that share a seed, a run count and a `vary` share their runs. Each run is observed
//! per check as a pair `(h, y)`: for `p(E | F)`, `h` is whether `F` held and `y` whether `E`
//! did too (`h` is always 1 for `p(E)`); for `mean_time(id)`, `h` is whether `id` happened
//! and `y` its time. A statistic is the ratio `R = sum(h y) / sum(h)`, so one set of sums
//! serves every kind: `sum h`, `sum h y`, `sum h y^2` per variant and, for `vary`, the
//! cross sums of the paired runs. Runs go in blocks of [`BLOCK_RUNS`] computed in parallel
//! by the engine's one runner ([`run_waves`]); the blocks' sums are added in block order, so the verdicts are the same for any thread
//! count. For indicators every sum is an integer (exact in f64).
//!
//! Decisions:
//! - a probability against bounds: the 99% Wilson interval of `sum(h y)` out of `sum(h)`;
//!   `ok` when the interval lies within the bounds, `FAIL` when it lies wholly outside,
//!   `undecided` when it straddles a bound;
//! - `== 0` / `== 1`: exact counts, `ok` iff no run (every run) shows it;
//! - a mean time against bounds: the same with the 99% normal interval;
//! - `rises` / `falls`: the paired difference `R_b - R_a` over runs on common random numbers,
//!   with the delta-method standard error of the paired influence terms
//!   `u_i = h_i (y_i - R) / mean(h)` (for `p(E)` these are the plain paired indicators); `ok`
//!   when the difference is more than 3 standard errors in the claimed direction, `FAIL` when
//!   its 99% interval excludes the claimed direction (a difference of exactly 0 in every run
//!   included), `undecided` otherwise.

use crate::check::{Bounds, Check, Claim, DEFAULT_CHECK_RUNS, Stat, Target};
use crate::engine::RunRecord;
use crate::engine::given::{Disagree, Given, draw_stream};
use crate::engine::many::{BatchError, ItemError, block_count, run_waves};
use crate::engine::run::{RunError, Runner};
use crate::expr::Env;
use crate::scenario::Model;
use crate::stats::BLOCK_RUNS;

/// z of a two-sided 99% normal interval.
pub const Z99: f64 = 2.575_829_303_548_900_4;

/// How many standard errors a paired difference must reach for `rises`/`falls` to pass.
pub const TREND_SIGMAS: f64 = 3.0;

/// The verdict of a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The runs support the claim.
    Ok,
    /// The runs contradict it.
    Fail,
    /// The runs cannot tell: more runs are needed.
    Undecided,
}

impl Status {
    /// As printed: `ok`, `FAIL`, `undecided`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Fail => "FAIL",
            Status::Undecided => "undecided",
        }
    }
}

/// What deciding one check found.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// ok, FAIL or undecided.
    pub status: Status,
    /// Runs used.
    pub runs: u64,
    /// Seed used.
    pub seed: u64,
    /// The estimate (a probability, a mean time, or for rises/falls the difference).
    pub estimate: Option<f64>,
    /// Its 99% interval, if it has one.
    pub interval: Option<(f64, f64)>,
    /// The evidence in words: the estimate and its interval, or the exact count.
    pub evidence: String,
    /// For an undecided check, a number of runs that would likely decide it.
    pub suggest_runs: Option<u64>,
    /// For a failed exact claim, the first run that breaks it (to replay with `rungs trace`).
    pub example_run: Option<u64>,
}

/// Command-line overrides of every check's own settings.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// `--runs`: replaces every check's `runs`.
    pub runs: Option<u64>,
    /// `--seed`: replaces every check's `seed`.
    pub seed: Option<u64>,
    /// The seed of checks that give none.
    pub default_seed: u64,
    /// Worker threads (never changes a verdict).
    pub threads: usize,
}

impl Settings {
    /// Runs and seed of `check`.
    pub fn of(&self, check: &Check) -> (u64, u64) {
        (
            self.runs.or(check.runs).unwrap_or(DEFAULT_CHECK_RUNS),
            self.seed.or(check.seed).unwrap_or(self.default_seed),
        )
    }
}

/// Why checks could not be run.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// A run failed. `set` is the `NAME=VALUE` of the varied parameter in that run, if the
    /// check varies one (to reproduce it with `rungs trace --set`).
    #[error("{error}")]
    Run {
        /// The run's error.
        error: Box<RunError>,
        /// The varied parameter's value in the failed run.
        set: Option<String>,
    },
    /// The runs could not be made (the thread pool could not start).
    #[error("{0}")]
    Threads(String),
}

/// The total number of runs (each variant counted) that [`run_checks`] will make, for a
/// progress bar.
pub fn total_runs(model: &Model, settings: &Settings) -> u64 {
    jobs(model, settings)
        .iter()
        .map(|j| j.runs * if j.vary.is_some() { 2 } else { 1 })
        .sum()
}

/// Runs every check of `model` and decides it; the verdicts are in the order of
/// `model.checks`. `progress` gets the number of runs done so far.
pub fn run_checks(
    model: &Model,
    settings: &Settings,
    progress: &dyn Fn(u64),
) -> Result<Vec<Verdict>, CheckError> {
    run_checks_given(model, settings, &Given::none(), progress)
}

/// [`run_checks`] over runs conditioned on the news `given` (`rungs check --given`): a
/// run counts for a variant only if it agrees with every observation (its `h` is 0
/// otherwise), and each block draws from its stream ([`crate::engine::given`]) until every
/// variant has its block's share of agreeing runs. So a check's `runs` are agreeing runs,
/// and `rises`/`falls` compare the variants each conditioned on the news, on common random
/// numbers.
pub fn run_checks_given(
    model: &Model,
    settings: &Settings,
    given: &Given,
    progress: &dyn Fn(u64),
) -> Result<Vec<Verdict>, CheckError> {
    let threads = settings.threads.max(1);
    let mut verdicts: Vec<Option<Verdict>> = vec![None; model.checks.len()];
    let mut done = 0u64;
    for job in jobs(model, settings) {
        let variants: Vec<Model> = match job.vary {
            None => vec![model.clone()],
            Some((p, values)) => values
                .iter()
                .map(|&v| {
                    let mut m = model.clone();
                    m.set_param(p, v);
                    m
                })
                .collect(),
        };
        let nv = variants.len() as u64;
        let mut sums = vec![Sums::default(); job.checks.len()];
        // The variant whose run failed (the engine's error does not know the variants).
        let mut failed_variant: Option<usize> = None;
        let result = run_waves(
            threads,
            0..block_count(job.runs),
            |_| (),
            |_, blk| {
                let quota = ((blk + 1) * BLOCK_RUNS).min(job.runs) - blk * BLOCK_RUNS;
                Ok(block(model, &variants, &job, blk, quota, given))
            },
            |blk, r| {
                let block_sums = r.map_err(|fail| match fail {
                    BlockFail::Run(v, e) => {
                        failed_variant = Some(v);
                        BatchError::Run(e)
                    }
                    BlockFail::Disagree(d) => BatchError::Disagree(Box::new(d)),
                })?;
                for (s, o) in sums.iter_mut().zip(&block_sums) {
                    s.add(o);
                }
                progress(done + ((blk + 1) * BLOCK_RUNS).min(job.runs) * nv);
                Ok(())
            },
        );
        if let Err(ItemError { error, .. }) = result {
            return Err(match error {
                BatchError::Run(e) => CheckError::Run {
                    error: e,
                    set: job
                        .vary
                        .zip(failed_variant)
                        .map(|((p, values), v)| format!("{}={}", model.params[p].id, values[v])),
                },
                other => CheckError::Threads(other.to_string()),
            });
        }
        done += job.runs * nv;
        for (&c, s) in job.checks.iter().zip(&sums) {
            verdicts[c] = Some(decide(model, &model.checks[c], s, job.runs, job.seed));
        }
    }
    Ok(verdicts.into_iter().flatten().collect())
}

/// Checks that share their runs.
struct Job {
    seed: u64,
    runs: u64,
    vary: Option<(usize, [f64; 2])>,
    /// Indices into `model.checks`.
    checks: Vec<usize>,
}

fn jobs(model: &Model, settings: &Settings) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::new();
    for (i, c) in model.checks.iter().enumerate() {
        let (runs, seed) = settings.of(c);
        let same_vary = |j: &Job| match (j.vary, c.vary) {
            (None, None) => true,
            (Some((p, [a, b])), Some((q, [x, y]))) => {
                p == q && a.to_bits() == x.to_bits() && b.to_bits() == y.to_bits()
            }
            _ => false,
        };
        match jobs
            .iter_mut()
            .find(|j| j.seed == seed && j.runs == runs && same_vary(j))
        {
            Some(j) => j.checks.push(i),
            None => jobs.push(Job {
                seed,
                runs,
                vary: c.vary,
                checks: vec![i],
            }),
        }
    }
    jobs
}

/// The sums of one check over some runs (see the module documentation). Index 0 is the
/// only variant, or the first value of `vary`; index 1 the second.
#[derive(Clone, Debug, Default, PartialEq)]
struct Sums {
    n: u64,
    h: [f64; 2],
    hy: [f64; 2],
    hyy: [f64; 2],
    /// Paired runs in which `h` holds in both variants, and the cross sums over them.
    hh: f64,
    hh_ya: f64,
    hh_yb: f64,
    hh_yy: f64,
    /// Paired runs whose observation differs between the variants.
    differ: u64,
    /// The first run that breaks an exact claim.
    first_violation: Option<u64>,
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.n += o.n;
        for v in 0..2 {
            self.h[v] += o.h[v];
            self.hy[v] += o.hy[v];
            self.hyy[v] += o.hyy[v];
        }
        self.hh += o.hh;
        self.hh_ya += o.hh_ya;
        self.hh_yb += o.hh_yb;
        self.hh_yy += o.hh_yy;
        self.differ += o.differ;
        self.first_violation = match (self.first_violation, o.first_violation) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

/// Why a block of a job failed: a run of variant `.0`, or news no run agrees with.
enum BlockFail {
    Run(usize, Box<RunError>),
    Disagree(Disagree),
}

/// One block of runs of a job: every variant, every check; drawn until each variant has
/// `quota` runs that agree with `given` (without news: runs `blk * BLOCK_RUNS ..`).
fn block(
    model: &Model,
    variants: &[Model],
    job: &Job,
    blk: u64,
    quota: u64,
    given: &Given,
) -> Result<Vec<Sums>, BlockFail> {
    let mut runners: Vec<Runner<'_>> = variants.iter().map(|m| Runner::new(m, job.seed)).collect();
    let mut recs = vec![RunRecord::default(); variants.len()];
    let mut counts: Vec<Vec<u32>> = vec![Vec::new(); variants.len()];
    let mut sums = vec![Sums::default(); job.checks.len()];
    let mut accepted = vec![0u64; variants.len()];
    let mut agree = vec![true; variants.len()];
    let drawn = draw_stream(blk, 0, given.max_draws, |run| {
        for (v, runner) in runners.iter_mut().enumerate() {
            runner
                .run(run, &mut recs[v])
                .map_err(|e| BlockFail::Run(v, Box::new(e)))?;
            extended_counts(model, &recs[v], &mut counts[v]);
            agree[v] = given.agrees(&recs[v]);
            accepted[v] += u64::from(agree[v]);
        }
        for (k, &c) in job.checks.iter().enumerate() {
            let check = &model.checks[c];
            let stat = check.claim_kind.stat();
            let s = &mut sums[k];
            s.n += 1;
            let mut obs = [(false, 0.0); 2];
            for v in 0..variants.len() {
                let (h, y) = observe(stat, &recs[v], &counts[v]);
                let (h, y) = if agree[v] { (h, y) } else { (false, 0.0) };
                obs[v] = (h, y);
                if h {
                    s.h[v] += 1.0;
                    s.hy[v] += y;
                    s.hyy[v] += y * y;
                }
            }
            if variants.len() == 2 {
                let ((ha, ya), (hb, yb)) = (obs[0], obs[1]);
                if ha && hb {
                    s.hh += 1.0;
                    s.hh_ya += ya;
                    s.hh_yb += yb;
                    s.hh_yy += ya * yb;
                }
                let same = ha == hb && (!ha || ya.to_bits() == yb.to_bits());
                s.differ += u64::from(!same);
            }
            let (h, y) = obs[0];
            let broken = match check.claim_kind {
                Claim::Never(_) => h && y != 0.0,
                Claim::Always(_) => h && y == 0.0,
                _ => false,
            };
            if broken && s.first_violation.is_none() {
                s.first_violation = Some(run);
            }
        }
        Ok(accepted.iter().all(|&a| a >= quota))
    })?;
    match drawn {
        Some(_) => Ok(sums),
        None => Err(BlockFail::Disagree(Disagree {
            block: blk,
            accepted: accepted.iter().copied().min().unwrap_or(0),
            drawn: given.max_draws,
            quota,
        })),
    }
}

/// The counts conditions read: how often each node happened, then one 0/1 per outcome
/// (`fired(outcome)` reads index `nodes.len() + outcome`).
fn extended_counts(model: &Model, rec: &RunRecord, out: &mut Vec<u32>) {
    out.clear();
    out.extend_from_slice(&rec.counts);
    out.resize(model.nodes.len(), 0);
    out.extend((0..model.outcomes.len()).map(|o| u32::from(rec.outcome == o)));
}

/// `(h, y)` of one run (see the module documentation); `y` is 0 when `h` is false.
fn observe(stat: &Stat, rec: &RunRecord, counts: &[u32]) -> (bool, f64) {
    match stat {
        Stat::P { event, given } => {
            let env = Env {
                params: &rec.params,
                state: &rec.state,
                counts,
                t: rec.end_time,
            };
            let h = given.as_ref().is_none_or(|g| g.eval_bool(&env));
            let y = h && event.eval_bool(&env);
            (h, f64::from(u8::from(y)))
        }
        Stat::MeanTime(Target::Node(n)) => {
            let h = rec.counts.get(*n).is_some_and(|&c| c > 0);
            (h, if h { rec.first_time[*n] } else { 0.0 })
        }
        Stat::MeanTime(Target::Outcome(o)) => {
            let h = rec.outcome == *o;
            (h, if h { rec.end_time } else { 0.0 })
        }
    }
}

/// The 99% Wilson score interval of `k` successes in `n` trials (n > 0).
pub fn wilson99(k: f64, n: f64) -> (f64, f64) {
    let z2 = Z99 * Z99;
    let p = k / n;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z99 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    let lo = if k <= 0.0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let hi = if k >= n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (lo, hi)
}

/// Where an interval lies relative to bounds.
fn against(lo: f64, hi: f64, b: &Bounds) -> Status {
    if b.holds(lo) && b.holds(hi) {
        return Status::Ok;
    }
    let below = b
        .lower
        .is_some_and(|(l, inc)| if inc { hi < l } else { hi <= l });
    let above = b
        .upper
        .is_some_and(|(u, inc)| if inc { lo > u } else { lo >= u });
    if below || above {
        Status::Fail
    } else {
        Status::Undecided
    }
}

/// Runs that would likely narrow an interval of half-width `half` (from `runs` runs) to
/// less than `margin`, with some room; None when it is too close to call.
fn runs_for(runs: u64, half: f64, margin: f64) -> Option<u64> {
    if !(margin > 0.0 && half > 0.0) {
        return None;
    }
    let need = runs as f64 * (half / margin).powi(2) * 1.5;
    if !need.is_finite() || need > 1e10 {
        return None;
    }
    // Two significant digits, rounded up.
    let need = need.max(runs as f64 * 2.0);
    let scale = 10f64.powi((need.log10().floor() as i32 - 1).max(0));
    Some(((need / scale).ceil() * scale) as u64)
}

fn fmt_p(x: f64) -> String {
    format!("{x:.4}")
}

fn fmt_t(x: f64) -> String {
    if x.abs() >= 1000.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

/// The bound an interval straddles, nearest the estimate.
fn straddled(lo: f64, hi: f64, b: &Bounds) -> Option<f64> {
    [b.lower, b.upper]
        .into_iter()
        .flatten()
        .map(|(x, _)| x)
        .find(|&x| lo <= x && x <= hi)
}

fn decide(model: &Model, check: &Check, s: &Sums, runs: u64, seed: u64) -> Verdict {
    let mut v = Verdict {
        status: Status::Undecided,
        runs,
        seed,
        estimate: None,
        interval: None,
        evidence: String::new(),
        suggest_runs: None,
        example_run: None,
    };
    let given = matches!(check.claim_kind.stat(), Stat::P { given: Some(_), .. });
    let cond_note = |n: f64| {
        if given {
            format!(" (the condition held in {n} of {runs} runs)")
        } else {
            String::new()
        }
    };
    match &check.claim_kind {
        Claim::Never(_) | Claim::Always(_) => {
            let never = matches!(check.claim_kind, Claim::Never(_));
            let n = s.h[0];
            let k = if never { s.hy[0] } else { s.h[0] - s.hy[0] };
            v.estimate = (n > 0.0).then(|| s.hy[0] / n);
            v.status = if k == 0.0 { Status::Ok } else { Status::Fail };
            v.example_run = s.first_violation;
            v.evidence = if given {
                format!(
                    "happened in {} of the {n} runs in which the condition held ({runs} runs)",
                    s.hy[0]
                )
            } else {
                format!("happened in {} of {runs} runs", s.hy[0])
            };
            if given && n == 0.0 {
                v.evidence += "; the condition never held, so the claim holds vacuously";
            }
        }
        Claim::Within { stat, bounds } => {
            let n = s.h[0];
            let (est, lo, hi, label) = match stat {
                Stat::P { .. } => {
                    if n == 0.0 {
                        v.evidence = format!("the condition never held in {runs} runs");
                        return v;
                    }
                    let (lo, hi) = wilson99(s.hy[0], n);
                    (s.hy[0] / n, lo, hi, "")
                }
                Stat::MeanTime(t) => {
                    if n < 2.0 {
                        v.evidence = format!(
                            "`{}` happened in {n} of {runs} runs: too few for a mean and its interval",
                            target_name(model, *t)
                        );
                        return v;
                    }
                    let mean = s.hy[0] / n;
                    let var = ((s.hyy[0] - n * mean * mean) / (n - 1.0)).max(0.0);
                    let half = Z99 * (var / n).sqrt();
                    (mean, mean - half, mean + half, "t")
                }
            };
            let f = |x: f64| if label == "t" { fmt_t(x) } else { fmt_p(x) };
            v.estimate = Some(est);
            v.interval = Some((lo, hi));
            v.status = against(lo, hi, bounds);
            v.evidence = format!(
                "{}, 99% interval [{}, {}], {runs} runs{}",
                f(est),
                f(lo),
                f(hi),
                if label == "t" {
                    format!(" ({n} in which it happened)")
                } else {
                    cond_note(n)
                }
            );
            if v.status == Status::Undecided
                && let Some(b) = straddled(lo, hi, bounds)
            {
                v.evidence = format!(
                    "{}, 99% interval [{}, {}] straddles {b}, {runs} runs{}",
                    f(est),
                    f(lo),
                    f(hi),
                    cond_note(n)
                );
                v.suggest_runs = runs_for(runs, (hi - lo) / 2.0, (est - b).abs());
            }
        }
        Claim::Trend { rises, .. } => trend(model, check, s, runs, *rises, &mut v),
    }
    v
}

fn target_name(model: &Model, t: Target) -> &str {
    match t {
        Target::Node(n) => &model.nodes[n].id,
        Target::Outcome(o) => &model.outcomes[o],
    }
}

fn trend(model: &Model, check: &Check, s: &Sums, runs: u64, rises: bool, v: &mut Verdict) {
    let is_p = check.claim_kind.stat().is_probability();
    let f = |x: f64| if is_p { fmt_p(x) } else { fmt_t(x) };
    let signed = |x: f64| if x >= 0.0 { format!("+{}", f(x)) } else { f(x) };
    let (values, name) = match check.vary {
        Some((p, values)) => (values, model.params[p].id.as_str()),
        None => ([0.0, 0.0], "?"),
    };
    let n = s.n as f64;
    if s.h[0] == 0.0 || s.h[1] == 0.0 || n < 2.0 {
        v.evidence = format!(
            "with {name} = {} the statistic has no runs to estimate it from ({runs} paired runs)",
            if s.h[0] == 0.0 { values[0] } else { values[1] }
        );
        return;
    }
    let (ra, rb) = (s.hy[0] / s.h[0], s.hy[1] / s.h[1]);
    let (diff, se) = if s.differ == 0 {
        (0.0, 0.0)
    } else {
        let (ma, mb) = (s.h[0] / n, s.h[1] / n);
        let ua = (s.hyy[0] - 2.0 * ra * s.hy[0] + ra * ra * s.h[0]) / (ma * ma);
        let ub = (s.hyy[1] - 2.0 * rb * s.hy[1] + rb * rb * s.h[1]) / (mb * mb);
        let uab = (s.hh_yy - rb * s.hh_ya - ra * s.hh_yb + ra * rb * s.hh) / (ma * mb);
        let ss = (ua + ub - 2.0 * uab).max(0.0);
        (rb - ra, (ss / (n - 1.0) / n).sqrt())
    };
    let sign = if rises { 1.0 } else { -1.0 };
    let towards = sign * diff;
    let z = if se > 0.0 { diff / se } else { 0.0 };
    v.estimate = Some(diff);
    v.interval = Some((diff - Z99 * se, diff + Z99 * se));
    v.status = if (se > 0.0 && towards / se > TREND_SIGMAS) || (se == 0.0 && towards > 0.0) {
        Status::Ok
    } else if towards + Z99 * se <= 0.0 {
        Status::Fail
    } else {
        Status::Undecided
    };
    v.evidence = if s.differ == 0 {
        format!(
            "{} with {name} = {} and = {}: the same in every one of {runs} paired runs",
            f(ra),
            values[0],
            values[1]
        )
    } else {
        format!(
            "{} -> {} as {name} goes {} -> {}; difference {}, 99% interval [{}, {}], z = {z:.1}, {runs} paired runs",
            f(ra),
            f(rb),
            values[0],
            values[1],
            signed(diff),
            signed(diff - Z99 * se),
            signed(diff + Z99 * se),
        )
    };
    if v.status == Status::Undecided && towards > 0.0 {
        v.suggest_runs = runs_for(runs, TREND_SIGMAS * se, towards);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_the_closed_form_and_its_ends() {
        // k = 30 of n = 100: centre (0.3 + z^2/200) / (1 + z^2/100).
        let (lo, hi) = wilson99(30.0, 100.0);
        let z2 = Z99 * Z99;
        let centre = (0.3 + z2 / 200.0) / (1.0 + z2 / 100.0);
        assert!(((lo + hi) / 2.0 - centre).abs() < 1e-12);
        assert!(lo > 0.18 && lo < 0.2 && hi > 0.42 && hi < 0.44, "{lo} {hi}");
        assert_eq!(wilson99(0.0, 50.0).0, 0.0);
        assert_eq!(wilson99(50.0, 50.0).1, 1.0);
        // 0 of n: the upper end is z^2 / (n + z^2).
        let (_, hi) = wilson99(0.0, 1000.0);
        assert!((hi - z2 / (1000.0 + z2)).abs() < 1e-12);
    }

    #[test]
    fn intervals_against_bounds() {
        let gt = Bounds {
            lower: Some((0.5, false)),
            upper: None,
        };
        assert_eq!(against(0.51, 0.6, &gt), Status::Ok);
        assert_eq!(against(0.49, 0.6, &gt), Status::Undecided);
        assert_eq!(against(0.4, 0.5, &gt), Status::Fail);
        let ge = Bounds {
            lower: Some((0.5, true)),
            upper: None,
        };
        assert_eq!(against(0.5, 0.6, &ge), Status::Ok);
        assert_eq!(against(0.4, 0.5, &ge), Status::Undecided);
        let range = Bounds {
            lower: Some((0.2, false)),
            upper: Some((0.4, false)),
        };
        assert_eq!(against(0.25, 0.35, &range), Status::Ok);
        assert_eq!(against(0.35, 0.45, &range), Status::Undecided);
        assert_eq!(against(0.4, 0.45, &range), Status::Fail);
        assert_eq!(against(0.1, 0.2, &range), Status::Fail);
    }

    #[test]
    fn suggested_runs_scale_with_the_square() {
        // Half-width twice the margin: four times the runs, times 1.5 room.
        assert_eq!(runs_for(10_000, 0.02, 0.01), Some(60_000));
        assert_eq!(runs_for(10_000, 0.02, 0.0), None);
    }
}
