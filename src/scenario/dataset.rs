//! `[[datasets]]`: named arrays of numbers, given inline, read from CSV, or
//! generated from a distribution with a seed; or the result of an SQL query
//! (`sql`, see `query`).
//!
//! Exactly one source per dataset: `values`, `rows`, `csv`, `counts`,
//! `generate` or `sql`.

use std::path::Path;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

use super::error::{shown_number, Reporter, ScenarioError};
use crate::loss::Data;

/// Largest generated or repeated dataset, the same cap as figures.
pub const MAX_DATASET_SIZE: usize = 1_000_000;

/// One named dataset.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetSpec {
    /// Referenced by quantities and figures.
    pub name: String,
    /// Legend label (e.g. "original y"); defaults to the name.
    pub label: Option<String>,
    /// Inline flat array.
    pub values: Option<Vec<f64>>,
    /// Inline matrix, one row per sample (row losses).
    pub rows: Option<Vec<Vec<f64>>>,
    /// CSV file with a header row, relative to the scenario file.
    pub csv: Option<String>,
    /// With `csv`: take this column (by header name) as a flat array.
    /// Without it, one column gives a flat array and several give rows.
    pub column: Option<String>,
    /// With `csv`: several models' predictions, one model per entry
    /// (`label=column` or `label=prefix_*`), or a glob giving one model per
    /// matching column (see `model_columns`).
    pub columns: Option<super::model_columns::ColumnList>,
    /// Exact repetitions: `[{ value = 5, count = 25 }, { value = 10, count = 75 }]`.
    pub counts: Option<Vec<CountSpec>>,
    /// Random samples.
    pub generate: Option<GenerateSpec>,
    /// One read-only SELECT over Parquet/CSV files (feature `datafusion`):
    /// a table of key columns and losses (see `query`).
    pub sql: Option<String>,
    /// With `sql`: the most result rows (default 1000).
    pub max_rows: Option<usize>,
    /// With `sql`: the plan's target partitions (default 0: one per core).
    pub partitions: Option<usize>,
}

/// `value` repeated `count` times.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountSpec {
    pub value: f64,
    pub count: usize,
}

/// `size` samples from one distribution or a random mixture, with a seed (ChaCha8).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateSpec {
    pub size: usize,
    pub seed: u64,
    /// One distribution ...
    pub distribution: Option<DistributionSpec>,
    /// ... or a mixture: each sample picks a component with probability `share`.
    pub mixture: Option<Vec<MixtureComponent>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixtureComponent {
    /// Probability of this component; the shares must sum to 1.
    pub share: f64,
    pub distribution: DistributionSpec,
}

/// A statrs distribution, by `kind`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DistributionSpec {
    Normal {
        mean: f64,
        std: f64,
    },
    Laplace {
        location: f64,
        scale: f64,
    },
    StudentT {
        location: f64,
        scale: f64,
        freedom: f64,
    },
    Uniform {
        low: f64,
        high: f64,
    },
    /// Always the same value (e.g. the 5 of "25 % fives").
    Constant {
        value: f64,
    },
}

/// A distribution checked once, ready to sample.
enum Sampler {
    Normal(statrs::distribution::Normal),
    Laplace(statrs::distribution::Laplace),
    StudentT(statrs::distribution::StudentsT),
    Uniform(statrs::distribution::Uniform),
    Constant(f64),
}

