//! The result types of the compute stage: plain numbers, labels and styles.
//!
//! These are the contract between the stages: `compute` fills them, `plot`
//! draws [`FigureData`] into SVG/PNG bytes, `report` turns [`Results`] into
//! HTML, and the writer serialises them to `results.json` and `tables/*.csv`.
//! Nothing here computes a loss or touches a file.

use serde::Serialize;

pub use crate::scenario::FigureOptions;

/// Everything a render computed, in report order.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Results {
    /// Report title (plain text from the scenario; escaped by the report).
    pub title: String,
    /// Introductory Markdown shown before the first section.
    pub intro: String,
    /// Sections in the order the scenario lists them.
    pub sections: Vec<Section>,
    /// Every figure, referenced by name from the sections.
    pub figures: Vec<FigureData>,
    /// Every table, referenced by name from the sections.
    pub tables: Vec<TableData>,
    /// Claims of a source that the numbers contradict.
    pub errata: Vec<Erratum>,
    /// Warnings raised while computing (e.g. rows that do not sum to 1, a
    /// curve partly outside its loss's domain) that no erratum explains: the
    /// report shows them in a box at the top.
    pub warnings: Vec<String>,
    /// Warnings of quantities an erratum refers to (`when_warning` or
    /// `evidence`): the report shows them with that erratum only.
    pub explained_warnings: Vec<String>,
    /// Figures with `explore = true`: every frame (the figure of the same
    /// name in [`Results::figures`] is the first). Absent from
    /// `results.json` when there is none, so older reports keep their bytes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explorables: Vec<Explorable>,
}

/// A figure with one frame per sweep value and a control to switch them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Explorable {
    /// The figure's name; frame k (from 1) is drawn as `<name>-frame-<k>`.
    pub name: String,
    /// What the control switches (`δ`, `shift`, `outliers`).
    pub control: String,
    /// One short label per frame (`0.5`), in frame order.
    pub values: Vec<String>,
    /// Every frame with all its numbers.
    pub frames: Vec<FigureData>,
}

impl Explorable {
    /// The file stem of frame `k` (0-based); the first is the figure itself.
    pub fn frame_name(&self, k: usize) -> String {
        if k == 0 {
            self.name.clone()
        } else {
            format!("{}-frame-{}", self.name, k + 1)
        }
    }
}

/// One prose section of a report with the figures, tables and formulas it shows.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Section {
    /// Anchor id, `[a-z0-9-]+`.
    pub id: String,
    pub title: String,
    /// Markdown prose (rendered by the report with raw HTML disabled).
    pub markdown: String,
    /// Display formulas in LaTeX, rendered as MathML.
    pub formulas: Vec<String>,
    /// Names of figures in [`Results::figures`].
    pub figures: Vec<String>,
    /// Names of tables in [`Results::tables`].
    pub tables: Vec<String>,
    /// Figures, tables and formulas placed inside the text (`{{figure fit}}`
    /// lines), each with the prose that follows it; `markdown` is the prose
    /// before the first. Listed `figures` and `tables` come after all of it.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub placed: Vec<PlacedBlock>,
}

/// A placement inside a section's text and the prose after it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlacedBlock {
    #[serde(flatten)]
    pub place: crate::scenario::Placement,
    pub markdown: String,
}

/// A reference (`{ref:fit}`) in filled Markdown: `REF_OPEN kind:name
/// REF_CLOSE` (kind `figure`, `table` or empty), resolved to "Figure 3" with
/// a link by the report, which numbers figures and tables in page order.
/// Private-use characters, removed from the author's own text.
pub const REF_OPEN: char = '\u{E000}';
pub const REF_CLOSE: char = '\u{E001}';

/// A figure: one or more panels laid out on a grid.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FigureData {
    /// File stem for `figures/<name>.svg|png`, `[a-z0-9_-]+`.
    pub name: String,
    pub title: String,
    pub caption: String,
    /// Alternative text for screen readers.
    pub alt: String,
    /// Panels, laid out row by row, `columns` per row.
    pub panels: Vec<Panel>,
    pub columns: usize,
    /// How it is drawn: scales, size, legend, series styles, annotations.
    #[serde(skip_serializing_if = "FigureOptions::is_default", default)]
    pub options: FigureOptions,
}

impl FigureData {
    /// What a screen reader announces: the alt text, or the title when the
    /// alt text is empty (some name beats silence).
    pub fn accessible_name(&self) -> &str {
        if self.alt.trim().is_empty() {
            &self.title
        } else {
            &self.alt
        }
    }
}

/// One set of axes.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Panel {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// Axis ranges; series points outside them are cut, not clamped.
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    /// For bar panels: the category labels on the x axis (bar i at x = i).
    pub categories: Vec<String>,
    pub series: Vec<Series>,
}

/// One curve, point cloud or bar group.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Series {
    pub label: String,
    pub kind: SeriesKind,
    /// The colour key: a loss name (`mae`, `huber`...) so one loss has one colour
    /// in every figure, or a role (`target`, `prediction`, `p`, `q`, `derivative`).
    pub color_key: String,
    /// Dashed line (second cue for greyscale print).
    pub dashed: bool,
    /// (x, y) pairs; non-finite y values break a line into pieces.
    pub points: Vec<(f64, f64)>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SeriesKind {
    Line,
    Points,
    /// Bars at x = category index; several bar series in one panel sit side by side.
    Bars,
}

/// A table with a header row.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TableData {
    /// File stem for `tables/<name>.csv`, `[a-z0-9_-]+`.
    pub name: String,
    pub title: String,
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// The page shows only the first and last this many rows (with a count
    /// of the rest); `tables/NAME.csv` and `results.json` hold all of them.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub shown: Option<usize>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Cell {
    Text(String),
    /// Shown with `digits` significant decimals in HTML; full precision in CSV/JSON.
    Number {
        value: f64,
        digits: usize,
    },
}

/// A claim of the source that the computed numbers contradict.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Erratum {
    pub id: String,
    /// What the source says (short quote or paraphrase).
    pub claim: String,
    /// What is right, in Markdown.
    pub correction: String,
    /// Named numbers that back the correction.
    pub evidence: Vec<(String, f64)>,
    /// Decimals of the evidence numbers in the report (None: up to 3, trailing zeros trimmed).
    pub digits: Option<usize>,
}
