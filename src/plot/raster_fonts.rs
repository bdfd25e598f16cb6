//! The font databases resvg lays text out with: the embedded DejaVu Sans
//! (regular and bold) as `sans-serif`, once in full and once without glyph
//! outlines for layout only. Shared by the rasteriser (`raster`) and the
//! glyph stamps (`text_stamps`), so neither imports the other.

use std::sync::{Arc, OnceLock};

use resvg::usvg;

/// The font database with DejaVu Sans (regular and bold) as `sans-serif`, built once.
pub(super) fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS.get_or_init(|| database(FULL)).clone()
}

/// The same fonts without their glyph outlines (the `glyf` table), for
/// laying labels out only: their glyphs are drawn from masks of the full
/// fonts (see `text_stamps`).
///
/// Why: usvg turns every glyph of every label it lays out into a path, which
/// the stamps never use: about 150,000 instructions a label. Without `glyf`
/// a glyph has no outline and usvg skips it; shaping (cmap, GSUB, GPOS) and
/// metrics (hmtx, hhea, OS/2) are untouched, so the glyphs and their
/// positions are the same (a test compares them with the full fonts').
pub(super) fn layout_fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS.get_or_init(|| database(LAYOUT)).clone()
}

/// DejaVu Sans regular and bold without `kern` (see `font_tables`), made by
/// `build.rs`.
const FULL: [&[u8]; 2] = [
    include_bytes!(concat!(env!("OUT_DIR"), "/regular-full.ttf")),
    include_bytes!(concat!(env!("OUT_DIR"), "/bold-full.ttf")),
];

/// The same without `glyf` either (see [`layout_fonts`]), made by `build.rs`.
const LAYOUT: [&[u8]; 2] = [
    include_bytes!(concat!(env!("OUT_DIR"), "/regular-layout.ttf")),
    include_bytes!(concat!(env!("OUT_DIR"), "/bold-layout.ttf")),
];

/// The two `fonts` (regular, bold) as `sans-serif`. The database borrows
/// the bytes embedded in the binary: nothing is copied, and only the pages
/// of the tables read are touched.
fn database(fonts: [&'static [u8]; 2]) -> Arc<usvg::fontdb::Database> {
    let mut db = usvg::fontdb::Database::new();
    for font in fonts {
        db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(font)));
    }
    db.set_sans_serif_family("DejaVu Sans");
    Arc::new(db)
}

/// The face of the full fonts ([`fonts`]) that is face `id` of the layout
/// fonts ([`layout_fonts`]): both load the same files in the same order.
pub(super) fn full_face(id: usvg::fontdb::ID) -> Option<usvg::fontdb::ID> {
    let index = layout_fonts().faces().position(|face| face.id == id)?;
    fonts().faces().nth(index).map(|face| face.id)
}

/// The full and the layout fonts, for tests elsewhere in the module tree.
#[cfg(test)]
pub(super) fn test_fonts() -> (Arc<usvg::fontdb::Database>, Arc<usvg::fontdb::Database>) {
    (fonts(), layout_fonts())
}

/// Build the font databases now (see [`fonts`]).
pub(super) fn load_fonts() {
    fonts();
    layout_fonts();
}

#[cfg(test)]
mod tests {
    use super::super::font_tables::{without_tables, Weight, STRIPPED};
    use super::*;

    /// The fonts `build.rs` wrote, and the binary embeds, are DejaVu Sans
    /// without the tables `font_tables` names, byte for byte, in the order
    /// the databases load them.
    #[test]
    fn the_embedded_fonts_are_dejavu_without_their_tables() {
        let embedded = [FULL[0], FULL[1], LAYOUT[0], LAYOUT[1]];
        for ((_, weight, left_out), font) in STRIPPED.into_iter().zip(embedded) {
            let original = match weight {
                Weight::Regular => dejavu::sans::regular(),
                Weight::Bold => dejavu::sans::bold(),
            };
            assert_eq!(font, without_tables(original, left_out));
            assert_ne!(font, original);
        }
    }

    /// The outline-free layout fonts hold the same faces, in the same order,
    /// as the full fonts, without glyph outlines.
    #[test]
    fn layout_fonts_are_the_full_fonts_without_outlines() {
        let (full, layout) = (fonts(), layout_fonts());
        assert_eq!(full.len(), 2);
        assert_eq!(layout.len(), full.len());
        for (a, b) in layout.faces().zip(full.faces()) {
            assert_eq!(a.families, b.families);
            assert_eq!((a.weight, a.style), (b.weight, b.style));
            assert_eq!(full_face(a.id), Some(b.id));
            let glyph = |db: &usvg::fontdb::Database, id| {
                db.with_face_data(id, |data, index| {
                    let face = ttf_parser::Face::parse(data, index).unwrap();
                    let a = face.glyph_index('a').unwrap();
                    (a, face.glyph_bounding_box(a).is_some())
                })
                .unwrap()
            };
            let (in_layout, in_full) = (glyph(&layout, a.id), glyph(&full, b.id));
            assert_eq!(in_layout.0, in_full.0);
            assert!(in_full.1 && !in_layout.1);
        }
    }

    /// The table tags of a font's directory, in order.
    fn tags(font: &[u8]) -> Vec<[u8; 4]> {
        let count = usize::from(u16::from_be_bytes([font[4], font[5]]));
        (0..count)
            .map(|i| font[12 + 16 * i..16 + 16 * i].try_into().unwrap())
            .collect()
    }

    #[test]
    fn the_kern_table_leaves_the_directory_and_nothing_else_moves() {
        let font = dejavu::sans::regular();
        let stripped = without_tables(font, &[*b"kern"]);
        let before = tags(font);
        let after = tags(&stripped);
        assert!(before.contains(b"kern"));
        assert_eq!(after.len(), before.len() - 1);
        let expected: Vec<[u8; 4]> = before.into_iter().filter(|t| t != b"kern").collect();
        assert_eq!(after, expected);
        assert_eq!(stripped.len(), font.len());
        // After the directory, every byte is where it was.
        let end = 12 + 16 * expected.len() + 16;
        assert_eq!(stripped[end..], font[end..]);
        assert!(stripped[end - 16..end].iter().all(|&b| b == 0));
        // Binary-search fields for 19 tables: 16 × 16, 4, 19 × 16 − 256.
        assert_eq!(&stripped[6..12], &[1, 0, 0, 4, 0, 48]);
        // The stripped font still loads.
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(stripped);
        assert_eq!(db.len(), 1);
        assert_eq!(without_tables(font, &[*b"zzzz"]), font);
    }
}
