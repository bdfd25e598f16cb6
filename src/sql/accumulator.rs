//! The DataFusion accumulator of a loss: the core's [`LossAccumulator`]
//! over Arrow batches, with its partial state as columns.
//!
//! State (one row per partial aggregate), so that partitions and machines
//! merge:
//! - exact sum: `count` (UInt64), `labels` (UInt8: hinge labels 0 / −1
//!   seen), `sum` (Binary: [`crate::loss::ExactSum::to_bytes`]); merging adds
//!   the superaccumulators' words, so the result has the same bits for any
//!   partitioning;
//! - compensated sum: `count`, `labels`, `sum` and `compensation` (Float64,
//!   the two parts of [`crate::loss::Neumaier`]).
//!
//! The value is the mean over the rows read (nulls skipped), `NULL` over no
//! row, as `avg`.

use std::mem::size_of;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, UInt64Type, UInt8Type};
use datafusion::common::{exec_err, internal_err, DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::Accumulator;

use super::columns;
use super::functions::LossFunction;
use crate::loss::{LossAccumulator, LossError, Partial, PartialSum, Summation};

#[derive(Debug)]
pub struct LossSqlAccumulator {
    name: String,
    rows: bool,
    inner: LossAccumulator,
    /// Scratch for rows with nulls removed, and for list rows.
    target: Vec<f64>,
    prediction: Vec<f64>,
}

impl LossSqlAccumulator {
    pub fn new(function: &LossFunction, inner: LossAccumulator) -> Self {
        LossSqlAccumulator {
            name: function.name.clone(),
            rows: function.rows,
            inner,
            target: Vec::new(),
            prediction: Vec::new(),
        }
    }
}

/// A loss's own message, after the function's name.
fn loss_error(name: &str, err: LossError) -> DataFusionError {
    DataFusionError::Execution(format!("{name}: {err}"))
}

/// The state columns of a function.
pub fn state_fields(name: &str, summation: Summation) -> Vec<FieldRef> {
    let field = |what: &str, t: DataType| Field::new(format!("{name}[{what}]"), t, true).into();
    let mut fields = vec![
        field("count", DataType::UInt64),
        field("labels", DataType::UInt8),
    ];
    match summation {
        Summation::Exact => fields.push(field("sum", DataType::Binary)),
        Summation::Compensated => {
            fields.push(field("sum", DataType::Float64));
            fields.push(field("compensation", DataType::Float64));
        }
    }
    fields
}

impl Accumulator for LossSqlAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let [target, prediction, ..] = values else {
            return internal_err!("{} called with fewer than two columns", self.name);
        };
        if self.rows {
            let (name, inner) = (&self.name, &mut self.inner);
            let scratch = (&mut self.target, &mut self.prediction);
            return columns::rows(name, target, prediction, scratch, |run| {
                inner
                    .add_rows(run.target, run.prediction, run.classes)
                    .map_err(|e| loss_error(name, e))
            });
        }
        let target = target.as_primitive::<Float64Type>();
        let prediction = prediction.as_primitive::<Float64Type>();
        let (t, p) = columns::pairs(target, prediction, (&mut self.target, &mut self.prediction));
        self.inner
            .add(&t, &p)
            .map_err(|e| loss_error(&self.name, e))
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Float64(self.inner.mean()))
    }

    fn size(&self) -> usize {
        size_of::<Self>()
            + size_of::<crate::loss::ExactSum>()
            + (self.target.capacity() + self.prediction.capacity()) * size_of::<f64>()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let Partial { count, labels, sum } = self.inner.partial();
        let mut state = vec![
            ScalarValue::UInt64(Some(count)),
            ScalarValue::UInt8(Some(labels)),
        ];
        match sum {
            PartialSum::Exact(bytes) => state.push(ScalarValue::Binary(Some(bytes))),
            PartialSum::Compensated { sum, compensation } => {
                state.push(ScalarValue::Float64(Some(sum)));
                state.push(ScalarValue::Float64(Some(compensation)));
            }
        }
        Ok(state)
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let (count, labels) = match states {
            [count, labels, ..] => (
                count.as_primitive::<UInt64Type>(),
                labels.as_primitive::<UInt8Type>(),
            ),
            _ => return internal_err!("{}: a state of {} columns", self.name, states.len()),
        };
        for i in 0..count.len() {
            if count.is_null(i) || labels.is_null(i) {
                continue;
            }
            let sum = match &states[2..] {
                [bytes] if bytes.data_type() == &DataType::Binary => {
                    PartialSum::Exact(bytes.as_binary::<i32>().value(i).to_vec())
                }
                [sum, compensation] => PartialSum::Compensated {
                    sum: sum.as_primitive::<Float64Type>().value(i),
                    compensation: compensation.as_primitive::<Float64Type>().value(i),
                },
                _ => return exec_err!("{}: not a partial state of this function", self.name),
            };
            let partial = Partial {
                count: count.value(i),
                labels: labels.value(i),
                sum,
            };
            self.inner
                .merge_partial(&partial)
                .map_err(|e| loss_error(&self.name, e))?;
        }
        Ok(())
    }
}
