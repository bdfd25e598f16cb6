//! A client session whose queries run on a Ballista cluster.

use ballista::prelude::SessionContextExt;
use datafusion::error::Result;
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};

/// Connects to the scheduler at `host:port` and returns a context that plans
/// SQL with losslab's aggregate functions and runs it on the cluster.
/// `config` carries the DataFusion settings the scheduler plans with, e.g.
/// `SessionConfig::new().with_target_partitions(64)`.
pub async fn connect(host: &str, port: u16, config: SessionConfig) -> Result<SessionContext> {
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .build();
    let ctx = SessionContext::remote_with_state(&format!("df://{host}:{port}"), state).await?;
    // After the upgrade to a Ballista session, which resets the aggregate
    // functions to Ballista's list: registered before, they would be lost.
    crate::sql::register(&ctx);
    Ok(ctx)
}
