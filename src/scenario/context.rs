//! The validation context: every name a reference can resolve to (datasets,
//! losses, distributions, quantities, figures, tables), with the reporter
//! for this file. Its own module so that the validators of each table
//! (`text`, `figure`, `quantity`) and `validate`, which fills it, all import
//! it without importing one another.

use std::collections::BTreeMap;

use super::error::{is_safe_name, Reporter, ScenarioError};
use super::valid::{Discrete, LossMember, NormalParams};
use crate::loss::Data;

/// Everything a reference can resolve to, with the reporter for this file.
pub(crate) struct Context {
    pub rep: Reporter,
    pub datasets: BTreeMap<String, Data>,
    pub dataset_labels: BTreeMap<String, String>,
    /// Datasets of several models (`columns = [...]`).
    pub model_sets: BTreeMap<String, Vec<super::model_columns::ModelData>>,
    /// The results of `sql` datasets.
    pub queries: BTreeMap<String, super::query_table::QueryTable>,
    pub losses: BTreeMap<String, Vec<LossMember>>,
    pub distributions: BTreeMap<String, Discrete>,
    pub normals: BTreeMap<String, NormalParams>,
    pub quantities: BTreeMap<String, usize>,
    /// `[[trainings]]` by name: the index and each member's parameter names.
    pub trainings: BTreeMap<String, super::training_types::TrainingRef>,
    pub figures: Vec<String>,
    pub tables: Vec<String>,
}

impl Context {
    fn lookup<'a, T>(
        &self,
        map: &'a BTreeMap<String, T>,
        what: &str,
        path: &str,
        name: &str,
    ) -> Result<&'a T, ScenarioError> {
        map.get(name).ok_or_else(|| {
            self.rep
                .unknown(path, what, name, map.keys().map(String::as_str))
        })
    }

    /// The legend label of a dataset (its name if it has none).
    pub fn label(&self, name: &str) -> String {
        self.dataset_labels
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }

    pub fn loss(&self, path: &str, name: &str) -> Result<&Vec<LossMember>, ScenarioError> {
        self.lookup(&self.losses, "loss", path, name)
    }

    /// All members of several loss entries, in order.
    pub fn loss_list(
        &self,
        path: &str,
        names: &[String],
    ) -> Result<Vec<LossMember>, ScenarioError> {
        if names.is_empty() {
            return Err(self.rep.invalid(path, "is empty"));
        }
        let mut out = Vec::new();
        for (i, name) in names.iter().enumerate() {
            out.extend(self.loss(&format!("{path}[{i}]"), name)?.iter().cloned());
        }
        Ok(out)
    }

    pub fn normal(&self, path: &str, name: &str) -> Result<NormalParams, ScenarioError> {
        self.lookup(&self.normals, "normal", path, name).cloned()
    }

    pub fn discrete(&self, path: &str, name: &str) -> Result<Discrete, ScenarioError> {
        self.lookup(&self.distributions, "distribution", path, name)
            .cloned()
    }

    /// A dataset, or a discrete distribution's probabilities (one row).
    pub fn data(&self, path: &str, name: &str) -> Result<Data, ScenarioError> {
        if let Some(d) = self.datasets.get(name) {
            return Ok(d.clone());
        }
        if let Some(d) = self.distributions.get(name) {
            return Ok(Data::Flat(d.probabilities.clone()));
        }
        if self.queries.contains_key(name) {
            return Err(self.rep.invalid(path, query_misused(name)));
        }
        let known = self
            .datasets
            .keys()
            .chain(self.distributions.keys())
            .map(String::as_str);
        Err(self.rep.unknown(path, "dataset", name, known))
    }

    /// A flat dataset (figures and fits that need one number per sample).
    pub fn flat(&self, path: &str, name: &str) -> Result<Vec<f64>, ScenarioError> {
        match self.data(path, name)? {
            Data::Flat(v) => Ok(v),
            Data::Rows(_) => Err(self.rep.invalid(
                path,
                format!("\"{name}\" has rows; a flat dataset is needed here"),
            )),
        }
    }

    /// The result of a `sql` dataset.
    pub fn query(
        &self,
        path: &str,
        name: &str,
    ) -> Result<&super::query_table::QueryTable, ScenarioError> {
        self.lookup(&self.queries, "`sql` dataset", path, name)
    }

    pub fn training(
        &self,
        path: &str,
        name: &str,
    ) -> Result<&super::training_types::TrainingRef, ScenarioError> {
        self.lookup(&self.trainings, "training", path, name)
    }

    pub fn quantity(&self, path: &str, name: &str) -> Result<usize, ScenarioError> {
        self.lookup(&self.quantities, "quantity", path, name)
            .copied()
    }

    pub fn check_name(&self, path: &str, name: &str) -> Result<(), ScenarioError> {
        if is_safe_name(name) {
            Ok(())
        } else {
            Err(self.rep.invalid(
                path,
                format!("\"{name}\" is not a valid name (use lowercase letters, digits, '_' and '-', starting with a letter or digit)"),
            ))
        }
    }
}

/// Why a query result cannot stand where numbers per sample are needed.
pub fn query_misused(name: &str) -> String {
    format!(
        "\"{name}\" is the result of a `sql` query (a table of keys and losses), not numbers \
         per sample; show it with a `kind = \"dataset\"` table or a `kind = \"bars\"` figure"
    )
}
