//! The planning-time check of a call's literal parameters.
//!
//! DataFusion gives an aggregate function its argument *types* while
//! planning, not their values; the values reach the accumulator only when
//! the query runs. So that `huber(y, p, -1.0)` fails when the query is
//! planned (`SessionContext::sql`), with the loss's own message, this
//! [`ExprPlanner`] sees every aggregate call the SQL planner builds and, for
//! a loss, builds the loss from the literals and reports what is wrong.

use datafusion::common::Result;
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult, RawAggregateExpr};

use super::arguments;
use super::udaf::as_loss;

#[derive(Debug, Default)]
pub struct LossParameterCheck;

impl ExprPlanner for LossParameterCheck {
    fn plan_aggregate(&self, expr: RawAggregateExpr) -> Result<PlannerResult<RawAggregateExpr>> {
        if let Some(function) = as_loss(&expr.func) {
            let literals: Vec<_> = expr.args.iter().skip(2).map(arguments::literal).collect();
            // Too many arguments are reported with the column types, later.
            if literals.len() <= function.parameters.len() {
                arguments::accumulator(function, &literals)?;
            }
        }
        Ok(PlannerResult::Original(expr))
    }
}
