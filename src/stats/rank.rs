//! The order of the models under each loss, and where that order changes:
//! the point of a comparison report is that the winner depends on the loss.

use std::cmp::Ordering;

use serde::Serialize;

use super::LossLabel;

/// Models under one loss, best (lowest mean loss) first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankRow {
    #[serde(flatten)]
    pub loss: LossLabel,
    pub order: Vec<String>,
}

/// Model names ordered by mean loss, lowest first. Ties keep the models'
/// given order (a stable sort), so the order is deterministic; a NaN mean
/// (possible only as ∞ − ∞ of a signed loss) comes last.
pub fn rank_models(models: &[String], means: &[f64]) -> Vec<String> {
    let mut order: Vec<usize> = (0..models.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| (means[i].is_nan(), means[i]);
        let ((nan_a, x), (nan_b, y)) = (key(a), key(b));
        // partial_cmp: −0 and +0 are the same mean, a tie.
        nan_a
            .cmp(&nan_b)
            .then(x.partial_cmp(&y).unwrap_or(Ordering::Equal))
    });
    order.into_iter().map(|i| models[i].clone()).collect()
}

/// Indices of the rank rows whose order differs from the most common order
/// (ties between equally common orders go to the one seen first). Empty when
/// every loss orders the models alike.
pub fn rows_with_different_order(ranks: &[RankRow]) -> Vec<usize> {
    let count = |order: &Vec<String>| ranks.iter().filter(|r| &r.order == order).count();
    let Some(modal) = ranks
        .iter()
        .map(|r| &r.order)
        .enumerate()
        // max_by_key keeps the last maximum: prefer the earliest via the reversed index.
        .max_by_key(|&(i, order)| (count(order), usize::MAX - i))
        .map(|(_, order)| order)
    else {
        return Vec::new();
    };
    (0..ranks.len())
        .filter(|&i| &ranks[i].order != modal)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn lowest_first_ties_in_given_order() {
        let models = names(&["a", "b", "c", "d"]);
        let order = rank_models(&models, &[2.0, 1.0, 2.0, f64::NAN]);
        assert_eq!(order, names(&["b", "a", "c", "d"]));
        let order = rank_models(&models, &[f64::INFINITY, 0.0, -0.0, 1.0]);
        // −0 and +0 tie (given order kept); ∞ last among numbers.
        assert_eq!(order, names(&["b", "c", "d", "a"]));
    }

    #[test]
    fn finds_the_losses_that_reorder() {
        let row = |loss: &str, order: &[&str]| RankRow {
            loss: LossLabel::new(loss),
            order: names(order),
        };
        let ranks = vec![
            row("mae", &["a", "b"]),
            row("mse", &["b", "a"]),
            row("huber", &["a", "b"]),
        ];
        assert_eq!(rows_with_different_order(&ranks), vec![1]);
        // One each: the first order is the reference.
        assert_eq!(rows_with_different_order(&ranks[..2]), vec![1]);
        assert!(rows_with_different_order(&ranks[..1]).is_empty());
    }
}
