//! The losses as DataFusion aggregate functions (`losslab::sql`, feature
//! `datafusion`) and `losslab sql`: the exact functions equal `eval` to the
//! last bit and give the same bits for any number of partitions and files;
//! GROUP BY equals `eval` per group; nulls are skipped; row losses read list
//! columns; bad input is a planning error with the loss's message. Without
//! the feature, `losslab sql` says how to get it.

mod common;

use common::cli::losslab;

#[cfg(not(feature = "datafusion"))]
#[test]
fn without_the_feature_sql_says_how_to_get_it() {
    let (success, stdout, stderr) = losslab(&["sql", "SELECT mse(y, p) FROM 'a.parquet'"]);
    assert!(!success);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("--features datafusion") && stderr.contains("losslab sql needs"),
        "{stderr}"
    );
}

#[cfg(feature = "datafusion")]
mod with_datafusion {
    use super::losslab;
    use std::path::Path;
    use std::sync::Arc;

    use datafusion::arrow::array::{
        ArrayRef, FixedSizeListArray, Float32Array, Float64Array, Float64Builder, ListBuilder,
        StringArray,
    };
    use datafusion::arrow::datatypes::{DataType, Field};
    use datafusion::arrow::record_batch::RecordBatch;
    use datafusion::parquet::arrow::ArrowWriter;
    use datafusion::parquet::file::properties::WriterProperties;
    use datafusion::prelude::{SessionConfig, SessionContext};
    use losslab::loss::{Input, Loss, Output, ParamValue, Params, Reduction};
    use losslab::sql::query;

    /// Rows with awkward values: most small, some huge, so that the order
    /// of a plain sum shows in the last bits.
    fn columns(n: usize, seed: usize) -> (Vec<f64>, Vec<f64>) {
        let target = (0..n)
            .map(|i| (((i + seed) * 7919) % 1013) as f64 / 97.0)
            .collect();
        let prediction = (0..n)
            .map(|i| {
                if (i + seed).is_multiple_of(101) {
                    1e6 + i as f64
                } else {
                    ((i + seed) as f64).sin() * 3.0
                }
            })
            .collect();
        (target, prediction)
    }

