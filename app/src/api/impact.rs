//! Impact analytics for the pages: the project's Impact section, the Compare page and the
//! findings on the overview.

use leptos::prelude::*;

use strata_core::model::{
    filters::Filters,
    impact::{Comparison, ImpactReport, ProjectFinding},
};

#[server(prefix = "/api/ui", endpoint = "impact")]
pub async fn get_impact(id: i64, filters: Filters) -> Result<ImpactReport, ServerFnError> {
    let state = super::app_state()?;
    let now_ms = chrono::Utc::now().timestamp_millis();
    let report = state
        .reports
        .project_impact(&state.db, id, &filters, now_ms)
        .await
        .map_err(super::internal)?;
    Ok(ImpactReport::clone(&report))
}

/// `a` and `b` as in the Compare page's URL; a bad one is refused with its parameter named.
#[server(prefix = "/api/ui", endpoint = "compare")]
pub async fn get_comparison(
    id: i64,
    filters: Filters,
    a: String,
    b: String,
) -> Result<Comparison, ServerFnError> {
    let now_ms = chrono::Utc::now().timestamp_millis();
    // No sides given: the last 14 days against the 14 before, a starting point the page's
    // change days can refine.
    let (a, b) = if a.trim().is_empty() && b.trim().is_empty() {
        use strata_core::model::filters::{DAY_MS, format_day};
        let today = now_ms.div_euclid(DAY_MS);
        (
            format!("{}..{}", format_day(today - 27), format_day(today - 14)),
            format!("{}..{}", format_day(today - 13), format_day(today)),
        )
    } else {
        (a, b)
    };
    let (a, b) = (
        strata_core::model::impact::Side::parse("a", &a).map_err(super::bad_input)?,
        strata_core::model::impact::Side::parse("b", &b).map_err(super::bad_input)?,
    );
    let state = super::app_state()?;
    strata_core::read::impact::comparison(&state.db, id, &filters, &a, &b, now_ms)
        .await
        .map_err(super::internal)
}

/// Findings of every project over the filters' window, most time at stake first.
#[server(prefix = "/api/ui", endpoint = "findings")]
pub async fn get_findings(filters: Filters) -> Result<Vec<ProjectFinding>, ServerFnError> {
    let state = super::app_state()?;
    let now_ms = chrono::Utc::now().timestamp_millis();
    strata_core::read::impact::all_findings(&state.db, &state.reports, &filters, now_ms)
        .await
        .map_err(super::internal)
}
