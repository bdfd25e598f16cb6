//! The result of a `sql` dataset: a small table of key columns (the
//! `GROUP BY` columns: model, segment, day) and number columns (the losses,
//! counts), in the order the query gives its rows.
//!
//! Plain data, built by the `sql` module's `table` (feature `datafusion`)
//! and shown by `kind = "dataset"` tables and `kind = "bars"` figures.

/// Most rows a `sql` dataset may give (`max_rows` is at most this).
pub const MAX_QUERY_ROWS: usize = 100_000;
/// `max_rows` when the dataset does not set it.
pub const DEFAULT_QUERY_ROWS: usize = 1000;
/// Most columns of a query's result.
pub const MAX_QUERY_COLUMNS: usize = 100;

/// A query's result.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryTable {
    /// The key columns' names: the leading columns that are not floats.
    pub keys: Vec<String>,
    /// The number columns' names: from the first float column on.
    pub values: Vec<String>,
    pub rows: Vec<QueryRow>,
}

/// One row: its keys as text (`NULL` for a null), its numbers (`None` for
/// a null, such as a loss over no row).
#[derive(Debug, Clone, PartialEq)]
pub struct QueryRow {
    pub keys: Vec<String>,
    pub values: Vec<Option<f64>>,
}

impl QueryRow {
    /// The row's name in a figure: its keys joined by ", ", or `row k`
    /// (from 1) when the query has no key column.
    pub fn label(&self, index: usize) -> String {
        if self.keys.is_empty() {
            format!("row {}", index + 1)
        } else {
            self.keys.join(", ")
        }
    }
}
