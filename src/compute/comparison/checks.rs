//! `[[checks]]` evaluated against a comparison's numbers.
//!
//! `below`: the paired bootstrap interval of mean(model) − mean(other), at
//! the check's confidence, lies wholly below 0 (the same resamples as the
//! report's intervals: the seed is the comparison's). `max`: the mean, or
//! with a confidence the interval's upper end, is at most `max`.

use serde::Serialize;

use crate::format::{format_number, Decimals};
use crate::loss::Params;
use crate::scenario::{Condition, ValidCheck, ValidComparison};
use crate::stats::{ComparisonStats, PairedLosses};

/// One check of one loss (a check of a sweep gives one per member).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    pub description: String,
    pub model: String,
    pub loss: String,
    pub params: Params,
    pub passed: bool,
    /// The difference (`below`) or the mean or upper interval end (`max`).
    pub value: f64,
    pub detail: String,
}

fn number(x: f64) -> String {
    super::prose::significant(x)
}

fn percent(confidence: f64) -> String {
    format_number(confidence * 100.0, Decimals::AtMost(2))
}

/// Statistics at every (baseline, confidence) the checks need, computed once each.
struct Restated<'a> {
    c: &'a ValidComparison,
    paired: &'a PairedLosses,
    done: Vec<((usize, u64), ComparisonStats)>,
}

impl Restated<'_> {
    fn get(&mut self, baseline: usize, confidence: f64) -> Result<&ComparisonStats, String> {
        let key = (baseline, confidence.to_bits());
        let found = self.done.iter().position(|(k, _)| *k == key);
        let index = match found {
            Some(i) => i,
            None => {
                let stats = super::restated(self.c, self.paired, baseline, confidence)?;
                self.done.push((key, stats));
                self.done.len() - 1
            }
        };
        Ok(&self.done[index].1)
    }
}

/// Evaluate `checks` (all of comparison `c`), given its main statistics.
pub(super) fn evaluate(
    c: &ValidComparison,
    checks: &[&ValidCheck],
    main: &ComparisonStats,
    paired: &PairedLosses,
) -> Result<Vec<CheckResult>, String> {
    let mut restated = Restated {
        c,
        paired,
        done: vec![((c.baseline, c.confidence.to_bits()), main.clone())],
    };
    let mut out = Vec::new();
    for check in checks {
        let model = &c.models[check.model].name;
        for &l in &check.losses {
            let member = &c.losses[l].member;
            let params = super::shown_params(&member.loss);
            let loss = member.loss.name().to_string();
            let result = match check.condition {
                Condition::Below { other, confidence } => {
                    let stats = restated.get(other, confidence)?;
                    let other_name = &c.models[other].name;
                    let row = stats
                        .differences
                        .iter()
                        .find(|d| {
                            &d.model == model && d.loss.loss == loss && d.loss.params == params
                        })
                        .ok_or_else(|| format!("{}: no difference computed", check.path))?;
                    CheckResult {
                        description: format!(
                            "{model} has a lower mean {} than {other_name} ({} % confidence)",
                            member.label,
                            percent(confidence)
                        ),
                        model: model.clone(),
                        loss: loss.clone(),
                        params,
                        passed: row.ci_high < 0.0,
                        value: row.value,
                        detail: format!(
                            "mean({model}) − mean({other_name}) = {}, {} % interval [{}, {}]",
                            number(row.value),
                            percent(confidence),
                            number(row.ci_low),
                            number(row.ci_high)
                        ),
                    }
                }
                Condition::Max { max, confidence } => {
                    let stats = restated.get(c.baseline, confidence.unwrap_or(c.confidence))?;
                    let row = stats
                        .results
                        .iter()
                        .find(|r| {
                            &r.model == model && r.loss.loss == loss && r.loss.params == params
                        })
                        .ok_or_else(|| format!("{}: no result computed", check.path))?;
                    let (value, description, detail) = match confidence {
                        None => (
                            row.value,
                            format!(
                                "mean {} of {model} is at most {}",
                                member.label,
                                number(max)
                            ),
                            format!("mean {}", number(row.value)),
                        ),
                        Some(level) => (
                            row.ci_high,
                            format!(
                                "mean {} of {model} is at most {} ({} % confidence)",
                                member.label,
                                number(max),
                                percent(level)
                            ),
                            format!(
                                "mean {}, {} % interval [{}, {}]",
                                number(row.value),
                                percent(level),
                                number(row.ci_low),
                                number(row.ci_high)
                            ),
                        ),
                    };
                    CheckResult {
                        description,
                        model: model.clone(),
                        loss: loss.clone(),
                        params,
                        passed: value <= max,
                        value,
                        detail,
                    }
                }
            };
            out.push(result);
        }
    }
    Ok(out)
}
