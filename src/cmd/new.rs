//! `losslab new`: write a commented starter scenario that renders as it is.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};

const STARTER: &str = include_str!("starter.toml");

/// The starter scenario for a file name and title.
pub fn starter(file: &str, title: &str) -> String {
    STARTER
        .replace("{{FILE}}", file)
        .replace("{{TITLE}}", &title.replace(['"', '\\'], ""))
}

/// Arguments of `losslab new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// Scenario name: writes NAME.toml (NAME may include a folder, as in
    /// `configs/lecture1`; a NAME ending in .toml is the file itself). The
    /// file name must be letters, digits, '_' and '-': it names the report folder.
    pub name: String,
}

pub fn run(args: &NewArgs) -> Result<()> {
    let name = args.name.as_str();
    // The path is quoted in the starter's comments, where a line break or
    // other control character would end the comment and break the TOML.
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        bail!(
            "{:?} is not a usable scenario name: it holds the control character {:?}",
            name,
            c
        );
    }
    let path = if name.ends_with(".toml") {
        PathBuf::from(name)
    } else {
        PathBuf::from(format!("{name}.toml"))
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    // The stem names the report folder too: the same rule as other output names.
    if !crate::scenario::is_safe_folder_name(&stem) {
        bail!(
            "\"{name}\" is not a usable scenario name: use letters, digits, '_' and '-', starting with a letter or digit (for example \"{}\")",
            crate::scenario::report_folder_name(&stem)
        );
    }
    let text = starter(&path.display().to_string(), &stem.replace(['_', '-'], " "));
    // The help advertises folders (`configs/lecture1`): make a missing one.
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create the folder {}", folder.display()))?;
    }
    // create_new: never overwrite someone's scenario.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| match path.exists() {
            true => format!("{} already exists; not overwriting it", path.display()),
            false => format!("cannot create {}", path.display()),
        })?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "wrote {}; render it with: losslab render {}",
        path.display(),
        path.display()
    );
    Ok(())
}
