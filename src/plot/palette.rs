//! One colour per loss (or role) across every figure and every report swatch.
//!
//! Colours come from the Okabe–Ito palette, which stays distinguishable for the
//! common forms of colour blindness. Its yellow (#F0E442) is left out: a thin
//! yellow line on white disappears on a projector.

use std::collections::BTreeMap;

use crate::loss::{loss_hue, Hue};

/// An sRGB colour.
pub type Rgb = (u8, u8, u8);

/// Okabe–Ito without yellow, in the order unknown keys hash into.
pub const PALETTE: [Rgb; 7] = [
    BLUE,
    VERMILLION,
    BLUISH_GREEN,
    REDDISH_PURPLE,
    ORANGE,
    SKY_BLUE,
    BLACK,
];

pub const BLACK: Rgb = (0x00, 0x00, 0x00);
pub const ORANGE: Rgb = (0xE6, 0x9F, 0x00);
pub const SKY_BLUE: Rgb = (0x56, 0xB4, 0xE9);
pub const BLUISH_GREEN: Rgb = (0x00, 0x9E, 0x73);
pub const BLUE: Rgb = (0x00, 0x72, 0xB2);
pub const VERMILLION: Rgb = (0xD5, 0x5E, 0x00);
pub const REDDISH_PURPLE: Rgb = (0xCC, 0x79, 0xA7);

/// The RGB value of a loss's fixed colour (the core names it; see
/// `Definition::hue`).
pub fn hue_rgb(hue: Hue) -> Rgb {
    match hue {
        Hue::Blue => BLUE,
        Hue::Vermillion => VERMILLION,
        Hue::BluishGreen => BLUISH_GREEN,
        Hue::ReddishPurple => REDDISH_PURPLE,
        Hue::Orange => ORANGE,
        Hue::SkyBlue => SKY_BLUE,
        Hue::Black => BLACK,
    }
}

/// Colours of roles that are not losses. Keys that appear together in one
/// figure (target and prediction; a loss and its derivative) get different
/// colours; keys that never meet may share one.
const ROLES: &[(&str, Rgb)] = &[
    // The data figure: the article's red points and green line, in the
    // colour-blind-safe palette.
    ("original", VERMILLION),
    ("predicted", BLUISH_GREEN),
    ("target", BLACK),
    ("truth", BLACK),
    ("y", BLACK),
    ("p", BLACK),
    ("prediction", VERMILLION),
    ("yhat", VERMILLION),
    ("q", VERMILLION),
    ("model", VERMILLION),
    ("derivative", SKY_BLUE),
    ("gradient", SKY_BLUE),
    ("hessian", REDDISH_PURPLE),
    ("second_derivative", REDDISH_PURPLE),
    ("difference", ORANGE),
    ("residual", ORANGE),
];

/// The fixed colour of a key: a role's, or a loss's (by name or alias) from
/// the catalogue.
fn fixed(key: &str) -> Option<Rgb> {
    ROLES
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, rgb)| *rgb)
        .or_else(|| loss_hue(key).map(hue_rgb))
}

/// The colour of a loss name or role. Case, `-` and spaces are ignored
/// (`Smooth-L1` = `smooth_l1`); unknown keys get a colour from a hash of the
/// key, so they are stable across runs and figures too.
pub fn color_for(key: &str) -> Rgb {
    let key = normalise(key);
    fixed(&key).unwrap_or_else(|| PALETTE[(fnv1a(&key) % PALETTE.len() as u64) as usize])
}

