//! Reading user data: the one reader behind `eval` and scenario datasets, so
//! both follow one set of rules.
//!
//! A data file is named as `PATH`, `PATH:column` or `PATH:prefix*` (every
//! column whose name starts with `prefix`, in file order, as the rows of a
//! row loss). The format follows the extension: `.parquet`, `.npy` (1-D for
//! one value per sample, 2-D for rows), anything else is CSV (a header line
//! is recognised by holding no number) or, if the file starts with `[`, JSON.
//!
//! Files are read as a stream of [`Batch`]es of a fixed number of rows, so
//! memory does not grow with the file; decoding a batch (parsing CSV text) is
//! separate from reading it ([`RawBatch::decode`]) so that batches decode on
//! all cores while the file is read in order. Every number must be finite:
//! a NaN, an infinity, a missing or non-numeric cell stops the read with the
//! file, line, sample and column.
//!
//! Only regular files are read (never `/dev/zero` or a pipe that never ends).

use std::path::{Path, PathBuf};

use crate::loss::Data;

mod csv_file;
mod csv_plain;
mod decimal;
mod mapped;
mod memory;
mod npy_file;
mod number;
#[cfg(feature = "parquet")]
mod parquet_file;
mod text;

pub use memory::{MemorySource, Spare};
pub use text::parse_inline;

/// What was wrong with a data file. The file name is added by the caller,
/// which knows how the user named it.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file cannot be opened or read.
    #[error("{0}")]
    Unreadable(#[from] std::io::Error),
    /// The content is not what was expected: the message says where and why.
    #[error("{0}")]
    Invalid(String),
}

pub(crate) fn invalid(message: impl Into<String>) -> DataError {
    DataError::Invalid(message.into())
}

/// Which columns of a file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Columns {
    /// Every column: one gives a value per sample, several give rows.
    All,
    /// One column by name.
    Named(String),
    /// Every column whose name starts with this prefix (`prob_*`), as rows.
    Prefix(String),
}

/// The file formats losslab reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
    Npy,
}

/// A data file and the columns to read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSpec {
    pub path: PathBuf,
    pub columns: Columns,
    pub format: Format,
}

impl FileSpec {
    /// `PATH`, `PATH:column` or `PATH:prefix*`. A path that exists as given
    /// is taken whole, so a file name holding `:` still works.
    pub fn parse(text: &str) -> FileSpec {
        let whole = Path::new(text);
        let (path, columns) = match text.rsplit_once(':') {
            Some((path, column)) if !whole.exists() && !path.is_empty() && !column.is_empty() => {
                let columns = match column.strip_suffix('*') {
                    Some(prefix) => Columns::Prefix(prefix.to_string()),
                    None => Columns::Named(column.to_string()),
                };
                (PathBuf::from(path), columns)
            }
            _ => (whole.to_path_buf(), Columns::All),
        };
        FileSpec::new(path, columns)
    }

    pub fn new(path: PathBuf, columns: Columns) -> FileSpec {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let format = match extension.as_deref() {
            Some("parquet") | Some("pq") => Format::Parquet,
            Some("npy") => Format::Npy,
            _ => Format::Csv,
        };
        FileSpec {
            path,
            columns,
            format,
        }
    }

    /// The file as a person named it, for messages.
    pub fn shown(&self) -> String {
        self.path.display().to_string()
    }
}

/// Whether a CSV file must start with a header line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    /// The first line is always the header (scenario datasets).
    Required,
    /// The first line is a header if none of its cells is a number (`eval`).
    Detect,
}

/// Rows read from one source: for each selection, `rows × width` values, row-major.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// Index of the first sample of the batch in the whole file (0 for a
    /// batch cut by size until the stream places it: [`RawBatch::place`]).
    pub first_row: u64,
    pub rows: usize,
    /// Lines of text the batch spans, empty ones included (CSV); `rows` otherwise.
    pub lines: u64,
    pub columns: Vec<Vec<f64>>,
}

/// Rows read but perhaps not decoded yet; [`RawBatch::decode`] may run on any thread.
pub struct RawBatch(RawKind);

enum RawKind {
    Ready(Batch),
    Csv(csv_file::CsvBytes),
}

/// Why [`RawBatch::try_decode`] gave no batch.
pub enum Undecoded {
    /// The data is bad; the message names the line, sample and column.
    Error(DataError),
    /// The data is bad, but the batch was cut by size and does not know its
    /// place in the file yet: [`RawBatch::place`] it, then decode it again
    /// for the message.
    Unplaced(RawBatch),
}

impl RawBatch {
    pub(crate) fn ready(batch: Batch) -> RawBatch {
        RawBatch(RawKind::Ready(batch))
    }

    /// Samples in the batch; None for a batch cut by size (known once decoded).
    pub fn rows(&self) -> Option<usize> {
        match &self.0 {
            RawKind::Ready(batch) => Some(batch.rows),
            RawKind::Csv(bytes) => bytes.rows(),
        }
    }

    /// Tell a batch cut by size where it starts: after `rows_before` samples
    /// and `lines_before` lines of data (what the batches before it held).
    pub fn place(&mut self, rows_before: u64, lines_before: u64) {
        if let RawKind::Csv(bytes) = &mut self.0 {
            bytes.place(rows_before, lines_before);
        }
    }

    /// Parse the numbers; errors name the line, sample and column.
    pub fn decode(self) -> Result<Batch, DataError> {
        self.decode_with(&Spare::default())
    }

    /// [`RawBatch::decode`] into arrays taken from `spare`.
    pub fn decode_with(self, spare: &Spare) -> Result<Batch, DataError> {
        match self.try_decode(spare) {
            Ok(batch) => Ok(batch),
            Err(Undecoded::Error(error)) => Err(error),
            Err(Undecoded::Unplaced(_)) => Err(invalid(
                "holds a bad value in a batch whose place in the file is unknown",
            )),
        }
    }

