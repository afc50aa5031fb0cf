//! `[parameters]`: ids, then values (numbers, expressions over parameters, distributions),
//! then the evaluation order, dependencies first (a cycle is an error naming it).

use toml::de::DeValue;

use super::ids::{check_id, check_reserved};
use super::values::{a_type, want_num, want_table};
use super::words::{self, Prob};
use super::{Ctx, Table, dist, scope};
use crate::scenario::check::SourceMap;
use crate::scenario::{Model, Param, ParamId, ParamValue};

/// `[parameters]`: ids, values, then the evaluation order.
pub(super) fn params(
    ctx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    model: &mut Model,
    map: &mut SourceMap,
) {
    let Some(v) = root.get("parameters") else {
        return;
    };
    let Some(t) = want_table(ctx, v, "[parameters]") else {
        return;
    };
    // Ids first, so that an expression may use a parameter defined further down.
    for (k, v) in t.map.iter() {
        let id: &str = k.get_ref().as_ref();
        check_id(ctx, id, k.span(), "parameter");
        check_reserved(ctx, id, k.span(), "parameter");
        model.params.push(Param {
            id: id.to_string(),
            value: ParamValue::Fixed(0.0),
            unit: None,
            description: None,
            span: k.span().start..v.span().end.max(k.span().end),
        });
        map.param_keys.push(k.span());
    }
    let scope = scope::ParamScope::new(model, scope::ParamContext::Parameter);
    let mut values = Vec::with_capacity(model.params.len());
    for (i, (k, v)) in t.map.iter().enumerate() {
        let id: &str = k.get_ref().as_ref();
        let what = format!("parameter `{id}`");
        let mut unit = None;
        let mut description = None;
        let value = match v.get_ref() {
            DeValue::Integer(_) | DeValue::Float(_) => {
                want_num(ctx, v, &what).map(ParamValue::Fixed)
            }
            DeValue::String(_) => match words::probability(ctx, v, &scope, &what) {
                Some(Prob::Word(term, _)) => Some(words::word_value(term)),
                Some(Prob::Expr(e)) => Some(ParamValue::Derived(e)),
                None => None,
            },
            DeValue::Table(tab) => {
                let tab = Table {
                    map: tab,
                    span: v.span(),
                    what: what.clone(),
                };
                unit = tab.opt_str(ctx, "unit").map(|(s, _)| s.to_string());
                description = tab.opt_str(ctx, "description").map(|(s, _)| s.to_string());
                dist::dist_table(ctx, &tab, &["unit", "description"], &scope, &what)
                    .map(dist::fixed_or_drawn)
            }
            other => {
                ctx.error_hint(
                    v.span(),
                    format!("{what} must be a number, an expression or a distribution, found {}", a_type(other)),
                    "e.g. `x = 3`, `x = \"2 * y\"` or `x = { dist = \"uniform\", min = 1, max = 5 }`",
                );
                None
            }
        };
        let _ = i;
        values.push((value, unit, description));
    }
    for (p, (value, unit, description)) in model.params.iter_mut().zip(values) {
        if let Some(value) = value {
            p.value = value;
        }
        p.unit = unit;
        p.description = description;
    }
    model.param_order = param_order(ctx, model, map);
}

/// The parameters a parameter's value reads.
fn param_deps(v: &ParamValue) -> Vec<ParamId> {
    let mut out: Vec<ParamId> = match v {
        ParamValue::Fixed(_) => Vec::new(),
        ParamValue::Derived(e) => e.params_read().iter().map(|&i| i as usize).collect(),
        ParamValue::Drawn(d) => d
            .args()
            .iter()
            .flat_map(|a| a.params_read().iter().map(|&i| i as usize))
            .collect(),
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// Dependencies first, otherwise file order; each cycle reported once, naming it.
fn param_order(ctx: &mut Ctx<'_>, model: &Model, map: &SourceMap) -> Vec<ParamId> {
    let n = model.params.len();
    let deps: Vec<Vec<ParamId>> = model
        .params
        .iter()
        .map(|p| {
            param_deps(&p.value)
                .into_iter()
                .filter(|&d| d < n)
                .collect()
        })
        .collect();
    // 0 = unvisited, 1 = on the current path, 2 = done.
    let mut state = vec![0u8; n];
    let mut order = Vec::with_capacity(n);
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        // Iterative depth-first search: a deep chain of parameters must not overflow the
        // stack.
        let mut path: Vec<(ParamId, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            if let Some(&d) = deps[node].get(*next) {
                *next += 1;
                match state[d] {
                    0 => {
                        state[d] = 1;
                        path.push((d, 0));
                    }
                    1 => {
                        let from = path.iter().position(|(p, _)| *p == d).unwrap_or(0);
                        let cycle: Vec<ParamId> = path[from..].iter().map(|(p, _)| *p).collect();
                        report_cycle(ctx, model, map, &cycle);
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                order.push(node);
                path.pop();
            }
        }
    }
    order
}

fn report_cycle(ctx: &mut Ctx<'_>, model: &Model, map: &SourceMap, cycle: &[ParamId]) {
    // Name the cycle from its first parameter in the file, so the message is stable.
    let Some(first) = cycle
        .iter()
        .enumerate()
        .min_by_key(|(_, p)| **p)
        .map(|(i, _)| i)
    else {
        return;
    };
    let mut names: Vec<&str> = cycle[first..]
        .iter()
        .chain(&cycle[..first])
        .map(|&p| model.params[p].id.as_str())
        .collect();
    let head = names[0];
    names.push(head);
    let p = cycle[first];
    let span = map
        .param_keys
        .get(p)
        .cloned()
        .unwrap_or_else(|| model.params[p].span.clone());
    let msg = if cycle.len() == 1 {
        format!("parameter `{head}` is defined in terms of itself")
    } else {
        format!(
            "parameters depend on each other in a cycle: {}",
            names.join(" -> ")
        )
    };
    ctx.error_hint(
        span,
        msg,
        "each parameter may only use parameters that do not use it in turn",
    );
}
