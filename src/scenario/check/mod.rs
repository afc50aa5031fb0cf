//! Advisory checks that do not stop a run (`rungs validate` prints them): steps that can
//! never be enabled, outcomes no path reaches, unused parameters and state variables.
//!
//! They are warnings, not errors: a modeller may switch a step off on purpose (probability
//! 0) while exploring. The checks are deliberately simple and never wrong in the direction
//! that matters: a warned step truly can never happen; a step that cannot happen for
//! subtler reasons (a `when` that is never true for any parameter value) is not caught.

mod cycles;
mod unreachable;

use crate::diag::{Diagnostic, Span};
use crate::expr::Expr;
use crate::scenario::{BranchProbability, Delay, Model, ParamValue, Trigger};

pub use cycles::cycles;
use unreachable::unreachable;

/// Where the parts of a model are written in the file, for the warnings' spans. Filled by
/// the loader in the model's index order.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    /// The key of each parameter.
    pub param_keys: Vec<Span>,
    /// The key of each actor (`ru` of `[actors.ru]`).
    pub actor_keys: Vec<Span>,
    /// The key of each state variable.
    pub var_keys: Vec<Span>,
    /// The `id` value of each node (step or branch).
    pub nodes: Vec<Span>,
    /// The header of each flow.
    pub flows: Vec<Span>,
}

/// Every warning for `model`, in model order: unreachable steps and branches, outcomes that
/// can never happen, unused parameters, unused state variables.
pub fn check(model: &Model, map: &SourceMap) -> Vec<Diagnostic> {
    let dead = unreachable(model);
    let span_of = |n: usize| map.nodes.get(n).cloned().unwrap_or(0..0);
    let mut out = Vec::new();
    for (n, reason) in dead.iter().enumerate() {
        if let Some(reason) = reason {
            let node = &model.nodes[n];
            out.push(
                Diagnostic::warning(
                    span_of(n),
                    format!(
                        "{} `{}` can never happen: {reason}",
                        node.kind.as_str(),
                        node.id
                    ),
                )
                .with_hint("it will show as never happening in every run"),
            );
        }
    }
    out.extend(dead_outcomes(model, &dead, &span_of));
    out.extend(unused(model, map));
    out
}

/// Outcomes that can never happen: every step or branch that ends with one is in `dead`.
fn dead_outcomes(
    model: &Model,
    dead: &[Option<String>],
    span_of: &dyn Fn(usize) -> Span,
) -> Vec<Diagnostic> {
    let mut ends_with: Vec<Vec<usize>> = vec![Vec::new(); model.outcomes.len()];
    for s in &model.steps {
        if let Some(o) = s.ends {
            ends_with[o].push(s.node);
        }
        for b in &s.branches {
            if let Some(o) = b.ends {
                ends_with[o].push(b.node);
            }
        }
    }
    let mut out = Vec::new();
    for (o, nodes) in ends_with.iter().enumerate().skip(1) {
        if !nodes.is_empty() && nodes.iter().all(|&n| dead[n].is_some()) {
            out.push(Diagnostic::warning(
                span_of(nodes[0]),
                format!(
                    "outcome `{}` can never happen: every step or branch that ends with it can never happen",
                    model.outcomes[o]
                ),
            ));
        }
    }
    out
}

