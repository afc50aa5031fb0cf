//! Reading `[[checks]]` tables while the scenario loads: every mistake becomes a diagnostic
//! with its place in the file, so `rungs validate` reports them like any other.

use toml::de::DeValue;

use crate::check::{Check, Claim, lang};
use crate::diag::{Diagnostic, closest};
use crate::scenario::Model;
use crate::scenario::load::{
    Ctx, Table, Val, inner_span, number_of, want_int, want_str, want_table,
};

/// The keys of a `[[checks]]` table.
const KEYS: [&str; 5] = ["claim", "expect", "vary", "runs", "seed"];

/// The most runs a check may ask for (the command line may ask for more with `--runs`).
pub const MAX_CHECK_RUNS: i64 = 1_000_000_000;

/// Reads the value of the root key `checks` (an array of tables) against the loaded model.
pub(crate) fn checks(ctx: &mut Ctx<'_>, v: &Val<'_>, model: &Model) -> Vec<Check> {
    let DeValue::Array(items) = v.get_ref() else {
        ctx.error_hint(
            v.span(),
            "`checks` must be a list of tables",
            "write each check under its own [[checks]] header",
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let what = format!("check number {}", i + 1);
        let Some(t) = want_table(ctx, item, &what) else {
            continue;
        };
        if let Some(check) = one_check(ctx, &t, &what, model) {
            out.push(check);
        }
    }
    out
}

/// One `[[checks]]` table (`what`: "check number 3"), or None after reporting what is wrong.
fn one_check(ctx: &mut Ctx<'_>, t: &Table<'_, '_>, what: &str, model: &Model) -> Option<Check> {
    t.check_keys(ctx, &KEYS);
    let missing = |ctx: &mut Ctx<'_>, key: &str, hint: &str| {
        ctx.error_hint(
            t.span.clone(),
            format!("{what} has no `{key}`; it is required"),
            hint,
        );
    };
    let claim_v = t.get("claim");
    if claim_v.is_none() {
        missing(
            ctx,
            "claim",
            "say in words what the check encodes, e.g. claim = \"[A] 'the sentence it quotes'\"",
        );
    }
    let claim = claim_v.and_then(|v| {
        let s = want_str(ctx, v, &format!("`claim` of {what}"))?;
        if s.trim().is_empty() {
            ctx.error_hint(
                v.span(),
                format!("the `claim` of {what} is empty"),
                "say in words what the check encodes, e.g. the sentence of the source it quotes",
            );
            return None;
        }
        Some(s.to_string())
    });
    let runs = t.get("runs").and_then(|v| {
        want_int(ctx, v, &format!("`runs` of {what}"), 1, MAX_CHECK_RUNS).map(|n| n as u64)
    });
    let seed = t.get("seed").and_then(|v| {
        want_int(ctx, v, &format!("`seed` of {what}"), 0, i64::MAX).map(|n| n as u64)
    });
    let vary = t.get("vary").and_then(|v| vary(ctx, v, model, what));
    let Some(ev) = t.get("expect") else {
        missing(
            ctx,
            "expect",
            "e.g. expect = \"p(war) < 0.05\"; see docs/checks.md",
        );
        return None;
    };
    let text = want_str(ctx, ev, &format!("`expect` of {what}"))?;
    let parsed = match lang::parse(text, model) {
        Ok(p) => p,
        Err(errors) => {
            for e in errors {
                let at = inner_span(ctx.src, &ev.span(), text, &e.span);
                let d = Diagnostic::error(at, format!("in `expect` of {what}: {}", e.message));
                ctx.push(match e.hint {
                    Some(h) => d.with_hint(h),
                    None => d,
                });
            }
            return None;
        }
    };
    let is_trend = matches!(parsed.claim, Claim::Trend { .. });
    match (&parsed.trend, t.key_span("vary")) {
        (Some(span), None) if is_trend => {
            let word = &text[span.clone()];
            ctx.error_hint(
                inner_span(ctx.src, &ev.span(), text, span),
                format!("in `expect` of {what}: `{word}` compares two values of a parameter, but the check has no `vary`"),
                "add e.g. vary = { dprk_troops = [3000, 20000] }: the first value is the baseline",
            );
            return None;
        }
        (None, Some(span)) => {
            ctx.error_hint(
                span,
                format!("{what} has `vary`, but its `expect` does not use rises() or falls()"),
                "write e.g. expect = \"rises(p(E))\", or remove `vary` (use `--set` to fix a parameter)",
            );
            return None;
        }
        _ => {}
    }
    let (Some(claim), true) = (claim, !is_trend || vary.is_some()) else {
        return None;
    };
    Some(Check {
        claim,
        expect: text.to_string(),
        claim_kind: parsed.claim,
        vary,
        runs,
        seed,
        span: ev.span(),
    })
}

/// `vary = { param = [a, b] }`.
fn vary(ctx: &mut Ctx<'_>, v: &Val<'_>, model: &Model, what: &str) -> Option<(usize, [f64; 2])> {
    let hint = "write vary = { param = [a, b] }: one parameter and two values, the baseline first";
    let t = want_table(ctx, v, &format!("`vary` of {what}"))?;
    let mut entries = t.map.iter();
    let Some((k, val)) = entries.next() else {
        ctx.error_hint(
            v.span(),
            format!("`vary` of {what} names no parameter"),
            hint,
        );
        return None;
    };
    if let Some((k2, _)) = entries.next() {
        ctx.error_hint(
            k2.span(),
            format!("`vary` of {what} names more than one parameter"),
            "a check compares two values of one parameter; write one check per parameter",
        );
        return None;
    }
    let name: &str = k.get_ref().as_ref();
    let Some(param) = model.param_index(name) else {
        let ids: Vec<&str> = model.params.iter().map(|p| p.id.as_str()).collect();
        let h = match closest(name, &ids) {
            Some(c) => format!("did you mean `{c}`?"),
            None if ids.is_empty() => "the scenario has no parameters".to_string(),
            None => format!("the parameters are: {}", ids.join(", ")),
        };
        ctx.error_hint(
            k.span(),
            format!("{what} varies `{name}`, which is not a parameter"),
            h,
        );
        return None;
    };
    let DeValue::Array(items) = val.get_ref() else {
        ctx.error_hint(
            val.span(),
            format!("the values of `{name}` in `vary` must be a list of two numbers"),
            hint,
        );
        return None;
    };
    let mut values = Vec::new();
    for item in items.iter() {
        match number_of(item.get_ref()) {
            Some(Ok(x)) => values.push(x),
            Some(Err(m)) => {
                ctx.error(item.span(), m);
                return None;
            }
            None => {
                ctx.error_hint(
                    item.span(),
                    format!("the values of `{name}` in `vary` must be numbers"),
                    hint,
                );
                return None;
            }
        }
    }
    match values[..] {
        [a, b] if a != b => Some((param, [a, b])),
        [_, _] => {
            ctx.error_hint(
                val.span(),
                format!("`vary` of {what} gives `{name}` the same value twice"),
                "rises and falls compare two different values",
            );
            None
        }
        _ => {
            ctx.error_hint(
                val.span(),
                format!(
                    "`vary` of {what} needs exactly two values of `{name}`, got {}",
                    values.len()
                ),
                hint,
            );
            None
        }
    }
}
