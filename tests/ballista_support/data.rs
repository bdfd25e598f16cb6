//! A seeded, partitioned Parquet data set of predictions of three models.
//!
//! Magnitudes span many decades, so a float sum of these losses depends on
//! the order of the additions (`naive_sums_depend_on_order` checks it): only
//! an exact reduction gives the same bits whatever the partitioning.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float64Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::file::properties::WriterProperties;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The models, one group each in the query.
pub const MODELS: [&str; 3] = ["alpha", "beta", "gamma"];

/// One row: the model and the columns the losses read.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub model: usize,
    pub y: f64,
    pub p: f64,
    pub label: f64,
    pub prob: f64,
}

/// The data set: its rows in file order and where its files are.
pub struct DataSet {
    pub rows: Vec<Row>,
    /// The partitioned data set: `part-NN.parquet`, every model in every file.
    pub dir: PathBuf,
    /// One file per model (`MODEL.parquet`, its rows in order), for `eval`.
    pub by_model: Vec<PathBuf>,
}

/// Draws one row: regression residuals from 1e-8 to 1e4 times values from
/// 1e-6 to 1e6, probabilities from about 1e-13 to 1 − 1e-13.
fn draw(rng: &mut ChaCha8Rng) -> Row {
    let scale = 10f64.powi(rng.random_range(-6..=6));
    let y = rng.random_range(-1.0..1.0) * scale;
    let spread = 10f64.powi(rng.random_range(-8..=4));
    let p = y + rng.random_range(-1.0..1.0) * spread;
    let t: f64 = rng.random_range(-30.0..30.0);
    Row {
        model: rng.random_range(0..MODELS.len()),
        y,
        p,
        label: if rng.random_bool(0.5) { 1.0 } else { 0.0 },
        prob: 1.0 / (1.0 + (-t).exp()),
    }
}

fn schema() -> Arc<Schema> {
    let mut fields = vec![Field::new("model", DataType::Utf8, false)];
    for name in ["y", "p", "label", "prob"] {
        fields.push(Field::new(name, DataType::Float64, false));
    }
    Arc::new(Schema::new(fields))
}

/// Writes `rows` to one Parquet file, `row_group` rows per row group (small
/// row groups let DataFusion split a file between partitions).
fn write_parquet(path: &Path, rows: &[Row], row_group: usize) {
    let column = |f: fn(&Row) -> f64| -> ArrayRef {
        Arc::new(Float64Array::from_iter_values(rows.iter().map(f)))
    };
    let batch = RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|r| MODELS[r.model]),
            )),
            column(|r| r.y),
            column(|r| r.p),
            column(|r| r.label),
            column(|r| r.prob),
        ],
    )
    .expect("batch");
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(row_group))
        .build();
    let file = File::create(path).expect("create parquet file");
    let mut writer = ArrowWriter::try_new(file, schema(), Some(properties)).expect("writer");
    writer.write(&batch).expect("write batch");
    writer.close().expect("close parquet file");
}

impl DataSet {
    /// `files` files of `rows_per_file` rows under `root/parts`, and one
    /// file per model under `root/models`.
    pub fn write(root: &Path, files: usize, rows_per_file: usize, seed: u64) -> DataSet {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let rows: Vec<Row> = (0..files * rows_per_file).map(|_| draw(&mut rng)).collect();
        let dir = root.join("parts");
        std::fs::create_dir_all(&dir).expect("parts dir");
        for (k, chunk) in rows.chunks(rows_per_file).enumerate() {
            write_parquet(&dir.join(format!("part-{k:02}.parquet")), chunk, 500);
        }
        let models = root.join("models");
        std::fs::create_dir_all(&models).expect("models dir");
        let by_model = MODELS
            .iter()
            .enumerate()
            .map(|(m, name)| {
                let mine: Vec<Row> = rows.iter().filter(|r| r.model == m).copied().collect();
                let path = models.join(format!("{name}.parquet"));
                write_parquet(&path, &mine, 4096);
                path
            })
            .collect();
        DataSet {
            rows,
            dir,
            by_model,
        }
    }

    /// The plain float sum of `(p − y)²` over a model's rows, forwards and
    /// backwards: different bits show that the order of additions matters.
    pub fn naive_squared_error_sums(&self, model: usize) -> (f64, f64) {
        let terms: Vec<f64> = self
            .rows
            .iter()
            .filter(|r| r.model == model)
            .map(|r| (r.p - r.y) * (r.p - r.y))
            .collect();
        (terms.iter().sum(), terms.iter().rev().sum())
    }
}
