//! The common case of a CSV block, read without the `csv` crate's state
//! machine: a block holding no quote (`"`) and no carriage return has no
//! escaping at all, so by RFC 4180 its fields are exactly the bytes between
//! commas and its records the lines between newlines. Profiling `eval` on a
//! 10-million-row file put a third of the time in the general tokeniser;
//! this path gives the same numbers and the same errors (a test feeds both
//! the same blocks), and any block it does not cover goes to the `csv` crate.
//!
//! The block is not searched for quotes first: a line is taken here only if
//! each field is a number running up to its comma or newline, or (a field
//! not read) holds neither a quote nor a carriage return, so a line it takes
//! has neither. At the first line it does not take, the whole block is
//! searched once, and goes to the `csv` crate if it holds either byte.

use super::csv_file::CsvBytes;
use super::number::parse_cell;
use super::{invalid, Batch, DataError, Spare};

/// Can this block be read here (no quote, no carriage return)?
fn applies(bytes: &[u8]) -> bool {
    memchr::memchr2(b'"', b'\r', bytes).is_none()
}

/// Where each wanted field of the current line starts and ends.
#[derive(Clone, Copy, Default)]
struct Span {
    start: usize,
    end: usize,
}

/// The fields a block's selections read, and a place for their values.
struct Wanted {
    /// `wanted[f]`: is field `f` read? (up to the last field read)
    wanted: Vec<bool>,
    values: Vec<f64>,
    spans: Vec<Span>,
    /// (selection, field) in output order: each line's values go to the
    /// selections' columns in this order.
    order: Vec<(usize, usize)>,
    /// (selection, earlier selection of the same fields): filled by a copy
    /// of the earlier one's column once the block is read (a column named
    /// for several losses is pushed to once a line, then copied whole).
    copies: Vec<(usize, usize)>,
}

/// Parse a block (every line ends with a newline): here, or by the `csv`
/// crate if it holds a quote or a carriage return. Its cells are read by
/// [`super::decimal`]'s AVX-512 route where the processor has it, else (and
/// for the cells that route leaves) by `fast-float2`.
pub(super) fn decode(block: &CsvBytes, spare: &Spare) -> Result<Batch, DataError> {
    #[cfg(target_arch = "x86_64")]
    if super::decimal::wide_available() && !tests_route::portable() {
        // SAFETY: the processor has the features (checked just above).
        return unsafe { decode_wide(block, spare) };
    }
    decode_with(block, spare, |_, _| None)
}

/// [`decode`] with the wide cells, the whole loop compiled with their
/// features so that [`super::decimal::wide::cell`] is inlined into it.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,bmi1,bmi2,popcnt")]
fn decode_wide(block: &CsvBytes, spare: &Spare) -> Result<Batch, DataError> {
    decode_with(
        block,
        spare,
        #[inline(always)]
        |bytes, at| {
            let read = super::decimal::wide::cell(bytes, at);
            tests_route::count(read.is_some());
            read
        },
    )
}

/// A first reader of the cell at `bytes[at..]` (value and length, or None
/// for `fast-float2` to read it).
trait Cell: Fn(&[u8], usize) -> Option<(f64, usize)> + Copy {}
impl<C: Fn(&[u8], usize) -> Option<(f64, usize)> + Copy> Cell for C {}

/// [`decode`], with `cell` trying each wanted cell first.
#[inline(always)]
fn decode_with(block: &CsvBytes, spare: &Spare, cell: impl Cell) -> Result<Batch, DataError> {
    let layout = block.layout();
    let bytes = block.bytes();
    let last = layout
        .selections
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0);
    let mut wanted = Wanted {
        wanted: vec![false; last + 1],
        values: vec![0.0; last + 1],
        spans: vec![Span::default(); last + 1],
        order: Vec::new(),
        copies: Vec::new(),
    };
    for (s, fields) in layout.selections.iter().enumerate() {
        if let Some(earlier) = layout.selections[..s].iter().position(|e| e == fields) {
            wanted.copies.push((s, earlier));
            continue;
        }
        for &f in fields {
            wanted.wanted[f] = true;
            wanted.order.push((s, f));
        }
    }
    // Samples expected: as cut, or as many as lines of the first one's length.
    let rows = block.rows().unwrap_or(bytes.len() / layout.line_bytes + 1);
    let mut columns: Vec<Vec<f64>> = layout
        .selections
        .iter()
        .map(|fields| spare.take(rows * fields.len()))
        .collect();
    let (mut start, first_line, mut row) = (0usize, block.first_line(), 0usize);
    let mut line = first_line;
    let mut checked = false;
    while start < bytes.len() {
        // An empty line is skipped, as the `csv` crate does.
        if bytes[start] == b'\n' {
            start += 1;
            line += 1;
            continue;
        }
        start = match quick_line(bytes, start, layout.field_count, &mut wanted, cell) {
            Some(next) => next,
            None => {
                if !checked && !applies(bytes) {
                    columns.into_iter().for_each(|c| spare.give(c));
                    return block.decode_quoted();
                }
                checked = true;
                careful_line(block, start, (line, row), &mut wanted)?
            }
        };
        for &(s, f) in &wanted.order {
            columns[s].push(wanted.values[f]);
        }
        row += 1;
        line += 1;
    }
    for &(s, earlier) in &wanted.copies {
        // `earlier < s`: the copy's source is in the first half.
        let (before, after) = columns.split_at_mut(s);
        after[0].extend_from_slice(&before[earlier]);
    }
    Ok(Batch {
        first_row: block.first_row(),
        rows: row,
        lines: line - first_line,
        columns,
    })
}

