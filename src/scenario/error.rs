//! The errors of the parse and validate stages.
//!
//! Every message starts with the file name; semantic errors then give the
//! line, column and key path (`line 14, column 9: losses[2] (huber_2).delta`)
//! so an author can find the place without a debugger.

use std::sync::Arc;

use super::locate::{Located, Locator};

/// Something is wrong with a scenario file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{file}: cannot read the file: {message}")]
    Read { file: String, message: String },
    /// The TOML did not parse or did not fit the format; `message` is toml's own
    /// (line, column, snippet, caret).
    #[error("{file}: {message}")]
    Toml { file: String, message: String },
    /// A value parsed but makes no sense: `at` is the place and key path,
    /// `message` reads as its continuation (`must be > 0, got -1`).
    #[error("{file}: {at} {message}")]
    Invalid {
        file: String,
        at: Located,
        message: String,
    },
}

/// Builds [`ScenarioError::Invalid`] values for one file.
#[derive(Debug, Clone)]
pub struct Reporter {
    pub file: String,
    /// Where each key path was written (empty when the text is not at hand).
    pub locator: Arc<Locator>,
}

impl Reporter {
    pub fn invalid(
        &self,
        path: impl std::fmt::Display,
        message: impl Into<String>,
    ) -> ScenarioError {
        ScenarioError::Invalid {
            file: self.file.clone(),
            at: self.locator.locate(&path.to_string()),
            message: message.into(),
        }
    }

    /// Like [`Reporter::invalid`], placed at `needle` inside the string at
    /// `path` (a placeholder on line 40 of a long Markdown text).
    pub fn invalid_in(
        &self,
        path: &str,
        needle: &str,
        message: impl Into<String>,
    ) -> ScenarioError {
        ScenarioError::Invalid {
            file: self.file.clone(),
            at: self.locator.locate_in(path, needle),
            message: message.into(),
        }
    }

    /// `figures[1].data refers to unknown dataset "nope" (did you mean "fig1_y"?)`.
    pub fn unknown<'a>(
        &self,
        path: impl std::fmt::Display,
        what: &str,
        name: &str,
        known: impl IntoIterator<Item = &'a str>,
    ) -> ScenarioError {
        self.invalid(path, unknown_message(what, name, known))
    }
}

/// `refers to unknown dataset "nope" (did you mean "fig1_y"?)`.
pub(crate) fn unknown_message<'a>(
    what: &str,
    name: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> String {
    let known: Vec<&str> = known.into_iter().collect();
    let hint = match nearest(name, &known) {
        Some(best) => format!(" (did you mean \"{best}\"?)"),
        None if known.is_empty() => format!(" (no {what} is defined)"),
        None => format!(" (known: {})", known.join(", ")),
    };
    format!("refers to unknown {what} \"{name}\"{hint}")
}

/// A number in a message as a person writes it: `1e308`, not 309 digits.
pub(crate) fn shown_number(v: f64) -> String {
    if v.is_finite() && v != 0.0 && (v.abs() >= 1e16 || v.abs() < 1e-6) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// The closest known name by Jaro–Winkler similarity, if it is close enough to be a typo.
pub fn nearest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(name, k), *k))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// Names that become file names or anchors: `[a-z0-9][a-z0-9_-]*`, so nothing
/// can climb out of the output folder (`../evil`) or clash by case.
pub fn is_safe_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit() => {}
        _ => return false,
    }
    name.len() <= 80
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// A report folder name (a scenario file's stem): ASCII letters, digits, `_`
/// and `-`, starting with a letter or digit, at most 80 characters.
pub fn is_safe_folder_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && name.len() <= 80
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The report folder for a scenario file's stem: the stem itself when it is
/// a safe folder name, else every run of other characters replaced by `-`
/// (`Bad Name` → `Bad-Name`, `../x` → `x`); `report` if nothing is left.
pub fn report_folder_name(stem: &str) -> String {
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed: String = out
        .trim_start_matches(['-', '_'])
        .trim_end_matches('-')
        .chars()
        .take(80)
        .collect();
    if is_safe_folder_name(&trimmed) {
        trimmed
    } else {
        "report".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names() {
        assert!(is_safe_name("fig1"));
        assert!(is_safe_name("huber_delta-1"));
        for bad in ["", "../evil", "Fig", "_x", "a/b", "a.b", "-a", "a b"] {
            assert!(!is_safe_name(bad), "{bad}");
        }
    }

    #[test]
    fn nearest_suggests_typos_only() {
        assert_eq!(nearest("fig1_yy", &["fig1_y", "bce"]), Some("fig1_y"));
        assert_eq!(nearest("zzz", &["fig1_y", "bce"]), None);
    }

    #[test]
    fn report_folders_stay_inside_the_output_folder() {
        assert_eq!(report_folder_name("article"), "article");
        assert_eq!(report_folder_name("My_Lesson-2"), "My_Lesson-2");
        assert_eq!(report_folder_name("Bad Name"), "Bad-Name");
        assert_eq!(report_folder_name(".."), "report");
        assert_eq!(report_folder_name("../../etc"), "etc");
        assert_eq!(report_folder_name("ü"), "report");
        for name in ["", ".", "..", "a/b", "a\\b", "-x", "Bad Name"] {
            assert!(!is_safe_folder_name(name), "{name:?}");
        }
    }
}
