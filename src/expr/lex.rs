//! Tokens of the expression language, each with its byte span.

use std::ops::Range;

use super::ExprError;

/// One token.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    /// A number literal (underscores removed, finite).
    Num(f64),
    /// A bare or dotted name (`x`, `ru.casualties`), or a function name before `(`.
    Name(String),
    True,
    False,
    And,
    Or,
    Not,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Caret,
    LParen,
    RParen,
    Comma,
    Lt,
    Le,
    Gt,
    Ge,
    EqEq,
    Ne,
    /// End of input (its span is the empty range at the end).
    End,
}

impl Tok {
    /// How the token reads in an error message.
    pub(super) fn describe(&self) -> String {
        match self {
            Tok::Num(v) => format!("the number {v}"),
            Tok::Name(n) => format!("the name `{n}`"),
            Tok::True => "`true`".into(),
            Tok::False => "`false`".into(),
            Tok::And => "`and`".into(),
            Tok::Or => "`or`".into(),
            Tok::Not => "`not`".into(),
            Tok::Plus => "`+`".into(),
            Tok::Minus => "`-`".into(),
            Tok::Star => "`*`".into(),
            Tok::Slash => "`/`".into(),
            Tok::Percent => "`%`".into(),
            Tok::Caret => "`^`".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Lt => "`<`".into(),
            Tok::Le => "`<=`".into(),
            Tok::Gt => "`>`".into(),
            Tok::Ge => "`>=`".into(),
            Tok::EqEq => "`==`".into(),
            Tok::Ne => "`!=`".into(),
            Tok::End => "the end of the expression".into(),
        }
    }
}

/// A token and where it is.
#[derive(Clone, Debug)]
pub(super) struct Token {
    pub tok: Tok,
    pub span: Range<usize>,
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn err(span: Range<usize>, message: impl Into<String>, hint: Option<&str>) -> ExprError {
    ExprError {
        span,
        message: message.into(),
        hint: hint.map(str::to_string),
    }
}

/// Splits `text` into tokens (ending with [`Tok::End`]), or returns every lexical problem.
pub(super) fn lex(text: &str) -> Result<Vec<Token>, Vec<ExprError>> {
    let b = text.as_bytes();
    let mut toks = Vec::new();
    let mut errors = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let tok = if c.is_ascii_whitespace() {
            i += 1;
            continue;
        } else if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            number(b, &mut i)
                .map(Tok::Num)
                .map_err(|(message, hint)| err(start..i, message, hint))
        } else if is_name_start(c) {
            i = name_end(b, i);
            Ok(word(&text[start..i]))
        } else {
            let (tok, len) = symbol(text, start);
            i = start + len;
            tok
        };
        match tok {
            Ok(tok) => toks.push(Token {
                tok,
                span: start..i,
            }),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    toks.push(Token {
        tok: Tok::End,
        span: b.len()..b.len(),
    });
    Ok(toks)
}

/// The end of the name starting at `i`: letters, digits and `_`, and dotted parts
/// (`actor.var`, no spaces around the dot).
fn name_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_name_char(b[i]) {
        i += 1;
    }
    while i + 1 < b.len() && b[i] == b'.' && is_name_start(b[i + 1]) {
        i += 1;
        while i < b.len() && is_name_char(b[i]) {
            i += 1;
        }
    }
    i
}

/// A keyword, or else a name.
fn word(word: &str) -> Tok {
    match word {
        "true" => Tok::True,
        "false" => Tok::False,
        "and" => Tok::And,
        "or" => Tok::Or,
        "not" => Tok::Not,
        _ => Tok::Name(word.to_string()),
    }
}

/// The operator or punctuation at byte `start` (not a digit, letter or space), or why there
/// is none there; and how many bytes either covers.
fn symbol(text: &str, start: usize) -> (Result<Tok, ExprError>, usize) {
    let b = text.as_bytes();
    let tok = match (b[start], b.get(start + 1).copied()) {
        (b'<', Some(b'=')) => Tok::Le,
        (b'>', Some(b'=')) => Tok::Ge,
        (b'=', Some(b'=')) => Tok::EqEq,
        (b'!', Some(b'=')) => Tok::Ne,
        (b'<', _) => Tok::Lt,
        (b'>', _) => Tok::Gt,
        (b'+', _) => Tok::Plus,
        (b'-', _) => Tok::Minus,
        (b'*', Some(b'*')) => return not_a_token(text, start),
        (b'*', _) => Tok::Star,
        (b'/', _) => Tok::Slash,
        (b'%', _) => Tok::Percent,
        (b'^', _) => Tok::Caret,
        (b'(', _) => Tok::LParen,
        (b')', _) => Tok::RParen,
        (b',', _) => Tok::Comma,
        _ => return not_a_token(text, start),
    };
    let len = if matches!(tok, Tok::Le | Tok::Ge | Tok::EqEq | Tok::Ne) {
        2
    } else {
        1
    };
    (Ok(tok), len)
}