impl Sampler {
    /// Check every parameter first (finite, in range, a finite width), so
    /// statrs never sees a value it would refuse or panic on (its uniform
    /// sampler unwraps on an infinite `high − low`); errors name the key.
    fn new(spec: &DistributionSpec, path: &str, rep: &Reporter) -> Result<Sampler, ScenarioError> {
        use statrs::distribution as d;
        let finite = |key: &str, v: f64| {
            if v.is_finite() {
                Ok(v)
            } else {
                Err(rep.invalid(format!("{path}.{key}"), format!("must be finite, got {v}")))
            }
        };
        let positive = |key: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(v)
            } else {
                Err(rep.invalid(
                    format!("{path}.{key}"),
                    format!("must be a finite number > 0, got {v}"),
                ))
            }
        };
        let bad = |e: &dyn std::fmt::Display| {
            rep.invalid(path, format!("is not a valid distribution: {e}"))
        };
        Ok(match *spec {
            DistributionSpec::Normal { mean, std } => Sampler::Normal(
                d::Normal::new(finite("mean", mean)?, positive("std", std)?)
                    .map_err(|e| bad(&e))?,
            ),
            DistributionSpec::Laplace { location, scale } => Sampler::Laplace(
                d::Laplace::new(finite("location", location)?, positive("scale", scale)?)
                    .map_err(|e| bad(&e))?,
            ),
            DistributionSpec::StudentT {
                location,
                scale,
                freedom,
            } => Sampler::StudentT(
                d::StudentsT::new(
                    finite("location", location)?,
                    positive("scale", scale)?,
                    positive("freedom", freedom)?,
                )
                .map_err(|e| bad(&e))?,
            ),
            DistributionSpec::Uniform { low, high } => {
                let (low, high) = (finite("low", low)?, finite("high", high)?);
                if !(low < high && (high - low).is_finite()) {
                    return Err(rep.invalid(
                        format!("{path}.high"),
                        format!(
                            "must be above low ({}) by a finite width, got {} (width {})",
                            shown_number(low),
                            shown_number(high),
                            shown_number(high - low)
                        ),
                    ));
                }
                Sampler::Uniform(d::Uniform::new(low, high).map_err(|e| bad(&e))?)
            }
            DistributionSpec::Constant { value } => Sampler::Constant(finite("value", value)?),
        })
    }

    fn sample(&self, rng: &mut ChaCha8Rng) -> f64 {
        use rand::distr::Distribution;
        match self {
            Sampler::Normal(d) => d.sample(rng),
            Sampler::Laplace(d) => d.sample(rng),
            Sampler::StudentT(d) => d.sample(rng),
            Sampler::Uniform(d) => d.sample(rng),
            Sampler::Constant(v) => *v,
        }
    }
}

impl DatasetSpec {
    /// Read the models of a dataset with `columns` (which needs `csv` and
    /// no other source); at most [`MAX_DATASET_SIZE`] rows.
    pub fn load_models(
        &self,
        list: &super::model_columns::ColumnList,
        base: &Path,
        path: &str,
        rep: &Reporter,
    ) -> Result<Vec<super::model_columns::ModelData>, ScenarioError> {
        let Some(file) = &self.csv else {
            return Err(rep.invalid(
                format!("{path}.columns"),
                "is only used with `csv` (the file holding the models' columns)",
            ));
        };
        let others = [
            ("values", self.values.is_some()),
            ("rows", self.rows.is_some()),
            ("counts", self.counts.is_some()),
            ("generate", self.generate.is_some()),
            ("column", self.column.is_some()),
        ];
        if let Some((key, _)) = others.iter().find(|(_, given)| *given) {
            return Err(rep.invalid(
                format!("{path}.{key}"),
                "cannot be given with `columns` (a dataset of models reads only its `csv` columns)",
            ));
        }
        super::model_columns::read_models(
            (&base.join(file), file),
            list,
            MAX_DATASET_SIZE,
            path,
            rep,
        )
    }

    /// Load or generate the data. `base` is the scenario file's folder; `path` is `datasets[i]`.
    pub fn load(&self, base: &Path, path: &str, rep: &Reporter) -> Result<Data, ScenarioError> {
        let sources = [
            self.values.is_some(),
            self.rows.is_some(),
            self.csv.is_some(),
            self.counts.is_some(),
            self.generate.is_some(),
        ];
        if sources.iter().filter(|s| **s).count() != 1 {
            return Err(rep.invalid(
                path,
                "needs exactly one of `values`, `rows`, `csv`, `counts`, `generate`, `sql`",
            ));
        }
        if self.column.is_some() && self.csv.is_none() {
            return Err(rep.invalid(format!("{path}.column"), "is only used with `csv`"));
        }
        let data = if let Some(values) = &self.values {
            Data::Flat(values.clone())
        } else if let Some(rows) = &self.rows {
            Data::Rows(rows.clone())
        } else if let Some(file) = &self.csv {
            super::data_file::read_data_file(
                (&base.join(file), file),
                self.column.as_deref(),
                MAX_DATASET_SIZE,
                &format!("{path}.csv"),
                rep,
            )?
        } else if let Some(counts) = &self.counts {
            repeat_counts(counts, &format!("{path}.counts"), rep)?
        } else if let Some(generate) = &self.generate {
            Data::Flat(generate.sample(&format!("{path}.generate"), rep)?)
        } else {
            unreachable!("exactly one source was checked above")
        };
        check_finite(&data, path, rep)?;
        Ok(data)
    }
}

