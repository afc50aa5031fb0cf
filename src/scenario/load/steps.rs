//! `[[steps]]` (with `[[steps.branches]]`) and `[[flows]]`.

use std::collections::HashMap;

use toml::de::{DeArray, DeValue};

use super::scope::FullScope;
use super::words::{WordParams, probability};
use super::{
    Ctx, Table, Val, check_id, compile_text, compile_value, inner_span, want_int, want_str,
    want_table,
};
use crate::diag::{Span, closest};
use crate::expr::{Expr, ScopeError, Type};
use crate::scenario::check::SourceMap;
use crate::scenario::{
    AssignOp, Branch, BranchProbability, Delay, Effect, Flow, Model, Node, NodeId, NodeKind,
    OutcomeId, Step, Trigger,
};

const STEP_KEYS: [&str; 15] = [
    "id",
    "label",
    "actor",
    "rung",
    "after",
    "any_of",
    "when",
    "probability",
    "delay",
    "hazard",
    "effects",
    "branches",
    "excludes",
    "ends",
    "repeat",
];

const BRANCH_KEYS: [&str; 6] = ["id", "label", "probability", "effects", "ends", "rung"];

/// Sum of branch probabilities accepted as 1 (spec, section 5).
const SUM_TOLERANCE: f64 = 1e-9;

/// A step table whose ids are known, waiting for its expressions to be compiled.
struct Pending<'a, 'i> {
    table: Table<'a, 'i>,
    node: NodeId,
    branches: Vec<(Table<'a, 'i>, NodeId)>,
}

/// Where an `ends` label was written, to number outcomes by first appearance.
struct EndsAt {
    at: usize,
    label: String,
    step: usize,
    branch: Option<usize>,
}

fn scope_error(ctx: &mut Ctx<'_>, span: Span, what: &str, e: ScopeError) {
    let msg = format!("in {what}: {}", e.message);
    match e.hint {
        Some(h) => ctx.error_hint(span, msg, h),
        None => ctx.error(span, msg),
    }
}

/// Reads the id of a step or branch and checks it is new in the node namespace.
fn node_id(
    ctx: &mut Ctx<'_>,
    t: &Table<'_, '_>,
    seen: &mut HashMap<String, Span>,
    kind: &str,
) -> Option<String> {
    let v = t.require(ctx, "id")?;
    let id = want_str(ctx, v, &format!("the id of {}", t.what))?;
    if !check_id(ctx, id, v.span(), kind) {
        return None;
    }
    if let Some(first) = seen.get(id) {
        let line = ctx.line(first.start);
        ctx.error_hint(
            v.span(),
            format!("the id `{id}` is used twice"),
            format!("it is first used at line {line}; steps and branches share one set of ids"),
        );
        return None;
    }
    seen.insert(id.to_string(), v.span());
    Some(id.to_string())
}

/// The highest rung a step may have. Statistics keep a count per rung (rungs.csv has a row
/// per rung), so `rung = 100000000` would ask for gigabytes; escalation ladders have tens of
/// rungs (Kahn's has 44).
pub const MAX_RUNG: u32 = 1000;

fn rung(ctx: &mut Ctx<'_>, t: &Table<'_, '_>, default: u32) -> u32 {
    t.get("rung")
        .and_then(|v| {
            want_int(
                ctx,
                v,
                &format!("`rung` of {}", t.what),
                0,
                i64::from(MAX_RUNG),
            )
        })
        .map_or(default, |r| r as u32)
}

fn label(ctx: &mut Ctx<'_>, t: &Table<'_, '_>, id: &str) -> String {
    t.opt_str(ctx, "label")
        .map_or_else(|| id.to_string(), |(s, _)| s.to_string())
}

/// The entries of a `[[key]]` array of tables (None if absent, or after reporting that
/// `key` is not a list).
pub(super) fn array_of_tables<'r, 'a, 'b>(
    ctx: &mut Ctx<'_>,
    root: &'r Table<'a, 'b>,
    key: &str,
    what: &str,
) -> Option<&'r DeArray<'a>> {
    let v = root.get(key)?;
    let DeValue::Array(items) = v.get_ref() else {
        ctx.error_hint(
            v.span(),
            format!("`{key}` must be a list of tables"),
            format!("write each {what} under its own [[{key}]] header"),
        );
        return None;
    };
    Some(items)
}

