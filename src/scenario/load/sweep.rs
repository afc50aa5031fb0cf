//! The `[sweep]` table: the design `--vary`, `--lhs` and `--epistemic` give on the command
//! line, kept in the scenario so a sweep is one command.
//!
//! ```toml
//! [sweep]
//! vary = { nato_threshold = [10000, 20000], pay_usd = "1000..3000:5" }
//! lhs = 50          # K Latin-hypercube points over `lo..hi` ranges
//! epistemic = 20    # K points drawn from the parameters' own distributions
//! ```

use toml::de::DeValue;

use super::{Ctx, Val, number_of, want_int, want_table};
use crate::diag::closest;
use crate::scenario::{Model, SweepSpec, Vary};

/// The most points a design may have, as `sweep::design::MAX_POINTS` (a test checks they
/// agree; kept here so the scenario layer does not reach into the sweep layer): a `[sweep]`
/// asking for more is refused at load, with the spot in the file.
pub const MAX_POINTS: u64 = 100_000;

/// Parses the text of one varied parameter, as in `--vary NAME=TEXT`: `v1,v2,v3` (a list),
/// `lo..hi:k` (k evenly spaced values, k >= 1) or `lo..hi` (a range for `--lhs`). Numbers
/// must be finite, and `lo <= hi`.
pub fn parse_vary(text: &str) -> Result<Vary, String> {
    let num = |s: &str| -> Result<f64, String> {
        let s = s.trim();
        let cleaned = s.replace('_', "");
        match cleaned.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(format!("`{s}` is not a finite number")),
        }
    };
    if let Some((lo, rest)) = text.split_once("..") {
        let (hi, k) = match rest.split_once(':') {
            Some((hi, k)) => {
                let k = count_after_colon(k.trim())?;
                (hi, Some(k))
            }
            None => (rest, None),
        };
        let (lo, hi) = (num(lo)?, num(hi)?);
        if lo > hi {
            return Err(format!("the range {lo}..{hi} runs backwards"));
        }
        return Ok(Vary::Range { lo, hi, k });
    }
    let values = text
        .split(',')
        .map(num)
        .collect::<Result<Vec<f64>, String>>()?;
    Ok(Vary::List(values))
}

/// The `k` of `lo..hi:k`, with the real reason when it is not one: not a whole number, 0,
/// or more values than any design may have (not "must be at least 1" for 4294967296).
fn count_after_colon(k: &str) -> Result<u32, String> {
    let max = crate::sweep::design::MAX_POINTS;
    let digits = !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit());
    if !digits {
        return Err(format!(
            "`{k}` after `:` must be a whole number of values, e.g. `:5`"
        ));
    }
    match k.parse::<u64>() {
        Ok(0) => Err("`0` after `:` gives no values: it must be >= 1".to_string()),
        Ok(n) if n <= max => u32::try_from(n).map_err(|_| format!("`{k}` after `:` is too large")),
        _ => Err(format!(
            "`{k}` values after `:` are more than a design may have points ({max})"
        )),
    }
}

/// Reads `[sweep]`.
pub(crate) fn sweep(ctx: &mut Ctx<'_>, v: &Val<'_>, model: &Model) -> Option<SweepSpec> {
    let t = want_table(ctx, v, "[sweep]")?;
    t.check_keys(ctx, &["vary", "lhs", "epistemic"]);
    let mut spec = SweepSpec::default();
    let errors_before = ctx.errors.len();
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
    spec.lhs = count(ctx, "lhs");
    spec.epistemic = count(ctx, "epistemic");
    for (key, n) in [("lhs", spec.lhs), ("epistemic", spec.epistemic)] {
        if let (Some(n), Some(span)) = (n, t.key_span(key))
            && u64::from(n) > MAX_POINTS
        {
            ctx.error_hint(
                span,
                format!("`{key}` of [sweep] asks for {n} points, more than a design may have ({MAX_POINTS})"),
                "use fewer points",
            );
        }
    }
    if let Some(vv) = t.get("vary")
        && let Some(vt) = want_table(ctx, vv, "`vary` of [sweep]")
    {
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
            let vary = match val.get_ref() {
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
                    Vary::List(values)
                }
                DeValue::String(s) => match parse_vary(s) {
                    Ok(v) => v,
                    Err(m) => {
                        ctx.error_hint(
                            val.span(),
                            format!("[sweep] `{name}`: {m}"),
                            "write a list [v1, v2], \"lo..hi:k\" for k evenly spaced values, or \"lo..hi\" with lhs",
                        );
                        continue;
                    }
                },
                _ => {
                    ctx.error_hint(
                        val.span(),
                        format!("[sweep] `{name}` must be a list of values or a range"),
                        "write a list [v1, v2], \"lo..hi:k\" for k evenly spaced values, or \"lo..hi\" with lhs",
                    );
                    continue;
                }
            };
            // The point limit, checked here so the message points into the file (and before
            // any value is made: `"0..1:4294967295"` must not allocate them).
            let count = match &vary {
                Vary::List(values) => values.len() as u64,
                Vary::Range { k, .. } => k.map_or(1, u64::from),
            };
            if count > MAX_POINTS {
                ctx.error_hint(
                    val.span(),
                    format!(
                        "[sweep] `{name}` has {count} values, more than a design may have points ({MAX_POINTS})"
                    ),
                    "use fewer values, or `lhs = K` for a Latin hypercube over a range",
                );
                continue;
            }
            if let Vary::Range { k: None, .. } = vary
                && spec.lhs.is_none()
            {
                ctx.error_hint(
                    val.span(),
                    format!("[sweep] `{name}` is a range without a number of points"),
                    "write \"lo..hi:k\" for k evenly spaced values, or add `lhs = K` for Latin-hypercube points",
                );
            }
            spec.vary.push((param, vary));
        }
    }
    if let (Some(_), Some(span)) = (spec.lhs, t.key_span("lhs"))
        && !spec
            .vary
            .iter()
            .any(|(_, v)| matches!(v, Vary::Range { .. }))
    {
        ctx.error_hint(
            span,
            "`lhs` needs ranges to sample",
            "vary at least one parameter over a range, e.g. vary = { x = \"1..5\" }",
        );
    }
    if spec.vary.is_empty()
        && spec.lhs.is_none()
        && spec.epistemic.is_none()
        && ctx.errors.len() == errors_before
    {
        ctx.error_hint(
            t.span.clone(),
            "[sweep] describes no points",
            "give `vary`, `lhs` with `vary` ranges, or `epistemic`",
        );
    }
    Some(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_point_limit_is_the_designs() {
        assert_eq!(MAX_POINTS, crate::sweep::design::MAX_POINTS);
    }

    #[test]
    fn vary_text() {
        assert_eq!(parse_vary("1,2, 3"), Ok(Vary::List(vec![1.0, 2.0, 3.0])));
        assert_eq!(
            parse_vary("-1.5..2.5:5"),
            Ok(Vary::Range {
                lo: -1.5,
                hi: 2.5,
                k: Some(5)
            })
        );
        assert_eq!(
            parse_vary("0..10_000"),
            Ok(Vary::Range {
                lo: 0.0,
                hi: 10000.0,
                k: None
            })
        );
        assert!(parse_vary("5..1:3").is_err());
        assert!(parse_vary("1..5:0").is_err());
        assert!(parse_vary("a,b").is_err());
        assert!(parse_vary("inf..1").is_err());
        assert!(parse_vary("").is_err());
    }
}
