//! The function table: which SQL functions exist, built from the catalogue.
//!
//! Every loss gives `NAME` (exact sum) and `NAME_compensated`; a loss with a
//! `from_logits` parameter also gives `NAME_logits` and
//! `NAME_logits_compensated` (the prediction column holds logits). Aliases
//! follow the same pattern (`bce`, `bce_logits_compensated`). The
//! parameters after the two columns are the loss's parameters in the order
//! `losslab list` shows them, `from_logits` left out (the name says it).

use crate::loss::{catalogue, Loss, Params, Shape, Summation};

/// One SQL aggregate function: a loss, its form and its sum.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LossFunction {
    /// The SQL name, e.g. `huber_compensated`.
    pub name: String,
    /// Other SQL names of the same function (from the loss's aliases).
    pub aliases: Vec<String>,
    /// The catalogue's canonical loss name.
    pub loss: &'static str,
    /// The prediction column holds logits (`from_logits = true`).
    pub logits: bool,
    pub summation: Summation,
    /// A row loss: the prediction is a list column, one row per list.
    pub rows: bool,
    /// A row loss with one integer label per row as the target.
    pub sparse_labels: bool,
    /// The literal parameters that may follow the two columns, in order.
    pub parameters: Vec<&'static str>,
}

/// The suffix of the compensated (non-exact) variant.
pub const COMPENSATED: &str = "_compensated";
/// The suffix of the logits variant.
pub const LOGITS: &str = "_logits";

/// Every SQL loss function, in the catalogue's order.
pub fn functions() -> Vec<LossFunction> {
    let mut out = Vec::new();
    for info in catalogue() {
        let has_logits = info.params.iter().any(|p| p.name == "from_logits");
        // The default loss tells the shape and the kind of labels.
        let Ok(loss) = Loss::new(info.name, &Params::new()) else {
            continue;
        };
        let parameters: Vec<&'static str> = info
            .params
            .iter()
            .map(|p| p.name)
            .filter(|&name| name != "from_logits")
            .collect();
        let logits_forms: &[bool] = if has_logits { &[false, true] } else { &[false] };
        for &logits in logits_forms {
            for summation in [Summation::Exact, Summation::Compensated] {
                let suffix = format!(
                    "{}{}",
                    if logits { LOGITS } else { "" },
                    if summation == Summation::Compensated {
                        COMPENSATED
                    } else {
                        ""
                    }
                );
                out.push(LossFunction {
                    name: format!("{}{suffix}", info.name),
                    aliases: info
                        .aliases
                        .iter()
                        .map(|a| format!("{a}{suffix}"))
                        .collect(),
                    loss: info.name,
                    logits,
                    summation,
                    rows: loss.shape() == Shape::Rows,
                    sparse_labels: loss.sparse_labels(),
                    parameters: parameters.clone(),
                });
            }
        }
    }
    out
}

impl LossFunction {
    /// How a call looks, for messages: `huber(target, prediction[, delta[, convention[, dtype]]])`.
    pub fn usage(&self) -> String {
        let (target, prediction) = match (self.rows, self.sparse_labels) {
            (false, _) => ("target", "prediction"),
            (true, true) => ("label", "prediction_list"),
            (true, false) => ("target_list", "prediction_list"),
        };
        let mut optional = String::new();
        for name in self.parameters.iter().rev() {
            optional = format!("[, {name}{optional}]");
        }
        format!("{}({target}, {prediction}{optional})", self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_loss_has_an_exact_and_a_compensated_function() {
        let all = functions();
        let names: Vec<&str> = all.iter().map(|f| f.name.as_str()).collect();
        for info in catalogue() {
            assert!(names.contains(&info.name), "{}", info.name);
            assert!(names.contains(&format!("{}{COMPENSATED}", info.name).as_str()));
        }
        for logits in [
            "binary_cross_entropy_logits",
            "binary_focal_cross_entropy_logits_compensated",
            "categorical_cross_entropy_logits",
            "sparse_categorical_cross_entropy_logits",
        ] {
            assert!(names.contains(&logits), "{logits}");
        }
        assert!(!names.contains(&"mse_logits"));
        let bce = all
            .iter()
            .find(|f| f.name == "binary_cross_entropy_logits")
            .unwrap();
        assert!(bce.logits && bce.aliases.contains(&"bce_logits".to_string()));
        assert!(!bce.parameters.contains(&"from_logits"));
        let huber = all.iter().find(|f| f.name == "huber").unwrap();
        assert_eq!(huber.parameters[0], "delta");
        assert_eq!(
            huber.usage(),
            "huber(target, prediction[, delta[, convention[, dtype]]])"
        );
        // No two functions share a name or an alias.
        let mut every: Vec<&String> = all
            .iter()
            .flat_map(|f| f.aliases.iter().chain([&f.name]))
            .collect();
        let n = every.len();
        every.sort();
        every.dedup();
        assert_eq!(every.len(), n);
    }
}