fn check_finite(data: &Data, path: &str, rep: &Reporter) -> Result<(), ScenarioError> {
    let (len, bad) = match data {
        Data::Flat(v) => (
            v.len(),
            v.iter().position(|x| !x.is_finite()).map(|i| (i, v[i])),
        ),
        Data::Rows(rows) => (
            rows.len(),
            rows.iter()
                .flatten()
                .position(|x| !x.is_finite())
                .map(|i| (i, *rows.iter().flatten().nth(i).unwrap_or(&f64::NAN))),
        ),
    };
    if len == 0 {
        return Err(rep.invalid(path, "is empty"));
    }
    if let Some((i, v)) = bad {
        return Err(rep.invalid(path, format!("value {i} is not finite ({v})")));
    }
    Ok(())
}

fn repeat_counts(counts: &[CountSpec], path: &str, rep: &Reporter) -> Result<Data, ScenarioError> {
    let total: usize = counts
        .iter()
        .map(|c| c.count)
        .fold(0, usize::saturating_add);
    if total > MAX_DATASET_SIZE {
        return Err(rep.invalid(
            path,
            format!("would make {total} values; the limit is {MAX_DATASET_SIZE}"),
        ));
    }
    Ok(Data::Flat(
        counts
            .iter()
            .flat_map(|c| std::iter::repeat_n(c.value, c.count))
            .collect(),
    ))
}

impl GenerateSpec {
    fn sample(&self, path: &str, rep: &Reporter) -> Result<Vec<f64>, ScenarioError> {
        if self.size == 0 || self.size > MAX_DATASET_SIZE {
            return Err(rep.invalid(
                format!("{path}.size"),
                format!(
                    "must be between 1 and {MAX_DATASET_SIZE}, got {}",
                    self.size
                ),
            ));
        }
        let components: Vec<(f64, Sampler)> = match (&self.distribution, &self.mixture) {
            (Some(d), None) => vec![(1.0, Sampler::new(d, &format!("{path}.distribution"), rep)?)],
            (None, Some(mixture)) if !mixture.is_empty() => {
                let mut out = Vec::new();
                for (i, c) in mixture.iter().enumerate() {
                    if !(c.share.is_finite() && c.share > 0.0 && c.share <= 1.0) {
                        return Err(rep.invalid(
                            format!("{path}.mixture[{i}].share"),
                            format!("must be in (0, 1], got {}", c.share),
                        ));
                    }
                    let sampler = Sampler::new(
                        &c.distribution,
                        &format!("{path}.mixture[{i}].distribution"),
                        rep,
                    )?;
                    out.push((c.share, sampler));
                }
                let total: f64 = out.iter().map(|c| c.0).sum();
                if (total - 1.0).abs() > 1e-9 {
                    return Err(rep.invalid(
                        format!("{path}.mixture"),
                        format!("shares must sum to 1, got {total}"),
                    ));
                }
                out
            }
            _ => return Err(rep.invalid(path, "needs exactly one of `distribution`, `mixture`")),
        };
        // ChaCha8 with a fixed seed gives the same stream on every platform.
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        Ok((0..self.size)
            .map(|_| {
                let chosen = if components.len() == 1 {
                    &components[0].1
                } else {
                    let u: f64 = rand::RngExt::random(&mut rng);
                    pick(&components, u)
                };
                chosen.sample(&mut rng)
            })
            .collect())
    }
}

