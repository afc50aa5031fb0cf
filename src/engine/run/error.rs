//! Run-time errors: the error type, how a message becomes a command to reproduce it, and the
//! runner's constructors of errors (all out of the hot path).

use super::{Runner, Site};
use crate::dist::Distribution;
use crate::expr::{Env, Expr};

/// The problem of a flow whose `while` is NaN.
const NOT_A_CONDITION_WHILE: &str =
    "its `while` is neither true nor false: a value in it is not a number (NaN)";

/// A run-time error: where in the file, and enough to reproduce it (`rungs trace --run I
/// --seed S`).
#[derive(Clone, Debug, PartialEq)]
pub struct RunError {
    /// Run index (`SCENARIO` in the message stands for the scenario's path, which the engine
    /// does not know: the command line fills it in with [`RunError::reproduce`]).
    pub run: u64,
    /// Seed of the command.
    pub seed: u64,
    /// Which step, branch or parameter ("step `x`").
    pub what: String,
    /// The expression as written.
    pub expr: String,
    /// The offending value.
    pub value: f64,
    /// Simulated time when it happened.
    pub time: f64,
    /// What is wrong, in plain words.
    pub problem: String,
    /// `--> file:line:col`, the line and a caret under the expression (when it comes from a
    /// file).
    pub location: Option<Box<str>>,
}

impl std::error::Error for RunError {}

impl std::fmt::Display for RunError {
    /// ```text
    /// run 4711 (seed 20241101): step `a` at t = 41: its probability must be between 0 and 1
    ///   --> x.toml:10:16
    ///    |
    /// 10 | probability = "p * 2"
    ///    |                ^^^^^
    ///   expression: p * 2
    ///   value: 1.34
    ///   reproduce with: rungs trace SCENARIO --run 4711 --seed 20241101
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let RunError {
            run,
            seed,
            what,
            expr,
            value,
            time,
            problem,
            location,
        } = self;
        writeln!(
            f,
            "run {run} (seed {seed}): {what} at t = {time}: {problem}"
        )?;
        if let Some(location) = location {
            f.write_str(location)?;
        }
        write!(
            f,
            "  expression: {expr}\n  value: {value}\n  reproduce with: rungs trace SCENARIO --run {run} --seed {seed}"
        )
    }
}

impl RunError {
    /// The message, with its "reproduce with" line as a command to paste: the scenario's
    /// real path and the `--set` options that were given.
    pub fn reproduce(&self, scenario: &str, sets: &[String]) -> String {
        reproduce_in(&self.to_string(), scenario, sets)
    }
}

/// `message` with its `rungs trace SCENARIO` (a run-time error's "reproduce with" line) made
/// the real command: the scenario's path, then `--set` of each of `sets`.
pub fn reproduce_in(message: &str, scenario: &str, sets: &[String]) -> String {
    let mut command = format!("rungs trace {}", shell_word(scenario));
    for s in sets {
        command.push_str(&format!(" --set {}", shell_word(s)));
    }
    message.replace("rungs trace SCENARIO", &command)
}

/// `word` as one shell word: quoted with `'` unless it is plain.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-=+:,@".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

impl Runner<'_> {
    /// The error for a draw [`Runner::sample`] refused (kept out of the hot path).
    #[cold]
    #[inline(never)]
    pub(super) fn bad_draw(
        &self,
        d: &Distribution,
        env: &Env<'_>,
        site: Site,
        refused: Result<f64, crate::dist::DistError>,
    ) -> Box<RunError> {
        match refused {
            Ok(v) => self.error(
                self.site_name(&site),
                &d.args()[0],
                v,
                "the draw is not a finite number",
            ),
            Err(e) => {
                let arg = &d.args()[e.arg.min(d.args().len().saturating_sub(1))];
                let value = arg.eval(env);
                self.error(
                    self.site_name(&site),
                    arg,
                    value,
                    &format!("invalid distribution argument: {}", e.message),
                )
            }
        }
    }

    pub(super) fn site_name(&self, site: &Site) -> String {
        let m = self.model;
        match *site {
            Site::Param(p) => format!("parameter `{}`", m.params[p].id),
            Site::Step(s) => format!("step `{}`", m.nodes[m.steps[s].node].id),
            Site::Node(n) => format!("{} `{}`", m.nodes[n].kind.as_str(), m.nodes[n].id),
        }
    }

    #[cold]
    pub(super) fn error(
        &self,
        what: String,
        expr: &Expr,
        value: f64,
        problem: &str,
    ) -> Box<RunError> {
        Box::new(RunError {
            run: self.run,
            seed: self.seed,
            what,
            expr: expr.text().to_string(),
            value,
            time: self.t,
            problem: problem.to_string(),
            location: expr.snippet().map(String::into_boxed_str),
        })
    }

    /// The error for a value [`Runner::checked`] refused (kept out of the hot path).
    #[cold]
    #[inline(never)]
    pub(super) fn out_of_range(
        &self,
        e: &Expr,
        v: f64,
        site: Site,
        range: Option<(f64, f64)>,
        what: &str,
    ) -> Box<RunError> {
        if !v.is_finite() {
            return self.error(
                self.site_name(&site),
                e,
                v,
                &format!("its {what} is not a finite number"),
            );
        }
        let (lo, hi) = range.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
        let problem = if hi.is_finite() {
            format!("its {what} must be between {lo} and {hi}")
        } else {
            format!("its {what} must be at least {lo}")
        };
        self.error(self.site_name(&site), e, v, &problem)
    }

    /// The error for a flow whose `while` is NaN (kept out of the hot path).
    #[cold]
    #[inline(never)]
    pub(super) fn flow_not_a_condition(&self, k: usize) -> Box<RunError> {
        let m = self.model;
        let f = &m.flows[k];
        let what = format!("flow into `{}`", m.var_name(f.target));
        match &f.while_ {
            Some(w) => self.error(what, w, f64::NAN, NOT_A_CONDITION_WHILE),
            None => self.error(what, &f.rate, f64::NAN, NOT_A_CONDITION_WHILE),
        }
    }

    /// The error for a guard that is NaN: neither true nor false (kept out of the hot path).
    #[cold]
    #[inline(never)]
    pub(super) fn not_a_condition(&self, e: &Expr, key: &str, site: Site) -> Box<RunError> {
        self.error(
            self.site_name(&site),
            e,
            f64::NAN,
            &format!("its {key} is neither true nor false: a value in it is not a number (NaN)"),
        )
    }
}
