//! Pipeline (or job) duration per day: the median and p95 as lines, the number of runs as
//! light bars behind them, on a second axis.

use plotters::prelude::*;

use super::{
    ChartError,
    axis::{DurationUnit, day_label, day_tick},
    frame::{
        ACCENT, ACCENT_LIGHT, COUNT_BARS, ChartSize, GRID, LEGEND_HEIGHT, MUTED, Swatch,
        draw_legend, ensure_font, finish_svg, label_font,
    },
    tips::Tips,
};

/// One day's runs and duration percentiles (milliseconds).
#[derive(Clone, Debug, PartialEq)]
pub struct DailyDurations {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    pub runs: i64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
}

pub fn durations_by_day(
    points: &[DailyDurations],
    title: &str,
    size: ChartSize,
) -> Result<String, ChartError> {
    ensure_font();
    let first = points.iter().map(|p| p.day).min().unwrap_or(0);
    let last = points.iter().map(|p| p.day).max().unwrap_or(first);
    let max_ms = points
        .iter()
        .filter_map(|p| p.p95_ms.or(p.p50_ms))
        .fold(1_000.0, f64::max)
        * 1.1;
    let max_runs = points.iter().map(|p| p.runs).max().unwrap_or(1).max(1) as f64 * 1.15;
    // Plot in the display unit, so plotters' "nice" ticks are nice minutes, not milliseconds.
    let unit = DurationUnit::for_max(max_ms);
    let scale = unit.ms_per_unit();
    let max_y = max_ms / scale;
    let x_range = (first as f64 - 0.6)..(last as f64 + 0.6);

    let mut svg = String::new();
    let mut tips = Tips::default();
    {
        let root = SVGBackend::with_string(&mut svg, (size.width, size.height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (legend, plot) = root.split_vertically(LEGEND_HEIGHT);
        draw_legend(
            &legend,
            &[
                (Swatch::Line(ACCENT), "median".to_owned()),
                (Swatch::Line(ACCENT_LIGHT), "p95".to_owned()),
                (Swatch::Block(COUNT_BARS), "runs (right axis)".to_owned()),
            ],
        )?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(28)
            .y_label_area_size(60)
            .right_y_label_area_size(44)
            .build_cartesian_2d(x_range.clone(), 0.0..max_y)?
            .set_secondary_coord(x_range, 0.0..max_runs);
        let label_font = label_font();
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(MUTED)
            .label_style(label_font.clone())
            .x_labels(7)
            .x_label_formatter(&|d| day_tick(*d))
            .y_labels(6)
            .y_label_formatter(&|v| unit.label(v * scale))
            .draw()?;
        chart
            .configure_secondary_axes()
            .axis_style(MUTED)
            .label_style(label_font.clone())
            .y_labels(5)
            .y_label_formatter(&|runs| format!("{runs:.0}"))
            .draw()?;

        chart.draw_secondary_series(points.iter().filter(|p| p.runs > 0).map(|p| {
            let d = p.day as f64;
            Rectangle::new(
                [(d - 0.35, 0.0), (d + 0.35, p.runs as f64)],
                COUNT_BARS.filled(),
            )
        }))?;

        for (color, pick) in [
            (
                ACCENT_LIGHT,
                (|p: &DailyDurations| p.p95_ms) as fn(&DailyDurations) -> Option<f64>,
            ),
            (ACCENT, |p: &DailyDurations| p.p50_ms),
        ] {
            for segment in runs_of_consecutive_days(points, pick) {
                let scaled = segment.into_iter().map(|(x, ms)| (x, ms / scale));
                chart.draw_series(LineSeries::new(scaled, color.stroke_width(2)).point_size(2))?;
            }
        }

        for p in points {
            let d = p.day as f64;
            let text = format!(
                "{}: {} run{}{}{}",
                day_label(p.day),
                p.runs,
                if p.runs == 1 { "" } else { "s" },
                p.p50_ms
                    .map(|v| format!(", median {}", unit.label(v)))
                    .unwrap_or_default(),
                p.p95_ms
                    .map(|v| format!(", p95 {}", unit.label(v)))
                    .unwrap_or_default(),
            );
            let top = chart.backend_coord(&(d - 0.5, max_y));
            let bottom = chart.backend_coord(&(d + 0.5, 0.0));
            tips.rect(top, bottom, &text);
        }
        root.present()?;
    }
    let description = describe(points, unit);
    Ok(finish_svg(
        svg,
        size,
        title,
        &description,
        &tips.into_layer(),
    ))
}

/// The chart in words, for screen readers and the figure caption.
fn describe(points: &[DailyDurations], unit: DurationUnit) -> String {
    let runs: i64 = points.iter().map(|p| p.runs).sum();
    let medians: Vec<f64> = points.iter().filter_map(|p| p.p50_ms).collect();
    match (points.first(), points.last(), medians.is_empty()) {
        (Some(first), Some(last), false) => format!(
            "{runs} runs from {} to {}; daily median between {} and {}.",
            day_label(first.day),
            day_label(last.day),
            unit.label(medians.iter().copied().fold(f64::INFINITY, f64::min)),
            unit.label(medians.iter().copied().fold(0.0, f64::max)),
        ),
        _ => "No runs in this period.".to_owned(),
    }
}

/// Split a series where a day has no value, so lines do not bridge gaps.
fn runs_of_consecutive_days(
    points: &[DailyDurations],
    pick: fn(&DailyDurations) -> Option<f64>,
) -> Vec<Vec<(f64, f64)>> {
    let mut segments: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut previous_day: Option<i64> = None;
    for p in points {
        match pick(p) {
            Some(v) => {
                if previous_day != Some(p.day - 1) || segments.is_empty() {
                    segments.push(Vec::new());
                }
                if let Some(segment) = segments.last_mut() {
                    segment.push((p.day as f64, v));
                }
                previous_day = Some(p.day);
            }
            None => previous_day = None,
        }
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(day: i64, runs: i64, p50: Option<f64>, p95: Option<f64>) -> DailyDurations {
        DailyDurations {
            day,
            runs,
            p50_ms: p50,
            p95_ms: p95,
        }
    }

    #[test]
    fn draws_lines_bars_legend_and_a_tooltip_per_day() {
        let points = vec![
            day(20_000, 3, Some(300_000.0), Some(420_000.0)),
            day(20_001, 0, None, None),
            day(20_002, 5, Some(310_000.0), Some(500_000.0)),
            day(20_003, 4, Some(290_000.0), Some(480_000.0)),
        ];
        let svg = durations_by_day(&points, "Pipeline duration <main>", ChartSize::WIDE).unwrap();
        if let Ok(dir) = std::env::var("STRATA_CHART_DUMP") {
            std::fs::write(format!("{dir}/daily.svg"), &svg).unwrap();
        }
        assert!(svg.contains("<title>Pipeline duration &lt;main&gt;</title>"));
        let lines = svg.matches("<polyline").filter(|_| true).count();
        assert!(lines > 4);
        let median_segments = svg
            .matches(r##"stroke="#3B5BDB" stroke-width="2" points"##)
            .count();
        let p95_segments = svg
            .matches(r##"stroke="#91A7FF" stroke-width="2" points"##)
            .count();
        // Two segments per line around the empty day, plus the legend swatch.
        assert_eq!((median_segments, p95_segments), (3, 3));
        let texts = super::super::frame::svg_texts(&svg);
        assert!(
            texts.contains(&"median".to_owned()) && texts.contains(&"p95".to_owned()),
            "legend: {texts:?}"
        );
        assert!(
            texts.contains(&"8 min".to_owned()),
            "minutes on the axis, at round values: {texts:?}"
        );
        assert!(texts.contains(&"Oct 06".to_owned()), "{texts:?}");
        assert!(
            svg.contains("<title>2024-10-06: 5 runs, median 5.2 min, p95 8.3 min</title>"),
            "{svg}"
        );
        assert!(svg.contains("12 runs from 2024-10-04 to 2024-10-07"));
        assert!(svg.contains(r#"font-family="Strata Inter""#));
    }

    #[test]
    fn an_empty_series_still_renders() {
        let svg = durations_by_day(&[], "Nothing", ChartSize::WIDE).unwrap();
        assert!(svg.contains("No runs in this period."));
    }
}
