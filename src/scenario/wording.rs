//! toml and serde's reasons in an author's words: a mistyped key gets the
//! nearest known key, and Rust's type names (`usize`, `f64`, `a sequence`)
//! become "a whole number", "a number", "a list".

use super::error::nearest;

/// serde's expectation → what an author calls it.
const EXPECTED: &[(&str, &str)] = &[
    ("usize", "a whole number (0 or more)"),
    ("u64", "a whole number (0 or more)"),
    ("u32", "a whole number (0 or more)"),
    ("u16", "a whole number (0 or more)"),
    ("u8", "a whole number (0 or more)"),
    ("i64", "a whole number"),
    ("i32", "a whole number"),
    ("f64", "a number"),
    ("f32", "a number"),
    ("a sequence", "a list ([…])"),
    (
        "an array of length 2",
        "a list of two numbers ([low, high])",
    ),
    ("a boolean", "true or false"),
    ("a borrowed string", "a string"),
];

/// What serde found → what an author calls it.
const FOUND: &[(&str, &str)] = &[
    ("invalid type: string ", "found the string "),
    ("invalid type: integer ", "found the whole number "),
    ("invalid type: floating point ", "found the number "),
    ("invalid type: boolean ", "found "),
    ("invalid type: sequence", "found a list"),
    ("invalid type: map", "found a table"),
    ("invalid value: integer ", "found the whole number "),
];

/// A toml/serde reason, reworded; anything not recognised is kept as it is.
pub(crate) fn plain_reason(reason: &str) -> String {
    if let Some(suggested) = suggest_known(reason) {
        return suggested;
    }
    let mut out = reason.to_string();
    for (serde, plain) in FOUND {
        if let Some(rest) = out.strip_prefix(serde) {
            out = format!("{plain}{rest}");
            break;
        }
    }
    if let Some((found, expected)) = out.rsplit_once(", expected ") {
        if let Some((_, plain)) = EXPECTED.iter().find(|(serde, _)| *serde == expected) {
            out = format!("{found}, expected {plain}");
        }
    }
    out
}

/// ``unknown field `captoin`, expected one of `name`, `caption`…`` →
/// ``unknown key `captoin` (did you mean `caption`?)``; the whole list of
/// known keys is kept only when none is close.
fn suggest_known(reason: &str) -> Option<String> {
    let (what, rest) = [("unknown field `", "key"), ("unknown variant `", "value")]
        .iter()
        .find_map(|(prefix, what)| Some((*what, reason.strip_prefix(prefix)?)))?;
    let (given, known) = rest.split_once("`, expected ")?;
    let known: Vec<&str> = known
        .trim_start_matches("one of ")
        .split(['`'])
        .filter(|part| !matches!(part.trim(), "" | "," | "or"))
        .collect();
    Some(match nearest(given, &known) {
        Some(best) => format!("unknown {what} `{given}` (did you mean `{best}`?)"),
        None => {
            let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            format!(
                "unknown {what} `{given}`; expected one of {}",
                list.join(", ")
            )
        }
    })
}

/// The symbol of a swept parameter in labels (`delta` → `δ`).
pub(crate) fn symbol(param: &str) -> String {
    match param {
        "delta" => "δ".into(),
        "beta" => "β".into(),
        "tau" => "τ".into(),
        "gamma" => "γ".into(),
        "alpha" => "α".into(),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mistyped_key_gets_the_nearest_known_key() {
        assert_eq!(
            plain_reason("unknown field `captoin`, expected one of `name`, `kind`, `caption`"),
            "unknown key `captoin` (did you mean `caption`?)"
        );
        assert_eq!(
            plain_reason("unknown field `zzz`, expected `kind` or `delta`"),
            "unknown key `zzz`; expected one of `kind`, `delta`"
        );
        assert_eq!(
            plain_reason("unknown variant `loss_curv`, expected one of `loss_curve`, `data`"),
            "unknown value `loss_curv` (did you mean `loss_curve`?)"
        );
    }

    #[test]
    fn types_are_named_as_an_author_names_them() {
        assert_eq!(
            plain_reason("invalid type: string \"2\", expected usize"),
            "found the string \"2\", expected a whole number (0 or more)"
        );
        assert_eq!(
            plain_reason("invalid type: string \"a\", expected a sequence"),
            "found the string \"a\", expected a list ([…])"
        );
        assert_eq!(
            plain_reason("invalid type: string \"a\", expected f64"),
            "found the string \"a\", expected a number"
        );
        assert_eq!(plain_reason("something else"), "something else");
    }
}
