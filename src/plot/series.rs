//! Pure geometry for series: cutting lines at the panel border, dash patterns
//! and bar rectangles. No drawing here, so all of it is unit-testable.

/// A closed interval `(min, max)` on one axis.
pub type Range = (f64, f64);

/// Cut a polyline to the box `x_range` × `y_range`.
///
/// plotters clamps points outside the axis range onto the border, which draws
/// a curve that leaves the range as a flat line along the edge. Instead, each
/// segment is clipped (Liang–Barsky): where the line leaves the box it ends at
/// the interpolated crossing, where it comes back a new piece starts. A point
/// with a non-finite coordinate breaks the line. Pieces of fewer than two
/// points are dropped (they would draw nothing).
pub fn cut_polyline(points: &[(f64, f64)], x_range: Range, y_range: Range) -> Vec<Vec<(f64, f64)>> {
    let mut pieces = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let mut previous: Option<(f64, f64)> = None;
    for &point in points {
        if !(point.0.is_finite() && point.1.is_finite()) {
            flush(&mut pieces, &mut current);
            previous = None;
            continue;
        }
        match previous {
            None if inside(point, x_range, y_range) => current.push(point),
            None => {}
            Some(start) => match clip_segment(start, point, x_range, y_range) {
                None => flush(&mut pieces, &mut current),
                Some(clipped) => {
                    if current.is_empty() || clipped.entered {
                        flush(&mut pieces, &mut current);
                        current.push(clipped.from);
                    }
                    current.push(clipped.to);
                    if clipped.left {
                        flush(&mut pieces, &mut current);
                    }
                }
            },
        }
        previous = Some(point);
    }
    flush(&mut pieces, &mut current);
    pieces
}

fn flush(pieces: &mut Vec<Vec<(f64, f64)>>, current: &mut Vec<(f64, f64)>) {
    if current.len() >= 2 {
        pieces.push(std::mem::take(current));
    } else {
        current.clear();
    }
}

/// Whether a point lies in the closed box.
pub fn inside(point: (f64, f64), x_range: Range, y_range: Range) -> bool {
    (x_range.0..=x_range.1).contains(&point.0) && (y_range.0..=y_range.1).contains(&point.1)
}

struct ClippedSegment {
    from: (f64, f64),
    to: (f64, f64),
    /// The segment started outside the box (`from` is a border crossing).
    entered: bool,
    /// The segment ends outside the box (`to` is a border crossing).
    left: bool,
}

/// Liang–Barsky clipping of one segment; `None` if no part is inside.
fn clip_segment(
    a: (f64, f64),
    b: (f64, f64),
    x_range: Range,
    y_range: Range,
) -> Option<ClippedSegment> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    if !(dx.is_finite() && dy.is_finite()) {
        return None;
    }
    let constraints = [
        (-dx, a.0 - x_range.0),
        (dx, x_range.1 - a.0),
        (-dy, a.1 - y_range.0),
        (dy, y_range.1 - a.1),
    ];
    let (mut t_enter, mut t_leave) = (0.0_f64, 1.0_f64);
    for (p, q) in constraints {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t_enter = t_enter.max(t);
            } else {
                t_leave = t_leave.min(t);
            }
        }
    }
    if t_enter > t_leave {
        return None;
    }
    // Clamping only removes rounding error: the crossing is on the border.
    let at = |t: f64| {
        (
            (a.0 + t * dx).clamp(x_range.0, x_range.1),
            (a.1 + t * dy).clamp(y_range.0, y_range.1),
        )
    };
    Some(ClippedSegment {
        from: if t_enter > 0.0 { at(t_enter) } else { a },
        to: if t_leave < 1.0 { at(t_leave) } else { b },
        entered: t_enter > 0.0,
        left: t_leave < 1.0,
    })
}

/// Split a pixel-space polyline into dashes of `dash` pixels separated by
/// `gap` pixels. The pattern runs on across vertices, so a dense curve gets
/// even dashes rather than one dash per data segment.
///
/// Not plotters' `DashedPathElement`: that one measures in `f32` on the
/// backend's integer coordinates and rounds every cut to a whole pixel,
/// where this works in `f64` on curves already cut at the plot border
/// (`cut_polyline`); switching would change every dashed figure's bytes for
/// coarser dashes.
pub fn dash_polyline(points: &[(f64, f64)], dash: f64, gap: f64) -> Vec<Vec<(f64, f64)>> {
    let mut dashes = Vec::new();
    if points.len() < 2 || dash <= 0.0 || gap < 0.0 {
        return dashes;
    }
    let mut current = vec![points[0]];
    let mut drawing = true;
    let mut left_in_phase = dash;
    for pair in points.windows(2) {
        let (mut a, b) = (pair[0], pair[1]);
        let mut remaining = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        while remaining > left_in_phase {
            let t = left_in_phase / remaining;
            let cut = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
            if drawing {
                current.push(cut);
                dashes.push(std::mem::take(&mut current));
            } else {
                current = vec![cut];
            }
            remaining -= left_in_phase;
            a = cut;
            drawing = !drawing;
            left_in_phase = if drawing { dash } else { gap };
        }
        left_in_phase -= remaining;
        if drawing {
            current.push(b);
        }
    }
    if drawing && current.len() >= 2 {
        dashes.push(current);
    }
    dashes
}

/// Share of a category slot that a group of bars fills.
const BAR_GROUP_WIDTH: f64 = 0.8;

