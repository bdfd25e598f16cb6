//! Argument checking, at planning time: the column types (numbers, or lists
//! of numbers for a row loss's rows), the count of arguments, and the
//! literal parameters, which build the loss exactly as `eval --param` does
//! so that an out-of-range parameter is the loss's own message.

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::Expr;

use super::functions::LossFunction;
use crate::loss::{Loss, LossAccumulator, ParamValue, Params};

/// The types the two columns are cast to (parameters keep theirs), or a
/// planning error naming the argument.
pub fn coerce(function: &LossFunction, types: &[DataType]) -> Result<Vec<DataType>> {
    let most = 2 + function.parameters.len();
    if types.len() < 2 || types.len() > most {
        return plan_err!(
            "{} takes 2 to {most} arguments, got {}: {}",
            function.name,
            types.len(),
            function.usage()
        );
    }
    let target = if function.rows && !function.sparse_labels {
        list_of_numbers(function, 1, "target", &types[0])?
    } else {
        number(function, 1, "target", &types[0])?
    };
    let prediction = if function.rows {
        list_of_numbers(function, 2, "prediction", &types[1])?
    } else {
        number(function, 2, "prediction", &types[1])?
    };
    let mut out = vec![target, prediction];
    out.extend(types[2..].iter().cloned());
    Ok(out)
}

fn number(function: &LossFunction, at: usize, what: &str, t: &DataType) -> Result<DataType> {
    if t.is_numeric() || *t == DataType::Null {
        return Ok(DataType::Float64);
    }
    let hint = if t.is_nested() {
        "; this loss takes one number per row"
    } else {
        ""
    };
    plan_err!(
        "{}: argument {at} ({what}) is of type {t}, a number column is expected{hint}: {}",
        function.name,
        function.usage()
    )
}

fn list_of_numbers(
    function: &LossFunction,
    at: usize,
    what: &str,
    t: &DataType,
) -> Result<DataType> {
    let item = match t {
        DataType::List(item) | DataType::LargeList(item) | DataType::FixedSizeList(item, _) => {
            Some(item.data_type())
        }
        _ => None,
    };
    match item {
        Some(item) if item.is_numeric() => Ok(float_list()),
        _ => plan_err!(
            "{}: argument {at} ({what}) is of type {t}, a list of numbers per row is expected \
             (List or FixedSizeList of floats): {}",
            function.name,
            function.usage()
        ),
    }
}

/// The type every list column is cast to: a list of doubles.
pub fn float_list() -> DataType {
    DataType::List(std::sync::Arc::new(Field::new_list_field(
        DataType::Float64,
        true,
    )))
}

/// The literal value of a parameter expression: a literal, possibly negated
/// or cast (as the SQL planner writes `-1.0` or a typed literal).
pub fn literal(expr: &Expr) -> Option<ScalarValue> {
    match expr {
        Expr::Literal(value, _) => Some(value.clone()),
        Expr::Negative(inner) => literal(inner)?.arithmetic_negate().ok(),
        Expr::Cast(cast) => literal(&cast.expr),
        Expr::TryCast(cast) => literal(&cast.expr),
        Expr::Alias(alias) => literal(&alias.expr),
        _ => None,
    }
}

/// A literal as a loss parameter: numbers, booleans, and text as
/// `--param` reads it (`'none'`, `'e'`, `'[1, 2]'`, `'pytorch'`).
fn param_value(value: &ScalarValue) -> Option<ParamValue> {
    if value.is_null() {
        return Some(ParamValue::None);
    }
    match value {
        ScalarValue::Boolean(Some(b)) => Some(ParamValue::Bool(*b)),
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => Some(ParamValue::parse_text(s)),
        v if v.data_type().is_numeric() => match v.cast_to(&DataType::Float64) {
            Ok(ScalarValue::Float64(Some(x))) => Some(ParamValue::Number(x)),
            _ => None,
        },
        _ => None,
    }
}

/// Build the accumulator of a call from its parameter literals (`None`: an
/// argument that is not a literal), or the loss's own error.
pub fn accumulator(
    function: &LossFunction,
    parameters: &[Option<ScalarValue>],
) -> Result<LossAccumulator> {
    let mut params = Params::new();
    if function.logits {
        params.insert("from_logits".to_string(), ParamValue::Bool(true));
    }
    for (i, (name, value)) in function.parameters.iter().zip(parameters).enumerate() {
        let at = i + 3;
        let Some(value) = value else {
            return plan_err!(
                "{}: argument {at} ({name}) must be a literal, the same for every row: {}",
                function.name,
                function.usage()
            );
        };
        let Some(param) = param_value(value) else {
            return plan_err!(
                "{}: argument {at} ({name}) = {value} is of type {}, a number, boolean or text \
                 literal is expected",
                function.name,
                value.data_type()
            );
        };
        params.insert(name.to_string(), param);
    }
    let loss = Loss::new(function.loss, &params);
    match loss.and_then(|loss| LossAccumulator::new(loss, function.summation)) {
        Ok(accumulator) => Ok(accumulator),
        Err(err) => plan_err!("{}: {err}", function.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::functions::functions;

    fn function(name: &str) -> LossFunction {
        functions().into_iter().find(|f| f.name == name).unwrap()
    }

    #[test]
    fn column_types_are_checked() {
        let huber = function("huber");
        let ok = coerce(
            &huber,
            &[DataType::Float32, DataType::Int64, DataType::Float64],
        )
        .unwrap();
        assert_eq!(
            ok,
            [DataType::Float64, DataType::Float64, DataType::Float64]
        );
        let err = coerce(&huber, &[DataType::Float64, DataType::Utf8]).unwrap_err();
        assert!(
            err.to_string()
                .contains("argument 2 (prediction) is of type Utf8"),
            "{err}"
        );
        let err = coerce(&huber, &[DataType::Float64]).unwrap_err();
        assert!(
            err.to_string().contains("takes 2 to 5 arguments, got 1"),
            "{err}"
        );
        let scce = function("sparse_categorical_cross_entropy");
        let list =
            DataType::FixedSizeList(Field::new_list_field(DataType::Float32, true).into(), 3);
        let ok = coerce(&scce, &[DataType::Int32, list.clone()]).unwrap();
        assert_eq!(ok, [DataType::Float64, float_list()]);
        let cce = function("categorical_cross_entropy");
        assert!(coerce(&cce, &[list.clone(), list]).is_ok());
        let err = coerce(&cce, &[DataType::Float64, DataType::Float64]).unwrap_err();
        assert!(
            err.to_string().contains("a list of numbers per row"),
            "{err}"
        );
    }

    #[test]
    fn parameters_build_the_loss_or_say_why_not() {
        let huber = function("huber");
        let number = |x: f64| Some(ScalarValue::Float64(Some(x)));
        assert!(accumulator(&huber, &[number(0.5)]).is_ok());
        assert!(accumulator(&huber, &[Some(ScalarValue::Int64(Some(2)))]).is_ok());
        let err = accumulator(&huber, &[number(-1.0)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("huber") && err.contains("delta"), "{err}");
        let err = accumulator(&huber, &[None]).unwrap_err().to_string();
        assert!(
            err.contains("argument 3 (delta) must be a literal"),
            "{err}"
        );
        let err = accumulator(&huber, &[number(1.0), Some(ScalarValue::from("nonsense"))])
            .unwrap_err()
            .to_string();
        assert!(err.contains("nonsense"), "{err}");
        let kl = function("kl_divergence");
        assert!(accumulator(&kl, &[Some(ScalarValue::from("2"))]).is_ok());
    }
}
