//! `losslab-ballista sql`: one query on the cluster over named tables.

use anyhow::{bail, Context, Result};
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionConfig};

/// Most target partitions a query may ask for (each is a task per stage).
pub const MAX_PARTITIONS: usize = 4096;

/// A table of the query: `NAME=PATH`, PATH a Parquet or CSV file, a folder
/// of them, or a glob (`preds/*.parquet`).
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub path: String,
}

impl std::str::FromStr for Table {
    type Err = String;
    fn from_str(text: &str) -> std::result::Result<Table, String> {
        match text.split_once('=') {
            Some((name, path)) if !name.is_empty() && !path.is_empty() => Ok(Table {
                name: name.to_string(),
                path: path.to_string(),
            }),
            _ => Err(format!(
                "`{text}`: expected NAME=PATH, e.g. preds=preds/*.parquet"
            )),
        }
    }
}

/// Runs `sql` on the scheduler at `host:port` with `tables` registered and
/// `partitions` target partitions (0: DataFusion's default) and returns the
/// result as a text table.
pub async fn run_query(
    host: &str,
    port: u16,
    tables: &[Table],
    partitions: usize,
    sql: &str,
) -> Result<String> {
    if partitions > MAX_PARTITIONS {
        bail!("--partitions {partitions}: at most {MAX_PARTITIONS}");
    }
    let mut config = SessionConfig::new();
    if partitions > 0 {
        config = config.with_target_partitions(partitions);
    }
    let ctx = super::connect(host, port, config)
        .await
        .with_context(|| format!("connecting to the scheduler at {host}:{port}"))?;
    for table in tables {
        let register = if table.path.to_ascii_lowercase().ends_with(".csv") {
            ctx.register_csv(
                &table.name,
                &table.path,
                CsvReadOptions::new().has_header(true),
            )
            .await
        } else {
            ctx.register_parquet(&table.name, &table.path, ParquetReadOptions::default())
                .await
        };
        register.with_context(|| format!("--table {}={}", table.name, table.path))?;
    }
    let batches = ctx
        .sql(sql)
        .await
        .context("planning the query")?
        .collect()
        .await
        .context("running the query on the cluster")?;
    Ok(pretty_format_batches(&batches)?.to_string())
}
