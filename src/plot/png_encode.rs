//! PNG bytes straight from the rasteriser's RGBA canvas, row by row.
//!
//! The bytes are those of the `png` crate's fast encoder given the RGB image
//! (8-bit RGB, the `Sub` filter, `fdeflate`, stored blocks if deflate would
//! be larger; a test compares the two), except that a row equal to the one
//! above is given the `Up` filter: all its filtered bytes are zeros, which
//! `fdeflate` writes as one run instead of a literal per non-zero byte of
//! `Sub` (vertical grid lines and axes cross a quarter of a figure's rows
//! unchanged), and which make the file smaller. The same pixels, without a
//! whole RGB copy of the canvas, and written into one buffer (signature,
//! `IHDR`, then deflate straight into the `IDAT` chunk, whose length and CRC
//! are filled in at the end), not compressed into one vector and copied
//! into another. Each row is converted, filtered and compressed while it is
//! in the cache; runs of white, most of a figure, are recognised and
//! filtered without converting them (see [`filter_row`]).

use std::io::Cursor;

use fdeflate::{Compressor, StoredOnlyCompressor};

/// The PNG filter type byte of `Sub`: each byte minus the one a pixel left.
const SUB: u8 = 1;
/// The PNG filter type byte of `Up`: each byte minus the one a row above.
const UP: u8 = 2;
/// Bytes per RGB pixel, the distance `Sub` looks back.
const RGB: usize = 3;
/// The eight bytes every PNG file starts with.
const SIGNATURE: [u8; 8] = [137, 80, 78, 71, 13, 10, 26, 10];
/// Pixels examined at once when looking for white (64 RGBA bytes, a cache line).
const BLOCK: usize = 16;

/// Encode an opaque premultiplied RGBA canvas (`width` × `height`, four
/// bytes a pixel, as tiny-skia draws it) as an 8-bit RGB PNG. Opaque
/// premultiplied RGBA is plain RGBA, so dropping alpha gives the colours.
pub fn encode_opaque_rgba(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let err = |e: &dyn std::fmt::Display| format!("encoding PNG: {e}");
    let (w, h) = (width as usize, height as usize);
    if w.checked_mul(h).and_then(|p| p.checked_mul(4)) != Some(rgba.len()) {
        return Err(format!(
            "encoding PNG: {} bytes are not a {width}×{height} RGBA canvas",
            rgba.len()
        ));
    }
    let row_len = w * RGB;
    // Figures compress to about a twentieth of their canvas: one allocation
    // is usually enough.
    let mut png = Vec::with_capacity(rgba.len() / 16 + 1024);
    png.extend_from_slice(&SIGNATURE);
    let mut header = [0; 13];
    header[..4].copy_from_slice(&width.to_be_bytes());
    header[4..8].copy_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type 2 (RGB); deflate, adaptive filters, no interlace.
    header[8..10].copy_from_slice(&[8, 2]);
    push_chunk(&mut png, *b"IHDR", &header);
    // The IDAT chunk: its length, filled in below, its type, then the data.
    let idat = png.len();
    png.extend_from_slice(&[0, 0, 0, 0]);
    png.extend_from_slice(b"IDAT");
    let data = png.len();
    // The filter type byte, then the filtered row: what deflate is given.
    let mut filtered = vec![0; 1 + row_len];
    filtered[0] = SUB;
    // A row equal to the one above: `Up`, then zeros.
    let mut unchanged = vec![0; 1 + row_len];
    unchanged[0] = UP;
    let mut deflate = Compressor::new(png).map_err(|e| err(&e))?;
    let mut above: Option<&[u8]> = None;
    for row in rgba.chunks_exact(w * 4).take(h) {
        // A row equal to the one above (a quarter of a figure's rows: white
        // margins, the plot area between curves) is written as `Up` zeros;
        // `filtered` keeps the `Sub` bytes of the row above, which are this
        // row's too, for `filter_row`'s blocks equal to the block above.
        if above == Some(row) {
            deflate.write_data(&unchanged).map_err(|e| err(&e))?;
            continue;
        }
        filter_row(row, above, &mut filtered[1..]);
        above = Some(row);
        deflate.write_data(&filtered).map_err(|e| err(&e))?;
    }
    let mut png = deflate.finish().map_err(|e| err(&e))?;
    // As the png crate does: incompressible images are stored, unfiltered.
    let raw = (row_len + 1) * h;
    if png.len() - data > StoredOnlyCompressor::<()>::compressed_size(raw) {
        png.truncate(data);
        let mut at_end = Cursor::new(png);
        at_end.set_position(data as u64);
        let mut stored = StoredOnlyCompressor::new(at_end).map_err(|e| err(&e))?;
        let mut rgb_row = vec![0; row_len];
        for row in rgba.chunks_exact(w * 4).take(h) {
            rgb_of_opaque(row, &mut rgb_row);
            stored.write_data(&[0]).map_err(|e| err(&e))?;
            stored.write_data(&rgb_row).map_err(|e| err(&e))?;
        }
        png = stored.finish().map_err(|e| err(&e))?.into_inner();
    }
    // One IDAT chunk holds up to 2^31 − 1 bytes; the pixel budget
    // (`validate::MAX_PIXELS`) keeps even a stored image far below that.
    let length = u32::try_from(png.len() - data)
        .ok()
        .filter(|&n| n <= i32::MAX as u32)
        .ok_or_else(|| err(&"the image data is too large for one IDAT chunk"))?;
    png[idat..data - 4].copy_from_slice(&length.to_be_bytes());
    let crc = crc32fast::hash(&png[data - 4..]);
    png.extend_from_slice(&crc.to_be_bytes());
    push_chunk(&mut png, *b"IEND", &[]);
    Ok(png)
}

