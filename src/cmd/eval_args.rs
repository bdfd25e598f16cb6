//! What `eval` was asked: the data arguments, the losses and which data each
//! loss reads, and what to print; shared by the in-memory and the streamed
//! evaluation.

use super::data_arg::DataArg;
use crate::loss::{Loss, Reduction};

/// One data argument: its flag as shown in messages, and what was given.
pub struct Argument {
    pub flag: String,
    pub data: DataArg,
}

/// One loss and the arguments it reads (indices into the argument list).
pub struct Task {
    pub loss: Loss,
    pub target: usize,
    pub prediction: usize,
    pub weights: Option<usize>,
}

/// What to print.
#[derive(Clone, Copy)]
pub struct Request {
    pub reduction: Option<Reduction>,
    pub json: bool,
    pub summary: bool,
}

/// With several losses, an error names its loss.
pub fn for_loss(err: anyhow::Error, loss: &Loss, several: bool) -> anyhow::Error {
    if several && err.downcast_ref::<std::io::Error>().is_none() {
        anyhow::anyhow!("--loss {}: {err:#}", loss.name())
    } else {
        err
    }
}
