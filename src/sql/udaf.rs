//! One loss as a DataFusion aggregate function ([`AggregateUDFImpl`]).

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{not_impl_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};
use datafusion::physical_expr::expressions::Literal;

use super::accumulator::{state_fields, LossSqlAccumulator};
use super::arguments;
use super::functions::LossFunction;

/// The aggregate function of one [`LossFunction`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct LossUdaf {
    function: LossFunction,
    signature: Signature,
}

impl LossUdaf {
    pub fn new(function: LossFunction) -> Self {
        LossUdaf {
            function,
            // Checked by `coerce_types`: numbers (or lists of numbers), then literals.
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    pub fn function(&self) -> &LossFunction {
        &self.function
    }
}

impl AggregateUDFImpl for LossUdaf {
    fn name(&self) -> &str {
        &self.function.name
    }

    fn aliases(&self) -> &[String] {
        &self.function.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        arguments::coerce(&self.function, arg_types)
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        if args.is_distinct {
            return not_impl_err!(
                "{}(DISTINCT ...): a loss is over every row",
                self.function.name
            );
        }
        // The parameters travel in the plan as literals (also to a remote
        // executor); the planner has checked them already (see `planner`).
        let parameters: Vec<Option<ScalarValue>> = args
            .exprs
            .iter()
            .skip(2)
            .map(|e| e.downcast_ref::<Literal>().map(|l| l.value().clone()))
            .collect();
        let inner = arguments::accumulator(&self.function, &parameters)?;
        Ok(Box::new(LossSqlAccumulator::new(&self.function, inner)))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(state_fields(args.name, self.function.summation))
    }
}

/// The planner's view of an aggregate: our function, if it is one of ours.
pub fn as_loss(udaf: &Arc<datafusion::logical_expr::AggregateUDF>) -> Option<&LossFunction> {
    let inner: &dyn std::any::Any = udaf.inner().as_ref();
    inner.downcast_ref::<LossUdaf>().map(LossUdaf::function)
}