/// The component whose cumulative share first exceeds `u` (the last one on rounding).
fn pick(components: &[(f64, Sampler)], u: f64) -> &Sampler {
    let mut cumulative = 0.0;
    for (share, sampler) in components {
        cumulative += share;
        if u < cumulative {
            return sampler;
        }
    }
    &components[components.len() - 1].1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep() -> Reporter {
        Reporter {
            file: "x.toml".into(),
            locator: Default::default(),
        }
    }

    #[test]
    fn generated_data_is_reproducible() {
        let spec: DatasetSpec = toml::from_str(
            "name = 'n'\ngenerate = { size = 50, seed = 3, mixture = [ \
             { share = 0.95, distribution = { kind = 'normal', mean = 0, std = 1 } }, \
             { share = 0.05, distribution = { kind = 'uniform', low = -20, high = 20 } } ] }",
        )
        .unwrap();
        let a = spec.load(Path::new("."), "datasets[0]", &rep()).unwrap();
        let b = spec.load(Path::new("."), "datasets[0]", &rep()).unwrap();
        assert_eq!(a, b);
        let Data::Flat(v) = a else { panic!() };
        assert_eq!(v.len(), 50);
    }

    #[test]
    fn every_distribution_samples() {
        for kind in [
            "{ kind = 'normal', mean = 1, std = 2 }",
            "{ kind = 'laplace', location = 0, scale = 1 }",
            "{ kind = 'student_t', location = 0, scale = 1, freedom = 3 }",
            "{ kind = 'uniform', low = 0, high = 1 }",
        ] {
            let spec: DatasetSpec = toml::from_str(&format!(
                "name = 'n'\ngenerate = {{ size = 10, seed = 1, distribution = {kind} }}"
            ))
            .unwrap();
            let data = spec.load(Path::new("."), "datasets[0]", &rep()).unwrap();
            assert!(
                matches!(data, Data::Flat(v) if v.len() == 10 && v.iter().all(|x| x.is_finite()))
            );
        }
    }

    #[test]
    fn exact_counts() {
        let spec: DatasetSpec = toml::from_str(
            "name = 'c'\ncounts = [{ value = 5, count = 25 }, { value = 10, count = 75 }]",
        )
        .unwrap();
        let Data::Flat(v) = spec.load(Path::new("."), "datasets[0]", &rep()).unwrap() else {
            panic!()
        };
        assert_eq!(v.len(), 100);
        assert_eq!(v.iter().filter(|x| **x == 5.0).count(), 25);
    }

    #[test]
    fn two_sources_are_refused() {
        let spec: DatasetSpec = toml::from_str("name = 'c'\nvalues = [1]\nrows = [[1]]").unwrap();
        let err = spec
            .load(Path::new("."), "datasets[0]", &rep())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.toml: datasets[0] needs exactly one of `values`, `rows`, `csv`, `counts`, `generate`, `sql`"
        );
    }

    /// `uniform` from −1e308 to 1e308 panicked inside statrs (its width is infinite).
    #[test]
    fn distribution_parameters_are_checked_before_statrs() {
        for (distribution, expected) in [
            (
                "{ kind = 'uniform', low = -1e308, high = 1e308 }",
                "datasets[0].generate.distribution.high must be above low (-1e308) by a finite width, got 1e308 (width inf)",
            ),
            (
                "{ kind = 'uniform', low = 1, high = 1 }",
                "datasets[0].generate.distribution.high must be above low (1) by a finite width, got 1 (width 0)",
            ),
            (
                "{ kind = 'normal', mean = 0, std = -1 }",
                "datasets[0].generate.distribution.std must be a finite number > 0, got -1",
            ),
            (
                "{ kind = 'laplace', location = inf, scale = 1 }",
                "datasets[0].generate.distribution.location must be finite, got inf",
            ),
            (
                "{ kind = 'student_t', location = 0, scale = 1, freedom = nan }",
                "datasets[0].generate.distribution.freedom must be a finite number > 0, got NaN",
            ),
            (
                "{ kind = 'constant', value = -inf }",
                "datasets[0].generate.distribution.value must be finite, got -inf",
            ),
        ] {
            let spec: DatasetSpec = toml::from_str(&format!(
                "name = 'n'\ngenerate = {{ size = 10, seed = 1, distribution = {distribution} }}"
            ))
            .unwrap();
            let err = spec
                .load(Path::new("."), "datasets[0]", &rep())
                .unwrap_err();
            assert_eq!(err.to_string(), format!("x.toml: {expected}"));
        }
    }
}
