//! `losslab sql "SELECT model, huber(y, p, 1.0) FROM 'preds/*.parquet' GROUP BY model"`:
//! the losses as SQL aggregate functions over Parquet and CSV files, run by
//! Apache DataFusion (see [`crate::sql`]). Built only with the cargo
//! feature `datafusion`; without it the command says how to get it.

use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct SqlArgs {
    /// The query. Files named in quotes in FROM ('preds.parquet',
    /// 'preds/*.parquet', 'data.csv') are read as tables (Parquet or CSV
    /// with a header, by extension); every loss of `losslab list` is an
    /// aggregate function: mse(y, p), huber(y, p, 1.0), NAME_compensated
    /// for the compensated instead of the exact sum, NAME_logits where the
    /// loss has a logits form.
    pub query: String,
    /// Print JSON (an array of objects, one per row).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV with a header row.
    #[arg(long)]
    pub csv: bool,
    /// Target partitions of the query plan (default: the number of cores).
    /// The exact functions give the same bits for any number.
    #[arg(long, default_value_t = 0)]
    pub partitions: usize,
    /// The most result rows printed; a query that gives more is an error
    /// (this command prints aggregates: add GROUP BY or LIMIT).
    #[arg(long, default_value_t = 1_000_000)]
    pub max_rows: usize,
}

#[cfg(feature = "datafusion")]
pub fn run(args: &SqlArgs) -> Result<()> {
    use crate::sql::output::{render, Format};
    use crate::sql::query;
    use anyhow::{bail, Context};
    let format = match (args.json, args.csv) {
        (true, _) => Format::Json,
        (_, true) => Format::Csv,
        _ => Format::Table,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the query runtime")?;
    let ctx = query::session(query::config(args.partitions));
    let (schema, batches) = runtime
        .block_on(query::run(&ctx, &args.query, args.max_rows))
        .map_err(|e| anyhow::anyhow!("{}", e.strip_backtrace()))?;
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    if rows > args.max_rows {
        bail!(
            "the query gives more than {} rows (--max-rows); losslab sql prints aggregates: \
             add GROUP BY or LIMIT, or raise --max-rows",
            args.max_rows
        );
    }
    let text = render(&schema, &batches, format).map_err(|e| anyhow::anyhow!("{e}"))?;
    print!("{text}");
    Ok(())
}

#[cfg(not(feature = "datafusion"))]
pub fn run(_args: &SqlArgs) -> Result<()> {
    anyhow::bail!(
        "losslab sql needs the `datafusion` feature, which this build does not have: rebuild \
         with `cargo build --release --features datafusion` (a long build: DataFusion compiles \
         in about a quarter of an hour)"
    )
}
