//! Fewer points for the same stroke: a curve sampled every few tenths of a
//! pixel is drawn with the points that change its shape.
//!
//! Every coordinate of the SVG is already rounded to the backend's integer
//! grid (a quarter pixel, see `SVG_DETAIL`), so each point may sit up to half
//! a unit from the true curve. A point is left out when it lies within that
//! same half unit of the chord that replaces it, between the chord's ends:
//! the line moves by no more than the rounding already moved it, while the
//! SVG, its parsing and the stroking of the PNG have a third as many
//! segments to handle (the stroker and the rasteriser's edge sort cost per
//! segment, not per pixel).
//!
//! Integer arithmetic only (the points are integers and the test is exact),
//! so the result is the same on every machine and for every thread count.

/// A point dropped may lie this far from its chord, in backend units, as a
/// fraction `1 / TOLERANCE_DIVISOR`: half a unit, the rounding error of the
/// coordinates themselves.
const TOLERANCE_DIVISOR: i128 = 2;

/// At most this many points are replaced by one chord. The greedy search
/// checks every point of a run against each longer chord it tries
/// (quadratic in the run), so this bounds the work at eight checks a point
/// whatever the input; curved stretches end their runs sooner anyway, and
/// straight ones keep one point every `MAX_RUN`, which costs nothing visible.
const MAX_RUN: usize = 16;

/// The polyline `path` (integer backend coordinates, no two consecutive
/// points equal) with the points that lie within half a unit of the chord
/// between their kept neighbours left out. The first and last points are
/// always kept; so is every point where the line turns back.
pub fn simplify(path: &[(i32, i32)]) -> Vec<(i32, i32)> {
    let Some(&first) = path.first() else {
        return Vec::new();
    };
    let mut kept = vec![first];
    let mut anchor = 0;
    while anchor + 1 < path.len() {
        // Greedy: the farthest end whose chord passes close to every point
        // between it and the anchor.
        let mut end = anchor + 1;
        while end + 1 < path.len()
            && end + 1 - anchor <= MAX_RUN
            && path[anchor + 1..=end]
                .iter()
                .all(|&p| near_chord(path[anchor], path[end + 1], p))
        {
            end += 1;
        }
        kept.push(path[end]);
        anchor = end;
    }
    kept
}

/// Whether `p` lies within half a unit of the segment from `a` to `b`: its
/// distance to the line is at most half a unit and its projection falls
/// between the ends (so a line that turns back is never shortened). Exact:
/// `|cross|² · 4 ≤ |b − a|²` in 128-bit integers.
fn near_chord(a: (i32, i32), b: (i32, i32), p: (i32, i32)) -> bool {
    // Differences of two i32 fit in i64, and a product of two i64 in i128:
    // each product is one widening multiplication.
    let difference = |to: i32, from: i32| i64::from(to) - i64::from(from);
    let product = |x: i64, y: i64| i128::from(x) * i128::from(y);
    let (dx, dy) = (difference(b.0, a.0), difference(b.1, a.1));
    let (px, py) = (difference(p.0, a.0), difference(p.1, a.1));
    let length_squared = product(dx, dx) + product(dy, dy);
    if length_squared == 0 {
        return false;
    }
    let along = product(dx, px) + product(dy, py);
    let cross = product(dx, py) - product(dy, px);
    (0..=length_squared).contains(&along)
        && cross * cross * TOLERANCE_DIVISOR * TOLERANCE_DIVISOR <= length_squared
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance from `p` to the segment `a`–`b`, in floating point (for checking).
    fn distance(a: (i32, i32), b: (i32, i32), p: (i32, i32)) -> f64 {
        let (ax, ay, bx, by) = (a.0 as f64, a.1 as f64, b.0 as f64, b.1 as f64);
        let (px, py) = (p.0 as f64, p.1 as f64);
        let (dx, dy) = (bx - ax, by - ay);
        let t = (((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
        ((ax + t * dx - px).powi(2) + (ay + t * dy - py).powi(2)).sqrt()
    }

    #[test]
    fn a_straight_line_keeps_its_ends() {
        // A run as long as a chord may replace.
        let line: Vec<(i32, i32)> = (0..=16).map(|i| (3 * i, 7 - 2 * i)).collect();
        assert_eq!(simplify(&line), vec![(0, 7), (48, -25)]);
    }

    #[test]
    fn corners_and_short_paths_are_kept() {
        let corner = [(0, 0), (10, 0), (20, 0), (20, 10), (20, 20)];
        assert_eq!(simplify(&corner), vec![(0, 0), (20, 0), (20, 20)]);
        assert_eq!(simplify(&[(1, 1), (2, 2)]), vec![(1, 1), (2, 2)]);
        assert_eq!(simplify(&[(1, 1)]), vec![(1, 1)]);
        assert!(simplify(&[]).is_empty());
    }

    #[test]
    fn a_line_that_turns_back_keeps_the_turn() {
        // Collinear, but going back: the far point is where the stroke ends.
        let back = [(0, 0), (10, 0), (20, 0), (5, 0)];
        assert_eq!(simplify(&back), vec![(0, 0), (20, 0), (5, 0)]);
    }

    #[test]
    fn every_dropped_point_stays_within_half_a_unit() {
        // A parabola sampled every 1.6 units on a 4× grid, like a loss curve.
        let curve: Vec<(i32, i32)> = (0..2000)
            .map(|i| {
                let x = i as f64 * 1.6;
                (
                    x.round() as i32,
                    (2000.0 - (x - 1600.0).powi(2) / 1300.0).round() as i32,
                )
            })
            .collect::<Vec<_>>();
        let mut curve = curve;
        curve.dedup();
        let kept = simplify(&curve);
        assert!(
            kept.len() * 2 < curve.len(),
            "{} of {}",
            kept.len(),
            curve.len()
        );
        assert_eq!(kept.first(), curve.first());
        assert_eq!(kept.last(), curve.last());
        // Kept points are original points, in order: find their indices, then
        // every original point between two of them lies within half a unit of
        // their segment.
        let mut at = Vec::new();
        let mut next = 0;
        for (i, &p) in curve.iter().enumerate() {
            if next < kept.len() && p == kept[next] {
                at.push(i);
                next += 1;
            }
        }
        assert_eq!(at.len(), kept.len());
        for pair in at.windows(2) {
            let (a, b) = (curve[pair[0]], curve[pair[1]]);
            for &p in &curve[pair[0]..=pair[1]] {
                let d = distance(a, b, p);
                assert!(d <= 0.5 + 1e-12, "{p:?} is {d} from its chord");
            }
        }
    }

    #[test]
    fn long_straight_runs_are_cut_every_max_run_points() {
        let line: Vec<(i32, i32)> = (0..=200).map(|i| (i, 0)).collect();
        let kept = simplify(&line);
        assert_eq!(
            kept.iter().map(|p| p.0).collect::<Vec<_>>(),
            [0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 200]
        );
    }
}
