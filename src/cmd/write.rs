//! The write stage: the only code that touches the output folder.
//!
//! A report is written into a hidden temporary folder inside DIR
//! (`.NAME.partial-<unique>`) and put in place only when it is complete, so
//! DIR never holds a half-written report and nothing is written outside DIR.
//!
//! Every report holds a marker file, [`MARKER_FILE`], with fixed content. A
//! folder is replaced, and a temporary folder cleaned up, only when it holds
//! that marker: a folder of the user's that happens to have the report's
//! name (`--out .` with a scenario called `src.toml`) is refused, never
//! deleted or moved.
//!
//! On Linux the finished report and the old one trade places in one atomic
//! `renameat2(RENAME_EXCHANGE)`, so a `kill -9` at any instant leaves either
//! the old report or the new one in place, never neither. Elsewhere (or on a
//! file system without that call) the old report is moved aside to
//! `.NAME.old-<unique>` first; the next render of that report moves it back
//! if the process died in between, and removes stale temporaries.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{bail, Context, Result};

use super::write_reuse::OldReport;

/// The marker file in every report folder.
pub const MARKER_FILE: &str = ".losslab-report";

/// The marker's content, checked byte for byte before a folder is replaced.
pub const MARKER_TEXT: &str = "This folder is a report written by losslab. \
`losslab render` replaces a folder holding this file, and no other.\n";

/// A finished report, every file as bytes or text, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFiles {
    /// The report folder's name (the scenario file's stem).
    pub stem: String,
    pub index_html: String,
    pub results_json: crate::export::ResultsJson,
    /// What the landing page shows of this report (read from the values
    /// `results_json` is printed from).
    pub digest: crate::export::ReportDigest,
    /// Figure name → SVG document.
    pub svgs: BTreeMap<String, String>,
    /// Figure name → PNG bytes.
    pub pngs: BTreeMap<String, Vec<u8>>,
    /// Table name → CSV text.
    pub tables: BTreeMap<String, String>,
    /// Per-sample tables of comparisons, written to `tables/` as CSV at
    /// full precision while being formatted (they can hold millions of rows).
    pub per_sample: Vec<std::sync::Arc<crate::compute::comparison::PerSampleTable>>,
    /// The failed checks, one line each (the report is written all the same).
    pub failed_checks: Vec<String>,
}

/// Write `files` to `out/<stem>/` atomically; returns the report folder.
pub fn write_report(out: &Path, files: &ReportFiles) -> Result<PathBuf> {
    let stem = &files.stem;
    // The last line of defence: a folder name that cannot leave `out`.
    if !crate::scenario::is_safe_folder_name(stem) {
        bail!("cannot name a report folder \"{stem}\"");
    }
    fs::create_dir_all(out)
        .with_context(|| format!("cannot create the output folder {}", out.display()))?;
    let target = out.join(stem);
    recover_and_clean(out, stem, &target)?;
    // Refuse before writing anything: a folder that is not a report stays as it is.
    let replacing = existing_report(&target)?;
    let temp = out.join(format!(".{stem}.partial-{}", unique_suffix()));
    fs::create_dir(&temp).with_context(|| format!("cannot create {}", temp.display()))?;
    let old = replacing.then_some(target.as_path());
    if let Err(err) = write_tree(&temp, files, old) {
        let _ = fs::remove_dir_all(&temp);
        return Err(err);
    }
    let swapped = if replacing {
        replace_report(out, &temp, &target, stem)
    } else {
        fs::rename(&temp, &target)
            .with_context(|| format!("cannot move the report into {}", target.display()))
    };
    if let Err(err) = swapped {
        let _ = fs::remove_dir_all(&temp);
        return Err(err);
    }
    Ok(target)
}

/// Whether `dir` is a losslab report: a real folder (not a link) holding the
/// marker file with exactly [`MARKER_TEXT`].
pub fn is_report(dir: &Path) -> bool {
    let is_real_dir = fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir());
    let marker = dir.join(MARKER_FILE);
    let marker_is_file = fs::symlink_metadata(&marker).is_ok_and(|m| m.is_file());
    is_real_dir
        && marker_is_file
        && fs::read(&marker).is_ok_and(|bytes| bytes == MARKER_TEXT.as_bytes())
}

