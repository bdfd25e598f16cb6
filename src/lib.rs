//! losslab: neural-network loss functions made visible and exact.
//!
//! The pipeline, one module per stage:
//! parse + validate ([`scenario`]) → compute ([`compute`]) → draw ([`plot`])
//! → assemble ([`report`]) → write ([`cmd`]); results also leave as JSON
//! and CSV ([`export`]). The numerical core is [`loss`]; user data files
//! (CSV, Parquet, `.npy`) are read by [`io`]; [`stats`] holds the seeded,
//! deterministic statistics of model comparisons;
//! [`train`] is a small exact trainer on the core's derivatives.
//! Behind the `ballista` feature, `cluster` runs the SQL loss functions on
//! an Apache Ballista cluster.

#[cfg(feature = "ballista")]
pub mod cluster;
pub mod cmd;
pub mod compute;
pub mod export;
pub mod format;
pub mod huge_buffer;
pub mod io;
pub mod loss;
pub mod plot;
pub mod read_limits;
pub mod report;
pub mod scenario;
#[cfg(feature = "datafusion")]
pub mod sql;
pub mod stats;
pub mod train;