/// Append a PNG chunk: length, type, data, CRC of type and data.
fn push_chunk(png: &mut Vec<u8>, kind: [u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = png.len();
    png.extend_from_slice(&kind);
    png.extend_from_slice(data);
    let crc = crc32fast::hash(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

/// The `Sub`-filtered RGB bytes of one opaque RGBA row (`out` is three
/// quarters as long as `rgba`): `out[i] = rgb[i] − rgb[i − 3]` (wrapping),
/// zero left of the first pixel.
///
/// In blocks of [`BLOCK`] pixels: a white block whose left neighbour is
/// white filters to zeros (every byte minus an equal one), found with eight
/// word ANDs over its 64 bytes instead of converting and subtracting them.
/// Any other block equal to the block above it (`above` is the row above,
/// whose filtered bytes `out` holds), with an equal left neighbour, filters
/// to the bytes already there (vertical grid lines and axes, steep curves).
fn filter_row(rgba: &[u8], above: Option<&[u8]>, out: &mut [u8]) {
    const WHITE: [u8; RGB] = [u8::MAX; RGB];
    let block_bytes = BLOCK * 4;
    let mut left = [0; RGB];
    let mut sources = rgba.chunks_exact(block_bytes);
    let mut targets = out.chunks_exact_mut(BLOCK * RGB);
    for (index, (src, dst)) in (&mut sources).zip(&mut targets).enumerate() {
        if left == WHITE && is_white(src) {
            // A fill: a copy of a zero array compiled to a call to memcpy.
            dst.fill(0);
            continue;
        }
        let start = index * block_bytes;
        let unchanged = above.is_some_and(|up| {
            let up_left = match up.get(start.wrapping_sub(4)..start) {
                Some(p) => [p[0], p[1], p[2]],
                None => [0; RGB],
            };
            up_left == left && up.get(start..start + block_bytes) == Some(src)
        });
        if unchanged {
            // Three bytes by hand: `copy_from_slice` calls memcpy here.
            let last = block_bytes - 4;
            left = [src[last], src[last + 1], src[last + 2]];
        } else {
            filter_block(src, dst, &mut left);
        }
    }
    filter_block(sources.remainder(), targets.into_remainder(), &mut left);
}

/// Whether every byte of `block` is 255, a word at a time.
fn is_white(block: &[u8]) -> bool {
    let all = block.chunks_exact(8).fold(u64::MAX, |all, word| {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(word);
        all & u64::from_ne_bytes(bytes)
    });
    all == u64::MAX && block.chunks_exact(8).remainder().is_empty()
}

/// [`filter_row`] for up to [`BLOCK`] pixels, `left` the RGB of the pixel
/// before them (zeros at the start of a row), updated to their last.
fn filter_block(src: &[u8], dst: &mut [u8], left: &mut [u8; RGB]) {
    let Some(last) = dst.len().checked_sub(RGB) else {
        return;
    };
    let mut rgb = [0; BLOCK * RGB];
    let rgb = &mut rgb[..dst.len()];
    rgb_of_opaque(src, rgb);
    for (o, (&now, &before)) in dst.iter_mut().zip(rgb.iter().zip(left.iter())) {
        *o = now.wrapping_sub(before);
    }
    sub_filter(rgb, dst);
    *left = [rgb[last], rgb[last + 1], rgb[last + 2]];
}

/// `out[i] = row[i] − row[i − 3]` (wrapping) from the second pixel on; the
/// first pixel's bytes are left as they are.
fn sub_filter(row: &[u8], out: &mut [u8]) {
    let first = RGB.min(row.len());
    for ((o, &now), &left) in out[first..].iter_mut().zip(&row[first..]).zip(row) {
        *o = now.wrapping_sub(left);
    }
}

/// The RGB bytes of RGBA pixels (`rgb` is three quarters as long as `rgba`).
///
/// Four pixels at a time through two 64-bit words (a 3-byte copy per pixel
/// does not vectorise): in little-endian order a word holds
/// `r0 g0 b0 a0 r1 g1 b1 a1`, and masking and shifting packs the two
/// pixels' six colour bytes into its low six.
fn rgb_of_opaque(rgba: &[u8], rgb: &mut [u8]) {
    let mut outs = rgb.chunks_exact_mut(12);
    let mut pixels = rgba.chunks_exact(16);
    for (out, four) in (&mut outs).zip(&mut pixels) {
        let word = |at: usize| {
            let mut bytes = [0; 8];
            bytes.copy_from_slice(&four[at..at + 8]);
            let w = u64::from_le_bytes(bytes);
            (w & 0xFF_FFFF) | ((w >> 8) & 0xFFFF_FF00_0000)
        };
        let (low, high) = (word(0), word(8));
        out[..8].copy_from_slice(&(low | high << 48).to_le_bytes());
        out[8..].copy_from_slice(&((high >> 16) as u32).to_le_bytes());
    }
    for (out, pixel) in outs
        .into_remainder()
        .chunks_exact_mut(3)
        .zip(pixels.remainder().chunks_exact(4))
    {
        out.copy_from_slice(&pixel[..3]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the encoder replaced: the png crate's fast encoder on the RGB image.
    fn png_crate(rgb: &[u8], width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(rgb).unwrap();
        writer.finish().unwrap();
        bytes
    }

    fn rgb_of(rgba: &[u8]) -> Vec<u8> {
        rgba.chunks_exact(4).flat_map(|p| p[..3].to_vec()).collect()
    }

    #[test]
    fn rgb_in_fours_and_the_rest_is_the_plain_copy() {
        for pixels in [0, 1, 3, 4, 5, 23] {
            let rgba: Vec<u8> = (0..4 * pixels).map(|i| (i * 37 % 251) as u8).collect();
            let mut rgb = vec![9; 3 * pixels];
            rgb_of_opaque(&rgba, &mut rgb);
            assert_eq!(rgb, rgb_of(&rgba), "{pixels} pixels");
        }
    }

    /// The RGB pixels the png crate decodes from `png`.
    fn decoded(png: &[u8]) -> Vec<u8> {
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let mut rgb = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut rgb).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        rgb.truncate(info.buffer_size());
        rgb
    }

    /// The filter type byte and filtered bytes of each row of `png`'s
    /// image data (one `IDAT` chunk, as the encoder writes).
    fn filtered_rows(png: &[u8], width: usize) -> Vec<Vec<u8>> {
        let length = u32::from_be_bytes(png[33..37].try_into().unwrap()) as usize;
        assert_eq!(&png[37..41], b"IDAT");
        let data = fdeflate::decompress_to_vec(&png[41..41 + length]).unwrap();
        data.chunks(1 + width * RGB).map(<[u8]>::to_vec).collect()
    }

    /// A figure-like image (white, a band, vertical lines with a gradient
    /// along them, so rows repeat), a noisy one (deflate cannot shrink it:
    /// the stored fallback), at odd sizes.
    fn test_images() -> Vec<(Vec<u8>, u32, u32)> {
        let figure = |x: u32, y: u32| match (x, y) {
            (_, 5..=7) => [200, 30, 30, 255],
            (x, y) if x % 9 == 0 => [(x * 3) as u8, 90, (y / 4 * 5) as u8, 255],
            _ => [255, 255, 255, 255],
        };
        let mut seed = 12345u64;
        let mut noise = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let b = (seed >> 33).to_le_bytes();
            [b[0], b[1], b[2], 255]
        };
        let mut images = Vec::new();
        for (width, height) in [(37, 21), (1, 1), (64, 3)] {
            let flat: Vec<u8> = (0..height)
                .flat_map(|y| (0..width).flat_map(move |x| figure(x, y)))
                .collect();
            let noisy: Vec<u8> = (0..width * height).flat_map(|_| noise()).collect();
            images.push((flat, width, height));
            images.push((noisy, width, height));
        }
        images
    }

    #[test]
    fn pixels_are_the_canvas_and_other_rows_the_png_crates() {
        for (rgba, width, height) in test_images() {
            let ours = encode_opaque_rgba(&rgba, width, height).unwrap();
            let rgb = rgb_of(&rgba);
            assert_eq!(decoded(&ours), rgb, "{width}×{height}");
            let theirs = png_crate(&rgb, width, height);
            let row = 4 * width as usize;
            let repeats = rgba
                .chunks(row)
                .zip(rgba.chunks(row).skip(1))
                .any(|(a, b)| a == b);
            if !repeats {
                assert_eq!(ours, theirs, "{width}×{height}");
            } else {
                assert!(ours.len() < theirs.len(), "{width}×{height}");
            }
        }
    }

    /// Each row equal to the one above is `Up` and zeros; every other row
    /// is `Sub`, with the plain `Sub` filter's bytes.
    #[test]
    fn rows_equal_to_the_one_above_are_up_zeros() {
        let mut seen_up = 0;
        for (rgba, width, height) in test_images() {
            let png = encode_opaque_rgba(&rgba, width, height).unwrap();
            let row = 4 * width as usize;
            let rows = filtered_rows(&png, width as usize);
            if rows.iter().all(|filtered| filtered[0] == 0) {
                continue; // stored, unfiltered
            }
            assert_eq!(rows.len(), height as usize);
            for (y, filtered) in rows.iter().enumerate() {
                let now = &rgba[y * row..][..row];
                if y > 0 && &rgba[(y - 1) * row..][..row] == now {
                    assert_eq!(filtered[0], UP, "row {y}");
                    assert!(filtered[1..].iter().all(|&b| b == 0), "row {y}");
                    seen_up += 1;
                } else {
                    assert_eq!(filtered[0], SUB, "row {y}");
                    assert_eq!(filtered[1..], sub_of(now), "row {y}");
                }
            }
        }
        assert!(seen_up > 10, "{seen_up} rows equal to the one above");
    }

    /// The `Sub`-filtered RGB of an RGBA row, the plain way.
    fn sub_of(rgba: &[u8]) -> Vec<u8> {
        let rgb = rgb_of(rgba);
        (0..rgb.len())
            .map(|i| rgb[i].wrapping_sub(if i < RGB { 0 } else { rgb[i - RGB] }))
            .collect()
    }

    #[test]
    fn white_blocks_filter_as_the_plain_sub_filter_does() {
        // Rows of white with a few coloured pixels: at a block's first and
        // last pixel (a white block after it must not be taken as zeros),
        // in the middle, nowhere, everywhere, and rows not a whole number of
        // blocks long.
        let white = [u8::MAX; 4];
        let ink = [30, 60, 200, 255];
        let cases: [(usize, &[usize]); 7] = [
            (64, &[]),
            (64, &[15]),
            (64, &[16, 47]),
            (70, &[0, 31, 32, 69]),
            (5, &[2]),
            (16, &[0]),
            (33, &[]),
        ];
        for (width, inked) in cases {
            let rgba: Vec<u8> = (0..width)
                .flat_map(|x| if inked.contains(&x) { ink } else { white })
                .collect();
            let mut out = vec![9; width * RGB];
            filter_row(&rgba, None, &mut out);
            assert_eq!(out, sub_of(&rgba), "{width} pixels, ink at {inked:?}");
        }
        let all_ink: Vec<u8> = (0..40).flat_map(|x| [x as u8, 7, 200, 255]).collect();
        let mut out = vec![0; 40 * RGB];
        filter_row(&all_ink, None, &mut out);
        assert_eq!(out, sub_of(&all_ink));
    }

    /// Blocks equal to the block above keep the row above's filtered bytes
    /// only when the pixel left of them is equal too: rows that differ from
    /// the one above only left of a block, or only inside one, filter as the
    /// plain `Sub` filter does.
    #[test]
    fn blocks_equal_to_the_row_above_filter_as_the_plain_sub_filter_does() {
        let white = [u8::MAX; 4];
        let ink = [30, 60, 200, 255];
        let other = [31, 60, 200, 255];
        // Rows of 70 pixels (four blocks and a rest): the inked pixels.
        let rows: [&[(usize, [u8; 4])]; 8] = [
            &[(20, ink), (40, ink)],
            &[(20, ink), (40, ink)],
            // Only the pixel left of the second block differs from above.
            &[(15, ink), (20, ink), (40, ink)],
            // Only inside a block.
            &[(15, ink), (20, other), (40, ink)],
            &[(15, ink), (20, other), (40, ink), (69, ink)],
            &[],
            &[(0, ink), (31, ink), (47, ink), (64, ink)],
            &[(0, other), (31, ink), (47, ink), (64, ink)],
        ];
        let width = 70;
        let mut out = vec![9; width * RGB];
        let mut above: Option<Vec<u8>> = None;
        for (y, inked) in rows.iter().enumerate() {
            let rgba: Vec<u8> = (0..width)
                .flat_map(|x| inked.iter().find(|(at, _)| *at == x).map_or(white, |c| c.1))
                .collect();
            filter_row(&rgba, above.as_deref(), &mut out);
            assert_eq!(out, sub_of(&rgba), "row {y}");
            above = Some(rgba);
        }
    }

    #[test]
    fn a_mostly_white_image_keeps_its_pixels() {
        // Wide white stretches (the blocks filtered without converting),
        // a vertical line, a horizontal one and a white row.
        let (width, height) = (150, 12);
        let rgba: Vec<u8> = (0..height)
            .flat_map(|y| {
                (0..width).flat_map(move |x| match (x, y) {
                    (_, 4) => [90, 90, 90, 255],
                    (47 | 48, _) => [200, 10, 10, 255],
                    (_, 9) => [255, 255, 255, 255],
                    (x, y) if (x + y) % 61 == 0 => [1, 2, 3, 255],
                    _ => [255, 255, 255, 255],
                })
            })
            .collect();
        let ours = encode_opaque_rgba(&rgba, width, height).unwrap();
        assert_eq!(decoded(&ours), rgb_of(&rgba));
        let rows = filtered_rows(&ours, width as usize);
        for (y, filtered) in rows.iter().enumerate() {
            let now = &rgba[y * 4 * width as usize..][..4 * width as usize];
            if filtered[0] == SUB {
                assert_eq!(filtered[1..], sub_of(now), "row {y}");
            }
        }
    }

    #[test]
    fn a_canvas_of_the_wrong_size_is_refused() {
        let message = encode_opaque_rgba(&[0; 12], 2, 2).unwrap_err();
        assert!(message.contains("2×2"), "{message}");
    }
}
