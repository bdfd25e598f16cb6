//! `losslab render --watch`: render everything once, then render again what
//! each change affects, until interrupted; for an author with a report open
//! in a browser.
//!
//! What a scenario depends on is its config file and every file the config
//! names (any string value that is the path of an existing file, relative to
//! the config's folder: CSV, Parquet, `.npy` alike, whatever key names it).
//! A change to a template renders every scenario; a new `*.toml` in a folder
//! given on the command line is rendered; a removed one leaves the landing page.
//! Folders are watched, not files, so an editor that saves by writing a new
//! file and renaming it over the old one is seen too. Changes come through
//! the `notify` crate, debounced (`notify-debouncer-full`) so one save
//! renders once; reading a file is not a change.
//!
//! A bad edit never ends the watch: its error is printed and the next change
//! is awaited, and the last good report stays in place.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result};
use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

use super::batch::{render_many, summarise, write_batch_files, Batch, Outcome};
use super::render_build::load_templates;
use super::render_inputs::{refuse_shared_folders, scenario_files};
use crate::report::Templates;

/// How long the files must be quiet before a render: one save often comes as
/// several events (write, chmod, rename), sometimes spread over a few ms.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// The longest string of a config taken for a file name.
const MAX_PATH_CHARS: usize = 4096;

/// What to watch and where to write.
pub struct WatchOptions<'a> {
    /// Scenario files and folders, as given on the command line.
    pub inputs: &'a [PathBuf],
    pub out: &'a Path,
    /// The folder of templates overriding the embedded ones.
    pub templates: Option<&'a Path>,
}

/// Watch until interrupted: returns only if watching cannot start or stops.
pub fn run(args: &WatchOptions, pool: &rayon::ThreadPool) -> Result<std::convert::Infallible> {
    let (sender, events) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer =
        new_debouncer(DEBOUNCE, None, sender).context("cannot watch for changes")?;
    let mut state = WatchState::new(args);
    state.round(pool, None);
    eprintln!("watching for changes (Ctrl-C to stop)");
    loop {
        state.update_watches(&mut debouncer);
        match events.recv() {
            Ok(Ok(changes)) => {
                // Reading a file is an event too (inotify's open): rendering
                // reads every config, and must not trigger the next render.
                let paths: Vec<PathBuf> = changes
                    .into_iter()
                    .filter(|change| !change.event.kind.is_access())
                    .flat_map(|change| change.event.paths)
                    .collect();
                if !paths.is_empty() {
                    state.round(pool, Some(&paths));
                }
            }
            Ok(Err(errors)) => {
                for err in errors {
                    eprintln!("error: watching for changes: {err}");
                }
            }
            Err(_) => anyhow::bail!("the file watcher stopped"),
        }
    }
}

/// What the watch knows between rounds.
struct WatchState<'a> {
    args: &'a WatchOptions<'a>,
    /// `None` while the templates do not compile: nothing renders until they do.
    templates: Option<Templates>,
    /// The scenarios of the last round that could be listed, in order.
    configs: Vec<PathBuf>,
    /// Each scenario's files (itself included), as absolute paths.
    dependencies: BTreeMap<PathBuf, BTreeSet<PathBuf>>,
    /// Each scenario's latest outcome, for the landing page.
    outcomes: BTreeMap<PathBuf, Outcome>,
    /// The folders watched, and how.
    watched: BTreeMap<PathBuf, RecursiveMode>,
}

