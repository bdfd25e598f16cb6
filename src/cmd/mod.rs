//! Subcommands: one file each; they wire the stages together.

pub mod check;
mod data_arg;
mod eval_output;
pub mod eval;
mod json;
pub mod list;
pub mod new;
pub mod render;
pub mod write;
