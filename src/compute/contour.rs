//! Level lines of a field sampled on a grid (marching squares), joined into
//! polylines so that a figure draws one path per line, not one per cell.
//!
//! # Method
//! A cell whose corners lie on both sides of the level c holds a piece of the
//! line; where it crosses an edge is found by linear interpolation between
//! the edge's two corners. A cell with all four edges crossed (a saddle) is
//! resolved by the mean of its corners (Lorensen & Cline 1987's ambiguity,
//! the usual choice). Every crossing is named by its grid edge, so pieces
//! of neighbouring cells share an exact endpoint and are chained without
//! comparing floating-point coordinates. A cell with a non-finite corner is
//! skipped.

use std::collections::BTreeMap;

/// A grid edge: horizontal (from (i, j) to (i + 1, j)) or vertical (from
/// (i, j) to (i, j + 1)).
type Edge = (bool, usize, usize);

/// The level-`level` lines of `values[j][i]` at (`xs[i]`, `ys[j]`).
pub fn level_lines(
    xs: &[f64],
    ys: &[f64],
    values: &[Vec<f64>],
    level: f64,
) -> Vec<Vec<(f64, f64)>> {
    let mut segments: Vec<(Edge, Edge)> = Vec::new();
    let above = |v: f64| v >= level;
    for j in 0..ys.len().saturating_sub(1) {
        for i in 0..xs.len().saturating_sub(1) {
            let corners = [
                values[j][i],
                values[j][i + 1],
                values[j + 1][i + 1],
                values[j + 1][i],
            ];
            if corners.iter().any(|v| !v.is_finite()) {
                continue;
            }
            // Edges in the order bottom, right, top, left, each between corners k and k + 1.
            let edges: [Edge; 4] = [
                (true, i, j),
                (false, i + 1, j),
                (true, i, j + 1),
                (false, i, j),
            ];
            let crossed: Vec<Edge> = (0..4)
                .filter(|&k| above(corners[k]) != above(corners[(k + 1) % 4]))
                .map(|k| edges[k])
                .collect();
            match crossed.as_slice() {
                [a, b] => segments.push((*a, *b)),
                [bottom, right, top, left] => {
                    let centre = corners.iter().sum::<f64>() / 4.0;
                    // Corner 0 is alone on its side unless the centre joins it.
                    if above(centre) == above(corners[0]) {
                        segments.push((*bottom, *right));
                        segments.push((*top, *left));
                    } else {
                        segments.push((*left, *bottom));
                        segments.push((*right, *top));
                    }
                }
                _ => {}
            }
        }
    }
    let point = |(horizontal, i, j): Edge| -> (f64, f64) {
        let (a, b, pa, pb) = if horizontal {
            (
                values[j][i],
                values[j][i + 1],
                (xs[i], ys[j]),
                (xs[i + 1], ys[j]),
            )
        } else {
            (
                values[j][i],
                values[j + 1][i],
                (xs[i], ys[j]),
                (xs[i], ys[j + 1]),
            )
        };
        let t = ((level - a) / (b - a)).clamp(0.0, 1.0);
        (pa.0 + t * (pb.0 - pa.0), pa.1 + t * (pb.1 - pa.1))
    };
    chain(&segments)
        .into_iter()
        .map(|edges| edges.into_iter().map(point).collect())
        .collect()
}

/// Join segments that share an edge into chains: open chains first (from
/// an end), then closed loops, each in the order of its first segment.
fn chain(segments: &[(Edge, Edge)]) -> Vec<Vec<Edge>> {
    let mut at: BTreeMap<Edge, Vec<usize>> = BTreeMap::new();
    for (k, (a, b)) in segments.iter().enumerate() {
        at.entry(*a).or_default().push(k);
        at.entry(*b).or_default().push(k);
    }
    let mut used = vec![false; segments.len()];
    let mut chains = Vec::new();
    let ends: Vec<usize> = (0..segments.len())
        .filter(|&k| at[&segments[k].0].len() == 1 || at[&segments[k].1].len() == 1)
        .collect();
    for start in ends.into_iter().chain(0..segments.len()) {
        if used[start] {
            continue;
        }
        used[start] = true;
        let (a, b) = segments[start];
        // Walk from the end that is free (an open chain's end) or from `a`.
        let (first, mut tip) = if at[&b].len() == 1 { (b, a) } else { (a, b) };
        let mut line = vec![first, tip];
        while let Some(&next) = at[&tip].iter().find(|&&k| !used[k]) {
            used[next] = true;
            let (p, q) = segments[next];
            tip = if p == tip { q } else { p };
            line.push(tip);
        }
        chains.push(line);
    }
    chains
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_circle_is_one_closed_line_at_the_right_radius() {
        let xs: Vec<f64> = (0..41).map(|i| -2.0 + 0.1 * i as f64).collect();
        let values: Vec<Vec<f64>> = xs
            .iter()
            .map(|y| xs.iter().map(|x| x * x + y * y).collect())
            .collect();
        let lines = level_lines(&xs, &xs, &values, 1.0);
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line.first(), line.last(), "closed");
        for (x, y) in line {
            // Linear interpolation of x² + y² errs by at most h²/4 = 0.0025.
            assert!(((x * x + y * y) - 1.0).abs() < 0.003, "{x}, {y}");
        }
    }

    #[test]
    fn a_straight_boundary_is_one_open_line() {
        let xs: Vec<f64> = (0..11).map(f64::from).collect();
        let values: Vec<Vec<f64>> = xs
            .iter()
            .map(|_| xs.iter().map(|x| x - 4.5).collect())
            .collect();
        let lines = level_lines(&xs, &xs, &values, 0.0);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].len(), 11);
        assert!(lines[0].iter().all(|(x, _)| (x - 4.5).abs() < 1e-12));
    }

    #[test]
    fn no_crossing_no_line() {
        let xs = [0.0, 1.0];
        assert!(level_lines(&xs, &xs, &[vec![1.0, 2.0], vec![3.0, 4.0]], 0.0).is_empty());
    }
}
