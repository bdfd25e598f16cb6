//! `losslab new`: write a commented starter scenario.

pub fn run(name: &str) -> anyhow::Result<()> {
    anyhow::bail!("new is not implemented yet ({name})")
}
