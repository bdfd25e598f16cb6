//! Large arrays backed by transparent huge pages where the system offers
//! them: [`HugeBuffer`], a zeroed array that derefs to a slice.
//!
//! Why: a pass over arrays far larger than the caches (the kernels of
//! `losslab bench` read two 256 MiB arrays of doubles) runs at the memory's
//! speed only if address translation keeps up. With 4 KiB pages such a pass
//! crosses 131,072 pages, each a translation to look up and a boundary
//! where the processor's prefetching starts again; with 2 MiB pages it
//! crosses 256. Measured here (AMD EPYC, one thread, 2^25 pairs): a C
//! sum of squared differences read 1,080–1,093 M pairs/s from 4 KiB pages
//! and 1,311–1,385 M pairs/s from huge pages. Linux in its common
//! `madvise` mode of transparent huge pages gives 2 MiB pages to anonymous
//! memory only where asked (numpy asks for its large arrays; a `Vec` does
//! not).
//!
//! How: an anonymous mapping (`memmap2`) one huge page larger than needed;
//! its range from its first 2 MiB boundary is advised `MADV_HUGEPAGE`
//! before any page of it is touched, so each first touch faults in a whole
//! huge page. The array starts a little past that boundary, at a distance
//! that differs from one array to the next ([`STAGGER`]). Where the advice is refused
//! (another system, huge pages turned off) the same mapping has ordinary
//! pages; below [`MIN_BYTES`], or where no mapping can be made, the array
//! is an ordinary `Vec`. The contents are the same in every case: only the
//! page size differs.
//!
//! The streamed evaluation does not use it: its batch arrays (8,192 rows,
//! 64 KiB a column) are far below a huge page and stay in the caches.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};

use bytemuck::Pod;
use memmap2::MmapMut;

/// The size and alignment of a transparent huge page on x86-64 and arm64.
pub const HUGE_PAGE: usize = 2 << 20;

/// Arrays smaller than this are ordinary `Vec`s: they would not fill a huge
/// page, and a mapping of their own would cost a system call.
pub const MIN_BYTES: usize = HUGE_PAGE;

/// A zeroed array of `T` (numbers: anything [`Pod`]) in memory of its own,
/// aligned to 2 MiB and advised to use huge pages when it is at least
/// [`MIN_BYTES`] long; an ordinary `Vec` otherwise.
///
/// ```
/// use losslab::huge_buffer::HugeBuffer;
///
/// let mut values: HugeBuffer<f64> = HugeBuffer::zeroed(1 << 22);
/// values[1] = 2.5;
/// assert_eq!(values.len(), 1 << 22);
/// assert_eq!(values[..3], [0.0, 2.5, 0.0]);
/// ```
pub struct HugeBuffer<T: Pod> {
    storage: Storage<T>,
}

enum Storage<T> {
    Heap(Vec<T>),
    /// `len` values from byte `start` of `map`: a whole number of cache
    /// lines past a huge-page boundary (see [`STAGGER`]), inside the range
    /// advised to use huge pages.
    Mapped {
        map: MmapMut,
        start: usize,
        len: usize,
    },
}

impl<T: Pod> HugeBuffer<T> {
    /// `len` zeros. Memory that cannot be had aborts the process, as for a
    /// `Vec` (see [`HugeBuffer::try_zeroed`]).
    pub fn zeroed(len: usize) -> HugeBuffer<T> {
        Self::try_zeroed(len).unwrap_or_else(|_| HugeBuffer {
            storage: Storage::Heap(vec![T::zeroed(); len]),
        })
    }

