//! `losslab compare`: several models' predictions in one file, compared
//! under several losses, with no scenario to write.
//!
//! It builds a scenario (one dataset for the target, one of models, the
//! losses, one `[[comparisons]]` entry and any `--check`), hands it to the
//! same validate → compute → draw → assemble stages as `render`, writes the
//! report to `OUT/<file stem>/`, and writes the scenario beside it as
//! `OUT/<file stem>.toml`, so that `losslab render OUT/<file stem>.toml`
//! gives the same report and the user can edit it from then on.
//!
//! With `--json` it prints the comparison's numbers as one JSON object and
//! writes nothing.

use std::io::{IsTerminal, Write};
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::prepare::prepare_valid;
use super::render::RenderStatus;
use super::render_build::build_prepared;
use super::write::write_report;
use crate::report::Templates;
use crate::scenario;
use crate::stats::{Progress, Stage};

/// The first line of every scenario `compare` writes: a file starting with
/// it may be replaced by the next `compare`; any other file never is.
pub const WRITTEN_BY: &str = "# Written by `losslab compare`.";

/// Arguments of `losslab compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Data file: CSV with a header line (or Parquet).
    pub file: PathBuf,
    /// Target column, or `prefix*` for one-hot (or probability) columns.
    #[arg(long)]
    pub target: String,
    /// Models, comma-separated: `column`, `label=column`, or `label=prefix_*`
    /// (a glob of columns: the rows of a row loss). Default: every other column.
    #[arg(long)]
    pub models: Option<String>,
    /// Losses, comma-separated: `mse`, `huber:delta=1`, `huber:delta=[0.5,2]`
    /// (a sweep), `focal:gamma=2:alpha=0.25`.
    #[arg(long, default_value = "mse,mae")]
    pub loss: String,
    /// The model the others are compared with (default: the first).
    #[arg(long)]
    pub baseline: Option<String>,
    /// Output folder: the report goes to OUT/<file stem>/, the scenario to OUT/<file stem>.toml.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Print the numbers as one JSON object; write nothing.
    #[arg(long)]
    pub json: bool,
    /// Bootstrap resamples (and sign flips of the permutation test).
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// A check as a TOML inline table, e.g. `{ model = "b", loss = "mse", max = 1.5 }`
    /// (repeatable); a failed check gives exit status 3.
    #[arg(long = "check", value_name = "TABLE")]
    pub checks: Vec<String>,
}

/// Split at commas outside brackets (`huber:delta=[0.5,2],mse`).
fn split_top_level(text: &str) -> Vec<String> {
    let (mut parts, mut current, mut depth) = (Vec::new(), String::new(), 0i32);
    for c in text.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current.trim().to_string());
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

/// A parameter value as TOML reads it (`1`, `true`, `[0.5, 2]`); anything
/// else is a string (`reduction=none`).
fn param_value(text: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {text}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(text.to_string()))
}

/// `--loss` as `[[losses]]` tables, each with a unique reference name.
fn loss_tables(text: &str) -> Result<Vec<toml::Table>> {
    let mut tables: Vec<toml::Table> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (i, spec) in split_top_level(text).iter().enumerate() {
        let mut parts = spec.split(':');
        let loss = parts.next().unwrap_or_default().trim().to_string();
        let mut table = toml::Table::new();
        let base = scenario::report_folder_name(&loss.to_ascii_lowercase());
        let mut name = if base.is_empty() {
            format!("loss-{}", i + 1)
        } else {
            base
        };
        if names.contains(&name) {
            let mut k = 2;
            while names.contains(&format!("{name}-{k}")) {
                k += 1;
            }
            name = format!("{name}-{k}");
        }
        names.push(name.clone());
        table.insert("name".into(), name.into());
        table.insert("loss".into(), loss.clone().into());
        for param in parts {
            let Some((key, value)) = param.split_once('=') else {
                bail!("--loss {spec}: `{param}` is not KEY=VALUE (e.g. huber:delta=1)");
            };
            let key = key.trim();
            if matches!(key, "name" | "loss" | "label") {
                bail!("--loss {spec}: `{key}` is not a parameter");
            }
            table.insert(key.to_string(), param_value(value.trim()));
        }
        tables.push(table);
    }
    if tables.is_empty() {
        bail!("--loss: name at least one loss (e.g. --loss mse,mae)");
    }
    Ok(tables)
}

