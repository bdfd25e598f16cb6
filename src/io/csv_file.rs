//! CSV files, streamed: the file is cut into blocks of whole lines in order
//! (a byte search for newlines, no parsing), and each block is parsed on its
//! own thread (the plain path of `csv_plain.rs`, or the `csv` crate's reused `ByteRecord`
//! where quotes or carriage returns need it) with `fast-float2`, or the
//! AVX-512 route of `decimal.rs` for plain decimal cells.
//!
//! Blocks hold a given number of samples, which costs a search for every
//! line end as the file is read; a file read alone is instead cut by size
//! ([`super::BatchSource::cut_by_size`]): at the last line end before about
//! that many samples' bytes, so the reading thread neither parses nor
//! copies (the blocks are ranges of windows of the file mapped into memory,
//! [`super::mapped`]), and each block learns how many samples and lines it
//! holds as it is parsed. The stream then places the blocks in order
//! ([`CsvBytes::place`]).
//!
//! A quoted cell may hold commas but not a line break: blocks are cut at
//! every newline. Empty lines are skipped (as the `csv` crate and pandas do);
//! line numbers in messages count them.

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};

use super::mapped::{Text, Windows};
use super::number::{is_number, parse_cell};
use super::{invalid, open_regular, Columns, DataError, Header, RawBatch, RawKind};

/// Bytes asked from the file at a time.
const READ_SIZE: usize = 1 << 20;

/// Most bytes in a block cut by size (unless one line is longer): a guess
/// from a long first line must not take the memory that the batch size
/// is there to bound.
const MAX_BLOCK_BYTES: usize = 16 << 20;

/// What every block needs to parse itself: the selected fields and their names.
#[derive(Debug)]
pub(super) struct Layout {
    /// Field indices of each selection.
    pub(super) selections: Vec<Vec<usize>>,
    /// Column names (from the header, or `column N`) for messages.
    pub(super) names: Vec<String>,
    pub(super) field_count: usize,
    /// "the header" or "line 1": what a ragged line is compared with.
    reference: &'static str,
    /// The line number of the first sample (2 after a header line).
    first_data_line: u64,
    /// Bytes of the first line of data: what a sample is guessed to take
    /// when the file is cut by size.
    pub(super) line_bytes: usize,
    /// Byte buffers of decoded blocks, for the next blocks: reused memory
    /// is neither requested from the system nor faulted in again.
    spare: Mutex<Vec<Vec<u8>>>,
}

/// Most spare buffers kept (about the batches in flight).
const MAX_SPARE: usize = 16;

impl Layout {
    fn take_spare(&self) -> Vec<u8> {
        let spare = self.spare.lock().ok().and_then(|mut s| s.pop());
        spare.unwrap_or_default()
    }

    fn give_back(&self, mut bytes: Vec<u8>) {
        if let Ok(mut spare) = self.spare.lock() {
            if spare.len() < MAX_SPARE {
                bytes.clear();
                spare.push(bytes);
            }
        }
    }
}

pub(super) struct CsvSource {
    file: std::fs::File,
    layout: Arc<Layout>,
    widths: Vec<usize>,
    /// Bytes read but not yet handed out.
    pending: Vec<u8>,
    at_end: bool,
    next_row: u64,
    next_line: u64,
    bytes_read: u64,
    file_size: u64,
    /// Cut by size ([`super::BatchSource::cut_by_size`]).
    by_size: bool,
    /// Cut by size, the file mapped from the first block on (None before,
    /// or if it cannot be mapped: then it is read into buffers).
    windows: Option<Windows>,
    /// The file was tried for mapping.
    map_tried: bool,
}

/// Whole lines of the file, not yet parsed.
pub(super) struct CsvBytes {
    bytes: Text,
    /// Samples in the block; None when cut by size.
    rows: Option<usize>,
    /// The first sample's index and line number; None when cut by size,
    /// until the block is placed.
    start: Option<(u64, u64)>,
    layout: Arc<Layout>,
}

