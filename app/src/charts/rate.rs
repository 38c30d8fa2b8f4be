//! A ratio per day (cache hit rate, cached Docker steps) as a line on a 0–100 % axis, with
//! the counts behind each point in its tooltip.

use plotters::prelude::*;

use super::{
    ChartError,
    axis::{day_label, day_tick},
    frame::{
        ChartSize, GRID, LEGEND_HEIGHT, MUTED, Swatch, draw_legend, ensure_font, finish_svg,
        label_font,
    },
    tips::Tips,
};
use strata_core::model::time::Ratio;

/// A named daily ratio series in one colour.
pub struct RateSeries<'a> {
    pub label: &'a str,
    pub color: RGBColor,
    pub days: Vec<(i64, Ratio)>,
}

pub fn rates_by_day(
    series: &[RateSeries<'_>],
    title: &str,
    size: ChartSize,
) -> Result<String, ChartError> {
    ensure_font();
    let all_days = series.iter().flat_map(|s| s.days.iter().map(|d| d.0));
    let (first, last) = all_days.fold((i64::MAX, i64::MIN), |(lo, hi), d| (lo.min(d), hi.max(d)));
    let (first, last) = if first > last { (0, 0) } else { (first, last) };

    let mut svg = String::new();
    let mut tips = Tips::default();
    {
        let root = SVGBackend::with_string(&mut svg, (size.width, size.height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (legend, plot) = root.split_vertically(LEGEND_HEIGHT);
        let entries: Vec<(Swatch, String)> = series
            .iter()
            .map(|s| (Swatch::Line(s.color), s.label.to_owned()))
            .collect();
        draw_legend(&legend, &entries)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(28)
            .y_label_area_size(50)
            .build_cartesian_2d((first as f64 - 0.6)..(last as f64 + 0.6), 0.0..100.0)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(MUTED)
            .label_style(label_font())
            .x_labels(7)
            .x_label_formatter(&|d| day_tick(*d))
            .y_labels(6)
            .y_label_formatter(&|v| format!("{v:.0} %"))
            .draw()?;
        for s in series {
            // Consecutive days with a value form one line; a day with nothing breaks it.
            let mut segment: Vec<(f64, f64)> = Vec::new();
            let mut previous: Option<i64> = None;
            let mut flush = |segment: &mut Vec<(f64, f64)>| -> Result<(), ChartError> {
                if !segment.is_empty() {
                    chart.draw_series(
                        LineSeries::new(segment.drain(..), s.color.stroke_width(2)).point_size(2),
                    )?;
                }
                Ok(())
            };
            for (day, ratio) in &s.days {
                let Some(value) = ratio.value() else {
                    flush(&mut segment)?;
                    previous = None;
                    continue;
                };
                if previous != Some(day - 1) {
                    flush(&mut segment)?;
                }
                segment.push((*day as f64, value * 100.0));
                previous = Some(*day);
            }
            flush(&mut segment)?;
        }
        for s in series {
            for (day, ratio) in &s.days {
                if let Some(value) = ratio.value() {
                    let point = chart.backend_coord(&(*day as f64, value * 100.0));
                    tips.point(
                        point,
                        &format!(
                            "{}: {} {:.0}% ({} of {})",
                            day_label(*day),
                            s.label,
                            value * 100.0,
                            ratio.part,
                            ratio.whole
                        ),
                    );
                }
            }
        }
        root.present()?;
    }
    let description = series
        .iter()
        .map(|s| {
            let total = s.days.iter().fold(Ratio::default(), |acc, (_, r)| Ratio {
                part: acc.part + r.part,
                whole: acc.whole + r.whole,
            });
            match total.value() {
                Some(v) => format!(
                    "{} {:.0}% over the period ({} of {})",
                    s.label,
                    v * 100.0,
                    total.part,
                    total.whole
                ),
                None => format!("{}: no data in this period", s.label),
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    Ok(finish_svg(
        svg,
        size,
        title,
        &description,
        &tips.into_layer(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::frame::ACCENT;

    #[test]
    fn plots_percentages_with_counts_in_tooltips() {
        let series = [RateSeries {
            label: "cache hits",
            color: ACCENT,
            days: vec![
                (20_000, Ratio { part: 3, whole: 4 }),
                (20_001, Ratio::default()),
                (20_002, Ratio { part: 1, whole: 2 }),
            ],
        }];
        let svg = rates_by_day(&series, "Cache hit rate", ChartSize::WIDE).unwrap();
        assert!(
            svg.contains("<title>2024-10-04: cache hits 75% (3 of 4)</title>"),
            "{svg}"
        );
        assert!(svg.contains("cache hits 67% over the period (4 of 6)"));
        let texts = crate::charts::frame::svg_texts(&svg);
        assert!(texts.contains(&"100 %".to_owned()), "{texts:?}");
    }
}
