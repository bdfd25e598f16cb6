//! `losslab list`: every loss with aliases, parameters, defaults and formula.

use std::fmt::Write as _;

use crate::loss::{catalogue, ParamValue, Shape};

pub fn run() -> anyhow::Result<()> {
    print!("{}", listing());
    Ok(())
}

/// The listing as text (separate from printing so tests can read it).
pub fn listing() -> String {
    let mut out = String::new();
    for info in catalogue() {
        let shape = match info.shape {
            Shape::Elementwise => "elementwise",
            Shape::Rows => "rows",
        };
        let _ = write!(out, "{}", info.name);
        if !info.aliases.is_empty() {
            let _ = write!(out, " (aliases: {})", info.aliases.join(", "));
        }
        let _ = writeln!(out, "  [{}, {shape}]", info.family);
        let _ = writeln!(out, "    {}", info.formula);
        for param in &info.params {
            let _ = writeln!(
                out,
                "    --param {}={}  {}",
                param.name,
                param_text(&param.default),
                param.doc
            );
        }
        out.push('\n');
    }
    out
}

/// A parameter value as `list` and `eval` show it: `none`, `-100` (Rust
/// writes an integer-valued number without `.0`), `[1, 2.5]`.
pub(crate) fn param_text(value: &ParamValue) -> String {
    match value {
        ParamValue::Number(x) => format!("{x}"),
        ParamValue::Bool(b) => b.to_string(),
        ParamValue::Text(s) => s.clone(),
        ParamValue::List(xs) => {
            let items: Vec<String> = xs.iter().map(|x| format!("{x}")).collect();
            format!("[{}]", items.join(", "))
        }
        ParamValue::None => "none".to_string(),
    }
}
