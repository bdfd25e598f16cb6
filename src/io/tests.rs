//! The reader's rules, on small files of every format.

use std::io::Write;

use super::*;

fn write(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(content)
        .unwrap();
    path
}

fn read(path: &Path, columns: Columns) -> Result<Data, String> {
    read_all(
        &FileSpec::new(path.to_path_buf(), columns),
        Header::Detect,
        1000,
    )
    .map_err(|e| e.to_string())
}

/// Stream with tiny batches to cross batch boundaries, cut by rows and cut
/// by size: both must read the same numbers and give the same errors.
fn stream(path: &Path, selections: &[Columns], rows: usize) -> Result<Vec<Vec<f64>>, String> {
    let by_rows = stream_cut(path, selections, rows, false);
    let by_size = stream_cut(path, selections, rows, true);
    assert_eq!(by_rows, by_size, "{} rows", rows);
    by_rows
}

/// Stream `path`, placing each batch as the stream does (`place`).
fn stream_cut(
    path: &Path,
    selections: &[Columns],
    rows: usize,
    by_size: bool,
) -> Result<Vec<Vec<f64>>, String> {
    let spec = FileSpec::new(path.to_path_buf(), Columns::All);
    let mut source =
        open(&spec.path, spec.format, selections, Header::Detect).map_err(|e| e.to_string())?;
    if by_size {
        source.cut_by_size();
    }
    let mut out = vec![Vec::new(); selections.len()];
    let (mut next, mut lines) = (0, 0);
    let spare = Spare::default();
    while let Some(raw) = source.next_raw(rows).map_err(|e| e.to_string())? {
        assert_eq!(raw.rows().is_none(), by_size && spec.format == Format::Csv);
        let batch = match raw.try_decode(&spare) {
            Ok(batch) => batch,
            Err(Undecoded::Error(error)) => return Err(error.to_string()),
            Err(Undecoded::Unplaced(mut raw)) => {
                assert!(by_size);
                raw.place(next, lines);
                return Err(raw.decode().map(|_| ()).unwrap_err().to_string());
            }
        };
        if !by_size {
            assert_eq!(batch.first_row, next);
        }
        next += batch.rows as u64;
        lines += batch.lines;
        for (all, column) in out.iter_mut().zip(batch.columns) {
            all.extend(column);
        }
    }
    Ok(out)
}

#[test]
fn csv_columns_by_name_prefix_and_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "d.csv",
        b"\xef\xbb\xbfy, p_a ,p_b\n1,0.25,0.75\n0, 0.5 ,0.5\n\n",
    );
    assert_eq!(
        read(&path, Columns::Named("y".into())),
        Ok(Data::Flat(vec![1.0, 0.0]))
    );
    assert_eq!(
        read(&path, Columns::Prefix("p_".into())),
        Ok(Data::Rows(vec![vec![0.25, 0.75], vec![0.5, 0.5]]))
    );
    let all = read(&path, Columns::All).unwrap();
    assert_eq!(
        all,
        Data::Rows(vec![vec![1.0, 0.25, 0.75], vec![0.0, 0.5, 0.5]])
    );
    let selections = [Columns::Named("p_b".into()), Columns::Named("y".into())];
    for rows in [1, 2, 5] {
        assert_eq!(
            stream(&path, &selections, rows),
            Ok(vec![vec![0.75, 0.5], vec![1.0, 0.0]])
        );
    }
}

