//! A scenario's `sql = "…"` dataset (feature `datafusion`): its result is
//! shown by a `kind = "dataset"` table and a `kind = "bars"` figure whose
//! numbers equal `losslab eval --summary` per model to the bit; a second
//! render writes the same bytes; a query that writes, a missing column, a
//! wrong type, a parameter out of range, an unknown function, a result over
//! `max_rows` fail validation naming the file and `datasets[i].sql`, and
//! every query is planned before any is run. Without the feature a
//! scenario with `sql` fails saying how to rebuild.

use std::path::Path;

mod common;

use common::cli::losslab;

#[cfg(feature = "datafusion")]
mod report_files;

/// A scenario with one `sql` dataset shown by a table and a bars figure.
fn scenario(dataset: &str) -> String {
    format!(
        r#"[metadata]
title = "Models over Parquet"

[[datasets]]
name = "by_model"
{dataset}

[[tables]]
name = "by-model"
kind = "dataset"
title = "Mean losses per model"
datasets = ["by_model"]

[[figures]]
name = "by-model-bars"
kind = "bars"
title = "Mean losses per model"
caption = "One panel per loss."
alt = "Bars of the mean losses of each model"
dataset = "by_model"

[[sections]]
id = "models"
title = "Models"
markdown = "From the query."
figures = ["by-model-bars"]
tables = ["by-model"]
"#
    )
}

/// `render` of `text` written as `dir/NAME.toml` into `out`: success and stderr.
fn render(dir: &Path, name: &str, text: &str, out: &Path) -> (bool, String) {
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, text).unwrap();
    let (ok, _, stderr) = losslab(&[
        "render",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    (ok, stderr)
}

#[cfg(not(feature = "datafusion"))]
#[test]
fn without_the_feature_a_sql_dataset_says_how_to_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (ok, stderr) = render(
        dir.path(),
        "models",
        &scenario("sql = \"SELECT model, mse(y, p) AS mse FROM 'preds.parquet' GROUP BY model\""),
        &out,
    );
    assert!(!ok);
    assert!(
        stderr.contains("models.toml: line 6, column 7: datasets[0] (by_model).sql needs the `datafusion` feature")
            && stderr.contains("cargo build --release --features datafusion"),
        "{stderr}"
    );
    assert!(!out.join("models").exists(), "nothing is written");
}

