//! Tolerances of the test suites: the library's own, in one place
//! (`losslab::loss::prec`).
#![allow(dead_code)]

#[allow(unused_imports)] // Not every suite that uses `common` needs the tolerances.
pub use losslab::loss::prec::*;
pub mod cli;
