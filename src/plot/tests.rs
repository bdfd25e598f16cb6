//! Tests of the public drawing API on figures like the article's.

use super::test_figures::*;
use super::*;
use crate::compute::SeriesKind;

/// Decode a PNG into (width, height, RGB bytes).
fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut reader = png::Decoder::new(bytes).read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
}

#[test]
fn svg_has_text_lines_points_and_bars() {
    let svg = draw_svg(&grid_figure()).unwrap();
    assert!(
        svg.starts_with("<svg width=\"1280\" height=\"964\" viewBox=\"0 0 5120 3856\""),
        "{}",
        &svg[..80]
    );
    for text in [
        "Huber loss, δ = 1",
        "residual a = ŷ − y",
        "probability",
        "Huber",
        "derivative",
        "target y",
        "Q (model)",
        "yellow",
        "Four panels",
    ] {
        assert!(
            svg.contains(&format!(">{text}<")) || svg.contains(text),
            "missing {text}"
        );
    }
    assert!(svg.contains("<polyline") || svg.contains("<path"));
    assert!(svg.contains("<circle"));
    assert!(svg.contains("<rect"));
    assert!(svg.contains(&color_hex("huber").to_uppercase()) || svg.contains(&color_hex("huber")));
}

#[test]
fn svg_text_is_escaped_and_big_enough_for_a_projector() {
    let mut fig = grid_figure();
    fig.panels[0].title = "a < b & c".into();
    let svg = draw_svg(&fig).unwrap();
    assert!(svg.contains("a &lt; b &amp; c"));
    // The SVG is drawn on a canvas SVG_DETAIL times larger than it is shown.
    let sizes: Vec<f64> = svg
        .split("font-size=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].parse::<f64>().unwrap() / f64::from(SVG_DETAIL))
        .collect();
    assert!(sizes.len() > 40);
    assert!(sizes.iter().all(|&px| px >= 14.0), "{sizes:?}");
}

#[test]
fn legends_sit_above_the_plot_area_inside_the_cell() {
    font::ensure_registered().unwrap();
    for fig in [grid_figure(), stress_figure(), gaussians_figure()] {
        let size = super::figure_size(&fig, 1.0);
        let fonts = layout::Fonts::new(1.0);
        let (_, cells) = layout::cells(
            fig.panels.len(),
            fig.columns,
            !fig.title.is_empty(),
            size,
            1.0,
        );
        let (columns, _) = layout::grid(fig.panels.len(), fig.columns);
        let layouts = {
            let looks: Vec<_> = fig
                .panels
                .iter()
                .map(|p| super::style::looks(&p.series, &[]))
                .collect();
            panel_layout::layout_panels(
                &fig.panels,
                &cells,
                columns,
                &fonts,
                1.0,
                &fig.options,
                &looks,
            )
            .unwrap()
        };
        let row_h = panel_layout::line(font::LEGEND_PX, 1.0);
        for ((layout, cell), panel) in layouts.iter().zip(&cells).zip(&fig.panels) {
            let plot = layout.plot;
            assert!(
                plot.x > cell.x && plot.right() < cell.right(),
                "{}",
                fig.name
            );
            assert!(
                plot.y > cell.y && plot.bottom() < cell.bottom(),
                "{}",
                fig.name
            );
            assert!(
                plot.h > 0.5 * cell.h,
                "{}: plot squashed to {}",
                fig.name,
                plot.h
            );
            for entry in &layout.legend {
                assert!(
                    entry.y + row_h / 2.0 <= plot.y + 0.5,
                    "{}: legend over the plot",
                    fig.name
                );
                let title_bottom =
                    layout.title_y + panel_layout::line(font::PANEL_TITLE_PX, 1.0) / 2.0;
                let clear_of_title =
                    panel.title.is_empty() || entry.y - row_h / 2.0 >= title_bottom - 0.5;
                assert!(clear_of_title, "{}: legend over the title", fig.name);
            }
        }
    }
}

#[test]
fn unlabelled_series_get_no_legend() {
    let svg = draw_svg(&figure("log", "", 1, vec![log_panel()])).unwrap();
    // The line sample of a legend would be a short polyline in the line colour;
    // with one unlabelled series the only mae-coloured element is the curve.
    let colour = format!("stroke=\"{}\"", color_hex("mae").to_uppercase());
    assert_eq!(svg.matches(&colour).count(), 1, "{svg}");
}

#[test]
fn drawing_is_deterministic() {
    let figure = grid_figure();
    assert_eq!(draw_svg(&figure).unwrap(), draw_svg(&figure).unwrap());
    assert_eq!(
        draw_png(&figure, 1.0).unwrap(),
        draw_png(&figure, 1.0).unwrap()
    );
}

#[test]
fn png_decodes_at_the_right_size_and_is_not_blank() {
    let single = figure("huber", "", 1, vec![huber_panel()]);
    let (w, h, pixels) = decode(&draw_png(&single, 1.0).unwrap());
    assert_eq!((w, h), (960, 600));
    let mut colours: Vec<&[u8]> = pixels.chunks(3).collect();
    let huber = color_for("huber");
    assert!(
        colours.contains(&[huber.0, huber.1, huber.2].as_slice()),
        "no pixel in Huber's colour"
    );
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 50, "only {} colours", colours.len());

    let (w2, h2, _) = decode(&draw_png(&single, 2.0).unwrap());
    assert_eq!((w2, h2), (1920, 1200));
    let (gw, gh, _) = decode(&draw_png(&grid_figure(), 1.0).unwrap());
    assert!(gw >= 600 && gh > 600, "{gw}×{gh}");
}