/// The error for what starts at byte `start` and is no token, with a hint for operators of
/// other languages (`**`, `=`, `&&`, `||`, `!`); and how many bytes it covers.
fn not_a_token(text: &str, start: usize) -> (Result<Tok, ExprError>, usize) {
    let b = text.as_bytes();
    let next = b.get(start + 1).copied();
    // `&&` and `||` are reported as one mistake, not two.
    let doubled = |c| if next == Some(c) { 2 } else { 1 };
    let written = |len: usize| format!("`{}` is not an operator", &text[start..start + len]);
    let (len, message, hint) = match (b[start], next) {
        (b'*', Some(b'*')) => (2, written(2), Some("write powers with `^`, e.g. `x ^ 2`")),
        (b'=', _) => (
            1,
            "`=` is not an operator in an expression".to_string(),
            Some("to compare, write `==`"),
        ),
        (b'&', _) => (doubled(b'&'), written(doubled(b'&')), Some("write `and`")),
        (b'|', _) => (doubled(b'|'), written(doubled(b'|')), Some("write `or`")),
        (b'!', _) => (1, written(1), Some("write `not`")),
        _ => {
            // Step over a whole (possibly multi-byte) character so spans stay on
            // character boundaries.
            let ch = text[start..].chars().next().unwrap_or('?');
            let hint = match ch {
                '[' | ']' | '{' | '}' => Some("group with round parentheses `(` `)`"),
                '"' | '\'' => Some("expressions have no strings; name ids without quotes"),
                '.' => Some("a number needs a digit after the dot, e.g. `0.5`"),
                _ => None,
            };
            (ch.len_utf8(), format!("unexpected character `{ch}`"), hint)
        }
    };
    (Err(err(start..start + len, message, hint)), len)
}

/// Reads a number starting at `*i`: digits with `_` separators, an optional fraction and an
/// optional exponent. Advances `*i` past everything that belongs to it (including trailing
/// letters, so `2x` is one malformed number rather than two tokens).
fn number(b: &[u8], i: &mut usize) -> Result<f64, (String, Option<&'static str>)> {
    let start = *i;
    let mut clean = String::new();
    let digits = |i: &mut usize, clean: &mut String| {
        while *i < b.len() && (b[*i].is_ascii_digit() || b[*i] == b'_') {
            if b[*i] != b'_' {
                clean.push(b[*i] as char);
            }
            *i += 1;
        }
    };
    digits(i, &mut clean);
    if *i < b.len() && b[*i] == b'.' && b.get(*i + 1).is_some_and(u8::is_ascii_digit) {
        clean.push('.');
        *i += 1;
        digits(i, &mut clean);
    }
    let mut bad_exponent = false;
    if *i < b.len() && (b[*i] == b'e' || b[*i] == b'E') {
        let save = *i;
        *i += 1;
        let mut exp = String::from("e");
        if *i < b.len() && (b[*i] == b'+' || b[*i] == b'-') {
            exp.push(b[*i] as char);
            *i += 1;
        }
        let before = exp.len();
        digits(i, &mut exp);
        if exp.len() == before {
            bad_exponent = true;
            *i = save + 1;
        } else {
            clean.push_str(&exp);
        }
    }
    // Letters glued to a number: swallow them so the error covers the whole word.
    let mut glued = false;
    while *i < b.len() && is_name_char(b[*i]) {
        glued = true;
        *i += 1;
    }
    let lexeme = String::from_utf8_lossy(&b[start..*i]).into_owned();
    if bad_exponent {
        return Err((
            format!("malformed number `{lexeme}`: the exponent has no digits"),
            Some("write e.g. `1e-3`"),
        ));
    }
    if glued {
        return Err((
            format!("malformed number `{lexeme}`"),
            Some("put an operator between a number and a name, e.g. `2 * x`"),
        ));
    }
    let lb = lexeme.as_bytes();
    let misplaced_underscore = lb.iter().enumerate().any(|(k, &c)| {
        c == b'_'
            && !(k > 0
                && lb[k - 1].is_ascii_digit()
                && lb.get(k + 1).is_some_and(u8::is_ascii_digit))
    });
    if misplaced_underscore {
        return Err((
            format!("malformed number `{lexeme}`"),
            Some("`_` may only separate digits, e.g. `10_000`"),
        ));
    }
    match clean.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err((format!("the number `{lexeme}` is too large"), None)),
        Err(_) => Err((format!("malformed number `{lexeme}`"), None)),
    }
}
