//! `eval` on data files: streamed CSV and `.npy` give the same bytes as the
//! same numbers given inline; summaries, `--reduction none`, row losses from
//! column prefixes, and errors that name the file, line and column.

mod common;

use common::cli::{eval, ok};

/// 70,000 rows (more than one batch) with awkward values.
fn columns() -> (Vec<f64>, Vec<f64>) {
    let target: Vec<f64> = (0..70_000)
        .map(|i| ((i * 7919) % 1013) as f64 / 97.0)
        .collect();
    let prediction: Vec<f64> = (0..70_000)
        .map(|i| {
            if i % 101 == 0 {
                1e6 + i as f64
            } else {
                (i as f64).sin()
            }
        })
        .collect();
    (target, prediction)
}

fn npy(path: &std::path::Path, values: &[f64]) {
    let mut header = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({},), }}",
        values.len()
    );
    while (11 + header.len()) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    bytes.extend(values.iter().flat_map(|x| x.to_le_bytes()));
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn streamed_files_give_the_bytes_of_inline_data() {
    let dir = tempfile::tempdir().unwrap();
    let (target, prediction) = columns();
    let csv = dir.path().join("d.csv");
    let mut text = String::from("id,target,prediction\n");
    for (i, (t, p)) in target.iter().zip(&prediction).enumerate() {
        text.push_str(&format!("{i},{t:?},{p:?}\n"));
    }
    std::fs::write(&csv, text).unwrap();
    npy(&dir.path().join("t.npy"), &target);
    npy(&dir.path().join("p.npy"), &prediction);
    // The same numbers as JSON files, read whole (too long for a command line).
    let inline = |name: &str, values: &[f64]| {
        let path = dir.path().join(name);
        std::fs::write(&path, serde_json::to_string(values).unwrap()).unwrap();
        format!("@{}", path.display())
    };
    let (t_inline, p_inline) = (inline("t.json", &target), inline("p.json", &prediction));
    let t_csv = format!("@{}:target", csv.display());
    let p_csv = format!("@{}:prediction", csv.display());
    let t_npy = format!("@{}", dir.path().join("t.npy").display());
    let p_npy = format!("@{}", dir.path().join("p.npy").display());
    for extra in [
        &["--json"][..],
        &["--json", "--summary"],
        &["--summary"],
        &[],
    ] {
        for loss in ["mse", "huber", "log_cosh"] {
            let run = |t: &str, p: &str| {
                let mut args = vec!["--loss", loss, "--target", t, "--prediction", p];
                args.extend(extra);
                ok(&args)
            };
            let expected = run(&t_inline, &p_inline);
            assert_eq!(run(&t_csv, &p_csv), expected, "{loss} {extra:?} csv");
            assert_eq!(run(&t_npy, &p_npy), expected, "{loss} {extra:?} npy");
        }
    }
}

#[test]
fn summary_and_reduction_none() {
    let out = ok(&[
        "--loss",
        "mae",
        "--target",
        "1,2,3",
        "--prediction",
        "2,2,5",
        "--json",
        "--summary",
    ]);
    assert_eq!(
        out,
        "{\"loss\":\"mae\",\"params\":{},\"reduction\":\"mean\",\"samples\":3,\"value\":1.0,\"warnings\":[]}\n"
    );
    let out: serde_json::Value = serde_json::from_str(&ok(&[
        "--loss",
        "mae",
        "--target",
        "1,2,3",
        "--prediction",
        "2,2,5",
        "--json",
        "--reduction",
        "none",
    ]))
    .unwrap();
    assert_eq!(out["reduction"], "none");
    assert!(out.get("value").is_none());
    assert_eq!(out["per_sample"], serde_json::json!([1.0, 0.0, 2.0]));
    assert_eq!(out["gradient"], serde_json::json!([1.0, 0.0, 1.0]));
    let (success, _, stderr) = eval(&[
        "--loss",
        "mae",
        "--target",
        "1",
        "--prediction",
        "2",
        "--summary",
        "--reduction",
        "none",
    ]);
    assert!(!success && stderr.contains("--summary"), "{stderr}");
}

#[test]
fn row_losses_read_column_prefixes() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("r.csv");
    std::fs::write(&csv, "y_a,y_b,q_a,q_b\n1,0,0.8,0.2\n0,1,0.4,0.6\n").unwrap();
    let from_file = ok(&[
        "--loss",
        "cce",
        "--json",
        "--target",
        &format!("@{}:y_*", csv.display()),
        "--prediction",
        &format!("@{}:q_*", csv.display()),
    ]);
    let inline = ok(&[
        "--loss",
        "cce",
        "--json",
        "--target",
        "[[1,0],[0,1]]",
        "--prediction",
        "[[0.8,0.2],[0.4,0.6]]",
    ]);
    assert_eq!(from_file, inline);
}

