//! Placing figures, tables and formulas inside a section's Markdown.
//!
//! A line that holds only `{{figure NAME}}`, `{{table NAME}}` or
//! `{{formulas}}` puts that figure, table or the section's formulas at that
//! point of the text (as zola's shortcodes and mdBook's `{{#include}}` do);
//! everything else of the text stays Markdown. Other `{{…}}` lines are left
//! alone (`{{` is a literal brace in prose), and so are lines inside fenced
//! code blocks, so an example of the syntax can be shown.

/// What a placement line puts on the page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Placement {
    Figure(String),
    Table(String),
    /// The section's `formulas` and `formulas_of`, as a block.
    Formulas,
}

/// A section's Markdown cut at its placement lines: the prose before the
/// first one, then each placement with the prose that follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed<'a> {
    pub lead: String,
    pub blocks: Vec<(Placement, String)>,
    /// Each placement line as written, in order (for messages).
    pub lines: Vec<&'a str>,
}

/// The placement a line asks for, if it is a placement line.
pub fn placement_of(line: &str) -> Option<Placement> {
    let inner = line.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
    if inner == "formulas" {
        return Some(Placement::Formulas);
    }
    let (word, name) = inner.split_once(char::is_whitespace)?;
    let name = name.trim().to_string();
    match word {
        "figure" => Some(Placement::Figure(name)),
        "table" => Some(Placement::Table(name)),
        _ => None,
    }
}

/// Cut `markdown` at its placement lines (none: all of it is `lead`).
pub fn split(markdown: &str) -> Placed<'_> {
    let mut placed = Placed {
        lead: String::new(),
        blocks: Vec::new(),
        lines: Vec::new(),
    };
    let mut fence: Option<&str> = None;
    for line in markdown.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(open), Some(m)) if open == m => fence = None,
            _ => {}
        }
        let place = if fence.is_none() && marker.is_none() {
            placement_of(line)
        } else {
            None
        };
        match place {
            Some(place) => {
                placed.lines.push(line.trim());
                placed.blocks.push((place, String::new()));
            }
            None => match placed.blocks.last_mut() {
                Some((_, prose)) => prose.push_str(line),
                None => placed.lead.push_str(line),
            },
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_lines_cut_the_text_in_order() {
        let text = "Intro.\n\n{{figure fit}}\n\nMiddle.\n  {{ table t }}  \n{{formulas}}\nEnd.\n";
        let placed = split(text);
        assert_eq!(placed.lead, "Intro.\n\n");
        assert_eq!(
            placed.blocks,
            vec![
                (Placement::Figure("fit".into()), "\nMiddle.\n".into()),
                (Placement::Table("t".into()), String::new()),
                (Placement::Formulas, "End.\n".into()),
            ]
        );
        assert_eq!(
            placed.lines,
            ["{{figure fit}}", "{{ table t }}", "{{formulas}}"]
        );
    }

    #[test]
    fn other_brace_lines_and_code_blocks_stay_text() {
        let text = "{{literal}}\nsee {{figure fit}} inline\n```\n{{figure fit}}\n```\n";
        let placed = split(text);
        assert!(placed.blocks.is_empty());
        assert_eq!(placed.lead, text);
    }
}