    /// `len` zeros, or an error if neither a mapping nor a `Vec` of that
    /// size can be had.
    pub fn try_zeroed(len: usize) -> std::io::Result<HugeBuffer<T>> {
        let too_large = || std::io::Error::other("array too large");
        let bytes = len
            .checked_mul(std::mem::size_of::<T>())
            .ok_or_else(too_large)?;
        if bytes >= MIN_BYTES {
            if let Some(storage) = map_zeroed::<T>(bytes, len) {
                return Ok(HugeBuffer { storage });
            }
        }
        let mut values = Vec::new();
        values.try_reserve_exact(len).map_err(|_| too_large())?;
        values.resize(len, T::zeroed());
        Ok(HugeBuffer {
            storage: Storage::Heap(values),
        })
    }

    /// A copy of `values`.
    pub fn from_slice(values: &[T]) -> HugeBuffer<T> {
        let mut buffer = Self::zeroed(values.len());
        buffer.copy_from_slice(values);
        buffer
    }

    /// Whether the array is in a mapping of its own, aligned to
    /// [`HUGE_PAGE`] and advised to use huge pages (which the system may
    /// still not grant).
    pub fn is_mapped(&self) -> bool {
        matches!(self.storage, Storage::Mapped { .. })
    }
}

/// Arrays made so far: each starts [`STAGGER`] bytes further into its
/// first huge page than the one before (cycling through the page).
static MADE: AtomicUsize = AtomicUsize::new(0);

/// How far apart (modulo [`HUGE_PAGE`]) successive arrays start: a page
/// and a cache line. Arrays that all start on a huge-page boundary put
/// element `i` of each at the same offset in its page, so a loop reading
/// several of them side by side sends every request for element `i` to the
/// same cache sets and the same memory banks. Measured with `losslab bench`
/// (2^25 pairs, one thread): Huber's value 1,015–1,045 M pairs per CPU
/// second with every array on a boundary, against 1,191–1,233 from glibc's
/// `malloc` advised to use huge pages, whose arrays start 4 KiB apart.
const STAGGER: usize = 4096 + 64;

/// A mapping for `len` values of `bytes` bytes in all, zeroed, its aligned
/// range advised to use huge pages; None if the system gives no mapping.
fn map_zeroed<T: Pod>(bytes: usize, len: usize) -> Option<Storage<T>> {
    let colour = MADE.fetch_add(1, Ordering::Relaxed);
    let offset = colour % (HUGE_PAGE / STAGGER) * STAGGER;
    let rounded = bytes
        .checked_add(offset)?
        .checked_next_multiple_of(HUGE_PAGE)?;
    // One huge page more than needed, so that an aligned run of `rounded`
    // bytes fits wherever the system puts the mapping; the pages never
    // touched cost nothing.
    let map = MmapMut::map_anon(rounded.checked_add(HUGE_PAGE)?).ok()?;
    let aligned = map.as_ptr().align_offset(HUGE_PAGE).min(HUGE_PAGE);
    #[cfg(target_os = "linux")]
    {
        // Advice only: refused, the array has ordinary pages.
        let _ = map.advise_range(memmap2::Advice::HugePage, aligned, rounded);
    }
    Some(Storage::Mapped {
        map,
        start: aligned + offset,
        len,
    })
}

impl<T: Pod> Deref for HugeBuffer<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match &self.storage {
            Storage::Heap(values) => values,
            Storage::Mapped { map, start, len } => {
                // Aligned (a page boundary) and whole values, as made by
                // `map_zeroed`: the cast cannot fail.
                bytemuck::cast_slice(&map[*start..*start + len * std::mem::size_of::<T>()])
            }
        }
    }
}

impl<T: Pod> DerefMut for HugeBuffer<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match &mut self.storage {
            Storage::Heap(values) => values,
            Storage::Mapped { map, start, len } => {
                bytemuck::cast_slice_mut(&mut map[*start..*start + *len * std::mem::size_of::<T>()])
            }
        }
    }
}

impl<T: Pod + std::fmt::Debug> std::fmt::Debug for HugeBuffer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HugeBuffer")
            .field("len", &self.len())
            .field("mapped", &self.is_mapped())
            .finish()
    }
}

#[cfg(test)]
mod tests;
