//! Ids: their form (`[a-z_][a-z0-9_]*`, with a suggestion when it is wrong) and the words
//! that parameters and actors may not take.

use super::Ctx;
use crate::diag::Span;

/// Names that cannot be used as parameter or actor ids because expressions give them
/// another meaning.
const RESERVED: [&str; 6] = ["t", "true", "false", "and", "or", "not"];

/// Whether `s` is a valid id: `[a-z_][a-z0-9_]*`.
pub fn is_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Checks an id's form; reports and returns false if it is not one.
pub(crate) fn check_id(ctx: &mut Ctx<'_>, id: &str, span: Span, what: &str) -> bool {
    if is_id(id) {
        return true;
    }
    let suggestion: String = id
        .trim()
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '_'
            }
        })
        .collect();
    let hint = if !suggestion.is_empty() && is_id(&suggestion) {
        format!(
            "ids use lowercase letters, digits and `_`, and do not start with a digit: try `{suggestion}`"
        )
    } else {
        "ids use lowercase letters, digits and `_`, and do not start with a digit".to_string()
    };
    ctx.error_hint(span, format!("`{id}` is not a valid {what} id"), hint);
    false
}

/// Reports a parameter or actor id that is reserved.
pub(super) fn check_reserved(ctx: &mut Ctx<'_>, id: &str, span: Span, what: &str) -> bool {
    if RESERVED.contains(&id) {
        ctx.error_hint(
            span,
            format!("`{id}` cannot be used as a {what} id"),
            if id == "t" {
                "`t` is the current time in expressions; choose another name"
            } else {
                "it is a word of the expression language; choose another name"
            },
        );
        false
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_id("dprk_combat"));
        assert!(is_id("_x1"));
        assert!(!is_id("1x"));
        assert!(!is_id("Ru"));
        assert!(!is_id("a-b"));
        assert!(!is_id(""));
    }
}
