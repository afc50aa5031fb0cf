//! `[[correlations]]`: Spearman rank correlations between drawn parameters, sampled by the
//! Gaussian copula of [`crate::dist::copula`]. Each entry names two parameters and a rank in
//! [-1, 1]; both must be drawn from a distribution with constant arguments. The entries
//! linked through shared parameters form groups, and each group's matrix must be possible
//! (positive semi-definite): an impossible one is an error naming all its entries, with how
//! far their ranks are from possible.

use toml::de::DeValue;

use super::steps::array_of_tables;
use super::values::{want_num, want_str};
use super::{Ctx, Table, want_table};
use crate::diag::{Span, closest};
use crate::dist::copula::{self, EIGEN_TOLERANCE, Pair};
use crate::scenario::{Correlation, Model, ParamId, ParamValue};

/// `[[correlations]]`, checked, into `model.correlations`.
pub(crate) fn correlations(ctx: &mut Ctx<'_>, root: &Table<'_, '_>, model: &mut Model) {
    let Some(items) = array_of_tables(ctx, root, "correlations", "correlation") else {
        return;
    };
    let mut read: Vec<(Correlation, Span)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(t) = want_table(ctx, item, &format!("correlation number {}", i + 1)) else {
            continue;
        };
        if let Some(c) = entry(ctx, &t, model, &read) {
            read.push(c);
        }
    }
    let pairs: Vec<Pair> = read
        .iter()
        .map(|(c, _)| Pair {
            a: c.between[0],
            b: c.between[1],
            rank: c.rank,
        })
        .collect();
    for (members, at) in copula::groups(model.params.len(), &pairs) {
        let m = copula::matrix(&members, &pairs, 1.0);
        let low = copula::smallest_eigenvalue(&m, members.len());
        if low < -EIGEN_TOLERANCE {
            impossible(ctx, model, &read, &members, &at, low);
        }
    }
    // The inverse CDFs' tables, once per correlated parameter (not per runner or block).
    let mut prepared = vec![false; model.params.len()];
    for p in pairs.iter().flat_map(|p| [p.a, p.b]) {
        if !std::mem::replace(&mut prepared[p], true)
            && let ParamValue::Drawn(d) = &mut model.params[p].value
        {
            d.prepare_marginal();
        }
    }
    model.correlations = read.into_iter().map(|(c, _)| c).collect();
}

/// One entry: its correlation and the span of its `rank` (None after reporting).
fn entry(
    ctx: &mut Ctx<'_>,
    t: &Table<'_, '_>,
    model: &Model,
    before: &[(Correlation, Span)],
) -> Option<(Correlation, Span)> {
    t.check_keys(ctx, &["between", "rank"]);
    let what = &t.what;
    let between = t.require(ctx, "between").and_then(|v| {
        let DeValue::Array(items) = v.get_ref() else {
            ctx.error_hint(
                v.span(),
                format!("`between` of {what} must be a list of two parameters"),
                "e.g. between = [\"escalation_appetite\", \"ceasefire_rate\"]",
            );
            return None;
        };
        if items.len() != 2 {
            ctx.error_hint(
                v.span(),
                format!(
                    "`between` of {what} names {} parameters, not two",
                    items.len()
                ),
                "a correlation is between two parameters; give one [[correlations]] per pair",
            );
            return None;
        }
        let mut ids = [0; 2];
        for (slot, item) in ids.iter_mut().zip(items.iter()) {
            let name = want_str(ctx, item, &format!("a parameter in `between` of {what}"))?;
            *slot = param(ctx, model, name.trim(), item.span())?;
        }
        if ids[0] == ids[1] {
            ctx.error_hint(
                v.span(),
                format!(
                    "{what} correlates `{}` with itself",
                    model.params[ids[0]].id
                ),
                "name two different parameters",
            );
            return None;
        }
        Some((ids, v.span()))
    });
    let rank = t.require(ctx, "rank").and_then(|v| {
        let r = want_num(ctx, v, &format!("`rank` of {what}"))?;
        if !(-1.0..=1.0).contains(&r) {
            ctx.error_hint(
                v.span(),
                format!("the `rank` of {what} must be between -1 and 1, got {r}"),
                "a Spearman rank correlation: 1 moves together, -1 opposite, 0 independent",
            );
            return None;
        }
        Some((r, v.span()))
    });
    let ((ids, between_span), (rank, rank_span)) = (between?, rank?);
    let key = |c: &Correlation| {
        let mut k = c.between;
        k.sort_unstable();
        k
    };
    let mut sorted = ids;
    sorted.sort_unstable();
    if let Some((first, _)) = before.iter().find(|(c, _)| key(c) == sorted) {
        let line = ctx.line(first.span.start);
        ctx.error_hint(
            between_span,
            format!(
                "the correlation between `{}` and `{}` is given twice",
                model.params[ids[0]].id, model.params[ids[1]].id
            ),
            format!("it is first given at line {line}; keep one"),
        );
        return None;
    }
    let correlation = Correlation {
        between: ids,
        rank,
        span: t.span.clone(),
    };
    Some((correlation, rank_span))
}