    fn write(path: &Path, columns: Vec<(&str, ArrayRef)>, row_group: usize) {
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let file = std::fs::File::create(path).unwrap();
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(row_group))
            .build();
        let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }

    fn floats(values: &[f64]) -> ArrayRef {
        Arc::new(Float64Array::from(values.to_vec()))
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// The float columns of a query's one-row result, with `partitions`
    /// target partitions (files split into ranges however small).
    fn values(sql: &str, partitions: usize) -> Vec<f64> {
        let mut config = SessionConfig::new().with_target_partitions(partitions);
        config.options_mut().optimizer.repartition_file_min_size = 0;
        let ctx = query::session(config);
        let (_, batches) = runtime().block_on(query::run(&ctx, sql, 10)).unwrap();
        let batch = &batches[0];
        assert_eq!(batch.num_rows(), 1);
        batch
            .columns()
            .iter()
            .map(|c| {
                let c = c.as_any().downcast_ref::<Float64Array>().unwrap();
                if c.is_null(0) {
                    f64::NAN
                } else {
                    c.value(0)
                }
            })
            .collect()
    }

    use datafusion::arrow::array::Array;

    use crate::common::cli::summary_value;

    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn exact_functions_equal_eval_to_the_last_bit_for_any_partitioning() {
        let dir = tempfile::tempdir().unwrap();
        let (y, p) = columns(200_000, 0);
        let file = dir.path().join("preds.parquet");
        write(&file, vec![("y", floats(&y)), ("p", floats(&p))], 8_192);
        // The same rows in eight files of unequal sizes.
        let parts = dir.path().join("parts");
        std::fs::create_dir(&parts).unwrap();
        let cuts = [
            0, 1_000, 30_000, 31_000, 90_000, 120_000, 150_001, 199_999, 200_000,
        ];
        for (k, w) in cuts.windows(2).enumerate() {
            let (a, b) = (w[0], w[1]);
            let path = parts.join(format!("part-{k}.parquet"));
            write(
                &path,
                vec![("y", floats(&y[a..b])), ("p", floats(&p[a..b]))],
                4_096,
            );
        }
        let huber_eval = summary_value("huber:delta=1.0", &file, "y", "p");
        let mse_eval = summary_value("mse", &file, "y", "p");
        let select = "SELECT huber(y, p, 1.0), huber_compensated(y, p, 1.0), mse(y, p), \
                      l2_compensated(y, p)";
        let one = format!("{select} FROM '{}'", file.display());
        let many = format!("{select} FROM '{}/*.parquet'", parts.display());
        let reference = values(&one, 1);
        assert_eq!(reference[0].to_bits(), huber_eval.to_bits());
        assert_eq!(reference[2].to_bits(), mse_eval.to_bits());
        for partitions in [1, 2, 8, 64] {
            for sql in [&one, &many] {
                let got = values(sql, partitions);
                // Exact: the same bits; compensated: within a few ulps.
                assert_eq!(got[0].to_bits(), huber_eval.to_bits(), "{partitions} {sql}");
                assert_eq!(got[2].to_bits(), mse_eval.to_bits(), "{partitions} {sql}");
                assert!(ulps(got[1], huber_eval) <= 2, "{} {huber_eval}", got[1]);
                assert!(ulps(got[3], mse_eval) <= 2, "{} {mse_eval}", got[3]);
            }
        }
    }

    #[test]
    fn group_by_equals_eval_per_group() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("models");
        std::fs::create_dir(&data).unwrap();
        let mut expected = Vec::new();
        for (k, model) in ["a", "b", "c"].iter().enumerate() {
            let n = 30_000 + 7_000 * k;
            let (y, p) = columns(n, 1_000 * k);
            let label: Vec<f64> = y.iter().map(|v| f64::from(*v > 5.0)).collect();
            // The outliers' huge scores are clamped so that no probability
            // rounds to exactly 1 (a label of 0 there would make BCE infinite).
            let prob: Vec<f64> = p
                .iter()
                .map(|v| 1.0 / (1.0 + (-v.clamp(-30.0, 30.0)).exp()))
                .collect();
            let path = data.join(format!("{model}.parquet"));
            write(
                &path,
                vec![
                    (
                        "model",
                        Arc::new(StringArray::from(vec![*model; n])) as ArrayRef,
                    ),
                    ("y", floats(&y)),
                    ("p", floats(&p)),
                    ("label", floats(&label)),
                    ("prob", floats(&prob)),
                ],
                5_000,
            );
            expected.push((
                model.to_string(),
                [
                    summary_value("huber:delta=0.5", &path, "y", "p"),
                    summary_value("mse", &path, "y", "p"),
                    summary_value("bce", &path, "label", "prob"),
                    summary_value("bce:from_logits=true", &path, "label", "p"),
                ],
            ));
        }
        let sql = format!(
            "SELECT model, huber(y, p, 0.5) AS huber, mse(y, p) AS mse, \
             binary_cross_entropy(label, prob) AS bce, bce_logits(label, p) AS bce_logits \
             FROM '{}/*.parquet' GROUP BY model ORDER BY model",
            data.display()
        );
        for partitions in ["1", "3", "16"] {
            let (success, stdout, stderr) =
                losslab(&["sql", &sql, "--json", "--partitions", partitions]);
            assert!(success, "{stderr}");
            let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            let rows = rows.as_array().unwrap();
            assert_eq!(rows.len(), 3);
            for (row, (model, values)) in rows.iter().zip(&expected) {
                assert_eq!(row["model"].as_str(), Some(model.as_str()));
                for (key, value) in ["huber", "mse", "bce", "bce_logits"].iter().zip(values) {
                    let got = row[key].as_f64().unwrap();
                    assert_eq!(got.to_bits(), value.to_bits(), "{model} {key}");
                }
            }
        }
        // The table and CSV forms carry the same digits.
        let (success, csv, _) = losslab(&["sql", &sql, "--csv"]);
        assert!(success);
        let first = csv.lines().nth(1).unwrap();
        let huber: f64 = first.split(',').nth(1).unwrap().parse().unwrap();
        assert_eq!(huber.to_bits(), expected[0].1[0].to_bits());
        assert!(csv.starts_with("model,huber,mse,bce,bce_logits\n"), "{csv}");
        let (success, table, _) = losslab(&["sql", &sql]);
        assert!(success);
        assert!(table.contains(&ryu::Buffer::new().format(expected[2].1[1]).to_string()));
    }

    /// A table in memory, for the tests that need nulls, lists or strings.
    fn memory(columns: Vec<(&str, ArrayRef)>) -> SessionContext {
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let ctx = query::session(SessionConfig::new().with_target_partitions(4));
        ctx.register_batch("t", batch).unwrap();
        ctx
    }

    fn one(ctx: &SessionContext, sql: &str) -> datafusion::common::Result<Option<f64>> {
        runtime().block_on(async {
            let batches = ctx.sql(sql).await?.collect().await?;
            let c = batches[0].column(0);
            let c = c.as_any().downcast_ref::<Float64Array>().unwrap();
            Ok((!c.is_null(0)).then(|| c.value(0)))
        })
    }

    fn mean(loss: &str, params: Params, t: &[f64], p: &[f64], classes: Option<usize>) -> f64 {
        let loss = Loss::new(loss, &params).unwrap();
        let input = Input::new(t, p);
        let input = classes.map_or(input, |c| input.rows(c));
        loss.reduce(input, Reduction::Mean, Output::default())
            .unwrap()
            .value
    }

    #[test]
    fn nulls_are_skipped_and_no_row_gives_null() {
        let y = Float64Array::from(vec![Some(1.0), None, Some(3.0), Some(4.0), Some(0.5)]);
        let p = Float32Array::from(vec![Some(1.5), Some(2.0), None, Some(2.0), Some(0.25)]);
        let ctx = memory(vec![("y", Arc::new(y) as ArrayRef), ("p", Arc::new(p))]);
        let got = one(&ctx, "SELECT mse(y, p) FROM t").unwrap().unwrap();
        let want = mean(
            "mse",
            Params::new(),
            &[1.0, 4.0, 0.5],
            &[1.5, 2.0, 0.25],
            None,
        );
        assert_eq!(got.to_bits(), want.to_bits());
        assert_eq!(
            one(&ctx, "SELECT mse(y, p) FROM t WHERE y > 100").unwrap(),
            None
        );
        assert_eq!(
            one(
                &ctx,
                "SELECT huber_compensated(y, p) FROM t WHERE p IS NULL"
            )
            .unwrap(),
            None
        );
    }

    #[test]
    fn row_losses_read_list_columns() {
        let rows = [
            [0.7, 0.2, 0.1],
            [0.1, 0.1, 0.8],
            [0.3, 0.3, 0.4],
            [0.25, 0.5, 0.25],
        ];
        let targets = [
            [1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0],
            [0.0, 1.0, 0.0],
            [0.2, 0.5, 0.3],
        ];
        let labels = [0.0, 2.0, 1.0, 1.0];
        let flat = |r: &[[f64; 3]]| r.iter().flatten().copied().collect::<Vec<f64>>();
        let fixed = |r: &[[f64; 3]]| -> ArrayRef {
            let item = Arc::new(Field::new_list_field(DataType::Float64, true));
            Arc::new(FixedSizeListArray::new(item, 3, floats(&flat(r)), None))
        };
        let mut list = ListBuilder::new(Float64Builder::new());
        for row in &rows {
            list.values().append_slice(row);
            list.append(true);
        }
        list.append(false); // a null row is skipped
        let ctx = memory(vec![
            (
                "t",
                fixed(&[targets[0], targets[1], targets[2], targets[3], [0.0; 3]]),
            ),
            ("q", Arc::new(list.finish()) as ArrayRef),
            ("label", floats(&[0.0, 2.0, 1.0, 1.0, 0.0])),
        ]);
        let cce = one(&ctx, "SELECT categorical_cross_entropy(t, q) FROM t")
            .unwrap()
            .unwrap();
        let want = mean("cce", Params::new(), &flat(&targets), &flat(&rows), Some(3));
        assert_eq!(cce.to_bits(), want.to_bits());
        let scce = one(&ctx, "SELECT scce_compensated(label, q) FROM t")
            .unwrap()
            .unwrap();
        let want = mean("scce", Params::new(), &labels, &flat(&rows), Some(3));
        assert!((scce - want).abs() <= 2.0 * f64::EPSILON * want);
        let kl = one(&ctx, "SELECT kl_divergence(t, q, '2') FROM t")
            .unwrap()
            .unwrap();
        let params = Params::from([("base".to_string(), ParamValue::Number(2.0))]);
        let want = mean("kl", params, &flat(&targets), &flat(&rows), Some(3));
        assert_eq!(kl.to_bits(), want.to_bits());
    }

    /// The message of a query that fails when it is planned (`ctx.sql`).
    fn planning_error(ctx: &SessionContext, sql: &str) -> String {
        let err = runtime()
            .block_on(ctx.sql(sql))
            .err()
            .unwrap_or_else(|| panic!("{sql} planned"));
        err.strip_backtrace()
    }

    #[test]
    fn bad_input_is_a_planning_error_with_the_loss_message() {
        let ctx = memory(vec![
            ("y", floats(&[1.0, 0.0])),
            ("p", floats(&[0.5, 1.5])),
            ("s", Arc::new(StringArray::from(vec!["a", "b"])) as ArrayRef),
        ]);
        let cases = [
            ("SELECT huber(y, nope, 1.0) FROM t", "nope"),
            (
                "SELECT mse(y, s) FROM t",
                "mse: argument 2 (prediction) is of type Utf8, a number column is expected",
            ),
            (
                "SELECT huber(y, p, -1.0) FROM t",
                "parameter `delta` of `huber`: must be > 0, got -1",
            ),
            ("SELECT huber(y, p, 0) FROM t", "must be > 0, got 0"),
            ("SELECT quantile(y, p, 1.5) FROM t", "tau"),
            (
                "SELECT huber(y, p, y) FROM t",
                "argument 3 (delta) must be a literal",
            ),
            ("SELECT huber(y, p, 1.0, 'nonsense') FROM t", "nonsense"),
            (
                "SELECT mse(y, p, 1.0, 'exact', 'float64', 2) FROM t",
                "takes 2 to 4 arguments, got 6",
            ),
            ("SELECT hubber(y, p, 1.0) FROM t", "Did you mean 'huber'?"),
            (
                "SELECT binary_cross_entropy_logit(y, p) FROM t",
                "Did you mean 'binary_cross_entropy_logits'?",
            ),
            (
                "SELECT categorical_cross_entropy(y, p) FROM t",
                "a list of numbers per row",
            ),
        ];
        for (sql, message) in cases {
            let err = planning_error(&ctx, sql);
            assert!(err.contains(message), "{sql}: {err}");
        }
        // Bad data is found when the rows are read: the loss's message, no panic.
        let err = one(&ctx, "SELECT bce(y, p) FROM t")
            .unwrap_err()
            .strip_backtrace();
        assert!(
            err.contains("binary_cross_entropy: ") && err.contains("1.5"),
            "{err}"
        );
    }

    #[test]
    fn the_command_names_missing_files_and_oversized_results() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.parquet");
        let sql = format!("SELECT mse(y, p) FROM '{}'", missing.display());
        let (success, stdout, stderr) = losslab(&["sql", &sql]);
        assert!(!success && stdout.is_empty());
        assert!(
            stderr.contains("no such file") && stderr.contains("missing.parquet"),
            "{stderr}"
        );
        let file = dir.path().join("t.csv");
        std::fs::write(&file, "y,p\n1,2\n3,4\n5,6\n").unwrap();
        let rows = format!("SELECT y FROM '{}'", file.display());
        let (success, stdout, stderr) = losslab(&["sql", &rows, "--max-rows", "2"]);
        assert!(!success && stdout.is_empty());
        assert!(stderr.contains("more than 2 rows"), "{stderr}");
        let mse = format!("SELECT mse(y, p) AS mse FROM '{}'", file.display());
        let (success, stdout, stderr) = losslab(&["sql", &mse, "--csv"]);
        assert!(success, "{stderr}");
        assert_eq!(stdout, "mse\n1.0\n");
    }
}
