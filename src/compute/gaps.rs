//! Gaps in curves: where a loss is not defined on a figure's grid, and how
//! that is said in a warning or an error.

use crate::format::{format_number, Decimals};
use crate::loss::{DomainError, LossError};

/// Why a pair is outside a loss's domain: the argument and the rule
/// (`prediction: probabilities must be in [0, 1]`).
pub fn outside(error: &DomainError) -> String {
    format!("{}: {}", error.argument, error.reason)
}

/// Why data is outside a loss's domain: the argument and the rule of a
/// domain error, or the core's whole message for anything else.
pub fn domain_reason(error: &LossError) -> String {
    match error {
        LossError::Domain(e) => outside(e),
        other => other.to_string(),
    }
}

/// The x values of a curve where it has no value, as text: `from 1.05 to 1.5`
/// per run of consecutive missing grid points, joined by `and`.
pub fn missing_ranges(xs: &[f64], missing: &[bool]) -> String {
    let mut runs: Vec<(f64, f64)> = Vec::new();
    let mut open: Option<f64> = None;
    for (i, (&x, &gone)) in xs.iter().zip(missing).enumerate() {
        match (gone, open) {
            (true, None) => open = Some(x),
            (false, Some(start)) => {
                runs.push((start, xs[i - 1]));
                open = None;
            }
            _ => {}
        }
    }
    if let (Some(start), Some(&last)) = (open, xs.last()) {
        runs.push((start, last));
    }
    runs.iter()
        .map(|&(a, b)| {
            if a == b {
                format!("at {}", format_number(a, Decimals::PROSE))
            } else {
                format!(
                    "from {} to {}",
                    format_number(a, Decimals::PROSE),
                    format_number(b, Decimals::PROSE)
                )
            }
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Points of one curve with non-finite gaps where the loss is not defined:
/// an error if it is defined nowhere, a warning if only somewhere.
pub fn checked_curve(
    label: &str,
    xs: &[f64],
    evaluated: Vec<Result<(f64, f64), String>>,
    warnings: &mut Vec<String>,
) -> Result<Vec<(f64, f64, f64)>, String> {
    let missing: Vec<bool> = evaluated.iter().map(Result::is_err).collect();
    let reason = evaluated
        .iter()
        .find_map(|r| r.as_ref().err())
        .cloned()
        .unwrap_or_default();
    if let (Some(&first), Some(&last)) = (xs.first(), xs.last()) {
        if missing.iter().all(|&m| m) {
            return Err(format!(
                "cannot be drawn: {label} is not defined anywhere on x from {} to {} ({reason})",
                format_number(first, Decimals::PROSE),
                format_number(last, Decimals::PROSE)
            ));
        }
    }
    if missing.iter().any(|&m| m) {
        warnings.push(format!(
            "{label} is not defined on x {}, which is not drawn ({reason})",
            missing_ranges(xs, &missing)
        ));
    }
    Ok(xs
        .iter()
        .zip(evaluated)
        .map(|(&x, r)| {
            let (v, d) = r.unwrap_or((f64::NAN, f64::NAN));
            (x, v, d)
        })
        .collect())
}
