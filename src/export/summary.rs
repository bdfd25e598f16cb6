//! The batch summary: many reports at a glance (`summary.json`,
//! `summary.csv`, and the landing page's model).
//!
//! Each rendered report is summarised from its own `results.json`, read back
//! as text, so the landing page shows exactly what the reports hold, and a
//! report's comparisons and checks are read by their JSON contract
//! (`"comparisons"`, `"checks"`), not by the compute stage's types. Both keys
//! are optional: a report without them shows neither.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::json::{json_number, non_finite_name};
use super::ExportError;

/// Every scenario of one batch, in the order they were given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchSummary {
    pub reports: Vec<ReportSummary>,
}

/// One scenario of a batch: rendered (with what its report holds) or failed.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSummary {
    /// The scenario file as it was given (`configs/a.toml`).
    pub config: String,
    /// The report folder inside the output folder (`a`).
    pub folder: String,
    pub outcome: ReportOutcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReportOutcome {
    Rendered(ReportDigest),
    /// The whole error chain, as the command printed it.
    Failed(String),
}

/// What the landing page shows of one report, read from its `results.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReportDigest {
    pub title: String,
    /// The introduction's Markdown (the landing page shows its first sentence).
    #[serde(default)]
    pub intro: String,
    #[serde(default)]
    pub warnings: Vec<String>,
    #[serde(default)]
    pub comparisons: Vec<Comparison>,
    #[serde(default)]
    pub checks: Vec<Check>,
}

/// One comparison of several models under several losses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Comparison {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub n: Option<u64>,
    #[serde(default, deserialize_with = "optional_number")]
    pub confidence: Option<f64>,
    #[serde(default)]
    pub results: Vec<ComparisonResult>,
    #[serde(default)]
    pub ranks: Vec<Rank>,
}

/// The mean loss of one model, with its interval.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ComparisonResult {
    pub model: String,
    pub loss: String,
    #[serde(default)]
    pub params: Value,
    #[serde(deserialize_with = "number")]
    pub value: f64,
    #[serde(default, deserialize_with = "optional_number")]
    pub ci_low: Option<f64>,
    #[serde(default, deserialize_with = "optional_number")]
    pub ci_high: Option<f64>,
}

/// The models under one loss, best first.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Rank {
    pub loss: String,
    #[serde(default)]
    pub params: Value,
    pub order: Vec<String>,
}

/// A pass/fail condition of a scenario.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Check {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub loss: String,
    #[serde(default)]
    pub params: Value,
    pub passed: bool,
    #[serde(default, deserialize_with = "optional_number")]
    pub value: Option<f64>,
    #[serde(default)]
    pub detail: String,
}

impl ReportDigest {
    /// Read the digest from a report's `results.json` text.
    pub fn from_results_json(text: &str) -> Result<ReportDigest, ExportError> {
        Ok(serde_json::from_str(text)?)
    }

    pub fn failed_checks(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.passed)
    }
}

