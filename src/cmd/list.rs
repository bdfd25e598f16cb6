//! `losslab list`: every loss with aliases, parameters, defaults and formula.

pub fn run() -> anyhow::Result<()> {
    anyhow::bail!("list is not implemented yet")
}
