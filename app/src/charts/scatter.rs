//! One dot per job: how a cost relates to its cause (bytes against transfer time, cached
//! share against build time). Each dot's tooltip names the job.

use plotters::prelude::*;

use super::{
    ChartError,
    frame::{ACCENT, ChartSize, GRID, MUTED, ensure_font, finish_svg, label_font},
    tips::Tips,
};
use crate::model::project::JobPoint;

/// How an axis reads its values.
#[derive(Clone, Copy)]
pub struct AxisFormat {
    pub name: &'static str,
    pub format: fn(f64) -> String,
    /// Fixed upper bound (e.g. 1.0 for a share); `None` fits the data.
    pub max: Option<f64>,
}

pub fn job_scatter(
    points: &[JobPoint],
    x: AxisFormat,
    y: AxisFormat,
    title: &str,
    size: ChartSize,
) -> Result<String, ChartError> {
    ensure_font();
    let fit = |values: &mut dyn Iterator<Item = f64>, fixed: Option<f64>| {
        fixed.unwrap_or_else(|| (values.fold(0.0, f64::max) * 1.08).max(1.0))
    };
    let max_x = fit(&mut points.iter().map(|p| p.x), x.max);
    let max_y = fit(&mut points.iter().map(|p| p.y), y.max);

    let mut svg = String::new();
    let mut tips = Tips::default();
    {
        let root = SVGBackend::with_string(&mut svg, (size.width, size.height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..max_x, 0.0..max_y)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(MUTED)
            .label_style(label_font())
            .axis_desc_style(label_font())
            .x_desc(x.name)
            .y_desc(y.name)
            .x_labels(6)
            .y_labels(6)
            .x_label_formatter(&|v| (x.format)(*v))
            .y_label_formatter(&|v| (y.format)(*v))
            .draw()?;
        chart.draw_series(
            points
                .iter()
                .map(|p| Circle::new((p.x, p.y), 3, ACCENT.mix(0.55).filled())),
        )?;
        for p in points {
            tips.point(
                chart.backend_coord(&(p.x, p.y)),
                &format!(
                    "job {} ({}): {} {}, {} {}",
                    p.job_id,
                    p.name,
                    x.name,
                    (x.format)(p.x),
                    y.name,
                    (y.format)(p.y)
                ),
            );
        }
        root.present()?;
    }
    let description = if points.is_empty() {
        "No jobs in this period.".to_owned()
    } else {
        format!("{} jobs: {} against {}.", points.len(), y.name, x.name)
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
    use crate::charts::axis::bytes_label;

    #[test]
    fn one_dot_and_tooltip_per_job_with_escaped_names() {
        let points = vec![
            JobPoint {
                job_id: 1,
                name: "<script>alert(1)</script>".into(),
                x: 50e6,
                y: 2_000.0,
            },
            JobPoint {
                job_id: 2,
                name: "package".into(),
                x: 120e6,
                y: 4_500.0,
            },
        ];
        let svg = job_scatter(
            &points,
            AxisFormat {
                name: "bytes",
                format: bytes_label,
                max: None,
            },
            AxisFormat {
                name: "time",
                format: |ms| format!("{:.1} s", ms / 1000.0),
                max: None,
            },
            "Artifacts",
            ChartSize::SQUARE,
        )
        .unwrap();
        assert_eq!(
            svg.matches("<circle").count(),
            4,
            "two dots and two tooltip targets"
        );
        assert!(
            svg.contains(
                "job 1 (&lt;script&gt;alert(1)&lt;/script&gt;): bytes 50.0 MB, time 2.0 s"
            )
        );
        assert!(!svg.contains("<script>"));
    }
}
