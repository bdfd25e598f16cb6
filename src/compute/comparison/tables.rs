//! The tables of a comparison section: model × loss means with intervals
//! (the best of each row marked ★), the order of the models under each loss
//! (rows where it changes marked), differences from the baseline with
//! intervals and p-values, and the k worst samples of each model.

use super::prose::significant;
use super::{number_cell, text};
use crate::compute::model::TableData;
use crate::loss::Data;
use crate::scenario::ValidComparison;
use crate::stats::{rows_with_different_order, worst_samples, ComparisonStats, PairedLosses};

fn percent(confidence: f64) -> String {
    crate::format::format_number(confidence * 100.0, crate::format::Decimals::AtMost(2))
}

pub(super) fn tables(
    c: &ValidComparison,
    stats: &ComparisonStats,
    paired: &PairedLosses,
    kept: &[usize],
) -> Result<Vec<TableData>, String> {
    let mut out = vec![means(c, stats), ranks(c, stats)];
    if stats.models.len() > 1 {
        out.push(differences(c, stats));
    }
    if c.worst > 0 {
        out.push(worst(c, paired, kept)?);
    }
    Ok(out)
}

fn means(c: &ValidComparison, stats: &ComparisonStats) -> TableData {
    let models = stats.models.len();
    let mut columns = vec!["loss".to_string()];
    columns.extend(stats.models.iter().cloned());
    let rows = c
        .losses
        .iter()
        .enumerate()
        .map(|(l, loss)| {
            let results = &stats.results[l * models..(l + 1) * models];
            let best = &stats.ranks[l].order[0];
            let mut row = vec![text(&loss.member.label)];
            for r in results {
                let star = if models > 1 && &r.model == best {
                    " ★"
                } else {
                    ""
                };
                row.push(text(&format!(
                    "{} [{}, {}]{star}",
                    significant(r.value),
                    significant(r.ci_low),
                    significant(r.ci_high)
                )));
            }
            row
        })
        .collect();
    TableData {
        name: format!("{}-means", c.name),
        title: "Mean loss of each model".into(),
        caption: format!(
            "Mean per-sample loss over {} rows with its {} % paired bootstrap percentile interval \
             ({} resamples); ★ marks the lowest mean of each row. Full precision in results.json.",
            stats.n,
            percent(stats.confidence),
            stats.bootstrap
        ),
        columns,
        rows,
        shown: None,
    }
}

fn ranks(c: &ValidComparison, stats: &ComparisonStats) -> TableData {
    let changed = rows_with_different_order(&stats.ranks);
    let mut columns = vec!["loss".to_string()];
    columns.extend((1..=stats.models.len()).map(|k| format!("rank {k}")));
    columns.push("order".into());
    let rows = stats
        .ranks
        .iter()
        .enumerate()
        .map(|(l, rank)| {
            let mut row = vec![text(&c.losses[l].member.label)];
            row.extend(rank.order.iter().map(|m| text(m)));
            let mark = if changed.contains(&l) {
                "differs ◆"
            } else {
                ""
            };
            row.push(text(mark));
            row
        })
        .collect();
    TableData {
        name: format!("{}-ranks", c.name),
        title: "Order of the models under each loss".into(),
        caption: "Models from the lowest mean loss to the highest; ◆ marks a loss under which \
                  the order differs from the most common order."
            .into(),
        columns,
        rows,
        shown: None,
    }
}