#[cfg(feature = "datafusion")]
mod with_datafusion {
    use super::report_files::files;
    use super::{losslab, render, scenario};
    use std::path::Path;
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Float64Array, StringArray};
    use datafusion::arrow::record_batch::RecordBatch;
    use datafusion::parquet::arrow::ArrowWriter;

    const MODELS: [&str; 3] = ["a", "b", "c"];

    fn write(path: &Path, columns: Vec<(&str, ArrayRef)>) {
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let file = std::fs::File::create(path).unwrap();
        let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }

    /// Model m's rows: awkward values (a few huge), so a plain sum's order
    /// would show in the last bits.
    fn rows(m: usize, n: usize) -> (Vec<f64>, Vec<f64>) {
        let y = (0..n)
            .map(|i| ((i * 7919 + m * 13) % 1013) as f64 / 97.0)
            .collect();
        let p = (0..n)
            .map(|i| {
                if (i + m).is_multiple_of(97) {
                    1e6 + i as f64
                } else {
                    ((i + 3 * m) as f64).sin() * (m + 1) as f64
                }
            })
            .collect();
        (y, p)
    }

    /// `preds/part-K.parquet` (every model's rows, interleaved over three
    /// files) and `model-M.parquet` (one model's rows, for `eval`).
    fn data(dir: &Path) {
        let preds = dir.join("preds");
        std::fs::create_dir_all(&preds).unwrap();
        let mut parts: Vec<(Vec<String>, Vec<f64>, Vec<f64>)> = vec![Default::default(); 3];
        for (m, name) in MODELS.iter().enumerate() {
            let (y, p) = rows(m, 5_000 + 1_000 * m);
            for i in 0..y.len() {
                let part = &mut parts[i % 3];
                part.0.push(name.to_string());
                part.1.push(y[i]);
                part.2.push(p[i]);
            }
            write(
                &dir.join(format!("model-{name}.parquet")),
                vec![
                    ("y", Arc::new(Float64Array::from(y)) as ArrayRef),
                    ("p", Arc::new(Float64Array::from(p))),
                ],
            );
        }
        for (k, (model, y, p)) in parts.into_iter().enumerate() {
            write(
                &preds.join(format!("part-{k}.parquet")),
                vec![
                    ("model", Arc::new(StringArray::from(model)) as ArrayRef),
                    ("y", Arc::new(Float64Array::from(y))),
                    ("p", Arc::new(Float64Array::from(p))),
                ],
            );
        }
    }

    use crate::common::cli::summary_value;

    const QUERY: &str = "sql = \"\"\"SELECT model, mse(y, p) AS mse, huber(y, p, 1.0) AS huber, \
                         count(*) AS n FROM 'preds/*.parquet' GROUP BY model\"\"\"";

    #[test]
    fn the_report_shows_the_query_with_evals_bits_and_the_same_bytes_twice() {
        let dir = tempfile::tempdir().unwrap();
        data(dir.path());
        let text = scenario(QUERY);
        let (first, second) = (dir.path().join("one"), dir.path().join("two"));
        let (ok, stderr) = render(dir.path(), "models", &text, &first);
        assert!(ok, "{stderr}");
        let (ok, stderr) = render(dir.path(), "models", &text, &second);
        assert!(ok, "{stderr}");

        // The table at full precision: one row per model, in key order
        // (the query has no ORDER BY), each loss equal to eval's bits.
        let report = first.join("models");
        let csv = std::fs::read_to_string(report.join("tables/by-model.csv")).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "model,mse,huber,n");
        assert_eq!(lines.len(), 4, "{csv}");
        let mut expected = Vec::new();
        for (m, (line, name)) in lines[1..].iter().zip(MODELS).enumerate() {
            let file = dir.path().join(format!("model-{name}.parquet"));
            let (mse, huber) = (
                summary_value("mse", &file, "y", "p"),
                summary_value("huber:delta=1.0", &file, "y", "p"),
            );
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells[0], name);
            assert_eq!(cells[1].parse::<f64>().unwrap().to_bits(), mse.to_bits());
            assert_eq!(cells[2].parse::<f64>().unwrap().to_bits(), huber.to_bits());
            assert_eq!(cells[3], (5_000 + 1_000 * m).to_string());
            expected.push((mse, huber));
        }

        // The page shows every digit; the figure has a panel per column
        // with one bar per model at the same values.
        let html = std::fs::read_to_string(report.join("index.html")).unwrap();
        assert!(
            html.contains(&expected[0].0.to_string()),
            "mse of a in the page"
        );
        let results: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(report.join("results.json")).unwrap())
                .unwrap();
        let figure = results["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "by-model-bars")
            .unwrap();
        let panels = figure["panels"].as_array().unwrap();
        let titles: Vec<&str> = panels
            .iter()
            .map(|p| p["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, ["mse", "huber", "n"]);
        assert_eq!(panels[0]["categories"], serde_json::json!(["a", "b", "c"]));
        let bars = |panel: usize| -> Vec<u64> {
            panels[panel]["series"][0]["points"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p[1].as_f64().unwrap().to_bits())
                .collect()
        };
        let bits = |pick: fn(&(f64, f64)) -> f64| -> Vec<u64> {
            expected.iter().map(|e| pick(e).to_bits()).collect()
        };
        assert_eq!(bars(0), bits(|e| e.0));
        assert_eq!(bars(1), bits(|e| e.1));
        assert!(report.join("figures/by-model-bars.svg").is_file());

        // Byte for byte the same on the second render.
        let (a, b) = (files(&first), files(&second));
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
        for (name, bytes) in &a {
            assert!(
                bytes == &b[name],
                "{} differs between two renders",
                name.display()
            );
        }
    }

    /// `check` of a scenario with `dataset` in `dir`: its error.
    fn error(dir: &Path, dataset: &str) -> String {
        let file = dir.join("bad.toml");
        std::fs::write(&file, scenario(dataset)).unwrap();
        let (ok, _, stderr) = losslab(&["check", file.to_str().unwrap()]);
        assert!(!ok, "{dataset} passed");
        stderr
    }

    #[test]
    fn bad_queries_fail_validation_naming_the_file_and_key() {
        let dir = tempfile::tempdir().unwrap();
        data(dir.path());
        let at = "bad.toml: line 6, column 7: datasets[0] (by_model).sql";
        for (dataset, message) in [
            (
                "sql = \"COPY (SELECT 1) TO 'out.csv'\"",
                "must be one read-only SELECT query; `COPY` is not one",
            ),
            (
                "sql = \"CREATE TABLE t AS SELECT 1\"",
                "`CREATE` is not one",
            ),
            (
                "sql = \"SELECT 1.0 AS x; SELECT 2.0 AS x\"",
                "holds 2 statements",
            ),
            (
                "sql = \"SELECT model, mse(y, q) AS mse FROM 'preds/*.parquet' GROUP BY model\"",
                "No field named q",
            ),
            (
                "sql = \"SELECT mse(model, p) AS mse FROM 'preds/*.parquet'\"",
                "cannot be planned: Error during planning: Execution error: Function 'mse' user-defined coercion failed with: Error during planning: mse: argument 1 (target) is of type Utf8View, a number column is expected",
            ),
            (
                "sql = \"SELECT huber(y, p, -1.0) AS h FROM 'preds/*.parquet'\"",
                "huber: parameter `delta` of `huber`: must be > 0, got -1",
            ),
            (
                "sql = \"SELECT hubber(y, p, 1.0) AS h FROM 'preds/*.parquet'\"",
                "Did you mean 'huber'?",
            ),
            (
                "sql = \"SELECT mse(y, p) AS mse FROM 'nope.parquet'\"",
                "no such file: 'nope.parquet' (named in FROM)",
            ),
            (
                "sql = \"SELECT model FROM 'preds/*.parquet' GROUP BY model\"",
                "gives no floating-point column (model: Utf8View)",
            ),
            (
                "sql = \"SELECT model, mse(y, p) AS mse FROM 'preds/*.parquet' GROUP BY model\"\nmax_rows = 2",
                "gives more than 2 rows (`max_rows`)",
            ),
        ] {
            let stderr = error(dir.path(), dataset);
            assert!(
                stderr.contains(at) && stderr.contains(message),
                "{dataset}:\n{stderr}"
            );
        }
        for (dataset, message) in [
            (
                "sql = \"SELECT mse(y, p) AS mse FROM 'preds/*.parquet'\"\nmax_rows = 0",
                "datasets[0] (by_model).max_rows must be from 1 to 100000, got 0",
            ),
            (
                "sql = \"SELECT mse(y, p) AS mse FROM 'preds/*.parquet'\"\ncsv = \"x.csv\"",
                "datasets[0] (by_model).csv cannot be given with `sql`",
            ),
            (
                "values = [1, 2]\nmax_rows = 5",
                "datasets[0] (by_model).max_rows is only used with `sql`",
            ),
        ] {
            let stderr = error(dir.path(), dataset);
            assert!(stderr.contains(message), "{dataset}:\n{stderr}");
        }
    }

    /// The second query's planning error is reported although the first
    /// query would fail when run (a probability above 1): every query is
    /// planned before any is run. And a query result is no per-sample data.
    #[test]
    fn queries_are_planned_before_any_runs() {
        let dir = tempfile::tempdir().unwrap();
        data(dir.path());
        let text = format!(
            "{}\n[[datasets]]\nname = \"second\"\nsql = \"SELECT hubber(y, p) AS h FROM 'preds/*.parquet'\"\n",
            scenario("sql = \"SELECT bce(0.5, p) AS bce FROM 'preds/*.parquet'\"")
        );
        let file = dir.path().join("two.toml");
        std::fs::write(&file, &text).unwrap();
        let (ok, _, stderr) = losslab(&["check", file.to_str().unwrap()]);
        assert!(!ok);
        assert!(
            stderr.contains("datasets[1] (second).sql") && stderr.contains("hubber"),
            "{stderr}"
        );
        // Alone, the first query fails when its rows are read.
        let alone = error(
            dir.path(),
            "sql = \"SELECT bce(0.5, p) AS bce FROM 'preds/*.parquet'\"",
        );
        assert!(
            alone.contains("datasets[0] (by_model).sql failed while reading the rows:")
                && alone.contains("probabilities must be in [0, 1]"),
            "{alone}"
        );

        let misuse = format!(
            "{}\n[[figures]]\nname = \"points\"\nkind = \"data\"\ntitle = \"\"\ncaption = \"\"\nalt = \"\"\nappendix = true\ntarget = \"by_model\"\n",
            scenario(QUERY)
        );
        std::fs::write(&file, misuse).unwrap();
        let (ok, _, stderr) = losslab(&["check", file.to_str().unwrap()]);
        assert!(!ok);
        assert!(
            stderr
                .contains("figures[1] (points).target \"by_model\" is the result of a `sql` query"),
            "{stderr}"
        );
    }

    /// The shipped example (kept in `configs/sql/`, out of the default
    /// build's `render configs/`): its means are `eval`'s on the CSV columns.
    #[test]
    fn the_shipped_example_equals_eval() {
        let out = tempfile::tempdir().unwrap();
        let (ok, _, stderr) = losslab(&[
            "render",
            "configs/sql/models.toml",
            "--out",
            out.path().to_str().unwrap(),
        ]);
        assert!(ok, "{stderr}");
        let csv = std::fs::read_to_string(out.path().join("models/tables/by-model.csv")).unwrap();
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("model,mse,mae,huber,n"));
        let data = "configs/data/compare-regression.csv";
        let mut shown = Vec::new();
        for line in lines {
            let cells: Vec<&str> = line.split(',').collect();
            shown.push(cells[0].to_string());
            let column = format!("pred_{}", cells[0]);
            for (k, loss) in [(1, "mse"), (2, "mae"), (3, "huber:delta=1.0")] {
                let expected = summary_value(loss, Path::new(data), "y", &column);
                let got: f64 = cells[k].parse().unwrap();
                assert_eq!(got.to_bits(), expected.to_bits(), "{line} {loss}");
            }
        }
        // ORDER BY mse: the query's order, not the keys'.
        assert_eq!(shown, ["tight", "noisy", "unbiased"]);
    }
}
