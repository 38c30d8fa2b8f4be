//! One dot per job: how a cost relates to its cause (bytes against transfer time, cached
//! share against build time). Each dot's tooltip names the job.

use plotters::prelude::*;

use super::{
    ChartError,
    axis::{DurationUnit, bytes_label},
    frame::{ACCENT, ChartSize, GRID, MUTED, ensure_font, finish_svg, label_font},
    tips::Tips,
};
use strata_core::model::project::JobPoint;

/// What an axis measures: it decides the axis's extent and how its ticks and tooltips read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Bytes, in B/kB/MB/GB; at least 1 MB of axis, so all-zero data reads `0 B … 1.0 MB`.
    Bytes,
    /// Milliseconds, in s/min/h chosen from the axis's extent; at least 10 s of axis.
    Duration,
    /// A share from 0 to 1, as a percentage; always the whole range.
    Share,
}

impl Measure {
    /// The axis's upper bound for these values: a little room above the largest, and never
    /// less than the measure's smallest extent (an axis of zeros would label every tick alike).
    pub fn extent(self, values: impl Iterator<Item = f64>) -> f64 {
        let floor = match self {
            Measure::Bytes => 1e6,
            Measure::Duration => 10_000.0,
            Measure::Share => return 1.0,
        };
        (values.fold(0.0, f64::max) * 1.08).max(floor)
    }

    /// A value on an axis that goes up to `extent`.
    pub fn label(self, value: f64, extent: f64) -> String {
        match self {
            Measure::Bytes => bytes_label(value),
            Measure::Duration => DurationUnit::for_max(extent).label(value),
            Measure::Share => format!("{:.0} %", value * 100.0),
        }
    }
}

/// An axis: what it is called and what it measures.
#[derive(Clone, Copy)]
pub struct Axis {
    pub name: &'static str,
    pub measure: Measure,
}

pub fn job_scatter(
    points: &[JobPoint],
    x: Axis,
    y: Axis,
    title: &str,
    size: ChartSize,
) -> Result<String, ChartError> {
    ensure_font();
    let max_x = x.measure.extent(points.iter().map(|p| p.x));
    let max_y = y.measure.extent(points.iter().map(|p| p.y));
    let x_label = |v: f64| x.measure.label(v, max_x);
    let y_label = |v: f64| y.measure.label(v, max_y);

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
            .x_label_formatter(&|v| x_label(*v))
            .y_label_formatter(&|v| y_label(*v))
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
                    x_label(p.x),
                    y.name,
                    y_label(p.y)
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
            Axis {
                name: "bytes",
                measure: Measure::Bytes,
            },
            Axis {
                name: "time",
                measure: Measure::Duration,
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
            svg.contains("job 1 (&lt;script&gt;alert(1)&lt;/script&gt;): bytes 50.0 MB, time 2 s")
        );
        assert!(!svg.contains("<script>"));
    }

    #[test]
    fn axes_of_zeros_still_read_as_a_scale() {
        // Projects without artifacts report 0 bytes in 0 s: the ticks must not all say "0 B".
        let zeros = [0.0, 0.0];
        let bytes = Measure::Bytes.extent(zeros.into_iter());
        let ticks: Vec<String> = [0.0, 0.5, 1.0]
            .iter()
            .map(|f| Measure::Bytes.label(f * bytes, bytes))
            .collect();
        assert_eq!(ticks, ["0 B", "500 kB", "1.0 MB"]);
        let ms = Measure::Duration.extent(zeros.into_iter());
        assert_eq!(Measure::Duration.label(ms, ms), "10 s");
        assert_eq!(Measure::Share.extent([0.0].into_iter()), 1.0);
    }

    #[test]
    fn durations_take_the_unit_of_the_axis_extent() {
        let extent = Measure::Duration.extent([20.0 * 60_000.0].into_iter());
        assert_eq!(Measure::Duration.label(10.0 * 60_000.0, extent), "10 min");
        assert_eq!(Measure::Bytes.extent([2e9].into_iter()), 2e9 * 1.08);
    }
}
