//! losslab's losses on a Ballista cluster (feature `ballista`).
//!
//! A scheduler and executors run as `losslab-ballista` processes on
//! 127.0.0.1 (free ports, killed when the test ends); a client session plans
//! `SELECT model, huber(y, p, 1.0), mse(y, p), binary_cross_entropy(label,
//! prob) … GROUP BY model` over a partitioned Parquet data set and runs it on
//! them. With the exact accumulator the result must have the bits of the
//! single-process DataFusion query (one partition) and of `losslab eval` on
//! each model's rows, whatever the number of partitions and executors; the
//! compensated forms must be within a few ulps of it.

mod ballista_support;

use std::process::Command;
use std::time::Duration;

use ballista_support::cluster::Cluster;
use ballista_support::data::{DataSet, MODELS};
use datafusion::arrow::array::{Array, Float64Array, Int64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};

/// The exact losses (the default names), their compensated forms, the count.
const QUERY: &str = "SELECT model, \
     huber(y, p, 1.0), mse(y, p), binary_cross_entropy(label, prob), \
     huber_compensated(y, p, 1.0), mse_compensated(y, p), \
     binary_cross_entropy_compensated(label, prob), count(*) \
     FROM preds GROUP BY model ORDER BY model";

/// A query may take this long on a loaded machine before the test gives up.
const QUERY_TIMEOUT: Duration = Duration::from_secs(300);

/// One result row.
#[derive(Debug)]
struct Group {
    model: String,
    /// huber, mse, bce with the exact accumulator.
    exact: [f64; 3],
    /// The same with the compensated sum.
    compensated: [f64; 3],
    rows: i64,
}

fn groups(batches: &[RecordBatch]) -> Vec<Group> {
    let mut out = Vec::new();
    for batch in batches {
        let model = cast(batch.column(0), &DataType::Utf8).expect("model as text");
        let model = model.as_any().downcast_ref::<StringArray>().expect("text");
        let float = |c: usize| {
            batch
                .column(c)
                .as_any()
                .downcast_ref::<Float64Array>()
                .unwrap_or_else(|| panic!("column {c} is {}", batch.column(c).data_type()))
                .clone()
        };
        let columns: Vec<Float64Array> = (1..=6).map(float).collect();
        let count = batch
            .column(7)
            .as_any()
            .downcast_ref::<Int64Array>()
            .expect("count");
        for r in 0..batch.num_rows() {
            assert!(
                columns.iter().all(|c| !c.is_null(r)),
                "a null loss in row {r}"
            );
            out.push(Group {
                model: model.value(r).to_string(),
                exact: [0, 1, 2].map(|c| columns[c].value(r)),
                compensated: [3, 4, 5].map(|c| columns[c].value(r)),
                rows: count.value(r),
            });
        }
    }
    out
}

/// The query in this process with plain DataFusion and `partitions` target
/// partitions.
async fn one_process(data: &DataSet, partitions: usize) -> Vec<Group> {
    let config = SessionConfig::new().with_target_partitions(partitions);
    let ctx = SessionContext::new_with_config(config);
    losslab::sql::register(&ctx);
    run(&ctx, data).await
}

async fn run(ctx: &SessionContext, data: &DataSet) -> Vec<Group> {
    let dir = data.dir.to_str().expect("UTF-8 temp dir");
    ctx.register_parquet("preds", dir, ParquetReadOptions::default())
        .await
        .expect("register the data set");
    let query = async { ctx.sql(QUERY).await?.collect().await };
    let batches = tokio::time::timeout(QUERY_TIMEOUT, query)
        .await
        .expect("the query timed out")
        .expect("the query failed");
    groups(&batches)
}

/// `losslab eval --summary --json` of huber (δ = 1), mse and bce on a file.
fn eval(file: &std::path::Path) -> ([f64; 3], u64) {
    let f = file.to_str().expect("UTF-8 temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_losslab"))
        .args([
            "eval",
            "--summary",
            "--json",
            "--loss",
            "huber:delta=1,mse,bce",
        ])
        .args([
            "--target",
            &format!("@{f}:y"),
            "--target",
            &format!("@{f}:y"),
        ])
        .args(["--target", &format!("@{f}:label")])
        .args([
            "--prediction",
            &format!("@{f}:p"),
            "--prediction",
            &format!("@{f}:p"),
        ])
        .args(["--prediction", &format!("@{f}:prob")])
        .output()
        .expect("run losslab eval");
    assert!(
        output.status.success(),
        "losslab eval failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("eval JSON");
    let evaluations = json["evaluations"].as_array().expect("evaluations");
    let value = |i: usize| evaluations[i]["value"].as_f64().expect("a finite value");
    let samples = evaluations[0]["samples"].as_u64().expect("samples");
    ([value(0), value(1), value(2)], samples)
}