/// The common line, in one pass: each wanted cell is a number that runs up
/// to its delimiter, parsed where it stands; the other fields are skipped.
/// Returns where the next line starts, or None for anything else (spaces
/// around a number, a bad cell, the wrong number of fields, a quote or a
/// carriage return anywhere), which [`careful_line`] or the `csv` crate
/// then reads or reports.
#[inline(always)]
fn quick_line(
    bytes: &[u8],
    start: usize,
    field_count: usize,
    wanted: &mut Wanted,
    cell: impl Cell,
) -> Option<usize> {
    let mut at = start;
    let mut field = 0;
    loop {
        if wanted.wanted.get(field).copied().unwrap_or(false) {
            // A cell the first reader takes is a finite number.
            let (x, used) = match cell(bytes, at) {
                Some(read) => read,
                None => {
                    let (x, used) = fast_float2::parse_partial::<f64, _>(&bytes[at..]).ok()?;
                    if used == 0 || !x.is_finite() {
                        return None;
                    }
                    (x, used)
                }
            };
            wanted.values[field] = x;
            at += used;
        } else {
            at += skip_field(&bytes[at..])?;
        }
        match bytes.get(at)? {
            b',' => {
                field += 1;
                at += 1;
            }
            b'\n' => return (field + 1 == field_count).then_some(at + 1),
            _ => return None,
        }
    }
}

/// The length of a field not read, up to its comma or newline; None if it
/// holds a quote or a carriage return (the `csv` crate's business). A byte
/// loop: such fields are short, shorter than a SIMD search's set-up.
fn skip_field(bytes: &[u8]) -> Option<usize> {
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b',' | b'\n' => return Some(i),
            b'"' | b'\r' => return None,
            _ => {}
        }
    }
    None
}

/// One line field by field, with the checks and messages of the `csv` crate
/// path; returns where the next line starts.
fn careful_line(
    block: &CsvBytes,
    start: usize,
    (line, row): (u64, usize),
    wanted: &mut Wanted,
) -> Result<usize, DataError> {
    let layout = block.layout();
    let bytes = block.bytes();
    let end = start + memchr::memchr(b'\n', &bytes[start..]).unwrap_or(bytes.len() - start);
    let mut field = 0;
    let mut field_start = start;
    for at in memchr::memchr_iter(b',', &bytes[start..end])
        .map(|i| start + i)
        .chain([end])
    {
        if let Some(span) = wanted.spans.get_mut(field) {
            *span = Span {
                start: field_start,
                end: at,
            };
        }
        field += 1;
        field_start = at + 1;
    }
    if field != layout.field_count {
        return Err(block.ragged(line, field));
    }
    for &f in layout.selections.iter().flatten() {
        let cell = &bytes[wanted.spans[f].start..wanted.spans[f].end];
        match parse_cell(cell) {
            Ok(x) => wanted.values[f] = x,
            Err(problem) => {
                return Err(invalid(format!(
                    "line {line} (sample {}), column `{}`: {}",
                    block.first_row() + row as u64,
                    layout.names[f],
                    problem.describe(cell)
                )))
            }
        }
    }
    Ok(end + 1)
}

/// Tests choose the route of the cells on their thread and count the cells
/// the wide route took; nothing outside tests.
#[cfg(test)]
pub(super) mod tests_route {
    use std::cell::Cell;

    thread_local! {
        static PORTABLE: Cell<bool> = const { Cell::new(false) };
        static TAKEN: Cell<usize> = const { Cell::new(0) };
    }

    /// Read the cells with `fast-float2` only (true) or as chosen (false).
    pub(in crate::io) fn set_portable(portable: bool) {
        PORTABLE.with(|p| p.set(portable));
    }

    pub(super) fn portable() -> bool {
        PORTABLE.with(Cell::get)
    }

    pub(super) fn count(taken: bool) {
        TAKEN.with(|t| t.set(t.get() + usize::from(taken)));
    }

    /// Cells the wide route took on this thread so far.
    pub(in crate::io) fn taken() -> usize {
        TAKEN.with(Cell::get)
    }
}

#[cfg(not(test))]
mod tests_route {
    #[inline(always)]
    pub(super) fn portable() -> bool {
        false
    }

    #[inline(always)]
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    pub(super) fn count(_taken: bool) {}
}
