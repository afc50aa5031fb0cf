//! Words of estimative probability: the seven terms of US Intelligence Community Directive
//! 203 (ICD 203, "Analytic Standards", 2015) with their ranges, the one table rungs knows
//! them from.
//!
//! A scenario may write a term where it writes a probability (`probability = "likely"`, a
//! branch's probability, a parameter `p_x = "very unlikely"`). A term is an uncertain
//! probability: each run draws it uniformly across the term's range (ICD 203 gives a range
//! and nothing more, and the uniform assumes nothing more; the ranges tile 1% to 99%, so a
//! drawn value always reads back as its own term with [`term_for`]).

use crate::diag::edit_distance;
use crate::dist::{DistKind, Distribution};
use crate::expr::Expr;

/// One ICD 203 term and its range of probabilities.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Term {
    /// The term, lowercase, as ICD 203 writes it.
    pub name: &'static str,
    /// The low end of its range.
    pub low: f64,
    /// The high end.
    pub high: f64,
}

impl Term {
    /// The distribution a run draws the term's probability from: uniform over its range.
    pub fn distribution(&self) -> Option<Distribution> {
        let args = vec![Expr::constant(self.low), Expr::constant(self.high)];
        Distribution::new(DistKind::Uniform, 0, args).ok()
    }

    /// "likely (ICD 203: 55% to 80%)", for descriptions.
    pub fn describe(&self) -> String {
        format!(
            "{} (ICD 203: {}% to {}%)",
            self.name,
            (self.low * 100.0).round(),
            (self.high * 100.0).round()
        )
    }
}

/// The seven terms, from the least likely to the most.
pub const TERMS: [Term; 7] = [
    Term {
        name: "almost no chance",
        low: 0.01,
        high: 0.05,
    },
    Term {
        name: "very unlikely",
        low: 0.05,
        high: 0.20,
    },
    Term {
        name: "unlikely",
        low: 0.20,
        high: 0.45,
    },
    Term {
        name: "roughly even chance",
        low: 0.45,
        high: 0.55,
    },
    Term {
        name: "likely",
        low: 0.55,
        high: 0.80,
    },
    Term {
        name: "very likely",
        low: 0.80,
        high: 0.95,
    },
    Term {
        name: "almost certain",
        low: 0.95,
        high: 0.99,
    },
];

/// The term of a probability: the one whose range holds `p`. A boundary (5%, 20%, ...)
/// belongs to the term nearer to even chance (0.2 is "unlikely", 0.8 "likely"): the words
/// never claim more certainty than the number. Below 1% is "almost no chance", above 99%
/// "almost certain" (the scale's ends): ICD 203 has no stronger term, and an estimate of 0
/// from finitely many runs means "in none of them", not "impossible". NaN has no term (""):
/// the `words` column of an empty row stays empty.
pub fn term_for(p: f64) -> &'static str {
    if p.is_nan() {
        return "";
    }
    let found = if p < 0.5 {
        TERMS.iter().find(|t| p < t.high)
    } else {
        TERMS.iter().rev().find(|t| p > t.low)
    };
    found.map_or(TERMS[3].name, |t| t.name)
}

/// The term written as `text` (case and runs of blanks ignored: "Very  Likely"), if it is
/// one of the seven.
pub fn lookup(text: &str) -> Option<&'static Term> {
    let norm = normalize(text);
    TERMS.iter().find(|t| t.name == norm)
}

/// The term nearest to `text` by edit distance (ties to the first, the least likely).
pub fn nearest(text: &str) -> &'static str {
    let norm = normalize(text);
    TERMS
        .iter()
        .min_by_key(|t| edit_distance(&norm, t.name))
        .map_or(TERMS[0].name, |t| t.name)
}

/// Whether `text` looks like an attempt at a term rather than an expression: only letters,
/// blanks and hyphens, and either two words or more, or within a few edits of a term.
pub fn looks_like_a_term(text: &str) -> bool {
    let norm = normalize(text);
    if norm.is_empty()
        || !norm
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '-')
    {
        return false;
    }
    norm.contains(' ') || edit_distance(&norm, nearest(&norm)) <= 2.max(norm.len() / 4)
}

/// The seven terms, quoted and joined for messages.
pub fn list() -> String {
    let names: Vec<String> = TERMS.iter().map(|t| format!("\"{}\"", t.name)).collect();
    names.join(", ")
}

fn normalize(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_ranges_boundaries_and_ends() {
        let cases = [
            (0.0, "almost no chance"),
            (0.004, "almost no chance"),
            (0.03, "almost no chance"),
            (0.05, "very unlikely"),
            (0.19, "very unlikely"),
            (0.2, "unlikely"),
            (0.45, "roughly even chance"),
            (0.5, "roughly even chance"),
            (0.55, "roughly even chance"),
            (0.56, "likely"),
            (0.8, "likely"),
            (0.81, "very likely"),
            (0.95, "very likely"),
            (0.951, "almost certain"),
            (0.999, "almost certain"),
            (1.0, "almost certain"),
        ];
        for (p, want) in cases {
            assert_eq!(term_for(p), want, "p = {p}");
        }
        assert_eq!(term_for(f64::NAN), "");
        // Symmetric: p and 1 - p get the mirrored terms (away from rounding at the edges).
        for k in 0..=100 {
            let p = k as f64 / 100.0 + 0.001;
            let a = TERMS.iter().position(|t| t.name == term_for(p)).unwrap();
            let b = TERMS
                .iter()
                .position(|t| t.name == term_for(1.0 - p))
                .unwrap();
            assert_eq!(a + b, TERMS.len() - 1, "p = {p}");
        }
    }

    #[test]
    fn the_ranges_tile_the_scale() {
        for w in TERMS.windows(2) {
            assert_eq!(w[0].high, w[1].low);
        }
        assert_eq!((TERMS[0].low, TERMS[6].high), (0.01, 0.99));
    }

    #[test]
    fn every_probability_has_its_term() {
        assert_eq!(term_for(0.0), "almost no chance");
        assert_eq!(term_for(0.03), "almost no chance");
        assert_eq!(term_for(0.05), "very unlikely");
        assert_eq!(term_for(0.2), "unlikely");
        assert_eq!(term_for(0.45), "roughly even chance");
        assert_eq!(term_for(0.5), "roughly even chance");
        assert_eq!(term_for(0.55), "roughly even chance");
        assert_eq!(term_for(0.7), "likely");
        assert_eq!(term_for(0.8), "likely");
        assert_eq!(term_for(0.9), "very likely");
        assert_eq!(term_for(0.95), "very likely");
        assert_eq!(term_for(0.999), "almost certain");
        assert_eq!(term_for(1.0), "almost certain");
        assert_eq!(term_for(f64::NAN), "");
        // Inside its range every term reads back as itself.
        for t in &TERMS {
            for k in 1..10 {
                let p = t.low + (t.high - t.low) * f64::from(k) / 10.0;
                assert_eq!(term_for(p), t.name, "{p}");
            }
        }
    }

    #[test]
    fn words_are_found_and_typos_suggested() {
        assert_eq!(lookup("Very  Likely").map(|t| t.low), Some(0.8));
        assert_eq!(lookup("likelyish"), None);
        assert_eq!(nearest("likley"), "likely");
        assert_eq!(nearest("almost certainly"), "almost certain");
        assert!(looks_like_a_term("highly likely"));
        assert!(looks_like_a_term("likley"));
        assert!(!looks_like_a_term("p_escalate"));
        assert!(!looks_like_a_term("pbase"));
        assert!(!looks_like_a_term("0.3 * x"));
    }
}