/// A column named for several losses is parsed once a line and copied to
/// the later selections, whole and in order, whatever the batch size.
#[test]
fn csv_columns_named_several_times() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "d.csv", b"y,p_a,p_b\n1,0.25,0.75\n0,0.5,0.5\n2,3,4\n");
    let selections = [
        Columns::Named("p_b".into()),
        Columns::Named("y".into()),
        Columns::Named("p_b".into()),
        Columns::Prefix("p_".into()),
        Columns::Prefix("p_".into()),
        Columns::Named("y".into()),
    ];
    let rows_of_p = vec![0.25, 0.75, 0.5, 0.5, 3.0, 4.0];
    for rows in [1, 2, 5] {
        assert_eq!(
            stream(&path, &selections, rows),
            Ok(vec![
                vec![0.75, 0.5, 4.0],
                vec![1.0, 0.0, 2.0],
                vec![0.75, 0.5, 4.0],
                rows_of_p.clone(),
                rows_of_p.clone(),
                vec![1.0, 0.0, 2.0],
            ])
        );
    }
}

#[test]
fn csv_without_header_and_the_one_line_form() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "d.csv", b"1\n2\n3");
    assert_eq!(
        read(&path, Columns::All),
        Ok(Data::Flat(vec![1.0, 2.0, 3.0]))
    );
    let path = write(&dir, "list.txt", b"1, 2, 3\n");
    assert_eq!(
        read(&path, Columns::All),
        Ok(Data::Flat(vec![1.0, 2.0, 3.0]))
    );
    let path = write(&dir, "j.json", b"[[1, 2], [3, 4]]");
    assert_eq!(
        read(&path, Columns::All),
        Ok(Data::Rows(vec![vec![1.0, 2.0], vec![3.0, 4.0]]))
    );
    let path = write(&dir, "n.csv", b"1,2\n3,4\n");
    assert_eq!(
        read(&path, Columns::Named("a".into())),
        Err("has no header line, so its columns have no names".to_string())
    );
}

#[test]
fn bad_csv_cells_name_line_sample_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "d.csv", b"target,prediction\n1,2\n3,x\n");
    let err =
        |path: &Path, rows| stream(path, &[Columns::Named("prediction".into())], rows).unwrap_err();
    for rows in [1, 100] {
        assert_eq!(
            err(&path, rows),
            "line 3 (sample 1), column `prediction`: `x` is not a number"
        );
    }
    let path = write(&dir, "d.csv", b"target,prediction\n1,2\n3,NaN\n");
    assert_eq!(
        err(&path, 10),
        "line 3 (sample 1), column `prediction`: is NaN; every value must be a finite number"
    );
    let path = write(&dir, "d.csv", b"target,prediction\n1,2\n3\n");
    assert_eq!(err(&path, 10), "line 3 has 1 field, but the header has 2");
    let path = write(&dir, "d.csv", b"target,prediction\n1,2\n\n3,4\n\n");
    for rows in [1, 10] {
        assert_eq!(
            stream(&path, &[Columns::Named("prediction".into())], rows),
            Ok(vec![vec![2.0, 4.0]])
        );
    }
    let path = write(&dir, "d.csv", b"target,prediction\n1,2\n\n3,4,5\n");
    assert_eq!(err(&path, 1), "line 4 has 3 fields, but the header has 2");
    let path = write(&dir, "d.csv", b"target,prediction\n1,\n");
    assert_eq!(
        err(&path, 10),
        "line 2 (sample 0), column `prediction`: is empty"
    );
    assert_eq!(
        read(&path, Columns::Named("prob".into())),
        Err("has no column `prob` (columns: target, prediction)".to_string())
    );
}

#[test]
fn devices_and_folders_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        read(dir.path(), Columns::All),
        Err(
            "not a regular file (a device, pipe, socket or folder cannot be read as one)"
                .to_string()
        )
    );
    if Path::new("/dev/zero").exists() {
        assert_eq!(
            read(Path::new("/dev/zero"), Columns::All),
            Err(
                "not a regular file (a device, pipe, socket or folder cannot be read as one)"
                    .to_string()
            )
        );
    }
}

/// A version-1 .npy file with the given header dictionary and data.
fn npy(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
    npy_ordered(descr, shape, "False", data)
}

