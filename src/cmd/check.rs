//! `losslab check`: parse and validate scenarios, write nothing.

pub fn run(configs: &[std::path::PathBuf]) -> anyhow::Result<()> {
    anyhow::bail!("check is not implemented yet ({configs:?})")
}
