//! Subcommands: one file each; they wire the stages together.

pub mod batch;
pub mod batch_write;
pub mod bench;
pub mod check;
pub mod compare;
mod data_arg;
pub mod eval;
mod eval_args;
pub(crate) mod eval_output;
mod eval_score;
mod eval_stream;
pub(crate) mod heap;
pub mod list;
pub mod new;
pub mod objective;
pub mod prepare;
pub mod render;
pub mod render_build;
pub mod render_inputs;
pub mod sql;
pub mod watch;
pub mod write;
mod write_reuse;