impl CsvSource {
    pub(super) fn open(
        path: &Path,
        selections: &[Columns],
        header: Header,
    ) -> Result<CsvSource, DataError> {
        let mut file = open_regular(path)?;
        let file_size = file.metadata()?.len();
        let mut pending = Vec::with_capacity(READ_SIZE);
        let mut at_end = false;
        // The first line decides the fields and whether there is a header.
        while !pending.contains(&b'\n') && !at_end {
            at_end = read_more(&mut file, &mut pending)? == 0;
        }
        let bytes_read = pending.len() as u64;
        if pending.starts_with("\u{feff}".as_bytes()) {
            pending.drain(..3);
        }
        let first_end = memchr::memchr(b'\n', &pending).map_or(pending.len(), |p| p + 1);
        let first = first_record(&pending[..first_end])?;
        if first.is_empty() {
            return Err(invalid("holds no data"));
        }
        let has_header = match header {
            Header::Required => true,
            Header::Detect => first.iter().all(|cell| !is_number(cell)),
        };
        let names: Vec<String> = if has_header {
            first
                .iter()
                .map(|cell| String::from_utf8_lossy(cell.trim_ascii()).into_owned())
                .collect()
        } else {
            (1..=first.len()).map(|c| format!("column {c}")).collect()
        };
        let resolved = selections
            .iter()
            .map(|columns| resolve(columns, &names, has_header))
            .collect::<Result<Vec<_>, _>>()?;
        let widths = resolved.iter().map(Vec::len).collect();
        if has_header {
            pending.drain(..first_end);
        }
        let line_bytes = memchr::memchr(b'\n', &pending).map_or(pending.len(), |p| p + 1);
        let first_data_line = if has_header { 2 } else { 1 };
        Ok(CsvSource {
            file,
            layout: Arc::new(Layout {
                selections: resolved,
                field_count: first.len(),
                names,
                reference: if has_header { "the header" } else { "line 1" },
                first_data_line,
                line_bytes: line_bytes.max(1),
                spare: Mutex::new(Vec::new()),
            }),
            widths,
            pending,
            at_end,
            next_row: 0,
            next_line: first_data_line,
            bytes_read,
            file_size,
            by_size: false,
            windows: None,
            map_tried: false,
        })
    }
}

/// The names of the header line of a CSV file (the first line, always).
pub(super) fn header_names(path: &Path) -> Result<Vec<String>, DataError> {
    let source = CsvSource::open(path, &[Columns::All], Header::Required)?;
    Ok(source.layout.names.clone())
}

/// Append up to `READ_SIZE` bytes (fewer only at the end of the file).
fn read_more(file: &mut std::fs::File, pending: &mut Vec<u8>) -> std::io::Result<usize> {
    read_up_to(file, pending, READ_SIZE)
}

/// Append up to `size` bytes (fewer only at the end of the file).
fn read_up_to(
    file: &mut std::fs::File,
    pending: &mut Vec<u8>,
    size: usize,
) -> std::io::Result<usize> {
    // `read_to_end` fills the spare capacity without zeroing it first.
    file.by_ref().take(size as u64).read_to_end(pending)
}

/// The cells of the first line.
fn first_record(line: &[u8]) -> Result<csv::ByteRecord, DataError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line);
    let mut record = csv::ByteRecord::new();
    reader
        .read_byte_record(&mut record)
        .map_err(|e| invalid(format!("line 1: {e}")))?;
    Ok(record)
}

/// Field indices for one selection.
fn resolve(columns: &Columns, names: &[String], has_header: bool) -> Result<Vec<usize>, DataError> {
    let listing = || names.join(", ");
    match columns {
        Columns::All => Ok((0..names.len()).collect()),
        Columns::Named(_) | Columns::Prefix(_) if !has_header => {
            Err(invalid("has no header line, so its columns have no names"))
        }
        Columns::Named(name) => names
            .iter()
            .position(|n| n == name)
            .map(|i| vec![i])
            .ok_or_else(|| invalid(format!("has no column `{name}` (columns: {})", listing()))),
        Columns::Prefix(prefix) => {
            let found: Vec<usize> = (0..names.len())
                .filter(|&i| names[i].starts_with(prefix.as_str()))
                .collect();
            if found.is_empty() {
                Err(invalid(format!(
                    "has no column starting with `{prefix}` (columns: {})",
                    listing()
                )))
            } else {
                Ok(found)
            }
        }
    }
}

impl super::BatchSource for CsvSource {
    fn widths(&self) -> &[usize] {
        &self.widths
    }

    fn cut_by_size(&mut self) {
        self.by_size = true;
    }

