//! Subcommands: one file each; they wire the stages together.

pub mod check;
mod data_arg;
pub mod eval;
pub mod list;
pub mod new;
pub mod prepare;
pub mod render;
pub mod write;
