//! Axis ticks at round numbers and their labels.

use super::series::Range;

/// Step mantissas: steps are 1, 2 or 5 times a power of ten (2.5 would give
/// labels like 7.5 next to 5.0, with a decimal the integers do not need).
const MANTISSAS: [f64; 4] = [1.0, 2.0, 5.0, 10.0];

/// Tick positions: round numbers inside `range`, at most about `max_count`
/// of them (never fewer than two steps are asked for).
pub fn nice_ticks(range: Range, max_count: usize) -> Vec<f64> {
    let step = nice_step(range, max_count);
    let first = (range.0 / step - 1e-9).ceil();
    let last = (range.1 / step + 1e-9).floor();
    if !(first.is_finite() && last.is_finite()) || last < first {
        return Vec::new();
    }
    // Positions as integer multiples of the step, so no error accumulates;
    // values within rounding of zero are zero (no "−0.0" or "1e-17" labels).
    (0..=((last - first) as usize).min(1000))
        .map(|i| (first + i as f64) * step)
        .map(|v| if v.abs() < step * 1e-9 { 0.0 } else { v })
        .collect()
}

/// The step [`nice_ticks`] uses.
pub fn nice_step(range: Range, max_count: usize) -> f64 {
    let raw = (range.1 - range.0) / max_count.max(2) as f64;
    let power = 10f64.powf(raw.log10().floor());
    MANTISSAS
        .iter()
        .map(|m| m * power)
        .find(|step| *step >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * power)
}

/// Labels for `ticks` spaced `step` apart: as many decimals as the step
/// needs, powers of ten (`5×10⁻⁶`) when every tick is tiny or some tick is
/// huge, and a true minus sign (U+2212), which is as wide as a digit.
pub fn tick_labels(ticks: &[f64], step: f64) -> Vec<String> {
    let largest = ticks.iter().fold(0.0_f64, |m, t| m.max(t.abs()));
    let scientific = !(1e-3..1e6).contains(&largest);
    ticks
        .iter()
        .map(|&value| {
            let text = if value == 0.0 {
                "0".to_string()
            } else if scientific {
                power_of_ten(value)
            } else {
                let decimals = significant_decimals(step);
                format!("{value:.decimals$}")
            };
            match text.strip_prefix('-') {
                Some(magnitude) => format!("\u{2212}{magnitude}"),
                None => text,
            }
        })
        .collect()
}

/// `value` as mantissa × 10 to a superscript exponent; a mantissa of 1 is
/// left out (`10⁻⁵`).
pub fn power_of_ten(value: f64) -> String {
    let mut exponent = value.abs().log10().floor() as i32;
    // Ticks are round numbers, so the mantissa needs only its own digits.
    let decimals = significant_decimals((value / 10f64.powi(exponent)).abs()).min(6);
    let mut mantissa = format!("{:.decimals$}", value / 10f64.powi(exponent));
    // Rounding can carry the mantissa up to 10 (9.99… → "10.0").
    if mantissa.trim_start_matches('-').starts_with("10") {
        exponent += 1;
        mantissa = format!("{:.decimals$}", value / 10f64.powi(exponent));
    }
    const SUPERSCRIPT: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let power: String = exponent
        .to_string()
        .chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => SUPERSCRIPT[d as usize],
            None => '⁻',
        })
        .collect();
    match mantissa.as_str() {
        "1" => format!("10{power}"),
        "-1" => format!("-10{power}"),
        _ => format!("{mantissa}×10{power}"),
    }
}

/// Decimals needed to write multiples of `step` exactly (for nice steps).
fn significant_decimals(step: f64) -> usize {
    (0..10)
        .find(|&d| {
            let scaled = step * 10f64.powi(d);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(10) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside() {
        assert_eq!(
            nice_ticks((0.0, 1.0), 5),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        let ticks = nice_ticks((-1.0, 1.0), 8);
        assert_eq!(ticks.first(), Some(&-1.0));
        assert_eq!(ticks.last(), Some(&1.0));
        assert!(ticks.contains(&0.0));
        let ticks = nice_ticks((-5.0, 10.0), 6);
        assert!(ticks.iter().all(|t| (-5.0..=10.0).contains(t)));
        assert!(ticks.len() <= 7 && ticks.len() >= 3);
    }

    #[test]
    fn labels_have_the_decimals_the_step_needs() {
        let ticks = nice_ticks((-0.5, 1.0), 10);
        let step = nice_step((-0.5, 1.0), 10);
        assert_eq!(
            tick_labels(&ticks, step),
            [
                "\u{2212}0.4",
                "\u{2212}0.2",
                "0",
                "0.2",
                "0.4",
                "0.6",
                "0.8",
                "1.0"
            ]
        );
        assert_eq!(
            tick_labels(&[-0.25, 0.0, 0.25], 0.25),
            ["\u{2212}0.25", "0", "0.25"]
        );
        assert_eq!(
            tick_labels(&[0.0, 0.2, 0.6000000000000001], 0.2),
            ["0", "0.2", "0.6"]
        );
        assert_eq!(tick_labels(&[1.0, 2.0, 3.0], 1.0), ["1", "2", "3"]);
        assert_eq!(
            tick_labels(&[-1e-5, 0.0, 1e-5, 2e-5], 1e-5),
            ["\u{2212}10⁻⁵", "0", "10⁻⁵", "2×10⁻⁵"]
        );
        assert_eq!(
            tick_labels(&[5e5, 1e6, 1.5e6], 5e5),
            ["5×10⁵", "10⁶", "1.5×10⁶"]
        );
        assert_eq!(tick_labels(&[-3e9, 1e9], 1e9), ["\u{2212}3×10⁹", "10⁹"]);
        assert_eq!(tick_labels(&[9.999e6], 1e3), ["9.999×10⁶"]);
    }
}