    fn next_raw(&mut self, rows: usize) -> Result<Option<RawBatch>, DataError> {
        let rows = rows.max(1);
        if self.by_size {
            return self.next_by_size(rows);
        }
        // Lines and samples in pending[..scanned]; empty lines are not samples.
        let (mut scanned, mut lines, mut samples) = (0, 0u64, 0usize);
        let cut = loop {
            let mut found = None;
            let base = scanned;
            for pos in memchr::memchr_iter(b'\n', &self.pending[base..]) {
                let end = base + pos;
                let line = &self.pending[scanned..end];
                scanned = end + 1;
                lines += 1;
                if !(line.is_empty() || line == b"\r") {
                    samples += 1;
                    if samples == rows {
                        found = Some(scanned);
                        break;
                    }
                }
            }
            if let Some(cut) = found {
                break cut;
            }
            if self.at_end {
                if scanned < self.pending.len() {
                    // A last line without its newline.
                    self.pending.push(b'\n');
                    continue;
                }
                break scanned;
            }
            let n = read_more(&mut self.file, &mut self.pending)?;
            self.bytes_read += n as u64;
            self.at_end = n == 0;
        };
        if samples == 0 {
            self.pending.clear();
            return Ok(None);
        }
        let block = CsvBytes {
            bytes: Text::Owned(self.split_pending(cut)),
            rows: Some(samples),
            start: Some((self.next_row, self.next_line)),
            layout: Arc::clone(&self.layout),
        };
        self.next_row += samples as u64;
        self.next_line += lines;
        Ok(Some(RawBatch(RawKind::Csv(block))))
    }

    fn progress(&self) -> Option<(u64, u64)> {
        Some((self.bytes_read, self.file_size))
    }
}

impl CsvSource {
    /// The bytes before `cut` as a block's; the rest start the next block,
    /// in a reused buffer.
    fn split_pending(&mut self, cut: usize) -> Vec<u8> {
        let mut rest = self.layout.take_spare();
        rest.extend_from_slice(&self.pending[cut..]);
        self.pending.truncate(cut);
        std::mem::replace(&mut self.pending, rest)
    }

    /// The whole lines within about `rows` samples' bytes (at least one
    /// line), found from the end: the lines themselves are not looked at.
    fn next_by_size(&mut self, rows: usize) -> Result<Option<RawBatch>, DataError> {
        // A long first line must not make a block of the whole file.
        let want = rows
            .saturating_mul(self.layout.line_bytes)
            .min(MAX_BLOCK_BYTES);
        if !self.map_tried {
            self.map_tried = true;
            // Bytes read so far, less those not handed out: where the data goes on.
            let pos = self.bytes_read - self.pending.len() as u64;
            self.windows = Windows::new(&self.file, pos, self.file_size);
        }
        if let Some(windows) = &mut self.windows {
            let text = windows.next_lines(want)?;
            self.bytes_read = windows.position();
            return Ok(text.map(|bytes| {
                RawBatch(RawKind::Csv(CsvBytes {
                    bytes,
                    rows: None,
                    start: None,
                    layout: Arc::clone(&self.layout),
                }))
            }));
        }
        // Read no further than the share: what follows the cut is copied
        // to the next block's buffer, so it should be a part of a line.
        while self.pending.len() < want && !self.at_end {
            let size = (want - self.pending.len()).min(READ_SIZE);
            let n = read_up_to(&mut self.file, &mut self.pending, size)?;
            self.bytes_read += n as u64;
            self.at_end = n == 0;
        }
        let cut = loop {
            let within = want.min(self.pending.len());
            if let Some(last) = memchr::memrchr(b'\n', &self.pending[..within]) {
                break last + 1;
            }
            // A line longer than the share: up to its end.
            if let Some(end) = memchr::memchr(b'\n', &self.pending[within..]) {
                break within + end + 1;
            }
            if self.at_end {
                if self.pending.is_empty() {
                    return Ok(None);
                }
                // A last line without its newline.
                self.pending.push(b'\n');
                break self.pending.len();
            }
            let n = read_more(&mut self.file, &mut self.pending)?;
            self.bytes_read += n as u64;
            self.at_end = n == 0;
        };
        let block = CsvBytes {
            bytes: Text::Owned(self.split_pending(cut)),
            rows: None,
            start: None,
            layout: Arc::clone(&self.layout),
        };
        Ok(Some(RawBatch(RawKind::Csv(block))))
    }
}

impl CsvBytes {
    pub(super) fn rows(&self) -> Option<usize> {
        self.rows
    }

