//! The pixel buffer a drawing thread rasterises into, kept from one figure
//! to the next and backed, where the system offers them, by transparent
//! huge pages.
//!
//! Why: a canvas is megabytes (a 1280×1424 figure is 7.3 MB of RGBA), and
//! each of its 4 KiB pages costs a page fault the first time it is touched;
//! those faults were about a tenth of a render's CPU time. Asking for 2 MiB
//! pages (`madvise(MADV_HUGEPAGE)` on an anonymous mapping aligned to
//! 2 MiB) makes it a handful of faults. Where the advice is refused (no
//! transparent huge pages, another system) the mapping works as it is.

use memmap2::MmapMut;

/// The size and alignment of a transparent huge page on x86-64 and arm64.
const HUGE_PAGE: usize = 2 << 20;

/// An anonymous mapping, of which `len` bytes from `start` (2 MiB aligned)
/// are the canvas.
pub(super) struct Canvas {
    map: MmapMut,
    start: usize,
    len: usize,
}

impl Canvas {
    /// A canvas of at least `len` bytes (zeros).
    pub(super) fn new(len: usize) -> std::io::Result<Canvas> {
        let rounded = len
            .checked_next_multiple_of(HUGE_PAGE)
            .and_then(|n| n.checked_add(HUGE_PAGE))
            .ok_or_else(|| std::io::Error::other("canvas too large"))?;
        // One huge page more than needed, so that an aligned run of `len`
        // bytes fits wherever the system puts the mapping; the pages never
        // touched cost nothing.
        let map = MmapMut::map_anon(rounded)?;
        let start = map.as_ptr().align_offset(HUGE_PAGE).min(HUGE_PAGE);
        let len = rounded - HUGE_PAGE;
        #[cfg(target_os = "linux")]
        {
            // Advice only: refused, the canvas has ordinary pages.
            let _ = map.advise_range(memmap2::Advice::HugePage, start, len);
        }
        Ok(Canvas { map, start, len })
    }

    /// How many bytes [`Canvas::bytes`] can give.
    pub(super) fn capacity(&self) -> usize {
        self.len
    }

    /// The first `len` bytes of the canvas (`len` ≤ [`Canvas::capacity`]).
    pub(super) fn bytes(&mut self, len: usize) -> &mut [u8] {
        &mut self.map[self.start..self.start + len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_canvas_is_aligned_zeroed_and_as_large_as_asked() {
        for len in [1, 4096, HUGE_PAGE, HUGE_PAGE + 1, 7_290_880] {
            let mut canvas = Canvas::new(len).unwrap();
            assert!(canvas.capacity() >= len);
            let bytes = canvas.bytes(len);
            assert_eq!(bytes.len(), len);
            assert_eq!(bytes.as_ptr().align_offset(HUGE_PAGE), 0);
            assert!(bytes.iter().all(|&b| b == 0));
            bytes.fill(7);
            assert!(canvas.bytes(len).iter().all(|&b| b == 7));
        }
    }
}
