//! The page around the charts: one HTML file with its style inline.

use std::fmt::Write;

use super::svg::esc;

/// The style: system fonts only, print-friendly, no external anything.
const CSS: &str = "
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif;
  color: #1a1a1a; background: #fff; margin: 0; line-height: 1.45; }
main { max-width: 880px; margin: 0 auto; padding: 24px 20px 60px; }
header h1 { font-size: 1.7em; margin: 0 0 .2em; }
header .kind { color: #555; font-size: .95em; text-transform: uppercase; letter-spacing: .06em; }
header .desc { white-space: pre-line; margin: .6em 0; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; font-size: .92em;
  margin: .8em 0 0; }
dl.meta dt { color: #555; } dl.meta dd { margin: 0; overflow-wrap: anywhere; }
nav { margin: 1.2em 0; padding: .6em .9em; background: #f4f6f8; border-radius: 6px; font-size: .93em; }
nav a { color: #0a4f86; margin-right: 1.1em; white-space: nowrap; }
section { margin: 2.2em 0 0; page-break-inside: avoid; }
h2 { font-size: 1.25em; margin: 0 0 .5em; border-bottom: 1px solid #e3e3e3; padding-bottom: .2em; }
h3 { font-size: 1.02em; margin: 1.2em 0 .3em; }
svg.chart { display: block; max-width: 100%; height: auto; margin: .4em 0; }
p.how { color: #333; font-size: .92em; background: #fbf8ef; border-left: 3px solid #E69F00;
  padding: .35em .7em; margin: .4em 0 0; }
p.how b { color: #000; }
p.note { color: #555; font-size: .9em; }
table { border-collapse: collapse; font-size: .88em; margin: .6em 0; width: 100%; }
th, td { border-bottom: 1px solid #e6e6e6; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f4f6f8; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.path { font-size: .95em; }
code { font-size: .95em; background: #f4f4f4; padding: 0 3px; border-radius: 3px; }
footer { margin-top: 3em; color: #666; font-size: .85em; border-top: 1px solid #e3e3e3; padding-top: .6em; }
@media print { nav { display: none; } main { max-width: none; } }
";

/// One section of the page: a heading, a body (charts, tables) and a "how to read this".
pub struct Section {
    /// Anchor id.
    pub id: String,
    /// Heading text (escaped when written).
    pub heading: String,
    /// Body HTML (already escaped).
    pub body: String,
    /// "How to read this" HTML (already escaped), empty for none.
    pub how: String,
}

/// The whole page.
pub struct Page {
    /// The `<title>` and `<h1>`.
    pub title: String,
    /// The kind line above the title (`Run report`).
    pub kind: String,
    /// The scenario's description, if any.
    pub description: Option<String>,
    /// Key-value lines of the headline (escaped when written).
    pub meta: Vec<(String, String)>,
    /// The sections.
    pub sections: Vec<Section>,
    /// The footer line (escaped when written).
    pub footer: String,
}

impl Page {
    /// The HTML text.
    pub fn render(&self) -> String {
        let mut o = String::with_capacity(1 << 16);
        let _ = write!(
            o,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
             <meta name=\"generator\" content=\"rungs report\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<header>\n\
             <div class=\"kind\">{}</div>\n<h1>{}</h1>\n",
            esc(&self.title),
            esc(&self.kind),
            esc(&self.title)
        );
        if let Some(d) = &self.description {
            let _ = writeln!(o, "<p class=\"desc\">{}</p>", esc(d.trim()));
        }
        o.push_str("<dl class=\"meta\">\n");
        for (k, v) in &self.meta {
            let _ = writeln!(o, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
        }
        o.push_str("</dl>\n</header>\n<nav>");
        for s in &self.sections {
            let _ = write!(o, "<a href=\"#{}\">{}</a> ", esc(&s.id), esc(&s.heading));
        }
        o.push_str("</nav>\n");
        for s in &self.sections {
            let _ = write!(
                o,
                "<section id=\"{}\">\n<h2>{}</h2>\n{}\n",
                esc(&s.id),
                esc(&s.heading),
                s.body
            );
            if !s.how.is_empty() {
                let _ = writeln!(o, "<p class=\"how\"><b>How to read this:</b> {}</p>", s.how);
            }
            o.push_str("</section>\n");
        }
        let _ = write!(
            o,
            "<footer>{}</footer>\n</main>\n</body>\n</html>\n",
            esc(&self.footer)
        );
        o
    }
}

/// An HTML table: header cells and rows of (text, numeric) cells, all escaped.
pub fn table(header: &[(&str, bool)], rows: &[Vec<(String, bool)>]) -> String {
    let mut o = String::from("<table><thead><tr>");
    for (h, n) in header {
        let _ = write!(
            o,
            "<th{}>{}</th>",
            if *n { " class=\"n\"" } else { "" },
            esc(h)
        );
    }
    o.push_str("</tr></thead><tbody>");
    for r in rows {
        o.push_str("<tr>");
        for (c, n) in r {
            let _ = write!(
                o,
                "<td{}>{}</td>",
                if *n { " class=\"n\"" } else { "" },
                esc(c)
            );
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table>");
    o
}
