//! What `eval` prints: a table for a person or one JSON object for a script,
//! written batch by batch into a buffered writer, numbers as the shortest
//! text that reads back as the same float (`ryu` for the table, serde_json's
//! formatter for JSON), one reused line buffer, no allocation per sample.

use std::io::Write;

use crate::loss::{Loss, ParamValue, Reduction};

/// Per-sample cells of one column of a batch.
#[derive(Debug, Clone, Copy)]
pub enum Cells<'a> {
    /// One number per sample.
    Flat(&'a [f64]),
    /// One row of `width` numbers per sample, row-major.
    Rows(&'a [f64], usize),
    /// The same row for every sample (a 1-D input to a row loss is one row).
    Whole(&'a [f64]),
}

impl Cells<'_> {
    fn write(&self, i: usize, out: &mut Vec<u8>, json: bool) {
        match *self {
            Cells::Flat(values) => number(out, values[i], json),
            Cells::Rows(values, width) => row(out, &values[i * width..(i + 1) * width], json),
            Cells::Whole(values) => row(out, values, json),
        }
    }
}

/// One batch of evaluated samples.
pub struct Samples<'a> {
    pub first_row: u64,
    pub rows: usize,
    pub target: Cells<'a>,
    pub prediction: Cells<'a>,
    pub per_sample: &'a [f64],
    pub gradient: Cells<'a>,
    pub hessian: Option<&'a [f64]>,
}

/// A number as the table (`inf`, `NaN`) or the JSON contract (`"Infinity"`) writes it.
pub fn number(out: &mut Vec<u8>, x: f64, json: bool) {
    if x.is_finite() && json {
        // serde_json's own float text, which the JSON contract was written with.
        let _infallible =
            serde_json::ser::Formatter::write_f64(&mut serde_json::ser::CompactFormatter, out, x);
    } else if x.is_finite() {
        out.extend_from_slice(ryu::Buffer::new().format_finite(x).as_bytes());
    } else {
        let name = match (json, x.is_nan(), x > 0.0) {
            (true, true, _) => "\"NaN\"",
            (true, false, true) => "\"Infinity\"",
            (true, false, false) => "\"-Infinity\"",
            (false, true, _) => "NaN",
            (false, false, true) => "inf",
            (false, false, false) => "-inf",
        };
        out.extend_from_slice(name.as_bytes());
    }
}

fn row(out: &mut Vec<u8>, values: &[f64], json: bool) {
    out.push(b'[');
    for (k, &x) in values.iter().enumerate() {
        if k > 0 {
            out.extend_from_slice(if json { b"," } else { b", " });
        }
        number(out, x, json);
    }
    out.push(b']');
}

/// A parameter as JSON (as `--param` would take it back).
fn param_json(value: &ParamValue) -> String {
    let json = match value {
        ParamValue::Number(x) => crate::export::json_number(*x),
        ParamValue::Bool(b) => serde_json::Value::from(*b),
        ParamValue::Text(s) => serde_json::Value::from(s.as_str()),
        ParamValue::List(xs) => {
            serde_json::Value::Array(xs.iter().map(|x| crate::export::json_number(*x)).collect())
        }
        ParamValue::None => serde_json::Value::Null,
    };
    json.to_string()
}

/// The reduction's name, `none` for per-sample values only.
pub fn reduction_name(reduction: Option<Reduction>) -> &'static str {
    reduction.map_or("none", Reduction::as_str)
}