/// The data-space rectangle `((x_left, y_low), (x_right, y_high))` of bar
/// `index` of `count` side-by-side bar series at category `x` with value `y`,
/// standing on `baseline`, cut to the panel's box; `None` if nothing is inside.
pub fn bar_rect(
    x: f64,
    y: f64,
    index: usize,
    count: usize,
    baseline: f64,
    x_range: Range,
    y_range: Range,
) -> Option<((f64, f64), (f64, f64))> {
    if !(x.is_finite() && y.is_finite()) || count == 0 {
        return None;
    }
    let width = BAR_GROUP_WIDTH / count as f64;
    let left = x - BAR_GROUP_WIDTH / 2.0 + index as f64 * width;
    let (x0, x1) = (left.max(x_range.0), (left + width).min(x_range.1));
    let (y0, y1) = (
        y.min(baseline).max(y_range.0),
        y.max(baseline).min(y_range.1),
    );
    (x0 < x1 && y0 <= y1).then_some(((x0, y0), (x1, y1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const X: Range = (0.0, 10.0);
    const Y: Range = (0.0, 1.0);

    fn all_inside(pieces: &[Vec<(f64, f64)>]) -> bool {
        pieces.iter().flatten().all(|&p| inside(p, X, Y))
    }

    #[test]
    fn inside_line_is_kept_whole() {
        let line = vec![(0.0, 0.0), (5.0, 0.5), (10.0, 1.0)];
        assert_eq!(cut_polyline(&line, X, Y), vec![line]);
    }

    #[test]
    fn leaving_the_y_range_cuts_at_the_interpolated_crossing() {
        // Up through y = 1 between x = 1 and x = 2, back down between 3 and 4.
        let line = [
            (0.0, 0.5),
            (1.0, 0.5),
            (2.0, 1.5),
            (3.0, 1.5),
            (4.0, 0.5),
            (5.0, 0.5),
        ];
        let pieces = cut_polyline(&line, X, Y);
        assert_eq!(pieces.len(), 2);
        assert!(all_inside(&pieces));
        assert_eq!(pieces[0], vec![(0.0, 0.5), (1.0, 0.5), (1.5, 1.0)]);
        assert_eq!(pieces[1], vec![(3.5, 1.0), (4.0, 0.5), (5.0, 0.5)]);
    }

    #[test]
    fn segment_passing_through_is_cut_at_both_ends() {
        let pieces = cut_polyline(&[(-5.0, 0.5), (15.0, 0.5)], X, Y);
        assert_eq!(pieces, vec![vec![(0.0, 0.5), (10.0, 0.5)]]);
    }

    #[test]
    fn line_wholly_outside_gives_nothing_and_no_border_line() {
        let line = [(0.0, 2.0), (5.0, 3.0), (10.0, 2.0)];
        assert!(cut_polyline(&line, X, Y).is_empty());
    }

    #[test]
    fn non_finite_values_break_the_line() {
        let line = [
            (0.0, 0.1),
            (1.0, 0.2),
            (2.0, f64::NAN),
            (3.0, 0.3),
            (4.0, 0.4),
            (5.0, f64::INFINITY),
        ];
        let pieces = cut_polyline(&line, X, Y);
        assert_eq!(
            pieces,
            vec![vec![(0.0, 0.1), (1.0, 0.2)], vec![(3.0, 0.3), (4.0, 0.4)]]
        );
    }

    #[test]
    fn steep_curve_like_log_is_cut_at_the_bottom() {
        let line: Vec<(f64, f64)> = (1..=100)
            .map(|i| (i as f64 / 10.0, (i as f64 / 100.0).ln() + 1.0))
            .collect();
        let pieces = cut_polyline(&line, X, Y);
        assert_eq!(pieces.len(), 1);
        assert!(all_inside(&pieces));
        let first = pieces[0][0];
        assert_eq!(first.1, 0.0);
        // ln(x/10) + 1 = 0 at x = 10/e; the chord crossing lies close to it.
        assert!(
            (first.0 - 10.0 / std::f64::consts::E).abs() < 0.05,
            "{first:?}"
        );
    }

    #[test]
    fn dashes_alternate_and_keep_total_length() {
        let dashes = dash_polyline(&[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)], 4.0, 3.0);
        let length: f64 = dashes
            .iter()
            .flat_map(|d| d.windows(2))
            .map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt())
            .sum();
        // 20 px: dash 0–4, gap, dash 7–11, gap, dash 14–18, gap 18–20.
        assert!((length - 12.0).abs() < 1e-9, "{length}");
        assert_eq!(dashes.len(), 3);
        // The second dash turns the corner at (10, 0).
        assert_eq!(dashes[1], vec![(7.0, 0.0), (10.0, 0.0), (10.0, 1.0)]);
    }

    #[test]
    fn bars_sit_side_by_side_and_are_cut_to_the_box() {
        let a = bar_rect(2.0, 0.5, 0, 2, 0.0, (-0.5, 5.5), Y).unwrap();
        let b = bar_rect(2.0, 0.5, 1, 2, 0.0, (-0.5, 5.5), Y).unwrap();
        assert!((a.1 .0 - b.0 .0).abs() < 1e-12);
        assert!((a.0 .0 - 1.6).abs() < 1e-12 && (b.1 .0 - 2.4).abs() < 1e-12);
        let tall = bar_rect(0.0, 5.0, 0, 1, 0.0, (-0.5, 5.5), Y).unwrap();
        assert_eq!(tall.1 .1, 1.0);
        assert!(bar_rect(9.0, 0.5, 0, 1, 0.0, (-0.5, 5.5), Y).is_none());
    }
}
