//! Fonts with tables left out of their table directory. Compiled twice: by
//! `build.rs`, which writes the fonts the PNGs lay text out with into the
//! build's output folder (so the binary embeds them ready to use and no
//! copy is made at run time), and by the crate's tests, which check that
//! those embedded fonts are this function's output. It uses `std` only.

/// The font file `font` with the tables `tags` left out of its table
/// directory (the tables' bytes stay where they are, unreferenced).
///
/// Why `kern` (`glyf`: see `raster_fonts::layout_fonts`): usvg builds a
/// fresh shaper for every text element, and the shaper indexes the legacy
/// `kern` table's glyph pairs each time (about 400,000 instructions per
/// label for DejaVu Sans, half the cost of a PNG's text). DejaVu Sans kerns
/// through its GPOS `kern` feature, and a shaper applies the legacy table
/// only to fonts without one, so the glyph positions, and the pixels, are
/// the same without it (the render tests compare the PNGs byte for byte).
/// A font that is not a plain TrueType file, or has none of the tables,
/// comes back unchanged.
pub fn without_tables(font: &[u8], tags: &[[u8; 4]]) -> Vec<u8> {
    const HEADER: usize = 12;
    const RECORD: usize = 16;
    let mut out = font.to_vec();
    let Some(count) = font
        .get(4..6)
        .map(|n| usize::from(u16::from_be_bytes([n[0], n[1]])))
    else {
        return out;
    };
    let Some(records) = font.get(HEADER..HEADER + count * RECORD) else {
        return out;
    };
    let kept: Vec<&[u8]> = records
        .chunks_exact(RECORD)
        .filter(|record| !tags.iter().any(|tag| record[..4] == *tag))
        .collect();
    if kept.len() == count {
        return out;
    }
    // Table offsets count from the start of the file, so a shorter directory
    // followed by zeros leaves every other table where its record says it is.
    // The binary-search fields follow the OpenType formula for the new count.
    let new_count = kept.len() as u16;
    let entry_selector = 15 - new_count.max(1).leading_zeros() as u16;
    let search_range = (1u16 << entry_selector) * RECORD as u16;
    let range_shift = new_count * RECORD as u16 - search_range;
    out[4..6].copy_from_slice(&new_count.to_be_bytes());
    out[6..8].copy_from_slice(&search_range.to_be_bytes());
    out[8..10].copy_from_slice(&entry_selector.to_be_bytes());
    out[10..12].copy_from_slice(&range_shift.to_be_bytes());
    let directory = &mut out[HEADER..HEADER + count * RECORD];
    directory.fill(0);
    for (slot, record) in directory.chunks_exact_mut(RECORD).zip(kept) {
        slot.copy_from_slice(record);
    }
    out
}

/// The fonts the PNGs use, by file name in the build's output folder: DejaVu
/// Sans regular and bold, without `kern` (the full fonts, whose outlines
/// draw the glyph masks) and without `kern` and `glyf` (for layout only).
pub const STRIPPED: [(&str, Weight, &[[u8; 4]]); 4] = [
    ("regular-full.ttf", Weight::Regular, &[*b"kern"]),
    ("bold-full.ttf", Weight::Bold, &[*b"kern"]),
    ("regular-layout.ttf", Weight::Regular, &[*b"kern", *b"glyf"]),
    ("bold-layout.ttf", Weight::Bold, &[*b"kern", *b"glyf"]),
];

/// Which DejaVu Sans file a stripped font comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}
