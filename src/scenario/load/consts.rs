//! Expressions whose every input is fixed in the file, evaluated when it loads.
//!
//! A derived parameter `1 / z` with `z = 0`, or a `probability = "q"` that comes out at 1.5,
//! would stop every run with a run-time error; found here, it is a load-time error that
//! points at the expression and says what its inputs are. An input is *fixed* when it is a
//! number, or a parameter whose value is a number or an expression of fixed parameters,
//! and the file's own `[sweep]` does not vary it. Expressions that read a drawn parameter,
//! state, `t`, `fired()` or `count()` are left to the runs (a `--set` or a sweep can change
//! what is fixed; the runs check everything again).
//!
//! The checks are the engine's (src/engine/run.rs), site by site: finite numbers, a
//! probability in [0, 1], a delay or hazard >= 0, a condition that is not NaN, distribution
//! arguments, branch probabilities that add up to 1. Each problem is reported once, at its
//! cause: an expression that reads a parameter already reported is not reported again.

use crate::diag::{Diagnostic, line_col};
use crate::dist::Distribution;
use crate::expr::{Env, Expr};
use crate::scenario::{
    AssignOp, BRANCH_SUM_TOLERANCE, BranchProbability, Delay, Effect, Model, ParamValue, Trigger,
};

/// The end of the hint of a parameter or an initial value, computed at the start of every
/// run.
const EVERY_RUN: &str = "every run would stop with this error";

/// The end of the other hints: the expression is evaluated when a run gets to it.
const SOME_RUN: &str = "a run that gets here would stop with this error";

/// The values of the fixed parameters, and the checker's findings.
struct Consts<'m> {
    model: &'m Model,
    src: &'m str,
    /// Per parameter: its value if it is fixed (NaN otherwise, as the evaluator reads it).
    values: Vec<f64>,
    /// Per parameter: whether it is fixed.
    fixed: Vec<bool>,
    /// Per parameter: whether it is fixed but could not be computed (already reported).
    broken: Vec<bool>,
    errors: Vec<Diagnostic>,
}

/// The load-time errors of `model`'s constant expressions (none if there are none).
/// `src` is the file's text, for the line numbers in hints.
pub(crate) fn check(model: &Model, src: &str) -> Vec<Diagnostic> {
    let n = model.params.len();
    let mut c = Consts {
        model,
        src,
        values: vec![f64::NAN; n],
        fixed: vec![false; n],
        broken: vec![false; n],
        errors: Vec::new(),
    };
    c.params();
    c.state();
    for s in &model.steps {
        c.step(s);
    }
    for f in &model.flows {
        let what = format!("flow into `{}`", model.var_name(f.target));
        c.finite(&f.rate, &format!("the `rate` of the {what}"), None);
        if let Some(w) = &f.while_ {
            c.condition(w, &format!("the `while` of the {what}"));
        }
    }
    c.errors
}

