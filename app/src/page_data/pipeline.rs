//! The pipeline page: its jobs on a timeline, split into phases.

use std::collections::BTreeMap;
use strata_core::db::QueryResult;

use crate::{
    charts::gantt::{GanttRow, pipeline_gantt},
    state::AppState,
};
use strata_core::{
    model::{detail::PipelinePage, phase::PhaseKind, project::ChartView},
    read::{jobs, project},
};

pub async fn load(state: &AppState, pipeline_id: i64) -> QueryResult<Option<PipelinePage>> {
    let db = &state.db;
    let Some((project_id, pipeline, started_at_ms, finished_at_ms)) =
        jobs::pipeline(db, pipeline_id).await?
    else {
        return Ok(None);
    };
    let Some(info) = project::project(db, project_id).await? else {
        return Ok(None);
    };
    let runs = jobs::pipeline_runs(db, pipeline_id).await?;
    let mut phases: BTreeMap<i64, Vec<(PhaseKind, f64)>> = BTreeMap::new();
    let mut totals: BTreeMap<String, i64> = BTreeMap::new();
    for (job_id, span) in jobs::pipeline_phases(db, pipeline_id).await? {
        *totals.entry(span.phase.clone()).or_default() += span.duration_ms;
        let kind = PhaseKind::from_key(&span.phase).unwrap_or(PhaseKind::Other);
        phases
            .entry(job_id)
            .or_default()
            .push((kind, span.duration_ms as f64));
    }
    for run in &runs {
        if let Some(q) = run.queued_duration_ms {
            *totals.entry("queue".to_owned()).or_default() += q;
        }
    }

    // The timeline starts when the first job was created (or the pipeline, if earlier).
    let origin = runs
        .iter()
        .filter_map(|r| r.created_at_ms.or(r.started_at_ms))
        .chain(pipeline.created_at_ms)
        .min()
        .unwrap_or(0);
    let rows: Vec<GanttRow> = runs
        .iter()
        .filter(|r| r.started_at_ms.is_some())
        .map(|r| {
            let start = r.started_at_ms.unwrap_or(origin);
            let end = r
                .finished_at_ms
                .or_else(|| r.duration_ms.map(|d| start + d))
                .unwrap_or(start);
            GanttRow {
                label: format!(
                    "{}{}: {}",
                    if r.retried { "↻ " } else { "" },
                    r.stage.clone().unwrap_or_default(),
                    r.name
                ),
                queued_from_ms: r.queued_duration_ms.map(|q| (start - q - origin) as f64),
                start_ms: (start - origin) as f64,
                end_ms: (end - origin) as f64,
                phases: phases.remove(&r.id).unwrap_or_default(),
            }
        })
        .collect();
    let title = format!("Pipeline #{} timeline", pipeline.iid.unwrap_or(pipeline.id));
    let gantt = ChartView {
        id: "gantt".to_owned(),
        svg: pipeline_gantt(&rows, &title)
            .unwrap_or_else(|e| format!("<p class=\"error\">{e}</p>")),
        title,
        csv_href: format!("/export/phases.csv?project={project_id}&pipeline={pipeline_id}"),
    };
    let mut phase_totals: Vec<(String, i64)> = totals.into_iter().collect();
    phase_totals.sort_by_key(|(phase, _)| PhaseKind::from_key(phase).unwrap_or(PhaseKind::Other));
    Ok(Some(PipelinePage {
        project: info,
        pipeline,
        started_at_ms,
        finished_at_ms,
        jobs: runs,
        gantt,
        phase_totals,
    }))
}