/// The same, `fortran_order` "True" or "False".
fn npy_ordered(descr: &str, shape: &str, fortran: &str, data: &[u8]) -> Vec<u8> {
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    bytes.extend(data);
    bytes
}

#[test]
fn npy_one_and_two_dimensional() {
    let dir = tempfile::tempdir().unwrap();
    let values = [0.5f64, 1.5, -2.0, 3.0, 4.0, 5.0];
    let data: Vec<u8> = values.iter().flat_map(|x| x.to_le_bytes()).collect();
    let path = write(&dir, "v.npy", &npy("<f8", "(6,)", &data));
    assert_eq!(read(&path, Columns::All), Ok(Data::Flat(values.to_vec())));
    assert_eq!(stream(&path, &[Columns::All], 4), Ok(vec![values.to_vec()]));
    let path = write(&dir, "m.npy", &npy("<f8", "(3, 2)", &data));
    assert_eq!(
        read(&path, Columns::All),
        Ok(Data::Rows(vec![
            vec![0.5, 1.5],
            vec![-2.0, 3.0],
            vec![4.0, 5.0]
        ]))
    );
    let ints: Vec<u8> = [1i64, 0, 1].iter().flat_map(|x| x.to_le_bytes()).collect();
    let path = write(&dir, "i.npy", &npy("<i8", "(3,)", &ints));
    assert_eq!(
        read(&path, Columns::All),
        Ok(Data::Flat(vec![1.0, 0.0, 1.0]))
    );
}

#[test]
fn npy_in_fortran_order_reads_as_the_same_rows_as_c_order() {
    let dir = tempfile::tempdir().unwrap();
    // 7 rows of 3 columns of different scales: row i, column j.
    let value = |i: usize, j: usize| (i as f64 - 3.5) * [1e-100, 1.0, 1e100][j];
    let c_order: Vec<u8> = (0..7)
        .flat_map(|i| (0..3).map(move |j| value(i, j)))
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let f_order: Vec<u8> = (0..3)
        .flat_map(|j| (0..7).map(move |i| value(i, j)))
        .flat_map(|x| x.to_le_bytes())
        .collect();
    assert_ne!(c_order, f_order);
    let c = write(&dir, "c.npy", &npy("<f8", "(7, 3)", &c_order));
    let f = write(
        &dir,
        "f.npy",
        &npy_ordered("<f8", "(7, 3)", "True", &f_order),
    );
    let rows = read(&c, Columns::All);
    assert!(
        matches!(&rows, Ok(Data::Rows(r)) if r[6][2] == value(6, 2)),
        "{rows:?}"
    );
    assert_eq!(read(&f, Columns::All), rows);
    // Streamed in blocks of 2 and 4 rows (the last one short), both selections.
    for batch in [2, 4, 7] {
        let expected = stream(&c, &[Columns::All, Columns::All], batch);
        assert_eq!(stream(&f, &[Columns::All, Columns::All], batch), expected);
    }
    // A Fortran file cut short is refused as C order is.
    let short = npy_ordered("<f8", "(7, 3)", "True", &f_order[..f_order.len() - 8]);
    let short = write(&dir, "short.npy", &short);
    assert!(read(&short, Columns::All)
        .unwrap_err()
        .starts_with("ends early"));
}

#[test]
fn npy_of_the_wrong_dtype_or_shape_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "s.npy", &npy("|S3", "(2,)", b"abcdef"));
    assert!(read(&path, Columns::All)
        .unwrap_err()
        .starts_with("has dtype |S3; expected little-endian float64 (<f8)"));
    let path = write(&dir, "c.npy", &npy("<f8", "(1, 1, 1)", &1f64.to_le_bytes()));
    assert!(read(&path, Columns::All)
        .unwrap_err()
        .starts_with("has shape [1, 1, 1]; expected a 1-D array"));
    let path = write(&dir, "short.npy", &npy("<f8", "(3,)", &1f64.to_le_bytes()));
    assert!(read(&path, Columns::All)
        .unwrap_err()
        .starts_with("ends early"));
    let nan: Vec<u8> = [1.0, f64::NAN]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let path = write(&dir, "nan.npy", &npy("<f8", "(2,)", &nan));
    assert_eq!(
        read(&path, Columns::All),
        Err("sample 1 is NaN; every value must be a finite number".to_string())
    );
}

