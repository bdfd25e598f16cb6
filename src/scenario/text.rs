//! `[[tables]]`, `[[sections]]` and `[[errata]]`: the teaching text around
//! the numbers, and the `{quantity}` placeholders that put computed numbers
//! into it.
//!
//! A placeholder is `{name}` (shortest form, up to 3 decimals) or `{name:N}`
//! (exactly N decimals) where `name` is a quantity; `{{` and `}}` are literal
//! braces. Other braces are left alone.

use serde::Deserialize;

use super::context::Context;
use super::error::{is_safe_name, unknown_message, ScenarioError};
use super::placement::Placement;
use super::valid::{TableKind, ValidErratum, ValidQuantity, ValidSection, ValidTable};
use crate::loss::{catalogue, Loss, Params};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKindName {
    /// One row per quantity in `quantities`.
    Quantities,
    /// One row per sample of the evaluated `quantity`, then its value.
    PerSample,
    /// The values of `datasets`, one column each.
    Dataset,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    /// File stem of `tables/<name>.csv`.
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub caption: String,
    pub kind: TableKindName,
    pub quantities: Option<Vec<String>>,
    pub quantity: Option<String>,
    /// Datasets of a `dataset` table (one column each).
    pub datasets: Option<Vec<String>>,
    /// A `dataset` table shows its first and last `rows` rows (default 5).
    pub rows: Option<usize>,
    /// Decimals shown in HTML (CSV and JSON keep full precision). Default 4.
    pub digits: Option<usize>,
    /// Written to `tables/` without a place on the page: a table no section
    /// shows is otherwise an error (it would be missing from the report).
    #[serde(default)]
    pub appendix: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionSpec {
    /// Anchor id, `[a-z0-9][a-z0-9_-]*`.
    pub id: String,
    pub title: String,
    /// Markdown prose, with `{quantity}` placeholders.
    #[serde(default)]
    pub markdown: String,
    /// Display formulas in LaTeX.
    #[serde(default)]
    pub formulas: Vec<String>,
    /// Loss names whose catalogue formula (LaTeX) is shown.
    #[serde(default)]
    pub formulas_of: Vec<String>,
    #[serde(default)]
    pub figures: Vec<String>,
    #[serde(default)]
    pub tables: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErratumSpec {
    pub id: String,
    /// What the source says.
    pub claim: String,
    /// What is right (Markdown with placeholders).
    pub correction: String,
    /// Quantities shown as evidence.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Show the erratum only if this quantity got a core warning.
    pub when_warning: Option<String>,
    /// Decimals of the evidence numbers (default: up to 3, trailing zeros trimmed).
    pub digits: Option<usize>,
}

impl TableSpec {
    pub(crate) fn validate(
        &self,
        path: &str,
        ctx: &Context,
        quantities: &[ValidQuantity],
    ) -> Result<ValidTable, ScenarioError> {
        let rep = &ctx.rep;
        if self.kind != TableKindName::Dataset {
            if let Some(key) = [
                ("datasets", self.datasets.is_some()),
                ("rows", self.rows.is_some()),
            ]
            .into_iter()
            .find_map(|(k, set)| set.then_some(k))
            {
                return Err(rep.invalid(
                    format!("{path}.{key}"),
                    "is used by `kind = \"dataset\"` tables only",
                ));
            }
        }
        let kind = match (self.kind, &self.quantities, &self.quantity) {
            (TableKindName::Dataset, None, None) => self.dataset_kind(path, ctx)?,
            (TableKindName::Dataset, _, _) => {
                return Err(rep.invalid(
                    path,
                    "kind \"dataset\" needs `datasets` (and no `quantities` or `quantity`)",
                ))
            }
            (TableKindName::Quantities, Some(names), None) => {
                if names.is_empty() {
                    return Err(rep.invalid(format!("{path}.quantities"), "is empty"));
                }
                for (i, n) in names.iter().enumerate() {
                    ctx.quantity(&format!("{path}.quantities[{i}]"), n)?;
                }
                TableKind::Quantities(names.clone())
            }
            (TableKindName::PerSample, None, Some(name)) => {
                let index = ctx.quantity(&format!("{path}.quantity"), name)?;
                if !matches!(
                    quantities[index].plan,
                    super::valid::QuantityPlan::Evaluate { .. }
                ) {
                    return Err(rep.invalid(
                        format!("{path}.quantity"),
                        format!(
                            "\"{name}\" has no per-sample values (it is not a loss evaluation)"
                        ),
                    ));
                }
                TableKind::PerSample(name.clone())
            }
            (TableKindName::Quantities, _, _) => {
                return Err(rep.invalid(
                    path,
                    "kind \"quantities\" needs `quantities` (and no `quantity`)",
                ))
            }
            (TableKindName::PerSample, _, _) => {
                return Err(rep.invalid(
                    path,
                    "kind \"per_sample\" needs `quantity` (and no `quantities`)",
                ))
            }
        };
        let digits = self.digits.unwrap_or(4);
        if digits > 15 {
            return Err(rep.invalid(
                format!("{path}.digits"),
                format!("must be at most 15, got {digits}"),
            ));
        }
        check_placeholders(
            &format!("{path}.caption"),
            &self.caption,
            ctx,
            TextRole::Plain,
        )?;
        Ok(ValidTable {
            name: self.name.clone(),
            title: self.title.clone(),
            caption: self.caption.clone(),
            digits,
            kind,
            appendix: self.appendix,
        })
    }
}

impl SectionSpec {
    pub(crate) fn validate(
        &self,
        path: &str,
        ctx: &Context,
    ) -> Result<ValidSection, ScenarioError> {
        ctx.check_name(&format!("{path}.id"), &self.id)?;
        check_placeholders(
            &format!("{path}.markdown"),
            &self.markdown,
            ctx,
            TextRole::Section,
        )?;
        self.check_placements(path, ctx)?;
        for (i, f) in self.figures.iter().enumerate() {
            if !ctx.figures.contains(f) {
                return Err(ctx.rep.unknown(
                    format!("{path}.figures[{i}]"),
                    "figure",
                    f,
                    ctx.figures.iter().map(String::as_str),
                ));
            }
        }
        for (i, t) in self.tables.iter().enumerate() {
            if !ctx.tables.contains(t) {
                return Err(ctx.rep.unknown(
                    format!("{path}.tables[{i}]"),
                    "table",
                    t,
                    ctx.tables.iter().map(String::as_str),
                ));
            }
        }
        let mut formulas = self.formulas.clone();
        let infos = catalogue();
        for (i, name) in self.formulas_of.iter().enumerate() {
            let canonical = match Loss::new(name, &Params::new()) {
                Ok(loss) => loss.name(),
                Err(crate::loss::LossError::UnknownLoss { .. }) => {
                    return Err(ctx.rep.unknown(
                        format!("{path}.formulas_of[{i}]"),
                        "loss",
                        name,
                        infos.iter().map(|l| l.name),
                    ))
                }
                // A loss that needs parameters still has a catalogue formula.
                Err(_) => name.as_str(),
            };
            match infos.iter().find(|l| l.name == canonical) {
                // The catalogue's LaTeX is the right-hand side; the formulas are per
                // sample, so the left-hand side is ℓ with the loss's name (MAE is
                // the mean of ℓ_MAE).
                Some(info) => formulas.push(format!("{} = {}", info.lhs.latex, info.latex)),
                None => {
                    return Err(ctx.rep.unknown(
                        format!("{path}.formulas_of[{i}]"),
                        "loss",
                        name,
                        infos.iter().map(|l| l.name),
                    ))
                }
            }
        }
        let formula_keys = (0..self.formulas.len())
            .map(|i| format!("{path}.formulas[{i}]"))
            .chain((0..self.formulas_of.len()).map(|i| format!("{path}.formulas_of[{i}]")))
            .collect();
        Ok(ValidSection {
            id: self.id.clone(),
            title: self.title.clone(),
            markdown: self.markdown.clone(),
            formulas,
            formula_keys,
            figures: self.figures.clone(),
            tables: self.tables.clone(),
        })
    }
}

/// Most rows a dataset table shows at each end.
pub const MAX_SHOWN_ROWS: usize = 1000;

impl TableSpec {
    fn dataset_kind(&self, path: &str, ctx: &Context) -> Result<TableKind, ScenarioError> {
        let names = match &self.datasets {
            Some(names) if !names.is_empty() => names,
            Some(_) => return Err(ctx.rep.invalid(format!("{path}.datasets"), "is empty")),
            None => return Err(ctx.rep.invalid(path, "kind \"dataset\" needs `datasets`")),
        };
        if let Some(i) = names.iter().position(|n| ctx.queries.contains_key(n)) {
            return self.query_kind(path, i, ctx);
        }
        let columns = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                Ok(super::valid::LabelledData {
                    name: name.clone(),
                    label: ctx.label(name),
                    values: ctx.flat(&format!("{path}.datasets[{i}]"), name)?,
                })
            })
            .collect::<Result<Vec<_>, ScenarioError>>()?;
        let shown = self.rows.unwrap_or(5);
        if !(1..=MAX_SHOWN_ROWS).contains(&shown) {
            return Err(ctx.rep.invalid(
                format!("{path}.rows"),
                format!("must be from 1 to {MAX_SHOWN_ROWS}, got {shown}"),
            ));
        }
        Ok(TableKind::Dataset { columns, shown })
    }

    /// A table of a `sql` dataset's result, `datasets[i]`, which must be
    /// the table's only dataset.
    fn query_kind(&self, path: &str, i: usize, ctx: &Context) -> Result<TableKind, ScenarioError> {
        let names = self.datasets.as_deref().unwrap_or_default();
        let key = format!("{path}.datasets[{i}]");
        if names.len() > 1 {
            return Err(ctx.rep.invalid(
                key,
                format!(
                    "\"{}\" is the result of a `sql` query, which is a table of its own: give it \
                     alone in `datasets`",
                    names[i]
                ),
            ));
        }
        let table = ctx.query(&key, &names[i])?.clone();
        if let Some(shown) = self.rows.filter(|r| !(1..=MAX_SHOWN_ROWS).contains(r)) {
            return Err(ctx.rep.invalid(
                format!("{path}.rows"),
                format!("must be from 1 to {MAX_SHOWN_ROWS}, got {shown}"),
            ));
        }
        Ok(TableKind::Query {
            table,
            digits: self.digits,
            shown: self.rows,
        })
    }
}

