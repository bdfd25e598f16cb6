//! The tera templates: embedded defaults, user overrides by file name.

use std::collections::BTreeMap;
use std::error::Error as _;
use std::path::{Path, PathBuf};

use tera::{Context, Tera};

use super::{LandingContext, ReportContext, ReportError};

/// The template rendered into `index.html`; every other one is a layout or partial.
pub const ENTRY_TEMPLATE: &str = "index.html";

/// The template of a batch's landing page (`OUT/index.html`); includes
/// `style.css` and `landing.css`.
pub const LANDING_TEMPLATE: &str = "landing.html";

/// The embedded templates only the landing page uses (see [`Templates::embedded_report`]).
const LANDING_ONLY: [&str; 2] = [LANDING_TEMPLATE, "landing.css"];

/// The default templates, compiled into the binary so a report needs no files but the config.
const EMBEDDED: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("toc.html", include_str!("../../templates/toc.html")),
    (
        "warnings.html",
        include_str!("../../templates/warnings.html"),
    ),
    ("section.html", include_str!("../../templates/section.html")),
    ("figure.html", include_str!("../../templates/figure.html")),
    (
        "explorable.html",
        include_str!("../../templates/explorable.html"),
    ),
    (
        "explorable.css",
        include_str!("../../templates/explorable.css"),
    ),
    ("table.html", include_str!("../../templates/table.html")),
    ("errata.html", include_str!("../../templates/errata.html")),
    ("style.css", include_str!("../../templates/style.css")),
    ("landing.html", include_str!("../../templates/landing.html")),
    ("landing.css", include_str!("../../templates/landing.css")),
];

/// The report templates: the embedded defaults, optionally overridden by name from a folder.
#[derive(Debug)]
pub struct Templates {
    tera: Tera,
}

impl Templates {
    /// The default templates embedded in the binary.
    pub fn embedded() -> Result<Templates, ReportError> {
        Self::compile(embedded_sources())
    }

    /// The embedded templates one report uses: all but the batch's landing
    /// page ([`LANDING_TEMPLATE`] and the stylesheet only it includes), which
    /// a single render never writes. Why: tera parses every template it is
    /// given, and those two were a quarter of the bytes parsed (about 1.3 %
    /// of a render's instructions).
    pub fn embedded_report() -> Result<Templates, ReportError> {
        let mut sources = embedded_sources();
        for name in LANDING_ONLY {
            sources.remove(name);
        }
        Self::compile(sources)
    }

    /// The embedded templates, with any file of `dir` replacing the one of the same name.
    ///
    /// Files in sub-folders are named by their relative path with `/` (`partials/x.html`);
    /// hidden files (editor swap files, `.DS_Store`) are skipped.
    pub fn with_overrides(dir: &Path) -> Result<Templates, ReportError> {
        let mut sources = embedded_sources();
        let mut files = Vec::new();
        collect_files(dir, dir, 0, &mut files)?;
        for (name, path) in files {
            let text =
                crate::read_limits::read_capped(&path).map_err(|e| ReportError::Template {
                    name: name.clone(),
                    message: format!("cannot read {}: {e}", path.display()),
                })?;
            sources.insert(
                name,
                Source {
                    text,
                    path: Some(path),
                },
            );
        }
        Self::compile(sources)
    }

    /// The names of all templates, sorted (for `--templates` help and tests).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.tera.get_template_names().map(String::from).collect();
        names.sort();
        names
    }

    /// Render the entry template with the view.
    pub fn render(&self, view: &ReportContext) -> Result<String, ReportError> {
        self.render_view(ENTRY_TEMPLATE, view)
    }

    /// Render the landing page of a batch.
    pub fn render_landing(&self, view: &LandingContext) -> Result<String, ReportError> {
        self.render_view(LANDING_TEMPLATE, view)
    }

    fn render_view(&self, name: &str, view: &impl serde::Serialize) -> Result<String, ReportError> {
        let context = Context::from_serialize(view).map_err(|e| template_error(name, &e))?;
        self.tera
            .render(name, &context)
            .map_err(|e| template_error(name, &e))
    }

    fn compile(sources: BTreeMap<String, Source>) -> Result<Templates, ReportError> {
        let mut tera = Tera::default();
        // Autoescape `.html` only (tera's default also lists .htm and .xml): partials are `.html`,
        // and `style.css` is static text that must not be escaped.
        tera.autoescape_on(vec![".html"]);
        // Each file is parsed once, here; only when that fails is each parsed on
        // its own, to name the broken file (and its path, for a user's folder)
        // more plainly than tera's batch error does.
        // A file without any tera tag (the stylesheets, most of the bytes)
        // is one text node: built as such, not run through tera's parser.
        let (plain, tagged): (Vec<_>, Vec<_>) =
            sources.iter().partition(|(_, s)| !has_tags(&s.text));
        for (name, source) in plain {
            tera.templates
                .insert(name.clone(), plain_template(name, &source.text));
        }
        if let Err(batch_error) =
            tera.add_raw_templates(tagged.iter().map(|(n, s)| (n.as_str(), s.text.as_str())))
        {
            return Err(
                first_broken(&sources).unwrap_or_else(|| template_error("templates", &batch_error))
            );
        }
        if !sources.contains_key(ENTRY_TEMPLATE) {
            return Err(ReportError::Template {
                name: ENTRY_TEMPLATE.into(),
                message: "missing".into(),
            });
        }
        Ok(Templates { tera })
    }
}

