//! Tolerances of the test suites: the library's own, in one place
//! (`losslab::loss::prec`).
#![allow(dead_code)]

pub use losslab::loss::prec::*;
pub mod cli;