/// The columns of every model: `--models`, or every column but the target.
fn model_entries(args: &CompareArgs) -> Result<Vec<String>> {
    if let Some(models) = &args.models {
        return Ok(split_top_level(models));
    }
    let spec = crate::io::FileSpec::new(args.file.clone(), crate::io::Columns::All);
    let names = crate::io::column_names(&spec.path, spec.format)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let target = args.target.trim_end_matches('*');
    let others: Vec<String> = names
        .into_iter()
        .filter(|n| {
            if args.target.ends_with('*') {
                !n.starts_with(target)
            } else {
                n != target
            }
        })
        .collect();
    if others.is_empty() {
        bail!(
            "{}: no column besides the target to compare; name the models with --models",
            args.file.display()
        );
    }
    Ok(others)
}

/// `path` relative to the folder `from` (both made absolute first), so the
/// scenario still finds its data when the two are moved together.
fn relative_to(path: &Path, from: &Path) -> Result<PathBuf> {
    let path = std::path::absolute(path)?;
    let from = std::path::absolute(from)?;
    fn normal(p: &Path) -> Vec<Component<'_>> {
        p.components().filter(|c| *c != Component::CurDir).collect()
    }
    let (a, b) = (normal(&path), normal(&from));
    if a.iter().chain(&b).any(|c| *c == Component::ParentDir) {
        return Ok(path);
    }
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut relative = PathBuf::new();
    for _ in common..b.len() {
        relative.push("..");
    }
    for c in &a[common..] {
        relative.push(c.as_os_str());
    }
    Ok(relative)
}

/// The scenario `compare` runs, as TOML, with the data file named `data`.
fn scenario_text(args: &CompareArgs, data: &str, stem: &str) -> Result<String> {
    let file_name = args
        .file
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut root = toml::Table::new();
    let mut metadata = toml::Table::new();
    metadata.insert(
        "title".into(),
        format!("Models compared on {file_name}").into(),
    );
    metadata.insert(
        "intro".into(),
        format!(
            "Written by `losslab compare`; edit `{stem}.toml` beside this report and run \
             `losslab render {stem}.toml` to change it."
        )
        .into(),
    );
    root.insert("metadata".into(), metadata.into());

    let mut target = toml::Table::new();
    target.insert("name".into(), "target".into());
    target.insert("csv".into(), data.into());
    target.insert("column".into(), args.target.clone().into());
    let mut models = toml::Table::new();
    models.insert("name".into(), "predictions".into());
    models.insert("csv".into(), data.into());
    let entries = model_entries(args)?;
    models.insert("columns".into(), entries.into());
    root.insert(
        "datasets".into(),
        toml::Value::Array(vec![target.into(), models.into()]),
    );

    let losses = loss_tables(&args.loss)?;
    let names: Vec<toml::Value> = losses
        .iter()
        .filter_map(|t| t.get("name").cloned())
        .collect();
    root.insert(
        "losses".into(),
        toml::Value::Array(losses.into_iter().map(toml::Value::Table).collect()),
    );

    let mut comparison = toml::Table::new();
    comparison.insert("name".into(), "comparison".into());
    comparison.insert("title".into(), "Comparison of models".into());
    comparison.insert("target".into(), "target".into());
    comparison.insert("predictions".into(), "predictions".into());
    comparison.insert("losses".into(), names.into());
    if let Some(baseline) = &args.baseline {
        comparison.insert("baseline".into(), baseline.clone().into());
    }
    comparison.insert("confidence".into(), args.confidence.into());
    let bootstrap = i64::try_from(args.bootstrap).context("--bootstrap is too large")?;
    comparison.insert("bootstrap".into(), bootstrap.into());
    // TOML integers are signed 64-bit: larger seeds cannot be written back.
    let seed = i64::try_from(args.seed).context("--seed must be below 2^63")?;
    comparison.insert("seed".into(), seed.into());
    root.insert(
        "comparisons".into(),
        toml::Value::Array(vec![comparison.into()]),
    );

    if !args.checks.is_empty() {
        let checks = args
            .checks
            .iter()
            .map(|text| {
                let parsed: toml::Table = toml::from_str(&format!("check = {text}"))
                    .with_context(|| format!("--check {text}: not a TOML inline table"))?;
                parsed
                    .get("check")
                    .cloned()
                    .filter(toml::Value::is_table)
                    .with_context(|| format!("--check {text}: not a TOML inline table"))
            })
            .collect::<Result<Vec<_>>>()?;
        root.insert("checks".into(), toml::Value::Array(checks));
    }
    let body = toml::to_string(&root).context("cannot write the scenario as TOML")?;
    Ok(format!(
        "{WRITTEN_BY} Edit it, then run `losslab render` on it.\n\n{body}"
    ))
}