/// `[[steps]]`: ids first (pass 1), then everything else (pass 2).
pub(crate) fn steps(
    ctx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    model: &mut Model,
    map: &mut SourceMap,
) {
    let Some(items) = array_of_tables(ctx, root, "steps", "step") else {
        return;
    };
    let actor_ids: Vec<String> = model.actors.iter().map(|a| a.id.clone()).collect();
    let actor_index: HashMap<&str, usize> = actor_ids
        .iter()
        .enumerate()
        .map(|(i, a)| (a.as_str(), i))
        .collect();
    // Ids seen so far, with where: a map, as a file may have hundreds of thousands of steps.
    let mut seen: HashMap<String, Span> = HashMap::new();
    let mut pending: Vec<Pending<'_, '_>> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(mut t) = want_table(ctx, item, &format!("step number {}", i + 1)) else {
            continue;
        };
        let id = node_id(ctx, &t, &mut seen, "step").unwrap_or_default();
        if !id.is_empty() {
            t.what = format!("step `{id}`");
        }
        let step_index = pending.len();
        let rung = rung(ctx, &t, 0);
        let actor = t.opt_str(ctx, "actor").and_then(|(a, span)| {
            let found = actor_index.get(a).copied();
            if found.is_none() {
                let ids: Vec<&str> = actor_ids.iter().map(String::as_str).collect();
                let hint = match closest(a, &ids) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None if ids.is_empty() => "declare actors with [actors.<id>]".to_string(),
                    None => format!("the actors are: {}", ids.join(", ")),
                };
                ctx.error_hint(span, format!("{}: there is no actor `{a}`", t.what), hint);
            }
            found
        });
        let node = model.nodes.len();
        map.nodes
            .push(t.get("id").map_or(t.span.clone(), |v| v.span()));
        model.nodes.push(Node {
            label: label(ctx, &t, &id),
            id: id.clone(),
            kind: NodeKind::Step,
            step: step_index,
            rung,
            actor,
        });
        let branches = branch_nodes(ctx, &t, &mut seen, model, map, (step_index, rung, actor));
        pending.push(Pending {
            table: t,
            node,
            branches,
        });
    }

    let scope = FullScope::new(model);
    let mut ends: Vec<EndsAt> = Vec::new();
    let mut words = WordParams::new(model.params.len());
    for (si, p) in pending.iter().enumerate() {
        let step = step_body(ctx, p, (si, &scope, &mut words), model, &mut ends);
        model.steps.push(step);
    }
    number_outcomes(model, ends);
    // The words' parameters depend on nothing: they go last in the evaluation order.
    for param in words.params {
        model.param_order.push(model.params.len());
        map.param_keys.push(param.span.clone());
        model.params.push(param);
    }
}

/// The ids of a step's `[[steps.branches]]` (pass 1), as nodes after their step's: each
/// branch table with its node. `step`: the step's index, rung and actor, which its branches
/// share (a branch may set its own rung).
fn branch_nodes<'a, 'i>(
    ctx: &mut Ctx<'_>,
    t: &Table<'a, 'i>,
    seen: &mut HashMap<String, Span>,
    model: &mut Model,
    map: &mut SourceMap,
    step: (usize, u32, Option<usize>),
) -> Vec<(Table<'a, 'i>, NodeId)> {
    let (step_index, rung, actor) = step;
    let mut branches = Vec::new();
    let Some(bv) = t.get("branches") else {
        return branches;
    };
    let DeValue::Array(bitems) = bv.get_ref() else {
        ctx.error_hint(
            bv.span(),
            format!("`branches` of {} must be a list of tables", t.what),
            "write each branch under its own [[steps.branches]] header",
        );
        return branches;
    };
    for (j, bitem) in bitems.iter().enumerate() {
        let what = format!("branch number {} of {}", j + 1, t.what);
        let Some(mut bt) = want_table(ctx, bitem, &what) else {
            continue;
        };
        let bid = node_id(ctx, &bt, seen, "branch").unwrap_or_default();
        if !bid.is_empty() {
            bt.what = format!("branch `{bid}` of {}", t.what);
        }
        let bnode = model.nodes.len();
        map.nodes
            .push(bt.get("id").map_or(bt.span.clone(), |v| v.span()));
        model.nodes.push(Node {
            label: label(ctx, &bt, &bid),
            id: bid,
            kind: NodeKind::Branch,
            step: step_index,
            rung: rung_of_branch(ctx, &bt, rung),
            actor,
        });
        branches.push((bt, bnode));
    }
    branches
}