impl SectionSpec {
    /// Every placement line names a figure or table that exists (or the
    /// section has formulas to place), and nothing is both placed in the
    /// text and listed in `figures`/`tables`.
    fn check_placements(&self, path: &str, ctx: &Context) -> Result<(), ScenarioError> {
        let key = format!("{path}.markdown");
        let placed = super::placement::split(&self.markdown);
        for (line, (place, _)) in placed.lines.iter().zip(&placed.blocks) {
            let (known, listed, what, list) = match place {
                Placement::Figure(name) => (&ctx.figures, &self.figures, "figure", name),
                Placement::Table(name) => (&ctx.tables, &self.tables, "table", name),
                Placement::Formulas => {
                    if self.formulas.is_empty() && self.formulas_of.is_empty() {
                        return Err(ctx.rep.invalid_in(
                            &key,
                            line,
                            "places {{formulas}} but the section has no `formulas` or \
                             `formulas_of`",
                        ));
                    }
                    continue;
                }
            };
            if !known.contains(list) {
                return Err(ctx.rep.invalid_in(
                    &key,
                    line,
                    unknown_message(what, list, known.iter().map(String::as_str)),
                ));
            }
            if listed.contains(list) {
                return Err(ctx.rep.invalid_in(
                    &key,
                    line,
                    format!(
                        "places {what} \"{list}\" in the text, and the section's `{what}s` \
                         list shows it again at the end; keep one of the two"
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl ErratumSpec {
    pub(crate) fn validate(
        &self,
        path: &str,
        ctx: &Context,
    ) -> Result<ValidErratum, ScenarioError> {
        ctx.check_name(&format!("{path}.id"), &self.id)?;
        check_placeholders(&format!("{path}.claim"), &self.claim, ctx, TextRole::Plain)?;
        check_placeholders(
            &format!("{path}.correction"),
            &self.correction,
            ctx,
            TextRole::Markdown,
        )?;
        for (i, e) in self.evidence.iter().enumerate() {
            ctx.quantity(&format!("{path}.evidence[{i}]"), e)?;
        }
        if let Some(q) = &self.when_warning {
            ctx.quantity(&format!("{path}.when_warning"), q)?;
        }
        if let Some(d) = self.digits.filter(|&d| d > 15) {
            return Err(ctx.rep.invalid(
                format!("{path}.digits"),
                format!("must be at most 15, got {d}"),
            ));
        }
        Ok(ValidErratum {
            digits: self.digits,
            id: self.id.clone(),
            claim: self.claim.clone(),
            correction: self.correction.clone(),
            evidence: self.evidence.clone(),
            when_warning: self.when_warning.clone(),
        })
    }
}

/// A piece of text with placeholders: literal text or a quantity reference.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece<'a> {
    Text(std::borrow::Cow<'a, str>),
    Quantity {
        name: &'a str,
        decimals: Option<usize>,
    },
    /// `{ref:NAME}` (or `{ref:figure:NAME}`, `{ref:table:NAME}` where a
    /// figure and a table share a name): "Figure 3" with a link, numbered by
    /// the report.
    Ref {
        kind: Option<RefKind>,
        name: &'a str,
    },
}

/// What a reference names, when it says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    Figure,
    Table,
}

/// `figure:NAME`, `table:NAME` or `NAME` (the part after `ref:`).
fn reference(target: &str) -> Option<(Option<RefKind>, &str)> {
    let (kind, name) = match target.split_once(':') {
        Some(("figure", name)) => (Some(RefKind::Figure), name),
        Some(("table", name)) => (Some(RefKind::Table), name),
        Some(_) => return None,
        None => (None, target),
    };
    is_safe_name(name).then_some((kind, name))
}

/// Split text into literal pieces and `{name}` / `{name:N}` placeholders.
///
/// LaTeX between `$…$` or `$$…$$` is copied as written: no placeholder is
/// looked for there and braces are not doubled (`$\frac{a}{b}$`). Outside
/// maths, `{{` and `}}` are literal braces; a `\$` is a dollar, not maths.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    scan(text).0
}

/// The pieces, and the first placeholder whose format is not understood
/// (`{bce_val:x}`, `{bce_val:20}`): it is kept as text, and `check` refuses it.
fn scan(text: &str) -> (Vec<Piece<'_>>, Option<&str>) {
    let mut out = Vec::new();
    let mut bad = None;
    let mut literal = String::new();
    let mut rest = text;
    while let Some(pos) = rest.find(['{', '}', '$', '\\']) {
        literal.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if tail.starts_with("\\$") || tail.starts_with("\\\\") {
            literal.push_str(&tail[..2]);
            rest = &tail[2..];
            continue;
        }
        if let Some(math) = math_span(tail) {
            literal.push_str(&tail[..math]);
            rest = &tail[math..];
            continue;
        }
        if tail.starts_with("{{") || tail.starts_with("}}") {
            literal.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if let Some(end) = tail.find('}').filter(|_| tail.starts_with('{')) {
            let inner = &tail[1..end];
            if let Some(target) = inner.strip_prefix("ref:") {
                match reference(target) {
                    Some((kind, name)) => {
                        flush(&mut out, &mut literal);
                        out.push(Piece::Ref { kind, name });
                        rest = &tail[end + 1..];
                        continue;
                    }
                    None => bad = bad.or(Some(&tail[..=end])),
                }
            }
            let (name, format) = match inner.split_once(':') {
                Some((n, f)) => (n, Some(f)),
                None => (inner, None),
            };
            if is_safe_name(name) {
                match format.map(decimals_of) {
                    None => {
                        flush(&mut out, &mut literal);
                        out.push(Piece::Quantity {
                            name,
                            decimals: None,
                        });
                        rest = &tail[end + 1..];
                        continue;
                    }
                    Some(Some(d)) => {
                        flush(&mut out, &mut literal);
                        out.push(Piece::Quantity {
                            name,
                            decimals: Some(d),
                        });
                        rest = &tail[end + 1..];
                        continue;
                    }
                    Some(None) => {
                        bad = bad.or(Some(&tail[..=end]));
                    }
                }
            }
        }
        let first = tail.chars().next().map_or(1, char::len_utf8);
        literal.push_str(&tail[..first]);
        rest = &tail[first..];
    }
    literal.push_str(rest);
    flush(&mut out, &mut literal);
    (out, bad)
}

fn flush<'a>(out: &mut Vec<Piece<'a>>, literal: &mut String) {
    if !literal.is_empty() {
        out.push(Piece::Text(std::mem::take(literal).into()));
    }
}

/// `3` or `.3`: decimals from 0 to 15.
fn decimals_of(format: &str) -> Option<usize> {
    let digits = format.strip_prefix('.').unwrap_or(format);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<usize>().ok().filter(|d| *d <= 15)
}

/// The length of the `$…$` or `$$…$$` at the start of `tail`, delimiters
/// included; `None` when there is no maths there or it is never closed.
fn math_span(tail: &str) -> Option<usize> {
    let delimiter = if tail.starts_with("$$") {
        "$$"
    } else if tail.starts_with('$') {
        "$"
    } else {
        return None;
    };
    let body = &tail[delimiter.len()..];
    let mut from = 0;
    while let Some(found) = body[from..].find(delimiter) {
        let at = from + found;
        // `\$` inside maths is a dollar sign, not the end.
        if body[..at].ends_with('\\') && !body[..at].ends_with("\\\\") {
            from = at + 1;
            continue;
        }
        if at == 0 {
            return None;
        }
        return Some(delimiter.len() + at + delimiter.len());
    }
    None
}

/// What a text is, for what it may hold: plain text (a caption, a claim)
/// takes quantities only; Markdown also references; a section's Markdown
/// also placement lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextRole {
    Plain,
    Markdown,
    Section,
}

/// Every placeholder must name a quantity and have a format it understands;
/// every reference must name one figure or table.
pub(crate) fn check_placeholders(
    path: &str,
    text: &str,
    ctx: &Context,
    role: TextRole,
) -> Result<(), ScenarioError> {
    let (pieces, bad) = scan(text);
    if let Some(bad) = bad {
        let name = bad[1..].split(':').next().unwrap_or_default();
        let message = if bad.starts_with("{ref:") {
            format!(
                "has the reference \"{bad}\" that losslab does not understand; write \
                 {{ref:NAME}} with the name of a figure or table (or {{ref:figure:NAME}}, \
                 {{ref:table:NAME}})"
            )
        } else {
            format!(
                "has the placeholder \"{bad}\" with a format losslab does not know; \
                 write {{{name}}} or {{{name}:N}} with N decimals from 0 to 15 \
                 (or {{{{ and }}}} for literal braces)"
            )
        };
        return Err(ctx.rep.invalid_in(path, bad, message));
    }
    if role != TextRole::Section {
        if let Some(line) = super::placement::split(text).lines.first() {
            return Err(ctx.rep.invalid_in(
                path,
                line,
                format!(
                    "places \"{line}\" outside a section; figures, tables and formulas are \
                     placed in a section's `markdown`"
                ),
            ));
        }
    }
    for piece in pieces {
        match piece {
            Piece::Quantity { name, .. } if !ctx.quantities.contains_key(name) => {
                let known = ctx.quantities.keys().map(String::as_str);
                return Err(ctx.rep.invalid_in(
                    path,
                    &format!("{{{name}"),
                    unknown_message("quantity", name, known),
                ));
            }
            Piece::Ref { .. } if role == TextRole::Plain => {
                return Err(ctx.rep.invalid_in(
                    path,
                    "{ref:",
                    "is plain text, where a reference cannot be a link; refer to figures \
                     and tables in Markdown (`intro`, `markdown`, `correction`)",
                ));
            }
            Piece::Ref { kind, name } => {
                resolve_ref(kind, name, ctx).map_err(|m| {
                    let written = match kind {
                        Some(RefKind::Figure) => format!("{{ref:figure:{name}}}"),
                        Some(RefKind::Table) => format!("{{ref:table:{name}}}"),
                        None => format!("{{ref:{name}}}"),
                    };
                    ctx.rep
                        .invalid_in(path, &written, format!("{written}: {m}"))
                })?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The kind a reference resolves to; a message if it names nothing or both.
pub(crate) fn resolve_ref(
    kind: Option<RefKind>,
    name: &str,
    ctx: &Context,
) -> Result<RefKind, String> {
    let figure = ctx.figures.iter().any(|f| f == name);
    let table = ctx.tables.iter().any(|t| t == name);
    match (kind, figure, table) {
        (Some(RefKind::Figure), true, _) | (None, true, false) => Ok(RefKind::Figure),
        (Some(RefKind::Table), _, true) | (None, false, true) => Ok(RefKind::Table),
        (None, true, true) => Err(format!(
            "\"{name}\" is both a figure and a table; write {{ref:figure:{name}}} or \
             {{ref:table:{name}}}"
        )),
        _ => {
            let known = ctx.figures.iter().chain(&ctx.tables).map(String::as_str);
            Err(unknown_message("figure or table", name, known))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maths_is_written_as_in_latex() {
        let p = pieces(r"so $\frac{a}{b}$ and $${x}^{2}$$ cost {c:.2}, \$ {d}");
        assert_eq!(
            p,
            vec![
                Piece::Text(r"so $\frac{a}{b}$ and $${x}^{2}$$ cost ".into()),
                Piece::Quantity {
                    name: "c",
                    decimals: Some(2)
                },
                Piece::Text(r", \$ ".into()),
                Piece::Quantity {
                    name: "d",
                    decimals: None
                },
            ]
        );
    }

    #[test]
    fn a_placeholder_with_an_unknown_format_is_found() {
        assert_eq!(scan("a {bce_val:x} b").1, Some("{bce_val:x}"));
        assert_eq!(scan("a {bce_val:20} b").1, Some("{bce_val:20}"));
        assert_eq!(scan(r"a {bce_val:15} {b:.3} $\frac{x:y}{2}$").1, None);
        assert_eq!(scan("{{bce_val:x}}").1, None);
    }

    #[test]
    fn placeholders_and_escapes() {
        let p = pieces("KL is {kl_pq} nats ({kl_bits:2} bits), {{literal}} and \\frac{1}{n:x}");
        assert_eq!(
            p,
            vec![
                Piece::Text("KL is ".into()),
                Piece::Quantity {
                    name: "kl_pq",
                    decimals: None
                },
                Piece::Text(" nats (".into()),
                Piece::Quantity {
                    name: "kl_bits",
                    decimals: Some(2)
                },
                Piece::Text(" bits), {literal} and \\frac".into()),
                Piece::Quantity {
                    name: "1",
                    decimals: None
                },
                Piece::Text("{n:x}".into()),
            ]
        );
    }
}
