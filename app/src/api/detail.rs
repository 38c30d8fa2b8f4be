//! Server functions of the drill-down pages: job name, pipeline, job.

use leptos::prelude::*;

use strata_core::model::{
    detail::{JobNamePage, JobPage, PipelinePage},
    filters::Filters,
};

#[server(prefix = "/api/ui", endpoint = "job_name")]
pub async fn get_job_name(
    project_id: i64,
    name: String,
    filters: Filters,
) -> Result<Option<JobNamePage>, ServerFnError> {
    strata_core::model::filters::check_text("name", &name).map_err(super::bad_input)?;
    let state = super::app_state()?;
    let now_ms = chrono::Utc::now().timestamp_millis();
    let filters = Filters {
        project: Some(project_id),
        job: Some(name),
        ..filters
    };
    crate::page_data::job_name::load(&state, &filters, now_ms)
        .await
        .map_err(super::internal)
}

#[server(prefix = "/api/ui", endpoint = "pipeline")]
pub async fn get_pipeline(id: i64) -> Result<Option<PipelinePage>, ServerFnError> {
    let state = super::app_state()?;
    crate::page_data::pipeline::load(&state, id)
        .await
        .map_err(super::internal)
}

#[server(prefix = "/api/ui", endpoint = "job")]
pub async fn get_job(id: i64) -> Result<Option<JobPage>, ServerFnError> {
    let state = super::app_state()?;
    crate::page_data::job::load(&state, id)
        .await
        .map_err(super::internal)
}
