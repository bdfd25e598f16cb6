//! losslab's loss functions on an Apache Ballista cluster (feature `ballista`).
//!
//! Ballista runs a DataFusion plan across processes: a *scheduler* receives
//! the client's logical plan, plans it into stages and hands each stage's
//! tasks to *executors*, which exchange partial results through shuffle files
//! served over Arrow Flight. Ballista 55 resolves an aggregate function by its
//! name wherever a plan is decoded, so every process must know losslab's
//! functions (see [`crate::sql::aggregate_udfs`]):
//!
//! - the client plans the SQL: [`connect`] registers them on its context;
//! - the scheduler decodes the logical plan with the session state its
//!   `SessionBuilder` makes: [`session_builder`] adds them to Ballista's;
//! - each executor decodes its tasks' physical plans with a
//!   `BallistaFunctionRegistry`: [`function_registry`] adds them to the default.
//!
//! A loss crosses the network as its name and its arguments (the Huber δ is a
//! literal argument); between stages only accumulator states travel (the
//! partial sums as Arrow columns), combined by the accumulators' `merge_batch`.
//! So the exact accumulator gives on a cluster the bits it gives in one
//! process (`tests/ballista.rs` checks it).
//!
//! [`run_scheduler`] and [`run_executor`] start the servers in the calling
//! process and [`run_query`] runs one query on them; the `losslab-ballista`
//! binary wraps them as subcommands.

mod client;
mod executor;
mod functions;
mod query;
mod scheduler;

pub use client::connect;
pub use executor::{run_executor, ExecutorOptions};
pub use functions::{function_registry, session_builder};
pub use query::{run_query, Table, MAX_PARTITIONS};
pub use scheduler::{run_scheduler, SchedulerOptions};