impl Consts<'_> {
    /// The value of `e` if every input is fixed; None if it reads anything else, or a
    /// parameter that is already reported.
    fn value(&self, e: &Expr) -> Option<f64> {
        if e.reads_time() || !e.state_read().is_empty() || !e.nodes_read().is_empty() {
            return None;
        }
        let ok = e.params_read().iter().all(|&p| {
            let p = p as usize;
            self.fixed.get(p).copied().unwrap_or(false) && !self.broken[p]
        });
        if !ok {
            return None;
        }
        Some(e.eval(&Env {
            params: &self.values,
            state: &[],
            counts: &[],
            t: 0.0,
        }))
    }

    /// The hint of an error in `e`: the values of the parameters it reads, and that every
    /// run would stop.
    fn hint(&self, e: &Expr, every: bool) -> String {
        let end = if every { EVERY_RUN } else { SOME_RUN };
        let m = self.model;
        let reads: Vec<String> = e
            .params_read()
            .iter()
            .take(6)
            .map(|&p| {
                let (param, value) = (&m.params[p as usize], self.values[p as usize]);
                let line = line_col(self.src, param.span.start).0;
                format!("{} = {value} (line {line})", param.id)
            })
            .collect();
        let more = if e.params_read().len() > 6 {
            ", ..."
        } else {
            ""
        };
        if reads.is_empty() {
            end.to_string()
        } else {
            format!("it reads {}{more}: {end}", reads.join(", "))
        }
    }

    /// Reports a problem of `e`; `every`: it is evaluated in every run.
    fn push(&mut self, e: &Expr, message: String, every: bool) {
        let span = e.span().unwrap_or(0..0);
        let hint = self.hint(e, every);
        self.errors
            .push(Diagnostic::error(span, message).with_hint(hint));
    }

    /// Fixed and derived parameters, in evaluation order; the constant arguments of drawn
    /// ones.
    fn params(&mut self) {
        let m = self.model;
        let varied: Vec<usize> = m
            .sweep
            .as_ref()
            .map(|s| s.vary.iter().map(|(p, _)| *p).collect())
            .unwrap_or_default();
        for &p in &m.param_order {
            let Some(param) = m.params.get(p) else {
                continue;
            };
            match &param.value {
                ParamValue::Fixed(v) => {
                    self.values[p] = *v;
                    self.fixed[p] = !varied.contains(&p);
                }
                ParamValue::Derived(e) => {
                    if varied.contains(&p) {
                        continue;
                    }
                    if let Some(v) = self.value(e) {
                        self.fixed[p] = true;
                        if v.is_finite() {
                            self.values[p] = v;
                        } else {
                            self.broken[p] = true;
                            self.push(
                                e,
                                format!(
                                    "parameter `{}` is {v}, not a finite number, with the values in the file",
                                    param.id
                                ),
                                true,
                            );
                        }
                    }
                }
                ParamValue::Drawn(d) => self.dist(d, &format!("parameter `{}`", param.id), true),
            }
        }
    }

    /// Initial values of state variables.
    fn state(&mut self) {
        let m = self.model;
        for (i, v) in m.vars.iter().enumerate() {
            let what = format!("the initial value of `{}`", m.var_name(i));
            self.finite_in(&v.init, &what, None, true);
        }
    }

    fn step(&mut self, s: &crate::scenario::Step) {
        let m = self.model;
        let id = &m.nodes[s.node].id;
        let what = format!("step `{id}`");
        if let Some(w) = &s.when {
            self.condition(w, &format!("the `when` of {what}"));
        }
        match &s.trigger {
            Trigger::Chance { probability, delay } => {
                self.finite(
                    probability,
                    &format!("the `probability` of {what}"),
                    Some((0.0, 1.0)),
                );
                match delay {
                    Delay::Value(e) => {
                        self.finite(
                            e,
                            &format!("the `delay` of {what}"),
                            Some((0.0, f64::INFINITY)),
                        );
                    }
                    Delay::Drawn(d) => self.dist(d, &format!("the `delay` of {what}"), false),
                }
            }
            Trigger::Hazard { rate } => {
                self.finite(
                    rate,
                    &format!("the `hazard` of {what}"),
                    Some((0.0, f64::INFINITY)),
                );
            }
        }
        self.effects(&s.effects, &what);
        if s.branches.is_empty() {
            return;
        }
        // Each branch probability, then (when all are fixed) their sum, as the engine does.
        let mut explicit = Some(0.0);
        let mut has_rest = false;
        for b in &s.branches {
            let bwhat = format!("branch `{}`", m.nodes[b.node].id);
            match &b.probability {
                BranchProbability::Value(e) => {
                    let v = self.finite(
                        e,
                        &format!("the `probability` of {bwhat}"),
                        Some((0.0, 1.0)),
                    );
                    explicit = explicit.zip(v).map(|(a, v)| a + v);
                }
                BranchProbability::Rest => has_rest = true,
            }
            self.effects(&b.effects, &bwhat);
        }
        if let Some(explicit) = explicit {
            let total = if has_rest {
                explicit + (1.0 - explicit).max(0.0)
            } else {
                explicit
            };
            if (total - 1.0).abs() > BRANCH_SUM_TOLERANCE
                && let Some(first) = s.branches.iter().find_map(|b| match &b.probability {
                    BranchProbability::Value(e) => Some(e),
                    BranchProbability::Rest => None,
                })
            {
                let hint = if has_rest {
                    "the other branches already take more than 1, so \"rest\" gets nothing"
                } else {
                    "make them add up to 1, or give one branch probability = \"rest\""
                };
                let span = first.span().unwrap_or(0..0);
                self.errors.push(
                    Diagnostic::error(
                        span,
                        format!(
                            "the branch probabilities of {what} add up to {total}, not 1, with the values in the file"
                        ),
                    )
                    .with_hint(hint),
                );
            }
        }
    }

    /// Effect values: finite, and no division by zero.
    fn effects(&mut self, effects: &[Effect], what: &str) {
        for e in effects {
            let ewhat = format!("the value of effect `{}` of {what}", e.text);
            if let Some(v) = self.finite(&e.value, &ewhat, None)
                && e.op == AssignOp::Div
                && v == 0.0
            {
                self.push(
                    &e.value,
                    format!("{ewhat} is 0, with the values in the file: it divides by zero"),
                    false,
                );
            }
        }
    }

    /// Checks a number evaluated when a run gets to it: finite, and inside `range` if given.
    /// Returns the value if it is fixed and fine.
    fn finite(&mut self, e: &Expr, what: &str, range: Option<(f64, f64)>) -> Option<f64> {
        self.finite_in(e, what, range, false)
    }

    /// [`Consts::finite`]; `every`: it is evaluated in every run.
    fn finite_in(
        &mut self,
        e: &Expr,
        what: &str,
        range: Option<(f64, f64)>,
        every: bool,
    ) -> Option<f64> {
        let v = self.value(e)?;
        if !v.is_finite() {
            self.push(
                e,
                format!("{what} is {v}, not a finite number, with the values in the file"),
                every,
            );
            return None;
        }
        if let Some((lo, hi)) = range
            && !(lo..=hi).contains(&v)
        {
            let must = if hi.is_finite() {
                format!("must be between {lo} and {hi}")
            } else {
                format!("must be >= {lo}")
            };
            self.push(
                e,
                format!("{what} {must}, but it is {v} with the values in the file"),
                every,
            );
            return None;
        }
        Some(v)
    }

    /// Checks a condition: not NaN.
    fn condition(&mut self, e: &Expr, what: &str) {
        if let Some(v) = self.value(e)
            && v.is_nan()
        {
            self.push(
                e,
                format!(
                    "{what} is neither true nor false with the values in the file: a value in it is not a number (NaN)"
                ),
                false,
            );
        }
    }

    /// Checks a distribution's arguments when they are all fixed.
    fn dist(&mut self, d: &Distribution, what: &str, every: bool) {
        let values: Option<Vec<f64>> = d.args().iter().map(|a| self.value(a)).collect();
        let Some(values) = values else {
            return;
        };
        if let Err(e) = d.check(&values)
            && let Some(arg) = d.args().get(e.arg).or(d.args().first())
        {
            self.push(
                arg,
                format!(
                    "{what}: invalid {} distribution with the values in the file: {}",
                    d.name(),
                    e.message
                ),
                every,
            );
        }
    }
}