/// Parameters no expression reads, and state variables nothing changes or reads.
fn unused(model: &Model, map: &SourceMap) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Reads and writes.
    let mut param_read = vec![false; model.params.len()];
    let mut var_used = vec![false; model.vars.len()];
    for e in exprs(model) {
        for &p in e.params_read() {
            if let Some(r) = param_read.get_mut(p as usize) {
                *r = true;
            }
        }
        for &v in e.state_read() {
            if let Some(u) = var_used.get_mut(v as usize) {
                *u = true;
            }
        }
    }
    for s in &model.steps {
        for e in s
            .effects
            .iter()
            .chain(s.branches.iter().flat_map(|b| &b.effects))
        {
            var_used[e.target] = true;
        }
    }
    for f in &model.flows {
        var_used[f.target] = true;
    }
    for (i, p) in model.params.iter().enumerate() {
        if !param_read[i] {
            out.push(
                Diagnostic::warning(
                    map.param_keys
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| p.span.clone()),
                    format!("parameter `{}` is not used by any expression", p.id),
                )
                .with_hint("it is still sampled and reported; remove it if it is left over"),
            );
        }
    }
    for (i, used) in var_used.iter().enumerate() {
        if !used {
            out.push(
                Diagnostic::warning(
                    map.var_keys.get(i).cloned().unwrap_or(0..0),
                    format!(
                        "state variable `{}` is never changed or read",
                        model.var_name(i)
                    ),
                )
                .with_hint(
                    "no effect, flow or expression uses it; its final value is its initial value",
                ),
            );
        }
    }
    out
}

/// Every compiled expression of the model.
fn exprs(model: &Model) -> Vec<&Expr> {
    let mut out: Vec<&Expr> = Vec::new();
    for p in &model.params {
        match &p.value {
            ParamValue::Fixed(_) => {}
            ParamValue::Derived(e) => out.push(e),
            ParamValue::Drawn(d) => out.extend(d.args()),
        }
    }
    out.extend(model.vars.iter().map(|v| &v.init));
    for s in &model.steps {
        out.extend(&s.when);
        match &s.trigger {
            Trigger::Hazard { rate } => out.push(rate),
            Trigger::Chance { probability, delay } => {
                out.push(probability);
                match delay {
                    Delay::Value(e) => out.push(e),
                    Delay::Drawn(d) => out.extend(d.args()),
                }
            }
        }
        out.extend(s.effects.iter().map(|e| &e.value));
        for b in &s.branches {
            if let BranchProbability::Value(e) = &b.probability {
                out.push(e);
            }
            out.extend(b.effects.iter().map(|e| &e.value));
        }
    }
    for f in &model.flows {
        out.push(&f.rate);
        out.extend(&f.while_);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::scenario::load_str;

    /// A small deterministic generator (xorshift), so the comparison below is the same in
    /// every run.
    pub(super) struct Gen(pub(super) u64);

    impl Gen {
        pub(super) fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    fn warnings(body: &str) -> Vec<String> {
        let text = format!("[scenario]\nname = \"t\"\nhorizon = 10\n{body}");
        match load_str("t.toml", &text) {
            Ok((_, w)) => w.items.into_iter().map(|d| d.message).collect(),
            Err(d) => panic!("does not load:\n{d}"),
        }
    }

    #[test]
    fn clean_file_has_no_warnings() {
        let w = warnings(
            "[parameters]\np = 0.5\n[actors.a]\nstate = { x = 0 }\n[[steps]]\nid = \"s\"\nprobability = \"p\"\neffects = [\"a.x += 1\"]\n",
        );
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn step_after_its_excluder_is_unreachable() {
        let w = warnings(
            "[[steps]]\nid = \"a\"\nexcludes = [\"b\"]\n[[steps]]\nid = \"b\"\nafter = [\"a\"]\n[[steps]]\nid = \"c\"\nafter = [\"b\"]\n",
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("step `b` can never happen") && w[0].contains("excludes it"));
        assert!(
            w[1].contains("step `c` can never happen")
                && w[1].contains("`b`, which can never happen")
        );
    }

    #[test]
    fn zero_probability_branch_and_outcome() {
        let w = warnings(
            "[[steps]]\nid = \"a\"\n[[steps.branches]]\nid = \"x\"\nprobability = 0\nends = \"war\"\n[[steps.branches]]\nid = \"y\"\nprobability = \"rest\"\n",
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("branch `x` can never happen: its probability is 0"));
        assert!(w[1].contains("outcome `war` can never happen"));
    }

    #[test]
    fn unused_parameter_and_variable() {
        let w = warnings("[parameters]\nunused = 3\n[actors.a]\nstate = { idle = 1 }\n");
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("parameter `unused` is not used"));
        assert!(w[1].contains("`a.idle` is never changed or read"));
    }
}
