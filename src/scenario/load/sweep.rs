//! The `[sweep]` table: the design `--vary`, `--lhs` and `--epistemic` give on the command
//! line, kept in the scenario so a sweep is one command. One design per table:
//!
//! ```toml
//! [sweep]
//! vary = { nato_threshold = [10000, 20000], pay_usd = "1000..3000:5" }   # a grid
//! # or: vary = { pay_usd = "1000..3000" } with lhs = 50: Latin-hypercube points
//! # or: epistemic = 20 alone: points drawn from the parameters' own distributions
//! ```

use toml::de::DeValue;

use super::{Ctx, Table, Val, number_of, want_int, want_table};
use crate::diag::{Span, closest};
use crate::scenario::sweep_spec::{MAX_POINTS, Problem, parse_vary};
use crate::scenario::{CheckedSpec, Model, SweepSpec, Vary};

/// Reads `[sweep]`: each part parsed, then (if every part parsed) the rules of
/// [`SweepSpec::check`], each broken one reported at the part at fault. This is the only
/// check of the table: `rungs sweep` builds its points from the result.
pub(crate) fn sweep(ctx: &mut Ctx<'_>, v: &Val<'_>, model: &Model) -> Option<CheckedSpec> {
    let t = want_table(ctx, v, "[sweep]")?;
    let errors_before = ctx.errors.len();
    t.check_keys(ctx, &["vary", "lhs", "epistemic"]);
    let count = |ctx: &mut Ctx<'_>, key: &str| -> Option<u32> {
        let v = t.get(key)?;
        want_int(
            ctx,
            v,
            &format!("`{key}` of [sweep]"),
            1,
            i64::from(u32::MAX),
        )
        .map(|n| n as u32)
    };
    let lhs = count(ctx, "lhs");
    let epistemic = count(ctx, "epistemic");
    let (vary, spans) = match t.get("vary") {
        Some(vv) => vary(ctx, vv, model),
        None => (Vec::new(), Vec::new()),
    };
    if ctx.errors.len() > errors_before {
        // A part that did not parse would make the rules report what is not there.
        return None;
    }
    let spec = SweepSpec {
        vary,
        lhs,
        epistemic,
    };
    match spec.check(model) {
        Ok(checked) => Some(checked),
        Err(rejected) => {
            for p in &rejected.problems {
                report(ctx, &t, model, &rejected.spec, &spans, p);
            }
            None
        }
    }
}

/// The `vary` table: each parameter with its values, and the span of each value (parallel).
fn vary(ctx: &mut Ctx<'_>, vv: &Val<'_>, model: &Model) -> (Vec<(usize, Vary)>, Vec<Span>) {
    let mut out = (Vec::new(), Vec::new());
    let Some(vt) = want_table(ctx, vv, "`vary` of [sweep]") else {
        return out;
    };
    let ids: Vec<&str> = model.params.iter().map(|p| p.id.as_str()).collect();
    for (k, val) in vt.map.iter() {
        let name: &str = k.get_ref().as_ref();
        let Some(param) = model.param_index(name) else {
            let hint = match closest(name, &ids) {
                Some(c) => format!("did you mean `{c}`?"),
                None if ids.is_empty() => "the scenario has no parameters".to_string(),
                None => format!("the parameters are: {}", ids.join(", ")),
            };
            ctx.error_hint(
                k.span(),
                format!("[sweep] varies `{name}`, which is not a parameter"),
                hint,
            );
            continue;
        };
        if let Some(v) = values(ctx, name, val) {
            out.0.push((param, v));
            out.1.push(val.span());
        }
    }
    out
}

/// How `vary` varies parameter `name`: a list of numbers or the text of [`parse_vary`].
fn values(ctx: &mut Ctx<'_>, name: &str, val: &Val<'_>) -> Option<Vary> {
    const FORMS: &str =
        "write a list [v1, v2], \"lo..hi:k\" for k evenly spaced values, or \"lo..hi\" with lhs";
    match val.get_ref() {
        DeValue::Array(items) => {
            let mut values = Vec::new();
            for item in items.iter() {
                match number_of(item.get_ref()) {
                    Some(Ok(x)) => values.push(x),
                    Some(Err(m)) => ctx.error(item.span(), m),
                    None => ctx.error(
                        item.span(),
                        format!("the values of `{name}` in [sweep] must be numbers"),
                    ),
                }
            }
            if items.is_empty() {
                ctx.error(
                    val.span(),
                    format!("no values given for `{name}` in [sweep]"),
                );
            }
            Some(Vary::List(values))
        }
        DeValue::String(s) => match parse_vary(s) {
            Ok(v) => Some(v),
            Err(m) => {
                ctx.error_hint(val.span(), format!("[sweep] `{name}`: {m}"), FORMS);
                None
            }
        },
        _ => {
            ctx.error_hint(
                val.span(),
                format!("[sweep] `{name}` must be a list of values or a range"),
                FORMS,
            );
            None
        }
    }
}

