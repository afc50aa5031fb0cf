//! Probabilities said in the words of ICD 203 (US Intelligence Community Directive 203,
//! *Analytic Standards*, 2015): the `words` column of steps.csv, outcomes.csv and
//! conditional.csv, and the words of the printed summary.
//!
//! ICD 203's seven terms cover 1% to 99%. Two choices are rungs' (docs/outputs.md):
//! - **Boundaries** go to the term nearer even chance: 5% is "very unlikely", 20% "unlikely",
//!   45% and 55% "roughly even chance", 80% "likely", 95% "very likely". So the scale is
//!   symmetric (p and 1 - p get mirrored terms) and never says more certainty than the
//!   range gives.
//! - **Below 1% and above 99%** get the end terms ("almost no chance", "almost certain"):
//!   ICD 203 has no stronger term, and an estimate of 0 from finitely many runs means "in
//!   none of them", not "impossible".

/// The seven ICD 203 terms with their ranges `(term, low, high)`, least likely first.
pub const TERMS: [(&str, f64, f64); 7] = [
    ("almost no chance", 0.01, 0.05),
    ("very unlikely", 0.05, 0.20),
    ("unlikely", 0.20, 0.45),
    ("roughly even chance", 0.45, 0.55),
    ("likely", 0.55, 0.80),
    ("very likely", 0.80, 0.95),
    ("almost certain", 0.95, 0.99),
];

/// The ICD 203 term of probability `p` (see the module documentation for boundaries and the
/// ends); empty for NaN, which has none.
pub fn term_for(p: f64) -> &'static str {
    if p.is_nan() {
        return "";
    }
    // Below even chance a boundary belongs to the range above it, above even chance to
    // the range below it: each boundary goes to the term nearer 50%.
    let i = if p < 0.5 {
        TERMS.iter().rposition(|t| p >= t.1).unwrap_or(0)
    } else {
        TERMS
            .iter()
            .position(|t| p <= t.2)
            .unwrap_or(TERMS.len() - 1)
    };
    TERMS[i].0
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
            let a = TERMS.iter().position(|t| t.0 == term_for(p)).unwrap();
            let b = TERMS.iter().position(|t| t.0 == term_for(1.0 - p)).unwrap();
            assert_eq!(a + b, TERMS.len() - 1, "p = {p}");
        }
    }
}
