//! Time per phase per day, as stacked bars in the phases' colours.

use plotters::prelude::*;

use super::{
    ChartError,
    axis::{DurationUnit, day_label, day_tick},
    frame::{
        ChartSize, GRID, LEGEND_HEIGHT, MUTED, Swatch, draw_legend, ensure_font, finish_svg,
        label_font, rgb,
    },
    tips::Tips,
};
use strata_core::model::{phase::PhaseKind, time::PhaseTimes};

/// `days`: `(epoch day, phase times)`; phases with no time anywhere are left out of the legend.
pub fn phases_by_day(
    days: &[(i64, PhaseTimes)],
    title: &str,
    size: ChartSize,
) -> Result<String, ChartError> {
    ensure_font();
    let first = days.iter().map(|d| d.0).min().unwrap_or(0);
    let last = days.iter().map(|d| d.0).max().unwrap_or(first);
    let used: Vec<PhaseKind> = PhaseKind::ALL
        .into_iter()
        .filter(|p| days.iter().any(|(_, t)| t.get(*p) > 0))
        .collect();
    let max_ms = days
        .iter()
        .map(|(_, t)| t.total_ms())
        .max()
        .unwrap_or(0)
        .max(1_000) as f64
        * 1.08;
    let unit = DurationUnit::for_max(max_ms);
    let scale = unit.ms_per_unit();

    let mut svg = String::new();
    let mut tips = Tips::default();
    {
        let root = SVGBackend::with_string(&mut svg, (size.width, size.height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (legend, plot) =
            root.split_vertically(LEGEND_HEIGHT * if used.len() > 6 { 2 } else { 1 });
        let entries: Vec<(Swatch, String)> = used
            .iter()
            .map(|p| (Swatch::Block(rgb(p.rgb())), p.label().to_owned()))
            .collect();
        // Two rows when many phases are present, so the legend stays inside the width.
        let (top, bottom) = legend.split_vertically(LEGEND_HEIGHT);
        let split = if used.len() > 6 { 6 } else { entries.len() };
        draw_legend(&top, &entries[..split])?;
        draw_legend(&bottom, &entries[split..])?;

        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(28)
            .y_label_area_size(60)
            .build_cartesian_2d(
                (first as f64 - 0.6)..(last as f64 + 0.6),
                0.0..max_ms / scale,
            )?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(MUTED)
            .label_style(label_font())
            .x_labels(7)
            .x_label_formatter(&|d| day_tick(*d))
            .y_labels(6)
            .y_label_formatter(&|v| unit.label(v * scale))
            .draw()?;

        for (day, times) in days {
            let x = *day as f64;
            let mut bottom_ms = 0.0;
            for phase in &used {
                let ms = times.get(*phase) as f64;
                if ms <= 0.0 {
                    continue;
                }
                let (y0, y1) = (bottom_ms / scale, (bottom_ms + ms) / scale);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.38, y0), (x + 0.38, y1)],
                    rgb(phase.rgb()).filled(),
                )))?;
                tips.rect(
                    chart.backend_coord(&(x - 0.38, y1)),
                    chart.backend_coord(&(x + 0.38, y0)),
                    &format!("{}: {} {}", day_label(*day), phase.label(), unit.label(ms)),
                );
                bottom_ms += ms;
            }
        }
        root.present()?;
    }
    let total: i64 = days.iter().map(|(_, t)| t.total_ms()).sum();
    let description = if total == 0 {
        "No analysed job logs in this period.".to_owned()
    } else {
        let mut shares: Vec<(PhaseKind, i64)> = used
            .iter()
            .map(|p| (*p, days.iter().map(|(_, t)| t.get(*p)).sum()))
            .collect();
        shares.sort_by_key(|s| std::cmp::Reverse(s.1));
        let parts: Vec<String> = shares
            .iter()
            .take(4)
            .map(|(p, ms)| format!("{} {:.0}%", p.label(), *ms as f64 * 100.0 / total as f64))
            .collect();
        format!(
            "Job time by phase per day; over the period: {}.",
            parts.join(", ")
        )
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

    fn times(script: i64, cache: i64) -> PhaseTimes {
        PhaseTimes {
            jobs: 1,
            ms: PhaseKind::ALL
                .into_iter()
                .map(|p| {
                    let v = match p {
                        PhaseKind::Script => script,
                        PhaseKind::CacheRestore => cache,
                        _ => 0,
                    };
                    (p, v)
                })
                .collect(),
        }
    }

    #[test]
    fn stacks_phases_in_their_colours_with_tooltips() {
        let days = vec![
            (20_000, times(120_000, 30_000)),
            (20_001, times(0, 0)),
            (20_002, times(60_000, 90_000)),
        ];
        let svg = phases_by_day(&days, "Phase time", ChartSize::WIDE).unwrap();
        if let Ok(dir) = std::env::var("STRATA_CHART_DUMP") {
            std::fs::write(format!("{dir}/stacked.svg"), &svg).unwrap();
        }
        assert!(svg.contains(r##"fill="#40C057""##), "script green");
        assert!(svg.contains(r##"fill="#F59F00""##), "cache restore amber");
        assert!(
            svg.contains("<title>2024-10-04: Script 120 s</title>"),
            "{svg}"
        );
        assert!(svg.contains("Script 60%, Cache restore 40%"));
        let texts = super::super::frame::svg_texts(&svg);
        assert!(
            texts.contains(&"Cache restore".to_owned()) && !texts.contains(&"Queue".to_owned())
        );
    }
}
