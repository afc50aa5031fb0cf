//! Distribution tables: `{ dist = "pert", min = 1, mode = 2, max = 5 }`, for parameters and
//! step delays.

use toml::de::DeValue;

use super::{Ctx, Table, compile_value, want_str};
use crate::diag::{Span, closest};
use crate::dist::{DistKind, Distribution, Form};
use crate::expr::{Expr, Scope, Type};
use crate::scenario::ParamValue;

/// `{ dist = "fixed", value = x }` is a fixed (or derived) parameter, not an uncertain one.
pub(crate) fn fixed_or_drawn(d: Distribution) -> ParamValue {
    if d.kind() == DistKind::Fixed
        && let Some(arg) = d.args().first()
    {
        return match arg.as_constant() {
            Some(c) => ParamValue::Fixed(c),
            None => ParamValue::Derived(arg.clone()),
        };
    }
    ParamValue::Drawn(d)
}

/// The family named `name` and the form its keys in `t` choose: the one form whose keys
/// appear (lognormal's mu and sigma, or p5 and p95), the first when none do.
fn kind_of(
    ctx: &mut Ctx<'_>,
    t: &Table<'_, '_>,
    name: &str,
    name_span: Span,
) -> Option<(DistKind, usize)> {
    let Some(kind) = DistKind::ALL
        .iter()
        .copied()
        .find(|k| k.spec().name == name)
    else {
        let hint = match closest(name, DistKind::NAMES) {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!("the distributions are: {}", DistKind::NAMES.join(", ")),
        };
        ctx.error_hint(
            name_span,
            format!("unknown distribution `{name}` in {}", t.what),
            hint,
        );
        return None;
    };
    let spec = kind.spec();
    let given: Vec<usize> = (0..spec.forms.len())
        .filter(|&f| spec.forms[f].iter().any(|a| t.get(a.name).is_some()))
        .collect();
    if given.len() > 1 {
        let (message, hint) = spec.mixed;
        ctx.error_hint(t.span.clone(), format!("{}: {message}", t.what), hint);
        return None;
    }
    Some((kind, given.first().copied().unwrap_or(0)))
}

/// Reads a distribution table; `extra` are further keys allowed in it (`unit` ...).
/// Constant arguments are checked now (a bad `sd` is a load-time error, at its span) and
/// the sampler is built once.
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
    let (kind, form) = kind_of(ctx, t, name, dv.span())?;
    let spec = kind.spec();
    let mut allowed: Vec<&str> = vec!["dist"];
    allowed.extend(spec.forms.iter().flat_map(|f| f.iter().map(|a| a.name)));
    allowed.extend_from_slice(extra);
    t.check_keys(ctx, &allowed);

    let keys = spec.forms[form];
    let (args, spans) = if spec.lists {
        list_args(ctx, t, keys, scope, what)?
    } else {
        number_args(ctx, t, keys, name, scope, what)?
    };
    match Distribution::new(kind, form, args) {
        Ok(d) => Some(d),
        Err(e) => {
            let span = spans.get(e.arg).cloned().unwrap_or_else(|| t.span.clone());
            ctx.error(
                span,
                format!("{what}: invalid {name} distribution: {}", e.message),
            );
            None
        }
    }
}

/// The compiled arguments of a family of numbers, in `keys` order, with their spans; a
/// missing key with a default (pert's `lambda`) takes it, at the table's span.
fn number_args(
    ctx: &mut Ctx<'_>,
    t: &Table<'_, '_>,
    keys: Form,
    name: &str,
    scope: &dyn Scope,
    what: &str,
) -> Option<(Vec<Expr>, Vec<Span>)> {
    let mut args: Vec<Expr> = Vec::new();
    let mut spans: Vec<Span> = Vec::new();
    let mut ok = true;
    for arg in keys {
        match (t.get(arg.name), arg.default) {
            (Some(v), _) => {
                let context = format!("`{}` of {what}", arg.name);
                match compile_value(ctx, v, Type::Number, scope, &context) {
                    Some(e) => {
                        args.push(e);
                        spans.push(v.span());
                    }
                    None => ok = false,
                }
            }
            (None, Some(default)) => {
                args.push(Expr::constant(default));
                spans.push(t.span.clone());
            }
            (None, None) => {
                let needs: Vec<String> = keys
                    .iter()
                    .filter(|a| a.default.is_none())
                    .map(|a| format!("`{}`", a.name))
                    .collect();
                ctx.error_hint(
                    t.span.clone(),
                    format!("{what}: the {name} distribution needs `{}`", arg.name),
                    format!("{name} takes {}", needs.join(", ")),
                );
                ok = false;
            }
        }
    }
    ok.then_some((args, spans))
}

/// The compiled items of a family of lists (discrete's `values` and `weights`, whose words
/// the messages use), the lists one after the other, with their spans.
fn list_args(
    ctx: &mut Ctx<'_>,
    t: &Table<'_, '_>,
    keys: Form,
    scope: &dyn Scope,
    what: &str,
) -> Option<(Vec<Expr>, Vec<Span>)> {
    let mut ok = true;
    let mut lists: Vec<Vec<(Expr, Span)>> = Vec::new();
    for key in keys.iter().map(|a| a.name) {
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
            let context = format!("`{key}` of {what}");
            match compile_value(ctx, item, Type::Number, scope, &context) {
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
    ok.then(|| lists.into_iter().flatten().unzip())
}
