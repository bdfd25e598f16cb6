//! Tables, sections and errata: computed numbers put into words.

use super::model::{Cell, Erratum, PlacedBlock, Section, TableData, REF_CLOSE, REF_OPEN};
use super::quantities::QuantityResult;
use crate::format::{format_number, Decimals};
use crate::loss::Data;
use crate::scenario::{
    pieces, split_placements, Piece, QuantityPlan, QueryTable, RefKind, TableKind, ValidErratum,
    ValidFigure, ValidQuantity, ValidSection, ValidTable,
};

fn find<'a>(results: &'a [QuantityResult], name: &str) -> Option<&'a QuantityResult> {
    results.iter().find(|q| q.name == name)
}

/// Replace `{name}` / `{name:N}` with the quantity's value (validation
/// guarantees every name exists).
pub fn fill(text: &str, results: &[QuantityResult]) -> String {
    pieces(text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(t) => t.replace([REF_OPEN, REF_CLOSE], ""),
            Piece::Ref { kind, name } => {
                let kind = match kind {
                    Some(RefKind::Figure) => "figure",
                    Some(RefKind::Table) => "table",
                    None => "",
                };
                format!("{REF_OPEN}{kind}:{name}{REF_CLOSE}")
            }
            Piece::Quantity { name, decimals } => find(results, name)
                .map(|q| {
                    format_number(q.value, decimals.map_or(Decimals::PROSE, Decimals::Exactly))
                })
                .unwrap_or_else(|| format!("{{{name}}}")),
        })
        .collect()
}

/// A section, its text cut at placement lines (each piece filled).
pub fn section(spec: &ValidSection, results: &[QuantityResult]) -> Section {
    let placed = split_placements(&spec.markdown);
    Section {
        id: spec.id.clone(),
        title: spec.title.clone(),
        markdown: fill(&placed.lead, results),
        formulas: spec.formulas.clone(),
        figures: spec.figures.clone(),
        tables: spec.tables.clone(),
        placed: placed
            .blocks
            .into_iter()
            .map(|(place, prose)| PlacedBlock {
                place,
                markdown: fill(&prose, results),
            })
            .collect(),
    }
}

/// The appendix: every figure and table marked `appendix = true`, under an
/// id no section uses; None when there are none.
pub fn appendix(
    figures: &[ValidFigure],
    tables: &[ValidTable],
    taken: &[Section],
) -> Option<Section> {
    let figures: Vec<String> = figures
        .iter()
        .filter(|f| f.appendix)
        .map(|f| f.name.clone())
        .collect();
    let tables: Vec<String> = tables
        .iter()
        .filter(|t| t.appendix)
        .map(|t| t.name.clone())
        .collect();
    if figures.is_empty() && tables.is_empty() {
        return None;
    }
    let mut id = "appendix".to_string();
    let mut n = 1;
    while taken.iter().any(|s| s.id == id) {
        n += 1;
        id = format!("appendix-{n}");
    }
    Some(Section {
        id,
        title: "Appendix".into(),
        markdown: String::new(),
        formulas: Vec::new(),
        figures,
        tables,
        placed: Vec::new(),
    })
}

/// An erratum, or None when it is tied to a core warning that did not come.
pub fn erratum(spec: &ValidErratum, results: &[QuantityResult]) -> Option<Erratum> {
    let mut correction = fill(&spec.correction, results);
    if let Some(name) = &spec.when_warning {
        let warned = find(results, name)?;
        if warned.warnings.is_empty() {
            return None;
        }
        // The erratum is there because losslab itself noticed: quote what it said.
        correction.push_str(&format!(
            "\n\nlosslab noticed this by itself while computing {}: ",
            warned.label
        ));
        let quoted: Vec<String> = warned.warnings.iter().map(|w| format!("“{w}”")).collect();
        correction.push_str(&quoted.join("; "));
        correction.push('.');
    }
    Some(Erratum {
        digits: spec.digits,
        id: spec.id.clone(),
        claim: fill(&spec.claim, results),
        correction,
        evidence: spec
            .evidence
            .iter()
            .filter_map(|name| find(results, name))
            .map(|q| (q.label.clone(), q.value))
            .collect(),
    })
}

