//! TOML syntax errors as one diagnostic that points at the cause.
//!
//! toml's parser recovers after a mistake and reports what it stumbles on next, so one
//! missing `]` becomes a cascade of errors, the first of them on the line *after* the list
//! (where the next key or table starts). Only the first error is reported, and when it is
//! inside a list or inline table that opened on an earlier line and is never closed, the
//! diagnostic points at the opening `[` or `{` instead; the diagnosis is confirmed by parsing
//! the file again with the closing bracket put back.

use toml::de::DeTable;

use crate::diag::{Diagnostic, Span, line_col};

/// Lists and inline tables nested deeper than this are not looked into (toml refuses far
/// less anyway); it bounds the scanner's memory.
const MAX_DEPTH: usize = 1024;

/// The diagnostic for a file toml could not parse, given the errors toml reported (in the
/// order it found them). None if there are none.
pub(crate) fn first_error(src: &str, errors: &[toml::de::Error]) -> Option<Diagnostic> {
    let first = errors.first()?;
    let span = first.span().unwrap_or(0..0);
    if let Some(d) = unclosed(src, span.start) {
        return Some(d);
    }
    Some(toml_error(src, first, span))
}

/// A toml parse error as a diagnostic. toml's messages are terse ("invalid key"); a hint
/// covers the usual causes.
fn toml_error(src: &str, e: &toml::de::Error, span: Span) -> Diagnostic {
    let msg = e.message().trim().trim_end_matches('.');
    // "expected nothing" is toml's way of saying the value should have ended earlier.
    let msg = msg.trim_end_matches(", expected nothing");
    let key = src
        .get(span.clone())
        .filter(|k| !k.is_empty() && k.len() <= 64 && !k.contains('\n'));
    let d = match key {
        Some(k) if msg == "duplicate key" => {
            Diagnostic::error(span, format!("this is not valid TOML: duplicate key `{k}`"))
        }
        _ => Diagnostic::error(span, format!("this is not valid TOML: {msg}")),
    };
    if msg.contains("duplicate key") {
        d.with_hint("each key may appear only once in a table")
    } else if msg.contains("string") {
        d.with_hint("strings are written in double quotes: \"...\"")
    } else {
        d
    }
}

/// A list or inline table open at byte `at`.
#[derive(Clone, Copy, Debug)]
struct Open {
    /// Where its `[` or `{` is.
    at: usize,
    /// `[` or `{`.
    bracket: u8,
    /// Where its last element ends (just after its last character that is not blank or a
    /// comment), and where that element starts (after the bracket or the last `,`).
    last_end: usize,
    last_start: usize,
}

/// If the parse error at `at` is inside a list or inline table opened on an earlier line
/// and closing it just before the line of `at` makes that line parse, the error "this list
/// is not closed" at the opening bracket.
fn unclosed(src: &str, at: usize) -> Option<Diagnostic> {
    let open = innermost_open(src, at)?;
    let (open_line, _) = line_col(src, open.at);
    let (err_line, _) = line_col(src, at);
    // toml reports a list left open at the end of the file at its last newline.
    let at_end = src.get(at..).is_some_and(|rest| rest.trim().is_empty());
    if err_line <= open_line && !at_end {
        return None;
    }
    let close = if open.bracket == b'[' { ']' } else { '}' };
    // Put the closing bracket back on a line of its own just before the error's line (or at
    // the end of the file): if toml now gets past that line, the missing bracket was the
    // mistake.
    let insert_at = if at_end {
        src.len()
    } else {
        src.get(..at)?.rfind('\n').map_or(0, |i| i + 1)
    };
    let mut fixed = String::with_capacity(src.len() + 3);
    fixed.push_str(&src[..insert_at]);
    if at_end {
        fixed.push('\n');
    }
    fixed.push(close);
    fixed.push('\n');
    fixed.push_str(&src[insert_at..]);
    let (_, errors) = DeTable::parse_recoverable(&fixed);
    if let Some(e) = errors.first() {
        let (line, _) = line_col(&fixed, e.span().map_or(0, |s| s.start));
        // The inserted line shifted the error's line down by one.
        if at_end || line <= err_line + 1 {
            return None;
        }
    }
    let (what, the) = if open.bracket == b'[' {
        ("list", "`[`")
    } else {
        ("inline table", "`{`")
    };
    let (end_line, _) = line_col(src, open.last_end);
    let last = src
        .get(open.last_start..open.last_end)
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.chars().count() <= 40 && !s.contains('\n'));
    let hint = match last {
        Some(last) => format!("add `{close}` after `{last}` on line {end_line}"),
        None => format!("add `{close}` at the end of the {what}, on line {end_line}"),
    };
    Some(
        Diagnostic::error(
            open.at..open.at + 1,
            format!("this {what} is not closed: the {the} here has no matching `{close}`"),
        )
        .with_hint(hint),
    )
}

