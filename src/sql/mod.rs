//! losslab's losses as Apache DataFusion aggregate functions (feature
//! `datafusion`), and the `losslab sql` command's engine.
//!
//! Every loss of the catalogue is an aggregate UDF with the name `eval`
//! gives it: `mse(target, prediction)`, `huber(y, p, 1.0)` (the loss's
//! parameters as literals after the two columns, in `losslab list`'s
//! order), `binary_cross_entropy_logits(label, score)` where the loss has a
//! logits form, and the row losses over list columns
//! (`categorical_cross_entropy(target_list, prediction_list)`,
//! `sparse_categorical_cross_entropy(label, prediction_list)`). The value is
//! the mean over the rows, as `eval` reduces; rows with a null target or
//! prediction are skipped, as `avg` skips nulls.
//!
//! The plain name sums with [`crate::loss::ExactSum`]: the mean is the
//! correctly rounded sum over the count, the same bits whatever the
//! partitioning, and the partial states merge exactly across partitions and
//! machines. `NAME_compensated` sums with the core's compensated sum
//! (faster, within a few ulps, the last bits depending on the order).
//!
//! ```no_run
//! # async fn run() -> datafusion::common::Result<()> {
//! use datafusion::prelude::*;
//! let ctx = SessionContext::new();
//! losslab::sql::register(&ctx);
//! ctx.register_parquet("preds", "preds.parquet", ParquetReadOptions::default()).await?;
//! let df = ctx.sql("SELECT model, huber(y, p, 1.0), mse(y, p) FROM preds GROUP BY model").await?;
//! df.show().await?;
//! # Ok(())
//! # }
//! ```
//!
//! Files: [`functions`] (the table of functions), [`arguments`] (types and
//! parameters), [`planner`] (parameters checked at planning), [`udaf`] and
//! [`accumulator`] (the aggregate itself), [`columns`] (Arrow → slices),
//! [`query`] and [`output`] (the `losslab sql` command), [`table`] (a
//! scenario's `sql` dataset).

pub mod accumulator;
pub mod arguments;
pub mod columns;
pub mod functions;
pub mod output;
pub mod planner;
pub mod query;
pub mod table;
pub mod udaf;

use std::sync::Arc;

use datafusion::logical_expr::AggregateUDF;
use datafusion::prelude::SessionContext;

pub use functions::{functions, LossFunction};

/// Every loss as an aggregate function, exact and compensated variants.
pub fn aggregate_udfs() -> Vec<AggregateUDF> {
    functions()
        .into_iter()
        .map(|f| AggregateUDF::new_from_impl(udaf::LossUdaf::new(f)))
        .collect()
}

/// Register every loss function in `ctx`, and the planning-time check of
/// their parameters.
pub fn register(ctx: &SessionContext) {
    for udaf in aggregate_udfs() {
        ctx.register_udaf(udaf);
    }
    use datafusion::execution::FunctionRegistry as _;
    let state = ctx.state_ref();
    // Registering an expression planner cannot fail for a session state.
    let _ = state
        .write()
        .register_expr_planner(Arc::new(planner::LossParameterCheck));
}
