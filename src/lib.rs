//! losslab: neural-network loss functions made visible and exact.
//!
//! The pipeline, one module per stage:
//! parse + validate ([`scenario`]) → compute ([`compute`]) → draw ([`plot`])
//! → assemble ([`report`]) → write ([`cmd`]). The numerical core is [`loss`];
//! user data files (CSV, Parquet, `.npy`) are read by [`io`].

pub mod cmd;
pub mod compute;
pub mod io;
pub mod loss;
pub mod plot;
pub mod report;
pub mod scenario;
