//! The catalogue: canonical names, aliases, parameters with defaults and
//! formulas of every loss, and name lookup with a nearest-name suggestion.
//!
//! ```
//! use losslab::loss::catalogue;
//! let bce = catalogue().into_iter().find(|l| l.name == "binary_cross_entropy").unwrap();
//! assert!(bce.aliases.contains(&"bce"));
//! assert_eq!(bce.params[0].name, "from_logits");
//! ```

use super::{LossError, LossInfo, ParamInfo, ParamValue, Shape};

/// A parameter default that can live in a `static` table.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Default {
    Number(f64),
    Bool(bool),
    Text(&'static str),
    None,
    /// Unset by default; when set, a list of numbers.
    NoList,
}

impl Default {
    pub(crate) fn value(self) -> ParamValue {
        match self {
            Default::Number(x) => ParamValue::Number(x),
            Default::Bool(b) => ParamValue::Bool(b),
            Default::Text(s) => ParamValue::Text(s.to_string()),
            Default::None | Default::NoList => ParamValue::None,
        }
    }
}

pub(crate) struct Entry {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub family: &'static str,
    pub shape: Shape,
    pub params: &'static [(&'static str, Default, &'static str)],
    pub formula: &'static str,
    pub latex: &'static str,
}

const FROM_LOGITS: (&str, Default, &str) = (
    "from_logits",
    Default::Bool(false),
    "the prediction is a logit (sigmoid/softmax applied inside, stable forms)",
);
const LABEL_SMOOTHING: (&str, Default, &str) = (
    "label_smoothing",
    Default::Number(0.0),
    "mix targets with the uniform distribution: y(1-ls) + ls/C (C = 2 for binary), in [0, 1]",
);
const CLASS_WEIGHTS: (&str, Default, &str) = (
    "class_weights",
    Default::NoList,
    "one non-negative weight per class (a list); weighted_mean divides by sum of weight x class weight",
);
const GAMMA: (&str, Default, &str) = (
    "gamma",
    Default::Number(2.0),
    "focusing exponent, >= 0 (0 gives plain cross-entropy)",
);
const BASE: (&str, Default, &str) = (
    "base",
    Default::Text("e"),
    "logarithm base: e (nats), 2 (bits), 10, or any number > 0 other than 1",
);

