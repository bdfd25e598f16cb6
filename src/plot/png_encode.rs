//! PNG bytes straight from the rasteriser's RGBA canvas, row by row.
//!
//! The bytes are those of the `png` crate's fast encoder given the RGB image
//! (8-bit RGB, the `Sub` filter on every row, `fdeflate`, stored blocks if
//! deflate would be larger; a test compares the two): the same file, without
//! a whole RGB copy of the canvas. That copy was 7.4 million pixels a render
//! written once and read twice (filter, then deflate), and megabytes of
//! freshly touched memory per thread; here each row is converted, filtered
//! and compressed while it is in the cache.

use std::io::Cursor;

use fdeflate::{Compressor, StoredOnlyCompressor};
use png::chunk::IDAT;

/// The PNG filter type byte of `Sub`: each byte minus the one a pixel left.
const SUB: u8 = 1;
/// Bytes per RGB pixel, the distance `Sub` looks back.
const RGB: usize = 3;
/// The `png` crate's largest IDAT chunk (`i32::MAX`), kept for identical bytes.
const MAX_IDAT: usize = (u32::MAX >> 1) as usize;

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
    let mut rgb_row = vec![0; row_len];
    // The filter type byte, then the filtered row: what deflate is given.
    let mut filtered = vec![0; 1 + row_len];
    filtered[0] = SUB;
    let mut deflate = Compressor::new(Vec::new()).map_err(|e| err(&e))?;
    for row in rgba.chunks_exact(w * 4).take(h) {
        rgb_of_opaque(row, &mut rgb_row);
        sub_filter(&rgb_row, &mut filtered[1..]);
        deflate.write_data(&filtered).map_err(|e| err(&e))?;
    }
    let mut zlib = deflate.finish().map_err(|e| err(&e))?;
    // As the png crate does: incompressible images are stored, unfiltered.
    if zlib.len() > StoredOnlyCompressor::<()>::compressed_size((row_len + 1) * h) {
        let mut stored = StoredOnlyCompressor::new(Cursor::new(Vec::new())).map_err(|e| err(&e))?;
        for row in rgba.chunks_exact(w * 4).take(h) {
            rgb_of_opaque(row, &mut rgb_row);
            stored.write_data(&[0]).map_err(|e| err(&e))?;
            stored.write_data(&rgb_row).map_err(|e| err(&e))?;
        }
        zlib = stored.finish().map_err(|e| err(&e))?.into_inner();
    }
    let mut bytes = Vec::with_capacity(zlib.len() + 128);
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(|e| err(&e))?;
    for chunk in zlib.chunks(MAX_IDAT) {
        writer.write_chunk(IDAT, chunk).map_err(|e| err(&e))?;
    }
    writer.finish().map_err(|e| err(&e))?;
    Ok(bytes)
}

/// `out[i] = row[i] − row[i − 3]` (wrapping), the first pixel as it is.
fn sub_filter(row: &[u8], out: &mut [u8]) {
    let first = RGB.min(row.len());
    out[..first].copy_from_slice(&row[..first]);
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

    #[test]
    fn bytes_are_the_png_crates_for_flat_and_noisy_images() {
        // A figure-like image (white, a band, a gradient) and a noisy one
        // (deflate cannot shrink it: the stored fallback), odd sizes.
        let figure = |x: u32, y: u32| match (x, y) {
            (_, 5..=7) => [200, 30, 30, 255],
            (x, _) if x % 9 == 0 => [(x * 3) as u8, 90, (y * 5) as u8, 255],
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
        for (width, height) in [(37, 21), (1, 1), (64, 3)] {
            let flat: Vec<u8> = (0..height)
                .flat_map(|y| (0..width).flat_map(move |x| figure(x, y)))
                .collect();
            let noisy: Vec<u8> = (0..width * height).flat_map(|_| noise()).collect();
            for rgba in [flat, noisy] {
                let ours = encode_opaque_rgba(&rgba, width, height).unwrap();
                assert_eq!(
                    ours,
                    png_crate(&rgb_of(&rgba), width, height),
                    "{width}×{height}"
                );
            }
        }
    }

    #[test]
    fn a_canvas_of_the_wrong_size_is_refused() {
        let message = encode_opaque_rgba(&[0; 12], 2, 2).unwrap_err();
        assert!(message.contains("2×2"), "{message}");
    }
}
