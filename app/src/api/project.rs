use leptos::prelude::*;

use strata_core::model::{filters::Filters, project::ProjectPage};

/// The project page's data and charts. `None` when the project does not exist.
#[server(prefix = "/api/ui", endpoint = "project")]
pub async fn get_project(id: i64, filters: Filters) -> Result<Option<ProjectPage>, ServerFnError> {
    let state = super::app_state()?;
    let now_ms = chrono::Utc::now().timestamp_millis();
    let filters = Filters {
        project: Some(id),
        ..filters
    };
    crate::page_data::project::load(&state, &filters, now_ms)
        .await
        .map_err(super::internal)
}
