//! Distribution tables: `{ dist = "pert", min = 1, mode = 2, max = 5 }`, for parameters and
//! step delays.

use toml::de::DeValue;

use super::{Ctx, Table, compile_value, want_str};
use crate::diag::{Span, closest};
use crate::dist::{DistKind, Distribution};
use crate::expr::{Expr, Scope, Type};
use crate::scenario::ParamValue;

/// `{ dist = "fixed", value = x }` is a fixed (or derived) parameter, not an uncertain one.
pub(crate) fn fixed_or_drawn(d: Distribution) -> ParamValue {
    if d.kind == DistKind::Fixed
        && let Some(arg) = d.args.first()
    {
        return match arg.as_constant() {
            Some(c) => ParamValue::Fixed(c),
            None => ParamValue::Derived(arg.clone()),
        };
    }
    ParamValue::Drawn(d)
}

/// The keys each `dist` takes. `lognormal` and `exponential` have two forms; the form is
/// chosen by the keys present.
fn kind_of(
    ctx: &mut Ctx<'_>,
    t: &Table<'_, '_>,
    name: &str,
    name_span: Span,
) -> Option<(DistKind, &'static [&'static str])> {
    let has = |k: &str| t.get(k).is_some();
    let kind = match name {
        "fixed" => DistKind::Fixed,
        "uniform" => DistKind::Uniform,
        "normal" => DistKind::Normal,
        "lognormal" => {
            let a = has("mu") || has("sigma");
            let b = has("p5") || has("p95");
            if a && b {
                ctx.error_hint(
                    t.span.clone(),
                    format!(
                        "{}: a lognormal takes either mu and sigma, or p5 and p95, not both",
                        t.what
                    ),
                    "mu and sigma describe the underlying normal; p5 and p95 the 90% interval",
                );
                return None;
            }
            if b {
                DistKind::LogNormalInterval
            } else {
                DistKind::LogNormal
            }
        }
        "triangular" => DistKind::Triangular,
        "pert" => DistKind::Pert,
        "beta" => DistKind::Beta,
        "gamma" => DistKind::Gamma,
        "exponential" => match (has("mean"), has("rate")) {
            (true, true) => {
                ctx.error_hint(
                    t.span.clone(),
                    format!(
                        "{}: an exponential takes either `mean` or `rate`, not both",
                        t.what
                    ),
                    "rate = 1 / mean",
                );
                return None;
            }
            (false, true) => DistKind::ExponentialRate,
            _ => DistKind::ExponentialMean,
        },
        "weibull" => DistKind::Weibull,
        "poisson" => DistKind::Poisson,
        "binomial" => DistKind::Binomial,
        "bernoulli" => DistKind::Bernoulli,
        "discrete" => DistKind::Discrete,
        other => {
            let hint = match closest(other, &DistKind::NAMES) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("the distributions are: {}", DistKind::NAMES.join(", ")),
            };
            ctx.error_hint(
                name_span,
                format!("unknown distribution `{other}` in {}", t.what),
                hint,
            );
            return None;
        }
    };
    let keys: &'static [&'static str] = match kind {
        DistKind::LogNormal | DistKind::LogNormalInterval => &["mu", "sigma", "p5", "p95"],
        DistKind::ExponentialMean | DistKind::ExponentialRate => &["mean", "rate"],
        DistKind::Pert => &["min", "mode", "max", "lambda"],
        k => k.arg_names(),
    };
    Some((kind, keys))
}

/// Reads a distribution table; `extra` are further keys allowed in it (`unit` ...).
/// Constant arguments are checked now, so that a bad `sd` is a load-time error.
pub(crate) fn dist_table(
    ctx: &mut Ctx<'_>,
    t: &Table<'_, '_>,
    extra: &[&str],
    scope: &dyn Scope,
    what: &str,
) -> Option<Distribution> {
    let Some(dv) = t.get("dist") else {
        ctx.error_hint(
            t.span.clone(),
            format!("{what} is a table without `dist`"),
            format!(
                "name a distribution, e.g. dist = \"uniform\"; the distributions are: {}",
                DistKind::NAMES.join(", ")
            ),
        );
        return None;
    };
    let name = want_str(ctx, dv, &format!("`dist` of {what}"))?;
    let (kind, keys) = kind_of(ctx, t, name, dv.span())?;
    let mut allowed: Vec<&str> = vec!["dist"];
    allowed.extend_from_slice(keys);
    allowed.extend_from_slice(extra);
    t.check_keys(ctx, &allowed);

    let arg_names = kind.arg_names();
    let mut args: Vec<Expr> = Vec::new();
    let mut spans: Vec<Span> = Vec::new();
    let mut ok = true;
    if kind == DistKind::Discrete {
        let mut lists: Vec<Vec<(Expr, Span)>> = Vec::new();
        for key in ["values", "weights"] {
            let Some(v) = t.get(key) else {
                ctx.error(
                    t.span.clone(),
                    format!("{what}: a discrete distribution needs `{key}`"),
                );
                ok = false;
                continue;
            };
            let DeValue::Array(items) = v.get_ref() else {
                ctx.error_hint(
                    v.span(),
                    format!("{what}: `{key}` must be a list"),
                    format!("e.g. {key} = [1, 2, 3]"),
                );
                ok = false;
                continue;
            };
            if items.is_empty() {
                ctx.error(v.span(), format!("{what}: `{key}` is empty"));
                ok = false;
            }
            let mut list = Vec::new();
            for item in items.iter() {
                match compile_value(
                    ctx,
                    item,
                    Type::Number,
                    scope,
                    &format!("`{key}` of {what}"),
                ) {
                    Some(e) => list.push((e, item.span())),
                    None => ok = false,
                }
            }
            if ok && lists.len() == 1 && lists[0].len() != list.len() {
                ctx.error_hint(
                    v.span(),
                    format!(
                        "{what}: {} values but {} weights",
                        lists[0].len(),
                        list.len()
                    ),
                    "give one weight per value",
                );
                ok = false;
            }
            lists.push(list);
        }
        if !ok {
            return None;
        }
        for (e, s) in lists.into_iter().flatten() {
            args.push(e);
            spans.push(s);
        }
    } else {
        for &arg in arg_names {
            match t.get(arg) {
                Some(v) => {
                    match compile_value(ctx, v, Type::Number, scope, &format!("`{arg}` of {what}"))
                    {
                        Some(e) => {
                            args.push(e);
                            spans.push(v.span());
                        }
                        None => ok = false,
                    }
                }
                None if kind == DistKind::Pert && arg == "lambda" => {
                    // PERT's conventional shape parameter (spec: default 4).
                    args.push(Expr::constant(4.0));
                    spans.push(t.span.clone());
                }
                None => {
                    let needs: Vec<String> = arg_names
                        .iter()
                        .filter(|a| !(kind == DistKind::Pert && **a == "lambda"))
                        .map(|a| format!("`{a}`"))
                        .collect();
                    ctx.error_hint(
                        t.span.clone(),
                        format!("{what}: the {name} distribution needs `{arg}`"),
                        format!("{name} takes {}", needs.join(", ")),
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
    }
    let consts: Option<Vec<f64>> = args.iter().map(Expr::as_constant).collect();
    if let Some(values) = consts
        && let Err(e) = Distribution::check(kind, &values)
    {
        let span = spans.get(e.arg).cloned().unwrap_or_else(|| t.span.clone());
        ctx.error(
            span,
            format!("{what}: invalid {name} distribution: {}", e.message),
        );
        return None;
    }
    Some(Distribution::new(kind, args))
}
