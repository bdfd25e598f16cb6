//! The view the templates see: plain, serialisable, with HTML only in `*_html` fields.
//!
//! Every `*_html` field was rendered here on purpose (Markdown without raw HTML,
//! MathML, sanitised SVG) and is the only thing templates mark `safe`; every other
//! string is scenario text that tera escapes.

use std::collections::{BTreeMap, BTreeSet};

use pulldown_latex::config::DisplayMode;
use serde::Serialize;

use super::markdown::markdown_to_html;
use super::math::latex_to_mathml;
use super::ReportError;
use crate::compute::{Cell, Erratum, FigureData, Results, Section, TableData, REF_CLOSE, REF_OPEN};
use crate::format::{format_evidence, format_number, Decimals};
use crate::scenario::Placement;

/// Heading levels: the page title is `<h1>`, sections `<h2>`, figures/errata below.
const INTRO_HEADING_OFFSET: usize = 1;
const SECTION_HEADING_OFFSET: usize = 2;
const ERRATUM_HEADING_OFFSET: usize = 3;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReportContext {
    pub title: String,
    pub intro_html: String,
    /// losslab's version, for the footer and the generator meta tag.
    pub version: String,
    pub toc: Vec<TocEntry>,
    pub sections: Vec<SectionView>,
    pub errata: Vec<ErratumView>,
    /// Anchor of the errata section (`errata`, unless a section already uses it).
    pub errata_anchor: String,
    pub warnings: Vec<String>,
    /// Some figure is explorable: the page needs the frames' style rules.
    pub explorable: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TocEntry {
    pub anchor: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SectionView {
    pub id: String,
    pub title: String,
    pub prose_html: String,
    /// One `<math display="block">` element per formula.
    pub formulas_html: Vec<String>,
    pub figures: Vec<FigureView>,
    pub tables: Vec<TableView>,
    /// What the text places inside itself, in order, each with the prose
    /// after it; shown between `prose_html` and the listed figures.
    pub placed: Vec<PlacedView>,
}

/// A figure, table or the formulas placed inside a section's text.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlacedView {
    pub figure: Option<FigureView>,
    pub table: Option<TableView>,
    pub formulas_html: Vec<String>,
    pub prose_html: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FigureView {
    /// Unique element id (`fig-<name>`, `-2`... when a figure is shown twice).
    pub anchor: String,
    pub name: String,
    /// Figures are numbered in page order, from 1.
    pub number: usize,
    pub title: String,
    pub caption: String,
    pub alt: String,
    pub svg_html: String,
    /// Several panels side by side: shown wider than the text column, so
    /// their text stays as large as a one-panel figure's.
    pub wide: bool,
    /// What the frames' control switches (explorable figures only).
    pub control: String,
    /// Every frame of an explorable figure; empty for a plain one.
    pub frames: Vec<FrameView>,
}

/// One frame of an explorable figure.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FrameView {
    /// The radio input's id (`<anchor>-1`, …).
    pub id: String,
    /// The control's label for this frame (`0.5`).
    pub value: String,
    pub svg_html: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TableView {
    pub anchor: String,
    pub name: String,
    pub number: usize,
    pub title: String,
    pub caption: String,
    pub columns: Vec<ColumnView>,
    pub rows: Vec<Vec<CellView>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ColumnView {
    pub label: String,
    /// Every cell of the column is a number: right-align the header too.
    pub numeric: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CellView {
    /// Display text: numbers already formatted.
    pub text: String,
    pub numeric: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ErratumView {
    pub id: String,
    pub claim: String,
    pub correction_html: String,
    pub evidence: Vec<EvidenceView>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EvidenceView {
    pub name: String,
    pub value: String,
}

impl ReportContext {
    /// The view of `results`, with `svgs` (figure name → SVG document) inlined.
    pub fn build(results: &Results, svgs: &BTreeMap<String, String>) -> Result<Self, ReportError> {
        let mut builder = Builder {
            results,
            svgs,
            used_anchors: BTreeSet::new(),
            figures: 0,
            tables: 0,
            numbers: BTreeMap::new(),
        };
        for section in &results.sections {
            builder.used_anchors.insert(section.id.clone());
        }
        let errata_anchor = builder.unique_anchor("errata");
        // Numbers and anchors first (page order), so a reference anywhere,
        // even before what it names, knows both.
        let numbered = results
            .sections
            .iter()
            .map(|s| builder.numbered(s))
            .collect::<Result<Vec<_>, _>>()?;
        let sections = results
            .sections
            .iter()
            .zip(numbered)
            .map(|(s, n)| builder.section(s, n))
            .collect::<Result<Vec<_>, _>>()?;
        let explorable = sections
            .iter()
            .any(|s| s.figures.iter().any(|f| !f.frames.is_empty()));
        let mut toc: Vec<TocEntry> = sections
            .iter()
            .map(|s| TocEntry {
                anchor: s.id.clone(),
                title: s.title.clone(),
            })
            .collect();
        if !results.errata.is_empty() {
            toc.push(TocEntry {
                anchor: errata_anchor.clone(),
                title: "Errata".into(),
            });
        }
        Ok(ReportContext {
            title: results.title.clone(),
            intro_html: builder.prose(&results.intro, INTRO_HEADING_OFFSET)?,
            version: env!("CARGO_PKG_VERSION").to_string(),
            toc,
            sections,
            errata: results
                .errata
                .iter()
                .map(|e| erratum(e, &builder))
                .collect::<Result<_, _>>()?,
            errata_anchor,
            warnings: results.warnings.clone(),
            explorable,
        })
    }
}

struct Builder<'a> {
    results: &'a Results,
    svgs: &'a BTreeMap<String, String>,
    /// Element ids given out so far, so a figure shown twice still has unique ids.
    used_anchors: BTreeSet<String>,
    figures: usize,
    tables: usize,
    /// `figure:name` / `table:name` → (label, anchor) where first shown.
    numbers: BTreeMap<String, (String, String)>,
}

/// A section's figures and tables with numbers and anchors, before its prose.
struct Numbered {
    figures: Vec<FigureView>,
    tables: Vec<TableView>,
    placed: Vec<(Option<FigureView>, Option<TableView>)>,
}

impl Builder<'_> {
    /// Figures and tables of a section in page order: those placed in the
    /// text, then the listed figures, then the listed tables.
    fn numbered(&mut self, section: &Section) -> Result<Numbered, ReportError> {
        let mut placed = Vec::new();
        for block in &section.placed {
            placed.push(match &block.place {
                Placement::Figure(name) => (Some(self.figure(section, name)?), None),
                Placement::Table(name) => (None, Some(self.table(section, name)?)),
                Placement::Formulas => (None, None),
            });
        }
        let figures = section
            .figures
            .iter()
            .map(|name| self.figure(section, name))
            .collect::<Result<_, _>>()?;
        let tables = section
            .tables
            .iter()
            .map(|name| self.table(section, name))
            .collect::<Result<_, _>>()?;
        Ok(Numbered {
            figures,
            tables,
            placed,
        })
    }

    fn section(&self, section: &Section, numbered: Numbered) -> Result<SectionView, ReportError> {
        let formulas = || -> Result<Vec<String>, ReportError> {
            section
                .formulas
                .iter()
                .map(|latex| latex_to_mathml(latex, DisplayMode::Block))
                .collect()
        };
        let formulas_placed = section
            .placed
            .iter()
            .any(|b| b.place == Placement::Formulas);
        let placed = section
            .placed
            .iter()
            .zip(numbered.placed)
            .map(|(block, (figure, table))| {
                Ok(PlacedView {
                    figure,
                    table,
                    formulas_html: if block.place == Placement::Formulas {
                        formulas()?
                    } else {
                        Vec::new()
                    },
                    prose_html: self.prose(&block.markdown, SECTION_HEADING_OFFSET)?,
                })
            })
            .collect::<Result<_, ReportError>>()?;
        Ok(SectionView {
            id: section.id.clone(),
            title: section.title.clone(),
            prose_html: self.prose(&section.markdown, SECTION_HEADING_OFFSET)?,
            formulas_html: if formulas_placed {
                Vec::new()
            } else {
                formulas()?
            },
            figures: numbered.figures,
            tables: numbered.tables,
            placed,
        })
    }

    /// Markdown with its references (`{ref:fit}`) as links ("Figure 3").
    fn prose(&self, markdown: &str, heading_offset: usize) -> Result<String, ReportError> {
        markdown_to_html(&self.resolve_refs(markdown), heading_offset)
    }

    fn resolve_refs(&self, markdown: &str) -> String {
        let mut out = String::with_capacity(markdown.len());
        let mut rest = markdown;
        while let Some(start) = rest.find(REF_OPEN) {
            out.push_str(&rest[..start]);
            let tail = &rest[start + REF_OPEN.len_utf8()..];
            let Some(end) = tail.find(REF_CLOSE) else {
                break;
            };
            let (kind, name) = tail[..end].split_once(':').unwrap_or(("", &tail[..end]));
            let found = match kind {
                "" => self
                    .numbers
                    .get(&format!("figure:{name}"))
                    .or_else(|| self.numbers.get(&format!("table:{name}"))),
                kind => self.numbers.get(&format!("{kind}:{name}")),
            };
            match found {
                Some((label, anchor)) => out.push_str(&format!("[{label}](#{anchor})")),
                // Validation resolves every reference; an unshown one
                // (impossible today) reads as its name rather than vanishing.
                None => out.push_str(name),
            }
            rest = &tail[end + REF_CLOSE.len_utf8()..];
        }
        out.push_str(rest);
        out
    }

    fn figure(&mut self, section: &Section, name: &str) -> Result<FigureView, ReportError> {
        let missing = |problem| ReportError::MissingFigure {
            section: section.id.clone(),
            name: name.to_string(),
            problem,
        };
        let figure: &FigureData = self
            .results
            .figures
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| missing("is not in the results"))?;
        let svg = self.svgs.get(name).ok_or_else(|| missing("has no SVG"))?;
        let anchor = self.unique_anchor(&format!("fig-{name}"));
        // The plot stage made the element inline-ready (named for screen readers).
        let svg_html = svg.clone();
        self.figures += 1;
        self.numbers
            .entry(format!("figure:{name}"))
            .or_insert_with(|| (format!("Figure {}", self.figures), anchor.clone()));
        let mut frames = Vec::new();
        let mut control = String::new();
        if let Some(explorable) = self.results.explorables.iter().find(|e| e.name == name) {
            control = explorable.control.clone();
            for (k, value) in explorable.values.iter().enumerate() {
                let frame = explorable.frame_name(k);
                let svg = self
                    .svgs
                    .get(&frame)
                    .ok_or_else(|| missing("has a frame without an SVG"))?;
                frames.push(FrameView {
                    id: format!("{anchor}-{}", k + 1),
                    value: value.clone(),
                    svg_html: svg.clone(),
                });
            }
        }
        Ok(FigureView {
            anchor,
            name: name.to_string(),
            number: self.figures,
            title: figure.title.clone(),
            caption: figure.caption.clone(),
            alt: figure.accessible_name().to_string(),
            svg_html,
            wide: figure.columns > 1 && figure.panels.len() > 1,
            control,
            frames,
        })
    }

    fn table(&mut self, section: &Section, name: &str) -> Result<TableView, ReportError> {
        let table: &TableData = self
            .results
            .tables
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| ReportError::MissingTable {
                section: section.id.clone(),
                name: name.to_string(),
            })?;
        let mut rows: Vec<Vec<CellView>> = table
            .rows
            .iter()
            .map(|row| row.iter().map(cell).collect())
            .collect();
        let elided = match table.shown {
            Some(ends) if rows.len() > 2 * ends + 1 => Some((ends, rows.len() - 2 * ends)),
            _ => None,
        };
        let columns = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, label)| ColumnView {
                label: label.clone(),
                numeric: !rows.is_empty()
                    && rows.iter().all(|r| r.get(i).is_none_or(|c| c.numeric)),
            })
            .collect();
        if let Some((ends, hidden)) = elided {
            // The first and last rows, and between them how many are left
            // out and where they are.
            let tail = rows.split_off(rows.len() - ends);
            rows.truncate(ends);
            let mut gap = vec![CellView {
                text: format!("… {hidden} more rows (all in tables/{name}.csv) …"),
                numeric: false,
            }];
            gap.extend((1..table.columns.len()).map(|_| CellView {
                text: String::new(),
                numeric: false,
            }));
            rows.push(gap);
            rows.extend(tail);
        }
        self.tables += 1;
        let anchor = self.unique_anchor(&format!("tab-{name}"));
        self.numbers
            .entry(format!("table:{name}"))
            .or_insert_with(|| (format!("Table {}", self.tables), anchor.clone()));
        Ok(TableView {
            anchor,
            name: name.to_string(),
            number: self.tables,
            title: table.title.clone(),
            caption: table.caption.clone(),
            columns,
            rows,
        })
    }

    /// `base`, or `base-2`, `base-3`... whichever is free; then taken.
    fn unique_anchor(&mut self, base: &str) -> String {
        let mut anchor = base.to_string();
        let mut n = 1;
        while self.used_anchors.contains(&anchor) {
            n += 1;
            anchor = format!("{base}-{n}");
        }
        self.used_anchors.insert(anchor.clone());
        anchor
    }
}

fn cell(cell: &Cell) -> CellView {
    match cell {
        Cell::Text(text) => CellView {
            text: text.clone(),
            numeric: false,
        },
        Cell::Number { value, digits } => CellView {
            text: format_number(*value, Decimals::Exactly(*digits)),
            numeric: true,
        },
    }
}

fn erratum(erratum: &Erratum, builder: &Builder) -> Result<ErratumView, ReportError> {
    Ok(ErratumView {
        id: erratum.id.clone(),
        claim: erratum.claim.clone(),
        correction_html: builder.prose(&erratum.correction, ERRATUM_HEADING_OFFSET)?,
        evidence: erratum
            .evidence
            .iter()
            .map(|(name, value)| EvidenceView {
                name: name.clone(),
                value: match erratum.digits {
                    Some(digits) => format_number(*value, Decimals::Exactly(digits)),
                    None => format_evidence(*value),
                },
            })
            .collect(),
    })
}
