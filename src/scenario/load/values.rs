//! Reading TOML values of the wanted type, with an error naming the position when the type
//! is wrong ("`horizon` must be a number, found a string").

use toml::de::DeValue;

use super::{Ctx, Table, Val};

/// "a string", "an integer" ... for messages.
pub(crate) fn a_type(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// The string in `v`, or an error naming `what`.
pub(crate) fn want_str<'a>(ctx: &mut Ctx<'_>, v: &'a Val<'_>, what: &str) -> Option<&'a str> {
    match v.get_ref() {
        DeValue::String(s) => Some(s.as_ref()),
        other => {
            ctx.error(
                v.span(),
                format!("{what} must be a string, found {}", a_type(other)),
            );
            None
        }
    }
}

/// The number in a TOML integer or float, if it is one (None for other types). Integers
/// too large for i64 and non-finite floats are `Some(Err(..))`.
pub(crate) fn number_of(v: &DeValue<'_>) -> Option<Result<f64, String>> {
    match v {
        DeValue::Integer(i) => Some(
            i64::from_str_radix(i.as_str(), i.radix())
                .map(|n| n as f64)
                .map_err(|_| format!("the integer {i} is too large")),
        ),
        DeValue::Float(f) => Some(match f.as_str().parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            Ok(_) => Err(format!("{} is not a finite number", f.as_str())),
            Err(_) => Err(format!("`{}` is not a number", f.as_str())),
        }),
        _ => None,
    }
}

/// The finite number in `v`, or an error naming `what`.
pub(crate) fn want_num(ctx: &mut Ctx<'_>, v: &Val<'_>, what: &str) -> Option<f64> {
    match number_of(v.get_ref()) {
        Some(Ok(x)) => Some(x),
        Some(Err(m)) => {
            ctx.error(v.span(), format!("{what}: {m}"));
            None
        }
        None => {
            ctx.error(
                v.span(),
                format!("{what} must be a number, found {}", a_type(v.get_ref())),
            );
            None
        }
    }
}

/// An integer in `lo..=hi`, or an error naming `what`.
pub(crate) fn want_int(
    ctx: &mut Ctx<'_>,
    v: &Val<'_>,
    what: &str,
    lo: i64,
    hi: i64,
) -> Option<i64> {
    let n = match v.get_ref() {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
        DeValue::Float(_) => {
            ctx.error_hint(
                v.span(),
                format!("{what} must be a whole number"),
                "write it without a decimal point",
            );
            return None;
        }
        other => {
            ctx.error(
                v.span(),
                format!("{what} must be a whole number, found {}", a_type(other)),
            );
            return None;
        }
    };
    match n {
        Some(n) if (lo..=hi).contains(&n) => Some(n),
        // Say the side that was crossed: 4294967296 is too large, not "below 1".
        Some(n) if n < lo => {
            ctx.error(v.span(), format!("{what} must be at least {lo}, not {n}"));
            None
        }
        Some(n) => {
            ctx.error(v.span(), format!("{what} may be at most {hi}, not {n}"));
            None
        }
        None => {
            ctx.error(
                v.span(),
                format!("{what} is too large: it may be at most {hi}"),
            );
            None
        }
    }
}

/// The table in `v`, or an error naming `what`.
pub(crate) fn want_table<'a, 'i>(
    ctx: &mut Ctx<'_>,
    v: &'a Val<'i>,
    what: &str,
) -> Option<Table<'a, 'i>> {
    match v.get_ref() {
        DeValue::Table(t) => Some(Table {
            map: t,
            span: v.span(),
            what: what.to_string(),
        }),
        other => {
            ctx.error(
                v.span(),
                format!("{what} must be a table, found {}", a_type(other)),
            );
            None
        }
    }
}
