//! Diagnostics: problems found in a scenario file, located by byte span and rendered the
//! way rustc does, with `file:line:col`, the source line and a caret under the spot.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A byte range in the scenario file's text.
pub type Span = Range<usize>;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The file cannot be run.
    Error,
    /// The file runs, but probably not as its author meant (reported by `rungs validate`).
    Warning,
}

/// One problem in a scenario file.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where in the file (bytes). An empty span points between two characters.
    pub span: Span,
    /// What is wrong, in plain words.
    pub message: String,
    /// What to do about it ("did you mean `probability`?"), if anything helps.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            span,
            message: message.into(),
            hint: None,
        }
    }

    /// A warning at `span`.
    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            span,
            message: message.into(),
            hint: None,
        }
    }

    /// The same diagnostic with a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// All diagnostics of one file, with the file's name and text so they can be rendered.
#[derive(Clone, Debug)]
pub struct Diagnostics {
    /// The file name as the user gave it.
    pub file: String,
    /// The file's text (lossily decoded if it was not UTF-8).
    pub source: String,
    /// The problems, in the order they were found.
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// No diagnostics yet for `file`.
    pub fn new(file: impl Into<String>, source: impl Into<String>) -> Self {
        Diagnostics {
            file: file.into(),
            source: source.into(),
            items: Vec::new(),
        }
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }
}

/// A scenario file's name and text, shared by the expressions compiled from it, so that an
/// error found while running can still point into the file.
#[derive(Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The file name as the user gave it.
    pub name: String,
    /// The file's text.
    pub text: String,
}

impl fmt::Debug for SourceFile {
    /// The name only: the text can be megabytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SourceFile({:?})", self.name)
    }
}

impl SourceFile {
    /// A shared source file.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            name: name.into(),
            text: text.into(),
        })
    }

    /// The lines that show `span` rustc style: `--> file:line:col`, the source line and a
    /// caret under the span (each line ends in a newline).
    pub fn snippet(&self, span: &Span) -> String {
        struct Snippet<'a>(&'a SourceFile, &'a Span);
        impl fmt::Display for Snippet<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                render_snippet(f, &self.0.name, &self.0.text, None, self.1).map(|_| ())
            }
        }
        Snippet(self, span).to_string()
    }
}

/// 1-based line and column (in characters) of byte offset `at` in `source`.
pub fn line_col(source: &str, at: usize) -> (usize, usize) {
    let at = floor_char_boundary(source, at.min(source.len()));
    let before = &source[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = source[line_start..at].chars().count() + 1;
    (line, col)
}

/// Where each line of a source text starts, to find the line of many offsets without
/// scanning the text from its start for each (a file with 200,000 warnings would take
/// minutes to render).
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// The line starts of `source`.
    pub fn new(source: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            source
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// 1-based line of byte offset `at`.
    pub fn line(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s <= at)
    }

    /// 1-based line and column (in characters) of byte offset `at` in `source` (the text
    /// this index was built from), as [`line_col`].
    pub fn line_col(&self, source: &str, at: usize) -> (usize, usize) {
        let at = floor_char_boundary(source, at.min(source.len()));
        let line = self.line(at);
        let line_start = self.starts[line - 1];
        (line, source[line_start..at].chars().count() + 1)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Edit (Levenshtein) distance between two strings, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate closest to `name` by edit distance, if close enough to be a typo: at most
/// 2 edits (more for long names, a quarter of their length), and fewer edits than the
/// candidate has characters, so that `x` is not "corrected" to an unrelated `id`. Ties go
/// to the first candidate in the list. This is the one "did you mean" of rungs: loader,
/// expressions and command line all use it.
pub fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(name, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.chars().count() / 4) && *d < c.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

impl fmt::Display for Diagnostics {
    /// Renders every diagnostic, rustc style:
    ///
    /// ```text
    /// error: unknown key `probabilty` in step `dprk_combat`
    ///   --> scenarios/x.toml:12:1
    ///    |
    /// 12 | probabilty = 0.9
    ///    | ^^^^^^^^^^
    ///    = hint: did you mean `probability`?
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines = LineIndex::new(&self.source);
        for (i, d) in self.items.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            render_one(f, &self.file, &self.source, &lines, d)?;
        }
        Ok(())
    }
}

