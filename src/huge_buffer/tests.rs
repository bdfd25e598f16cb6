use super::*;

/// Lengths around the threshold, odd ones and the empty array.
fn lengths() -> Vec<usize> {
    let at = MIN_BYTES / std::mem::size_of::<f64>();
    vec![0, 1, 7, 1000, at - 1, at, at + 1, 3 * at + 12_345]
}

#[test]
fn holds_zeros_then_what_is_written() {
    for len in lengths() {
        let mut buffer: HugeBuffer<f64> = HugeBuffer::zeroed(len);
        assert_eq!(buffer.len(), len);
        assert!(buffer.iter().all(|&x| x.to_bits() == 0), "{len}");
        for (i, x) in buffer.iter_mut().enumerate() {
            *x = i as f64 * 0.5 - 3.0;
        }
        let expected: Vec<f64> = (0..len).map(|i| i as f64 * 0.5 - 3.0).collect();
        assert_eq!(&buffer[..], &expected[..], "{len}");
        assert_eq!(&HugeBuffer::from_slice(&expected)[..], &expected[..]);
    }
}

#[test]
fn large_arrays_have_a_mapping_of_their_own_on_cache_lines() {
    for len in lengths() {
        let buffer: HugeBuffer<f64> = HugeBuffer::zeroed(len);
        let large = len * std::mem::size_of::<f64>() >= MIN_BYTES;
        // Anonymous mappings are always there on Unix; elsewhere a failed
        // mapping is allowed to fall back to a `Vec`.
        if cfg!(unix) || !large {
            assert_eq!(buffer.is_mapped(), large, "{len}");
        }
        if buffer.is_mapped() {
            assert_eq!(
                buffer.as_ptr() as usize % 64,
                0,
                "{len}: not on a cache line"
            );
        }
    }
}

/// Arrays made one after another start at different offsets in their
/// huge pages (three, as other tests make arrays meanwhile).
#[test]
fn successive_arrays_are_staggered() {
    let arrays: Vec<HugeBuffer<f64>> = (0..3).map(|_| HugeBuffer::zeroed(1 << 19)).collect();
    if arrays.iter().all(HugeBuffer::is_mapped) {
        let offsets: Vec<usize> = arrays
            .iter()
            .map(|a| a.as_ptr() as usize % HUGE_PAGE)
            .collect();
        assert!(offsets.iter().all(|o| o % 64 == 0), "{offsets:?}");
        assert!(
            offsets[0] != offsets[1] || offsets[1] != offsets[2],
            "{offsets:?}"
        );
    }
}

#[test]
fn other_element_types_work_alike() {
    let mut bytes: HugeBuffer<u8> = HugeBuffer::zeroed(MIN_BYTES + 3);
    bytes.fill(7);
    assert!(bytes.iter().all(|&b| b == 7));
    assert_eq!(bytes.len(), MIN_BYTES + 3);
    let words: HugeBuffer<u32> = HugeBuffer::from_slice(&[1, 2, 3]);
    assert_eq!(&words[..], &[1, 2, 3]);
    assert!(!words.is_mapped());
}

#[test]
fn sizes_past_the_address_space_are_an_error() {
    // More bytes than a `usize` counts, then more than an allocation may have.
    assert!(HugeBuffer::<f64>::try_zeroed(usize::MAX / 4).is_err());
    assert!(HugeBuffer::<f64>::try_zeroed(usize::MAX / 16).is_err());
}

/// The process's virtual size in KiB (Linux).
#[cfg(target_os = "linux")]
fn virtual_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmSize:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmSize line")
}

/// 512 arrays of 256 MiB made, touched and dropped one after another: if a
/// mapping outlived its array, the process would have grown by 128 GiB of
/// address space (other tests running meanwhile use far less than the
/// 16 GiB allowed).
#[test]
fn dropping_returns_the_mapping() {
    #[cfg(target_os = "linux")]
    let before = virtual_kib();
    for round in 0..512 {
        let mut buffer: HugeBuffer<f64> = HugeBuffer::zeroed(1 << 25);
        buffer[round] = 1.0;
        assert!(buffer.is_mapped() || !cfg!(unix));
        assert_eq!(buffer[round], 1.0);
    }
    #[cfg(target_os = "linux")]
    {
        let grown = virtual_kib().saturating_sub(before);
        assert!(grown < 16 << 20, "grew by {grown} KiB");
    }
}

/// The transparent-huge-page mode, as the kernel shows it (`[madvise]`).
#[cfg(target_os = "linux")]
fn thp_mode() -> Option<String> {
    let text = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled").ok()?;
    let start = text.find('[')?;
    let end = text[start..].find(']')? + start;
    Some(text[start + 1..end].to_string())
}

/// `AnonHugePages` (KiB) of the mapping holding `address`, from `/proc/self/smaps`.
#[cfg(target_os = "linux")]
fn anon_huge_kib(address: usize) -> Option<u64> {
    let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
    let mut inside = false;
    for line in smaps.lines() {
        let range = line.split_whitespace().next().and_then(|first| {
            let (from, to) = first.split_once('-')?;
            Some((
                usize::from_str_radix(from, 16).ok()?,
                usize::from_str_radix(to, 16).ok()?,
            ))
        });
        if let Some((from, to)) = range {
            inside = (from..to).contains(&address);
        } else if inside {
            if let Some(rest) = line.strip_prefix("AnonHugePages:") {
                return rest.trim().trim_end_matches("kB").trim().parse().ok();
            }
        }
    }
    None
}

/// Where the kernel offers transparent huge pages to memory that asks
/// (`always` or `madvise`), an array of four huge pages, once touched, is
/// backed by at least one of them. Elsewhere the test says why it skips.
#[cfg(target_os = "linux")]
#[test]
fn the_kernel_grants_huge_pages_where_offered() {
    let mode = thp_mode();
    if !matches!(mode.as_deref(), Some("always" | "madvise")) {
        eprintln!("skipped: transparent huge pages are {mode:?}, not offered to this process");
        return;
    }
    let mut buffer: HugeBuffer<f64> = HugeBuffer::zeroed(4 * HUGE_PAGE / 8);
    buffer.fill(1.5);
    let address = buffer.as_ptr() as usize;
    let huge = anon_huge_kib(address).expect("the array's mapping in /proc/self/smaps");
    assert!(
        huge >= (HUGE_PAGE >> 10) as u64,
        "{huge} KiB of huge pages in a {mode:?} system"
    );
    assert!(buffer.iter().all(|&x| x == 1.5));
}
