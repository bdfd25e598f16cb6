//! `eval` of row losses on files, streamed: CSV prefix globs, Parquet
//! prefixes and 2-D `.npy` (C or Fortran order) give the bytes of the same rows given inline
//! (read into memory), for tables, JSON and summaries; bad rows and bad
//! arrays are refused with the file, row and column, and nothing on stdout.

mod common;

use common::cli::{eval, ok};

const CLASSES: usize = 3;

/// Target rows, prediction rows, labels and weights.
type Columns = (Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<f64>, Vec<f64>);

/// 20,000 rows of probabilities (more than one batch), targets, labels
/// and weights; every 9th target row sums to 1/2 (KL warns).
fn rows(n: usize) -> Columns {
    let row = |i: usize, salt: usize| -> Vec<f64> {
        let raw: Vec<f64> = (0..CLASSES)
            .map(|c| (((i % 1000 + 1) * (c + salt) * 7919) % 1009) as f64)
            .collect();
        let sum: f64 = raw.iter().sum();
        raw.iter().map(|x| x / sum).collect()
    };
    let target = (0..n)
        .map(|i| {
            let mut r = row(i, 2);
            if i % 9 == 0 {
                r.iter_mut().for_each(|x| *x *= 0.5);
            }
            r
        })
        .collect();
    let prediction = (0..n).map(|i| row(i, 5)).collect();
    let labels = (0..n).map(|i| (i % CLASSES) as f64).collect();
    let weights = (0..n).map(|i| (i % 4) as f64 * 0.25).collect();
    (target, prediction, labels, weights)
}

/// A `.npy` file of dtype `descr` and shape `shape` (numpy's notation) holding `data`.
fn npy(path: &std::path::Path, descr: &str, shape: &str, data: &[u8]) -> String {
    npy_ordered(path, descr, shape, "False", data)
}

/// The same, in C order (`fortran` "False") or Fortran order ("True").
fn npy_ordered(
    path: &std::path::Path,
    descr: &str,
    shape: &str,
    fortran: &str,
    data: &[u8],
) -> String {
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}");
    while (11 + header.len()) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    bytes.extend(data);
    std::fs::write(path, bytes).unwrap();
    path.display().to_string()
}

/// Rows as a 2-D float64 `.npy` in Fortran order: column after column.
fn npy_rows_fortran(path: &std::path::Path, rows: &[Vec<f64>]) {
    let data: Vec<u8> = (0..rows[0].len())
        .flat_map(|j| rows.iter().map(move |row| row[j]))
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let shape = format!("({}, {})", rows.len(), rows[0].len());
    npy_ordered(path, "<f8", &shape, "True", &data);
}

/// Rows as a 2-D float64 `.npy` in C order.
fn npy_rows(path: &std::path::Path, rows: &[Vec<f64>]) {
    let data: Vec<u8> = rows
        .iter()
        .flatten()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    npy(
        path,
        "<f8",
        &format!("({}, {})", rows.len(), rows[0].len()),
        &data,
    );
}

