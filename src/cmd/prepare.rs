//! What `check` and `render` share: every stage and every validation short
//! of drawing and writing, so that `check` says OK exactly when `render`
//! would succeed, with the same message when it would not.

use std::path::Path;

use anyhow::{Context, Result};

use crate::compute::{compute, Computed};
use crate::scenario::{self, ValidScenario};

/// A scenario that passed every check: validated, computed, its Markdown and
/// formulas convertible, its figures drawable within the pixel budget.
pub struct Prepared {
    pub valid: ValidScenario,
    pub computed: Computed,
}

pub fn prepare(config: &Path) -> Result<Prepared> {
    let valid = scenario::load(config)?;
    // Computing catches what only the core can see (e.g. lengths that differ).
    let computed = compute(&valid)?;
    check_text(&valid, &computed)?;
    for (i, figure) in computed.results.figures.iter().enumerate() {
        crate::plot::check_drawable(figure, figure.options.png_scale.unwrap_or(valid.png_scale))
            .with_context(|| {
                let at = valid.locator.locate(&format!("figures[{i}]"));
                format!("{}: {at} cannot be drawn", valid.file)
            })?;
    }
    for explorable in &computed.results.explorables {
        for frame in &explorable.frames {
            crate::plot::check_drawable(frame, valid.png_scale)
                .with_context(|| format!("{}: frame {} cannot be drawn", valid.file, frame.name))?;
        }
    }
    Ok(Prepared { valid, computed })
}

/// Convert every Markdown field and formula the report shows; an error
/// names the key path (`sections[0].formulas[1]`).
fn check_text(valid: &ValidScenario, computed: &Computed) -> Result<()> {
    let results = &computed.results;
    let at = |key: &str| format!("{}: {}", valid.file, valid.locator.locate(key));
    crate::report::check_markdown(&results.intro).with_context(|| at("metadata.intro"))?;
    for (i, (section, spec)) in results.sections.iter().zip(&valid.sections).enumerate() {
        for markdown in
            std::iter::once(&section.markdown).chain(section.placed.iter().map(|b| &b.markdown))
        {
            crate::report::check_markdown(markdown)
                .with_context(|| at(&format!("sections[{i}].markdown")))?;
        }
        for (latex, key) in section.formulas.iter().zip(&spec.formula_keys) {
            crate::report::check_formula(latex).with_context(|| at(key))?;
        }
    }
    for erratum in &results.errata {
        let index = valid.errata.iter().position(|e| e.id == erratum.id);
        let key = match index {
            Some(i) => format!("errata[{i}].correction"),
            None => format!("erratum \"{}\" correction", erratum.id),
        };
        crate::report::check_markdown(&erratum.correction).with_context(|| at(&key))?;
    }
    Ok(())
}
