//! What `render` was given, as a list of scenario files: a folder stands
//! for every `*.toml` directly in it (not in its sub-folders, so a
//! `configs/` folder's `data/` or an `old/` folder of drafts is not rendered
//! by surprise), sorted by name so the order never depends on the file system.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::scenario;

/// Most scenarios one `render` takes: a budget checked before any work.
pub const MAX_SCENARIOS: usize = 10_000;

/// Every scenario file of `inputs`, in order: files as given, each folder's
/// `*.toml` files sorted by name.
pub fn scenario_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut configs = Vec::new();
    for input in inputs {
        if fs::metadata(input).is_ok_and(|m| m.is_dir()) {
            let found = folder_scenarios(input)?;
            if found.is_empty() {
                bail!("{} holds no scenario (*.toml) file", input.display());
            }
            configs.extend(found);
        } else {
            configs.push(input.clone());
        }
        if configs.len() > MAX_SCENARIOS {
            bail!(
                "more than {MAX_SCENARIOS} scenarios to render (with {}); render them in parts",
                input.display()
            );
        }
    }
    Ok(configs)
}

/// The `*.toml` files directly in `dir` (hidden ones skipped: editors' backups).
pub fn folder_scenarios(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let entries = fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let path = entry.path();
        if !name.starts_with('.') && name.ends_with(".toml") && path.is_file() {
            found.push(path);
        }
        if found.len() > MAX_SCENARIOS {
            bail!(
                "{} holds more than {MAX_SCENARIOS} scenarios; render them in parts",
                dir.display()
            );
        }
    }
    found.sort();
    Ok(found)
}

/// Two configs whose reports would land in one folder (`"a b.toml"` and
/// `a-b.toml`, or `x/r.toml` and `y/r.toml`): the second would replace the first.
pub fn refuse_shared_folders(configs: &[PathBuf]) -> Result<()> {
    let mut seen: BTreeMap<String, &Path> = BTreeMap::new();
    for config in configs {
        let folder = scenario::report_folder(config);
        if let Some(first) = seen.insert(folder.clone(), config) {
            if first == config.as_path() {
                bail!("{} is given twice", config.display());
            }
            bail!(
                "{} and {} would both be written to the report folder \"{folder}\"; \
                 rename one of them or render them into different --out folders",
                first.display(),
                config.display()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_gives_its_toml_files_sorted_and_not_its_sub_folders() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "b.toml",
            "a.toml",
            ".a.toml.swp",
            ".hidden.toml",
            "notes.md",
        ] {
            fs::write(dir.path().join(name), "").unwrap();
        }
        fs::create_dir(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join("sub/c.toml"), "").unwrap();
        fs::create_dir(dir.path().join("folder.toml")).unwrap();
        let extra = PathBuf::from("z.toml");
        let files = scenario_files(&[dir.path().to_path_buf(), extra.clone()]).unwrap();
        assert_eq!(
            files,
            vec![dir.path().join("a.toml"), dir.path().join("b.toml"), extra]
        );
    }

    #[test]
    fn a_folder_without_scenarios_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = scenario_files(&[dir.path().to_path_buf()]).unwrap_err();
        assert!(err.to_string().contains("holds no scenario"), "{err}");
    }

    #[test]
    fn a_file_given_twice_or_two_files_for_one_folder_are_refused() {
        let twice = [PathBuf::from("a.toml"), PathBuf::from("a.toml")];
        assert_eq!(
            refuse_shared_folders(&twice).unwrap_err().to_string(),
            "a.toml is given twice"
        );
        let shared = [PathBuf::from("x/r.toml"), PathBuf::from("y/r.toml")];
        assert!(refuse_shared_folders(&shared).is_err());
    }
}
