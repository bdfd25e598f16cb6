//! The write stage of a batch's own files: `index.html`, `summary.csv` and
//! `summary.json` beside the reports in the output folder.
//!
//! These are plain files, so they cannot carry a marker of their own as a
//! report folder does, and a user's `index.html` in the output folder must
//! never be replaced. The folder's [`LANDING_MARKER`] file lists each file
//! losslab wrote there with the length and CRC-32 of its content; a file is
//! replaced only if it is absent, or its content is one the marker lists (so
//! a file the user wrote, or edited since, is refused, never overwritten).
//!
//! Every file is written to a temporary file in the folder and renamed into
//! place. The marker is rewritten first listing both the old and the new
//! content of each file, then the files are renamed, then the marker lists
//! only the new content: a crash at any moment leaves every file in a state
//! the marker accepts, so the next render is never refused by its own files.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{bail, Context, Result};

/// The file listing what losslab wrote beside the reports.
pub const LANDING_MARKER: &str = ".losslab-landing";

/// The marker's first line, checked before anything of the marker is trusted.
const MARKER_HEADER: &str = "losslab landing files: `losslab render` replaces a file \
listed here only while its length and CRC-32 are one of those listed for it.";

/// The landing page and summaries of a batch, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct LandingFiles {
    pub index_html: String,
    pub summary_csv: String,
    pub summary_json: String,
}

/// A file's fingerprint: its length and CRC-32.
type Fingerprint = (u64, u32);

fn fingerprint(bytes: &[u8]) -> Fingerprint {
    (bytes.len() as u64, crc32fast::hash(bytes))
}

/// Write the landing files into `out`, refusing (before writing anything) if
/// one of them exists and is not losslab's.
pub fn write_landing(out: &Path, files: &LandingFiles) -> Result<()> {
    let new: [(&str, &[u8]); 3] = [
        ("index.html", files.index_html.as_bytes()),
        ("summary.csv", files.summary_csv.as_bytes()),
        ("summary.json", files.summary_json.as_bytes()),
    ];
    fs::create_dir_all(out)
        .with_context(|| format!("cannot create the output folder {}", out.display()))?;
    let marker = out.join(LANDING_MARKER);
    let listed = read_marker(&marker)?;
    let mut transition: BTreeMap<String, BTreeSet<Fingerprint>> = BTreeMap::new();
    for (name, bytes) in new {
        let path = out.join(name);
        let allowed = transition.entry(name.to_string()).or_default();
        if let Some(current) = current_fingerprint(&path)? {
            if !listed.get(name).is_some_and(|set| set.contains(&current)) {
                bail!(
                    "{} exists and was not written by losslab (or was changed since); \
                     refusing to replace it: move it away or choose another --out",
                    path.display()
                );
            }
            allowed.insert(current);
        }
        allowed.insert(fingerprint(bytes));
    }
    write_atomically(out, LANDING_MARKER, marker_text(&transition).as_bytes())?;
    for (name, bytes) in new {
        write_atomically(out, name, bytes)?;
    }
    let done = new
        .iter()
        .map(|(name, bytes)| (name.to_string(), BTreeSet::from([fingerprint(bytes)])))
        .collect();
    write_atomically(out, LANDING_MARKER, marker_text(&done).as_bytes())
}

/// The fingerprint of the file at `path`, `None` if there is nothing there;
/// an error if something other than a regular file is in the way.
fn current_fingerprint(path: &Path) -> Result<Option<Fingerprint>> {
    match fs::symlink_metadata(path) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err).with_context(|| format!("cannot look at {}", path.display())),
        Ok(meta) if meta.is_file() => {
            let bytes =
                fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            Ok(Some(fingerprint(&bytes)))
        }
        Ok(_) => bail!(
            "{} exists and is not a file losslab wrote; refusing to replace it",
            path.display()
        ),
    }
}

/// The fingerprints the marker lists, by file name; none if there is no marker.
fn read_marker(marker: &Path) -> Result<BTreeMap<String, BTreeSet<Fingerprint>>> {
    let text = match fs::symlink_metadata(marker) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(err) => {
            return Err(err).with_context(|| format!("cannot look at {}", marker.display()))
        }
        Ok(meta) if meta.is_file() && meta.len() < 64 * 1024 => fs::read_to_string(marker)
            .with_context(|| format!("cannot read {}", marker.display()))?,
        Ok(_) => bail!("{} is not a losslab marker file", marker.display()),
    };
    let mut lines = text.lines();
    if lines.next() != Some(MARKER_HEADER) {
        bail!(
            "{} exists and was not written by losslab; refusing to write beside it",
            marker.display()
        );
    }
    let mut listed: BTreeMap<String, BTreeSet<Fingerprint>> = BTreeMap::new();
    for line in lines {
        let fields: Vec<&str> = line.split(' ').collect();
        let parsed = match fields.as_slice() {
            [name, len, crc] => len
                .parse::<u64>()
                .ok()
                .zip(u32::from_str_radix(crc, 16).ok())
                .map(|print| (*name, print)),
            _ => None,
        };
        let Some((name, print)) = parsed else {
            bail!("{}: cannot read the line \"{line}\"", marker.display());
        };
        listed.entry(name.to_string()).or_default().insert(print);
    }
    Ok(listed)
}

fn marker_text(listed: &BTreeMap<String, BTreeSet<Fingerprint>>) -> String {
    let mut text = format!("{MARKER_HEADER}\n");
    for (name, prints) in listed {
        for (len, crc) in prints {
            text.push_str(&format!("{name} {len} {crc:08x}\n"));
        }
    }
    text
}

/// Write `bytes` to `out/name` through a temporary file renamed into place,
/// so a reader (or a crash) sees the old file or the new one, never half.
fn write_atomically(out: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let target = out.join(name);
    let temp = out.join(format!(".{name}.partial-{}", unique_suffix()));
    let written = fs::write(&temp, bytes)
        .with_context(|| format!("cannot write {}", temp.display()))
        .and_then(|()| {
            fs::rename(&temp, &target)
                .with_context(|| format!("cannot move {} into place", target.display()))
        });
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

/// A temporary name no other writer picks: PID, clock and a counter.
fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}-{nanos}-{count}", std::process::id())
}

#[cfg(test)]
#[path = "batch_write_tests.rs"]
mod tests;