fn differences(c: &ValidComparison, stats: &ComparisonStats) -> TableData {
    let level = percent(stats.confidence);
    let columns = [
        "loss",
        "model",
        "baseline",
        "difference",
        &format!("{level} % low"),
        &format!("{level} % high"),
        "p-value",
    ]
    .map(String::from)
    .to_vec();
    let per_loss = stats.models.len() - 1;
    let rows = stats
        .differences
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let digits = digits_for(d.value.abs().max(d.ci_high.abs()));
            vec![
                text(&c.losses[i / per_loss.max(1)].member.label),
                text(&d.model),
                text(&d.baseline),
                number_cell(d.value, digits),
                number_cell(d.ci_low, digits),
                number_cell(d.ci_high, digits),
                match d.p_value {
                    Some(p) => number_cell(p, 4),
                    None => text("undefined"),
                },
            ]
        })
        .collect();
    TableData {
        name: format!("{}-differences", c.name),
        title: format!("Differences from the baseline {}", stats.baseline),
        caption: format!(
            "mean(model) − mean(baseline) over the same rows; negative means the model's loss is \
             lower. Paired bootstrap percentile interval (the same resamples for every model and \
             loss) and two-sided sign-flip permutation p-value ({} random sign vectors; the \
             smallest possible is 1/{}).",
            stats.bootstrap,
            stats.bootstrap + 1
        ),
        columns,
        rows,
        shown: None,
    }
}

/// Decimals that show about four significant digits of numbers around `scale`.
fn digits_for(scale: f64) -> usize {
    if !(scale.is_finite() && scale > 0.0) {
        return 4;
    }
    (3 - scale.log10().floor() as i64).clamp(0, 10) as usize
}

/// How a row's target and prediction read in the worst-samples table.
fn describe(data: &Data, row: usize, label: Option<usize>) -> String {
    match data {
        Data::Flat(v) => significant(v[row]),
        Data::Rows(rows) => {
            let values = &rows[row];
            match label {
                Some(k) if k < values.len() => format!("p[{k}] = {}", significant(values[k])),
                _ => {
                    let top = (0..values.len())
                        .max_by(|&a, &b| values[a].total_cmp(&values[b]).then(b.cmp(&a)))
                        .unwrap_or(0);
                    format!("class {top}")
                }
            }
        }
    }
}

/// The label of a row (class index, or the class of a one-hot row).
fn row_label(target: &Data, row: usize) -> Option<usize> {
    match target {
        Data::Flat(v) if v[row] >= 0.0 && v[row].fract() == 0.0 => Some(v[row] as usize),
        Data::Flat(_) => None,
        Data::Rows(rows) => rows[row].iter().position(|&x| x == 1.0),
    }
}

fn worst(c: &ValidComparison, paired: &PairedLosses, kept: &[usize]) -> Result<TableData, String> {
    let loss = &c.losses[0].member;
    let classifier = matches!(c.models[0].data, Data::Rows(_));
    let mut rows = Vec::new();
    for (m, model) in c.models.iter().enumerate() {
        let worst = worst_samples(paired.column(0, m), c.worst).map_err(|e| e.to_string())?;
        for (rank, sample) in worst.iter().enumerate() {
            let row = kept[sample.row];
            let label = if classifier {
                row_label(&c.target, row)
            } else {
                None
            };
            let target = match (&c.target, label) {
                (Data::Rows(_), Some(k)) => format!("class {k}"),
                _ => describe(&c.target, row, None),
            };
            rows.push(vec![
                text(&model.name),
                number_cell((rank + 1) as f64, 0),
                number_cell(row as f64, 0),
                text(&target),
                text(&describe(&model.data, row, label)),
                number_cell(sample.loss, digits_for(sample.loss.abs())),
            ]);
        }
    }
    Ok(TableData {
        name: format!("{}-worst", c.name),
        title: format!(
            "The {} worst samples of each model under {}",
            c.worst, loss.label
        ),
        caption: format!(
            "Rows numbered from 0 in the data file (the header line not counted); every row's \
             losses are in tables/{}-per-sample.csv at full precision.",
            c.name
        ),
        columns: ["model", "rank", "row", "target", "prediction", "loss"]
            .map(String::from)
            .to_vec(),
        rows,
        shown: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::model::Cell;

    #[test]
    fn decimals_follow_the_magnitude() {
        assert_eq!(digits_for(0.0123), 5);
        assert_eq!(digits_for(1.5), 3);
        assert_eq!(digits_for(1500.0), 0);
        assert_eq!(digits_for(0.0), 4);
    }

    #[test]
    fn cells_are_numbers_at_full_precision() {
        assert_eq!(
            number_cell(0.1 + 0.2, 2),
            Cell::Number {
                value: 0.30000000000000004,
                digits: 2
            }
        );
    }
}
