//! Dataset files (`csv = "..."`), read by [`crate::io`] with the same rules
//! as `eval`: CSV with a header line, Parquet, or `.npy` by extension; a
//! `column` by name, or `prefix*` for every column starting with it (as rows).

use std::path::Path;

use super::error::{Reporter, ScenarioError};
use crate::io::{self, Columns, DataError, FileSpec, Header};
use crate::loss::Data;

/// Read `file` (shown to the user as `shown`); `column` picks one column by
/// header name (or a `prefix*` of columns), otherwise one column gives a flat
/// array and several give rows; at most `max_values` numbers.
pub(crate) fn read_data_file(
    (file, shown): (&Path, &str),
    column: Option<&str>,
    max_values: usize,
    path: &str,
    rep: &Reporter,
) -> Result<Data, ScenarioError> {
    let columns = match column {
        Some(name) => match name.strip_suffix('*') {
            Some(prefix) => Columns::Prefix(prefix.to_string()),
            None => Columns::Named(name.to_string()),
        },
        None => Columns::All,
    };
    let column_path = path.replace(".csv", ".column");
    let spec = FileSpec::new(file.to_path_buf(), columns);
    io::read_all(&spec, Header::Required, max_values).map_err(|err| match err {
        DataError::Unreadable(e) => rep.invalid(path, format!("cannot read \"{shown}\": {e}")),
        DataError::Invalid(message) if message.starts_with("has no column") => {
            rep.invalid(&column_path, format!("\"{shown}\" {message}"))
        }
        DataError::Invalid(message) => rep.invalid(path, format!("\"{shown}\": {message}")),
    })
}