/// The parameter `name` of a correlation, if it exists and can be correlated.
fn param(ctx: &mut Ctx<'_>, model: &Model, name: &str, span: Span) -> Option<ParamId> {
    let Some(p) = model.param_index(name) else {
        let ids: Vec<&str> = model.params.iter().map(|p| p.id.as_str()).collect();
        let hint = match closest(name, &ids) {
            Some(c) => format!("did you mean `{c}`?"),
            None => "a correlation names parameters of [parameters]".to_string(),
        };
        ctx.error_hint(
            span,
            format!("there is no parameter `{name}` to correlate"),
            hint,
        );
        return None;
    };
    let refusal = match &model.params[p].value {
        ParamValue::Fixed(v) => Some((
            format!("parameter `{name}` is fixed (= {v}), so it cannot be correlated"),
            "a correlation links two uncertain parameters; give it a distribution, or remove the correlation",
        )),
        ParamValue::Derived(_) => Some((
            format!(
                "parameter `{name}` is computed from other parameters, so it cannot be correlated"
            ),
            "it moves with the parameters it reads: correlate those instead",
        )),
        ParamValue::Drawn(d) if d.marginal().is_none() => Some((
            format!(
                "the distribution of parameter `{name}` reads other parameters, so it cannot be correlated"
            ),
            "its shape changes from run to run, and a rank correlation with it would not be the one asked for; give it constant arguments, or correlate the parameters it reads",
        )),
        ParamValue::Drawn(_) => None,
    };
    match refusal {
        Some((message, hint)) => {
            ctx.error_hint(span, message, hint);
            None
        }
        None => Some(p),
    }
}

/// The error for a group whose correlations no joint distribution has: at the first
/// entry's rank, naming every entry of the group with its line.
fn impossible(
    ctx: &mut Ctx<'_>,
    model: &Model,
    read: &[(Correlation, Span)],
    members: &[ParamId],
    at: &[usize],
    low: f64,
) {
    let pairs: Vec<Pair> = at
        .iter()
        .map(|&k| Pair {
            a: read[k].0.between[0],
            b: read[k].0.between[1],
            rank: read[k].0.rank,
        })
        .collect();
    let scale = copula::largest_valid_scale(members, &pairs);
    let listed: Vec<String> = at
        .iter()
        .map(|&k| {
            let (c, span) = &read[k];
            format!(
                "{} ~ {} {} (line {})",
                model.params[c.between[0]].id,
                model.params[c.between[1]].id,
                c.rank,
                ctx.line(span.start)
            )
        })
        .collect();
    let names: Vec<String> = members
        .iter()
        .map(|&p| format!("`{}`", model.params[p].id))
        .collect();
    let Some(&first) = at.first() else {
        return;
    };
    ctx.error_hint(
        read[first].1.clone(),
        format!(
            "the correlations among {} are impossible together: {}; their normal correlation \
             matrix is not positive semi-definite (smallest eigenvalue {low:.4}, it must be >= 0)",
            names.join(", "),
            listed.join(", ")
        ),
        format!(
            "multiplying all {} ranks by {scale:.3} or less makes them possible; or weaken the \
             one you are least sure of",
            at.len()
        ),
    );
}
