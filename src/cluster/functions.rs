//! losslab's aggregate functions added to what Ballista's processes know.

use std::sync::Arc;

use ballista_core::registry::BallistaFunctionRegistry;
use ballista_core::utils::default_session_builder;
use datafusion::error::Result;
use datafusion::execution::{FunctionRegistry, SessionState};
use datafusion::prelude::SessionConfig;

/// The scheduler's session state for a job: Ballista's default (its
/// optimizer rules, DataFusion's functions) plus losslab's aggregate functions.
/// Its signature is Ballista's `SessionBuilder`.
pub fn session_builder(config: SessionConfig) -> Result<SessionState> {
    let mut state = default_session_builder(config)?;
    for udaf in crate::sql::aggregate_udfs() {
        state.register_udaf(Arc::new(udaf))?;
    }
    Ok(state)
}

/// The executor's function registry: DataFusion's functions plus losslab's
/// aggregate functions, under their names and aliases (the registry is a plain
/// map, so each alias is an entry of its own).
pub fn function_registry() -> BallistaFunctionRegistry {
    let mut registry = BallistaFunctionRegistry::default();
    for udaf in crate::sql::aggregate_udfs() {
        let udaf = Arc::new(udaf);
        for alias in udaf.aliases() {
            registry
                .aggregate_functions
                .insert(alias.clone(), Arc::clone(&udaf));
        }
        registry
            .aggregate_functions
            .insert(udaf.name().to_string(), udaf);
    }
    registry
}