/// The colours of the series of one panel, in order. A loss keeps its fixed
/// colour (so MAE looks the same in every figure) unless another loss of the
/// same panel has that colour too; then it, and any key without a fixed
/// colour (sweep members `name:i`, unknown keys), takes the first palette
/// colour the panel does not use yet. Series with the same key share a colour.
pub fn panel_colors(keys: &[&str]) -> Vec<Rgb> {
    let keys: Vec<String> = keys.iter().map(|k| normalise(k)).collect();
    // A map and a short list of colours in use (never longer than the
    // palette plus the fixed colours): linear in the series, where scanning
    // every earlier series made a long sweep quadratic.
    let mut assigned: BTreeMap<&str, Rgb> = BTreeMap::new();
    let mut used: Vec<Rgb> = Vec::new();
    // First pass: fixed colours, first come first served.
    for key in &keys {
        if let Some(colour) = fixed(key) {
            if !assigned.contains_key(key.as_str()) && !used.contains(&colour) {
                assigned.insert(key, colour);
                used.push(colour);
            }
        }
    }
    // Second pass: everything else gets a free colour, or its own if all are used.
    for key in &keys {
        if !assigned.contains_key(key.as_str()) {
            let colour = PALETTE
                .iter()
                .copied()
                .find(|c| !used.contains(c))
                .unwrap_or_else(|| color_for(key));
            assigned.insert(key, colour);
            if !used.contains(&colour) {
                used.push(colour);
            }
        }
    }
    keys.iter()
        .map(|key| {
            assigned
                .get(key.as_str())
                .copied()
                .unwrap_or_else(|| color_for(key))
        })
        .collect()
}

/// [`color_for`] as a CSS hex colour, `#rrggbb`, for report swatches.
pub fn color_hex(key: &str) -> String {
    let (r, g, b) = color_for(key);
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn normalise(key: &str) -> String {
    key.trim()
        .chars()
        .map(|c| match c {
            '-' | ' ' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// FNV-1a: fixed, documented and independent of std's randomised hasher.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn losses_in_one_panel_never_share_a_colour() {
        // cce and scce both have blue as their fixed colour; the second moves.
        let keys = [
            "categorical_cross_entropy",
            "sparse_categorical_cross_entropy",
            "categorical_hinge",
            "cosine_similarity",
            "binary_cross_entropy:1",
        ];
        let colours = panel_colors(&keys);
        assert_eq!(colours[0], color_for("categorical_cross_entropy"));
        for i in 0..colours.len() {
            for j in 0..i {
                assert_ne!(colours[i], colours[j], "{} and {}", keys[i], keys[j]);
            }
        }
        // Alone, or beside losses of other colours, a loss keeps its own.
        let colours = panel_colors(&["mse", "mae", "huber", "mae"]);
        assert_eq!(colours[1], color_for("mae"));
        assert_eq!(colours[1], colours[3]);
        assert_eq!(colours[2], color_for("huber"));
    }

    #[test]
    fn same_key_same_colour() {
        assert_eq!(color_for("huber"), color_for("huber"));
        assert_eq!(color_for("Smooth-L1"), color_for("smooth_l1"));
        assert_eq!(color_for("some_new_loss"), color_for("some_new_loss"));
    }

    #[test]
    fn regression_losses_differ() {
        let keys = [
            "mae",
            "mse",
            "huber",
            "smooth_l1",
            "log_cosh",
            "quantile",
            "poisson",
        ];
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(color_for(a), color_for(b), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn roles_that_meet_differ() {
        assert_ne!(color_for("target"), color_for("prediction"));
        assert_ne!(color_for("p"), color_for("q"));
        assert_ne!(color_for("hinge"), color_for("squared_hinge"));
        assert_ne!(color_for("hinge"), color_for("binary_cross_entropy"));
        assert_ne!(color_for("huber"), color_for("derivative"));
    }

    #[test]
    fn unknown_keys_stay_in_palette() {
        for key in ["a", "b", "zzz", ""] {
            assert!(PALETTE.contains(&color_for(key)));
        }
    }

    /// Every loss of the catalogue has its own fixed colour, by name and by alias.
    #[test]
    fn every_loss_has_a_fixed_colour() {
        for info in crate::loss::catalogue() {
            assert_eq!(fixed(info.name), Some(hue_rgb(info.hue)), "{}", info.name);
            for alias in info.aliases {
                assert_eq!(color_for(alias), hue_rgb(info.hue), "{alias}");
            }
        }
    }

    #[test]
    fn hex_form() {
        assert_eq!(color_hex("mae"), "#0072b2");
        assert_eq!(color_hex("mse"), "#d55e00");
    }
}