    /// [`RawBatch::decode_with`] for a batch that may not know its place:
    /// its bad data is handed back to be placed, then decoded again.
    pub fn try_decode(self, spare: &Spare) -> Result<Batch, Undecoded> {
        match self.0 {
            RawKind::Ready(batch) => Ok(batch),
            // The plain path, or the `csv` crate's where quotes or
            // carriage returns need it.
            RawKind::Csv(block) => match csv_plain::decode(&block, spare) {
                Ok(batch) => {
                    block.recycle();
                    Ok(batch)
                }
                Err(_) if !block.placed() => {
                    Err(Undecoded::Unplaced(RawBatch(RawKind::Csv(block))))
                }
                Err(error) => {
                    block.recycle();
                    Err(Undecoded::Error(error))
                }
            },
        }
    }
}

/// A file (or in-memory data) read in order, one batch at a time.
pub trait BatchSource: Send {
    /// Values per sample of each selection: 1 for a column, k for k columns as rows.
    fn widths(&self) -> &[usize];
    /// The next at most `rows` rows, or `None` at the end.
    fn next_raw(&mut self, rows: usize) -> Result<Option<RawBatch>, DataError>;
    /// From now on, [`BatchSource::next_raw`] may cut by size: about `rows`
    /// rows, their number and place known only once decoded (a CSV file is
    /// then cut without a scan for every line end; the parse finds them).
    /// For a source read alone; called before the first batch.
    fn cut_by_size(&mut self) {}
    /// Bytes read so far and in total, where known (for a progress bar).
    fn progress(&self) -> Option<(u64, u64)> {
        None
    }
}

/// Open a regular file, refusing devices, pipes and folders, which may never
/// end (the same rule as every file losslab reads: [`crate::read_limits`]).
pub(crate) fn open_regular(path: &Path) -> Result<std::fs::File, DataError> {
    Ok(crate::read_limits::open_regular(path)?)
}

/// Open `spec` for streaming the given column selections (each one of
/// [`Columns`]); the batches carry one column block per selection.
pub fn open(
    spec_path: &Path,
    format: Format,
    selections: &[Columns],
    header: Header,
) -> Result<Box<dyn BatchSource>, DataError> {
    match format {
        Format::Csv => Ok(Box::new(csv_file::CsvSource::open(
            spec_path, selections, header,
        )?)),
        Format::Npy => Ok(Box::new(npy_file::NpySource::open(spec_path, selections)?)),
        #[cfg(feature = "parquet")]
        Format::Parquet => Ok(Box::new(parquet_file::ParquetSource::open(
            spec_path, selections,
        )?)),
        #[cfg(not(feature = "parquet"))]
        Format::Parquet => Err(invalid(
            "Parquet support is not built in (build with the `parquet` feature)",
        )),
    }
}

/// The column names of a file, in file order, for matching globs: a CSV
/// file's header line or a Parquet file's schema (`.npy` has no names).
pub fn column_names(path: &Path, format: Format) -> Result<Vec<String>, DataError> {
    match format {
        Format::Csv => csv_file::header_names(path),
        #[cfg(feature = "parquet")]
        Format::Parquet => parquet_file::column_names(path),
        #[cfg(not(feature = "parquet"))]
        Format::Parquet => Err(invalid(
            "Parquet support is not built in (build with the `parquet` feature)",
        )),
        Format::Npy => Err(invalid("is a .npy array, whose columns have no names")),
    }
}

/// Does this file hold the small inline forms (a JSON array, or one line of
/// comma-separated numbers) rather than a table?
pub fn is_inline_text(path: &Path) -> Result<bool, DataError> {
    use std::io::Read;
    let file = open_regular(path)?;
    let mut head = Vec::with_capacity(4096);
    file.take(4096).read_to_end(&mut head)?;
    let head = head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&head);
    let trimmed = head.trim_ascii();
    let one_line = head.len() < 4096 && !trimmed.contains(&b'\n');
    Ok(trimmed.first() == Some(&b'[') || one_line)
}

/// Largest file read whole into memory in the inline forms (JSON, one line).
pub const MAX_INLINE_BYTES: u64 = crate::read_limits::MAX_IN_MEMORY_BYTES;

/// Read a whole file into memory as [`Data`], at most `max_values` numbers:
/// one column gives a flat array, several give rows. For scenario datasets,
/// for row losses, and for data too irregular to stream.
pub fn read_all(spec: &FileSpec, header: Header, max_values: usize) -> Result<Data, DataError> {
    if spec.format == Format::Csv && spec.columns == Columns::All && is_inline_text(&spec.path)? {
        return text::read_inline_file(&spec.path);
    }
    let mut source = open(
        &spec.path,
        spec.format,
        std::slice::from_ref(&spec.columns),
        header,
    )?;
    let width = source.widths()[0];
    let mut values = Vec::new();
    while let Some(raw) = source.next_raw(1 << 16)? {
        let batch = raw.decode()?;
        if values.len() + batch.columns[0].len() > max_values {
            return Err(invalid(format!(
                "holds more than {max_values} values, the most read into memory"
            )));
        }
        values.extend_from_slice(&batch.columns[0]);
    }
    if values.is_empty() {
        return Err(invalid("holds no data"));
    }
    let one_value_per_sample = width == 1 && !matches!(spec.columns, Columns::Prefix(_));
    Ok(if one_value_per_sample {
        Data::Flat(values)
    } else {
        Data::Rows(values.chunks(width).map(<[f64]>::to_vec).collect())
    })
}

#[cfg(test)]
mod tests;
