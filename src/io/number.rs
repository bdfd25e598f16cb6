//! One number from a text cell: surrounding blanks ignored, parsed exactly
//! (correctly rounded, as Rust's own parser) by `fast-float2`, which is
//! several times faster, and refused if it is not finite.

/// Why a cell is not a usable number.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CellProblem {
    Empty,
    NotANumber,
    NotFinite(f64),
}

impl CellProblem {
    /// A message about `cell` (the raw text of the cell).
    pub(crate) fn describe(&self, cell: &[u8]) -> String {
        match self {
            CellProblem::Empty => "is empty".to_string(),
            CellProblem::NotANumber => {
                format!(
                    "`{}` is not a number",
                    String::from_utf8_lossy(cell.trim_ascii())
                )
            }
            CellProblem::NotFinite(x) => {
                format!("is {x}; every value must be a finite number")
            }
        }
    }
}

/// Parse one cell.
pub(crate) fn parse_cell(cell: &[u8]) -> Result<f64, CellProblem> {
    let text = cell.trim_ascii();
    if text.is_empty() {
        return Err(CellProblem::Empty);
    }
    match fast_float2::parse::<f64, _>(text) {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(x) => Err(CellProblem::NotFinite(x)),
        Err(_) => Err(CellProblem::NotANumber),
    }
}

/// Does this cell hold a number (finite or not)? Used to recognise a header line.
pub(crate) fn is_number(cell: &[u8]) -> bool {
    !matches!(
        parse_cell(cell),
        Err(CellProblem::Empty | CellProblem::NotANumber)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly_what_rust_parses() {
        for text in [
            "0.1",
            " 1e-300 ",
            "-2.5E+3",
            "5e-324",
            "1.7976931348623157e308",
            "+3",
            ".5",
            "7.",
        ] {
            let expected: f64 = text.trim().parse().unwrap();
            assert_eq!(
                parse_cell(text.as_bytes()).unwrap().to_bits(),
                expected.to_bits(),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_empty_text_and_non_finite_cells() {
        assert_eq!(parse_cell(b"  "), Err(CellProblem::Empty));
        assert_eq!(parse_cell(b"abc"), Err(CellProblem::NotANumber));
        assert_eq!(parse_cell(b"1.5x"), Err(CellProblem::NotANumber));
        assert!(matches!(parse_cell(b"NaN"), Err(CellProblem::NotFinite(x)) if x.is_nan()));
        assert_eq!(
            parse_cell(b"-inf"),
            Err(CellProblem::NotFinite(f64::NEG_INFINITY))
        );
        assert_eq!(
            CellProblem::NotANumber.describe(b" two "),
            "`two` is not a number"
        );
        assert!(is_number(b"inf") && !is_number(b"target"));
    }
}
