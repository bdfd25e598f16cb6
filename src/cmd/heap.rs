//! glibc's malloc set for a render: memory freed is kept for the next
//! allocation instead of being given back to the kernel.
//!
//! Why: a render allocates and frees blocks of hundreds of kilobytes to a
//! few megabytes over and over (the numerical KL's rows of 20,001 values,
//! `results.json` and its value tree, strings of SVG). With glibc's
//! defaults, a block of 128 KiB or more is mapped on its own and unmapped
//! when freed, and a heap whose free top passes 128 KiB is trimmed: every
//! page of the next such block is a new page fault (the kernel zeroes it),
//! about 2 µs each on this machine. Kept, the pages are reused: about 900
//! fewer page faults a render of `configs/article.toml` (3,330 → 2,400,
//! `perf stat -r 15`; system time 20.8 → 11.4 ms, medians of 41 runs). A render is a short process; what it frees goes
//! back to the kernel when it exits.

/// Blocks at least this large are still mapped on their own (glibc's
/// largest threshold): a thread's heap holds at most 64 MiB, and the
/// canvases (32 MiB and more, `plot::canvas`) have mappings of their own.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 32 << 20;

/// A heap's free top is given back to the kernel only above this: never,
/// in practice, during a render.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: libc::c_int = 1 << 30;

/// Keep freed memory in the process (see the module documentation). Call
/// it first, before the command starts any thread.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn keep_freed_memory() {
    // SAFETY: `mallopt` only sets malloc's parameters (under malloc's own
    // lock); both values are within glibc's documented ranges. Setting them
    // also turns off glibc's dynamic adjustment of the two thresholds.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}

/// Other C libraries keep their own defaults.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn keep_freed_memory() {}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// This thread's minor page faults so far.
    fn faults() -> i64 {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: `usage` is a valid, writable rusage.
        let usage = unsafe {
            assert_eq!(libc::getrusage(libc::RUSAGE_THREAD, usage.as_mut_ptr()), 0);
            usage.assume_init()
        };
        usage.ru_minflt
    }

    /// The page faults of writing every page of a fresh 4 MiB block.
    fn faults_of_a_block() -> i64 {
        let before = faults();
        let mut block = vec![0u8; 4 << 20];
        block.fill(1);
        std::hint::black_box(&block);
        faults() - before
    }

    /// A 4 MiB block freed and allocated again reuses the pages it had:
    /// with glibc's defaults it is unmapped when freed, and its 1,024 pages
    /// are faulted in anew.
    #[test]
    fn a_freed_block_keeps_its_pages() {
        keep_freed_memory();
        faults_of_a_block();
        let again = faults_of_a_block();
        assert!(again < 64, "{again} page faults for a reused block");
    }
}