/// Whether `target` is a report to replace (`false`: there is nothing there);
/// an error if something that is not a report is in the way.
fn existing_report(target: &Path) -> Result<bool> {
    match fs::symlink_metadata(target) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err).with_context(|| format!("cannot look at {}", target.display())),
        Ok(_) if is_report(target) => Ok(true),
        Ok(meta) if meta.is_dir() => bail!(
            "{} exists and is not a losslab report (it has no {MARKER_FILE} file); \
             refusing to replace it: move it away or choose another --out",
            target.display()
        ),
        Ok(_) => bail!(
            "{} exists and is not a report folder; refusing to replace it",
            target.display()
        ),
    }
}

/// A name part no other render (this process or another, even one reusing
/// this PID after a restart) picks: PID, clock and a counter.
fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}-{nanos}-{count}", std::process::id())
}

/// Undo what an interrupted render of `stem` left: if the report is missing
/// but an old one was moved aside, move it back; then remove the stale
/// temporaries of this report. Only folders with the marker are moved or
/// removed (an empty one, from a render killed before its marker was
/// written, is removed too: it holds nothing).
fn recover_and_clean(out: &Path, stem: &str, target: &Path) -> Result<()> {
    let partial = format!(".{stem}.partial-");
    let old = format!(".{stem}.old-");
    let mut leftovers: Vec<(PathBuf, bool)> = Vec::new();
    let entries = fs::read_dir(out).with_context(|| format!("cannot list {}", out.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&partial) || name.starts_with(&old) {
            leftovers.push((entry.path(), name.starts_with(&old)));
        }
    }
    // Sorted, so which old report is recovered never depends on listing order.
    leftovers.sort();
    let target_missing =
        fs::symlink_metadata(target).is_err_and(|e| e.kind() == io::ErrorKind::NotFound);
    if target_missing {
        if let Some((aside, _)) = leftovers
            .iter()
            .rev()
            .find(|(path, is_old)| *is_old && is_report(path))
        {
            fs::rename(aside, target).with_context(|| {
                format!(
                    "cannot move the old report {} back to {}",
                    aside.display(),
                    target.display()
                )
            })?;
        }
    }
    for (path, _) in &leftovers {
        if is_report(path) {
            fs::remove_dir_all(path)
                .with_context(|| format!("cannot remove the stale {}", path.display()))?;
        } else {
            // Only succeeds on an empty folder; anything else is left alone.
            let _ = fs::remove_dir(path);
        }
    }
    Ok(())
}

