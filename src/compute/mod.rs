//! Compute stage: turns a [`ValidScenario`] into [`Results`] through the core.
//!
//! Every loss value and derivative comes from [`crate::loss`]; this stage only
//! lays out grids, solves for best constants, integrates densities and fills
//! placeholders. It cuts nothing: the plot stage receives every point and
//! finite axis ranges.

mod best_constant;
pub mod comparison;
mod contour;
mod curves;
mod datasets;
mod explore;
mod figures;
mod fit;
mod gaps;
mod model;
mod normal_kl;
mod panel;
mod quantities;
pub mod saturation;
mod separate;
pub mod stream;
mod text;
mod training;
mod training_figures;

pub use best_constant::best_constant;
pub use contour::level_lines;
pub use model::*;
pub use normal_kl::{normal_kl_analytic, normal_kl_numeric};
pub use quantities::QuantityResult;
pub use training::{predicted_class, MemberRecord, TrainingRecord};
pub use training_figures::{thin, MAX_CURVE_POINTS};

use rayon::prelude::*;
use serde::Serialize;

use crate::scenario::ValidScenario;

/// A computation the core refused (e.g. a target and prediction of different lengths).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: {at} {message}")]
pub struct ComputeError {
    pub file: String,
    /// The place and key path of the entry that failed.
    pub at: crate::scenario::Located,
    pub message: String,
}

/// The compute stage's output: the report's [`Results`] plus every named quantity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Computed {
    #[serde(flatten)]
    pub results: Results,
    /// Every `[[quantities]]` entry with its value, per-sample values and warnings.
    pub quantities: Vec<QuantityResult>,
    /// Every `[[trainings]]` entry with each member's history; absent from
    /// `results.json` when the scenario has none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trainings: Vec<TrainingRecord>,
    /// Every `[[comparisons]]` entry's numbers (absent when there is none,
    /// so reports without comparisons keep their bytes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub comparisons: Vec<comparison::ComparisonResult>,
    /// Every `[[checks]]` entry, passed or failed (absent when there is none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<comparison::CheckResult>,
}

impl Computed {
    /// The checks that failed.
    pub fn failed_checks(&self) -> Vec<&comparison::CheckResult> {
        self.checks.iter().filter(|c| !c.passed).collect()
    }
}

/// The core's warnings, one line per distinct set of warnings, prefixed by
/// every quantity that raised exactly that set (KL in nats and in bits warn
/// alike about the same rows: one line, not four).
fn grouped_warnings(quantities: &[QuantityResult]) -> Vec<String> {
    let mut grouped: Vec<(String, Vec<&str>)> = Vec::new();
    for q in quantities.iter().filter(|q| !q.warnings.is_empty()) {
        let text = q.warnings.join("; ");
        match grouped.iter_mut().find(|(t, _)| *t == text) {
            Some((_, labels)) => labels.push(&q.label),
            None => grouped.push((text, vec![&q.label])),
        }
    }
    grouped
        .into_iter()
        .map(|(text, labels)| format!("{}: {text}", labels.join("; ")))
        .collect()
}

/// Compute everything a scenario asks for.
pub fn compute(scenario: &ValidScenario) -> Result<Computed, ComputeError> {
    compute_with_progress(scenario, &|_| ())
}