#[test]
fn file_specs_name_columns_and_prefixes() {
    let spec = FileSpec::parse("no/such/dir/data.parquet:prob_*");
    assert_eq!(spec.path, PathBuf::from("no/such/dir/data.parquet"));
    assert_eq!(spec.columns, Columns::Prefix("prob_".into()));
    assert_eq!(spec.format, Format::Parquet);
    let spec = FileSpec::parse("x.csv:target");
    assert_eq!(
        (spec.columns, spec.format),
        (Columns::Named("target".into()), Format::Csv)
    );
    assert_eq!(FileSpec::parse("m.NPY").format, Format::Npy);
}

#[cfg(feature = "parquet")]
mod parquet_files {
    use std::sync::Arc;

    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;

    use super::*;

    fn write_parquet(path: &Path) {
        let schema = parse_message_type(
            "message m { required double target; required int64 label; optional double prob; required binary name; }",
        )
        .unwrap();
        let file = std::fs::File::create(path).unwrap();
        let props = Arc::new(
            WriterProperties::builder()
                .set_max_row_group_row_count(Some(2))
                .build(),
        );
        let mut writer = SerializedFileWriter::new(file, Arc::new(schema), props).unwrap();
        for (t, l, p) in [
            ([0.5, 1.5], [1i64, 0], [0.9, 0.2]),
            ([2.5, 3.5], [1, 1], [0.7, 0.6]),
        ] {
            let mut group = writer.next_row_group().unwrap();
            let mut col = group.next_column().unwrap().unwrap();
            col.typed::<DoubleType>()
                .write_batch(&t, None, None)
                .unwrap();
            col.close().unwrap();
            let mut col = group.next_column().unwrap().unwrap();
            col.typed::<Int64Type>()
                .write_batch(&l, None, None)
                .unwrap();
            col.close().unwrap();
            let mut col = group.next_column().unwrap().unwrap();
            col.typed::<DoubleType>()
                .write_batch(&p, Some(&[1, 1]), None)
                .unwrap();
            col.close().unwrap();
            let mut col = group.next_column().unwrap().unwrap();
            let names = [ByteArray::from("a"), ByteArray::from("b")];
            col.typed::<ByteArrayType>()
                .write_batch(&names, None, None)
                .unwrap();
            col.close().unwrap();
            group.close().unwrap();
        }
        writer.close().unwrap();
    }

    #[test]
    fn parquet_columns_across_row_groups() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.parquet");
        write_parquet(&path);
        let selections = [
            Columns::Named("label".into()),
            Columns::Named("target".into()),
            Columns::Named("prob".into()),
        ];
        for rows in [1, 3, 10] {
            assert_eq!(
                stream(&path, &selections, rows),
                Ok(vec![
                    vec![1.0, 0.0, 1.0, 1.0],
                    vec![0.5, 1.5, 2.5, 3.5],
                    vec![0.9, 0.2, 0.7, 0.6]
                ])
            );
        }
    }

    /// A column named for several losses (and inside a prefix selection)
    /// reaches every selection whole: the last selection takes the decoded
    /// array, the earlier ones copies.
    #[test]
    fn parquet_columns_named_several_times() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.parquet");
        write_parquet(&path);
        let selections = [
            Columns::Named("prob".into()),
            Columns::Named("target".into()),
            Columns::Named("prob".into()),
            Columns::Prefix("t".into()),
            Columns::Named("target".into()),
        ];
        let (target, prob) = (vec![0.5, 1.5, 2.5, 3.5], vec![0.9, 0.2, 0.7, 0.6]);
        for rows in [1, 3, 10] {
            assert_eq!(
                stream(&path, &selections, rows),
                Ok(vec![
                    prob.clone(),
                    target.clone(),
                    prob.clone(),
                    target.clone(),
                    target.clone()
                ])
            );
        }
    }

    #[test]
    fn parquet_of_the_wrong_type_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.parquet");
        write_parquet(&path);
        assert_eq!(
            read(&path, Columns::Named("name".into())),
            Err("column `name` has Parquet type BYTE_ARRAY; expected numbers: DOUBLE, FLOAT, INT64 or INT32, one per row".to_string())
        );
        assert_eq!(
            read(&path, Columns::Named("x".into())),
            Err("has no column `x` (columns: target, label, prob, name)".to_string())
        );
        let csv = write(&dir, "f.parquet", b"a,b\n1,2\n");
        let err = read(&csv, Columns::All).unwrap_err();
        assert!(err.starts_with("cannot be read as Parquet"), "{err}");
    }
}