/// Every loss in a stable order.
pub(crate) static ENTRIES: &[Entry] = &[
    Entry {
        name: "mae",
        aliases: &["l1", "mean_absolute_error"],
        family: "regression",
        shape: Shape::Elementwise,
        params: &[],
        formula: "|a|, a = prediction - target",
        latex: r"|a|,\quad a = \hat y - y",
    },
    Entry {
        name: "mse",
        aliases: &["l2", "mean_squared_error"],
        family: "regression",
        shape: Shape::Elementwise,
        params: &[],
        formula: "a^2",
        latex: r"a^2",
    },
    Entry {
        name: "huber",
        aliases: &[],
        family: "regression",
        shape: Shape::Elementwise,
        params: &[(
            "delta",
            Default::Number(1.0),
            "threshold between the quadratic and linear parts, > 0",
        )],
        formula: "a^2/2 if |a| <= delta, else delta (|a| - delta/2)",
        latex: r"\begin{cases}\tfrac12 a^2 & |a|\le\delta\\ \delta(|a|-\tfrac12\delta) & \text{otherwise}\end{cases}",
    },
    Entry {
        name: "smooth_l1",
        aliases: &[],
        family: "regression",
        shape: Shape::Elementwise,
        params: &[(
            "beta",
            Default::Number(1.0),
            "threshold between the quadratic and linear parts, > 0",
        )],
        formula: "a^2/(2 beta) if |a| < beta, else |a| - beta/2",
        latex: r"\begin{cases}\tfrac{a^2}{2\beta} & |a|<\beta\\ |a|-\tfrac12\beta & \text{otherwise}\end{cases}",
    },
    Entry {
        name: "log_cosh",
        aliases: &["logcosh"],
        family: "regression",
        shape: Shape::Elementwise,
        params: &[],
        formula: "log cosh(a)",
        latex: r"\log\cosh a",
    },
    Entry {
        name: "quantile",
        aliases: &["pinball"],
        family: "robust",
        shape: Shape::Elementwise,
        params: &[("tau", Default::Number(0.5), "quantile level, in (0, 1)")],
        formula: "max(tau u, (tau - 1) u), u = target - prediction",
        latex: r"\max(\tau u, (\tau-1)u),\quad u = y - \hat y",
    },
    Entry {
        name: "msle",
        aliases: &["mean_squared_logarithmic_error"],
        family: "robust",
        shape: Shape::Elementwise,
        params: &[],
        formula: "(log1p(prediction) - log1p(target))^2, inputs > -1",
        latex: r"\left(\log(1+\hat y) - \log(1+y)\right)^2",
    },
    Entry {
        name: "mape",
        aliases: &["mean_absolute_percentage_error"],
        family: "robust",
        shape: Shape::Elementwise,
        params: &[],
        formula: "100 |prediction - target| / |target|, target != 0",
        latex: r"100\,\frac{|\hat y - y|}{|y|}",
    },
    Entry {
        name: "poisson",
        aliases: &["poisson_nll"],
        family: "count",
        shape: Shape::Elementwise,
        params: &[(
            "log_input",
            Default::Bool(false),
            "the prediction is log q (PyTorch's PoissonNLLLoss default): e^z - y z",
        )],
        formula: "q - y log q (q = predicted rate >= 0); with log_input: e^z - y z",
        latex: r"q - y\log q",
    },
    Entry {
        name: "binary_cross_entropy",
        aliases: &["bce", "log_loss"],
        family: "binary",
        shape: Shape::Elementwise,
        params: &[
            FROM_LOGITS,
            (
                "epsilon",
                Default::Number(0.0),
                "clip q to [eps, 1 - eps] first (Keras uses 1e-7); 0 = exact; in [0, 0.5)",
            ),
            LABEL_SMOOTHING,
        ],
        formula: "-[y log q + (1 - y) log(1 - q)]; logits: max(z,0) - z y + log1p(e^-|z|)",
        latex: r"-\left[y\log q + (1-y)\log(1-q)\right]",
    },
    Entry {
        name: "binary_focal_cross_entropy",
        aliases: &["binary_focal", "focal"],
        family: "binary",
        shape: Shape::Elementwise,
        params: &[
            GAMMA,
            (
                "alpha",
                Default::None,
                "class balance in [0, 1]: weight alpha y + (1 - alpha)(1 - y); none = 1",
            ),
            FROM_LOGITS,
            LABEL_SMOOTHING,
        ],
        formula: "w (1 - p_t)^gamma BCE, p_t = y q + (1 - y)(1 - q)",
        latex: r"w\,(1-p_t)^\gamma\,\mathrm{BCE}(y, q),\quad p_t = yq + (1-y)(1-q)",
    },
    Entry {
        name: "hinge",
        aliases: &[],
        family: "margin",
        shape: Shape::Elementwise,
        params: &[],
        formula: "max(0, 1 - y prediction), y in {-1, 1} (or {0, 1} mapped to -1/1)",
        latex: r"\max(0, 1 - y\hat y)",
    },
    Entry {
        name: "squared_hinge",
        aliases: &[],
        family: "margin",
        shape: Shape::Elementwise,
        params: &[],
        formula: "max(0, 1 - y prediction)^2",
        latex: r"\max(0, 1 - y\hat y)^2",
    },
    Entry {
        name: "categorical_cross_entropy",
        aliases: &["cce", "cross_entropy"],
        family: "categorical",
        shape: Shape::Rows,
        params: &[FROM_LOGITS, LABEL_SMOOTHING, CLASS_WEIGHTS],
        formula: "-sum_c w_c y_c log q_c per row (logits: log-softmax)",
        latex: r"-\sum_c w_c\, y_c \log q_c",
    },
    Entry {
        name: "sparse_categorical_cross_entropy",
        aliases: &["scce", "sparse_cce"],
        family: "categorical",
        shape: Shape::Rows,
        params: &[
            FROM_LOGITS,
            LABEL_SMOOTHING,
            CLASS_WEIGHTS,
            (
                "ignore_index",
                Default::None,
                "a label whose samples count for nothing (PyTorch uses -100)",
            ),
        ],
        formula: "-w_t log q_t per row, t = integer label (0-based)",
        latex: r"-w_t \log q_t",
    },
    Entry {
        name: "categorical_focal_cross_entropy",
        aliases: &["categorical_focal"],
        family: "categorical",
        shape: Shape::Rows,
        params: &[
            GAMMA,
            (
                "alpha",
                Default::Number(0.25),
                "weight of every term, in [0, 1]",
            ),
            FROM_LOGITS,
        ],
        formula: "-sum_c alpha (1 - q_c)^gamma y_c log q_c per row",
        latex: r"-\sum_c \alpha (1-q_c)^\gamma y_c\log q_c",
    },
    Entry {
        name: "categorical_hinge",
        aliases: &[],
        family: "margin",
        shape: Shape::Rows,
        params: &[],
        formula: "max(0, 1 + max_{c != t} prediction_c - prediction_t) per one-hot row",
        latex: r"\max\left(0, 1 + \max_{c\ne t}\hat y_c - \hat y_t\right)",
    },
    Entry {
        name: "cosine_similarity",
        aliases: &["cosine"],
        family: "similarity",
        shape: Shape::Rows,
        params: &[],
        formula: "-(y . prediction) / (|y| |prediction|) per row",
        latex: r"-\frac{y\cdot\hat y}{\lVert y\rVert\,\lVert\hat y\rVert}",
    },
    Entry {
        name: "kl_divergence",
        aliases: &["kl", "kld", "kullback_leibler"],
        family: "divergence",
        shape: Shape::Rows,
        params: &[
            BASE,
            (
                "normalize",
                Default::Bool(false),
                "rescale both rows (entries >= 0, such as counts) to sum to 1 first; the gradient goes through the rescaling",
            ),
        ],
        formula: "sum_c p_c log(p_c / q_c) / log(base) per row (p = target, q = prediction)",
        latex: r"\frac{1}{\log b}\sum_c p_c \log\frac{p_c}{q_c}",
    },
    Entry {
        name: "jensen_shannon",
        aliases: &["js", "jsd", "jensen_shannon_divergence"],
        family: "divergence",
        shape: Shape::Rows,
        params: &[BASE],
        formula: "KL(p||m)/2 + KL(q||m)/2, m = (p + q)/2, per row",
        latex: r"\tfrac12 D_{\mathrm{KL}}(p\Vert m) + \tfrac12 D_{\mathrm{KL}}(q\Vert m),\quad m = \tfrac{p+q}{2}",
    },
];

