//! A scenario's `sql` dataset: one read-only SELECT over files, planned
//! when the scenario is validated and run into a small [`QueryTable`].
//!
//! - **Read-only.** The text must be one SQL statement, a query (`SELECT`,
//!   `WITH … SELECT`, `VALUES`); `COPY`, `CREATE`, `INSERT`, `SET`,
//!   `EXPLAIN` and a second statement are refused before anything is
//!   planned, and DataFusion's own [`SQLOptions`] forbid DDL, DML and
//!   statements in the plan as a second guard.
//! - **Files** are the quoted paths in `FROM`, relative to the scenario's
//!   folder (see [`super::query::register_files_in`]).
//! - **Planned first.** [`plan`] registers the files (reading only their
//!   schemas) and plans the query, so a missing column, a wrong type, a
//!   parameter out of range or an unknown function fails before any row is
//!   read; [`PlannedQuery::run`] reads the rows.
//! - **Bounded.** The plan asks for at most `max_rows + 1` rows, so a result
//!   over its budget is told without being held.
//! - **Deterministic.** The loss functions give the same bits for any
//!   partitioning; the row order is the query's `ORDER BY`, or, without
//!   one, every column ascending (a `GROUP BY` gives its groups in the
//!   order its partitions finish, which varies from run to run).

use std::path::Path;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::common::Column;
use datafusion::dataframe::DataFrame;
use datafusion::execution::context::SQLOptions;
use datafusion::logical_expr::Expr;
use datafusion::sql::parser::{DFParserBuilder, Statement};
use datafusion::sql::sqlparser::ast::Statement as SqlStatement;

use super::query;
use crate::scenario::query_table::{QueryRow, QueryTable, MAX_QUERY_COLUMNS};

/// A query planned over its files, ready to run.
pub struct PlannedQuery {
    runtime: tokio::runtime::Runtime,
    frame: DataFrame,
    max_rows: usize,
}

/// Whether `sql` is one query (and whether it orders its rows), or what it
/// is instead.
fn read_only(sql: &str) -> Result<bool, String> {
    let mut statements = DFParserBuilder::new(sql)
        .build()
        .and_then(|mut parser| parser.parse_statements())
        .map_err(|e| e.strip_backtrace())?;
    let statement = match (statements.pop_front(), statements.len()) {
        (Some(statement), 0) => statement,
        (None, _) => return Err("is empty: give one SELECT query".into()),
        (Some(_), more) => {
            return Err(format!(
                "holds {} statements; give one SELECT query (no `;` between statements)",
                more + 1
            ))
        }
    };
    let what = match &statement {
        Statement::Statement(inner) => match inner.as_ref() {
            SqlStatement::Query(query) => return Ok(query.order_by.is_some()),
            other => other
                .to_string()
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase(),
        },
        Statement::CopyTo(_) => "COPY".into(),
        Statement::CreateExternalTable(_) => "CREATE EXTERNAL TABLE".into(),
        Statement::Explain(_) => "EXPLAIN".into(),
        Statement::Reset(_) => "RESET".into(),
    };
    Err(format!(
        "must be one read-only SELECT query; `{what}` is not one (a scenario's query reads \
         files; it never writes files or defines tables)"
    ))
}

/// Plan `sql` over the files it names (relative to `base`), with
/// `partitions` target partitions (0: one per core). The error is the
/// reason, to follow the dataset's key path.
pub fn plan(
    sql: &str,
    base: &Path,
    partitions: usize,
    max_rows: usize,
) -> Result<PlannedQuery, String> {
    let ordered = read_only(sql)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the query runtime: {e}"))?;
    let ctx = query::session(query::config(partitions));
    let options = SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false);
    let frame = runtime
        .block_on(async {
            query::register_files_in(&ctx, sql, base).await?;
            let frame = ctx.sql_with_options(sql, options).await?;
            let frame = if ordered {
                frame
            } else {
                let every_column = frame
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| Expr::Column(Column::from_name(f.name())).sort(true, true))
                    .collect();
                frame.sort(every_column)?
            };
            frame.limit(0, Some(max_rows.saturating_add(1)))
        })
        .map_err(|e| format!("cannot be planned: {}", e.strip_backtrace()))?;
    let width = frame.schema().fields().len();
    if width > MAX_QUERY_COLUMNS {
        return Err(format!(
            "gives {width} columns; the limit is {MAX_QUERY_COLUMNS}"
        ));
    }
    layout(frame.schema().as_arrow())?;
    Ok(PlannedQuery {
        runtime,
        frame,
        max_rows,
    })
}