/// Whether `c` would act on a terminal rather than show: a control character (ESC, BEL, CR,
/// NUL, ...) or a bidirectional override, embedding, isolate or mark (U+202A..U+202E,
/// U+2066..U+2069, U+200E, U+200F, U+061C), which can make text read differently from what
/// it is. Text from a scenario file is shown with these replaced or escaped.
pub fn hides_text(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// The most characters of a source line a diagnostic shows: a 16 MB line is shown as a
/// window around the spot, not whole.
const EXCERPT_CHARS: usize = 120;

/// The part of `text` a diagnostic shows, and the column of the caret in it, for a spot at
/// character `at`. Lines longer than [`EXCERPT_CHARS`] are
/// cut to a window around the spot, with `…` where text was left out. Tabs become spaces
/// and control or bidirectional-override characters `�`, one character each, so that the
/// caret stays under the spot and the terminal shows what the file says.
fn excerpt(text: &str, at: usize) -> (String, usize) {
    let len = text.chars().count();
    let (from, to) = if len <= EXCERPT_CHARS {
        (0, len)
    } else {
        let from = at
            .saturating_sub(EXCERPT_CHARS / 3)
            .min(len - EXCERPT_CHARS);
        (from, from + EXCERPT_CHARS)
    };
    let mut shown = String::new();
    if from > 0 {
        shown.push('…');
    }
    for c in text.chars().skip(from).take(to - from) {
        shown.push(match c {
            '\t' => ' ',
            c if hides_text(c) => '\u{FFFD}',
            c => c,
        });
    }
    if to < len {
        shown.push('…');
    }
    (shown, at - from + usize::from(from > 0))
}

fn render_one(
    f: &mut fmt::Formatter<'_>,
    file: &str,
    source: &str,
    lines: &LineIndex,
    d: &Diagnostic,
) -> fmt::Result {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    writeln!(f, "{kind}: {}", d.message)?;
    let pad = render_snippet(f, file, source, Some(lines), &d.span)?;
    if let Some(hint) = &d.hint {
        writeln!(f, "{pad} = hint: {hint}")?;
    }
    Ok(())
}

/// Writes `--> file:line:col`, the source line and the caret under `span`; returns the
/// gutter's padding, for lines that follow.
fn render_snippet(
    f: &mut fmt::Formatter<'_>,
    file: &str,
    source: &str,
    lines: Option<&LineIndex>,
    span: &Span,
) -> Result<String, fmt::Error> {
    let start = floor_char_boundary(source, span.start.min(source.len()));
    // A diagnostics list brings its line index (many diagnostics, one scan of the file).
    let (line, col) = lines.map_or_else(|| line_col(source, start), |l| l.line_col(source, start));
    writeln!(f, "  --> {file}:{line}:{col}")?;
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[start..]
        .find('\n')
        .map_or(source.len(), |i| start + i);
    let text = source[line_start..line_end].trim_end_matches('\r');
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    writeln!(f, "{pad} |")?;
    let end = floor_char_boundary(source, span.end.clamp(start, line_end.max(start)));
    let width = source[start..end].chars().count().max(1);
    let (shown, caret) = excerpt(text, col - 1);
    writeln!(f, "{line} | {shown}")?;
    writeln!(
        f,
        "{pad} | {}{}",
        " ".repeat(caret),
        "^".repeat(width.min(EXCERPT_CHARS))
    )?;
    Ok(pad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_caret_under_span() {
        let src = "a = 1\nprobabilty = 0.9\n";
        let mut ds = Diagnostics::new("x.toml", src);
        ds.push(
            Diagnostic::error(6..16, "unknown key `probabilty`")
                .with_hint("did you mean `probability`?"),
        );
        let out = ds.to_string();
        assert!(out.contains("--> x.toml:2:1"), "{out}");
        assert!(
            out.contains("2 | probabilty = 0.9\n  | ^^^^^^^^^^\n"),
            "{out}"
        );
        assert!(out.contains("= hint: did you mean `probability`?"), "{out}");
    }

    #[test]
    fn a_source_file_shows_a_span_without_a_message() {
        let file = SourceFile::new("x.toml", "a = 1\nprobability = \"p * 2\"\n");
        assert_eq!(
            file.snippet(&(21..26)),
            "  --> x.toml:2:16\n  |\n2 | probability = \"p * 2\"\n  |                ^^^^^\n"
        );
        assert_eq!(format!("{file:?}"), "SourceFile(\"x.toml\")");
    }

    #[test]
    fn closest_finds_typos_only() {
        let keys = ["probability", "delay", "hazard", "id"];
        assert_eq!(closest("probabilty", &keys), Some("probability"));
        assert_eq!(closest("dealy", &keys), Some("delay"));
        assert_eq!(closest("x", &keys), None);
        assert_eq!(closest("colour", &keys), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn line_col_counts_characters() {
        // `é` is two bytes: byte 2 is the space (column 2), byte 3 the `=` (column 3).
        assert_eq!(line_col("é = 1\nx", 2), (1, 2));
        assert_eq!(line_col("é = 1\nx", 3), (1, 3));
        assert_eq!(line_col("a\nbc", 3), (2, 2));
        assert_eq!(line_col("", 10), (1, 1));
        for src in ["é = 1\nx", "a\nbc", "", "\n\nab\n", "x\r\ny"] {
            let index = LineIndex::new(src);
            for at in 0..=src.len() + 2 {
                assert_eq!(index.line_col(src, at), line_col(src, at), "{src:?} {at}");
            }
        }
    }
}
