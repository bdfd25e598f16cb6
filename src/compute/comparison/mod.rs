//! Compute stage of `[[comparisons]]` and `[[checks]]`: per-sample losses
//! through the core, the paired statistics of [`crate::stats`], and the
//! section, tables and figures a comparison report shows.
//!
//! Every figure stays readable at a million rows: distributions are
//! histograms, curves are drawn at a few hundred points, and prediction
//! against target is a scatter only while it has at most
//! [`MAX_SCATTER_MARKS`] points (a 2-D density above).

mod checks;
mod figures;
mod losses;
mod prose;
mod tables;

use std::sync::Arc;

use serde::Serialize;

pub use checks::CheckResult;

use super::model::{Cell, FigureData, Section, TableData};
use crate::loss::Data;
use crate::scenario::{ValidCheck, ValidComparison};
use crate::stats::{self, ComparisonSettings, ComparisonStats, LossLabel, PairedLosses};

/// Most marks of a scatter (points over every panel); above it, a 2-D density.
pub const MAX_SCATTER_MARKS: usize = 10_000;

/// A comparison's numbers as `compare --json` prints them, with its name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonResult {
    pub name: String,
    #[serde(flatten)]
    pub stats: ComparisonStats,
    /// Rows left out because a loss ignores them (`ignore_index`).
    #[serde(skip)]
    pub left_out: usize,
    /// Every per-sample value, for `tables/<name>-per-sample.csv` only.
    #[serde(skip)]
    pub per_sample: Arc<PerSampleTable>,
}

/// Columns of equal length with a header, written as CSV at full precision.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PerSampleTable {
    /// File stem in `tables/`.
    pub name: String,
    pub header: Vec<String>,
    pub columns: Vec<Vec<f64>>,
}

/// What a comparison adds to a report.
pub struct ComparisonOutput {
    pub result: ComparisonResult,
    pub section: Section,
    pub figures: Vec<FigureData>,
    pub tables: Vec<TableData>,
}

/// Rows of data: values for flat data, rows for a matrix.
pub(crate) fn rows_of(data: &Data) -> usize {
    match data {
        Data::Flat(v) => v.len(),
        Data::Rows(r) => r.len(),
    }
}

/// The table of every check, pass or fail, and the section that shows it.
pub fn checks_section(checks: &[CheckResult]) -> (TableData, Section) {
    let failed = checks.iter().filter(|c| !c.passed).count();
    let rows = checks
        .iter()
        .map(|c| {
            vec![
                text(if c.passed { "✔ pass" } else { "✘ FAIL" }),
                text(&c.description),
                text(&c.detail),
            ]
        })
        .collect();
    let table = TableData {
        name: "checks".into(),
        title: "Checks".into(),
        caption: "Conditions of the scenario's [[checks]]; a failed check makes `losslab render` \
                  exit with status 3."
            .into(),
        columns: vec!["result".into(), "check".into(), "numbers".into()],
        rows,
        shown: None,
    };
    let markdown = if failed == 0 {
        format!("All {} checks pass.", checks.len())
    } else {
        format!("**{failed} of {} checks fail.**", checks.len())
    };
    let section = Section {
        id: "checks".into(),
        title: "Checks".into(),
        markdown,
        formulas: Vec::new(),
        figures: Vec::new(),
        tables: vec!["checks".into()],
        placed: Vec::new(),
    };
    (table, section)
}

/// A text cell.
fn text(value: &str) -> Cell {
    Cell::Text(value.to_string())
}

/// A number cell: `digits` decimals in the page, full precision in CSV and JSON.
fn number_cell(value: f64, digits: usize) -> Cell {
    Cell::Number { value, digits }
}

/// The parameters a report shows: every one that has a value (an unset
/// optional parameter has none to show, and TOML and JSON no null for it).
pub(crate) fn shown_params(loss: &crate::loss::Loss) -> crate::loss::Params {
    let mut params = loss.params();
    params.retain(|_, v| *v != crate::loss::ParamValue::None);
    params
}

/// The loss label a report and `--json` use: canonical name and the parameters.
fn label(c: &ValidComparison, l: usize) -> LossLabel {
    let member = &c.losses[l].member;
    LossLabel::with_params(member.loss.name(), shown_params(&member.loss))
}

