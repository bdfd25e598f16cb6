//! The sentences a comparison section opens with: which model wins under
//! which loss, with its mean and interval, where the order changes, and
//! which differences from the baseline are clear.
//!
//! Model names go into code spans (they are checked to hold no backtick),
//! so Markdown never reads them as emphasis.

use crate::format::{format_number, Decimals};
use crate::scenario::ValidComparison;
use crate::stats::{rows_with_different_order, ComparisonStats};

/// `x` with four significant digits (`0.04123`, `12.35`, `1235`), a
/// typographic minus, and ∞ spelled out.
pub(crate) fn significant(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format_number(x, Decimals::AtMost(0));
    }
    let magnitude = x.abs().log10().floor() as i64;
    if !(-4..=9).contains(&magnitude) {
        return format!("{x:.3e}").replace('-', "−");
    }
    let decimals = (3 - magnitude).clamp(0, 12) as usize;
    format_number(x, Decimals::Exactly(decimals))
}

fn percent(confidence: f64) -> String {
    format_number(confidence * 100.0, Decimals::AtMost(2))
}

/// The opening Markdown of the section: the author's text, then the summary.
pub(super) fn summary(c: &ValidComparison, stats: &ComparisonStats, left_out: usize) -> String {
    let level = percent(stats.confidence);
    let mut text = String::new();
    if !c.markdown.trim().is_empty() {
        text.push_str(c.markdown.trim_end());
        text.push_str("\n\n");
    }
    text.push_str(&format!(
        "{} rows, {} models, {} losses; {level} % paired bootstrap intervals ({} resamples, seed {}).",
        stats.n,
        stats.models.len(),
        c.losses.len(),
        stats.bootstrap,
        stats.seed
    ));
    if left_out > 0 {
        text.push_str(&format!(
            " {left_out} rows whose label is a loss's `ignore_index` are left out for every loss."
        ));
    }
    text.push_str("\n\n**Lowest mean loss under each loss:**\n\n");
    for (l, rank) in stats.ranks.iter().enumerate() {
        let best = &rank.order[0];
        let row = stats
            .results
            .iter()
            .skip(l * stats.models.len())
            .take(stats.models.len())
            .find(|r| &r.model == best);
        if let Some(row) = row {
            text.push_str(&format!(
                "- {}: `{best}`, {} ({level} % interval {} to {})\n",
                c.losses[l].member.label,
                significant(row.value),
                significant(row.ci_low),
                significant(row.ci_high)
            ));
        }
    }
    let changes = rows_with_different_order(&stats.ranks);
    let winners: Vec<&String> = {
        let mut w: Vec<&String> = stats.ranks.iter().map(|r| &r.order[0]).collect();
        w.sort();
        w.dedup();
        w
    };
    if winners.len() > 1 {
        text.push_str(&format!(
            "\n**The winner depends on the loss:** {} models are best under some loss.",
            winners.len()
        ));
    } else if stats.models.len() > 1 {
        text.push_str(&format!(
            "\n`{}` is best under every loss.",
            winners.first().map_or("", |w| w.as_str())
        ));
    }
    if !changes.is_empty() && stats.models.len() > 1 {
        text.push_str(&format!(
            " Under {} of the {} losses the order of the models differs from the most common \
             one (◆ in the rank table).",
            changes.len(),
            stats.ranks.len()
        ));
    }
    text.push('\n');
    let clear: Vec<String> = stats
        .differences
        .iter()
        .filter(|d| d.ci_high < 0.0 || d.ci_low > 0.0)
        .map(|d| {
            let p = d
                .p_value
                .map(|p| format!(", p = {}", format_number(p, Decimals::AtMost(4))))
                .unwrap_or_default();
            let loss = stats
                .ranks
                .iter()
                .position(|r| r.loss == d.loss)
                .map_or(d.loss.loss.clone(), |l| c.losses[l].member.label.clone());
            format!(
                "- {loss}: `{}` − `{}` = {} ({level} % interval {} to {}{p})\n",
                d.model,
                d.baseline,
                significant(d.value),
                significant(d.ci_low),
                significant(d.ci_high)
            )
        })
        .collect();
    if stats.models.len() > 1 {
        if clear.is_empty() {
            text.push_str(&format!(
                "\nNo difference from the baseline `{}` has a {level} % interval that excludes 0.\n",
                stats.baseline
            ));
        } else {
            text.push_str(&format!(
                "\n**Differences from the baseline `{}` whose {level} % interval excludes 0:**\n\n",
                stats.baseline
            ));
            for line in clear {
                text.push_str(&line);
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_significant_digits() {
        assert_eq!(significant(0.041234), "0.04123");
        assert_eq!(significant(12.3456), "12.35");
        assert_eq!(significant(-1234.6), "−1235");
        assert_eq!(significant(0.0), "0");
        assert_eq!(significant(f64::INFINITY), "∞");
        assert_eq!(significant(1.5e-7), "1.500e−7");
    }
}
