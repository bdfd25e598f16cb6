//! Reading a user's file safely: only regular files, and what is read into
//! memory whole is capped.
//!
//! `/dev/zero`, `/dev/urandom`, a FIFO or a folder given where a file is
//! expected would otherwise be read until memory runs out (or block for
//! ever). Scenario files, `eval`'s `@file` JSON and templates are read whole,
//! so they have a size limit; data files streamed row by row only need to be
//! regular files.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Most bytes read whole into memory from one scenario, template or `@file`
/// JSON file (16 MiB; the largest shipped scenario is a few KiB).
pub const MAX_IN_MEMORY_BYTES: u64 = 16 * 1024 * 1024;

/// Open `path` for reading if it is a regular file (or a symlink to one).
///
/// Checked before opening, since opening a FIFO blocks, and again on the open
/// file, in case the path was swapped in between.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let not_regular = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a device, pipe, socket or folder cannot be read as one)",
        )
    };
    if !std::fs::metadata(path)?.is_file() {
        return Err(not_regular());
    }
    let file = File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(not_regular());
    }
    Ok(file)
}

/// Read a regular file of at most `limit` bytes as UTF-8 text.
pub fn read_text(path: &Path, limit: u64) -> io::Result<String> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    // One byte more than allowed tells "exactly at the limit" from "over it".
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "larger than the limit of {} MiB ({limit} bytes) for a file read whole",
                limit / (1024 * 1024)
            ),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not valid UTF-8 text"))
}

/// A data file (`eval`'s `@file`) as text: JSON, which is parsed whole, is
/// held to [`MAX_IN_MEMORY_BYTES`]; CSV and lists are not capped (big data
/// files are the point of CSV), but must still be regular files.
pub fn read_data_text(path: &Path) -> io::Result<String> {
    let mut file = open_regular(path)?;
    let mut bytes = Vec::new();
    (&mut file)
        .take(MAX_IN_MEMORY_BYTES.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_IN_MEMORY_BYTES {
        let start = bytes
            .strip_prefix("\u{feff}".as_bytes())
            .unwrap_or(&bytes)
            .iter()
            .find(|b| !b.is_ascii_whitespace());
        if start == Some(&b'[') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "a JSON file larger than the limit of {} MiB ({MAX_IN_MEMORY_BYTES} bytes); give large data as CSV",
                    MAX_IN_MEMORY_BYTES / (1024 * 1024)
                ),
            ));
        }
        file.read_to_end(&mut bytes)?;
    }
    String::from_utf8(bytes)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not valid UTF-8 text"))
}

/// [`read_text`] with [`MAX_IN_MEMORY_BYTES`].
pub fn read_capped(path: &Path) -> io::Result<String> {
    read_text(path, MAX_IN_MEMORY_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_folders_are_refused() {
        for path in ["/dev/zero", "/dev/urandom", "."] {
            let path = Path::new(path);
            if path.exists() {
                let err = read_capped(path).unwrap_err();
                assert!(err.to_string().starts_with("not a regular file"), "{err}");
                assert!(open_regular(path).is_err());
            }
        }
    }

    #[test]
    fn files_over_the_limit_are_refused_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.txt");
        std::fs::write(&path, "abcd").unwrap();
        assert_eq!(read_text(&path, 4).unwrap(), "abcd");
        let err = read_text(&path, 3).unwrap_err().to_string();
        assert!(err.contains("limit") && err.contains("3 bytes"), "{err}");
    }

    #[test]
    fn a_symlink_to_a_regular_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.txt");
        std::fs::write(&path, "hi").unwrap();
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&path, &link).unwrap();
            assert_eq!(read_capped(&link).unwrap(), "hi");
        }
    }

    #[test]
    fn big_json_data_is_refused_and_big_csv_read() {
        let dir = tempfile::tempdir().unwrap();
        let size = MAX_IN_MEMORY_BYTES as usize + 10;
        let json = dir.path().join("big.json");
        let mut text = String::with_capacity(size);
        text.push_str("\u{feff} [");
        text.push_str(&"1,".repeat(size / 2));
        text.push_str("1]");
        std::fs::write(&json, &text).unwrap();
        let err = read_data_text(&json).unwrap_err().to_string();
        assert!(
            err.contains("JSON file larger than the limit of 16 MiB"),
            "{err}"
        );
        let csv = dir.path().join("big.csv");
        std::fs::write(&csv, "1\n".repeat(size / 2)).unwrap();
        assert_eq!(read_data_text(&csv).unwrap().len(), size / 2 * 2);
    }
}
