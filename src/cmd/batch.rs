//! Rendering many scenarios at once: in parallel on a rayon pool, each report
//! written as soon as it is built, one bad scenario never stopping the others.
//!
//! A report's bytes never depend on the thread count (a report is built by
//! one code path whatever the pool; its figures are drawn in parallel and
//! collected in order), and the lines printed are in the order the scenarios
//! were given, each as soon as it and every earlier one are done.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use super::batch_write::{write_landing, LandingFiles};
use super::prepare::Prepared;
use super::render_build::{build, build_prepared};
use super::write::{write_report, ReportFiles};
use crate::export::{
    summary_csv, summary_json, BatchSummary, ReportDigest, ReportOutcome, ReportSummary,
};
use crate::report::{assemble_landing, Templates};
use crate::scenario;

/// Where and how a batch renders.
pub struct Batch<'a> {
    pub out: &'a Path,
    pub templates: &'a Templates,
    pub pool: &'a rayon::ThreadPool,
}

/// What became of one scenario.
pub struct Outcome {
    pub config: PathBuf,
    /// The report folder's name inside the output folder.
    pub folder: String,
    pub result: Result<ReportDigest>,
}

/// Render every config on the pool; print one line per scenario (errors on
/// stderr when `print_errors`, else left to the caller), with a progress bar
/// on a terminal.
pub fn render_many(configs: &[PathBuf], batch: &Batch, print_errors: bool) -> Vec<Outcome> {
    let printer = Printer::new(configs.len(), print_errors, batch.out);
    let outcomes = batch.pool.install(|| {
        configs
            .par_iter()
            .enumerate()
            .map(|(i, config)| {
                let outcome = render_one(config, batch);
                printer.done(i, &outcome);
                outcome
            })
            .collect()
    });
    printer.finish();
    outcomes
}

fn render_one(config: &Path, batch: &Batch) -> Outcome {
    write_one(config, build(config, batch.templates), batch)
}

/// One scenario already prepared (computed while the templates compiled),
/// built, written and printed as [`render_many`] does for one scenario.
pub fn render_prepared(config: &Path, prepared: Result<Prepared>, batch: &Batch) -> Outcome {
    let printer = Printer::new(1, false, batch.out);
    let built = prepared.and_then(|prepared| {
        batch
            .pool
            .install(|| build_prepared(prepared, config, batch.templates))
    });
    let outcome = write_one(config, built, batch);
    printer.done(0, &outcome);
    printer.finish();
    outcome
}

/// The report `built` from `config` written to the batch's folder (or why not).
fn write_one(config: &Path, built: Result<ReportFiles>, batch: &Batch) -> Outcome {
    let written = built.and_then(|files| {
        write_report(batch.out, &files)
            .with_context(|| format!("{}: cannot write the report", config.display()))?;
        Ok(files.digest)
    });
    Outcome {
        config: config.to_path_buf(),
        folder: scenario::report_folder(config),
        result: written,
    }
}

/// The line printed for a rendered report.
pub fn success_line(outcome: &Outcome, out: &Path, digest: &ReportDigest) -> String {
    let index = out.join(&outcome.folder).join("index.html");
    let mut line = format!(
        "{}: report written to {}",
        outcome.config.display(),
        index.display()
    );
    let failed = digest.failed_checks().count();
    if failed > 0 {
        line.push_str(&format!(
            " ({failed} of {} checks failed)",
            digest.checks.len()
        ));
    }
    line
}

/// The batch as the landing page and summaries see it, in the given order.
pub fn summarise<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> BatchSummary {
    BatchSummary {
        reports: outcomes
            .into_iter()
            .map(|outcome| ReportSummary {
                config: outcome.config.display().to_string(),
                folder: outcome.folder.clone(),
                outcome: match &outcome.result {
                    Ok(digest) => ReportOutcome::Rendered(digest.clone()),
                    Err(err) => ReportOutcome::Failed(format!("{err:#}")),
                },
            })
            .collect(),
    }
}

/// Write `OUT/index.html`, `summary.csv` and `summary.json` for the batch.
pub fn write_batch_files(out: &Path, summary: &BatchSummary, templates: &Templates) -> Result<()> {
    let files = LandingFiles {
        index_html: assemble_landing(summary, templates)
            .context("cannot assemble the landing page")?,
        summary_csv: summary_csv(summary)?,
        summary_json: summary_json(summary)?,
    };
    write_landing(out, &files)
}

/// Lines in the order the scenarios were given, and a progress bar on a terminal.
struct Printer {
    state: Mutex<PrintState>,
    bar: ProgressBar,
    print_errors: bool,
    out: PathBuf,
}

struct PrintState {
    next: usize,
    pending: BTreeMap<usize, Result<String, String>>,
}

impl Printer {
    fn new(total: usize, print_errors: bool, out: &Path) -> Printer {
        let bar = if total > 1 && std::io::stderr().is_terminal() {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{bar:30} {pos}/{len} scenarios {elapsed}")
            {
                bar.set_style(style);
            }
            bar
        } else {
            ProgressBar::hidden()
        };
        Printer {
            state: Mutex::new(PrintState {
                next: 0,
                pending: BTreeMap::new(),
            }),
            bar,
            print_errors,
            out: out.to_path_buf(),
        }
    }

    fn done(&self, index: usize, outcome: &Outcome) {
        let line = match &outcome.result {
            Ok(digest) => Ok(success_line(outcome, &self.out, digest)),
            Err(err) => Err(format!("error: {err:#}")),
        };
        // A poisoned lock only means another thread panicked while printing: keep going.
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.pending.insert(index, line);
        loop {
            let next = state.next;
            let Some(line) = state.pending.remove(&next) else {
                break;
            };
            self.bar.suspend(|| match line {
                Ok(text) => println!("{text}"),
                Err(text) if self.print_errors => eprintln!("{text}"),
                Err(_) => {}
            });
            state.next += 1;
        }
        self.bar.inc(1);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
