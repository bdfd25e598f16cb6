//! `losslab render`: parse → validate → compute → draw → assemble → write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use super::json::{json_number, non_finite_name};
use super::prepare::{prepare, Prepared};
use super::write::{write_report, ReportFiles};
use crate::compute::{Cell, Computed, TableData};
use crate::report::{assemble, Templates};
use crate::scenario;

pub fn run(configs: &[PathBuf], out: &Path, templates: Option<&Path>) -> Result<()> {
    let templates = match templates {
        Some(dir) => Templates::with_overrides(dir),
        None => Templates::embedded(),
    }
    .context("cannot load the report templates")?;
    refuse_shared_folders(configs)?;
    for config in configs {
        let files = build(config, &templates)?;
        let dir = write_report(out, &files)
            .with_context(|| format!("{}: cannot write the report", config.display()))?;
        println!(
            "{}: report written to {}",
            config.display(),
            dir.join("index.html").display()
        );
    }
    Ok(())
}

/// Two configs whose reports would land in one folder (`"a b.toml"` and
/// `a-b.toml`, or `x/r.toml` and `y/r.toml`): the second would replace the first.
fn refuse_shared_folders(configs: &[PathBuf]) -> Result<()> {
    let mut seen: BTreeMap<String, &Path> = BTreeMap::new();
    for config in configs {
        let folder = scenario::report_folder(config);
        if let Some(first) = seen.insert(folder.clone(), config) {
            if first == config.as_path() {
                bail!("{} is given twice", config.display());
            }
            bail!(
                "{} and {} would both be written to the report folder \"{folder}\"; \
                 rename one of them or render them into different --out folders",
                first.display(),
                config.display()
            );
        }
    }
    Ok(())
}

/// Every stage but the write: the finished files of one report, in memory.
pub fn build(config: &Path, templates: &Templates) -> Result<ReportFiles> {
    let Prepared { valid, computed } = prepare(config)?;
    let results = &computed.results;
    let scale = valid.png_scale;
    // Figures are independent: draw them on every core; the output does not
    // depend on the order they finish in.
    let drawn = results
        .figures
        .par_iter()
        .map(|figure| {
            let svg = crate::plot::draw_svg(figure)?;
            let png = crate::plot::png_from_svg(figure, &svg, scale)?;
            Ok((figure.name.clone(), svg, png))
        })
        .collect::<Result<Vec<_>, crate::plot::PlotError>>()
        .with_context(|| format!("{}: cannot draw a figure", config.display()))?;
    let mut svgs = BTreeMap::new();
    let mut pngs = BTreeMap::new();
    for (name, svg, png) in drawn {
        svgs.insert(name.clone(), svg);
        pngs.insert(name, png);
    }
    let index_html = assemble(results, &svgs, templates)
        .with_context(|| format!("{}: cannot assemble the report", config.display()))?;
    let tables = results
        .tables
        .iter()
        .map(|t| Ok((t.name.clone(), table_csv(t)?)))
        .collect::<Result<BTreeMap<_, _>>>()?;
    Ok(ReportFiles {
        stem: valid.stem.clone(),
        index_html,
        results_json: results_json(&computed)?,
        svgs,
        pngs,
        tables,
    })
}

/// `results.json`: every computed number. JSON has no NaN or infinity, so
/// those become the strings "NaN", "Infinity" and "-Infinity" (as `eval --json`).
pub fn results_json(computed: &Computed) -> Result<String> {
    // toml's value model keeps non-finite floats, unlike serde_json's.
    let value = toml::Value::try_from(computed).context("cannot serialise the results")?;
    let mut text = serde_json::to_string_pretty(&to_json(value))?;
    text.push('\n');
    Ok(text)
}

fn to_json(value: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => json_number(f),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(items) => J::Array(items.into_iter().map(to_json).collect()),
        toml::Value::Table(table) => {
            J::Object(table.into_iter().map(|(k, v)| (k, to_json(v))).collect())
        }
    }
}

/// A table as CSV with full precision (HTML shows rounded numbers).
pub fn table_csv(table: &TableData) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(table.columns.iter().map(|c| spreadsheet_safe(c)))?;
    for row in &table.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Cell::Text(t) => spreadsheet_safe(t),
                Cell::Number { value, .. } => match non_finite_name(*value) {
                    Some(name) => name.to_string(),
                    None => value.to_string(),
                },
            })
            .collect();
        writer.write_record(&cells)?;
    }
    let bytes = writer.into_inner().context("cannot write CSV")?;
    Ok(String::from_utf8(bytes)?)
}

/// A text cell as a spreadsheet will not run it (CSV injection, as OWASP
/// describes it): text starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return is a formula to Excel and LibreOffice (`=HYPERLINK(…)`), so it gets
/// a leading `'`, which they show as text. Text that is a plain number
/// (`-1.5`, `+2`) is left as it is: a spreadsheet reads it as that number,
/// never as a formula. Number cells never come here: they are written by
/// Rust's float formatting (`-1.5`, or `-Infinity` as in results.json).
fn spreadsheet_safe(text: &str) -> String {
    let starts_formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let is_number = text.parse::<f64>().is_ok_and(f64::is_finite);
    if starts_formula && !is_number {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_in_text_cells_are_neutralised_and_numbers_kept() {
        let table = TableData {
            name: "t".into(),
            title: String::new(),
            caption: String::new(),
            columns: vec!["=cmd".into(), "value".into()],
            rows: vec![
                vec![
                    Cell::Text("=HYPERLINK(\"https://x.org\",\"y\")".into()),
                    Cell::Number {
                        value: -1.5,
                        digits: 2,
                    },
                ],
                vec![Cell::Text("-1.5".into()), Cell::Text("-sum".into())],
                vec![Cell::Text("@a".into()), Cell::Text("\tb".into())],
                vec![Cell::Text("+x".into()), Cell::Text("a-b".into())],
            ],
        };
        let csv = table_csv(&table).unwrap();
        assert_eq!(
            csv,
            "'=cmd,value\n\"'=HYPERLINK(\"\"https://x.org\"\",\"\"y\"\")\",-1.5\n\
             -1.5,'-sum\n'@a,'\tb\n'+x,a-b\n"
        );
    }
}