impl<'a> WatchState<'a> {
    fn new(args: &'a WatchOptions<'a>) -> WatchState<'a> {
        WatchState {
            args,
            templates: None,
            configs: Vec::new(),
            dependencies: BTreeMap::new(),
            outcomes: BTreeMap::new(),
            watched: BTreeMap::new(),
        }
    }

    /// Render what `changed` affects (everything when `None`), then the landing page.
    fn round(&mut self, pool: &rayon::ThreadPool, changed: Option<&[PathBuf]>) {
        let changed: Option<BTreeSet<PathBuf>> =
            changed.map(|paths| paths.iter().map(|p| absolute(p)).collect());
        let templates_changed = match (&changed, &self.args.templates) {
            (None, _) => true,
            (Some(paths), Some(dir)) => {
                let dir = absolute(dir);
                paths.iter().any(|p| p.starts_with(&dir))
            }
            (Some(_), None) => false,
        };
        if templates_changed || self.templates.is_none() {
            match load_templates(self.args.templates) {
                Ok(templates) => self.templates = Some(templates),
                Err(err) => {
                    eprintln!("error: {err:#}");
                    self.templates = None;
                    return;
                }
            }
        }
        let configs = match scenario_files(self.args.inputs)
            .and_then(|configs| refuse_shared_folders(&configs).map(|()| configs))
        {
            Ok(configs) => configs,
            Err(err) => {
                eprintln!("error: {err:#}");
                return;
            }
        };
        let to_render: Vec<PathBuf> = configs
            .iter()
            .filter(|config| match (&changed, self.dependencies.get(*config)) {
                (Some(paths), Some(files)) if !templates_changed => {
                    files.iter().any(|f| paths.contains(f))
                }
                _ => true,
            })
            .cloned()
            .collect();
        let list_changed = configs != self.configs;
        self.configs = configs;
        self.outcomes
            .retain(|config, _| self.configs.contains(config));
        self.dependencies
            .retain(|config, _| self.configs.contains(config));
        if to_render.is_empty() && !list_changed {
            return;
        }
        let Some(templates) = &self.templates else {
            return;
        };
        let batch = Batch {
            out: self.args.out,
            templates,
            pool,
        };
        for outcome in render_many(&to_render, &batch, true) {
            self.dependencies
                .insert(outcome.config.clone(), dependencies(&outcome.config));
            self.outcomes.insert(outcome.config.clone(), outcome);
        }
        if self.configs.len() > 1 {
            let summary = summarise(self.configs.iter().filter_map(|c| self.outcomes.get(c)));
            if let Err(err) = write_batch_files(self.args.out, &summary, templates) {
                eprintln!("error: {err:#}");
            }
        }
    }

    /// Watch the folders that hold the files of every scenario, the folders
    /// given on the command line and the templates folder.
    fn update_watches(&mut self, watcher: &mut Debouncer<RecommendedWatcher, RecommendedCache>) {
        let mut wanted: BTreeMap<PathBuf, RecursiveMode> = BTreeMap::new();
        for files in self.dependencies.values() {
            for file in files {
                if let Some(parent) = file.parent() {
                    wanted.insert(parent.to_path_buf(), RecursiveMode::NonRecursive);
                }
            }
        }
        for input in self.args.inputs {
            let path = absolute(input);
            let folder = if path.is_dir() {
                Some(path.as_path())
            } else {
                path.parent()
            };
            if let Some(folder) = folder {
                wanted.insert(folder.to_path_buf(), RecursiveMode::NonRecursive);
            }
        }
        if let Some(dir) = self.args.templates {
            wanted.insert(absolute(dir), RecursiveMode::Recursive);
        }
        for (dir, mode) in &self.watched {
            if wanted.get(dir) != Some(mode) {
                let _ = watcher.unwatch(dir);
            }
        }
        self.watched
            .retain(|dir, mode| wanted.get(dir) == Some(mode));
        for (dir, mode) in wanted {
            if self.watched.contains_key(&dir) {
                continue;
            }
            match watcher.watch(&dir, mode) {
                Ok(()) => {
                    self.watched.insert(dir, mode);
                }
                Err(err) => eprintln!("error: cannot watch {}: {err}", dir.display()),
            }
        }
    }
}

/// The config itself and every existing file a string value of it names.
/// A config that cannot be read or parsed depends on itself only (its next
/// good edit is seen; its files will be found then).
fn dependencies(config: &Path) -> BTreeSet<PathBuf> {
    let mut files = BTreeSet::from([absolute(config)]);
    let Ok(text) = crate::read_limits::read_capped(config) else {
        return files;
    };
    let Ok(value) = text.parse::<toml::Table>() else {
        return files;
    };
    let base = config.parent().unwrap_or(Path::new(""));
    let value = toml::Value::Table(value);
    let mut strings = Vec::new();
    collect_strings(&value, &mut strings);
    for text in strings {
        if text.is_empty() || text.len() > MAX_PATH_CHARS || text.contains('\n') {
            continue;
        }
        let path = base.join(text);
        if path.is_file() {
            files.insert(absolute(&path));
        }
    }
    files
}

fn collect_strings<'v>(value: &'v toml::Value, out: &mut Vec<&'v str>) {
    match value {
        toml::Value::String(s) => out.push(s),
        toml::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        toml::Value::Table(table) => table.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

/// `path` as the watcher reports it: absolute, with its folder's links
/// resolved (the file itself may be gone for a moment while an editor saves).
fn absolute(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    let folder = parent.map_or_else(|| Path::new(".").canonicalize(), Path::canonicalize);
    match (folder, path.file_name()) {
        (Ok(folder), Some(name)) => folder.join(name),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_depends_on_the_files_it_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        std::fs::write(dir.path().join("data/y.csv"), "y\n1\n").unwrap();
        std::fs::write(dir.path().join("p.npy"), "").unwrap();
        let config = dir.path().join("s.toml");
        std::fs::write(
            &config,
            "[metadata]\ntitle = \"data\"\n[[datasets]]\nname = \"y\"\ncsv = \"data/y.csv\"\n\
             [[datasets]]\nname = \"p\"\nfile = \"p.npy\"\nlabel = \"missing.csv\"\n",
        )
        .unwrap();
        let real = dir.path().canonicalize().unwrap();
        assert_eq!(
            dependencies(&config),
            BTreeSet::from([
                real.join("s.toml"),
                real.join("data/y.csv"),
                real.join("p.npy")
            ])
        );
        std::fs::write(&config, "[metadata\ntitle = ").unwrap();
        assert_eq!(dependencies(&config), BTreeSet::from([real.join("s.toml")]));
    }

    #[test]
    fn a_missing_file_is_named_by_its_real_folder() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().canonicalize().unwrap();
        assert_eq!(
            absolute(&dir.path().join("gone.toml")),
            real.join("gone.toml")
        );
    }
}
