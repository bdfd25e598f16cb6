use super::*;
use proptest::prelude::*;

/// `w / 10^k` as Rust's own (correctly rounding) parser reads it.
fn reference(w: u64, k: usize) -> f64 {
    format!("{w}e-{k}").parse().unwrap()
}

#[test]
fn the_table_holds_five_to_the_minus_k_rounded_up() {
    for (k, &(high, low)) in POW5.iter().enumerate() {
        let table = (u128::from(high) << 64) | u128::from(low);
        let divisor = 5u128.pow(k as u32);
        // 2^n / 5^k by long division, for the n that puts the quotient's
        // leading bit at 2^127; rounded up unless exact.
        let (mut quotient, mut remainder, mut bits) = (0u128, 1u128, 0);
        while quotient >> 127 == 0 {
            let bit = remainder >= divisor;
            if bit {
                remainder -= divisor;
            }
            quotient = (quotient << 1) | u128::from(bit);
            remainder <<= 1;
            bits += 1;
        }
        assert!(bits > 0);
        let rounded_up = quotient + u128::from(remainder != 0);
        assert_eq!(table, rounded_up, "5^-{k}");
    }
}

#[test]
fn to_f64_rounds_as_rust_does_on_ties_and_edges() {
    let mut cases = vec![(0, 0), (1, 0), (1, 19), (u64::MAX, 0), (u64::MAX, 19)];
    for w in [
        9_999_999_999_999_999_999,
        10_000_000_000_000_000_000,
        1 << 63,
    ] {
        for k in 0..=19 {
            cases.push((w, k));
        }
    }
    // Halfway between two doubles, exactly: (2^53 + odd) / 2^j, written
    // as (2^53 + odd)·5^j / 10^j; and their neighbours.
    for odd in [1u64, 3, 5, 7] {
        for j in 0..=4u32 {
            let w = ((1u64 << 53) + odd) * 5u64.pow(j);
            for w in [w - 1, w, w + 1] {
                cases.push((w, j as usize));
            }
        }
    }
    // Powers of two and their neighbours at every scale.
    for shift in 0..64 {
        let w = 1u64 << shift;
        for w in [w - 1, w, w.saturating_add(1)] {
            for k in 0..=19 {
                cases.push((w, k));
            }
        }
    }
    for (w, k) in cases {
        assert_eq!(
            to_f64(w, k).to_bits(),
            reference(w, k).to_bits(),
            "{w}e-{k}"
        );
    }
}

proptest! {
    #[test]
    fn to_f64_rounds_as_rust_does(w in any::<u64>(), k in 0usize..=19, digits in 1u32..=20) {
        // Every length of `w`, not mostly 20-digit ones.
        let w = if digits < 20 { w % 10u64.pow(digits) } else { w };
        prop_assert_eq!(to_f64(w, k).to_bits(), reference(w, k).to_bits());
    }
}

#[cfg(target_arch = "x86_64")]
mod wide_cells {
    use super::*;

    /// [`wide::cell`], on a processor that has its features.
    fn wide_cell(bytes: &[u8], at: usize) -> Option<(f64, usize)> {
        assert!(wide_available());
        // SAFETY: the processor has the features (asserted just above).
        unsafe { wide::cell(bytes, at) }
    }

    /// The cell followed by `end` and filler, as it stands in a block.
    fn padded(cell: &str, end: u8) -> Vec<u8> {
        let mut bytes = cell.as_bytes().to_vec();
        bytes.push(end);
        bytes.extend_from_slice(&[b'7'; 40]);
        bytes
    }

    /// What the wide route gives equals `fast-float2`'s reading (value bits
    /// and length); returns whether the wide route took the cell.
    fn agrees(cell: &str, end: u8) -> bool {
        let bytes = padded(cell, end);
        let Some((x, used)) = wide_cell(&bytes, 0) else {
            return false;
        };
        let (y, length) = fast_float2::parse_partial::<f64, _>(&bytes).unwrap();
        assert_eq!((x.to_bits(), used), (y.to_bits(), length), "{cell:?}");
        assert_eq!(used, cell.len(), "{cell:?}");
        true
    }

    #[test]
    fn plain_cells_are_read_as_fast_float2_reads_them() {
        if !wide_available() {
            return;
        }
        let taken = [
            "0",
            "1",
            "-0",
            "-0.0",
            "0.6479062041731867",
            "-0.037913448770707125",
            "0.16825187846894268",
            "12.5",
            "5.",
            ".5",
            "-.5",
            "007",
            "1234567890123456789",
            "0.000000000000000001",
            "9007199254740993",
            "4503599627370496.5",
            "-4503599627370497.5",
            "99999999999999999.99",
            "9999999999999999999",
        ];
        for cell in taken {
            for end in [b',', b'\n'] {
                assert!(agrees(cell, end), "{cell:?} not taken");
            }
        }
        // Left to `fast-float2` (or to the careful path's error): signs,
        // exponents, words, blanks, two dots, more than 19 digits, a cell
        // not ending at a comma or newline, or too near the end.
        let refused = [
            "+1",
            "1e5",
            "1E-5",
            "inf",
            "-inf",
            "nan",
            "NaN",
            "infinity",
            " 1",
            "1 ",
            "1.2.3",
            "--1",
            "-",
            ".",
            "",
            "12345678901234567890",
            "0.00000000000000000001",
            "1\r",
            "\"1\"",
            "1x",
            "18446744073709551616",
            "18446744073709551615",
            "1234567890123456789012345678901234",
        ];
        for cell in refused {
            assert!(!agrees(cell, b','), "{cell:?} taken");
        }
        assert_eq!(wide_cell(b"1,", 0), None, "fewer than 32 bytes");
        assert_eq!(wide_cell(&padded("1", b';'), 0), None);
    }

    proptest! {
        #[test]
        fn any_text_is_read_as_fast_float2_reads_it(
            cell in "[-+.0-9eE ]{0,24}",
            end in prop::sample::select(vec![b',', b'\n', b'\r', b'x']),
        ) {
            if wide_available() {
                agrees(&cell, end);
            }
        }

        #[test]
        fn printed_doubles_are_taken_and_read_exactly(bits in any::<u64>(), places in 0usize..=19) {
            let x = f64::from_bits(bits);
            if wide_available() && x.is_finite() && x.abs() < 1e18 {
                for cell in [format!("{x:?}"), format!("{x:.places$}")] {
                    let plain = !cell.contains('e')
                        && cell.bytes().filter(u8::is_ascii_digit).count() <= 19;
                    prop_assert_eq!(agrees(&cell, b','), plain, "{}", cell);
                }
            }
        }
    }
}
