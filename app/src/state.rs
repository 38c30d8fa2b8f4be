//! What every request on the server can reach: the Leptos options, the database and the
//! (secret-free) facts about how this instance is set up.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use strata_core::{db::Db, model::SetupStatus, read::impact::memo::ReportCache};

#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub setup: SetupStatus,
    /// Impact reports between requests (the overview's findings, the Impact section).
    pub reports: ReportCache,
}
