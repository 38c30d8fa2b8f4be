//! A pipeline's jobs on one time axis, one row per job grouped by stage, each bar split into
//! the job's phases (queue first), so the critical path and its slow phases stand out.

use plotters::{
    prelude::*,
    style::text_anchor::{HPos, Pos, VPos},
};

use super::{
    ChartError,
    axis::DurationUnit,
    frame::{
        ChartSize, GRID, LEGEND_HEIGHT, MUTED, Swatch, draw_legend, ensure_font, finish_svg,
        label_font, rgb,
    },
    tips::Tips,
};
use strata_core::model::phase::PhaseKind;

/// One job's row.
pub struct GanttRow {
    pub label: String,
    /// Offsets from the pipeline's start (ms).
    pub queued_from_ms: Option<f64>,
    pub start_ms: f64,
    pub end_ms: f64,
    /// Phases in order, with their duration; drawn one after the other from `start_ms`.
    pub phases: Vec<(PhaseKind, f64)>,
}

const ROW_HEIGHT: u32 = 22;

/// The chart's size for `rows` jobs.
pub fn size_for(rows: usize) -> ChartSize {
    ChartSize {
        width: 760,
        height: 80 + LEGEND_HEIGHT + ROW_HEIGHT * rows.max(1) as u32,
    }
}

pub fn pipeline_gantt(rows: &[GanttRow], title: &str) -> Result<String, ChartError> {
    ensure_font();
    let size = size_for(rows.len());
    let end = rows.iter().map(|r| r.end_ms).fold(1_000.0, f64::max) * 1.02;
    let unit = DurationUnit::for_max(end);
    let scale = unit.ms_per_unit();
    let used: Vec<PhaseKind> = PhaseKind::ALL
        .into_iter()
        .filter(|p| {
            rows.iter().any(|r| match p {
                PhaseKind::Queue => r.queued_from_ms.is_some(),
                // Jobs without an analysed log are drawn whole, as "other".
                PhaseKind::Other => r.phases.is_empty() || r.phases.iter().any(|(q, _)| q == p),
                _ => r.phases.iter().any(|(q, _)| q == p),
            })
        })
        .collect();

    let mut svg = String::new();
    let mut tips = Tips::default();
    {
        let root = SVGBackend::with_string(&mut svg, (size.width, size.height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (legend, plot) = root.split_vertically(LEGEND_HEIGHT);
        let entries: Vec<(Swatch, String)> = used
            .iter()
            .map(|p| (Swatch::Block(rgb(p.rgb())), p.label().to_owned()))
            .collect();
        draw_legend(&legend, &entries)?;
        let n = rows.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(28)
            .y_label_area_size(170)
            .build_cartesian_2d(0.0..end / scale, 0.0..n)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(MUTED)
            .label_style(label_font())
            .x_labels(8)
            .x_label_formatter(&|v| unit.label(v * scale))
            .y_labels(0)
            .draw()?;
        // Row labels are drawn by hand at each row's middle (plotters' ticks would fall
        // between rows).
        let font = label_font().pos(Pos::new(HPos::Right, VPos::Center));
        for (i, row) in rows.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(0.0, n - i as f64 - 0.5));
            root.draw(&Text::new(
                shorten(&row.label, 26),
                (x - 8, y),
                font.clone(),
            ))?;
        }
        for (i, row) in rows.iter().enumerate() {
            let (top, bottom) = (n - i as f64 - 0.15, n - i as f64 - 0.85);
            let mut segments: Vec<(PhaseKind, f64, f64)> = Vec::new();
            if let Some(queued) = row.queued_from_ms {
                segments.push((PhaseKind::Queue, queued, row.start_ms));
            }
            let mut at = row.start_ms;
            for (phase, ms) in &row.phases {
                segments.push((*phase, at, at + ms));
                at += ms;
            }
            if segments.iter().all(|s| s.0 == PhaseKind::Queue) {
                // No analysed log: one grey bar for the whole run.
                segments.push((PhaseKind::Other, row.start_ms, row.end_ms));
            }
            for (phase, from, to) in segments {
                if to <= from {
                    continue;
                }
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(from / scale, top), (to / scale, bottom)],
                    rgb(phase.rgb()).filled(),
                )))?;
                tips.rect(
                    chart.backend_coord(&(from / scale, top)),
                    chart.backend_coord(&(to / scale, bottom)),
                    &format!("{}: {} {}", row.label, phase.label(), unit.label(to - from)),
                );
            }
        }
        root.present()?;
    }
    let description = format!("{} jobs over {}.", rows.len(), unit.label(end / 1.02));
    Ok(finish_svg(
        svg,
        size,
        title,
        &description,
        &tips.into_layer(),
    ))
}

fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_owned()
    } else {
        format!("{}…", label.chars().take(max - 1).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_queue_then_phases_per_job_with_tooltips() {
        let rows = vec![
            GanttRow {
                label: "build: compile".into(),
                queued_from_ms: Some(0.0),
                start_ms: 5_000.0,
                end_ms: 65_000.0,
                phases: vec![(PhaseKind::Prepare, 5_000.0), (PhaseKind::Script, 55_000.0)],
            },
            GanttRow {
                label: "test: <unit>".into(),
                queued_from_ms: None,
                start_ms: 70_000.0,
                end_ms: 100_000.0,
                phases: vec![],
            },
        ];
        let svg = pipeline_gantt(&rows, "Pipeline 1").unwrap();
        assert!(
            svg.contains("<title>build: compile: Queue 5 s</title>"),
            "{svg}"
        );
        assert!(svg.contains("<title>build: compile: Script 55 s</title>"));
        assert!(
            svg.contains("<title>test: &lt;unit&gt;: Other 30 s</title>"),
            "unanalysed job drawn whole"
        );
        let texts = crate::charts::frame::svg_texts(&svg);
        assert!(texts.contains(&"build: compile".to_owned()), "{texts:?}");
        assert!(
            texts.contains(&"test: &lt;unit&gt;".to_owned()),
            "{texts:?}"
        );
    }
}
