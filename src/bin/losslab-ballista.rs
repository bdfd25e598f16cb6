//! `losslab-ballista`: a Ballista scheduler or executor that knows losslab's
//! loss functions (feature `ballista`). Start one scheduler and one or more
//! executors, then run queries on them with `losslab-ballista sql` (or from
//! Rust with `losslab::cluster::connect`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use losslab::cluster::{self, ExecutorOptions, SchedulerOptions, Table};

#[derive(Parser)]
#[command(
    name = "losslab-ballista",
    version,
    about = "A Ballista scheduler or executor with losslab's loss functions registered"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scheduler: clients submit queries to it, it hands tasks to executors.
    Scheduler(SchedulerOptions),
    /// Run an executor that registers with a scheduler and runs its tasks.
    Executor(ExecutorOptions),
    /// Run one SQL query on the cluster and print its result as a table.
    Sql {
        /// The query; every loss of `losslab list` is an aggregate function.
        query: String,
        /// A table of the query, NAME=PATH (Parquet or CSV with a header; a
        /// file, a folder or a glob), repeatable. Scheduler and executors
        /// read PATH themselves.
        #[arg(long = "table", value_name = "NAME=PATH")]
        tables: Vec<Table>,
        /// The scheduler's host.
        #[arg(long, default_value = "127.0.0.1")]
        scheduler_host: String,
        /// The scheduler's port.
        #[arg(long, default_value_t = 50050)]
        scheduler_port: u16,
        /// Target partitions per stage (0: DataFusion's default).
        #[arg(long, default_value_t = 0)]
        partitions: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Ballista logs through `log`: warnings and errors on stderr unless
    // RUST_LOG asks for more (`RUST_LOG=info` shows jobs, stages and tasks).
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: starting the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Scheduler(options) => cluster::run_scheduler(&options).await,
            Command::Executor(options) => cluster::run_executor(&options).await,
            Command::Sql {
                query,
                tables,
                scheduler_host,
                scheduler_port,
                partitions,
            } => cluster::run_query(&scheduler_host, scheduler_port, &tables, partitions, &query)
                .await
                .map(|text| println!("{text}")),
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
