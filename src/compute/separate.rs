//! `panels = "separate"`: the first panel's series split into one panel per
//! loss (per colour key: a curve with its marks), each with its own y range,
//! so a loss on a larger scale no longer flattens the others. The x range
//! stays the same in every panel, so the panels compare.

use super::model::Panel;
use super::panel::scaled_auto_range;
use crate::scenario::AxisScale;

/// The panels with the first one split; the columns for the grid.
pub fn separate(mut panels: Vec<Panel>, columns: usize, y_scale: AxisScale) -> (Vec<Panel>, usize) {
    if panels.is_empty() {
        return (panels, columns);
    }
    let first = panels.remove(0);
    let mut keys: Vec<&str> = Vec::new();
    for series in &first.series {
        if !keys.contains(&series.color_key.as_str()) {
            keys.push(&series.color_key);
        }
    }
    if keys.len() < 2 {
        panels.insert(0, first);
        return (panels, columns);
    }
    let split: Vec<Panel> = keys
        .iter()
        .map(|key| {
            let series: Vec<_> = first
                .series
                .iter()
                .filter(|s| s.color_key == *key)
                .cloned()
                .collect();
            let title = series
                .iter()
                .map(|s| s.label.as_str())
                .find(|l| !l.is_empty())
                .unwrap_or(key)
                .to_string();
            Panel {
                title,
                y_range: scaled_auto_range(
                    y_scale,
                    series.iter().flat_map(|s| s.points.iter().map(|p| p.1)),
                ),
                series,
                ..first.clone()
            }
        })
        .collect();
    let columns = split.len().min(3);
    panels.splice(0..0, split);
    (panels, columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::{Series, SeriesKind};

    fn series(key: &str, kind: SeriesKind, y: f64) -> Series {
        Series {
            label: key.to_uppercase(),
            kind,
            color_key: key.into(),
            dashed: false,
            points: vec![(0.0, 0.0), (1.0, y)],
        }
    }

    #[test]
    fn each_loss_gets_its_panel_and_its_scale() {
        let panel = Panel {
            title: "all".into(),
            x_label: "c".into(),
            y_label: "loss".into(),
            x_range: (0.0, 1.0),
            y_range: (0.0, 600.0),
            categories: Vec::new(),
            series: vec![
                series("mse", SeriesKind::Line, 600.0),
                series("mae", SeriesKind::Line, 2.0),
                series("mse", SeriesKind::Points, 500.0),
            ],
        };
        let (panels, columns) = separate(vec![panel], 1, AxisScale::Linear);
        assert_eq!((panels.len(), columns), (2, 2));
        assert_eq!(panels[0].series.len(), 2);
        assert_eq!(panels[1].title, "MAE");
        assert!(panels[1].y_range.1 < 3.0 && panels[0].y_range.1 > 600.0);
        assert!(panels.iter().all(|p| p.x_range == (0.0, 1.0)));
    }
}