/// The key columns' count: the columns before the first float column;
/// every column from there on must be a number.
fn layout(schema: &Schema) -> Result<usize, String> {
    let fields = schema.fields();
    let Some(first) = fields.iter().position(|f| f.data_type().is_floating()) else {
        return Err(format!(
            "gives no floating-point column ({}); its numbers (the losses: `mse(y, p) AS mse`) \
             come after its key columns (`model`, `day`)",
            describe(schema)
        ));
    };
    if let Some(f) = fields[first..].iter().find(|f| !f.data_type().is_numeric()) {
        return Err(format!(
            "column `{}` is of type {} after the first number column `{}`; the key columns \
             (text, integers, dates) come first, then only numbers ({})",
            f.name(),
            f.data_type(),
            fields[first].name(),
            describe(schema)
        ));
    }
    Ok(first)
}

/// `model: Utf8, mse: Float64`.
fn describe(schema: &Schema) -> String {
    schema
        .fields()
        .iter()
        .map(|f| format!("{}: {}", f.name(), f.data_type()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl PlannedQuery {
    /// Read the rows: the result, or the reason it failed (bad data, more
    /// than `max_rows` rows).
    pub fn run(self) -> Result<QueryTable, String> {
        let schema = self.frame.schema().as_arrow().clone();
        let batches = self
            .runtime
            .block_on(self.frame.collect())
            .map_err(|e| format!("failed while reading the rows: {}", e.strip_backtrace()))?;
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        if rows > self.max_rows {
            return Err(format!(
                "gives more than {} rows (`max_rows`); a report shows aggregates: add GROUP BY \
                 or LIMIT, or raise `max_rows`",
                self.max_rows
            ));
        }
        table(&schema, &batches)
    }
}

/// The batches as a [`QueryTable`].
fn table(schema: &Schema, batches: &[RecordBatch]) -> Result<QueryTable, String> {
    let keys = layout(schema)?;
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let mut rows = Vec::new();
    for batch in batches {
        let key_text = batch.columns()[..keys]
            .iter()
            .map(key_column)
            .collect::<Result<Vec<_>, _>>()?;
        let numbers = batch.columns()[keys..]
            .iter()
            .map(|c| cast(c, &DataType::Float64).map_err(|e| e.to_string()))
            .collect::<Result<Vec<ArrayRef>, _>>()?;
        for row in 0..batch.num_rows() {
            rows.push(QueryRow {
                keys: key_text.iter().map(|k| k[row].clone()).collect(),
                values: numbers
                    .iter()
                    .map(|c| {
                        let c = c.as_primitive::<Float64Type>();
                        c.is_valid(row).then(|| c.value(row))
                    })
                    .collect(),
            });
        }
    }
    Ok(QueryTable {
        keys: names[..keys].to_vec(),
        values: names[keys..].to_vec(),
        rows,
    })
}

/// A key column as text, `NULL` for a null.
fn key_column(column: &ArrayRef) -> Result<Vec<String>, String> {
    let formatter = ArrayFormatter::try_new(column.as_ref(), &FormatOptions::default())
        .map_err(|e| e.to_string())?;
    Ok((0..column.len())
        .map(|i| {
            if column.is_null(i) {
                "NULL".to_string()
            } else {
                formatter.value(i).to_string()
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_query_is_read_only() {
        assert_eq!(read_only("SELECT 1"), Ok(false));
        assert_eq!(read_only("SELECT 1 AS x ORDER BY x"), Ok(true));
        assert_eq!(
            read_only("WITH a AS (SELECT 1 AS x) SELECT x FROM a"),
            Ok(false)
        );
        for (sql, what) in [
            ("COPY (SELECT 1) TO 'out.csv'", "`COPY` is not"),
            ("CREATE TABLE t AS SELECT 1", "`CREATE` is not"),
            (
                "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION 'x.csv'",
                "`CREATE EXTERNAL TABLE` is not",
            ),
            ("INSERT INTO t VALUES (1)", "`INSERT` is not"),
            ("EXPLAIN SELECT 1", "`EXPLAIN` is not"),
            ("SELECT 1; SELECT 2", "holds 2 statements"),
            ("", "is empty"),
        ] {
            let err = read_only(sql).unwrap_err();
            assert!(err.contains(what), "{sql}: {err}");
        }
    }

    #[test]
    fn keys_come_before_the_numbers() {
        use datafusion::arrow::datatypes::Field;
        let schema = |types: &[(&str, DataType)]| {
            Schema::new(
                types
                    .iter()
                    .map(|(n, t)| Field::new(*n, t.clone(), true))
                    .collect::<Vec<_>>(),
            )
        };
        let ok = schema(&[
            ("model", DataType::Utf8),
            ("day", DataType::Int32),
            ("mse", DataType::Float64),
            ("n", DataType::Int64),
        ]);
        assert_eq!(layout(&ok), Ok(2));
        let err = layout(&schema(&[("model", DataType::Utf8)])).unwrap_err();
        assert!(
            err.contains("no floating-point column (model: Utf8)"),
            "{err}"
        );
        let err = layout(&schema(&[
            ("mse", DataType::Float64),
            ("model", DataType::Utf8),
        ]))
        .unwrap_err();
        assert!(
            err.contains("column `model` is of type Utf8 after"),
            "{err}"
        );
    }
}
