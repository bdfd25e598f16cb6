//! One report, built in memory: every stage but the write (the batch and
//! the watch write what this returns).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use rayon::prelude::*;

use super::prepare::{prepare, Prepared};
use super::write::ReportFiles;
use crate::export::{results_json, table_csv};
use crate::report::{assemble, Templates};

/// The embedded templates, overridden by name from `dir`.
pub fn load_templates(dir: Option<&Path>) -> Result<Templates> {
    match dir {
        Some(dir) => Templates::with_overrides(dir),
        None => Templates::embedded(),
    }
    .context("cannot load the report templates")
}

/// Every stage but the write: the finished files of one report, in memory.
pub fn build(config: &Path, templates: &Templates) -> Result<ReportFiles> {
    build_prepared(prepare(config)?, config, templates)
}

/// Draw, assemble and export a prepared scenario (`config` names it in
/// messages); `compare` prepares its scenario in memory and comes here.
pub fn build_prepared(
    prepared: Prepared,
    config: &Path,
    templates: &Templates,
) -> Result<ReportFiles> {
    let Prepared { valid, computed } = prepared;
    let results = &computed.results;
    let scale = valid.png_scale;
    // Figures are independent: draw them on every core; the output does not
    // depend on the order they finish in.
    // An explorable figure's first frame is in `figures`; its others follow.
    let frames = results
        .explorables
        .iter()
        .flat_map(|e| e.frames.iter().skip(1));
    let to_draw: Vec<&crate::compute::FigureData> = results.figures.iter().chain(frames).collect();
    let drawn = to_draw
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
    let (results_json, digest) = results_json(&computed)?;
    Ok(ReportFiles {
        stem: valid.stem.clone(),
        index_html,
        results_json,
        digest,
        svgs,
        pngs,
        tables,
        per_sample: computed
            .comparisons
            .iter()
            .map(|c| c.per_sample.clone())
            .collect(),
        failed_checks: computed
            .failed_checks()
            .iter()
            .map(|c| format!("{} ({})", c.description, c.detail))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::ReportDigest;

    /// The digest the landing page uses comes from the value tree, not from
    /// parsing `results.json` back; both must say the same, comparisons,
    /// ranks and checks included.
    #[test]
    fn the_digest_is_what_results_json_says() {
        let templates = load_templates(None).unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
        for name in ["compare-regression.toml", "article.toml"] {
            let files = build(&dir.join(name), &templates).unwrap();
            let read_back = ReportDigest::from_results_json(&files.results_json).unwrap();
            assert_eq!(files.digest, read_back, "{name}");
            assert!(!files.digest.title.is_empty(), "{name}");
        }
        let files = build(&dir.join("compare-regression.toml"), &templates).unwrap();
        assert!(!files.digest.comparisons.is_empty());
        assert!(!files.digest.checks.is_empty());
    }
}
