//! Rows side by side: the per-row reductions of the row losses' chunk
//! kernels (a row's compensated sum, its largest entry) run on [`LANES`]
//! rows at once, lane r holding row r, so that they become vector code.
//!
//! Why: the terms of a row (logarithms, exponentials) are computed in flat
//! loops over a block's values, but a row's sum runs over its own classes,
//! a chain of dependent additions that one row alone cannot vectorise (and
//! whose order fixes its bits). Taking several rows at once keeps each
//! row's order: lane r adds row r's classes j = 0, 1, …, C − 1 one after
//! another, with the same operations as the scalar `Neumaier` sum, so a
//! row has the same bits whichever way it is computed, while the eight
//! lanes fill a vector register. A [`Group`] reads column j of its rows
//! with the row stride (no copy); a last group with fewer rows repeats its
//! last row in the missing lanes, whose results are dropped.
//!
//! ```text
//!   block (row-major)          lanes: column j of rows r .. r + 7
//!   row r    : x x x x x x      [ x_r,j  x_r+1,j  …  x_r+7,j ]  j = 0..C−1
//!   row r + 1: x x x x x x         each lane a row's running sum
//! ```

use super::sum::{two_sum, Neumaier};

/// Rows per group: eight doubles, one AVX-512 register (two AVX2 ones).
pub(crate) const LANES: usize = 8;

/// One double per row of a group.
pub(crate) type Lanes = [f64; LANES];

/// [`LANES`] consecutive rows of a block of `classes`-long rows.
#[derive(Clone, Copy)]
pub(crate) struct Group<'a> {
    rows: [&'a [f64]; LANES],
    /// The block's row that is the group's first.
    first: usize,
    /// Rows of the group that are real (the others repeat the last one).
    pub live: usize,
}

impl<'a> Group<'a> {
    /// The group of `values` (rows of `classes`) that starts at row `first`.
    #[inline(always)]
    pub(crate) fn new(values: &'a [f64], classes: usize, first: usize) -> Self {
        let live = (values.len() / classes - first).min(LANES);
        let rows = std::array::from_fn(|r| {
            let i = first + r.min(live - 1);
            &values[i * classes..(i + 1) * classes]
        });
        Group { rows, first, live }
    }

    /// The group's entries of `per_row` (one value per row of the block).
    #[inline(always)]
    pub(crate) fn of<T: Copy>(&self, per_row: &[T]) -> [T; LANES] {
        std::array::from_fn(|r| per_row[self.first + r.min(self.live - 1)])
    }

    /// Entry `j` of each row.
    #[inline(always)]
    pub(crate) fn column(&self, j: usize) -> Lanes {
        std::array::from_fn(|r| self.rows[r][j])
    }

    /// `f(column j)` for j = 0, 1, …, C − 1 in order. Each row is first
    /// cut to the classes of the first, so that the compiler knows every
    /// `row[j]` is inside its row: one check per row, not one per value (a
    /// column was eight loads, eight inserts and eight bounds checks).
    #[inline(always)]
    // `j` indexes each row (`rows[r][j]`), not `rows`.
    #[allow(clippy::needless_range_loop)]
    pub(crate) fn each_column(&self, mut f: impl FnMut(&Lanes)) {
        let classes = self.rows[0].len();
        let mut rows = [&self.rows[0][..0]; LANES];
        for (row, whole) in rows.iter_mut().zip(self.rows) {
            *row = &whole[..classes];
        }
        for j in 0..classes {
            f(&std::array::from_fn(|r| rows[r][j]));
        }
    }

    /// Each row's compensated sum (the bits of `compensated_sum(row)`).
    #[inline(always)]
    pub(crate) fn sums(&self) -> Lanes {
        let mut sums = LaneSums::default();
        self.each_column(|x| sums.add(x));
        sums.values()
    }

    /// Each row's plain sum, in class order from 0.0.
    #[inline(always)]
    pub(crate) fn plain_sums(&self) -> Lanes {
        let mut sums = [0.0; LANES];
        self.each_column(|x| {
            for r in 0..LANES {
                sums[r] += x[r];
            }
        });
        sums
    }
}

/// The first row of each group of a block of `rows` rows.
pub(crate) fn starts(rows: usize) -> impl Iterator<Item = usize> {
    (0..rows).step_by(LANES)
}

/// Write a group's results (`lanes`) for its live rows into `out`, one
/// value per row of the block.
#[inline(always)]
pub(crate) fn store<T: Copy>(out: &mut [T], group: &Group<'_>, lanes: &[T; LANES]) {
    out[group.first..group.first + group.live].copy_from_slice(&lanes[..group.live]);
}