/// Write every file of `files` into the new folder `root`; the files of the
/// report at `old` (the one `root` replaces) that hold the same bytes are
/// linked instead (see [`OldReport`]).
fn write_tree(root: &Path, files: &ReportFiles, old: Option<&Path>) -> Result<()> {
    // The marker first: a temporary folder left by a crash is then recognisably ours.
    let marker = root.join(MARKER_FILE);
    fs::write(&marker, MARKER_TEXT.as_bytes())
        .with_context(|| format!("cannot write {}", marker.display()))?;
    for folder in ["", "figures", "tables"] {
        let path = root.join(folder);
        fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
    }
    let mut old = old.and_then(|old| OldReport::open(old, &marker));
    // Each file: linked from the old report if it holds these `len` bytes,
    // else written from `content` (streamed, never one big string).
    let mut put = |relative: &str,
                   len: usize,
                   content: &dyn Fn(&mut dyn io::Write) -> io::Result<()>|
     -> Result<()> {
        let path = root.join(relative);
        let same = |out: &mut dyn io::Write| content(out);
        if old
            .as_mut()
            .is_some_and(|old| old.link_if_same(relative, &path, len, same))
        {
            return Ok(());
        }
        let written = fs::File::create(&path).and_then(|file| {
            let mut out = io::BufWriter::with_capacity(1 << 16, file);
            content(&mut out)?;
            io::Write::flush(&mut out)
        });
        written.with_context(|| format!("cannot write {}", path.display()))
    };
    let json = &files.results_json;
    put("results.json", json.len(), &|mut out| {
        json.write_to(&mut out)
    })?;
    let mut write = |relative: &str, bytes: &[u8]| -> Result<()> {
        put(relative, bytes.len(), &|out| out.write_all(bytes))
    };
    write("index.html", files.index_html.as_bytes())?;
    // Names were checked against [a-z0-9][a-z0-9_-]* at validation; check
    // again here, the last line of defence before a path is built.
    for (name, svg) in &files.svgs {
        write(&format!("figures/{}.svg", safe(name)?), svg.as_bytes())?;
    }
    for (name, png) in &files.pngs {
        write(&format!("figures/{}.png", safe(name)?), png)?;
    }
    for (name, csv) in &files.tables {
        write(&format!("tables/{}.csv", safe(name)?), csv.as_bytes())?;
    }
    for table in &files.per_sample {
        let path = root.join(format!("tables/{}.csv", safe(&table.name)?));
        let file =
            fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
        crate::export::per_sample_csv(table, io::BufWriter::new(file))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn safe(name: &str) -> Result<&str> {
    if crate::scenario::is_safe_name(name) {
        Ok(name)
    } else {
        bail!("refusing to write a file named \"{name}\"")
    }
}

/// Put the complete report `temp` in the place of the old report `target`.
fn replace_report(out: &Path, temp: &Path, target: &Path, stem: &str) -> Result<()> {
    match exchange(temp, target) {
        // `temp` now holds what was at `target`: checked again, in case it
        // was swapped for something else since it was first looked at.
        Ok(()) if is_report(temp) => {
            return fs::remove_dir_all(temp)
                .with_context(|| format!("cannot remove the old report {}", temp.display()));
        }
        Ok(()) => {
            let _ = exchange(temp, target);
            bail!(
                "{} changed while the report was written and is no longer a losslab report; left as it is",
                target.display()
            );
        }
        Err(err) if !exchange_unsupported(&err) => {
            return Err(err)
                .with_context(|| format!("cannot move the report into {}", target.display()))
        }
        Err(_) => {}
    }
    replace_by_two_renames(out, temp, target, stem)
}

/// Where the file system cannot exchange: move the old report aside, move
/// the new one in, remove the old; a crash between the two renames is
/// repaired by the next render's `recover_and_clean`.
fn replace_by_two_renames(out: &Path, temp: &Path, target: &Path, stem: &str) -> Result<()> {
    let old = out.join(format!(".{stem}.old-{}", unique_suffix()));
    fs::rename(target, &old)
        .with_context(|| format!("cannot move the old report {} aside", target.display()))?;
    if !is_report(&old) {
        let _ = fs::rename(&old, target);
        bail!(
            "{} changed while the report was written and is no longer a losslab report; left as it is",
            target.display()
        );
    }
    if let Err(err) = fs::rename(temp, target) {
        // Put the old report back rather than leave nothing.
        let _ = fs::rename(&old, target);
        return Err(err)
            .with_context(|| format!("cannot move the report into {}", target.display()));
    }
    fs::remove_dir_all(&old)
        .with_context(|| format!("cannot remove the old report {}", old.display()))
}

/// Swap two folders in one step (Linux 3.15+, most local file systems).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// The errors by which a kernel or file system says it cannot exchange.
fn exchange_unsupported(err: &io::Error) -> bool {
    const EINVAL: i32 = 22;
    const ENOSYS: i32 = 38;
    const EOPNOTSUPP: i32 = 95;
    err.kind() == io::ErrorKind::Unsupported
        || matches!(err.raw_os_error(), Some(EINVAL | ENOSYS | EOPNOTSUPP))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(stem: &str) -> ReportFiles {
        ReportFiles {
            stem: stem.into(),
            index_html: "<html></html>".into(),
            results_json: r#"{"title": "t"}"#.into(),
            digest: crate::export::ReportDigest::from_results_json(r#"{"title": "t"}"#).unwrap(),
            svgs: BTreeMap::from([("fig".to_string(), "<svg/>".to_string())]),
            pngs: BTreeMap::from([("fig".to_string(), vec![1, 2, 3])]),
            tables: BTreeMap::from([("t".to_string(), "a,b\n".to_string())]),
            per_sample: Vec::new(),
            failed_checks: Vec::new(),
        }
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_and_replaces() {
        let out = tempfile::tempdir().unwrap();
        let dir = write_report(out.path(), &files("r")).unwrap();
        assert!(dir.join("figures/fig.svg").is_file());
        fs::write(dir.join("stale.txt"), "old").unwrap();
        write_report(out.path(), &files("r")).unwrap();
        assert!(!dir.join("stale.txt").exists());
        assert_eq!(listing(out.path()), vec!["r"]);
    }

    #[test]
    fn a_bad_name_leaves_nothing() {
        let out = tempfile::tempdir().unwrap();
        let mut bad = files("r");
        bad.tables.insert("../evil".into(), "x".into());
        assert!(write_report(out.path(), &bad).is_err());
        assert!(listing(out.path()).is_empty());
        assert!(!out.path().parent().unwrap().join("evil.csv").exists());
    }

    #[test]
    fn every_report_holds_the_marker() {
        let out = tempfile::tempdir().unwrap();
        let dir = write_report(out.path(), &files("r")).unwrap();
        assert_eq!(
            fs::read_to_string(dir.join(MARKER_FILE)).unwrap(),
            MARKER_TEXT
        );
        assert!(is_report(&dir));
    }

    /// `mkdir -p out/m && echo x > out/m/thesis.tex && render m.toml --out out`
    /// deleted thesis.tex.
    #[test]
    fn a_folder_that_is_not_a_report_is_never_replaced() {
        let out = tempfile::tempdir().unwrap();
        let mine = out.path().join("m");
        fs::create_dir(&mine).unwrap();
        fs::write(mine.join("thesis.tex"), "x").unwrap();
        let err = format!("{:#}", write_report(out.path(), &files("m")).unwrap_err());
        assert!(err.contains("is not a losslab report"), "{err}");
        assert!(err.contains(&mine.display().to_string()), "{err}");
        assert_eq!(fs::read_to_string(mine.join("thesis.tex")).unwrap(), "x");
        assert_eq!(listing(out.path()), vec!["m"]);
        // A marker with other content is not the marker.
        fs::write(mine.join(MARKER_FILE), "something else").unwrap();
        assert!(write_report(out.path(), &files("m")).is_err());
        assert_eq!(fs::read_to_string(mine.join("thesis.tex")).unwrap(), "x");
        // Nor is a plain file of that name replaced.
        fs::write(out.path().join("f"), "data").unwrap();
        assert!(write_report(out.path(), &files("f")).is_err());
        assert_eq!(fs::read_to_string(out.path().join("f")).unwrap(), "data");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_report_is_not_followed() {
        let out = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let report = write_report(elsewhere.path(), &files("r")).unwrap();
        std::os::unix::fs::symlink(&report, out.path().join("r")).unwrap();
        assert!(write_report(out.path(), &files("r")).is_err());
        assert!(is_report(&report));
    }

    /// What a `kill -9` can leave: the report moved aside (fallback path),
    /// a finished and an unfinished temporary, an empty one. The next render
    /// recovers and cleans; a user's folder with a look-alike name stays.
    #[test]
    fn leftovers_of_an_interrupted_render_are_recovered_and_cleaned() {
        let out = tempfile::tempdir().unwrap();
        let first = write_report(out.path(), &files("r")).unwrap();
        fs::write(first.join("old.txt"), "old").unwrap();
        fs::rename(&first, out.path().join(".r.old-7-1-0")).unwrap();
        let partial = write_report(out.path(), &files("p")).unwrap();
        fs::rename(&partial, out.path().join(".r.partial-7-2-0")).unwrap();
        fs::create_dir(out.path().join(".r.partial-7-3-0")).unwrap();
        let foreign = out.path().join(".r.partial-mine");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("notes.txt"), "keep").unwrap();

        recover_and_clean(out.path(), "r", &out.path().join("r")).unwrap();
        assert_eq!(listing(out.path()), vec![".r.partial-mine", "r"]);
        assert_eq!(fs::read_to_string(first.join("old.txt")).unwrap(), "old");

        write_report(out.path(), &files("r")).unwrap();
        assert_eq!(listing(out.path()), vec![".r.partial-mine", "r"]);
        assert!(!first.join("old.txt").exists());
        assert_eq!(
            fs::read_to_string(foreign.join("notes.txt")).unwrap(),
            "keep"
        );
    }

    /// Temporaries of the same PID (usual in containers) no longer collide.
    #[test]
    fn temporary_names_are_unique() {
        assert_ne!(unique_suffix(), unique_suffix());
    }

    #[test]
    fn the_fallback_without_exchange_replaces_a_report_too() {
        let out = tempfile::tempdir().unwrap();
        let target = write_report(out.path(), &files("r")).unwrap();
        fs::write(target.join("old.txt"), "old").unwrap();
        let temp = out.path().join(".r.partial-test");
        fs::create_dir(&temp).unwrap();
        write_tree(&temp, &files("r"), None).unwrap();
        replace_by_two_renames(out.path(), &temp, &target, "r").unwrap();
        assert!(is_report(&target) && !target.join("old.txt").exists());
        assert_eq!(listing(out.path()), vec!["r"]);
        // A folder that is not a report is put back, not removed.
        fs::remove_file(target.join(MARKER_FILE)).unwrap();
        fs::create_dir(&temp).unwrap();
        write_tree(&temp, &files("r"), None).unwrap();
        assert!(replace_by_two_renames(out.path(), &temp, &target, "r").is_err());
        assert!(target.join("index.html").is_file() && !is_report(&target));
    }
}
