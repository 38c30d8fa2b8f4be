use leptos::prelude::*;

use crate::model::{Overview, Period};

/// The overview page's data: every tracked project's activity in `period`.
#[server(prefix = "/api/ui", endpoint = "overview")]
pub async fn get_overview(period: Period) -> Result<Overview, ServerFnError> {
    let state = super::app_state()?;
    let now_ms = chrono::Utc::now().timestamp_millis();
    let since_ms = now_ms - period.days() * 86_400_000;
    let projects = crate::queries::overview::project_summaries(&state.db, since_ms)
        .await
        .map_err(super::internal)?;
    Ok(Overview {
        period,
        projects,
        setup: state.setup.clone(),
    })
}
