//! One report, built in memory: every stage but the write (the batch and
//! the watch write what this returns).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use rayon::prelude::*;

use super::prepare::{prepare, Prepared};
use super::write::ReportFiles;
use crate::compute::in_order;
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

/// [`load_templates`] for a render of one report, which writes no landing
/// page: the embedded landing templates are not compiled (a user's folder
/// is compiled whole, as its templates may include anything).
pub fn load_report_templates(dir: Option<&Path>) -> Result<Templates> {
    match dir {
        Some(dir) => Templates::with_overrides(dir),
        None => Templates::embedded_report(),
    }
    .context("cannot load the report templates")
}

/// Every stage but the write: the finished files of one report, in memory.
pub fn build(config: &Path, templates: &Templates) -> Result<ReportFiles> {
    build_prepared(prepare_to_draw(config)?, config, templates)
}

/// [`prepare`], with the fonts the figures need loaded beside it: the PNGs'
/// font database is built while the scenario is computed (on a core the
/// computation leaves idle), not by the first PNG while the other drawing
/// threads wait for it.
pub fn prepare_to_draw(config: &Path) -> Result<Prepared> {
    rayon::join(|| prepare(config), crate::plot::load_fonts).0
}

/// Draw, assemble and export a prepared scenario (`config` names it in
/// messages); `compare` prepares its scenario in memory and comes here.
///
/// Figures are independent: their SVGs are drawn on every core, then their
/// PNGs, while one task assembles the page and writes the tables and
/// `results.json` beside them (they need the SVGs, not the PNGs). Every part
/// is collected in the figures' order, so the bytes do not depend on the
/// thread count or on the order the work finishes in.
pub fn build_prepared(
    prepared: Prepared,
    config: &Path,
    templates: &Templates,
) -> Result<ReportFiles> {
    let Prepared { valid, computed } = prepared;
    let results = &computed.results;
    let scale = valid.png_scale;
    let cannot_draw = || format!("{}: cannot draw a figure", config.display());
    // An explorable figure's first frame is in `figures`; its others follow.
    let frames = results
        .explorables
        .iter()
        .flat_map(|e| e.frames.iter().skip(1));
    let to_draw: Vec<&crate::compute::FigureData> = results.figures.iter().chain(frames).collect();
    let svgs = in_order(to_draw.par_iter().map(|figure| {
        let svg = crate::plot::draw_svg(figure)?;
        let inline = crate::plot::inline_svg(&svg, figure)?;
        Ok::<_, crate::plot::PlotError>((svg, inline))
    }))
    .with_context(cannot_draw)?;
    let inline_svgs: BTreeMap<String, String> = to_draw
        .iter()
        .zip(&svgs)
        .map(|(figure, (_, inline))| (figure.name.clone(), inline.clone()))
        .collect();
    let (pngs, page) = rayon::join(
        || {
            in_order(to_draw.par_iter().zip(&svgs).map(|(figure, (svg, _))| {
                let scale = figure.options.png_scale.unwrap_or(scale);
                crate::plot::png_from_svg(figure, svg, scale)
            }))
        },
        || -> Result<_> {
            let index_html = assemble(results, &inline_svgs, templates)
                .with_context(|| format!("{}: cannot assemble the report", config.display()))?;
            let tables = results
                .tables
                .iter()
                .map(|t| Ok((t.name.clone(), table_csv(t)?)))
                .collect::<Result<BTreeMap<_, _>>>()?;
            let (results_json, digest) = results_json(&computed)?;
            Ok((index_html, tables, results_json, digest))
        },
    );
    let pngs = pngs.with_context(cannot_draw)?;
    let (index_html, tables, results_json, digest) = page?;
    let names = || to_draw.iter().map(|figure| figure.name.clone());
    let svgs = names().zip(svgs.into_iter().map(|(svg, _)| svg)).collect();
    let pngs = names().zip(pngs).collect();
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
            let read_back = ReportDigest::from_results_json(&files.results_json.text()).unwrap();
            assert_eq!(files.digest, read_back, "{name}");
            assert!(!files.digest.title.is_empty(), "{name}");
        }
        let files = build(&dir.join("compare-regression.toml"), &templates).unwrap();
        assert!(!files.digest.comparisons.is_empty());
        assert!(!files.digest.checks.is_empty());
    }

    /// `results.json`, written straight from the results, is byte for byte
    /// what printing their `toml::Value` copy gave, for every shipped config.
    #[test]
    fn results_json_is_the_toml_copy_printed_for_every_config() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
        let mut configs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        configs.sort();
        assert!(configs.len() >= 10, "{configs:?}");
        for config in &configs {
            let computed = prepare(config).unwrap().computed;
            let (json, _) = results_json(&computed).unwrap();
            let old = crate::export::results_json_through_toml(&computed).unwrap();
            assert!(json.text() == old, "{}", config.display());
        }
    }
}
