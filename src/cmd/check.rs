//! `losslab check`: every validation `render` runs (parse, validate, compute,
//! Markdown and formulas, figure sizes), short of drawing; writes nothing.

use std::path::PathBuf;

use anyhow::Result;

use super::prepare::{prepare, Prepared};

/// Arguments of `losslab check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario files (TOML): each is parsed, validated and computed as
    /// `render` would, and reported OK or with its first error.
    #[arg(required = true)]
    pub configs: Vec<PathBuf>,
}

pub fn run(args: &CheckArgs) -> Result<()> {
    for config in &args.configs {
        // Everything `render` checks, short of drawing and writing.
        let Prepared { computed, .. } = prepare(config)?;
        let results = &computed.results;
        println!(
            "{}: OK ({}, {}, {}, {}, {} explained by errata)",
            config.display(),
            count(results.figures.len(), "figure", "figures"),
            count(results.tables.len(), "table", "tables"),
            count(computed.quantities.len(), "quantity", "quantities"),
            count(results.warnings.len(), "warning", "warnings"),
            results.explained_warnings.len(),
        );
        for warning in &results.warnings {
            println!("  warning: {warning}");
        }
    }
    Ok(())
}

/// `1 figure`, `2 figures`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular() {
        assert_eq!(super::count(1, "figure", "figures"), "1 figure");
        assert_eq!(super::count(0, "figure", "figures"), "0 figures");
        assert_eq!(super::count(2, "quantity", "quantities"), "2 quantities");
    }
}
