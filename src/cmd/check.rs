//! `losslab check`: parse, validate and compute (dry run) each scenario; write nothing.

use std::path::PathBuf;

use anyhow::Result;

use crate::compute::compute;
use crate::scenario;

/// Arguments of `losslab check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario files (TOML).
    #[arg(required = true)]
    pub configs: Vec<PathBuf>,
}

pub fn run(args: &CheckArgs) -> Result<()> {
    for config in &args.configs {
        let valid = scenario::load(config)?;
        // Computing catches what only the core can see (e.g. lengths that differ).
        let computed = compute(&valid)?;
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
