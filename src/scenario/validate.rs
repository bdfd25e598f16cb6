//! The validate stage: [`Scenario`] → [`ValidScenario`].
//!
//! Order matters: datasets, losses and distributions first (they only need
//! themselves), then quantities, figures and tables that refer to them, then
//! sections and errata that refer to everything.

use std::collections::BTreeMap;
use std::path::Path;

use super::context::Context;
use super::error::{Reporter, ScenarioError};
use super::valid::*;
use super::Scenario;

/// Insert under a checked, unique name.
fn insert_unique<T>(
    ctx: &Context,
    map: &mut BTreeMap<String, T>,
    path: &str,
    name: &str,
    value: T,
) -> Result<(), ScenarioError> {
    ctx.check_name(path, name)?;
    if map.insert(name.to_string(), value).is_some() {
        return Err(ctx
            .rep
            .invalid(path, format!("\"{name}\" is defined twice")));
    }
    Ok(())
}

/// Validate a parsed scenario. `file` is the path the user gave (scenario-relative
/// CSV paths are resolved against its folder).
pub fn validate(scenario: &Scenario, file: &Path) -> Result<ValidScenario, ScenarioError> {
    let shown = file.display().to_string();
    let rep = Reporter {
        file: shown.clone(),
        locator: scenario.locator.clone(),
    };
    let base = file.parent().unwrap_or(Path::new("."));
    let mut ctx = Context {
        rep: rep.clone(),
        datasets: BTreeMap::new(),
        dataset_labels: BTreeMap::new(),
        model_sets: BTreeMap::new(),
        queries: BTreeMap::new(),
        losses: BTreeMap::new(),
        distributions: BTreeMap::new(),
        normals: BTreeMap::new(),
        quantities: BTreeMap::new(),
        trainings: BTreeMap::new(),
        figures: Vec::new(),
        tables: Vec::new(),
    };

    let scale = scenario.metadata.output.png_scale;
    if !(scale.is_finite() && scale > 0.0 && scale <= 8.0) {
        return Err(rep.invalid(
            "metadata.output.png_scale",
            format!("must be in (0, 8], got {scale}"),
        ));
    }

    // Every query is planned before any file is read or query run.
    let mut planned = super::query::plan_all(&scenario.datasets, base, &rep)?;
    let mut datasets = BTreeMap::new();
    let mut model_sets = BTreeMap::new();
    let mut queries = BTreeMap::new();
    for (i, spec) in scenario.datasets.iter().enumerate() {
        let path = format!("datasets[{i}]");
        let twice = || {
            rep.invalid(
                format!("{path}.name"),
                format!("\"{}\" is defined twice", spec.name),
            )
        };
        if let Some(query) = planned[i].take() {
            // The name is checked before the query reads its rows.
            if datasets.contains_key(&spec.name)
                || model_sets.contains_key(&spec.name)
                || queries.contains_key(&spec.name)
            {
                return Err(twice());
            }
            ctx.check_name(&format!("{path}.name"), &spec.name)?;
            let table = super::query::run(query, &format!("{path}.sql"), &rep)?;
            queries.insert(spec.name.clone(), table);
            continue;
        }
        if queries.contains_key(&spec.name) {
            return Err(twice());
        }
        if let Some(list) = &spec.columns {
            let models = spec.load_models(list, base, &path, &rep)?;
            if datasets.contains_key(&spec.name) {
                return Err(rep.invalid(
                    format!("{path}.name"),
                    format!("\"{}\" is defined twice", spec.name),
                ));
            }
            insert_unique(
                &ctx,
                &mut model_sets,
                &format!("{path}.name"),
                &spec.name,
                models,
            )?;
            continue;
        }
        if model_sets.contains_key(&spec.name) {
            return Err(rep.invalid(
                format!("{path}.name"),
                format!("\"{}\" is defined twice", spec.name),
            ));
        }
        let data = spec.load(base, &path, &rep)?;
        insert_unique(
            &ctx,
            &mut datasets,
            &format!("{path}.name"),
            &spec.name,
            data,
        )?;
        let label = spec.label.clone().unwrap_or_else(|| spec.name.clone());
        ctx.dataset_labels.insert(spec.name.clone(), label);
    }
    ctx.datasets = datasets;
    ctx.model_sets = model_sets;
    ctx.queries = queries;

    let mut distributions = BTreeMap::new();
    for (i, spec) in scenario.distributions.iter().enumerate() {
        let path = format!("distributions[{i}]");
        let d = spec.validate(&path, &rep)?;
        if ctx.datasets.contains_key(&spec.name) {
            return Err(rep.invalid(
                format!("{path}.name"),
                format!("\"{}\" is already a dataset", spec.name),
            ));
        }
        insert_unique(
            &ctx,
            &mut distributions,
            &format!("{path}.name"),
            &spec.name,
            d,
        )?;
    }
    ctx.distributions = distributions;

    let mut normals = BTreeMap::new();
    for (i, spec) in scenario.normals.iter().enumerate() {
        let path = format!("normals[{i}]");
        let n = spec.validate(&path, &rep)?;
        insert_unique(&ctx, &mut normals, &format!("{path}.name"), &spec.name, n)?;
    }
    ctx.normals = normals;

    let mut losses = BTreeMap::new();
    for (i, spec) in scenario.losses.iter().enumerate() {
        let path = format!("losses[{i}]");
        let members = spec.build(&path, &rep)?;
        insert_unique(
            &ctx,
            &mut losses,
            &format!("{path}.name"),
            spec.reference_name(),
            members,
        )?;
    }
    ctx.losses = losses;

    let trainings = super::training_figure::validate_trainings(&scenario.trainings, &mut ctx)?;

    let mut quantities = Vec::new();
    for (i, spec) in scenario.quantities.iter().enumerate() {
        let path = format!("quantities[{i}]");
        let q = spec.validate(&path, &ctx)?;
        let mut names = std::mem::take(&mut ctx.quantities);
        insert_unique(&ctx, &mut names, &format!("{path}.name"), &spec.name, i)?;
        ctx.quantities = names;
        quantities.push(q);
    }

    let mut figures = Vec::new();
    for (i, spec) in scenario.figures.iter().enumerate() {
        let path = format!("figures[{i}]");
        ctx.check_name(&format!("{path}.name"), &spec.name)?;
        if ctx.figures.contains(&spec.name) {
            return Err(rep.invalid(
                format!("{path}.name"),
                format!("\"{}\" is defined twice", spec.name),
            ));
        }
        figures.push(spec.validate(&path, &ctx)?);
        ctx.figures.push(spec.name.clone());
    }

    // Frames of an explorable figure are written as `<name>-frame-<k>`.
    for (i, spec) in scenario.figures.iter().enumerate() {
        let prefix = format!("{}-frame-", spec.name);
        if let Some(other) = scenario
            .figures
            .iter()
            .find(|f| f.name.starts_with(&prefix))
        {
            if spec.explore {
                return Err(rep.invalid(
                    format!("figures[{i}].explore"),
                    format!(
                        "writes its frames as {prefix}<k>, which clashes with figure \"{}\"",
                        other.name
                    ),
                ));
            }
        }
    }

    let mut tables = Vec::new();
    for (i, spec) in scenario.tables.iter().enumerate() {
        let path = format!("tables[{i}]");
        ctx.check_name(&format!("{path}.name"), &spec.name)?;
        if ctx.tables.contains(&spec.name) {
            return Err(rep.invalid(
                format!("{path}.name"),
                format!("\"{}\" is defined twice", spec.name),
            ));
        }
        tables.push(spec.validate(&path, &ctx, &quantities)?);
        ctx.tables.push(spec.name.clone());
    }

    let sections = scenario
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| s.validate(&format!("sections[{i}]"), &ctx))
        .collect::<Result<Vec<_>, _>>()?;
    let mut ids: Vec<&str> = Vec::new();
    for (i, s) in sections.iter().enumerate() {
        if ids.contains(&s.id.as_str()) {
            return Err(rep.invalid(
                format!("sections[{i}].id"),
                format!("\"{}\" is defined twice", s.id),
            ));
        }
        ids.push(&s.id);
    }
    let errata = scenario
        .errata
        .iter()
        .enumerate()
        .map(|(i, e)| e.validate(&format!("errata[{i}]"), &ctx))
        .collect::<Result<Vec<_>, _>>()?;

    let mut comparisons: Vec<ValidComparison> = Vec::new();
    for (i, spec) in scenario.comparisons.iter().enumerate() {
        let path = format!("comparisons[{i}]");
        if comparisons.iter().any(|c| c.name == spec.name) {
            return Err(rep.invalid(
                format!("{path}.name"),
                format!("\"{}\" is defined twice", spec.name),
            ));
        }
        check_comparison_names(scenario, &spec.name, &path, &rep)?;
        comparisons.push(spec.validate(&path, &ctx)?);
    }
    let checks = scenario
        .checks
        .iter()
        .enumerate()
        .map(|(i, c)| c.validate(&format!("checks[{i}]"), &comparisons, &rep))
        .collect::<Result<Vec<_>, _>>()?;
    let checks_taken = scenario.sections.iter().any(|s| s.id == "checks")
        || scenario.tables.iter().any(|t| t.name == "checks");
    if !checks.is_empty() && checks_taken {
        return Err(rep.invalid(
            "checks[0]",
            "would add a section and a table named \"checks\", but the scenario has one already",
        ));
    }

    super::text::check_placeholders(
        "metadata.intro",
        &scenario.metadata.intro,
        &ctx,
        super::text::TextRole::Markdown,
    )?;
    check_placed(scenario, &rep)?;

    Ok(ValidScenario {
        file: shown,
        locator: scenario.locator.clone(),
        stem: super::report_folder(file),
        title: scenario.metadata.title.clone(),
        intro: scenario.metadata.intro.clone(),
        png_scale: scale,
        trainings,
        quantities,
        figures,
        tables,
        sections,
        errata,
        comparisons,
        checks,
    })
}

