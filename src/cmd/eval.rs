//! `losslab eval`: one loss on data given on the command line.

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Loss name or alias (see `losslab list`).
    #[arg(long)]
    pub loss: String,
}

pub fn run(args: &EvalArgs) -> anyhow::Result<()> {
    anyhow::bail!("eval is not implemented yet ({args:?})")
}
