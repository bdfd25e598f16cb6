//! The `losslab` command: parses arguments and calls one command in `cmd/`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use losslab::cmd;

#[derive(Parser)]
#[command(
    name = "losslab",
    version,
    about = "Loss functions made visible and exact"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate one loss on data: value, per-sample values, gradient, Hessian.
    Eval(cmd::eval::EvalArgs),
    /// Print a ready XGBoost or LightGBM custom objective (Python, NumPy) for a loss.
    Objective(cmd::objective::ObjectiveArgs),
    /// Time each loss's kernels on generated data (median of several runs).
    Bench(cmd::bench::BenchArgs),
    /// List every loss with its aliases, parameters, defaults and formula.
    List,
    /// Render scenario files (or folders of them) into HTML reports with figures, tables and results.json.
    Render(cmd::render::RenderArgs),
    /// Compare several models' predictions in one file under several losses:
    /// a report with intervals and p-values, and the scenario that reproduces it.
    Compare(cmd::compare::CompareArgs),
    /// Aggregate losses with SQL over Parquet and CSV files (Apache DataFusion;
    /// needs the `datafusion` feature): `losslab sql "SELECT model, huber(y, p, 1.0)
    /// FROM 'preds/*.parquet' GROUP BY model"`.
    Sql(cmd::sql::SqlArgs),
    /// Validate scenario files without writing anything.
    Check(cmd::check::CheckArgs),
    /// Write a commented starter scenario to NAME.toml.
    New(cmd::new::NewArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Eval(args) => cmd::eval::run(&args).map(|()| 0),
        Command::List => cmd::list::run().map(|()| 0),
        Command::Objective(args) => cmd::objective::run(&args).map(|()| 0),
        Command::Bench(args) => cmd::bench::run(&args).map(|()| 0),
        // Exit status 3: every report written, but a scenario's check failed.
        Command::Render(args) => cmd::render::run(&args).map(|status| status.exit_code()),
        Command::Check(args) => cmd::check::run(&args).map(|()| 0),
        // Exit status 3 too when a `--check` fails (the report is written).
        Command::Compare(args) => cmd::compare::run(&args).map(|status| status.exit_code()),
        Command::New(args) => cmd::new::run(&args).map(|()| 0),
        Command::Sql(args) => cmd::sql::run(&args).map(|()| 0),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // The whole cause chain, once, in Display form (keeps toml's snippet).
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
