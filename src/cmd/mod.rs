//! Subcommands: one file each; they wire the stages together.

pub mod batch;
pub mod batch_write;
pub mod bench;
pub mod check;
mod data_arg;
pub mod eval;
mod eval_output;
pub mod list;
pub mod new;
pub mod prepare;
pub mod render;
pub mod render_build;
pub mod render_inputs;
pub mod watch;
pub mod write;
