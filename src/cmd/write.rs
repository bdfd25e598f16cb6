//! The write stage: the only code that touches the output folder.
//!
//! A report is written into a hidden temporary folder inside DIR and renamed
//! into place at the end, replacing an older report of the same name; if
//! anything fails the temporary folder is removed, so DIR never holds a
//! half-written report, and nothing is ever written outside DIR.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// A finished report, every file as bytes or text, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFiles {
    /// The report folder's name (the scenario file's stem).
    pub stem: String,
    pub index_html: String,
    pub results_json: String,
    /// Figure name → SVG document.
    pub svgs: BTreeMap<String, String>,
    /// Figure name → PNG bytes.
    pub pngs: BTreeMap<String, Vec<u8>>,
    /// Table name → CSV text.
    pub tables: BTreeMap<String, String>,
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
    let temp = out.join(format!(".{stem}.partial-{}", std::process::id()));
    if temp.exists() {
        fs::remove_dir_all(&temp).with_context(|| format!("cannot remove {}", temp.display()))?;
    }
    if let Err(err) = write_tree(&temp, files) {
        let _ = fs::remove_dir_all(&temp);
        return Err(err);
    }
    if let Err(err) = swap_into_place(out, &temp, &target, stem) {
        let _ = fs::remove_dir_all(&temp);
        return Err(err);
    }
    Ok(target)
}

fn write_tree(root: &Path, files: &ReportFiles) -> Result<()> {
    let write = |relative: &str, bytes: &[u8]| -> Result<()> {
        let path = root.join(relative);
        fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
    };
    for folder in ["", "figures", "tables"] {
        let path = root.join(folder);
        fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
    }
    write("index.html", files.index_html.as_bytes())?;
    write("results.json", files.results_json.as_bytes())?;
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
    Ok(())
}

fn safe(name: &str) -> Result<&str> {
    if crate::scenario::is_safe_name(name) {
        Ok(name)
    } else {
        bail!("refusing to write a file named \"{name}\"")
    }
}

/// Replace `target` by `temp`: move an old report aside, rename, then delete the old one.
fn swap_into_place(out: &Path, temp: &Path, target: &Path, stem: &str) -> Result<()> {
    if !target.exists() {
        return fs::rename(temp, target)
            .with_context(|| format!("cannot move the report into {}", target.display()));
    }
    if !target.is_dir() {
        bail!("{} exists and is not a report folder", target.display());
    }
    let old = out.join(format!(".{stem}.old-{}", std::process::id()));
    fs::rename(target, &old)
        .with_context(|| format!("cannot move the old report {} aside", target.display()))?;
    if let Err(err) = fs::rename(temp, target) {
        // Put the old report back rather than leave nothing.
        let _ = fs::rename(&old, target);
        return Err(err)
            .with_context(|| format!("cannot move the report into {}", target.display()));
    }
    fs::remove_dir_all(&old)
        .with_context(|| format!("cannot remove the old report {}", old.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(stem: &str) -> ReportFiles {
        ReportFiles {
            stem: stem.into(),
            index_html: "<html></html>".into(),
            results_json: "{}".into(),
            svgs: BTreeMap::from([("fig".to_string(), "<svg/>".to_string())]),
            pngs: BTreeMap::from([("fig".to_string(), vec![1, 2, 3])]),
            tables: BTreeMap::from([("t".to_string(), "a,b\n".to_string())]),
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
}
