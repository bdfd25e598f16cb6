//! `losslab sql`'s engine: a session with the losses registered, the files
//! the query names in `FROM` registered as tables, and the query run.
//!
//! A table named by a quoted path (`FROM 'preds/*.parquet'`) is the file,
//! or every file the glob matches, read as Parquet (`.parquet`) or CSV
//! (`.csv`, with a header row) by the extension. Other names are left to
//! DataFusion (a name that is no table is its planning error).

use std::path::Path;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{plan_err, Result, TableReference};
use datafusion::config::Dialect;
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionConfig, SessionContext};

/// The file formats a table in `FROM` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Parquet,
    Csv,
}

/// The kind of a table name that is a path, by its extension; `None` for a
/// name that is not a file path.
pub fn file_kind(name: &str) -> Option<FileKind> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".parquet") {
        Some(FileKind::Parquet)
    } else if lower.ends_with(".csv") {
        Some(FileKind::Csv)
    } else {
        None
    }
}

/// The command's configuration: `partitions` target partitions (0:
/// DataFusion's default, the number of cores).
pub fn config(partitions: usize) -> SessionConfig {
    SessionConfig::new().with_target_partitions(partitions)
}

/// A session with every loss function.
pub fn session(config: SessionConfig) -> SessionContext {
    let ctx = SessionContext::new_with_config(config);
    super::register(&ctx);
    ctx
}

/// Register every file path the query names as a table (under that same
/// name, so the query reads it as written).
pub async fn register_files(ctx: &SessionContext, sql: &str) -> Result<()> {
    register_files_in(ctx, sql, Path::new("")).await
}

/// [`register_files`] with the paths relative to `base` (a scenario's
/// folder); the tables keep the names as written.
pub async fn register_files_in(ctx: &SessionContext, sql: &str, base: &Path) -> Result<()> {
    let state = ctx.state();
    let statement = state.sql_to_statement(sql, &Dialect::Generic)?;
    for reference in state.resolve_table_references(&statement)? {
        let TableReference::Bare { table } = &reference else {
            continue;
        };
        let Some(kind) = file_kind(table) else {
            continue;
        };
        if ctx.table_exist(reference.clone())? {
            continue;
        }
        let is_glob = table.contains(['*', '?', '[']);
        let path = base.join(table.as_ref());
        if !is_glob && !path.is_file() {
            return plan_err!("no such file: '{table}' (named in FROM)");
        }
        let path = path.to_string_lossy();
        let name = TableReference::bare(table.as_ref());
        match kind {
            FileKind::Parquet => {
                ctx.register_parquet(name, path.as_ref(), ParquetReadOptions::default())
                    .await?
            }
            FileKind::Csv => {
                ctx.register_csv(name, path.as_ref(), CsvReadOptions::new().has_header(true))
                    .await?
            }
        }
    }
    Ok(())
}

/// Plan and run a query over the files it names: the result's schema and
/// batches, at most `max_rows + 1` rows (so that the caller can tell a
/// result over its budget without holding all of it).
pub async fn run(
    ctx: &SessionContext,
    sql: &str,
    max_rows: usize,
) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    register_files(ctx, sql).await?;
    let frame = ctx.sql(sql).await?;
    let frame = frame.limit(0, Some(max_rows.saturating_add(1)))?;
    let schema = frame.schema().inner().clone();
    let batches = frame.collect().await?;
    Ok((schema, batches))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_kinds_by_extension() {
        assert_eq!(file_kind("preds/*.parquet"), Some(FileKind::Parquet));
        assert_eq!(file_kind("a.CSV"), Some(FileKind::Csv));
        assert_eq!(file_kind("preds"), None);
    }
}
