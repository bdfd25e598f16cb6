//! Subcommands: one file each; they wire the stages together.

pub mod bench;
pub mod check;
pub mod compare;
mod data_arg;
pub mod eval;
mod eval_output;
pub mod list;
pub mod new;
pub mod prepare;
pub mod render;
pub mod write;
