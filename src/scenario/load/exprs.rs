//! Expression positions: a string compiled by the expression compiler (its errors mapped to
//! spans in the file) or a TOML constant.

use toml::de::DeValue;

use super::values::{a_type, want_num};
use super::{Ctx, Val};
use crate::diag::{Diagnostic, Span};
use crate::expr::{Expr, ExprError, Type};

/// Maps a byte range inside a string value's decoded text to a byte range in the file.
/// Exact when the string's source text equals its decoded text (no escapes, the usual
/// case); otherwise the whole string value, which still points at the right line.
pub(crate) fn inner_span(src: &str, value: &Span, decoded: &str, inner: &Span) -> Span {
    let Some(raw) = src.get(value.clone()) else {
        return value.clone();
    };
    let q = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else if raw.starts_with('"') || raw.starts_with('\'') {
        1
    } else {
        return value.clone();
    };
    if raw.len() < 2 * q {
        return value.clone();
    }
    let mut start = value.start + q;
    let mut body = &raw[q..raw.len() - q];
    if q == 3 {
        // A newline right after the opening delimiter is not part of the string.
        if let Some(b) = body.strip_prefix("\r\n") {
            body = b;
            start += 2;
        } else if let Some(b) = body.strip_prefix('\n') {
            body = b;
            start += 1;
        }
    }
    if body != decoded {
        return value.clone();
    }
    let s = inner.start.min(decoded.len());
    let e = inner.end.clamp(s, decoded.len());
    start + s..start + e
}

/// Compiles an expression position: a string (an expression), or a TOML number or boolean
/// (a constant). `what` names the position in messages ("`when` of step `a`").
pub(crate) fn compile_value(
    ctx: &mut Ctx<'_>,
    v: &Val<'_>,
    ty: Type,
    scope: &dyn crate::expr::Scope,
    what: &str,
) -> Option<Expr> {
    let want = match ty {
        Type::Number => "a number",
        Type::Bool => "a condition (true or false)",
    };
    match v.get_ref() {
        DeValue::String(s) => compile_text(ctx, s, &v.span(), 0, ty, scope, what),
        DeValue::Boolean(b) if ty == Type::Bool => {
            Some(Expr::constant_bool(*b).located(&ctx.file, v.span()))
        }
        DeValue::Integer(_) | DeValue::Float(_) if ty == Type::Number => {
            want_num(ctx, v, what).map(|x| Expr::constant(x).located(&ctx.file, v.span()))
        }
        other => {
            ctx.error_hint(
                v.span(),
                format!("{what} must be {want}, found {}", a_type(other)),
                match ty {
                    Type::Number => "write a number or an expression in quotes, e.g. \"2 * x\"",
                    Type::Bool => "write true, false or a condition in quotes, e.g. \"t >= 30\"",
                },
            );
            None
        }
    }
}

/// Compiles `decoded[base..]`, the text of a string value at `value` in the file, mapping
/// the expression compiler's errors to file spans.
pub(crate) fn compile_text(
    ctx: &mut Ctx<'_>,
    decoded: &str,
    value: &Span,
    base: usize,
    ty: Type,
    scope: &dyn crate::expr::Scope,
    what: &str,
) -> Option<Expr> {
    let text = decoded.get(base..).unwrap_or("");
    // The expression without the blanks around it: that is what messages quote and where
    // the caret of a run-time error goes.
    let lead = text.len() - text.trim_ascii_start().len();
    let base = base + lead;
    let text = text.trim_ascii();
    match Expr::compile(text, ty, scope) {
        Ok(e) => {
            let at = inner_span(ctx.src, value, decoded, &(base..base + text.len()));
            Some(e.located(&ctx.file, at))
        }
        Err(errors) => {
            for ExprError {
                span,
                message,
                hint,
            } in errors
            {
                let inner = span.start + base..span.end + base;
                let at = inner_span(ctx.src, value, decoded, &inner);
                let d = Diagnostic::error(at, format!("in {what}: {message}"));
                ctx.push(match hint {
                    Some(h) => d.with_hint(h),
                    None => d,
                });
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_span_maps_plain_and_falls_back_on_escapes() {
        let src = r#"x = "a + b""#;
        assert_eq!(inner_span(src, &(4..11), "a + b", &(4..5)), 9..10);
        let src = r#"x = "a\tb""#;
        assert_eq!(inner_span(src, &(4..10), "a\tb", &(2..3)), 4..10);
        let src = "x = '''\nab'''";
        assert_eq!(inner_span(src, &(4..13), "ab", &(1..2)), 9..10);
        // Out-of-range inner spans are clamped, never panic.
        let src = r#"x = "ab""#;
        assert_eq!(inner_span(src, &(4..8), "ab", &(5..9)), 7..7);
    }
}