/// The innermost list or inline table still open at byte `at`, found by a scan that knows
/// TOML's strings, comments and table headers. None if there is none (or nesting is deeper
/// than [`MAX_DEPTH`]).
fn innermost_open(src: &str, at: usize) -> Option<Open> {
    let b = src.as_bytes();
    let end = at.min(b.len());
    let mut stack: Vec<Open> = Vec::new();
    let mut i = 0;
    // Whether only blanks precede `i` on its line (a `[` there, outside any list, starts a
    // table header).
    let mut line_start = true;
    while i < end {
        let c = b[i];
        match c {
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => {
                // A comment runs to the end of the line.
                i = find_from(b, i, b"\n").unwrap_or(b.len());
                continue;
            }
            b'"' | b'\'' => {
                i = skip_string(b, i);
                if let Some(top) = stack.last_mut() {
                    top.last_end = i.min(end);
                }
                line_start = false;
                continue;
            }
            b'[' if stack.is_empty() && line_start => {
                // A table header: `[x]` or `[[x]]`, to the end of its line.
                i = find_from(b, i, b"\n").unwrap_or(b.len());
                continue;
            }
            b'[' | b'{' => {
                if stack.len() >= MAX_DEPTH {
                    return None;
                }
                if let Some(top) = stack.last_mut() {
                    top.last_end = i + 1;
                }
                stack.push(Open {
                    at: i,
                    bracket: c,
                    last_end: i + 1,
                    last_start: i + 1,
                });
            }
            b']' | b'}' => {
                stack.pop();
                if let Some(top) = stack.last_mut() {
                    top.last_end = i + 1;
                }
            }
            b',' => {
                if let Some(top) = stack.last_mut() {
                    top.last_start = i + 1;
                    top.last_end = i + 1;
                }
            }
            _ => {
                if let Some(top) = stack.last_mut() {
                    top.last_end = i + 1;
                }
            }
        }
        line_start = false;
        i += 1;
    }
    stack.pop()
}

/// The index of the first `pat` at or after `from`.
fn find_from(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|p| from + p)
}

/// The index just after the string that starts at `b[i]` (a quote); the end of the line
/// (or file) for a string that is not closed.
fn skip_string(b: &[u8], i: usize) -> usize {
    let q = b[i];
    let triple = [q, q, q];
    if b.get(i..i + 3) == Some(&triple[..]) {
        // A multi-line string: up to the closing triple quote (up to two more quotes may
        // follow it and belong to the string).
        let mut j = i + 3;
        loop {
            match b.get(j) {
                None => return b.len(),
                Some(b'\\') if q == b'"' => j += 2,
                Some(&c) if c == q && b.get(j..j + 3) == Some(&triple[..]) => {
                    let mut k = j + 3;
                    while k < j + 5 && b.get(k) == Some(&q) {
                        k += 1;
                    }
                    return k;
                }
                Some(_) => j += 1,
            }
        }
    }
    let mut j = i + 1;
    loop {
        match b.get(j) {
            None | Some(b'\n') => return j,
            Some(b'\\') if q == b'"' => j += 2,
            Some(&c) if c == q => return j + 1,
            Some(_) => j += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnose(src: &str) -> Diagnostic {
        let (_, errors) = DeTable::parse_recoverable(src);
        first_error(src, &errors).expect("an error")
    }

    #[test]
    fn a_missing_bracket_is_found_where_the_list_opens() {
        let src = "[[steps]]\nid = \"b\"\nafter = [\"a\", \"c\"\n\n[[steps]]\nid = \"c\"\n";
        let d = diagnose(src);
        assert_eq!(d.span, 27..28, "{d:?}");
        assert!(d.message.contains("list is not closed"), "{d:?}");
        assert_eq!(d.hint.as_deref(), Some("add `]` after `\"c\"` on line 3"));
        // Before another key, at the end of the file, with a comment, multi-line.
        for src in [
            "after = [\"a\", \"c\"\nprobability = 0.5\n",
            "after = [\"a\", \"c\"\n",
            "after = [\"a\", \"c\"  # deps ]\n# more\n[[steps]]\n",
            "after = [\n  \"a\",\n  \"b\"\nx = 1\n",
            "x = [[1, 2], [3, \"]\"]\ny = 1\n",
        ] {
            let d = diagnose(src);
            assert!(d.message.contains("list is not closed"), "{src}: {d:?}");
            assert_eq!(&src[d.span.clone()], "[", "{src}");
            assert!(d.span.start < src.find('\n').unwrap(), "{src}: {d:?}");
        }
    }

    #[test]
    fn a_missing_brace_is_found_where_the_table_opens() {
        let d = diagnose("[parameters]\nx = { dist = \"uniform\", min = 1\ny = 2\n");
        assert_eq!(d.span, 17..18);
        assert!(d.message.contains("inline table is not closed"), "{d:?}");
        assert_eq!(d.hint.as_deref(), Some("add `}` after `min = 1` on line 2"));
    }

    #[test]
    fn other_mistakes_keep_toml_s_message() {
        // A missing comma on one line, and inside a multi-line list, is not a missing `]`.
        for src in ["a = [\"a\" \"b\"]\n", "a = [\n  1,\n  2 3,\n]\n"] {
            let d = diagnose(src);
            assert!(
                d.message.starts_with("this is not valid TOML"),
                "{src}: {d:?}"
            );
            assert!(d.span.start > src.find('[').unwrap() + 1, "{src}: {d:?}");
        }
        let d = diagnose("name = \"x\nh = 1\n");
        assert!(d.message.contains("invalid basic string"), "{d:?}");
    }

    #[test]
    fn strings_are_skipped_whole() {
        assert_eq!(skip_string(b"\"a\\\"b\" x", 0), 6);
        assert_eq!(skip_string(b"'a\\' x", 0), 4);
        assert_eq!(skip_string(b"\"\"\"a\n\"b\"\"\"\" x", 0), 11);
        assert_eq!(skip_string(b"\"open\nx", 0), 5);
        assert_eq!(skip_string(b"'''open", 0), 7);
    }
}