#[test]
fn bad_rows_name_file_line_sample_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "y,q\n1,0.5\n0,high\n").unwrap();
    let shown = csv.display().to_string();
    let arg = |column: &str| format!("@{shown}:{column}");
    let (success, stdout, stderr) = eval(&[
        "--loss",
        "bce",
        "--target",
        &arg("y"),
        "--prediction",
        &arg("q"),
    ]);
    assert!(!success && stdout.is_empty());
    assert_eq!(
        stderr,
        format!("error: --target and --prediction: file `{shown}` line 3 (sample 1), column `q`: `high` is not a number\n")
    );
    std::fs::write(&csv, "y,q\n1,0.5\n0,1.5\n").unwrap();
    let (_, _, stderr) = eval(&[
        "--loss",
        "bce",
        "--target",
        &arg("y"),
        "--prediction",
        &arg("q"),
    ]);
    assert_eq!(
        stderr,
        format!("error: --prediction: sample 1 is 1.5; probabilities must be in [0, 1] (file `{shown}`, column `q`)\n")
    );
    let (_, _, stderr) = eval(&[
        "--loss",
        "bce",
        "--target",
        &arg("y"),
        "--prediction",
        &arg("p"),
    ]);
    assert_eq!(
        stderr,
        format!(
            "error: --target and --prediction: file `{shown}` has no column `p` (columns: y, q)\n"
        )
    );
    let (_, _, stderr) = eval(&[
        "--loss",
        "mse",
        "--target",
        &arg("y"),
        "--prediction",
        "1,2,3",
    ]);
    assert_eq!(
        stderr,
        "error: --target: has 2 values but --prediction has 3\n"
    );
}

#[test]
fn one_row_given_flat_keeps_a_flat_gradient() {
    let out: serde_json::Value = serde_json::from_str(&ok(&[
        "--loss",
        "kl",
        "--target",
        "0.25,0.75",
        "--prediction",
        "0.5,0.5",
        "--json",
    ]))
    .unwrap();
    assert_eq!(out["gradient"].as_array().unwrap().len(), 2);
    assert!(out["gradient"][0].is_number(), "{out}");
}

/// A CSV of 70,000 rows: regression columns, binary labels and probabilities.
fn mixed_csv(dir: &std::path::Path) -> std::path::PathBuf {
    let (target, prediction) = columns();
    let mut text = String::from("target,prediction,label,prob\n");
    for (i, (t, p)) in target.iter().zip(&prediction).enumerate() {
        let label = (i * 31) % 7 < 3;
        let prob = ((i * 7919) % 10_007) as f64 / 10_007.0;
        text.push_str(&format!("{t:?},{p:?},{},{prob:?}\n", label as u8));
    }
    let path = dir.join("m.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn several_losses_in_one_pass_give_each_loss_its_own_output() {
    let dir = tempfile::tempdir().unwrap();
    let csv = mixed_csv(dir.path());
    let col = |c: &str| format!("@{}:{c}", csv.display());
    let (t, p, y, q) = (col("target"), col("prediction"), col("label"), col("prob"));
    let single = |loss: &str, target: &str, prediction: &str, extra: &[&str]| {
        let mut args = vec![
            "--loss",
            loss,
            "--target",
            target,
            "--prediction",
            prediction,
        ];
        args.extend_from_slice(extra);
        ok(&args)
    };
    for extra in [&["--json", "--summary"][..], &["--summary"], &["--json"]] {
        // One pair of columns for every loss.
        let mut args = vec![
            "--loss",
            "mse,huber:delta=0.5",
            "--loss",
            "mae",
            "--target",
            &t,
            "--prediction",
            &p,
        ];
        args.extend_from_slice(extra);
        let together = ok(&args);
        let each = [
            single("mse", &t, &p, extra),
            single(
                "huber",
                &t,
                &p,
                &[extra, &["--param", "delta=0.5"]].concat(),
            ),
            single("mae", &t, &p, extra),
        ];
        let expected = if extra.contains(&"--json") {
            let objects: Vec<&str> = each.iter().map(|s| s.trim_end()).collect();
            format!("{{\"evaluations\":[{}]}}\n", objects.join(","))
        } else {
            each.join("\n")
        };
        assert_eq!(together, expected, "{extra:?}");
    }
    // Columns per loss: BCE on labels and probabilities beside MSE.
    let together = ok(&[
        "--loss",
        "mse,bce",
        "--target",
        &t,
        "--target",
        &y,
        "--prediction",
        &p,
        "--prediction",
        &q,
        "--summary",
    ]);
    let each = [
        single("mse", &t, &p, &["--summary"]),
        single("bce", &y, &q, &["--summary"]),
    ];
    assert_eq!(together, each.join("\n"));
    let (success, _, stderr) = eval(&[
        "--loss",
        "mse,mae,bce",
        "--target",
        &t,
        "--target",
        &y,
        "--prediction",
        &p,
    ]);
    assert!(!success);
    assert_eq!(
        stderr,
        "error: --target is given 2 times for 3 losses: give it once for every loss, or once per loss\n"
    );
    let (_, _, stderr) = eval(&[
        "--loss",
        "mse,huber",
        "--param",
        "delta=2",
        "--target",
        &t,
        "--prediction",
        &p,
    ]);
    assert!(stderr.contains("--param is for a single loss"), "{stderr}");
}

#[test]
fn hinge_labels_mixing_conventions_across_batches_are_refused_as_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.csv");
    // {0, 1} labels first, a −1 far beyond the first batch.
    let mut text = String::from("y,score\n");
    for i in 0..100_000 {
        let y = if i == 90_000 { -1 } else { (i % 3 == 0) as i32 };
        text.push_str(&format!("{y},0.5\n"));
    }
    std::fs::write(&path, text).unwrap();
    let shown = path.display().to_string();
    let (success, stdout, stderr) = eval(&[
        "--loss",
        "hinge",
        "--summary",
        "--target",
        &format!("@{shown}:y"),
        "--prediction",
        &format!("@{shown}:score"),
    ]);
    assert!(!success && stdout.is_empty());
    assert_eq!(
        stderr,
        format!("error: --target: sample 90000 is -1 but sample 1 is 0; hinge labels must be all in {{-1, 1}} or all in {{0, 1}} (file `{shown}`, column `y`)\n")
    );
}