#[test]
fn errors_name_figure_and_panel() {
    let mut bad = grid_figure();
    bad.panels[1].x_range = (1.0, 1.0);
    let error = draw_svg(&bad).unwrap_err();
    assert_eq!(error.figure, "grid");
    assert!(
        error.message.contains("panel 2") && error.message.contains("x range"),
        "{error}"
    );

    bad.panels[1].x_range = (0.0, 1.0);
    bad.panels[3].y_range = (0.0, f64::NAN);
    let error = draw_png(&bad, 1.0).unwrap_err();
    assert!(
        error.message.contains("panel 4") && error.message.contains("y range"),
        "{error}"
    );

    let mut empty = grid_figure();
    empty.panels[0].series.clear();
    let error = draw_svg(&empty).unwrap_err();
    assert!(
        error.to_string().contains("figure `grid`") && error.message.contains("no series"),
        "{error}"
    );

    let none = figure("none", "", 1, Vec::new());
    assert!(draw_svg(&none).unwrap_err().message.contains("no panels"));
    for scale in [0.0, -1.0, f64::NAN, 1e6] {
        assert!(draw_png(&grid_figure(), scale).is_err(), "scale {scale}");
    }
}

#[test]
fn odd_inputs_draw_without_panicking() {
    let mut odd = grid_figure();
    odd.columns = 0;
    odd.panels[0].series[0].points.clear();
    odd.panels[1].series[0].points = vec![
        (f64::NAN, 1.0),
        (0.0, f64::INFINITY),
        (1e300, -1e300),
        (-1e300, 1e300),
    ];
    odd.panels[2].categories.truncate(2);
    odd.panels[3].y_range = (1e9, 2e9);
    draw_svg(&odd).unwrap();
    draw_png(&odd, 0.5).unwrap();
}

