//! `losslab render`: parse → validate → compute → draw → assemble → write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use super::prepare::{prepare, Prepared};
use super::write::{write_report, ReportFiles};
use crate::export::{results_json, table_csv};
use crate::report::{assemble, Templates};
use crate::scenario;

/// Arguments of `losslab render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// Scenario files (TOML).
    #[arg(required = true)]
    pub configs: Vec<PathBuf>,
    /// Output folder; each report lands in OUT/`<config name>`/.
    #[arg(
        long,
        default_value = "output",
        help = "Output folder; each report lands in OUT/<config name>/"
    )]
    pub out: PathBuf,
    /// Folder of templates that override the embedded ones by name.
    #[arg(long)]
    pub templates: Option<PathBuf>,
}

pub fn run(args: &RenderArgs) -> Result<()> {
    let (configs, out) = (&args.configs, &args.out);
    let templates = match &args.templates {
        Some(dir) => Templates::with_overrides(dir),
        None => Templates::embedded(),
    }
    .context("cannot load the report templates")?;
    refuse_shared_folders(configs)?;
    for config in configs {
        let files = build(config, &templates)?;
        let dir = write_report(out, &files)
            .with_context(|| format!("{}: cannot write the report", config.display()))?;
        println!(
            "{}: report written to {}",
            config.display(),
            dir.join("index.html").display()
        );
    }
    Ok(())
}

/// Two configs whose reports would land in one folder (`"a b.toml"` and
/// `a-b.toml`, or `x/r.toml` and `y/r.toml`): the second would replace the first.
fn refuse_shared_folders(configs: &[PathBuf]) -> Result<()> {
    let mut seen: BTreeMap<String, &Path> = BTreeMap::new();
    for config in configs {
        let folder = scenario::report_folder(config);
        if let Some(first) = seen.insert(folder.clone(), config) {
            if first == config.as_path() {
                bail!("{} is given twice", config.display());
            }
            bail!(
                "{} and {} would both be written to the report folder \"{folder}\"; \
                 rename one of them or render them into different --out folders",
                first.display(),
                config.display()
            );
        }
    }
    Ok(())
}

/// Every stage but the write: the finished files of one report, in memory.
pub fn build(config: &Path, templates: &Templates) -> Result<ReportFiles> {
    let Prepared { valid, computed } = prepare(config)?;
    let results = &computed.results;
    let scale = valid.png_scale;
    // Figures are independent: draw them on every core; the output does not
    // depend on the order they finish in.
    let drawn = results
        .figures
        .par_iter()
        .map(|figure| {
            let svg = crate::plot::draw_svg(figure)?;
            let inline = crate::plot::inline_svg(&svg, figure)?;
            let scale = figure.options.png_scale.unwrap_or(scale);
            let png = crate::plot::png_from_svg(figure, &svg, scale)?;
            Ok((figure.name.clone(), svg, inline, png))
        })
        .collect::<Result<Vec<_>, crate::plot::PlotError>>()
        .with_context(|| format!("{}: cannot draw a figure", config.display()))?;
    let mut svgs = BTreeMap::new();
    let mut inline_svgs = BTreeMap::new();
    let mut pngs = BTreeMap::new();
    for (name, svg, inline, png) in drawn {
        svgs.insert(name.clone(), svg);
        inline_svgs.insert(name.clone(), inline);
        pngs.insert(name, png);
    }
    let index_html = assemble(results, &inline_svgs, templates)
        .with_context(|| format!("{}: cannot assemble the report", config.display()))?;
    let tables = results
        .tables
        .iter()
        .map(|t| Ok((t.name.clone(), table_csv(t)?)))
        .collect::<Result<BTreeMap<_, _>>>()?;
    Ok(ReportFiles {
        stem: valid.stem.clone(),
        index_html,
        results_json: results_json(&computed)?,
        svgs,
        pngs,
        tables,
    })
}
