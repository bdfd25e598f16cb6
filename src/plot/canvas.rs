//! The pixel buffer a drawing thread rasterises into, kept from one figure
//! to the next and backed, where the system offers them, by transparent
//! huge pages ([`HugeBuffer`]).
//!
//! Why: a canvas is megabytes (a 1280×1424 figure is 7.3 MB of RGBA), and
//! each of its 4 KiB pages costs a page fault the first time it is touched;
//! those faults were about a tenth of a render's CPU time. With 2 MiB pages
//! it is a handful of faults.

use crate::huge_buffer::{HugeBuffer, HUGE_PAGE};

/// A canvas: a whole number of huge pages.
pub(super) struct Canvas(HugeBuffer<u8>);

impl Canvas {
    /// A canvas of at least `len` bytes (zeros).
    pub(super) fn new(len: usize) -> std::io::Result<Canvas> {
        let rounded = len
            .max(1)
            .checked_next_multiple_of(HUGE_PAGE)
            .ok_or_else(|| std::io::Error::other("canvas too large"))?;
        HugeBuffer::try_zeroed(rounded).map(Canvas)
    }

    /// How many bytes [`Canvas::bytes`] can give.
    pub(super) fn capacity(&self) -> usize {
        self.0.len()
    }

    /// The first `len` bytes of the canvas (`len` ≤ [`Canvas::capacity`]).
    pub(super) fn bytes(&mut self, len: usize) -> &mut [u8] {
        &mut self.0[..len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_canvas_is_on_cache_lines_zeroed_and_as_large_as_asked() {
        for len in [1, 4096, HUGE_PAGE, HUGE_PAGE + 1, 7_290_880] {
            let mut canvas = Canvas::new(len).unwrap();
            assert!(canvas.capacity() >= len);
            let bytes = canvas.bytes(len);
            assert_eq!(bytes.len(), len);
            assert_eq!(bytes.as_ptr() as usize % 64, 0);
            assert!(bytes.iter().all(|&b| b == 0));
            bytes.fill(7);
            assert!(canvas.bytes(len).iter().all(|&b| b == 7));
        }
    }
}
