//! The catalogue: the list of every loss's [`Definition`] (each lives in its
//! family file) and nothing else, with name lookup and a nearest-name
//! suggestion. A new loss is one line here.
//!
//! ```
//! use losslab::loss::catalogue;
//! let bce = catalogue().into_iter().find(|l| l.name == "binary_cross_entropy").unwrap();
//! assert!(bce.aliases.contains(&"bce"));
//! assert_eq!(bce.params[0].name, "from_logits");
//! ```

use super::definition::{Definition, Hue};
use super::{binary, categorical, count, divergence, margin, regression, robust, similarity};
use super::{LossError, LossInfo, ParamInfo};

/// Every loss, in the order `losslab list` shows them.
pub(crate) static DEFINITIONS: &[&Definition] = &[
    &regression::MAE,
    &regression::MSE,
    &regression::HUBER,
    &regression::SMOOTH_L1,
    &regression::LOG_COSH,
    &regression::PSEUDO_HUBER,
    &robust::QUANTILE,
    &robust::MSLE,
    &robust::MAPE,
    &count::POISSON,
    &binary::BCE,
    &binary::BINARY_FOCAL,
    &margin::HINGE,
    &margin::SQUARED_HINGE,
    &categorical::CCE,
    &categorical::SCCE,
    &categorical::CATEGORICAL_FOCAL,
    &margin::CATEGORICAL_HINGE,
    &similarity::COSINE,
    &divergence::KL,
    &divergence::JENSEN_SHANNON,
];

fn normalise_name(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace('-', "_")
}

/// Find a loss by canonical name or alias; unknown names get the nearest
/// known name as a suggestion.
pub(crate) fn find(name: &str) -> Result<&'static Definition, LossError> {
    if let Some(def) = lookup(name) {
        return Ok(def);
    }
    let wanted = normalise_name(name);
    let best = DEFINITIONS
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

/// The definition of a canonical name or alias, if there is one.
pub(crate) fn lookup(name: &str) -> Option<&'static Definition> {
    let wanted = normalise_name(name);
    DEFINITIONS
        .iter()
        .copied()
        .find(|d| d.name == wanted || d.aliases.contains(&wanted.as_str()))
}

/// The public view of one definition.
pub(crate) fn info(def: &Definition) -> LossInfo {
    LossInfo {
        name: def.name,
        aliases: def.aliases,
        family: def.family,
        shape: def.shape(),
        params: def
            .params
            .iter()
            .map(|p| ParamInfo {
                name: p.name,
                default: p.default.value(),
                takes_list: p.default.takes_list(),
                doc: p.doc,
            })
            .chain(
                (!def.conventions.is_empty())
                    .then(super::convention::param_infos)
                    .into_iter()
                    .flatten(),
            )
            .collect(),
        formula: def.formula,
        latex: def.latex,
        display_name: def.display_name,
        lhs: def.lhs,
        hue: def.hue,
        sampling: def.sampling,
    }
}

/// Every loss of the catalogue, as public information.
pub fn catalogue() -> Vec<LossInfo> {
    DEFINITIONS.iter().map(|d| info(d)).collect()
}

/// The fixed colour of a canonical name or alias, without building its whole
/// catalogue entry (the palette asks for every series).
pub fn loss_hue(name: &str) -> Option<Hue> {
    lookup(name).map(|def| def.hue)
}

/// The catalogue entry of a canonical name or alias (`l1` gives MAE's).
pub fn loss_info(name: &str) -> Option<LossInfo> {
    lookup(name).map(info)
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
        let mut all: Vec<&str> = DEFINITIONS
            .iter()
            .flat_map(|e| std::iter::once(e.name).chain(e.aliases.iter().copied()))
            .collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }
}
