//! `losslab check`: every validation `render` runs (parse, validate, compute,
//! Markdown and formulas, figure sizes), short of drawing; writes nothing.

use std::path::PathBuf;

use anyhow::Result;

use super::prepare::{prepare, Prepared};

/// Arguments of `losslab check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario files (TOML).
    #[arg(required = true)]
    pub configs: Vec<PathBuf>,
}

pub fn run(args: &CheckArgs) -> Result<()> {
    for config in &args.configs {
        // Everything `render` checks, short of drawing and writing.
        let Prepared { computed, .. } = prepare(config)?;
        let results = &computed.results;
        println!(
            "{}: OK ({} figures, {} tables, {} quantities, {} warnings, {} explained by errata)",
            config.display(),
            results.figures.len(),
            results.tables.len(),
            computed.quantities.len(),
            results.warnings.len(),
            results.explained_warnings.len()
        );
        for warning in &results.warnings {
            println!("  warning: {warning}");
        }
    }
    Ok(())
}