pub fn table(spec: &ValidTable, plans: &[ValidQuantity], results: &[QuantityResult]) -> TableData {
    let number = |value: f64| Cell::Number {
        value,
        digits: spec.digits,
    };
    let mut shown = None;
    let (columns, rows) = match &spec.kind {
        TableKind::Dataset {
            columns,
            shown: ends,
        } => {
            shown = Some(*ends);
            let length = columns.iter().map(|c| c.values.len()).max().unwrap_or(0);
            let digits: Vec<usize> = columns
                .iter()
                .map(|c| data_digits(&Data::Flat(c.values.clone()), spec.digits))
                .collect();
            (
                std::iter::once("#".to_string())
                    .chain(columns.iter().map(|c| c.label.clone()))
                    .collect(),
                (0..length)
                    .map(|i| {
                        std::iter::once(Cell::Text((i + 1).to_string()))
                            .chain(columns.iter().zip(&digits).map(|(c, &digits)| {
                                c.values
                                    .get(i)
                                    .map(|&value| Cell::Number { value, digits })
                                    .unwrap_or(Cell::Text(String::new()))
                            }))
                            .collect()
                    })
                    .collect(),
            )
        }
        TableKind::Query {
            table,
            digits,
            shown: ends,
        } => {
            shown = *ends;
            query_table(table, *digits)
        }
        TableKind::Quantities(names) => (
            vec!["quantity".to_string(), "value".to_string()],
            names
                .iter()
                .filter_map(|n| find(results, n))
                .map(|q| vec![Cell::Text(q.label.clone()), number(q.value)])
                .collect(),
        ),
        TableKind::PerSample(name) => {
            let result = find(results, name);
            let plan = plans.iter().find(|p| &p.name == name).map(|p| &p.plan);
            match (result, plan) {
                (
                    Some(q),
                    Some(QuantityPlan::Evaluate {
                        target,
                        prediction,
                        reduction,
                        loss,
                        weights,
                    }),
                ) => {
                    let target_digits = data_digits(target, spec.digits);
                    let prediction_digits = data_digits(prediction, spec.digits);
                    let mut rows: Vec<Vec<Cell>> = q
                        .per_sample
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            vec![
                                Cell::Text((i + 1).to_string()),
                                sample_cell(target, i, target_digits),
                                sample_cell(prediction, i, prediction_digits),
                                number(*v),
                            ]
                        })
                        .collect();
                    let reduced = format!("{reduction:?}").to_lowercase();
                    rows.push(vec![
                        Cell::Text(reduced),
                        Cell::Text(String::new()),
                        Cell::Text(String::new()),
                        number(q.value),
                    ]);
                    (
                        vec![
                            "#".into(),
                            "target".into(),
                            "prediction".into(),
                            // per_sample holds loss × weight when weights are given.
                            match weights {
                                Some(_) => format!("{} × weight", loss.display_name()),
                                None => loss.display_name().to_string(),
                            },
                        ],
                        rows,
                    )
                }
                _ => (Vec::new(), Vec::new()),
            }
        }
    };
    TableData {
        name: spec.name.clone(),
        title: spec.title.clone(),
        caption: fill(&spec.caption, results),
        columns,
        rows,
        shown,
    }
}

/// Decimals for a data column: none for whole numbers (labels, counts).
/// A `sql` dataset's result: the key columns as text, the numbers with
/// `digits` decimals or, without, every digit of their shortest round-trip
/// form (the page shows the exact values; CSV and JSON always hold them);
/// a null (a loss over no row) as `NULL`.
fn query_table(table: &QueryTable, digits: Option<usize>) -> (Vec<String>, Vec<Vec<Cell>>) {
    let columns = table.keys.iter().chain(&table.values).cloned().collect();
    let rows = table
        .rows
        .iter()
        .map(|row| {
            let keys = row.keys.iter().map(|k| Cell::Text(k.clone()));
            let values = row.values.iter().map(|v| match *v {
                Some(value) => Cell::Number {
                    value,
                    digits: digits.unwrap_or_else(|| shortest_decimals(value)),
                },
                None => Cell::Text("NULL".into()),
            });
            keys.chain(values).collect()
        })
        .collect();
    (columns, rows)
}

/// The decimals of `value`'s shortest round-trip form (`0.1` → 1, `18.730555514322603`
/// → 15): printed with that many decimals, it reads back as the same bits.
fn shortest_decimals(value: f64) -> usize {
    if !value.is_finite() {
        return 0;
    }
    let text = value.to_string();
    text.split_once('.')
        .map_or(0, |(_, decimals)| decimals.len())
}

fn data_digits(data: &Data, digits: usize) -> usize {
    match data {
        Data::Flat(v) if v.iter().all(|x| x.fract() == 0.0) => 0,
        _ => digits,
    }
}

/// Sample i of the data: a number, or a row as text.
fn sample_cell(data: &Data, i: usize, digits: usize) -> Cell {
    match data {
        Data::Flat(v) => v
            .get(i)
            .map(|x| Cell::Number { value: *x, digits })
            .unwrap_or(Cell::Text(String::new())),
        Data::Rows(rows) => Cell::Text(
            rows.get(i)
                .map(|r| {
                    format!(
                        "[{}]",
                        r.iter()
                            .map(|x| format_number(*x, Decimals::PROSE))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .unwrap_or_default(),
        ),
    }
}