/// The statistics of `c` with another baseline or confidence (checks).
pub(crate) fn restated(
    c: &ValidComparison,
    paired: &PairedLosses,
    baseline: usize,
    confidence: f64,
) -> Result<ComparisonStats, String> {
    let settings = ComparisonSettings {
        baseline,
        confidence,
        resamples: c.bootstrap,
        seed: c.seed,
    };
    stats::compare(paired, &settings).map_err(|e| e.to_string())
}

/// Everything one comparison computes, with its `checks`. `progress` sees
/// the resampling advance.
pub fn comparison(
    c: &ValidComparison,
    checks: &[&ValidCheck],
    progress: &dyn Fn(stats::Progress),
) -> Result<(ComparisonOutput, Vec<CheckResult>), String> {
    let evaluated = losses::evaluate(c)?;
    let names: Vec<String> = c.models.iter().map(|m| m.name.clone()).collect();
    let labels = (0..c.losses.len()).map(|l| label(c, l)).collect();
    let paired = PairedLosses::new(names, labels, evaluated.per_sample)
        .and_then(|p| p.with_means(evaluated.means))
        .map_err(|e| e.to_string())?;
    let settings = ComparisonSettings {
        baseline: c.baseline,
        confidence: c.confidence,
        resamples: c.bootstrap,
        seed: c.seed,
    };
    let stats =
        stats::compare_with_progress(&paired, &settings, progress).map_err(|e| e.to_string())?;
    let checked = checks::evaluate(c, checks, &stats, &paired)?;
    let left_out = c.rows() - evaluated.kept.len();
    let figures = figures::figures(c, &paired, &evaluated.kept)?;
    let tables = tables::tables(c, &stats, &paired, &evaluated.kept)?;
    let section = Section {
        id: c.name.clone(),
        title: c.title.clone(),
        markdown: prose::summary(c, &stats, left_out),
        formulas: Vec::new(),
        figures: figures.iter().map(|f| f.name.clone()).collect(),
        tables: tables.iter().map(|t| t.name.clone()).collect(),
        placed: Vec::new(),
    };
    // Last: the per-sample values move into the table, not copied.
    let per_sample = Arc::new(per_sample_table(c, paired, &evaluated.kept));
    let output = ComparisonOutput {
        result: ComparisonResult {
            name: c.name.clone(),
            stats,
            left_out,
            per_sample,
        },
        section,
        figures,
        tables,
    };
    Ok((output, checked))
}

/// Row, target, every model's prediction columns, every per-sample loss.
fn per_sample_table(c: &ValidComparison, paired: PairedLosses, kept: &[usize]) -> PerSampleTable {
    let mut header = vec!["row".to_string()];
    let mut columns = vec![kept.iter().map(|&r| r as f64).collect::<Vec<f64>>()];
    let mut push_data = |prefix: &str, names: Option<&[String]>, data: &Data| match data {
        Data::Flat(v) => {
            header.push(prefix.to_string());
            columns.push(kept.iter().map(|&r| v[r]).collect());
        }
        Data::Rows(rows) => {
            let width = rows.first().map_or(0, Vec::len);
            // Column k of the rows, over the kept rows.
            (0..width).for_each(|k| {
                let name = names
                    .and_then(|n| n.get(k).cloned())
                    .unwrap_or_else(|| format!("{prefix}_{k}"));
                header.push(name);
                columns.push(kept.iter().map(|&r| rows[r][k]).collect());
            });
        }
    };
    push_data("target", None, &c.target);
    for model in &c.models {
        let single = [format!("prediction {}", model.name)];
        let names = match model.data {
            Data::Flat(_) => &single[..],
            Data::Rows(_) => &model.columns[..],
        };
        match &model.data {
            Data::Flat(_) => push_data(&names[0], None, &model.data),
            Data::Rows(_) => push_data(&model.name, Some(names), &model.data),
        }
    }
    for (loss, by_model) in c.losses.iter().zip(paired.into_per_sample()) {
        for (model, values) in c.models.iter().zip(by_model) {
            header.push(format!("{} {}", loss.member.label, model.name));
            columns.push(values);
        }
    }
    PerSampleTable {
        name: format!("{}-per-sample", c.name),
        header,
        columns,
    }
}
