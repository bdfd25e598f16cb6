//! Helpers of `tests/ballista.rs`: a partitioned Parquet data set and a
//! Ballista cluster of `losslab-ballista` processes on 127.0.0.1.

pub mod cluster;
pub mod data;
