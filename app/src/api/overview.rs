use leptos::prelude::*;

use strata_core::model::{filters::Filters, overview::Overview};

/// The overview page's data: every tracked project's numbers for the filters.
#[server(prefix = "/api/ui", endpoint = "overview")]
pub async fn get_overview(filters: Filters) -> Result<Overview, ServerFnError> {
    let state = super::app_state()?;
    let now_ms = chrono::Utc::now().timestamp_millis();
    let projects = strata_core::read::overview::project_summaries(&state.db, &filters, now_ms)
        .await
        .map_err(super::internal)?;
    Ok(Overview {
        window_label: filters.window.label(),
        filters,
        projects,
        setup: state.setup.clone(),
    })
}
