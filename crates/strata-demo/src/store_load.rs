//! Writing demo data straight into the store, without HTTP: every pipeline and job of a
//! [`Dataset`] as records, and every finished job's generated log through the real analyser.
//! Benchmarks use it to build datasets of a million jobs quickly; analytics tests use it to
//! check that Strata recovers each scenario's planted ground truth. (`strata demo` goes
//! through the real sync against the fake GitLab instead.)

use strata_core::db::Db;

use super::{
    Dataset, log_writer,
    scenario::{
        ProjectSpec,
        model::{Job, Pipeline, SECOND},
    },
};
use strata_core::store::{
    analysis::save_analyses,
    records::{JobRecord, PipelineRecord, ProjectRecord, Status},
    rollups, writes,
};
use strata_joblog::analyze;

/// What a load wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub projects: usize,
    pub pipelines: usize,
    pub jobs: usize,
    pub logs: usize,
}

/// Pipelines written per transaction: large enough to amortise commits, small enough to keep
/// SQLite's write lock short.
const PIPELINES_PER_TX: usize = 25;

/// Load every project, pipeline and job of `dataset`, analyse the logs of finished jobs, and
/// refresh the rollups.
pub async fn load(db: &Db, dataset: &Dataset) -> sqlx::Result<Loaded> {
    let now_ms = dataset.now_us() / 1_000;
    let mut loaded = Loaded::default();
    for spec in dataset.projects() {
        let mut tx = db.begin().await?;
        writes::upsert_project(&mut tx, &project_record(spec), now_ms).await?;
        tx.commit().await?;
        loaded.projects += 1;
        let entries = dataset.pipelines(spec.id);
        for batch in entries.chunks(PIPELINES_PER_TX) {
            let mut tx = db.begin().await?;
            let mut analyses = Vec::new();
            for entry in batch {
                let Some(pipeline) = dataset.expand(spec.id, entry) else {
                    continue;
                };
                writes::upsert_pipeline(&mut tx, &pipeline_record(spec, &pipeline), now_ms).await?;
                for job in &pipeline.jobs {
                    writes::upsert_job(&mut tx, &job_record(spec, &pipeline, job), now_ms).await?;
                    loaded.jobs += 1;
                    if Status::parse(job.status.as_str()).has_log() {
                        let log = log_writer::render(spec, &pipeline, job, dataset.now_us());
                        analyses.push((job.id, analyze(&log)));
                        loaded.logs += 1;
                    }
                }
                loaded.pipelines += 1;
            }
            let analyses: Vec<_> = analyses.iter().map(|(id, a)| (*id, a)).collect();
            save_analyses(&mut tx, &analyses, now_ms).await?;
            tx.commit().await?;
        }
    }
    rollups::refresh_all(db).await?;
    Ok(loaded)
}

fn us_to_ms(us: i64) -> i64 {
    us.div_euclid(1_000)
}

pub fn project_record(spec: &ProjectSpec) -> ProjectRecord {
    ProjectRecord {
        id: spec.id,
        path: spec.path.to_owned(),
        name: spec.name.to_owned(),
        web_url: Some(spec.web_url()),
        default_branch: Some("main".to_owned()),
    }
}

pub fn pipeline_record(spec: &ProjectSpec, p: &Pipeline) -> PipelineRecord {
    PipelineRecord {
        id: p.id,
        project_id: p.project_id,
        iid: Some(p.iid),
        git_ref: Some(p.git_ref.clone()),
        sha: Some(p.sha.clone()),
        source: Some(p.source.as_str().to_owned()),
        status: p.status().as_str().into(),
        created_at_ms: Some(us_to_ms(p.created_us)),
        updated_at_ms: Some(us_to_ms(p.updated_us())),
        started_at_ms: p.started_us().map(us_to_ms),
        finished_at_ms: p.finished_us().map(us_to_ms),
        duration_ms: p.duration_s().map(|s| s * 1_000),
        queued_duration_ms: p.queued_duration_s().map(|s| s * 1_000),
        web_url: Some(format!("{}/-/pipelines/{}", spec.web_url(), p.id)),
        details_synced: true,
    }
}

pub fn job_record(spec: &ProjectSpec, p: &Pipeline, job: &Job) -> JobRecord {
    JobRecord {
        id: job.id,
        project_id: p.project_id,
        pipeline_id: p.id,
        name: job.name().to_owned(),
        stage: Some(job.draft.stage.to_owned()),
        status: job.status.as_str().into(),
        allow_failure: Some(job.draft.allow_failure),
        retried: Some(job.retried),
        created_at_ms: Some(us_to_ms(job.created_us)),
        started_at_ms: job.started_us.map(us_to_ms),
        finished_at_ms: job.finished_us.map(us_to_ms),
        // The API reports job durations in (fractional) seconds; keep millisecond precision.
        duration_ms: job.duration_us().map(us_to_ms),
        queued_duration_ms: job.queued_duration_us().map(us_to_ms),
        runner_id: job.started_us.map(|_| job.draft.runner.id),
        runner_description: job
            .started_us
            .map(|_| job.draft.runner.description.to_owned()),
        tag_list: Some(job.draft.tags.iter().map(|t| (*t).to_owned()).collect()),
        web_url: Some(format!("{}/-/jobs/{}", spec.web_url(), job.id)),
        artifacts_bytes: Some(job.draft.artifacts.iter().map(|a| a.size as i64).sum())
            .filter(|b| *b > 0),
    }
}

/// Seconds of the model's clock, for callers that compare with ground truth.
pub fn seconds(us: i64) -> f64 {
    us as f64 / SECOND as f64
}
