//! `sql = "SELECT …"` datasets: an aggregate query over Parquet and CSV
//! files too large for one pass of `compare`, whose small result (key
//! columns, then the losses) a report shows in a `kind = "dataset"` table
//! and a `kind = "bars"` figure.
//!
//! ```toml
//! [[datasets]]
//! name = "by_model"
//! sql = """SELECT model, mse(y, p) AS mse, huber(y, p, 1.0) AS huber
//!          FROM 'preds/*.parquet' GROUP BY model"""
//! max_rows = 1000     # the most result rows (default 1000, at most 100,000)
//! partitions = 0      # target partitions of the plan (0: one per core)
//! ```
//!
//! Every query of a scenario is planned (its files' schemas read, its
//! columns, types, functions and parameters checked) before any is run and
//! before anything else is validated, so a mistake in the last query fails
//! at once. Needs the cargo feature `datafusion`; without it a scenario with
//! a `sql` dataset fails validation saying how to rebuild.

use std::path::Path;

use super::dataset::DatasetSpec;
use super::error::{Reporter, ScenarioError};
use super::query_table::{QueryTable, DEFAULT_QUERY_ROWS, MAX_QUERY_ROWS};

/// Most target partitions a query may ask for.
pub const MAX_PARTITIONS: usize = 1024;

/// A planned query, ready to run.
#[cfg(feature = "datafusion")]
pub(crate) struct Planned(crate::sql::table::PlannedQuery);

/// Without the feature no query is ever planned.
#[cfg(not(feature = "datafusion"))]
pub(crate) enum Planned {}

/// The keys only a `sql` dataset takes, and the sources it cannot have.
fn check_keys(spec: &DatasetSpec, path: &str, rep: &Reporter) -> Result<(), ScenarioError> {
    if spec.sql.is_none() {
        let extra = [
            ("max_rows", spec.max_rows.is_some()),
            ("partitions", spec.partitions.is_some()),
        ];
        if let Some((key, _)) = extra.iter().find(|(_, given)| *given) {
            return Err(rep.invalid(format!("{path}.{key}"), "is only used with `sql`"));
        }
        return Ok(());
    }
    let others = [
        ("values", spec.values.is_some()),
        ("rows", spec.rows.is_some()),
        ("csv", spec.csv.is_some()),
        ("column", spec.column.is_some()),
        ("columns", spec.columns.is_some()),
        ("counts", spec.counts.is_some()),
        ("generate", spec.generate.is_some()),
    ];
    if let Some((key, _)) = others.iter().find(|(_, given)| *given) {
        return Err(rep.invalid(
            format!("{path}.{key}"),
            "cannot be given with `sql` (a dataset has one source; the query's files are named \
             in its FROM)",
        ));
    }
    let rows = spec.max_rows.unwrap_or(DEFAULT_QUERY_ROWS);
    if !(1..=MAX_QUERY_ROWS).contains(&rows) {
        return Err(rep.invalid(
            format!("{path}.max_rows"),
            format!("must be from 1 to {MAX_QUERY_ROWS}, got {rows}"),
        ));
    }
    if let Some(p) = spec.partitions.filter(|&p| p > MAX_PARTITIONS) {
        return Err(rep.invalid(
            format!("{path}.partitions"),
            format!("must be from 0 (one per core) to {MAX_PARTITIONS}, got {p}"),
        ));
    }
    Ok(())
}

/// Plan the query of every `sql` dataset (`None` for the others), in order;
/// the first that fails is the error. `base` is the scenario's folder.
pub(crate) fn plan_all(
    datasets: &[DatasetSpec],
    base: &Path,
    rep: &Reporter,
) -> Result<Vec<Option<Planned>>, ScenarioError> {
    datasets
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let path = format!("datasets[{i}]");
            check_keys(spec, &path, rep)?;
            match &spec.sql {
                Some(sql) => plan(spec, sql, base, &format!("{path}.sql"), rep).map(Some),
                None => Ok(None),
            }
        })
        .collect()
}

#[cfg(feature = "datafusion")]
fn plan(
    spec: &DatasetSpec,
    sql: &str,
    base: &Path,
    key: &str,
    rep: &Reporter,
) -> Result<Planned, ScenarioError> {
    let rows = spec.max_rows.unwrap_or(DEFAULT_QUERY_ROWS);
    crate::sql::table::plan(sql, base, spec.partitions.unwrap_or(0), rows)
        .map(Planned)
        .map_err(|reason| rep.invalid(key, reason))
}

#[cfg(not(feature = "datafusion"))]
fn plan(
    _spec: &DatasetSpec,
    _sql: &str,
    _base: &Path,
    key: &str,
    rep: &Reporter,
) -> Result<Planned, ScenarioError> {
    Err(rep.invalid(
        key,
        "needs the `datafusion` feature, which this build of losslab does not have: rebuild \
         with `cargo build --release --features datafusion` (a long build: see the README, \
         \"SQL and DataFusion\")",
    ))
}

/// Run a planned query: its result, or the reason under `datasets[i].sql`.
#[cfg(feature = "datafusion")]
pub(crate) fn run(
    planned: Planned,
    key: &str,
    rep: &Reporter,
) -> Result<QueryTable, ScenarioError> {
    planned.0.run().map_err(|reason| rep.invalid(key, reason))
}

/// Without the feature there is no planned query to run.
#[cfg(not(feature = "datafusion"))]
pub(crate) fn run(
    planned: Planned,
    _key: &str,
    _rep: &Reporter,
) -> Result<QueryTable, ScenarioError> {
    match planned {}
}