    /// Does the block know where it starts (else its messages cannot say)?
    pub(super) fn placed(&self) -> bool {
        self.start.is_some()
    }

    /// The block starts after `rows_before` samples and `lines_before`
    /// lines of data.
    pub(super) fn place(&mut self, rows_before: u64, lines_before: u64) {
        self.start = Some((rows_before, self.layout.first_data_line + lines_before));
    }

    /// The first sample's index (0 until placed).
    pub(super) fn first_row(&self) -> u64 {
        self.start.map_or(0, |(row, _)| row)
    }

    /// The first line's number (as if first in the file, until placed).
    pub(super) fn first_line(&self) -> u64 {
        self.start
            .map_or(self.layout.first_data_line, |(_, line)| line)
    }

    pub(super) fn bytes(&self) -> &[u8] {
        self.bytes.as_slice()
    }

    pub(super) fn layout(&self) -> &Layout {
        &self.layout
    }

    /// A line with the wrong number of fields.
    pub(super) fn ragged(&self, line: u64, fields: usize) -> DataError {
        invalid(format!(
            "line {line} has {fields} field{}, but {} has {}",
            if fields == 1 { "" } else { "s" },
            self.layout.reference,
            self.layout.field_count
        ))
    }

    /// The line of the file where the record at byte `at` of the block starts.
    fn line_at(&self, at: usize) -> u64 {
        let bytes = self.bytes();
        let at = at.min(bytes.len());
        let mut line = self.first_line() + memchr::memchr_iter(b'\n', &bytes[..at]).count() as u64;
        // The csv crate's position is taken before the empty lines it skips.
        let mut rest = &bytes[at..];
        while let Some(after) = rest
            .strip_prefix(b"\n")
            .or_else(|| rest.strip_prefix(b"\r\n"))
        {
            rest = after;
            line += 1;
        }
        line
    }

    /// Hand the block's buffer back for the next blocks.
    pub(super) fn recycle(self) {
        if let Text::Owned(bytes) = self.bytes {
            self.layout.give_back(bytes);
        }
    }

    /// A block with quotes or carriage returns, through the `csv` crate.
    pub(super) fn decode_quoted(&self) -> Result<super::Batch, DataError> {
        let layout = &self.layout;
        let (samples, lines) = self.count_lines();
        let mut columns: Vec<Vec<f64>> = layout
            .selections
            .iter()
            .map(|fields| Vec::with_capacity(samples * fields.len()))
            .collect();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(self.bytes());
        let mut record = csv::ByteRecord::new();
        let mut row = 0usize;
        loop {
            let more = reader.read_byte_record(&mut record).map_err(|e| {
                let at = e.position().map_or(0, |p| p.byte() as usize);
                invalid(format!("line {}: {e}", self.line_at(at)))
            })?;
            if !more {
                break;
            }
            // Line numbers only for messages: counted when an error needs one.
            let line = || self.line_at(record.position().map_or(0, |p| p.byte() as usize));
            if record.len() != layout.field_count {
                return Err(self.ragged(line(), record.len()));
            }
            for (fields, out) in layout.selections.iter().zip(&mut columns) {
                for &field in fields {
                    let cell = record.get(field).unwrap_or_default();
                    match parse_cell(cell) {
                        Ok(x) => out.push(x),
                        Err(problem) => {
                            return Err(invalid(format!(
                                "line {} (sample {}), column `{}`: {}",
                                line(),
                                self.first_row() + row as u64,
                                layout.names[field],
                                problem.describe(cell)
                            )))
                        }
                    }
                }
            }
            row += 1;
        }
        if row != samples {
            return Err(invalid(format!(
                "lines {} and after: a quoted cell holds a line break, which is not read",
                self.first_line()
            )));
        }
        Ok(super::Batch {
            first_row: self.first_row(),
            rows: samples,
            lines,
            columns,
        })
    }

    /// Samples (lines other than empty ones and a lone `\r`) and lines of the block.
    fn count_lines(&self) -> (usize, u64) {
        let (mut samples, mut lines, mut start) = (0, 0, 0);
        let bytes = self.bytes();
        for end in memchr::memchr_iter(b'\n', bytes) {
            let line = &bytes[start..end];
            samples += usize::from(!(line.is_empty() || line == b"\r"));
            lines += 1;
            start = end + 1;
        }
        (samples, lines)
    }
}