/// The lines before the samples: loss, parameters, reduction, value.
pub fn table_head(
    out: &mut impl Write,
    loss: &Loss,
    reduction: Option<Reduction>,
    value: Option<f64>,
    samples: Option<u64>,
) -> std::io::Result<()> {
    writeln!(out, "loss       {}", loss.name())?;
    let params: Vec<String> = loss
        .params()
        .iter()
        .map(|(key, value)| format!("{key} = {}", super::list::param_text(value)))
        .collect();
    if !params.is_empty() {
        writeln!(out, "params     {}", params.join(", "))?;
    }
    writeln!(out, "reduction  {}", reduction_name(reduction))?;
    if let Some(value) = value {
        let mut text = Vec::new();
        number(&mut text, value, false);
        out.write_all(b"value      ")?;
        out.write_all(&text)?;
        out.write_all(b"\n")?;
    }
    if let Some(samples) = samples {
        writeln!(out, "samples    {samples}")?;
    }
    Ok(())
}

/// How many samples decide the column widths: a rare wider cell later just
/// pushes its line out.
const WIDTH_SAMPLE: usize = 1000;

/// The per-sample table, written batch by batch.
pub struct Table {
    widths: Vec<usize>,
    has_hessian: bool,
    line: Vec<u8>,
    /// End of each cell in `line`.
    ends: Vec<usize>,
}

impl Table {
    const HEADER: [&'static str; 6] = [
        "sample",
        "target",
        "prediction",
        "loss",
        "gradient",
        "hessian",
    ];

    pub fn new(has_hessian: bool) -> Table {
        let columns = if has_hessian { 6 } else { 5 };
        Table {
            widths: Table::HEADER[..columns].iter().map(|h| h.len()).collect(),
            has_hessian,
            line: Vec::with_capacity(256),
            ends: Vec::with_capacity(6),
        }
    }

    fn fill(&mut self, samples: &Samples<'_>, i: usize) {
        self.line.clear();
        self.ends.clear();
        let mut index = itoa::Buffer::new();
        self.line
            .extend_from_slice(index.format(samples.first_row + i as u64).as_bytes());
        self.ends.push(self.line.len());
        samples.target.write(i, &mut self.line, false);
        self.ends.push(self.line.len());
        samples.prediction.write(i, &mut self.line, false);
        self.ends.push(self.line.len());
        number(&mut self.line, samples.per_sample[i], false);
        self.ends.push(self.line.len());
        samples.gradient.write(i, &mut self.line, false);
        self.ends.push(self.line.len());
        if let (true, Some(hessian)) = (self.has_hessian, samples.hessian) {
            number(&mut self.line, hessian[i], false);
            self.ends.push(self.line.len());
        }
    }

    /// Column widths from the first samples, then the header line.
    pub fn start(&mut self, out: &mut impl Write, first: &Samples<'_>) -> std::io::Result<()> {
        for i in 0..first.rows.min(WIDTH_SAMPLE) {
            self.fill(first, i);
            let mut start = 0;
            for (width, &end) in self.widths.iter_mut().zip(&self.ends) {
                *width = (*width).max(end - start);
                start = end;
            }
        }
        self.line.clear();
        self.ends.clear();
        for header in &Table::HEADER[..self.widths.len()] {
            self.line.extend_from_slice(header.as_bytes());
            self.ends.push(self.line.len());
        }
        writeln!(out)?;
        self.write_line(out)
    }

    fn write_line(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        let mut start = 0;
        let last = self.ends.len() - 1;
        for (k, &end) in self.ends.iter().enumerate() {
            out.write_all(&self.line[start..end])?;
            if k < last {
                let pad = self.widths[k].saturating_sub(end - start) + 2;
                out.write_all(&b"                                "[..pad.min(32)])?;
                for _ in 32..pad {
                    out.write_all(b" ")?;
                }
            }
            start = end;
        }
        out.write_all(b"\n")
    }

    pub fn write(&mut self, out: &mut impl Write, samples: &Samples<'_>) -> std::io::Result<()> {
        for i in 0..samples.rows {
            self.fill(samples, i);
            self.write_line(out)?;
        }
        Ok(())
    }
}

/// One JSON array written in pieces: `[`, the values batch by batch, `]`.
pub struct JsonArray {
    first: bool,
    buffer: Vec<u8>,
}

