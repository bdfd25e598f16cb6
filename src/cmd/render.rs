//! `losslab render`: parse → validate → compute → draw → assemble → write.

use std::path::Path;

pub fn run(
    configs: &[std::path::PathBuf],
    out: &Path,
    templates: Option<&Path>,
) -> anyhow::Result<()> {
    anyhow::bail!("render is not implemented yet ({configs:?}, {out:?}, {templates:?})")
}