/// [`LANES`] running compensated sums, lane by lane the operations of
/// `Neumaier::add` (Knuth's two-sum, the error added up), kept as two
/// arrays (not one `Neumaier` per lane) so the lanes are one vector each.
#[derive(Clone, Copy, Default)]
pub(crate) struct LaneSums {
    sum: Lanes,
    compensation: Lanes,
}

impl LaneSums {
    #[inline(always)]
    // Lane r of each array by its index: the form measured to become one
    // vector operation per step.
    #[allow(clippy::needless_range_loop)]
    pub(crate) fn add(&mut self, x: &Lanes) {
        for r in 0..LANES {
            let (t, error) = two_sum(self.sum[r], x[r]);
            self.compensation[r] += error;
            self.sum[r] = t;
        }
    }

    /// Each lane's sum, as [`Neumaier::value`] gives it (a select there, so
    /// that the eight lanes are one vector operation: as scalar branches,
    /// once per group of eight rows, they were a tenth of the probability
    /// cross-entropy's row sums).
    #[inline(always)]
    pub(crate) fn values(&self) -> Lanes {
        std::array::from_fn(|r| Neumaier::from_parts(self.sum[r], self.compensation[r]).value())
    }
}

/// Each row's compensated sum into `out` (one per row of `terms`): the
/// bits of `compensated_sum(row)`, eight rows at a time.
#[inline(always)]
pub(crate) fn row_sums(terms: &[f64], classes: usize, out: &mut [f64]) {
    for first in starts(out.len()) {
        let group = Group::new(terms, classes, first);
        store(out, &group, &group.sums());
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::sum::compensated_sum;
    use super::*;

    /// Rows with everything a compensated sum can meet: cancellation, huge
    /// and tiny magnitudes, zeros, subnormals, infinities and NaN.
    pub(crate) fn rows(count: usize, classes: usize) -> Vec<f64> {
        let special = [
            0.0,
            -0.0,
            1e300,
            -1e300,
            5e-324,
            1e-17,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1.0,
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        (0..count * classes)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let x = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                match state % 23 {
                    // Rare specials: most rows stay finite.
                    0 => special[i % special.len()],
                    1..=4 => x * 1e16,
                    _ => x * 2f64.powi((state % 40) as i32 - 20),
                }
            })
            .collect()
    }

    /// Lane sums are the scalar sums bit for bit, on ragged tails (row
    /// counts not a multiple of the group), one class and many classes.
    #[test]
    fn row_sums_are_the_scalar_sums() {
        // Class counts around multiples of 4 and 8, row counts around
        // multiples of the group.
        let classes_list = [1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 15, 16, 17, 24, 33, 1000];
        for classes in classes_list {
            for count in [1, 3, 7, 8, 9, 15, 16, 17, 23, 24, 25] {
                let values = rows(count, classes);
                let mut got = vec![f64::NAN; count];
                row_sums(&values, classes, &mut got);
                let plain: Vec<f64> = starts(count)
                    .flat_map(|first| {
                        let group = Group::new(&values, classes, first);
                        group.plain_sums()[..group.live].to_vec()
                    })
                    .collect();
                for (r, row) in values.chunks(classes).enumerate() {
                    let expected = compensated_sum(row.iter().copied());
                    let at = format!("{classes} classes, {count} rows, row {r}");
                    assert_eq!(got[r].to_bits(), expected.to_bits(), "{at}");
                    let expected = row.iter().fold(0.0, |s, &x| s + x);
                    assert_eq!(plain[r].to_bits(), expected.to_bits(), "{at}");
                }
            }
        }
    }

    /// A short last group repeats its last row and writes only live rows.
    #[test]
    fn short_groups_write_only_their_rows() {
        let values: Vec<f64> = (0..30).map(f64::from).collect();
        let group = Group::new(&values, 3, 8);
        assert_eq!(group.live, 2);
        assert_eq!(
            group.column(1),
            [25.0, 28.0, 28.0, 28.0, 28.0, 28.0, 28.0, 28.0]
        );
        assert_eq!(
            group.of(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
            [8, 9, 9, 9, 9, 9, 9, 9]
        );
        let mut out = [-1.0; 12];
        store(&mut out[..10], &group, &[1.0; LANES]);
        assert_eq!(&out[7..], &[-1.0, 1.0, 1.0, -1.0, -1.0]);
    }
}
