//! A Ballista executor that knows losslab's functions.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};

/// Most task slots one executor may ask for (a budget on a user-given size:
/// each slot is a thread and a memory-pool share).
pub const MAX_VCORES: usize = 1024;

/// Where an executor listens, which scheduler it serves, how many tasks at
/// once (also the `losslab-ballista executor` options).
#[derive(Debug, Clone, clap::Args)]
pub struct ExecutorOptions {
    /// Address to bind and to advertise to the scheduler and clients.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Arrow Flight port serving shuffle files and results.
    #[arg(long, default_value_t = 50051)]
    pub flight_port: u16,
    /// gRPC port the scheduler pushes tasks to.
    #[arg(long, default_value_t = 50052)]
    pub grpc_port: u16,
    /// The scheduler's host.
    #[arg(long, default_value = "127.0.0.1")]
    pub scheduler_host: String,
    /// The scheduler's gRPC port.
    #[arg(long, default_value_t = 50050)]
    pub scheduler_port: u16,
    /// Tasks run at once (1 to 1024).
    #[arg(long, default_value_t = 2)]
    pub vcores: usize,
    /// Where shuffle files go (a fresh temporary folder by default).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
}

/// Runs an executor until the process is stopped (SIGTERM, Ctrl-C) or the
/// scheduler tells it to stop.
pub async fn run_executor(options: &ExecutorOptions) -> Result<()> {
    if !(1..=MAX_VCORES).contains(&options.vcores) {
        bail!(
            "--vcores {}: must be between 1 and {MAX_VCORES}",
            options.vcores
        );
    }
    let work_dir = match &options.work_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the work dir {}", dir.display()))?;
            let dir = dir
                .to_str()
                .with_context(|| format!("work dir {} is not UTF-8", dir.display()))?;
            Some(dir.to_string())
        }
        None => None,
    };
    let config = ExecutorProcessConfig {
        bind_host: options.host.clone(),
        external_host: Some(options.host.clone()),
        port: options.flight_port,
        grpc_port: options.grpc_port,
        scheduler_host: options.scheduler_host.clone(),
        scheduler_port: options.scheduler_port,
        vcores: options.vcores,
        work_dir,
        print_thread_info: false,
        override_function_registry: Some(Arc::new(super::function_registry())),
        ..ExecutorProcessConfig::default()
    };
    start_executor_process(Arc::new(config))
        .await
        .context("running the executor")
}