/// Blocks without quotes or carriage returns take the plain path; the same
/// text with `\r\n` line ends takes the `csv` crate's: both read the same
/// numbers and report the same errors.
#[test]
fn the_plain_csv_path_reads_as_the_csv_crate_does() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [&str; 8] = [
        "a,b,c\n1,2,3\n\n4, 5 ,6\n7,8,9",
        "a,b,c\n1,2,3\n4,5\n",
        "a,b,c\n1,2,3\n4,5,6,7\n",
        "a,b,c\n1,x,3\n",
        "a,b,c\n1,,3\n",
        "a,b,c\n1,2,3\n\n\n4,5,inf\n",
        "1,2,3\n4,5,6\n",
        "a,b,c\n1e-300,-0.0,5e-324\n 2 ,3,4\n",
    ];
    for (k, text) in cases.iter().enumerate() {
        let plain = write(&dir, &format!("plain{k}.csv"), text.as_bytes());
        let crlf = write(
            &dir,
            &format!("crlf{k}.csv"),
            text.replace('\n', "\r\n").as_bytes(),
        );
        let selections = [Columns::All, Columns::Prefix("b".into())];
        let selections = if k == 6 {
            &selections[..1]
        } else {
            &selections
        };
        for rows in [1, 2, 100] {
            let (a, b) = (
                stream(&plain, selections, rows),
                stream(&crlf, selections, rows),
            );
            assert_eq!(a, b, "case {k}, {rows} rows");
        }
    }
    // Quotes send a block to the `csv` crate even in a field not read, where
    // a quoted comma must not split the field; so does a lone `\r`, which
    // ends a record there.
    let quoted = write(&dir, "q.csv", b"a,b,c\n1,2,3\n4,\"x,y\",6\n\"7\",8,9\n");
    let ac = [Columns::Named("a".into()), Columns::Named("c".into())];
    for rows in [1, 2, 100] {
        assert_eq!(
            stream(&quoted, &ac, rows),
            Ok(vec![vec![1.0, 4.0, 7.0], vec![3.0, 6.0, 9.0]])
        );
    }
    let lone_cr = write(&dir, "cr.csv", b"a,b,c\n1,2,3\n4,x\ry,6\n");
    assert_eq!(
        stream(&lone_cr, &ac, 100),
        Err("line 3 has 2 fields, but the header has 3".into())
    );
    let bad = write(&dir, "bad.csv", b"a,b\n1,2\n3,x\n");
    assert_eq!(
        stream(&bad, &[Columns::Named("b".into())], 10),
        Err("line 3 (sample 1), column `b`: `x` is not a number".into())
    );
}

