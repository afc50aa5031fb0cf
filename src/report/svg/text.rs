//! Text for charts: escaping, cutting, and numbers and percentages for reading.

/// Text escaped for HTML and SVG (element content and attribute values alike). Characters
/// that XML forbids (control characters other than tab and newline) become U+FFFD.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || (0x7f..0xa0).contains(&(c as u32)) => out.push('\u{fffd}'),
            // Bidirectional overrides would reorder the text around the label.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `s` cut to at most `n` characters, with `…` when cut.
pub fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A probability as a percentage for reading: three significant digits at most, at most
/// three decimals (`23.9%`, `2.35%`, `0.054%`, `100%`, `0%`).
pub fn pct(p: f64) -> String {
    let v = p * 100.0;
    if v == 0.0 {
        return "0%".into();
    }
    let mag = v.abs().log10().floor() as i32;
    let decimals = (2 - mag).clamp(0, 3) as usize;
    let s = format!("{v:.decimals$}");
    if v.abs() < 1.0 {
        // Below 1%: at least two decimals, no trailing zero past them (0.50%, 0.054%).
        let t = s.trim_end_matches('0');
        let keep = t.find('.').map_or(t.len(), |d| (d + 3).max(t.len()));
        return format!("{}%", &s[..keep.min(s.len())]);
    }
    format!("{s}%")
}

/// A number for reading: three significant digits for small ones, whole numbers with
/// thousands separators for large ones (`0.0123`, `4.56`, `12.3`, `1,234`).
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if a >= 1000.0 {
        let r = v.round() as i64;
        let digits = r.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        return if r < 0 { format!("-{out}") } else { out };
    }
    let mag = a.log10().floor() as i32;
    let decimals = (2 - mag).clamp(0, 6) as usize;
    trim_zeros(&format!("{v:.decimals$}"))
}

pub(super) fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// The width in pixels of `s` at `size` px in a sans-serif font, roughly (for layout).
///
/// The advances are DejaVu Sans's (in em), the face Debian's and most Linux browsers fall back
/// to for `sans-serif`; the fonts of other systems are narrower, so labels laid out with these
/// widths fit there too. Digits are what chart labels are mostly made of: at 0.64 em they are
/// wider than a generic "average letter", and guessing them narrower once clipped the end of
/// an interval label (`+1.49]`) off a chart.
pub(super) fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| match c {
            '0'..='9' => 0.64,
            'i' | 'l' | 'j' | '\'' | '|' => 0.28,
            '.' | ',' | ':' | ';' | '!' | ' ' | '/' => 0.34,
            '(' | ')' | '[' | ']' | '-' | 't' | 'f' | 'r' => 0.40,
            '+' | '\u{2212}' | '=' | '<' | '>' | '\u{00b1}' | '\u{00d7}' | '\u{2192}'
            | '\u{2264}' | '\u{2265}' | '~' => 0.84,
            'm' | 'M' | 'W' | '%' => 0.96,
            'w' => 0.82,
            c if c.is_uppercase() => 0.72,
            _ => 0.62,
        })
        .sum::<f64>()
        * size
}