/// Whether `text` holds anything tera's parser reads as more than text: a
/// variable, tag or comment opens with `{{`, `{%` or `{#` (with or without `-`).
fn has_tags(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|pair| pair[0] == b'{' && matches!(pair[1], b'{' | b'%' | b'#'))
}

/// The template tera's parser makes of a text without tags (see
/// [`has_tags`]): one text node, nothing else (no node for an empty text).
fn plain_template(name: &str, text: &str) -> tera::Template {
    let ast = if text.is_empty() {
        Vec::new()
    } else {
        vec![tera::ast::Node::Text(text.to_string())]
    };
    tera::Template {
        name: name.to_string(),
        path: None,
        ast,
        from_extend: false,
        macros: Default::default(),
        imported_macro_files: Vec::new(),
        parent: None,
        blocks: Default::default(),
        parents: Vec::new(),
        blocks_definitions: Default::default(),
    }
}

/// The first template (by name) that does not parse on its own, as an error
/// naming it and, for a user's file, its path.
fn first_broken(sources: &BTreeMap<String, Source>) -> Option<ReportError> {
    sources.iter().find_map(|(name, source)| {
        let error = tera::Template::new(name, None, &source.text).err()?;
        Some(ReportError::Template {
            name: name.clone(),
            message: match &source.path {
                Some(path) => format!("{} ({})", chain(&error), path.display()),
                None => chain(&error),
            },
        })
    })
}

struct Source {
    text: String,
    /// Where an override came from; `None` for the embedded defaults.
    path: Option<PathBuf>,
}

fn embedded_sources() -> BTreeMap<String, Source> {
    EMBEDDED
        .iter()
        .map(|(name, text)| {
            let source = Source {
                text: (*text).to_string(),
                path: None,
            };
            ((*name).to_string(), source)
        })
        .collect()
}

/// Most files a template folder may hold, and how deep it may nest: a folder
/// of templates is small, and a bound keeps a mistaken `--templates /` short.
const MAX_TEMPLATE_FILES: usize = 1_000;
const MAX_TEMPLATE_DEPTH: usize = 8;

/// Every regular, non-hidden file under `dir`, named relative to `root` with `/`.
///
/// Symlinked folders are not followed (two links to `.` would make the walk
/// exponential, a link to `/proc/self` endless); a symlink to a file is read.
fn collect_files(
    root: &Path,
    dir: &Path,
    depth: usize,
    out: &mut Vec<(String, PathBuf)>,
) -> Result<(), ReportError> {
    let error = |message: String| ReportError::Template {
        name: dir.display().to_string(),
        message,
    };
    let io_error = |e: std::io::Error| error(format!("cannot read template folder: {e}"));
    if depth > MAX_TEMPLATE_DEPTH {
        return Err(error(format!(
            "template folders nest deeper than {MAX_TEMPLATE_DEPTH} levels"
        )));
    }
    let mut entries = std::fs::read_dir(dir)
        .map_err(io_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(io_error)?;
    // Sorted, so that which file wins never depends on the file system's order.
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        // `file_type` does not follow symlinks, unlike `Path::is_dir`.
        let kind = entry.file_type().map_err(io_error)?;
        if kind.is_dir() {
            collect_files(root, &path, depth + 1, out)?;
        } else if kind.is_symlink() && path.is_dir() {
            return Err(error(format!(
                "{} is a symbolic link to a folder; links to folders are not followed",
                path.display()
            )));
        } else {
            if out.len() >= MAX_TEMPLATE_FILES {
                return Err(error(format!(
                    "holds more than {MAX_TEMPLATE_FILES} files; is it the right folder?"
                )));
            }
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((name, path));
        }
    }
    Ok(())
}

fn template_error(name: &str, error: &tera::Error) -> ReportError {
    ReportError::Template {
        name: name.to_string(),
        message: chain(error),
    }
}

/// A tera error with its causes: the top message alone ("Failed to render") hides the reason.
fn chain(error: &tera::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A template without tags built by hand is what tera's parser makes of
    /// it: the stylesheets, and texts with braces that open no tag.
    #[test]
    fn plain_templates_are_what_the_parser_makes() {
        let mut texts: Vec<&str> = EMBEDDED
            .iter()
            .map(|(_, text)| *text)
            .filter(|text| !has_tags(text))
            .collect();
        assert!(texts.len() >= 2, "the stylesheets have no tags");
        texts.extend(["", "a { b } c\n", "{ {\n%} #}", "50% {x}", "}{"]);
        for text in texts {
            let parsed = tera::Template::new("t.css", None, text).unwrap();
            let plain = plain_template("t.css", text);
            assert_eq!(plain.ast, parsed.ast, "{text}");
            assert_eq!(plain.parent, parsed.parent);
            assert!(plain.blocks.is_empty() && parsed.blocks.is_empty());
            assert!(plain.macros.is_empty() && parsed.macros.is_empty());
            assert!(parsed.imported_macro_files.is_empty());
        }
        for tagged in ["{{ x }}", "a {%- raw %}{% endraw %}", "{# c #}", "x{{"] {
            assert!(has_tags(tagged), "{tagged}");
        }
    }
}