/// [`compute`], calling `progress` as the comparisons' resampling advances.
pub fn compute_with_progress(
    scenario: &ValidScenario,
    progress: &dyn Fn(crate::stats::Progress),
) -> Result<Computed, ComputeError> {
    let error = |path: &str, message: String| ComputeError {
        file: scenario.file.clone(),
        at: scenario.locator.locate(path),
        message,
    };
    let trainings = training::run_all(&scenario.trainings).map_err(|(path, m)| error(&path, m))?;
    let trained = training_figures::Trained {
        trainings: &scenario.trainings,
        records: &trainings,
    };
    // Quantities and figures are independent of each other and among
    // themselves: computed on every core, collected in the scenario's order
    // (the first error in that order is the one reported), so the results do
    // not depend on the thread count.
    let (quantities, figures) = rayon::join(
        || {
            in_order(
                scenario
                    .quantities
                    .par_iter()
                    .map(|q| quantities::evaluate(q, trained).map_err(|m| error(&q.path, m))),
            )
        },
        || {
            in_order(scenario.figures.par_iter().enumerate().map(|(i, f)| {
                let mut raised = Vec::new();
                let at = |m| error(&format!("figures[{i}]"), m);
                let figure = figures::figure(f, trained, None, &mut raised).map_err(at)?;
                let warnings: Vec<String> = raised
                    .into_iter()
                    .map(|w| format!("figure \"{}\" (figures[{i}]): {w}", f.name))
                    .collect();
                let explorable = match f.explore {
                    true => Some(explore::frames(f, trained).map_err(at)?),
                    false => None,
                };
                Ok((figure, warnings, explorable))
            }))
        },
    );
    let quantities = quantities?;
    let mut figure_warnings = Vec::new();
    let mut explorables = Vec::new();
    let figures = figures?
        .into_iter()
        .map(|(figure, warnings, explorable)| {
            figure_warnings.extend(warnings);
            match explorable {
                // An explorable figure shows its first frame.
                Some(explorable) => {
                    let first = explorable.frames[0].clone();
                    explorables.push(explorable);
                    first
                }
                None => figure,
            }
        })
        .collect();
    let tables = scenario
        .tables
        .iter()
        .map(|t| text::table(t, &scenario.quantities, &quantities))
        .collect();
    let mut sections: Vec<Section> = scenario
        .sections
        .iter()
        .map(|s| text::section(s, &quantities))
        .collect();
    sections.extend(text::appendix(
        &scenario.figures,
        &scenario.tables,
        &sections,
    ));
    let errata: Vec<Erratum> = scenario
        .errata
        .iter()
        .filter_map(|e| text::erratum(e, &quantities))
        .collect();
    // A quantity's warnings are explained when an erratum that is shown
    // refers to it (it triggers the erratum or is part of its evidence): the
    // erratum quotes them, so the report's top box does not repeat them.
    let explained_names: Vec<&str> = scenario
        .errata
        .iter()
        .filter(|e| errata.iter().any(|shown| shown.id == e.id))
        .flat_map(|e| e.when_warning.iter().chain(e.evidence.iter()))
        .map(String::as_str)
        .collect();
    let (explained, unexplained): (Vec<QuantityResult>, Vec<QuantityResult>) = quantities
        .iter()
        .cloned()
        .partition(|q| explained_names.contains(&q.name.as_str()));
    let mut warnings = grouped_warnings(&unexplained);
    warnings.extend(figure_warnings);
    let explained_warnings = grouped_warnings(&explained);
    let mut results = Results {
        title: scenario.title.clone(),
        intro: text::fill(&scenario.intro, &quantities),
        sections,
        figures,
        tables,
        errata,
        warnings,
        explained_warnings,
        explorables,
    };
    let (comparisons, checks) = compute_comparisons(scenario, &mut results, progress)?;
    Ok(Computed {
        results,
        quantities,
        trainings,
        comparisons,
        checks,
    })
}

/// Every item of a parallel iterator in order, or the error of the first
/// failed item in that order (not the first to fail in time).
pub fn in_order<T: Send, E: Send>(
    items: impl IndexedParallelIterator<Item = Result<T, E>>,
) -> Result<Vec<T>, E> {
    let all: Vec<Result<T, E>> = items.collect();
    all.into_iter().collect()
}

/// Every comparison and check: their numbers, and the sections, figures and
/// tables they add to the report (after the scenario's own). A failed check
/// is also a warning at the top of the report.
fn compute_comparisons(
    scenario: &ValidScenario,
    results: &mut Results,
    progress: &dyn Fn(crate::stats::Progress),
) -> Result<
    (
        Vec<comparison::ComparisonResult>,
        Vec<comparison::CheckResult>,
    ),
    ComputeError,
> {
    let mut comparisons = Vec::new();
    let mut checks = Vec::new();
    for (i, c) in scenario.comparisons.iter().enumerate() {
        let own: Vec<&crate::scenario::ValidCheck> = scenario
            .checks
            .iter()
            .filter(|k| k.comparison == i)
            .collect();
        let (output, checked) =
            comparison::comparison(c, &own, progress).map_err(|message| ComputeError {
                file: scenario.file.clone(),
                at: scenario.locator.locate(&c.path),
                message,
            })?;
        results.sections.push(output.section);
        results.figures.extend(output.figures);
        results.tables.extend(output.tables);
        comparisons.push(output.result);
        checks.extend(checked);
    }
    if !checks.is_empty() {
        let (table, section) = comparison::checks_section(&checks);
        results
            .sections
            .insert(results.sections.len() - comparisons.len(), section);
        results.tables.push(table);
        results.warnings.extend(
            checks
                .iter()
                .filter(|c| !c.passed)
                .map(|c| format!("check failed: {} ({})", c.description, c.detail)),
        );
    }
    Ok((comparisons, checks))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error reported is the first failed item's in the iterator's
    /// order, whatever thread fails first: here a late item fails at once
    /// while an early one is still working, on pools of 1, 2 and 4 threads.
    #[test]
    fn in_order_reports_the_first_error_in_order_not_in_time() {
        let work = |i: usize| -> Result<usize, String> {
            match i {
                3 => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    Err("item 3".into())
                }
                60 => Err("item 60".into()),
                _ => Ok(i * i),
            }
        };
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let first = pool.install(|| in_order((0..64).into_par_iter().map(work)));
            assert_eq!(first, Err("item 3".to_string()), "{threads} threads");
            let all =
                pool.install(|| in_order((0..64).into_par_iter().map(|i| Ok::<_, ()>(i * 2))));
            assert_eq!(
                all,
                Ok((0..64).map(|i| i * 2).collect()),
                "{threads} threads"
            );
        }
    }
}
