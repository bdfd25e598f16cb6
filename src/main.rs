//! The `losslab` command: parses arguments and calls one command in `cmd/`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use losslab::cmd;

#[derive(Parser)]
#[command(
    name = "losslab",
    version,
    about = "Loss functions made visible and exact"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate one loss on data: value, per-sample values, gradient, Hessian.
    Eval(cmd::eval::EvalArgs),
    /// Time each loss's kernels on generated data (median of several runs).
    Bench(cmd::bench::BenchArgs),
    /// List every loss with its aliases, parameters, defaults and formula.
    List,
    /// Render scenario files into HTML reports with figures, tables and results.json.
    Render {
        /// Scenario files (TOML).
        #[arg(required = true)]
        configs: Vec<PathBuf>,
        /// Output folder; each report lands in OUT/<config name>/.
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Folder of templates that override the embedded ones by name.
        #[arg(long)]
        templates: Option<PathBuf>,
    },
    /// Validate scenario files without writing anything.
    Check {
        /// Scenario files (TOML): each is parsed, validated and computed as
        /// `render` would, and reported OK or with its first error.
        #[arg(required = true)]
        configs: Vec<PathBuf>,
    },
    /// Write a commented starter scenario to NAME.toml.
    New {
        /// Scenario name: writes NAME.toml (NAME may include a folder, as in
        /// `configs/lecture1`; a NAME ending in .toml is the file itself). The
        /// file name must be letters, digits, '_' and '-': it names the report folder.
        name: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Eval(args) => cmd::eval::run(&args),
        Command::List => cmd::list::run(),
        Command::Bench(args) => cmd::bench::run(&args),
        Command::Render {
            configs,
            out,
            templates,
        } => cmd::render::run(&configs, &out, templates.as_deref()),
        Command::Check { configs } => cmd::check::run(&configs),
        Command::New { name } => cmd::new::run(&name),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // The whole cause chain, once, in Display form (keeps toml's snippet).
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