/// A progress bar on a terminal, for the resampling.
fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    let style = indicatif::ProgressStyle::with_template("{msg:12} {bar:40} {pos}/{len}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

/// Refuse to replace a file `compare` did not write.
fn check_replaceable(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot look at {}", path.display())),
        Ok(meta) if !meta.is_file() => bail!(
            "{} exists and is not a file; refusing to replace it",
            path.display()
        ),
        Ok(_) => {
            let text = crate::read_limits::read_capped(path).unwrap_or_default();
            if text.starts_with(WRITTEN_BY) {
                Ok(())
            } else {
                bail!(
                    "{} exists and was not written by `losslab compare`; refusing to replace \
                     it: move it away or choose another --out",
                    path.display()
                )
            }
        }
    }
}

pub fn run(args: &CompareArgs) -> Result<RenderStatus> {
    let stem = scenario::report_folder(&args.file);
    if stem.is_empty() {
        bail!(
            "{}: cannot name a report after this file",
            args.file.display()
        );
    }
    let config = args.out.join(format!("{stem}.toml"));
    // Validated with the data's absolute path (the output folder may not
    // exist yet); written with the path relative to the output folder.
    let absolute = std::path::absolute(&args.file)?;
    let in_memory = scenario_text(args, &absolute.to_string_lossy(), &stem)?;
    let shown = config.display().to_string();
    let parsed = scenario::parse_str(&in_memory, &shown)?;
    let valid = scenario::validate(&parsed, &config)?;
    if !args.json {
        check_replaceable(&config)?;
    }
    let bar = progress_bar();
    let on_progress = |p: Progress| {
        if let Some(bar) = &bar {
            bar.set_message(match p.stage {
                Stage::Bootstrap => "bootstrap",
                Stage::Permutation => "permutation",
            });
            bar.set_length(p.total as u64);
            bar.set_position(p.done as u64);
        }
    };
    let prepared = prepare_valid(valid, &on_progress)?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if args.json {
        let comparison = prepared
            .computed
            .comparisons
            .first()
            .context("the comparison computed nothing")?;
        let text = crate::export::comparison_json(&comparison.stats)?;
        // A closed pipe (`| head`) is an error to report, not a panic.
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{text}").context("cannot write to standard output")?;
        return Ok(RenderStatus::Success);
    }
    let relative = relative_to(&args.file, &args.out)?;
    let written = scenario_text(args, &relative.to_string_lossy(), &stem)?;
    let files = build_prepared(prepared, &config, &Templates::embedded_report()?)?;
    let dir = write_report(&args.out, &files)
        .with_context(|| format!("{}: cannot write the report", args.file.display()))?;
    let temp = args.out.join(format!(".{stem}.toml.partial"));
    std::fs::write(&temp, written).with_context(|| format!("cannot write {}", temp.display()))?;
    std::fs::rename(&temp, &config)
        .with_context(|| format!("cannot write {}", config.display()))?;
    println!(
        "{}: report written to {}; its scenario is {}",
        args.file.display(),
        dir.join("index.html").display(),
        config.display()
    );
    if files.failed_checks.is_empty() {
        return Ok(RenderStatus::Success);
    }
    for check in &files.failed_checks {
        eprintln!("{}: check failed: {check}", args.file.display());
    }
    Ok(RenderStatus::ChecksFailed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_outside_brackets() {
        assert_eq!(
            split_top_level("mse, huber:delta=[0.5,2],mae"),
            vec!["mse", "huber:delta=[0.5,2]", "mae"]
        );
    }

    #[test]
    fn losses_get_unique_names_and_typed_parameters() {
        let tables = loss_tables("huber:delta=1,huber:delta=[0.5,2],mse").unwrap();
        assert_eq!(tables[0]["name"].as_str(), Some("huber"));
        assert_eq!(tables[1]["name"].as_str(), Some("huber-2"));
        assert_eq!(tables[0]["delta"], toml::Value::Integer(1));
        assert_eq!(
            tables[1]["delta"],
            toml::Value::Array(vec![toml::Value::Float(0.5), toml::Value::Integer(2)])
        );
        assert!(loss_tables("huber:delta").is_err());
    }

    #[test]
    fn data_paths_are_relative_to_the_output_folder() {
        assert_eq!(
            relative_to(Path::new("/a/b/data.csv"), Path::new("/a/out")).unwrap(),
            PathBuf::from("../b/data.csv")
        );
        assert_eq!(
            relative_to(Path::new("/a/data.csv"), Path::new("/a")).unwrap(),
            PathBuf::from("data.csv")
        );
    }
}