/// Both routes of a plain block's cells, `decimal`'s AVX-512 one (where the
/// processor has it) and `fast-float2` alone: the same numbers and errors.
fn both_routes(path: &Path, selections: &[Columns]) -> Result<Vec<Vec<f64>>, String> {
    csv_plain::tests_route::set_portable(true);
    let mut portable = Vec::new();
    for rows in [1, 3, 100] {
        portable.push(stream(path, selections, rows));
    }
    csv_plain::tests_route::set_portable(false);
    for (rows, expected) in [1, 3, 100].into_iter().zip(&portable) {
        assert_eq!(&stream(path, selections, rows), expected, "{rows} rows");
    }
    portable.swap_remove(0)
}

/// Enough plain lines after the case that its cells are not within the last
/// 32 bytes of a block (the wide route loads 32 bytes).
const FILLER: &str = "0.5,0.25,0.125\n0.75,-0.375,8\n";

#[test]
fn wide_and_portable_cells_read_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[&str] = &[
        "a,b,c\n0.6479062041731867,-0.037913448770707125,0\n",
        "a,b,c\n\"1.5\",2,3\n",
        "a,b,c\n1,2,3\r\n4,5,6\r\n",
        "a,b,c\n1,2,3\n\n\n4,5,6\n",
        "a,b,c\n 1.5 ,2\t,3\n",
        "a,b,c\n1e5,1.5E-3,-2e+2\n",
        "a,b,c\n1,inf,3\n",
        "a,b,c\n1,-Infinity,3\n",
        "a,b,c\n1,NaN,3\n",
        "a,b,c\n1,nan,3\n",
        "a,b,c\n0.1234567890123456789012345678901234567890,2,3\n",
        "a,b,c\n1234567890123456789,12345678901234567890,0.000000000000000000001\n",
        "a,b,c\n-0,.5,5.\n",
        "a,b,c\n+1,-.5,-0.0\n",
        "a,b,c\n1.2.3,2,3\n",
        "a,b,c\n1,,3\n",
        "a,b,c\n1,2\n",
        "a,b,c\n1,2,3,4\n",
        "a,b,c\n4503599627370496.5,4503599627370497.5,9007199254740993\n",
    ];
    let selections = [Columns::All, Columns::Named("b".into())];
    for (k, case) in cases.iter().enumerate() {
        let (before, mut read) = (csv_plain::tests_route::taken(), false);
        for text in [
            format!("{case}{}", FILLER.repeat(4)),
            format!("{case}{}", FILLER.repeat(4).trim_end()),
            format!("{case}{}\n\n", FILLER.repeat(4)),
        ] {
            let path = write(&dir, &format!("case{k}.csv"), text.as_bytes());
            read |= both_routes(&path, &selections).is_ok();
        }
        // The wide route read cells of every file read whole.
        #[cfg(target_arch = "x86_64")]
        if decimal::wide_available() && read {
            assert!(csv_plain::tests_route::taken() > before, "case {k}");
        }
        let _ = (before, read);
    }
    // A malformed cell is named as before, whichever route read the others.
    let path = write(
        &dir,
        "bad.csv",
        format!(
            "a,b\n{}0.5,x\n{}",
            "0.25,0.5\n".repeat(8),
            "1,2\n".repeat(8)
        )
        .as_bytes(),
    );
    assert_eq!(
        both_routes(&path, &[Columns::Named("b".into())]),
        Err("line 10 (sample 8), column `b`: `x` is not a number".into())
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    #[test]
    fn any_lines_are_read_the_same_by_both_routes(
        cells in proptest::collection::vec(
            "-?[0-9]{0,21}(\\.[0-9]{0,21})?([eE][-+]?[0-9]{1,3})?| ?[0-9]{1,3} ?|inf|NaN",
            3..30,
        ),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let lines: Vec<String> = cells.chunks(3).map(|c| c.join(",")).collect();
        let text = format!("a,b,c\n{}\n{}", lines.join("\n"), FILLER.repeat(4));
        let path = write(&dir, "p.csv", text.as_bytes());
        both_routes(&path, &[Columns::All]).ok();
    }
}