/// Writes sample figures for a human to look at:
/// `cargo test --lib plot::tests::write_samples -- --ignored`.
#[test]
#[ignore]
fn write_samples() {
    let dir = std::env::temp_dir().join("losslab-plot-samples");
    std::fs::create_dir_all(&dir).unwrap();
    let figures = [
        stress_figure(),
        gaussians_figure(),
        grid_figure(),
        figure(
            "partial",
            "",
            3,
            vec![huber_panel(), log_panel(), bars_panel(), regression_panel()],
        ),
        figure("huber", "", 1, vec![huber_panel()]),
        figure("bars", "", 1, vec![bars_panel()]),
        figure(
            "three",
            "Three in a row",
            3,
            vec![huber_panel(), log_panel(), bars_panel()],
        ),
    ];
    for figure in figures {
        std::fs::write(
            dir.join(format!("{}.svg", figure.name)),
            draw_svg(&figure).unwrap(),
        )
        .unwrap();
        std::fs::write(
            dir.join(format!("{}.png", figure.name)),
            draw_png(&figure, 1.0).unwrap(),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("huber-2x.png"),
        draw_png(&figure("huber", "", 1, vec![huber_panel()]), 2.0).unwrap(),
    )
    .unwrap();
}

/// The inline element, read back with a real XML parser: well-formed, named
/// for screen readers, the user's text escaped into text (never markup), no
/// namespace, no id, no script, and the same drawing as the document.
#[test]
fn the_inline_svg_is_safe_well_formed_xml() {
    use quick_xml::events::Event;
    let hostile = "a < b & <script>alert(1)</script>";
    use crate::compute::SeriesKind;
    let mut fig = figure(
        "hostile",
        hostile,
        1,
        vec![panel(
            hostile,
            "x",
            "y",
            (0.0, 1.0),
            (0.0, 1.0),
            vec![series(
                hostile,
                SeriesKind::Line,
                "mse",
                false,
                curve(|x| x * x, 0.0, 1.0, 20),
            )],
        )],
    );
    fig.alt = "A \"parabola\" & <more>".into();
    let document = draw_svg(&fig).unwrap();
    let inline = inline_svg(&document, &fig).unwrap();

    let mut reader = quick_xml::Reader::from_str(&inline);
    let unescape = |text: &str| quick_xml::escape::unescape(text).unwrap().into_owned();
    let (mut elements, mut texts, mut root_attrs) = (Vec::new(), Vec::new(), Vec::new());
    // Text arrives in pieces (entity references apart): gather it raw, then unescape.
    let mut text = String::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                texts.push(unescape(&std::mem::take(&mut text)));
                for attr in e.attributes() {
                    let attr = attr.unwrap();
                    let key = attr.key.0.to_string();
                    assert!(
                        key != "id" && !key.starts_with("xmlns") && !key.starts_with("on"),
                        "{key}"
                    );
                    if elements.is_empty() {
                        root_attrs.push((key, unescape(&attr.value)));
                    }
                }
                elements.push(e.name().0.to_string());
            }
            Event::End(_) => texts.push(unescape(&std::mem::take(&mut text))),
            Event::Text(t) => text.push_str(&t),
            Event::GeneralRef(r) => text.push_str(&format!("&{};", &*r)),
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(elements[0], "svg");
    assert!(
        !elements.iter().any(|e| e.eq_ignore_ascii_case("script")),
        "{elements:?}"
    );
    assert!(root_attrs.contains(&("role".into(), "img".into())));
    assert!(
        root_attrs.contains(&("aria-label".into(), fig.alt.clone())),
        "{root_attrs:?}"
    );
    assert!(texts.iter().any(|t| t.trim() == hostile), "{texts:?}");
    // The drawing is the document's, from the first element after the root on.
    let body =
        |svg: &str| svg[svg.find("<rect").unwrap()..svg.rfind("</svg>").unwrap()].to_string();
    assert_eq!(body(&inline), body(&document));
}

