//! The run's random draws: its parameters, branch choices, and the addressed streams of each
//! step's sites; and the values that must be checked as they are computed.

use rand_distr::{Distribution as _, StandardNormal};

use super::{Fallible, Runner, Site, TraceEvent, Tracer, env};
use crate::dist::Distribution;
use crate::engine::RunRecord;
use crate::engine::rng::{Purpose, Stream};
use crate::expr::{Env, Expr};
use crate::scenario::{BRANCH_SUM_TOLERANCE, BranchProbability, ParamValue, StepId};

impl Runner<'_> {
    /// Computes the parameters that are not fixed (the fixed ones are in `rec` already).
    /// A trace lists them all, in evaluation order.
    pub(super) fn draw_params<T: Tracer>(
        &mut self,
        rec: &mut RunRecord,
        tracer: &mut T,
    ) -> Fallible<()> {
        let m = self.model;
        let order = if T::ON {
            &m.param_order
        } else {
            &self.varying_params
        };
        if !self.copula.is_empty() {
            // The correlated parameters first: their arguments are constants, and the
            // others may read them. Each one's normal from its own stream.
            let (key, sites) = (self.run_key, &self.param_sites);
            self.copula.draw(
                |p| StandardNormal.sample(&mut Stream::new(key, sites[p], 0)),
                &mut rec.params,
            );
        }
        for &p in order {
            let value = match &m.params[p].value {
                ParamValue::Fixed(v) => *v,
                ParamValue::Derived(e) => {
                    let v = e.eval(&env(rec, 0.0));
                    if !v.is_finite() {
                        return Err(self.error(
                            format!("parameter `{}`", m.params[p].id),
                            e,
                            v,
                            "it is not a finite number",
                        ));
                    }
                    v
                }
                ParamValue::Drawn(d) if self.correlated[p] => {
                    let v = rec.params[p];
                    if !v.is_finite() {
                        return Err(self.bad_draw(d, &env(rec, 0.0), Site::Param(p), Ok(v)));
                    }
                    v
                }
                ParamValue::Drawn(d) => {
                    let mut stream = Stream::new(self.run_key, self.param_sites[p], 0);
                    self.sample(d, &env(rec, 0.0), &mut stream, Site::Param(p))?
                }
            };
            rec.params[p] = value;
            if T::ON {
                tracer.event(TraceEvent::Param { param: p, value });
            }
        }
        Ok(())
    }

    /// Draws from `d` in the current state, turning bad arguments into a run error.
    #[inline]
    pub(super) fn sample(
        &self,
        d: &Distribution,
        env: &Env<'_>,
        stream: &mut Stream,
        site: Site,
    ) -> Fallible<f64> {
        match d.sample(env, stream) {
            Ok(v) if v.is_finite() => Ok(v),
            refused => Err(self.bad_draw(d, env, site, refused)),
        }
    }

    /// The stream of one of a step's sites, resumed where the run left it.
    #[inline]
    pub(super) fn stream(&self, step: StepId, purpose: Purpose) -> Stream {
        let sites = &self.step_sites[step];
        let (site, slot) = match purpose {
            Purpose::Chance => (sites.chance, 0),
            Purpose::Delay => (sites.delay, 1),
            Purpose::Hazard => (sites.hazard, 2),
            Purpose::Branch | Purpose::Param => (sites.branch, 3),
        };
        Stream::new(self.run_key, site, self.counters[4 * step + slot])
    }

    #[inline]
    pub(super) fn save(&mut self, step: StepId, purpose: Purpose, stream: &Stream) {
        let slot = match purpose {
            Purpose::Chance => 0,
            Purpose::Delay => 1,
            Purpose::Hazard => 2,
            Purpose::Branch | Purpose::Param => 3,
        };
        self.counters[4 * step + slot] = stream.counter();
    }

    /// Evaluates a number that must be finite (and, with `range`, inside it).
    #[inline]
    pub(super) fn checked(
        &self,
        e: &Expr,
        env: &Env<'_>,
        site: Site,
        range: Option<(f64, f64)>,
        what: &str,
    ) -> Fallible<f64> {
        let v = e.eval(env);
        let fine = match range {
            Some((lo, hi)) => (lo..=hi).contains(&v) && v.is_finite(),
            None => v.is_finite(),
        };
        if fine {
            Ok(v)
        } else {
            Err(self.out_of_range(e, v, site, range, what))
        }
    }

    /// Draws one branch of step `i`: its index and the uniform draw.
    pub(super) fn draw_branch(&mut self, i: StepId, rec: &RunRecord) -> Fallible<(usize, f64)> {
        let m = self.model;
        let branches = &m.steps[i].branches;
        // Sum of the explicit probabilities, each checked; "rest" takes what remains.
        let mut explicit = 0.0;
        for b in branches {
            if let BranchProbability::Value(e) = &b.probability {
                explicit += self.checked(
                    e,
                    &env(rec, self.t),
                    Site::Node(b.node),
                    Some((0.0, 1.0)),
                    "probability",
                )?;
            }
        }
        let has_rest = branches
            .iter()
            .any(|b| matches!(b.probability, BranchProbability::Rest));
        let rest = if has_rest {
            (1.0 - explicit).max(0.0)
        } else {
            0.0
        };
        let total = explicit + rest;
        if (total - 1.0).abs() > BRANCH_SUM_TOLERANCE {
            let e = match &branches[0].probability {
                BranchProbability::Value(e) => e.clone(),
                BranchProbability::Rest => Expr::constant(total),
            };
            return Err(self.error(
                self.site_name(&Site::Step(i)),
                &e,
                total,
                "its branch probabilities do not sum to 1",
            ));
        }
        let mut stream = self.stream(i, Purpose::Branch);
        let u = stream.unit();
        self.save(i, Purpose::Branch, &stream);
        let mut acc = 0.0;
        let mut last_possible = 0;
        for (k, b) in branches.iter().enumerate() {
            let p = match &b.probability {
                BranchProbability::Value(e) => e.eval(&env(rec, self.t)),
                BranchProbability::Rest => rest,
            };
            if p > 0.0 {
                last_possible = k;
            }
            acc += p;
            if u < acc {
                return Ok((k, u));
            }
        }
        // Rounding left u above the running sum: the last branch that could happen.
        Ok((last_possible, u))
    }
}