fn assert_same_bits(cluster: &[Group], reference: &[Group], what: &str) {
    assert_eq!(cluster.len(), reference.len(), "{what}: number of groups");
    for (c, r) in cluster.iter().zip(reference) {
        assert_eq!((&c.model, c.rows), (&r.model, r.rows), "{what}");
        for k in 0..3 {
            assert_eq!(
                c.exact[k].to_bits(),
                r.exact[k].to_bits(),
                "{what}: {} loss {k}: {:e} on the cluster, {:e} in the reference",
                c.model,
                c.exact[k],
                r.exact[k]
            );
        }
    }
}

/// The cluster's groups against `eval` on each model's file, the compensated
/// forms against the exact ones, and the data set's order sensitivity.
fn check_against_eval(on_cluster: &[Group], data: &DataSet) {
    let names: Vec<&str> = on_cluster.iter().map(|g| g.model.as_str()).collect();
    assert_eq!(names, MODELS, "one group per model, in order");
    for (m, group) in on_cluster.iter().enumerate() {
        let (values, samples) = eval(&data.by_model[m]);
        assert_eq!(samples, group.rows as u64, "{}: rows", group.model);
        for k in 0..3 {
            assert_eq!(
                group.exact[k].to_bits(),
                values[k].to_bits(),
                "{} loss {k}: {:e} on the cluster, {:e} from eval",
                group.model,
                group.exact[k],
                values[k]
            );
            // A compensated sum of non-negative terms is within 2u of the
            // exact sum (u = 2^-53), the division adds u: 4 ulps is ample.
            let tolerance = 4.0 * f64::EPSILON * group.exact[k];
            assert!(
                (group.compensated[k] - group.exact[k]).abs() <= tolerance,
                "{} loss {k}: compensated {:e} vs exact {:e}",
                group.model,
                group.compensated[k],
                group.exact[k]
            );
        }
        let (forwards, backwards) = data.naive_squared_error_sums(m);
        assert_ne!(
            forwards.to_bits(),
            backwards.to_bits(),
            "{}: the data set should make a float sum order-dependent",
            group.model
        );
    }
}

/// Writes `files` files of 4000 rows, starts `executors` executors of two
/// task slots, runs the query on them with `config`; the temporary folder
/// and the cluster live as long as the returned values.
async fn on_a_cluster(
    files: usize,
    seed: u64,
    executors: usize,
    config: SessionConfig,
) -> (tempfile::TempDir, DataSet, Cluster, Vec<Group>) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let data = DataSet::write(&tmp.path().join("data"), files, 4000, seed);
    let cluster = Cluster::start(&tmp.path().join("cluster"), executors, 2);
    let ctx = losslab::cluster::connect("127.0.0.1", cluster.scheduler_port, config)
        .await
        .expect("connect to the scheduler");
    let on_cluster = run(&ctx, &data).await;
    (tmp, data, cluster, on_cluster)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grouped_losses_on_two_executors_have_the_bits_of_one_process_and_eval() {
    let config = SessionConfig::new().with_target_partitions(4);
    let (_tmp, data, cluster, on_cluster) = on_a_cluster(6, 14, 2, config).await;

    assert_same_bits(&on_cluster, &one_process(&data, 1).await, "one process");
    check_against_eval(&on_cluster, &data);
    assert_eq!(
        cluster.executors_with_shuffle_files(),
        2,
        "both executors should have run tasks:\n{}",
        cluster.logs()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_partitions_on_three_executors_give_the_same_bits() {
    // 16 files of 8 row groups; with no minimum size for splitting a file,
    // the scan stage has 64 partitions, each a range of a file's row groups,
    // and so has the final aggregation stage.
    let config = SessionConfig::new()
        .with_target_partitions(64)
        .set_u64("datafusion.optimizer.repartition_file_min_size", 0);
    let (_tmp, data, _cluster, on_cluster) = on_a_cluster(16, 41, 3, config).await;

    assert_same_bits(&on_cluster, &one_process(&data, 1).await, "one process");
    check_against_eval(&on_cluster, &data);
}