/// The layout of a one-panel figure with `legend` (scale 1).
fn legend_layout(fig: &FigureData) -> panel_layout::PanelLayout {
    font::ensure_registered().unwrap();
    let size = super::figure_size(fig, 1.0);
    let fonts = layout::Fonts::new(1.0);
    let (_, cells) = layout::cells(1, 1, !fig.title.is_empty(), size, 1.0);
    let looks = vec![super::style::looks(&fig.panels[0].series, &[])];
    panel_layout::layout_panels(&fig.panels, &cells, 1, &fonts, 1.0, &fig.options, &looks)
        .unwrap()
        .remove(0)
}

#[test]
fn an_inside_legend_moves_to_a_corner_free_of_data() {
    use crate::scenario::LegendPosition;
    // A parabola fills the top left and top right corners; the bottom is free
    // only away from the centre.
    let parabola = series(
        "x²",
        SeriesKind::Line,
        "mse",
        false,
        curve(|x| x * x, -2.0, 2.0, 400),
    );
    let line = series(
        "|x|",
        SeriesKind::Line,
        "mae",
        false,
        curve(f64::abs, -2.0, 2.0, 400),
    );
    let mut fig = figure(
        "f",
        "",
        1,
        vec![panel(
            "",
            "x",
            "y",
            (-2.0, 2.0),
            (0.0, 4.0),
            vec![parabola, line],
        )],
    );
    fig.options.legend = LegendPosition::InsideTopLeft;
    let layout = legend_layout(&fig);
    let area = layout.legend_box.expect("an inside legend");
    let plot = layout.plot;
    assert!(area.x >= plot.x && area.right() <= plot.right());
    assert!(area.y >= plot.y && area.bottom() <= plot.bottom());
    // Not the top left that was asked for: the parabola is there.
    assert!(
        area.bottom() > plot.y + plot.h / 2.0,
        "{area:?} in {plot:?}"
    );
    let px = |p: (f64, f64)| {
        (
            plot.x + (p.0 + 2.0) / 4.0 * plot.w,
            plot.bottom() - p.1 / 4.0 * plot.h,
        )
    };
    assert!(!super::legend::covers_data(&fig.panels[0], area, &px));
    assert_eq!(layout.legend.len(), 2);
    // With points everywhere there is no free corner: beside the plot.
    let mut full = fig.clone();
    let grid: Vec<(f64, f64)> = (0..=40)
        .flat_map(|i| (0..=40).map(move |j| (-2.0 + 0.1 * f64::from(i), 0.1 * f64::from(j))))
        .collect();
    full.panels[0]
        .series
        .push(series("", SeriesKind::Points, "target", false, grid));
    let beside = legend_layout(&full);
    assert!(beside.legend_box.is_none());
    assert!(beside.legend.iter().all(|e| e.x > beside.plot.right()));
    // Top (the default) puts every entry above the plot, `none` shows none.
    let mut top = fig.clone();
    top.options.legend = LegendPosition::Top;
    let above = legend_layout(&top);
    assert!(above.legend.iter().all(|e| e.y < above.plot.y));
    top.options.legend = LegendPosition::None;
    assert!(legend_layout(&top).legend.is_empty());
}

#[test]
fn a_curve_and_the_marks_of_its_loss_are_one_legend_entry() {
    let curve_of_mse = series(
        "MSE",
        SeriesKind::Line,
        "mse",
        false,
        curve(|x| x * x, -1.0, 1.0, 10),
    );
    let best = series(
        "best c = 0",
        SeriesKind::Points,
        "mse",
        false,
        vec![(0.0, 0.0)],
    );
    let mae = series(
        "MAE",
        SeriesKind::Line,
        "mae",
        false,
        curve(f64::abs, -1.0, 1.0, 10),
    );
    let fig = figure(
        "f",
        "",
        1,
        vec![panel(
            "",
            "x",
            "y",
            (-1.0, 1.0),
            (0.0, 1.0),
            vec![curve_of_mse, best, mae],
        )],
    );
    let layout = legend_layout(&fig);
    let labels: Vec<&str> = layout.legend.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["MSE (best c = 0)", "MAE"]);
    assert_eq!(layout.legend[0].marker_of, Some(1));
}
