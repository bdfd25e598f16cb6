//! A big file read through windows mapped into memory (`memmap2`) instead of
//! `read` calls: the blocks handed out are ranges of a window, so the text is
//! never copied (the kernel's copy into a buffer was 8–10 % of the CPU of
//! `eval --summary` on a 1e7-row CSV file). A window stays mapped while a
//! block of it is alive, then is unmapped: the file's pages count in the
//! process's resident memory only while mapped, so memory stays bounded by
//! a few windows whatever the size of the file.
//!
//! A mapped file must not change while it is read: the file is mapped
//! read-only and shared, so a file truncated meanwhile by another program
//! would stop the process (SIGBUS), and one rewritten in place would give
//! the new bytes. The size is taken when the file is opened; bytes appended
//! later are not read.

use std::fs::File;
use std::ops::Range;
use std::sync::Arc;

use memmap2::{Mmap, MmapOptions};

/// Bytes of a window (more when a block needs more).
const WINDOW_BYTES: usize = 4 << 20;

/// Map `len` bytes of `file` from `offset`, read-only. `populate` faults
/// the pages in here (on the reading thread), in one call instead of one
/// fault per few pages on the threads that parse them.
fn map_range(file: &File, offset: u64, len: usize) -> std::io::Result<Mmap> {
    // SAFETY: the mapping is read-only and its bytes are only read as
    // bytes; the module's doc says what a file changed meanwhile does.
    unsafe {
        MmapOptions::new()
            .offset(offset)
            .len(len)
            .populate()
            .map(file)
    }
}

/// Bytes handed out: a range of a mapped window, or a buffer of their own.
pub(super) enum Text {
    Owned(Vec<u8>),
    Mapped {
        window: Arc<Mmap>,
        range: Range<usize>,
    },
}

impl Text {
    pub(super) fn as_slice(&self) -> &[u8] {
        match self {
            Text::Owned(bytes) => bytes,
            Text::Mapped { window, range } => &window[range.clone()],
        }
    }
}

/// A file handed out in blocks of whole lines, from mapped windows.
pub(super) struct Windows {
    file: File,
    /// The file's size when opened: what is read.
    size: u64,
    /// The first byte not handed out yet.
    pos: u64,
    /// The current window and the file offset where it starts.
    window: Option<(u64, Arc<Mmap>)>,
}

impl Windows {
    /// Windows over `file` from byte `pos` to `size`; None if the file cannot
    /// be mapped (the caller then reads it with `read`).
    pub(super) fn new(file: &File, pos: u64, size: u64) -> Option<Windows> {
        let mut windows = Windows {
            file: file.try_clone().ok()?,
            size,
            pos,
            window: None,
        };
        if pos < size {
            windows.cover(1).ok()?;
        }
        Some(windows)
    }

    /// Bytes handed out so far (with those before `pos` at the start).
    pub(super) fn position(&self) -> u64 {
        self.pos
    }

    /// The window holding bytes `pos..pos + len` (or up to the end of the
    /// file), mapped anew if the current one does not.
    fn cover(&mut self, len: usize) -> std::io::Result<(u64, Arc<Mmap>)> {
        let end = self.pos.saturating_add(len as u64).min(self.size);
        if let Some((offset, map)) = &self.window {
            if *offset <= self.pos && offset + map.len() as u64 >= end {
                return Ok((*offset, Arc::clone(map)));
            }
        }
        let offset = self.pos;
        let len = (WINDOW_BYTES.max(len) as u64).min(self.size - offset);
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        let map = Arc::new(map_range(&self.file, offset, len)?);
        self.window = Some((offset, Arc::clone(&map)));
        Ok((offset, map))
    }

    /// The next whole lines within about `want` bytes (at least one line,
    /// however long), or None at the end of the file. A last line without
    /// its newline gets one (in a buffer of its own).
    pub(super) fn next_lines(&mut self, want: usize) -> std::io::Result<Option<Text>> {
        if self.pos >= self.size {
            return Ok(None);
        }
        let want = want.max(1);
        let mut need = want;
        loop {
            let (offset, window) = self.cover(need)?;
            let start = usize::try_from(self.pos - offset).unwrap_or(usize::MAX);
            let rest = &window[start..];
            let within = want.min(rest.len());
            let cut = memchr::memrchr(b'\n', &rest[..within])
                .or_else(|| memchr::memchr(b'\n', &rest[within..]).map(|p| within + p))
                .map(|p| p + 1);
            if let Some(cut) = cut {
                self.pos += cut as u64;
                let range = start..start + cut;
                return Ok(Some(Text::Mapped { window, range }));
            }
            if offset + window.len() as u64 >= self.size {
                let mut last = rest.to_vec();
                last.push(b'\n');
                self.pos = self.size;
                return Ok(Some(Text::Owned(last)));
            }
            // A line running past the window: a window twice as long.
            need = rest.len().saturating_mul(2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn blocks(content: &[u8], from: u64, want: usize) -> Vec<Vec<u8>> {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(content).unwrap();
        let mut windows = Windows::new(&file, from, content.len() as u64).unwrap();
        let mut out = Vec::new();
        while let Some(text) = windows.next_lines(want).unwrap() {
            out.push(text.as_slice().to_vec());
        }
        assert_eq!(windows.position(), content.len() as u64);
        out
    }

    #[test]
    fn cuts_whole_lines_within_the_share() {
        let got = blocks(b"h\n1,2\n3,4\n5,6\n", 2, 5);
        assert_eq!(
            got,
            [b"1,2\n".to_vec(), b"3,4\n".to_vec(), b"5,6\n".to_vec()]
        );
        let got = blocks(b"h\n1,2\n3,4\n5,6\n", 2, 9);
        assert_eq!(got, [b"1,2\n3,4\n".to_vec(), b"5,6\n".to_vec()]);
    }

    #[test]
    fn a_long_line_is_one_block_and_a_last_line_gets_its_newline() {
        let got = blocks(b"123456789\n1\n22", 0, 3);
        assert_eq!(
            got,
            [b"123456789\n".to_vec(), b"1\n".to_vec(), b"22\n".to_vec()]
        );
    }

    #[test]
    fn lines_longer_than_a_window_are_read_whole() {
        let long = vec![b'7'; WINDOW_BYTES + 10];
        let mut content = b"1\n".to_vec();
        content.extend_from_slice(&long);
        content.extend_from_slice(b"\n2\n");
        let got = blocks(&content, 0, 1);
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].len(), long.len() + 1);
        assert_eq!(got[2], b"2\n");
    }
}
