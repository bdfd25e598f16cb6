//! A DATA argument of `eval`: a JSON array, a comma-separated list, or
//! `@PATH` / `@PATH:column` / `@PATH:prefix*` naming a data file, which
//! [`crate::io`] reads (CSV, Parquet, `.npy`, or a file holding JSON or a list).
//!
//! Only the shape and the numbers are checked here; what the numbers must be
//! (probabilities, labels, ...) is the core's business.

use anyhow::Result;

use crate::io::{self, DataError, FileSpec, Header};
use crate::loss::Data;

/// Most numbers `eval` reads into memory (row losses, irregular files);
/// elementwise losses stream their files and have no such limit.
pub const MAX_IN_MEMORY_VALUES: usize = 50_000_000;

/// Data as given to one argument.
#[derive(Debug, Clone, PartialEq)]
pub enum DataArg {
    Inline(Data),
    File(FileSpec),
}

/// Parse the DATA given to the argument `arg` (`--target`, `--prediction`, `--weights`).
pub fn parse_data_arg(arg: &str, text: &str) -> Result<DataArg> {
    let text = text.trim();
    match text.strip_prefix('@') {
        Some(path) => Ok(DataArg::File(FileSpec::parse(path))),
        None => Ok(DataArg::Inline(
            io::parse_inline(arg, text).map_err(anyhow::Error::new)?,
        )),
    }
}

/// A file error, with the argument and the file as the user named them.
pub fn file_error(arg: &str, spec: &FileSpec, err: DataError) -> anyhow::Error {
    match err {
        DataError::Unreadable(e) => {
            anyhow::anyhow!("{arg}: cannot read file `{}`: {e}", spec.shown())
        }
        DataError::Invalid(message) => {
            let message = message.strip_prefix(": ").unwrap_or(&message);
            anyhow::anyhow!("{arg}: file `{}` {message}", spec.shown())
        }
    }
}

/// The whole argument in memory.
pub fn load_data_arg(arg: &str, data: &DataArg) -> Result<Data> {
    match data {
        DataArg::Inline(data) => Ok(data.clone()),
        DataArg::File(spec) => io::read_all(spec, Header::Detect, MAX_IN_MEMORY_VALUES)
            .map_err(|err| file_error(arg, spec, err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(arg: &str, text: &str) -> Result<Data> {
        load_data_arg(arg, &parse_data_arg(arg, text)?)
    }

    #[test]
    fn reads_json_list_and_csv_forms() {
        assert_eq!(
            load("--target", "[1, 0, 1]").unwrap(),
            Data::Flat(vec![1.0, 0.0, 1.0])
        );
        assert_eq!(
            load("--target", "1,0,0.5").unwrap(),
            Data::Flat(vec![1.0, 0.0, 0.5])
        );
        assert_eq!(
            load("--p", "[[0.2,0.8],[0.5,0.5]]").unwrap(),
            Data::Rows(vec![vec![0.2, 0.8], vec![0.5, 0.5]])
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        std::fs::write(&path, "a,b\n0.2,0.8\n0.5,0.5\n").unwrap();
        let arg = format!("@{}", path.display());
        assert_eq!(
            load("--p", &arg).unwrap(),
            Data::Rows(vec![vec![0.2, 0.8], vec![0.5, 0.5]])
        );
        assert_eq!(
            load("--p", &format!("{arg}:b")).unwrap(),
            Data::Flat(vec![0.8, 0.5])
        );
        std::fs::write(&path, "1, 2, 3\n").unwrap();
        assert_eq!(load("--p", &arg).unwrap(), Data::Flat(vec![1.0, 2.0, 3.0]));
        std::fs::write(&path, "1\n2\n3\n").unwrap();
        assert_eq!(load("--p", &arg).unwrap(), Data::Flat(vec![1.0, 2.0, 3.0]));
    }

    #[test]
    fn names_the_argument_and_position_of_bad_data() {
        let err = |text: &str| load("--prediction", text).unwrap_err().to_string();
        assert_eq!(err("1,x,3"), "--prediction[1]: `x` is not a number");
        assert_eq!(err("[]"), "--prediction: empty data");
        assert_eq!(err(""), "--prediction: empty data");
        assert!(err("[1, 2").starts_with("--prediction: malformed JSON"));
        assert_eq!(
            err("[[1,2],[3]]"),
            "--prediction: ragged rows: row 1 has 1 values, row 0 has 2"
        );
        assert_eq!(
            err("[1, \"a\"]"),
            "--prediction[1]: expected a number, got \"a\""
        );
        assert!(err("@/no/such/file.csv").starts_with("--prediction: cannot read file"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        std::fs::write(&path, "y,p\n1,0.5\n0,oops\n").unwrap();
        assert_eq!(
            err(&format!("@{}:p", path.display())),
            format!(
                "--prediction: file `{}` line 3 (sample 1), column `p`: `oops` is not a number",
                path.display()
            )
        );
    }
}