/// Reports a broken rule of the table at the part at fault: a key of `[sweep]`, a value of
/// `vary` (`spans`, parallel to `spec.vary`), or the table.
fn report(
    ctx: &mut Ctx<'_>,
    t: &Table<'_, '_>,
    model: &Model,
    spec: &SweepSpec,
    spans: &[Span],
    p: &Problem,
) {
    let key = |k: &str| t.key_span(k).unwrap_or_else(|| t.span.clone());
    let value = |i: usize| spans.get(i).cloned().unwrap_or_else(|| t.span.clone());
    let name = |i: usize| model.params[spec.vary[i].0].id.as_str();
    let (span, message, hint) = match p {
        Problem::LhsAndEpistemic => (
            // At the second of the two, the one that makes it two designs.
            std::cmp::max_by_key(key("lhs"), key("epistemic"), |s| s.start),
            "[sweep] gives both `lhs` and `epistemic`; a sweep is one design".to_string(),
            "`lhs` spreads points over the `vary` ranges, `epistemic` draws them from the \
             parameters' distributions: keep one (the other can be a second sweep, with \
             `--lhs K` or `--epistemic K`)",
        ),
        Problem::PointCount(kind, n) => (
            key(kind.key()),
            match n {
                // Not from a file (`want_int` refuses 0 there), but a rule all the same.
                0 => format!("`{}` of [sweep] must be at least 1", kind.key()),
                n => format!(
                    "`{}` of [sweep] asks for {n} points, more than a design may have ({MAX_POINTS})",
                    kind.key()
                ),
            },
            "use fewer points",
        ),
        Problem::TooManyValues(i) => (
            value(*i),
            format!(
                "[sweep] `{}` has {} values, more than a design may have points ({MAX_POINTS})",
                name(*i),
                spec.vary[*i].1.count()
            ),
            "use fewer values, or `lhs = K` for a Latin hypercube over a range",
        ),
        Problem::LhsWithoutRanges => (
            key("lhs"),
            "`lhs` needs ranges to sample".to_string(),
            "vary at least one parameter over a range, e.g. vary = { x = \"1..5\" }",
        ),
        Problem::LhsOverList(i) => (
            value(*i),
            format!(
                "[sweep] `{}` is a list, but `lhs` spreads points over ranges",
                name(*i)
            ),
            "write a range \"lo..hi\", or leave the parameter out of `vary`",
        ),
        Problem::EpistemicWithVary => (
            key("vary"),
            "`vary` does not combine with `epistemic` in [sweep]".to_string(),
            "`epistemic` draws every uncertain parameter from its distribution: remove `vary`, \
             or use `lhs = K` to spread points over ranges",
        ),
        Problem::NothingDrawn => (
            key("epistemic"),
            "`epistemic` of [sweep] draws the uncertain parameters, but none is drawn from a \
             distribution"
                .to_string(),
            "give a parameter a distribution, e.g. x = { dist = \"uniform\", min = 1, max = 5 }",
        ),
        Problem::RangeWithoutCount(i) => (
            value(*i),
            format!(
                "[sweep] `{}` is a range without a number of points",
                name(*i)
            ),
            "write \"lo..hi:k\" for k evenly spaced values, or add `lhs = K` for Latin-hypercube points",
        ),
        Problem::GridTooLarge(total) => (
            key("vary"),
            format!(
                "the grid of [sweep] has {total} points, more than a design may have ({MAX_POINTS})"
            ),
            "use fewer values, or `lhs = K` for a Latin hypercube over ranges",
        ),
        Problem::NoPoints => (
            t.span.clone(),
            "[sweep] describes no points".to_string(),
            "give `vary`, `lhs` with `vary` ranges, or `epistemic`",
        ),
    };
    ctx.error_hint(span, message, hint);
}