fn normalise_name(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace('-', "_")
}

/// Find a loss by canonical name or alias; unknown names get the nearest
/// known name as a suggestion.
pub(crate) fn find(name: &str) -> Result<&'static Entry, LossError> {
    let wanted = normalise_name(name);
    if let Some(e) = ENTRIES
        .iter()
        .find(|e| e.name == wanted || e.aliases.contains(&wanted.as_str()))
    {
        return Ok(e);
    }
    let best = ENTRIES
        .iter()
        .flat_map(|e| {
            std::iter::once(e.name)
                .chain(e.aliases.iter().copied())
                .map(move |n| (n, e.name))
        })
        .map(|(n, canonical)| (strsim::levenshtein(&wanted, n), canonical))
        .min_by_key(|(d, _)| *d);
    // A suggestion that shares almost nothing with the input would mislead.
    let suggestion = best
        .filter(|(d, _)| *d <= 3.max(wanted.len() / 3))
        .map(|(_, n)| n.to_string());
    Err(LossError::UnknownLoss {
        name: name.to_string(),
        suggestion,
    })
}

/// Public view of the table.
pub fn catalogue() -> Vec<LossInfo> {
    ENTRIES
        .iter()
        .map(|e| LossInfo {
            name: e.name,
            aliases: e.aliases,
            family: e.family,
            shape: e.shape,
            params: e
                .params
                .iter()
                .map(|(name, default, doc)| ParamInfo {
                    name,
                    default: default.value(),
                    takes_list: matches!(default, Default::NoList),
                    doc,
                })
                .collect(),
            formula: e.formula,
            latex: e.latex,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve() {
        assert_eq!(find("L1").unwrap().name, "mae");
        assert_eq!(find("log-loss").unwrap().name, "binary_cross_entropy");
        assert_eq!(find("kld").unwrap().name, "kl_divergence");
    }

    #[test]
    fn unknown_name_suggests_nearest() {
        let err = find("hubber").err().unwrap();
        assert_eq!(
            err.to_string(),
            "unknown loss `hubber` (did you mean `huber`?)"
        );
        let err = find("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")
            .err()
            .unwrap();
        assert!(matches!(
            err,
            LossError::UnknownLoss {
                suggestion: None,
                ..
            }
        ));
    }

    #[test]
    fn names_are_unique() {
        let mut all: Vec<&str> = ENTRIES
            .iter()
            .flat_map(|e| std::iter::once(e.name).chain(e.aliases.iter().copied()))
            .collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }
}