impl Check {
    /// What the check is about, in one line: its description, or else what it names.
    pub fn text(&self) -> String {
        if !self.description.is_empty() {
            return self.description.clone();
        }
        let loss = loss_with_params(&self.loss, &self.params);
        [self.model.as_str(), loss.as_str(), self.detail.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One row of the cross-scenario comparison table.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    /// The report folder the comparison comes from.
    pub report: String,
    pub comparison: String,
    /// The loss with its parameters (`huber (delta=1)`).
    pub loss: String,
    pub model: String,
    pub n: Option<u64>,
    pub confidence: Option<f64>,
    pub value: f64,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// 1 for the best model under this loss, from the comparison's ranks.
    pub rank: Option<usize>,
}

impl BatchSummary {
    /// Every comparison result of every rendered report, in report order.
    pub fn comparison_rows(&self) -> Vec<ComparisonRow> {
        let mut rows = Vec::new();
        for report in &self.reports {
            let ReportOutcome::Rendered(digest) = &report.outcome else {
                continue;
            };
            for comparison in &digest.comparisons {
                for result in &comparison.results {
                    let rank = comparison
                        .ranks
                        .iter()
                        .find(|r| r.loss == result.loss && r.params == result.params)
                        .and_then(|r| r.order.iter().position(|m| *m == result.model))
                        .map(|i| i + 1);
                    rows.push(ComparisonRow {
                        report: report.folder.clone(),
                        comparison: comparison.name.clone(),
                        loss: loss_with_params(&result.loss, &result.params),
                        model: result.model.clone(),
                        n: comparison.n,
                        confidence: comparison.confidence,
                        value: result.value,
                        ci_low: result.ci_low,
                        ci_high: result.ci_high,
                        rank,
                    });
                }
            }
        }
        rows
    }

    /// Whether any rendered report has a check that failed.
    pub fn any_check_failed(&self) -> bool {
        self.reports.iter().any(|r| match &r.outcome {
            ReportOutcome::Rendered(digest) => digest.failed_checks().next().is_some(),
            ReportOutcome::Failed(_) => false,
        })
    }
}

/// `huber (delta=1)`, or just `mse` without parameters.
pub fn loss_with_params(loss: &str, params: &Value) -> String {
    let text = params_text(params);
    if text.is_empty() {
        loss.to_string()
    } else {
        format!("{loss} ({text})")
    }
}

/// Parameters as `delta=1, gamma=2` (an object), or as written otherwise.
fn params_text(params: &Value) -> String {
    match params {
        Value::Null => String::new(),
        Value::Object(map) => map
            .iter()
            .map(|(key, value)| format!("{key}={}", plain(value)))
            .collect::<Vec<_>>()
            .join(", "),
        other => plain(other),
    }
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `summary.json`: every report (rendered or failed, with its warnings and
/// checks) and every comparison result.
pub fn summary_json(summary: &BatchSummary) -> Result<String, ExportError> {
    let reports: Vec<Value> = summary.reports.iter().map(report_json).collect();
    let comparisons: Vec<Value> = summary
        .comparison_rows()
        .iter()
        .map(|row| {
            serde_json::json!({
                "report": row.report,
                "comparison": row.comparison,
                "loss": row.loss,
                "model": row.model,
                "n": row.n,
                "confidence": row.confidence.map(json_number),
                "value": json_number(row.value),
                "ci_low": row.ci_low.map(json_number),
                "ci_high": row.ci_high.map(json_number),
                "rank": row.rank,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&serde_json::json!({
        "generator": "losslab",
        "reports": reports,
        "comparisons": comparisons,
    }))?;
    text.push('\n');
    Ok(text)
}

fn report_json(report: &ReportSummary) -> Value {
    let mut value = serde_json::json!({
        "config": report.config,
        "folder": report.folder,
    });
    let fields = match &report.outcome {
        ReportOutcome::Rendered(digest) => serde_json::json!({
            "status": "rendered",
            "index": format!("{}/index.html", report.folder),
            "title": digest.title,
            "warnings": digest.warnings,
            "checks_passed": digest.checks.iter().filter(|c| c.passed).count(),
            "checks_failed": digest.failed_checks().count(),
            "failed_checks": digest.failed_checks().map(Check::text).collect::<Vec<_>>(),
        }),
        ReportOutcome::Failed(error) => serde_json::json!({
            "status": "failed",
            "error": error,
        }),
    };
    if let (Value::Object(map), Value::Object(extra)) = (&mut value, fields) {
        map.extend(extra);
    }
    value
}

/// `summary.csv`: the cross-scenario comparison table, one row per model,
/// loss and report, numbers at full precision.
pub fn summary_csv(summary: &BatchSummary) -> Result<String, ExportError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "report",
        "comparison",
        "loss",
        "model",
        "n",
        "confidence",
        "value",
        "ci_low",
        "ci_high",
        "rank",
    ])?;
    let number = |value: f64| match non_finite_name(value) {
        Some(name) => name.to_string(),
        None => value.to_string(),
    };
    let optional = |value: Option<f64>| value.map(number).unwrap_or_default();
    for row in summary.comparison_rows() {
        writer.write_record([
            super::csv_table::spreadsheet_safe(&row.report),
            super::csv_table::spreadsheet_safe(&row.comparison),
            super::csv_table::spreadsheet_safe(&row.loss),
            super::csv_table::spreadsheet_safe(&row.model),
            row.n.map(|n| n.to_string()).unwrap_or_default(),
            optional(row.confidence),
            number(row.value),
            optional(row.ci_low),
            optional(row.ci_high),
            row.rank.map(|r| r.to_string()).unwrap_or_default(),
        ])?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ExportError::Csv(e.into_error().into()))?;
    Ok(String::from_utf8(bytes)?)
}

/// A number as `results.json` writes it: a JSON number, or "NaN",
/// "Infinity", "-Infinity" as strings.
fn number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value = Value::deserialize(deserializer)?;
    value_number(&value).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "expected a number or \"NaN\"/\"Infinity\", got {value}"
        ))
    })
}

fn optional_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    if value.is_null() {
        return Ok(None);
    }
    value_number(&value).map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "expected a number or \"NaN\"/\"Infinity\", got {value}"
        ))
    })
}

fn value_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
#[path = "summary_tests.rs"]
mod tests;
