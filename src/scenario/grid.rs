//! Ranges of x values: `{ from, to, step }`, evaluated as `from + i·step` (no
//! accumulated rounding), with optional open ends to match `np.arange`.

use serde::Deserialize;

use super::error::{Reporter, ScenarioError};

/// Most points a figure or sweep may produce; more is refused, not attempted.
pub const MAX_POINTS: usize = 1_000_000;

/// Most curves (legend entries, panels of a `normal_kl` figure) one figure
/// may have: each costs a legend line and a path whatever its points, and
/// 200,000 of them made a half-gigabyte SVG that no one can read.
pub const MAX_SERIES: usize = 1_000;

/// Most loss evaluations one figure or quantity may need (a constant fit
/// evaluates the loss at every data value for every grid point).
pub const MAX_EVALUATIONS: usize = 100_000_000;

/// Loss evaluations counted for one best constant per data value: two
/// bisections of at most 64 halvings each (see `compute::fit`).
pub const BISECTION_STEPS: usize = 128;

/// Grid points of one numerical KL integral of two normal densities (see
/// `compute::normal_kl`): each is a density pair and a KL term, counted as
/// one loss evaluation against [`MAX_EVALUATIONS`].
pub const KL_INTEGRATION_POINTS: usize = 20_001;

/// Refuse work of more than [`MAX_EVALUATIONS`] loss evaluations; `how`
/// says how they were counted.
pub(crate) fn check_evaluations(
    path: &str,
    evaluations: usize,
    how: &str,
    rep: &Reporter,
) -> Result<(), ScenarioError> {
    if evaluations > MAX_EVALUATIONS {
        return Err(rep.invalid(
            path,
            format!(
                "would need {evaluations} loss evaluations ({how}); the limit is {MAX_EVALUATIONS}"
            ),
        ));
    }
    Ok(())
}

/// `x = { from = -1, to = 1, step = 0.01, open_end = true }` is `np.arange(-1, 1, 0.01)`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridSpec {
    pub from: f64,
    pub to: f64,
    pub step: f64,
    /// Leave out `from` itself (e.g. x in (0, 1] for log x).
    #[serde(default)]
    pub open_start: bool,
    /// Leave out `to` itself.
    #[serde(default)]
    pub open_end: bool,
}

/// A checked grid: points `from + i·step` for `i` in `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    pub from: f64,
    pub step: f64,
    pub first: usize,
    pub last: usize,
}

impl Grid {
    pub fn len(&self) -> usize {
        self.last + 1 - self.first
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn points(&self) -> impl Iterator<Item = f64> + '_ {
        (self.first..=self.last).map(|i| self.from + i as f64 * self.step)
    }

    /// The span the points cover, for axis ranges.
    pub fn span(&self) -> (f64, f64) {
        (
            self.from + self.first as f64 * self.step,
            self.from + self.last as f64 * self.step,
        )
    }
}

impl GridSpec {
    pub fn validate(&self, path: &str, rep: &Reporter) -> Result<Grid, ScenarioError> {
        for (key, v) in [("from", self.from), ("to", self.to), ("step", self.step)] {
            if !v.is_finite() {
                return Err(
                    rep.invalid(format!("{path}.{key}"), format!("must be finite, got {v}"))
                );
            }
        }
        if self.step <= 0.0 {
            return Err(rep.invalid(
                format!("{path}.step"),
                format!("must be > 0, got {}", self.step),
            ));
        }
        if self.to <= self.from {
            return Err(rep.invalid(
                format!("{path}.to"),
                format!("must be greater than from ({}), got {}", self.from, self.to),
            ));
        }
        let intervals = (self.to - self.from) / self.step;
        if intervals >= MAX_POINTS as f64 {
            return Err(rep.invalid(
                path,
                format!(
                    "would produce {:.0} points; the limit is {MAX_POINTS}",
                    intervals.floor() + 1.0
                ),
            ));
        }
        // Tolerance: `to` counts as on the grid when within a millionth of a step.
        let mut last = (intervals + 1e-6).floor() as usize;
        let ends_on_to = (self.from + last as f64 * self.step - self.to).abs() <= 1e-6 * self.step;
        let no_point = || rep.invalid(path, "contains no point");
        if self.open_end && ends_on_to {
            // Checked: `to` on the grid at index 0 (a step larger than the span)
            // leaves no point at all, not a wrapped-around count.
            last = last.checked_sub(1).ok_or_else(no_point)?;
        }
        let first = usize::from(self.open_start);
        if last < first {
            return Err(no_point());
        }
        Ok(Grid {
            from: self.from,
            step: self.step,
            first,
            last,
        })
    }
}

/// A number or a list of numbers.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(f64),
    Many(Vec<f64>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(
        from: f64,
        to: f64,
        step: f64,
        open_start: bool,
        open_end: bool,
    ) -> Result<Grid, ScenarioError> {
        GridSpec {
            from,
            to,
            step,
            open_start,
            open_end,
        }
        .validate(
            "x",
            &Reporter {
                file: "f.toml".into(),
                locator: Default::default(),
            },
        )
    }

    #[test]
    fn like_arange() {
        let g = grid(-1.0, 1.0, 0.01, false, true).unwrap();
        assert_eq!(g.len(), 200);
        let last = g.points().last().unwrap();
        assert!((last - 0.99).abs() < 1e-12);
    }

    #[test]
    fn open_start_and_closed_end() {
        let g = grid(0.0, 1.0, 0.001, true, false).unwrap();
        assert_eq!(g.len(), 1000);
        assert_eq!(g.points().next().unwrap(), 0.001);
        assert_eq!(g.points().last().unwrap(), 1.0);
    }

    #[test]
    fn too_many_points_refused() {
        let err = grid(0.0, 1.0, 1e-7, false, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.toml: x would produce 10000001 points; the limit is 1000000"
        );
    }

    /// `{ from = 0, to = 1e-7, step = 1, open_end = true }` wrapped an
    /// unsigned count and panicked with "capacity overflow".
    #[test]
    fn an_open_end_on_the_first_point_leaves_no_point() {
        let err = grid(0.0, 1e-7, 1.0, false, true).unwrap_err();
        assert_eq!(err.to_string(), "f.toml: x contains no point");
        let err = grid(0.0, 1e-7, 1.0, true, true).unwrap_err();
        assert_eq!(err.to_string(), "f.toml: x contains no point");
        assert_eq!(grid(0.0, 1e-7, 1.0, false, false).unwrap().len(), 1);
    }
}