impl JsonArray {
    pub fn open(out: &mut impl Write, key: &str) -> std::io::Result<JsonArray> {
        write!(out, "\"{key}\":[")?;
        Ok(JsonArray {
            first: true,
            buffer: Vec::with_capacity(1 << 16),
        })
    }

    pub fn write(
        &mut self,
        out: &mut impl Write,
        cells: Cells<'_>,
        rows: usize,
    ) -> std::io::Result<()> {
        self.buffer.clear();
        for i in 0..rows {
            if !self.first {
                self.buffer.push(b',');
            }
            self.first = false;
            cells.write(i, &mut self.buffer, true);
        }
        out.write_all(&self.buffer)
    }

    pub fn close(self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(b"]")
    }
}

/// The JSON members after the arrays, in the contract's (alphabetical) order:
/// `loss`, `params`, then `per_sample` (written by the caller), then these.
pub fn json_loss_and_params(out: &mut impl Write, loss: &Loss) -> std::io::Result<()> {
    write!(
        out,
        "\"loss\":{},\"params\":{{",
        serde_json::Value::from(loss.name())
    )?;
    for (k, (key, value)) in loss.params().iter().enumerate() {
        if k > 0 {
            out.write_all(b",")?;
        }
        write!(
            out,
            "{}:{}",
            serde_json::Value::from(key.as_str()),
            param_json(value)
        )?;
    }
    out.write_all(b"}")
}

/// `reduction`, `samples` (summary only), `value` and `warnings`.
pub fn json_tail(
    out: &mut impl Write,
    reduction: Option<Reduction>,
    samples: Option<u64>,
    value: Option<f64>,
    warnings: &[String],
) -> std::io::Result<()> {
    write!(out, "\"reduction\":\"{}\"", reduction_name(reduction))?;
    if let Some(samples) = samples {
        write!(out, ",\"samples\":{samples}")?;
    }
    if let Some(value) = value {
        let mut text = Vec::new();
        number(&mut text, value, true);
        out.write_all(b",\"value\":")?;
        out.write_all(&text)?;
    }
    write!(
        out,
        ",\"warnings\":{}",
        serde_json::Value::from(warnings.to_vec())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_shortest_round_trip_and_named_when_not_finite() {
        let text = |x: f64, json: bool| {
            let mut out = Vec::new();
            number(&mut out, x, json);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(text(0.1 + 0.2, false), "0.30000000000000004");
        assert_eq!(text(1e-300, false), "1e-300");
        assert_eq!(text(2.0, true), "2.0");
        assert_eq!(text(f64::INFINITY, true), "\"Infinity\"");
        assert_eq!(text(f64::NEG_INFINITY, false), "-inf");
        assert_eq!(text(f64::NAN, true), "\"NaN\"");
        // The same text as serde_json, which the JSON contract was written with.
        for x in [0.1, 1e21, 1.5e-7, -3.0, 123456.789, 5e-324] {
            assert_eq!(text(x, true), serde_json::Value::from(x).to_string());
        }
    }

    #[test]
    fn table_lines_are_padded_to_the_widest_early_cell() {
        let target = [1.0, 22.5];
        let samples = Samples {
            first_row: 0,
            rows: 2,
            target: Cells::Flat(&target),
            prediction: Cells::Rows(&[0.5, 0.5, 0.25, 0.75], 2),
            per_sample: &[0.5, 1.0],
            gradient: Cells::Whole(&[1.0, -1.0]),
            hessian: None,
        };
        let mut table = Table::new(false);
        let mut out = Vec::new();
        table.start(&mut out, &samples).unwrap();
        table.write(&mut out, &samples).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\nsample  target  prediction    loss  gradient\n\
             0       1.0     [0.5, 0.5]    0.5   [1.0, -1.0]\n\
             1       22.5    [0.25, 0.75]  1.0   [1.0, -1.0]\n"
        );
    }
}