/// Outcomes: `horizon`, then the `ends` labels in order of first appearance in the file;
/// each step and branch that ends the run gets its outcome's index.
fn number_outcomes(model: &mut Model, mut ends: Vec<EndsAt>) {
    ends.sort_by_key(|e| e.at);
    let mut outcome_ids: HashMap<String, OutcomeId> = model
        .outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| (o.clone(), i))
        .collect();
    for e in ends {
        let id: OutcomeId = *outcome_ids.entry(e.label.clone()).or_insert_with(|| {
            model.outcomes.push(e.label.clone());
            model.outcomes.len() - 1
        });
        match e.branch {
            None => model.steps[e.step].ends = Some(id),
            Some(b) => model.steps[e.step].branches[b].ends = Some(id),
        }
    }
}

fn rung_of_branch(ctx: &mut Ctx<'_>, t: &Table<'_, '_>, step_rung: u32) -> u32 {
    rung(ctx, t, step_rung)
}

/// A list of node ids (`after`, `any_of`) or step ids (`excludes`).
fn id_list(
    ctx: &mut Ctx<'_>,
    t: &Table<'_, '_>,
    key: &str,
    scope: &FullScope,
    steps_only: bool,
) -> Vec<NodeId> {
    let Some(v) = t.get(key) else {
        return Vec::new();
    };
    let what = format!("`{key}` of {}", t.what);
    let items: Vec<&Val<'_>> = match v.get_ref() {
        DeValue::Array(a) => a.iter().collect(),
        // A single id is accepted as a list of one: the meaning is unambiguous.
        DeValue::String(_) => vec![v],
        _ => {
            ctx.error_hint(
                v.span(),
                format!("{what} must be a list of ids"),
                format!("e.g. {key} = [\"first_step\"]"),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for item in items {
        let Some(id) = want_str(ctx, item, &format!("an entry of {what}")) else {
            continue;
        };
        let r = if steps_only {
            scope.step_node(id)
        } else {
            scope.node(id)
        };
        match r {
            Ok(n) => out.push(n),
            Err(e) => scope_error(ctx, item.span(), &what, e),
        }
    }
    out
}

/// Reads an `ends` label.
fn ends_label(ctx: &mut Ctx<'_>, t: &Table<'_, '_>) -> Option<(String, usize)> {
    let (label, span) = t.opt_str(ctx, "ends")?;
    if !check_id(ctx, label, span.clone(), "outcome") {
        return None;
    }
    if label == crate::scenario::HORIZON_OUTCOME {
        ctx.error_hint(
            span,
            "`horizon` is the outcome of runs that reach the horizon",
            "name the outcome this step ends the run with, e.g. ends = \"ceasefire\"",
        );
        return None;
    }
    Some((label.to_string(), span.start))
}

/// Compiles a step from its table (pass 2). On errors, placeholders keep the indices
/// consistent; the model is then never returned.
fn step_body(
    ctx: &mut Ctx<'_>,
    p: &Pending<'_, '_>,
    (si, scope, words): (usize, &FullScope, &mut WordParams),
    model: &Model,
    ends: &mut Vec<EndsAt>,
) -> Step {
    let t = &p.table;
    t.check_keys(ctx, &STEP_KEYS);
    let what = &t.what;
    let after = id_list(ctx, t, "after", scope, false);
    let any_of = id_list(ctx, t, "any_of", scope, false);
    let excludes: Vec<usize> = id_list(ctx, t, "excludes", scope, true)
        .into_iter()
        .map(|n| model.nodes[n].step)
        .collect();
    let when = t
        .get("when")
        .and_then(|v| compile_value(ctx, v, Type::Bool, scope, &format!("`when` of {what}")));
    let trigger = trigger(ctx, t, scope, (&model.nodes[p.node].id, &mut *words));
    let effects = effects(ctx, t, scope);
    if let Some((label, at)) = ends_label(ctx, t) {
        ends.push(EndsAt {
            at,
            label,
            step: si,
            branch: None,
        });
    }
    let repeat = t.get("repeat").and_then(|v| {
        let n = want_int(
            ctx,
            v,
            &format!("`repeat` of {what}"),
            1,
            i64::from(u32::MAX),
        )?;
        Some((n as u32, v.span()))
    });
    if let Some((n, span)) = &repeat
        && *n > 1
        && let Some(trigger) = &trigger
        && !repeats_safely(trigger)
    {
        // A repeatable step needs time between its happenings, else it could happen all
        // `n` times at one instant. Accepted: a hazard; a delay expression that is not the
        // constant 0 (its value is checked at run time: negative delays are run-time
        // errors); a drawn delay whose mean is > 0, or unknown because its arguments are
        // expressions. A drawn delay with mean > 0 may still draw 0 now and then (e.g.
        // bernoulli); that is a modelling choice, not an instant loop.
        ctx.error_hint(
            span.clone(),
            format!("{what} may happen {n} times but has no delay between happenings"),
            "a repeatable step needs a positive `delay` or a `hazard`, else it could happen every time at one instant",
        );
    }
    let branches = branches(ctx, p, (si, scope, words), model, ends);
    Step {
        node: p.node,
        after,
        any_of,
        when,
        trigger: trigger.unwrap_or(Trigger::Chance {
            probability: Expr::constant(1.0),
            delay: Delay::Value(Expr::constant(0.0)),
        }),
        effects,
        branches,
        excludes,
        ends: None,
        repeat: repeat.map_or(1, |(n, _)| n),
    }
}

/// Whether a step with this trigger has time between repeated happenings (see the call).
fn repeats_safely(trigger: &Trigger) -> bool {
    match trigger {
        Trigger::Hazard { .. } => true,
        Trigger::Chance { delay, .. } => match delay {
            Delay::Value(e) => e.as_constant().is_none_or(|c| c > 0.0),
            Delay::Drawn(d) => d.mean().is_none_or(|m| m > 0.0),
        },
    }
}

/// `hazard`, or `probability` with `delay`.
fn trigger(
    ctx: &mut Ctx<'_>,
    t: &Table<'_, '_>,
    scope: &FullScope,
    (id, words): (&str, &mut WordParams),
) -> Option<Trigger> {
    let what = &t.what;
    if let Some(h) = t.get("hazard") {
        let mut ok = true;
        for key in ["probability", "delay"] {
            if let Some(span) = t.key_span(key) {
                ctx.error_hint(
                    span,
                    format!("{what} has both a `hazard` and a `{key}`"),
                    format!("a hazard step happens at a rate while its guard holds; remove `{key}` or `hazard`"),
                );
                ok = false;
            }
        }
        let rate = compile_value(ctx, h, Type::Number, scope, &format!("`hazard` of {what}"))?;
        if let Some(c) = rate.as_constant()
            && c < 0.0
        {
            ctx.error(
                h.span(),
                format!("the `hazard` of {what} must be >= 0, got {c}"),
            );
            return None;
        }
        return ok.then_some(Trigger::Hazard { rate });
    }
    let probability = match t.get("probability") {
        Some(v) => {
            let prob = probability(ctx, v, scope, &format!("`probability` of {what}"))?;
            let e = words.expr(ctx, id, prob);
            if let Some(c) = e.as_constant()
                && !(0.0..=1.0).contains(&c)
            {
                ctx.error_hint(
                    v.span(),
                    format!("the `probability` of {what} must be between 0 and 1, got {c}"),
                    "for a rate per time unit, use `hazard`",
                );
                return None;
            }
            e
        }
        None => Expr::constant(1.0),
    };
    let delay = match t.get("delay") {
        Some(v) => delay(ctx, v, scope, &format!("`delay` of {what}"))?,
        None => Delay::Value(Expr::constant(0.0)),
    };
    Some(Trigger::Chance { probability, delay })
}

/// A delay: a number, an expression or a distribution table.
fn delay(ctx: &mut Ctx<'_>, v: &Val<'_>, scope: &FullScope, what: &str) -> Option<Delay> {
    if let DeValue::Table(map) = v.get_ref() {
        let t = Table {
            map,
            span: v.span(),
            what: what.to_string(),
        };
        return super::dist::dist_table(ctx, &t, &[], scope, what).map(Delay::Drawn);
    }
    let e = compile_value(ctx, v, Type::Number, scope, what)?;
    if let Some(c) = e.as_constant()
        && c < 0.0
    {
        ctx.error(v.span(), format!("{what} must be >= 0, got {c}"));
        return None;
    }
    Some(Delay::Value(e))
}

/// `effects = ["actor.var OP expression", ...]`.
fn effects(ctx: &mut Ctx<'_>, t: &Table<'_, '_>, scope: &FullScope) -> Vec<Effect> {
    let Some(v) = t.get("effects") else {
        return Vec::new();
    };
    let what = format!("an effect of {}", t.what);
    let items: Vec<&Val<'_>> = match v.get_ref() {
        DeValue::Array(a) => a.iter().collect(),
        _ => {
            ctx.error_hint(
                v.span(),
                format!("`effects` of {} must be a list of strings", t.what),
                "e.g. effects = [\"ru.troops += 1000\"]",
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for item in items {
        let Some(text) = want_str(ctx, item, &what) else {
            continue;
        };
        if let Some(e) = effect(ctx, text, &item.span(), scope, &what) {
            out.push(e);
        }
    }
    out
}

/// Parses one `"actor.var OP expression"`.
fn effect(
    ctx: &mut Ctx<'_>,
    text: &str,
    span: &Span,
    scope: &FullScope,
    what: &str,
) -> Option<Effect> {
    let b = text.as_bytes();
    let at = |r: std::ops::Range<usize>| inner_span(ctx.src, span, text, &r);
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    let start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
        i += 1;
    }
    let target = &text[start..i];
    if target.is_empty() {
        let s = at(start..(start + 1).min(b.len()));
        ctx.error_hint(
            s,
            format!("in {what}: expected a state variable `actor.var` at the start"),
            "an effect is written \"actor.var OP expression\" with OP one of = += -= *= /=, e.g. \"ru.troops += 1000\"",
        );
        return None;
    }
    let target_span = at(start..i);
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    let rest = &text[i..];
    let op = if rest.starts_with("==") {
        None
    } else if rest.starts_with("+=") {
        Some((AssignOp::Add, 2))
    } else if rest.starts_with("-=") {
        Some((AssignOp::Sub, 2))
    } else if rest.starts_with("*=") {
        Some((AssignOp::Mul, 2))
    } else if rest.starts_with("/=") {
        Some((AssignOp::Div, 2))
    } else if rest.starts_with('=') {
        Some((AssignOp::Set, 1))
    } else {
        None
    };
    let target_var = match scope.state_var(target) {
        Ok(v) => Some(v),
        Err(e) => {
            scope_error(ctx, target_span, what, e);
            None
        }
    };
    let Some((op, len)) = op else {
        let end = (i + rest.chars().next().map_or(0, char::len_utf8)).min(b.len());
        let s = at(i..end);
        ctx.error_hint(
            s,
            format!("in {what}: expected `=`, `+=`, `-=`, `*=` or `/=` after `{target}`"),
            "an effect is written \"actor.var OP expression\", e.g. \"ru.troops += 1000\"",
        );
        return None;
    };
    let expr_start = i + len;
    if text[expr_start..].trim().is_empty() {
        let s = at(i..expr_start);
        ctx.error(s, format!("in {what}: nothing after `{}`", op.as_str()));
        return None;
    }
    let value = compile_text(ctx, text, span, expr_start, Type::Number, scope, what)?;
    Some(Effect {
        target: target_var?,
        op,
        value,
        text: text.trim().to_string(),
    })
}

/// `[[steps.branches]]` of one step (ids were read in pass 1).
fn branches(
    ctx: &mut Ctx<'_>,
    p: &Pending<'_, '_>,
    (si, scope, words): (usize, &FullScope, &mut WordParams),
    model: &Model,
    ends: &mut Vec<EndsAt>,
) -> Vec<Branch> {
    let mut out = Vec::new();
    let mut rest_at: Option<Span> = None;
    // (constant probability or None, its span) of the non-rest branches.
    let mut consts: Vec<(Option<f64>, Span)> = Vec::new();
    let mut all_ok = true;
    for (bi, (t, node)) in p.branches.iter().enumerate() {
        t.check_keys(ctx, &BRANCH_KEYS);
        let what = &t.what;
        let probability = match t.require(ctx, "probability") {
            None => {
                all_ok = false;
                BranchProbability::Rest
            }
            Some(v) if matches!(v.get_ref(), DeValue::String(s) if s.trim() == "rest") => {
                if let Some(first) = &rest_at {
                    let line = ctx.line(first.start);
                    ctx.error_hint(
                        v.span(),
                        format!("{} has more than one branch with probability \"rest\"", p.table.what),
                        format!("only one branch can take the remaining probability; the first is at line {line}"),
                    );
                    all_ok = false;
                } else {
                    rest_at = Some(v.span());
                }
                BranchProbability::Rest
            }
            Some(v) => match probability(ctx, v, scope, &format!("`probability` of {what}")) {
                Some(prob) => {
                    let e = words.expr(ctx, &model.nodes[*node].id, prob);
                    let c = e.as_constant();
                    if let Some(c) = c
                        && !(0.0..=1.0).contains(&c)
                    {
                        ctx.error(
                            v.span(),
                            format!("the `probability` of {what} must be between 0 and 1, got {c}"),
                        );
                        all_ok = false;
                    }
                    consts.push((c, v.span()));
                    BranchProbability::Value(e)
                }
                None => {
                    all_ok = false;
                    BranchProbability::Rest
                }
            },
        };
        let effects = effects(ctx, t, scope);
        if let Some((label, at)) = ends_label(ctx, t) {
            ends.push(EndsAt {
                at,
                label,
                step: si,
                branch: Some(bi),
            });
        }
        out.push(Branch {
            node: *node,
            probability,
            effects,
            ends: None,
        });
    }
    if all_ok {
        check_sum(ctx, &p.table.what, rest_at.as_ref(), &consts);
    }
    out
}

/// The sum of a step's branch probabilities when they are all constants (`consts`: each
/// non-rest branch's constant, or None, with its span): with constant probabilities the sum
/// is known now, and a load-time error is better than a run-time one (the spec's run-time
/// check stays for expressions). `rest_at`: the branch with probability "rest", if any.
fn check_sum(
    ctx: &mut Ctx<'_>,
    step: &str,
    rest_at: Option<&Span>,
    consts: &[(Option<f64>, Span)],
) {
    if consts.is_empty() || !consts.iter().all(|(c, _)| c.is_some()) {
        return;
    }
    let sum: f64 = consts.iter().filter_map(|(c, _)| *c).sum();
    let last = consts.last().map(|(_, s)| s.clone()).unwrap_or(0..0);
    match rest_at {
        Some(rest) if sum > 1.0 + SUM_TOLERANCE => ctx.error_hint(
            rest.clone(),
            format!("the other branches of {step} already have probability {sum}; nothing is left for \"rest\""),
            "make the other branches' probabilities add up to at most 1",
        ),
        None if (sum - 1.0).abs() > SUM_TOLERANCE => ctx.error_hint(
            last,
            format!("the branch probabilities of {step} add up to {sum}, not 1"),
            "make them add up to 1, or give one branch probability = \"rest\"",
        ),
        _ => {}
    }
}

/// `[[flows]]`.
pub(crate) fn flows(
    ctx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    model: &mut Model,
    map: &mut SourceMap,
) {
    let Some(items) = array_of_tables(ctx, root, "flows", "flow") else {
        return;
    };
    let scope = FullScope::new(model);
    for (i, item) in items.iter().enumerate() {
        let Some(t) = want_table(ctx, item, &format!("flow number {}", i + 1)) else {
            continue;
        };
        t.check_keys(ctx, &["target", "rate", "while"]);
        let what = t.what.clone();
        let target = t.require(ctx, "target").and_then(|v| {
            let s = want_str(ctx, v, &format!("`target` of {what}"))?;
            let inner = 0..s.len();
            let span = inner_span(ctx.src, &v.span(), s, &inner);
            match scope.state_var(s.trim()) {
                Ok(var) => Some(var),
                Err(e) => {
                    scope_error(ctx, span, &format!("`target` of {what}"), e);
                    None
                }
            }
        });
        let rate = t.require(ctx, "rate").and_then(|v| {
            compile_value(ctx, v, Type::Number, &scope, &format!("`rate` of {what}"))
        });
        let while_ = t
            .get("while")
            .and_then(|v| compile_value(ctx, v, Type::Bool, &scope, &format!("`while` of {what}")));
        map.flows.push(t.span.clone());
        if let (Some(target), Some(rate)) = (target, rate) {
            model.flows.push(Flow {
                target,
                rate,
                while_,
            });
        }
    }
}
