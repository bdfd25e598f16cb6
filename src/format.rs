//! The one number formatter for everything a reader sees as text: prose
//! (`{quantity}` placeholders in sections, captions and errata), table
//! cells, erratum evidence, numbers in legends, titles and warnings.
//!
//! One set of rules everywhere: a typographic minus (U+2212, as in the
//! figures' tick labels), never a sign on a number that rounds to zero,
//! and ∞, −∞ and NaN spelled out.
//!
//! ```
//! use losslab::format::{format_evidence, format_number, Decimals};
//! assert_eq!(format_number(-1.5, Decimals::Exactly(2)), "−1.50");
//! assert_eq!(format_number(0.583_333, Decimals::AtMost(3)), "0.583");
//! assert_eq!(format_number(-0.000_1, Decimals::AtMost(3)), "0");
//! assert_eq!(format_number(f64::NEG_INFINITY, Decimals::PROSE), "−∞");
//! assert_eq!(format_evidence(-0.000_012_3), "−1.23e−5");
//! ```

/// How many decimals a number is shown with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decimals {
    /// Exactly this many (tables, `{name:N}` placeholders).
    Exactly(usize),
    /// Up to this many, trailing zeros trimmed (`0.75`, `10`).
    AtMost(usize),
}

impl Decimals {
    /// Prose without a stated precision: up to 3 decimals.
    pub const PROSE: Decimals = Decimals::AtMost(3);
}

/// Decimals for evidence numbers, which carry no precision of their own.
const EVIDENCE_DECIMALS: usize = 3;

/// `value` with its decimals, a typographic minus, no sign on zero, and
/// ∞ / −∞ / NaN spelled out.
pub fn format_number(value: f64, decimals: Decimals) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "∞" } else { "−∞" }.into();
    }
    let text = match decimals {
        Decimals::Exactly(d) => format!("{value:.d$}"),
        Decimals::AtMost(d) => {
            let text = format!("{value:.d$}");
            if text.contains('.') {
                text.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                text
            }
        }
    };
    typographic_minus(text)
}

/// Evidence numbers: up to 3 decimals with trailing zeros trimmed (2.21,
/// not 2.210); scientific notation where that would hide a small value.
pub fn format_evidence(value: f64) -> String {
    if value != 0.0
        && value.is_finite()
        && value.abs() < 0.5 * 10f64.powi(-(EVIDENCE_DECIMALS as i32))
    {
        return format!("{value:.2e}").replace('-', "−");
    }
    format_number(value, Decimals::AtMost(EVIDENCE_DECIMALS))
}

/// `-1.5` → `−1.5`; `-0.000` (a small negative rounded away) → `0.000`.
fn typographic_minus(text: String) -> String {
    match text.strip_prefix('-') {
        Some(digits) if digits.chars().all(|c| c == '0' || c == '.') => digits.to_string(),
        Some(digits) => format!("−{digits}"),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_decimals() {
        assert_eq!(format_number(0.272_4, Decimals::Exactly(3)), "0.272");
        assert_eq!(format_number(-1.5, Decimals::Exactly(2)), "−1.50");
        assert_eq!(format_number(-0.000_1, Decimals::Exactly(3)), "0.000");
        assert_eq!(format_number(2.0, Decimals::Exactly(0)), "2");
        assert_eq!(format_number(2.8317, Decimals::Exactly(3)), "2.832");
    }

    #[test]
    fn prose_trims_zeros() {
        assert_eq!(format_number(0.75, Decimals::PROSE), "0.75");
        assert_eq!(format_number(0.583333, Decimals::PROSE), "0.583");
        assert_eq!(format_number(10.0, Decimals::PROSE), "10");
        assert_eq!(format_number(-0.25, Decimals::PROSE), "−0.25");
        assert_eq!(format_number(-0.0001, Decimals::PROSE), "0");
    }

    #[test]
    fn non_finite_values_are_spelled_out() {
        for decimals in [Decimals::Exactly(3), Decimals::PROSE] {
            assert_eq!(format_number(f64::INFINITY, decimals), "∞");
            assert_eq!(format_number(f64::NEG_INFINITY, decimals), "−∞");
            assert_eq!(format_number(f64::NAN, decimals), "NaN");
        }
    }

    #[test]
    fn evidence_trims_zeros_and_keeps_small_values() {
        assert_eq!(format_evidence(2.21), "2.21");
        assert_eq!(format_evidence(2.832_4), "2.832");
        assert_eq!(format_evidence(10.0), "10");
        assert_eq!(format_evidence(0.0), "0");
        assert_eq!(format_evidence(-0.000_012_3), "−1.23e−5");
        assert_eq!(format_evidence(f64::NAN), "NaN");
    }
}
