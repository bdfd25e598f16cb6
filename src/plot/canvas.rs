//! The pixel buffer a drawing thread rasterises into, kept from one figure
//! to the next: an anonymous mapping of ordinary 4 KiB pages, each range a
//! figure needs put in memory by one `madvise(MADV_POPULATE_WRITE)` before
//! it is drawn on.
//!
//! Why ordinary pages: the canvas used to be advised to use transparent
//! huge pages (a handful of page faults instead of one per 4 KiB page).
//! On a virtual machine whose free memory is reported to the host (virtio
//! balloon's free page reporting) a fresh huge page often comes from a
//! block the host has discarded, and its first touch then costs the host's
//! faults: after the matplotlib script of `bench/article.sh`, a render's
//! system time was 59–116 ms in three runs of five with huge pages, against
//! 4–17 ms with 4 KiB pages (`perf stat`, one render after each
//! matplotlib run, alternately). Small pages come from the free lists the
//! host has not been given.
//!
//! Why populated: one system call puts the range's pages in (the kernel
//! still zeroes each) instead of a page fault per page at the first touch
//! (the white fill); measured a little less system time (20.5–21.7 ms
//! against 22.8–25.5 ms, `perf stat -r 20`). Where the call is refused
//! (Linux before 5.14, other systems) the pages fault in as they are
//! touched.

use memmap2::MmapMut;

/// A canvas: address space for the largest figure it may hold, of which
/// only the pages drawn on so far are in memory.
pub(super) struct Canvas {
    map: MmapMut,
    /// The first bytes already put in memory (a whole number of pages,
    /// or the whole mapping).
    populated: usize,
}

/// The page size `populated` is rounded to (4 KiB on x86-64; a larger page
/// only makes the rounding cover less than a page).
const PAGE: usize = 4096;

impl Canvas {
    /// A canvas of at least `len` bytes (zeros).
    pub(super) fn new(len: usize) -> std::io::Result<Canvas> {
        let map = MmapMut::map_anon(len.max(1))?;
        Ok(Canvas { map, populated: 0 })
    }

    /// How many bytes [`Canvas::bytes`] can give.
    pub(super) fn capacity(&self) -> usize {
        self.map.len()
    }

    /// The first `len` bytes of the canvas (`len` ≤ [`Canvas::capacity`]),
    /// their pages in memory.
    pub(super) fn bytes(&mut self, len: usize) -> &mut [u8] {
        if len > self.populated {
            let end = len.next_multiple_of(PAGE).min(self.map.len());
            populate(&self.map, self.populated, end);
            self.populated = end;
        }
        &mut self.map[..len]
    }
}

/// Put the pages of `map[start..end]` in memory, writable (advice only:
/// refused, they fault in when touched).
fn populate(map: &MmapMut, start: usize, end: usize) {
    #[cfg(target_os = "linux")]
    {
        let _ = map.advise_range(memmap2::Advice::PopulateWrite, start, end - start);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (map, start, end);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_canvas_is_on_cache_lines_zeroed_and_as_large_as_asked() {
        for len in [1, 4096, 2 << 20, (2 << 20) + 1, 7_290_880] {
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

    /// The `smaps` entry of the mapping that starts at `start`: its
    /// resident kilobytes and whether it is advised to use huge pages.
    #[cfg(target_os = "linux")]
    fn resident_kb_and_huge(start: usize) -> (usize, bool) {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let head = format!("{start:x}-");
        let entry = smaps
            .split_inclusive('\n')
            .skip_while(|line| !line.starts_with(&head))
            .take_while(|line| !line.starts_with("VmFlags"))
            .collect::<String>();
        let flags = smaps
            .split_inclusive('\n')
            .skip_while(|line| !line.starts_with(&head))
            .find(|line| line.starts_with("VmFlags"))
            .unwrap()
            .to_string();
        let rss = entry
            .lines()
            .find_map(|line| line.strip_prefix("Rss:"))
            .unwrap()
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .unwrap();
        (rss, flags.split_whitespace().any(|flag| flag == "hg"))
    }

    /// The pages a figure needs are in memory before it is drawn (the
    /// populating call, not a fault per page), and only those; the mapping
    /// is not advised to use huge pages (see the module documentation).
    #[cfg(target_os = "linux")]
    #[test]
    fn the_pages_a_figure_needs_are_put_in_memory_and_no_more() {
        let mut canvas = Canvas::new(32 << 20).unwrap();
        let start = canvas.bytes(0).as_ptr() as usize;
        assert_eq!(resident_kb_and_huge(start), (0, false));
        let len = 960 * 644 * 4;
        let pointer = canvas.bytes(len).as_ptr() as usize;
        assert_eq!(pointer, start);
        let (rss, huge) = resident_kb_and_huge(start);
        assert!(!huge);
        within(rss, len);
        // A larger figure adds the pages beyond; a smaller one none.
        canvas.bytes(1280 * 1424 * 4);
        canvas.bytes(100);
        within(resident_kb_and_huge(start).0, 1280 * 1424 * 4);
    }

    /// `rss` kilobytes hold the `len` bytes and less than a huge page more
    /// (where the system gives huge pages unasked, its mode `always`).
    #[cfg(target_os = "linux")]
    fn within(rss: usize, len: usize) {
        let needed = len.next_multiple_of(PAGE) / 1024;
        assert!(
            rss >= needed && rss < needed + 2048,
            "{rss} kB for {len} bytes"
        );
    }
}
