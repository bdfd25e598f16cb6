//! The Ballista scheduler, with losslab's functions in its sessions.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::{SchedulerConfig, TaskDistributionPolicy};
use ballista_scheduler::scheduler_process::start_server;

/// Where the scheduler listens (also the `losslab-ballista scheduler` options).
#[derive(Debug, Clone, clap::Args)]
pub struct SchedulerOptions {
    /// Address to bind and to advertise (`127.0.0.1` keeps it on this machine).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// gRPC port the clients and executors connect to.
    #[arg(long, default_value_t = 50050)]
    pub port: u16,
}

/// Runs a scheduler (in-memory cluster state, push-based task scheduling,
/// tasks dealt round-robin over the executors, Ballista's defaults otherwise)
/// until the process ends.
pub async fn run_scheduler(options: &SchedulerOptions) -> Result<()> {
    let address: SocketAddr = format!("{}:{}", options.host, options.port)
        .parse()
        .with_context(|| format!("scheduler address {}:{}", options.host, options.port))?;
    let config = SchedulerConfig {
        bind_host: options.host.clone(),
        bind_port: options.port,
        external_host: options.host.clone(),
        // Ballista's advice for a single scheduler; it also spreads a small
        // job over every executor instead of filling the first one.
        task_distribution: TaskDistributionPolicy::RoundRobin,
        override_session_builder: Some(Arc::new(super::session_builder)),
        ..SchedulerConfig::default()
    };
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .context("creating the scheduler's cluster state")?;
    start_server(cluster, address, Arc::new(config))
        .await
        .with_context(|| format!("running the scheduler on {address}"))
}