#[test]
fn streamed_rows_give_the_bytes_of_rows_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let (target, prediction, labels, weights) = rows(20_000);
    let csv = dir.path().join("d.csv");
    let mut text = String::from("label,w,t_0,t_1,t_2,prob_0,prob_1,prob_2\n");
    for i in 0..target.len() {
        let cells: Vec<String> = [labels[i], weights[i]]
            .iter()
            .chain(&target[i])
            .chain(&prediction[i])
            .map(|x| format!("{x:?}"))
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    std::fs::write(&csv, text).unwrap();
    npy_rows(&dir.path().join("t.npy"), &target);
    npy_rows(&dir.path().join("p.npy"), &prediction);
    npy_rows_fortran(&dir.path().join("tf.npy"), &target);
    npy_rows_fortran(&dir.path().join("pf.npy"), &prediction);
    // The same numbers as JSON files, read whole into memory.
    let inline = |name: &str, value: serde_json::Value| {
        let path = dir.path().join(name);
        std::fs::write(&path, value.to_string()).unwrap();
        format!("@{}", path.display())
    };
    let t_json = inline("t.json", serde_json::json!(target));
    let p_json = inline("p.json", serde_json::json!(prediction));
    let l_json = inline("l.json", serde_json::json!(labels));
    let w_json = inline("w.json", serde_json::json!(weights));
    let column = |name: &str| format!("@{}:{name}", csv.display());
    let npy_arg = |name: &str| format!("@{}", dir.path().join(name).display());
    let (t_csv, p_csv, l_csv, w_csv) = (
        column("t_*"),
        column("prob_*"),
        column("label"),
        column("w"),
    );
    let (t_npy, p_npy) = (npy_arg("t.npy"), npy_arg("p.npy"));
    let (t_fortran, p_fortran) = (npy_arg("tf.npy"), npy_arg("pf.npy"));
    for extra in [
        &["--json"][..],
        &["--json", "--summary"],
        &["--summary", "--reduction", "weighted_mean"],
        &[],
    ] {
        for (loss, sparse) in [
            ("cce", false),
            ("kl", false),
            ("sparse_cce:class_weights=[1,2,0.5]", true),
        ] {
            let run = |t: &str, p: &str, w: &str| {
                let mut args = vec!["--loss", loss, "--target", t, "--prediction", p];
                args.extend(["--weights", w]);
                args.extend(extra);
                ok(&args)
            };
            let case = format!("{loss} {extra:?}");
            if sparse {
                let expected = run(&l_json, &p_json, &w_json);
                assert_eq!(run(&l_csv, &p_csv, &w_csv), expected, "{case} csv");
                assert_eq!(run(&l_json, &p_npy, &w_json), expected, "{case} npy");
                assert_eq!(run(&l_json, &p_fortran, &w_json), expected, "{case} F");
            } else {
                let expected = run(&t_json, &p_json, &w_json);
                assert_eq!(run(&t_csv, &p_csv, &w_csv), expected, "{case} csv");
                assert_eq!(run(&t_npy, &p_npy, &w_csv), expected, "{case} npy");
                assert_eq!(run(&t_fortran, &p_fortran, &w_csv), expected, "{case} F");
            }
        }
    }
    // Several row losses and an elementwise one, each from the same file, in one pass.
    let args = |t: &str, p: &str| {
        ok(&[
            "--loss",
            "cce,kl,mse",
            "--json",
            "--summary",
            "--target",
            t,
            "--target",
            t,
            "--target",
            &column("w"),
            "--prediction",
            p,
            "--prediction",
            p,
            "--prediction",
            &column("label"),
        ])
    };
    let one_pass = args(&t_csv, &p_csv);
    assert!(one_pass.contains("\"samples\":20000"), "{one_pass}");
    assert_eq!(args(&t_npy, &p_npy), one_pass);
    assert_eq!(args(&t_fortran, &p_npy), one_pass);
}

fn bad_csv(dir: &std::path::Path, cell: &str, value: &str) -> String {
    let path = dir.join(format!("bad_{}.csv", cell.len()));
    let mut text = String::from("t_0,t_1,q_0,q_1\n");
    for i in 0..30_000 {
        let q = if i == 25_000 { value } else { "0.25" };
        match cell {
            "missing" if i == 25_000 => text.push_str("1,0,0.75\n"),
            _ => text.push_str(&format!("1,0,0.75,{q}\n")),
        }
    }
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn bad_rows_and_arrays_are_refused_with_file_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let run = |file: &str, prediction: &str| {
        let (success, stdout, stderr) = eval(&[
            "--loss",
            "cce",
            "--target",
            &format!("@{file}:t_*"),
            "--prediction",
            &format!("@{prediction}"),
        ]);
        assert!(!success, "{stderr}");
        assert!(stdout.is_empty(), "half-written: {stdout}");
        stderr
    };
    let text = bad_csv(dir.path(), "text", "0.2x");
    assert_eq!(
        run(&text, &format!("{text}:q_*")),
        format!("error: --target and --prediction: file `{text}` line 25002 (sample 25000), column `q_1`: `0.2x` is not a number\n")
    );
    let missing = bad_csv(dir.path(), "missing", "");
    let stderr = run(&missing, &format!("{missing}:q_*"));
    assert!(
        stderr.contains(&format!("file `{missing}` line 25002")) && stderr.contains("fields"),
        "{stderr}"
    );
    let refused = bad_csv(dir.path(), "refused", "1.5");
    assert_eq!(
        run(&refused, &format!("{refused}:q_*")),
        // The column by its header name (`q_1` is the file's fourth column).
        format!("error: --prediction: row 25000, column `q_1` is 1.5; probabilities must be in [0, 1] (file `{refused}`, columns `q_*`)\n")
    );
    // A .npy of the wrong dtype or shape says what was expected.
    let write_npy = |name: &str, descr: &str, shape: &str, bytes: usize| {
        npy(&dir.path().join(name), descr, shape, &vec![0u8; bytes])
    };
    let complex = write_npy("c.npy", "<c16", "(30000, 2)", 30_000 * 2 * 16);
    assert!(run(&refused, &complex)
        .contains("has dtype <c16; expected little-endian float64 (<f8), float32"));
    let cube = write_npy("cube.npy", "<f8", "(30000, 2, 2)", 30_000 * 4 * 8);
    assert!(run(&refused, &cube).contains("has shape [30000, 2, 2]; expected a 1-D array"));
    let narrow = write_npy("narrow.npy", "<f8", "(30000, 3)", 30_000 * 3 * 8);
    assert_eq!(
        run(&refused, &narrow),
        "error: --prediction: rows have 3 values but target rows have 2\n"
    );
}
