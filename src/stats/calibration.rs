//! Reliability-diagram bins (calibration of predicted probabilities).
//!
//! # Method
//! The predicted probabilities pᵢ ∈ [0, 1] are grouped into `bins` equal-width
//! bins (the last one closed); in each bin, the mean predicted probability is
//! set against the observed frequency, the mean of the outcomes yᵢ ∈ [0, 1]
//! (1 when the event happened). A calibrated model has the two equal in every
//! bin (DeGroot & Fienberg 1983, "The comparison and evaluation of
//! forecasters", JRSS D 32; Niculescu-Mizil & Caruana 2005 for the diagram in
//! machine learning). For a multi-class model, pass the top-label confidence
//! and whether the top label was right.
//!
//! ```
//! use losslab::stats::reliability_bins;
//! let bins = reliability_bins(&[0.1, 0.2, 0.8, 0.9], &[0.0, 1.0, 1.0, 1.0], 2).unwrap();
//! assert_eq!((bins[0].count, bins[0].observed_frequency), (2, Some(0.5)));
//! ```

use serde::Serialize;

use super::histogram::{Binning, Place};
use super::resample::Compensated;
use super::StatsError;

/// One bin of a reliability diagram; the means are None in an empty bin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliabilityBin {
    pub low: f64,
    pub high: f64,
    pub count: u64,
    pub mean_predicted: Option<f64>,
    pub observed_frequency: Option<f64>,
}

/// Reliability bins of `predicted` probabilities against `observed` outcomes.
pub fn reliability_bins(
    predicted: &[f64],
    observed: &[f64],
    bins: usize,
) -> Result<Vec<ReliabilityBin>, StatsError> {
    if predicted.len() != observed.len() {
        return Err(StatsError::Shape(format!(
            "{} predictions but {} outcomes",
            predicted.len(),
            observed.len()
        )));
    }
    let binning = Binning::linear(0.0, 1.0, bins)?;
    let edges = binning.edges();
    let mut sums = vec![(0u64, Compensated::default(), Compensated::default()); bins];
    for (row, (&p, &y)) in predicted.iter().zip(observed).enumerate() {
        let check = |what: &str, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(StatsError::Row {
                    row,
                    message: format!("{what} {v} is not in [0, 1]"),
                })
            }
        };
        check("predicted probability", p)?;
        check("outcome", y)?;
        if let Place::Bin(k) = binning.place(&edges, p) {
            let (count, sum_p, sum_y) = &mut sums[k];
            *count += 1;
            sum_p.add(p);
            sum_y.add(y);
        }
    }
    Ok(sums
        .into_iter()
        .enumerate()
        .map(|(k, (count, sum_p, sum_y))| {
            let mean = |s: Compensated| (count > 0).then(|| s.value() / count as f64);
            ReliabilityBin {
                low: edges[k],
                high: edges[k + 1],
                count,
                mean_predicted: mean(sum_p),
                observed_frequency: mean(sum_y),
            }
        })
        .collect())
}

/// Top-label confidence and correctness of a classifier, the inputs of
/// [`reliability_bins`] for several classes: per row, the largest predicted
/// probability, and 1 where its class (the first of equal maxima) is the
/// row's label, 0 otherwise (Guo et al. 2017, "On calibration of modern
/// neural networks", ICML).
pub fn top_label(
    probabilities: &[Vec<f64>],
    labels: &[usize],
) -> Result<(Vec<f64>, Vec<f64>), StatsError> {
    if probabilities.len() != labels.len() {
        return Err(StatsError::Shape(format!(
            "{} probability rows but {} labels",
            probabilities.len(),
            labels.len()
        )));
    }
    let mut confidence = Vec::with_capacity(labels.len());
    let mut correct = Vec::with_capacity(labels.len());
    for (row, (p, &label)) in probabilities.iter().zip(labels).enumerate() {
        let error = |message: String| StatsError::Row { row, message };
        if label >= p.len() {
            return Err(error(format!("label {label} but {} classes", p.len())));
        }
        if let Some(&x) = p.iter().find(|x| x.is_nan()) {
            return Err(error(format!("probability {x}")));
        }
        let mut top = 0;
        for (class, &x) in p.iter().enumerate() {
            if x > p[top] {
                top = class;
            }
        }
        confidence.push(p[top]);
        correct.push(if top == label { 1.0 } else { 0.0 });
    }
    Ok((confidence, correct))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_by_hand() {
        // Bins [0, .25), [.25, .5), [.5, .75), [.75, 1].
        let p = [0.1, 0.2, 0.3, 0.8, 0.9, 1.0, 0.0];
        let y = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0];
        let bins = reliability_bins(&p, &y, 4).unwrap();
        let counts: Vec<u64> = bins.iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![3, 1, 0, 3]);
        // Bin 0: p = 0.1, 0.2, 0.0 → mean 0.1; y = 0, 1, 0 → 1/3.
        assert!((bins[0].mean_predicted.unwrap() - 0.1).abs() < 1e-16);
        assert_eq!(bins[0].observed_frequency, Some(1.0 / 3.0));
        assert_eq!(bins[2].mean_predicted, None);
        // Bin 3: p = 0.8, 0.9, 1.0 → 0.9; y → 2/3.
        assert!((bins[3].mean_predicted.unwrap() - 0.9).abs() < 1e-15);
        assert_eq!(bins[3].observed_frequency, Some(2.0 / 3.0));
        assert_eq!((bins[3].low, bins[3].high), (0.75, 1.0));
    }

    #[test]
    fn top_label_by_hand() {
        let p = vec![
            vec![0.2, 0.7, 0.1],
            vec![0.4, 0.4, 0.2],
            vec![0.1, 0.3, 0.6],
        ];
        let (confidence, correct) = top_label(&p, &[1, 1, 0]).unwrap();
        assert_eq!(confidence, vec![0.7, 0.4, 0.6]);
        // Row 1: a tie goes to the first class (0), not the label 1.
        assert_eq!(correct, vec![1.0, 0.0, 0.0]);
        assert_eq!(
            top_label(&p, &[0, 3, 0]).unwrap_err().to_string(),
            "row 1: label 3 but 3 classes"
        );
        assert!(top_label(&p, &[0]).is_err());
    }

    #[test]
    fn refuses_probabilities_outside_the_unit_interval() {
        let err = reliability_bins(&[0.5, 1.5], &[0.0, 1.0], 2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "row 1: predicted probability 1.5 is not in [0, 1]"
        );
        assert!(reliability_bins(&[0.5], &[f64::NAN], 2).is_err());
        assert!(reliability_bins(&[0.5], &[1.0], 0).is_err());
    }
}
