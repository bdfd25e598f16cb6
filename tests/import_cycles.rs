//! No file of `src/` imports a file that imports it back, directly or
//! through others: the stages' arrows point one way.
//!
//! Reads every `use crate::…` / `use super::…` statement (braces expanded)
//! and every inline `crate::a::b` / `super::a` path, outside inline
//! `#[cfg(test)] mod` blocks at the end of a file, maps each to the file
//! that defines the longest matching module, and looks for a strongly
//! connected group of two or more files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`["loss", "params"]`) → file, for every `.rs` file under `dir`.
fn modules(root: &Path, dir: &Path, out: &mut BTreeMap<Vec<String>, PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("src is readable")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            modules(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path
                .strip_prefix(root)
                .expect("under src")
                .with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            out.insert(parts, path);
        }
    }
}

/// `a::{b::c, d}` → `a::b::c`, `a::d` and `a` (nested braces too).
fn expand(statement: &str) -> Vec<String> {
    let Some(open) = statement.find('{') else {
        return vec![statement.split(" as ").next().unwrap_or("").to_string()];
    };
    let close = statement.rfind('}').unwrap_or(statement.len());
    let (head, body) = (&statement[..open], &statement[open + 1..close]);
    let mut items = Vec::new();
    let (mut depth, mut current) = (0i32, String::new());
    for ch in body.chars() {
        match ch {
            ',' if depth == 0 => items.push(std::mem::take(&mut current)),
            '{' => {
                depth += 1;
                current.push(ch);
            }
            '}' => {
                depth -= 1;
                current.push(ch);
            }
            _ => current.push(ch),
        }
    }
    items.push(current);
    let mut out: Vec<String> = items
        .iter()
        .filter(|item| !item.is_empty() && item.as_str() != "self")
        .flat_map(|item| expand(&format!("{head}{item}")))
        .collect();
    out.push(head.trim_end_matches(':').to_string());
    out
}

/// Every `crate::…` / `super::…` path the text refers to.
fn references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("use ") {
        let tail = &rest[at + 4..];
        let starts_a_word = at == 0 || !rest.as_bytes()[at - 1].is_ascii_alphanumeric();
        if starts_a_word && (tail.starts_with("crate::") || tail.starts_with("super::")) {
            if let Some(end) = tail.find(';') {
                let statement: String =
                    tail[..end].chars().filter(|c| !c.is_whitespace()).collect();
                out.extend(expand(&statement));
            }
        }
        rest = tail;
    }
    // Inline paths: crate::a::b or super::a, outside `use` statements too.
    for head in ["crate::", "super::"] {
        for (at, _) in text.match_indices(head) {
            if at > 0
                && (text.as_bytes()[at - 1].is_ascii_alphanumeric()
                    || text.as_bytes()[at - 1] == b'_')
            {
                continue;
            }
            let path: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            out.push(path.trim_end_matches(':').to_string());
        }
    }
    out
}

/// The files each file imports.
fn graph(src: &Path) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let mut mods = BTreeMap::new();
    modules(src, src, &mut mods);
    let resolve = |path: &[String]| {
        (0..=path.len())
            .rev()
            .find_map(|k| mods.get(&path[..k]).cloned())
    };
    let mut edges = BTreeMap::new();
    for (module, file) in &mods {
        let text = std::fs::read_to_string(file).expect("readable source");
        // Inline test modules come last in a file: drop them.
        let text = match text.find("#[cfg(test)]\nmod ") {
            Some(at) if text[at..].contains('{') => &text[..at],
            _ => text.as_str(),
        };
        let mut targets = BTreeSet::new();
        for reference in references(text) {
            let mut parts = reference.split("::").map(str::to_string);
            let full: Vec<String> = match parts.next().as_deref() {
                Some("crate") => parts.collect(),
                _ => {
                    let mut base: Vec<String> = module[..module.len().saturating_sub(1)].to_vec();
                    let mut rest: Vec<String> = parts.collect();
                    while rest.first().map(String::as_str) == Some("super") {
                        base.pop();
                        rest.remove(0);
                    }
                    base.extend(rest);
                    base
                }
            };
            if let Some(target) = resolve(&full) {
                if &target != file {
                    targets.insert(target);
                }
            }
        }
        edges.insert(file.clone(), targets);
    }
    edges
}

/// Strongly connected groups of two or more files.
fn cycles(edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    let reaches = |from: &PathBuf| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(file) = todo.pop() {
            for next in edges.get(&file).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reach: BTreeMap<&PathBuf, BTreeSet<PathBuf>> =
        edges.keys().map(|f| (f, reaches(f))).collect();
    let mut groups: Vec<Vec<PathBuf>> = Vec::new();
    for file in edges.keys() {
        let group: Vec<PathBuf> = edges
            .keys()
            .filter(|other| {
                *other == file || (reach[file].contains(*other) && reach[*other].contains(file))
            })
            .cloned()
            .collect();
        if group.len() > 1 && !groups.contains(&group) {
            groups.push(group);
        }
    }
    groups
}

#[test]
fn src_has_no_import_cycle() {
    let edges = graph(Path::new("src"));
    assert!(edges.len() > 50, "read only {} files", edges.len());
    let found = cycles(&edges);
    assert!(found.is_empty(), "import cycles in src/: {found:#?}");
}

/// The checker sees a cycle when there is one (two files importing each
/// other) and none in a chain.
#[test]
fn the_checker_finds_a_planted_cycle() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let src = dir.path();
    std::fs::create_dir(src.join("stage")).expect("folder");
    std::fs::write(src.join("lib.rs"), "mod stage;\n").expect("lib.rs");
    std::fs::write(src.join("stage/mod.rs"), "mod a;\nmod b;\nmod c;\n").expect("mod.rs");
    std::fs::write(src.join("stage/a.rs"), "use super::{b::B, c};\n").expect("a.rs");
    std::fs::write(src.join("stage/b.rs"), "use super::c::C;\n").expect("b.rs");
    std::fs::write(src.join("stage/c.rs"), "pub struct C;\n").expect("c.rs");
    assert!(cycles(&graph(src)).is_empty());
    std::fs::write(
        src.join("stage/c.rs"),
        "fn f() -> crate::stage::a::A { todo!() }\n",
    )
    .expect("c.rs");
    let found = cycles(&graph(src));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].len(), 3, "{found:?}");
}
