//! The job page: everything the log analysis found in one job.

use crate::state::AppState;
use strata_core::{
    db::QueryResult,
    model::detail::JobPage,
    read::{jobs, project},
};

pub async fn load(state: &AppState, job_id: i64) -> QueryResult<Option<JobPage>> {
    let db = &state.db;
    let Some((project_id, job)) = jobs::run(db, job_id).await? else {
        return Ok(None);
    };
    let Some(info) = project::project(db, project_id).await? else {
        return Ok(None);
    };
    let detail = jobs::detail(db, job_id).await?;
    Ok(Some(JobPage {
        project: info,
        job,
        phases: detail.phases,
        cache_ops: detail.cache_ops,
        artifact_ops: detail.artifact_ops,
        docker_builds: detail.docker_builds,
        warnings: detail.warnings,
        gitlab_token: state.setup.gitlab_token,
    }))
}