/// A comparison adds a section named after it, figures and tables named
/// `NAME-…`, and with checks a section and table named `checks`: none may
/// clash with the scenario's own.
fn check_comparison_names(
    scenario: &Scenario,
    name: &str,
    path: &str,
    rep: &Reporter,
) -> Result<(), ScenarioError> {
    let prefix = format!("{name}-");
    let clash = scenario
        .figures
        .iter()
        .map(|f| f.name.as_str())
        .chain(scenario.tables.iter().map(|t| t.name.as_str()))
        .find(|n| n.starts_with(&prefix));
    if let Some(other) = clash {
        return Err(rep.invalid(
            format!("{path}.name"),
            format!(
                "\"{name}\" would name figures and tables \"{prefix}…\", but \"{other}\" is \
                 already one; rename the comparison"
            ),
        ));
    }
    let taken_by_checks = !scenario.checks.is_empty() && name == "checks";
    if taken_by_checks || scenario.sections.iter().any(|s| s.id == name) {
        return Err(rep.invalid(
            format!("{path}.name"),
            format!("\"{name}\" is already a section id; a comparison is a section of its own"),
        ));
    }
    Ok(())
}

/// A figure or table no section shows would be drawn into the report folder
/// but missing from the page: an error, unless `appendix = true` puts it in
/// the report's appendix. Shown means listed in a section's `figures` or
/// `tables`, or placed in its `markdown` by a `{{figure NAME}}` or
/// `{{table NAME}}` line; an appendix item shown by a section is an error
/// too (it would be on the page twice).
fn check_placed(scenario: &Scenario, rep: &Reporter) -> Result<(), ScenarioError> {
    use super::placement::{split, Placement};
    let placements: Vec<Placement> = scenario
        .sections
        .iter()
        .flat_map(|s| split(&s.markdown).blocks.into_iter().map(|(p, _)| p))
        .collect();
    let placed = |pick: fn(&super::SectionSpec) -> &Vec<String>, place: Placement, name: &str| {
        placements.contains(&place)
            || scenario
                .sections
                .iter()
                .any(|s| pick(s).iter().any(|n| n == name))
    };
    let check = |path: String, appendix: bool, shown: bool, what: &str| match (appendix, shown) {
        (false, false) => Err(rep.invalid(
            path,
            format!(
                "is placed in no section, so the page would not show it; place it in a \
                     section's text with a line {{{{{what} NAME}}}} or list it in a section's \
                     `{what}s`, or set `appendix = true` to show it in the appendix"
            ),
        )),
        (true, true) => Err(rep.invalid(
            format!("{path}.appendix"),
            format!(
                "is true but a section shows this {what} too; an appendix {what} is \
                     shown in the appendix only"
            ),
        )),
        _ => Ok(()),
    };
    for (i, figure) in scenario.figures.iter().enumerate() {
        let shown = placed(
            |s| &s.figures,
            Placement::Figure(figure.name.clone()),
            &figure.name,
        );
        check(format!("figures[{i}]"), figure.appendix, shown, "figure")?;
    }
    for (i, table) in scenario.tables.iter().enumerate() {
        let shown = placed(
            |s| &s.tables,
            Placement::Table(table.name.clone()),
            &table.name,
        );
        check(format!("tables[{i}]"), table.appendix, shown, "table")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_str;

    const HEAD: &str = "[metadata]\ntitle = 't'\n[[datasets]]\nname = 'y'\nvalues = [1, 2]\n";

    fn check(body: &str) -> Result<ValidScenario, ScenarioError> {
        let text = format!("{HEAD}{body}");
        validate(&parse_str(&text, "x.toml")?, Path::new("x.toml"))
    }

    #[test]
    fn sweep_expands_to_one_loss_per_value() {
        let valid = check(
            "[[losses]]\nname = 'h'\nloss = 'huber'\ndelta = [0.2, 1.0, 1.5]\n\
             [[figures]]\nname = 'f'\nkind = 'loss_curve'\ntitle = ''\ncaption = ''\nalt = ''\nappendix = true\n\
             losses = ['h']\nx = { from = -1, to = 1, step = 0.5 }\n",
        )
        .unwrap();
        let FigureKind::LossCurve { losses, grid, .. } = &valid.figures[0].kind else {
            panic!("not a loss curve")
        };
        let deltas: Vec<f64> = losses.iter().map(|m| m.sweep.as_ref().unwrap().1).collect();
        assert_eq!(deltas, vec![0.2, 1.0, 1.5]);
        assert_eq!(losses[0].label, "Huber, δ = 0.2");
        assert_eq!(grid.len(), 5);
    }

    #[test]
    fn a_list_parameter_is_a_value_not_a_sweep() {
        let valid = check(
            "[[losses]]\nname = 'c'\nloss = 'cce'\nclass_weights = [1, 2, 0.5]\n\
             [[figures]]\nname = 'f'\nkind = 'loss_curve'\ntitle = ''\ncaption = ''\nalt = ''\nappendix = true\n\
             losses = ['c']\nx = { from = 0.1, to = 0.9, step = 0.1 }\n",
        )
        .unwrap();
        let FigureKind::LossCurve { losses, .. } = &valid.figures[0].kind else {
            panic!("not a loss curve")
        };
        assert_eq!(losses.len(), 1);
        assert_eq!(
            losses[0].loss.params()["class_weights"],
            crate::loss::ParamValue::List(vec![1.0, 2.0, 0.5])
        );
    }

    #[test]
    fn bad_sweep_member_names_its_index() {
        let err = check("[[losses]]\nloss = 'huber'\ndelta = [1.0, -2]\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.toml: line 8, column 15: losses[0] (huber).delta[1] must be > 0, got -2"
        );
    }

    #[test]
    fn unknown_parameter_lists_the_known_ones() {
        let err = check("[[losses]]\nloss = 'huber'\ndetla = 1\n").unwrap_err();
        assert!(
            err.to_string().starts_with(
                "x.toml: line 8, column 9: losses[0] (huber).detla is not a parameter of huber"
            ),
            "{err}"
        );
    }

    #[test]
    fn placeholders_must_name_quantities() {
        let err =
            check("[[sections]]\nid = 's'\ntitle = 'S'\nmarkdown = 'see {nope}'\n").unwrap_err();
        assert_eq!(err.to_string(), "x.toml: line 9, column 17: sections[0] (s).markdown refers to unknown quantity \"nope\" (no quantity is defined)");
    }

    #[test]
    fn duplicate_names_are_refused() {
        let err = check("[[datasets]]\nname = 'y'\nvalues = [3]\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.toml: line 7, column 8: datasets[1] (y).name \"y\" is defined twice"
        );
    }

    #[test]
    fn keys_of_another_kind_are_refused() {
        let err = check(
            "[[figures]]\nname = 'f'\nkind = 'data'\ntitle = ''\ncaption = ''\nalt = ''\n\
             target = 'y'\nprediction = 'y'\nshifts = [1]\n",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.toml: line 14, column 10: figures[0] (f).shifts is not used by kind \"data\" (it takes: target, prediction, datasets, draw, bins, density)"
        );
    }

    #[test]
    fn a_constant_fit_counts_loss_evaluations() {
        let fit = |size: usize, step: f64| {
            check(&format!(
                "[[datasets]]\nname = 'd'\ngenerate = {{ size = {size}, seed = 1, \
                 distribution = {{ kind = 'normal', mean = 0, std = 1 }} }}\n\
                 [[losses]]\nname = 'm'\nloss = 'mse'\n\
                 [[figures]]\nname = 'f'\nkind = 'constant_fit'\ntitle = ''\ncaption = ''\nalt = ''\nappendix = true\n\
                 dataset = 'd'\nlosses = ['m']\nx = {{ from = -2, to = 2, step = {step} }}\n"
            ))
        };
        // 100 values × 4,001 points (plus one bisection): well under the limit.
        assert!(fit(100, 0.001).is_ok());
        let err = fit(100_000, 0.001).unwrap_err().to_string();
        assert_eq!(
            err,
            "x.toml: line 12, column 1: figures[0] (f) would need 412900000 loss evaluations (4001 values of c × 1 loss × 100000 data values, plus 128 per data value for each of 1 best constant); the limit is 100000000"
        );
    }

    #[test]
    fn a_best_constant_of_many_values_is_refused() {
        let err = check(
            "[[datasets]]\nname = 'd'\ngenerate = { size = 1000000, seed = 1, \
             distribution = { kind = 'normal', mean = 0, std = 1 } }\n\
             [[losses]]\nname = 'm'\nloss = 'mae'\n\
             [[quantities]]\nname = 'c'\nlabel = 'c'\nkind = 'best_constant'\nloss = 'm'\nof = 'd'\n",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.toml: line 17, column 6: quantities[0] (c).of would need 128000000 loss evaluations (128 per data value for the bisection); the limit is 100000000"
        );
    }

    #[test]
    fn catalogue_formulas_name_their_loss() {
        let valid = check(
            "[[sections]]\nid = 's'\ntitle = 'S'\nmarkdown = ''\nformulas_of = ['mae', 'mse', 'huber']\n",
        )
        .unwrap();
        assert_eq!(
            valid.sections[0].formulas,
            vec![
                r"\ell_{\mathrm{MAE}} = |a|,\quad a = \hat y - y".to_string(),
                r"\ell_{\mathrm{MSE}} = a^2".to_string(),
                format!(
                    r"\ell_{{\mathrm{{Huber}}}} = {}",
                    crate::loss::Loss::new("huber", &Default::default())
                        .unwrap()
                        .info()
                        .latex
                ),
            ]
        );
        // Every loss of the catalogue has a left-hand side of its own.
        let catalogue = crate::loss::catalogue();
        for (i, info) in catalogue.iter().enumerate() {
            assert!(
                !info.lhs.latex.is_empty(),
                "{} has no left-hand side",
                info.name
            );
            for other in &catalogue[..i] {
                assert_ne!(info.lhs, other.lhs, "{} and {}", info.name, other.name);
            }
        }
    }
}
