//! `losslab render`: parse → validate → compute → draw → assemble → write,
//! for one scenario or many (see [`super::batch`]); with `--watch`, again
//! on every change (see [`super::watch`]).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use super::batch::{render_many, render_prepared, summarise, write_batch_files, Batch};
use super::render_build::{load_report_templates, load_templates, prepare_to_draw};
use super::render_inputs::{refuse_shared_folders, scenario_files};
use crate::export::BatchSummary;

/// One report in memory (used to live here; `compare` and tests reach it by this name).
pub use super::render_build::build;

/// Arguments of `losslab render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// Scenario files (TOML), or folders: every *.toml directly in a folder.
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
    /// Scenarios rendered at once (default: every core).
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Keep running: render again what a change to a config, a file it
    /// names or a template affects.
    #[arg(long)]
    pub watch: bool,
}

/// How a render ended without an error (errors are `Err`, exit status 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderStatus {
    /// Every report written, every check passed.
    Success,
    /// Every report written, but a scenario's check failed (exit status 3).
    ChecksFailed,
}

impl RenderStatus {
    pub fn exit_code(self) -> u8 {
        match self {
            RenderStatus::Success => 0,
            RenderStatus::ChecksFailed => 3,
        }
    }
}

pub fn run(args: &RenderArgs) -> Result<RenderStatus> {
    super::heap::keep_freed_memory();
    let pool = thread_pool(args.jobs)?;
    if args.watch {
        let options = super::watch::WatchOptions {
            inputs: &args.configs,
            out: &args.out,
            templates: args.templates.as_deref(),
        };
        return super::watch::run(&options, &pool).map(|never| match never {});
    }
    let configs = scenario_files(&args.configs)
        .and_then(|configs| refuse_shared_folders(&configs).map(|()| configs));
    if let Ok([config]) = configs.as_deref() {
        // One scenario: the templates compile while it is computed. Its
        // error is the command's error, as it always was (the templates'
        // first).
        let (templates, prepared) = pool.install(|| {
            rayon::join(
                || load_report_templates(args.templates.as_deref()),
                || prepare_to_draw(config),
            )
        });
        let templates = templates?;
        let batch = Batch {
            out: &args.out,
            templates: &templates,
            pool: &pool,
        };
        let outcome = render_prepared(config, prepared, &batch);
        let summary = summarise([&outcome]);
        outcome.result?;
        return Ok(checks_status(&summary));
    }
    let templates = load_templates(args.templates.as_deref())?;
    let configs = configs?;
    let batch = Batch {
        out: &args.out,
        templates: &templates,
        pool: &pool,
    };
    let outcomes = render_many(&configs, &batch, true);
    let summary = summarise(&outcomes);
    let landing = write_batch_files(&args.out, &summary, &templates);
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| o.result.is_err())
        .map(|o| o.config.display().to_string())
        .collect();
    if !failed.is_empty() {
        if let Err(err) = landing {
            eprintln!("error: {err:#}");
        }
        bail!(
            "{} of {} scenarios could not be rendered: {}",
            failed.len(),
            outcomes.len(),
            failed.join(", ")
        );
    }
    landing?;
    println!(
        "{}: landing page for {} reports",
        args.out.join("index.html").display(),
        outcomes.len()
    );
    Ok(checks_status(&summary))
}

/// The status of a batch in which every scenario rendered.
pub fn checks_status(summary: &BatchSummary) -> RenderStatus {
    if summary.any_check_failed() {
        RenderStatus::ChecksFailed
    } else {
        RenderStatus::Success
    }
}

/// A pool of `jobs` threads (rayon's default, every core, without).
pub fn thread_pool(jobs: Option<u16>) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.map_or(0, usize::from))
        .build()
        .context("cannot start the worker threads")
}
