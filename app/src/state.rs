//! What every request on the server can reach: the Leptos options, the database and the
//! (secret-free) facts about how this instance is set up.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::{db::Db, model::SetupStatus};

#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub setup: SetupStatus,
}
