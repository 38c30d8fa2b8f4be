//! Distributions of durations, one colour per group, bars side by side in shared bins, so
//! "cache hit" against "cache miss" (or warm against cold builds) reads at a glance.

use plotters::prelude::*;

use super::{
    ChartError,
    axis::DurationUnit,
    frame::{
        ChartSize, GRID, LEGEND_HEIGHT, MUTED, Swatch, draw_legend, ensure_font, finish_svg,
        label_font,
    },
    tips::Tips,
};

pub struct Group<'a> {
    pub label: &'a str,
    pub color: RGBColor,
    pub durations_ms: Vec<f64>,
}

const BINS: usize = 20;

pub fn distribution(
    groups: &[Group<'_>],
    title: &str,
    size: ChartSize,
) -> Result<String, ChartError> {
    ensure_font();
    let groups: Vec<&Group<'_>> = groups
        .iter()
        .filter(|g| !g.durations_ms.is_empty())
        .collect();
    let all = groups.iter().flat_map(|g| g.durations_ms.iter().copied());
    let (lo, hi) = all.fold((f64::INFINITY, 0.0_f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = if lo.is_finite() {
        (lo, hi.max(lo + 1_000.0))
    } else {
        (0.0, 60_000.0)
    };
    let unit = DurationUnit::for_max(hi);
    let scale = unit.ms_per_unit();
    let width = (hi - lo) / BINS as f64;
    let bin_of = |v: f64| (((v - lo) / width) as usize).min(BINS - 1);
    let counts: Vec<Vec<usize>> = groups
        .iter()
        .map(|g| {
            let mut bins = vec![0; BINS];
            g.durations_ms.iter().for_each(|v| bins[bin_of(*v)] += 1);
            bins
        })
        .collect();
    let max_count = counts.iter().flatten().copied().max().unwrap_or(1).max(1) as f64 * 1.1;

    let mut svg = String::new();
    let mut tips = Tips::default();
    {
        let root = SVGBackend::with_string(&mut svg, (size.width, size.height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (legend, plot) = root.split_vertically(LEGEND_HEIGHT);
        let entries: Vec<(Swatch, String)> = groups
            .iter()
            .map(|g| {
                (
                    Swatch::Block(g.color),
                    format!("{} ({} runs)", g.label, g.durations_ms.len()),
                )
            })
            .collect();
        draw_legend(&legend, &entries)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(44)
            .build_cartesian_2d(lo / scale..hi / scale, 0.0..max_count)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(MUTED)
            .label_style(label_font())
            .x_labels(8)
            .y_labels(5)
            .x_label_formatter(&|v| unit.label(v * scale))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .draw()?;
        let slot = width / scale / groups.len().max(1) as f64;
        for (gi, (group, bins)) in groups.iter().zip(&counts).enumerate() {
            for (bi, count) in bins.iter().enumerate().filter(|(_, c)| **c > 0) {
                let x0 = (lo + bi as f64 * width) / scale + gi as f64 * slot;
                let x1 = x0 + slot * 0.9;
                let y1 = *count as f64;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x0, 0.0), (x1, y1)],
                    group.color.filled(),
                )))?;
                let from = lo + bi as f64 * width;
                tips.rect(
                    chart.backend_coord(&(x0, y1)),
                    chart.backend_coord(&(x1, 0.0)),
                    &format!(
                        "{}: {} runs between {} and {}",
                        group.label,
                        count,
                        unit.label(from),
                        unit.label(from + width)
                    ),
                );
            }
        }
        root.present()?;
    }
    let description = if groups.is_empty() {
        "No runs in this period.".to_owned()
    } else {
        groups
            .iter()
            .map(|g| {
                let median =
                    strata_core::stats::sketch::exact_quantile(&g.durations_ms, 0.5).unwrap_or(0.0);
                format!(
                    "{}: {} runs, median {}",
                    g.label,
                    g.durations_ms.len(),
                    unit.label(median)
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
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
    use crate::charts::frame::{ACCENT, ACCENT_LIGHT};

    #[test]
    fn bins_groups_side_by_side_and_describes_medians() {
        let groups = [
            Group {
                label: "cache hit",
                color: ACCENT,
                durations_ms: vec![60_000.0, 62_000.0, 61_000.0],
            },
            Group {
                label: "cache miss",
                color: ACCENT_LIGHT,
                durations_ms: vec![155_000.0, 158_000.0],
            },
            Group {
                label: "empty",
                color: ACCENT,
                durations_ms: vec![],
            },
        ];
        let svg = distribution(&groups, "Duration", ChartSize::WIDE).unwrap();
        assert!(
            svg.contains("cache hit: 3 runs, median 61 s; cache miss: 2 runs, median 155 s"),
            "{svg}"
        );
        let texts = crate::charts::frame::svg_texts(&svg);
        assert!(texts.contains(&"cache miss (2 runs)".to_owned()));
        assert!(
            !texts.iter().any(|t| t.starts_with("empty")),
            "empty groups are left out"
        );
        assert!(
            svg.contains("cache hit: 3 runs between"),
            "one bin holds all three hits"
        );
    }
}
