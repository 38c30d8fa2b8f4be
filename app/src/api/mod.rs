//! Server functions: the pages' only way to the data. Each one is thin: it finds the
//! database in the request context and calls a query in [`strata_core::read`].

pub mod detail;
pub mod impact;
pub mod overview;
pub mod project;

#[cfg(feature = "ssr")]
pub(crate) fn app_state() -> Result<crate::state::AppState, leptos::prelude::ServerFnError> {
    leptos::prelude::use_context::<crate::state::AppState>()
        .ok_or_else(|| leptos::prelude::ServerFnError::new("server state missing from context"))
}

/// Log a query failure once, on the server, and hand the page a message with no internals.
#[cfg(feature = "ssr")]
pub(crate) fn internal(err: impl std::fmt::Display) -> leptos::prelude::ServerFnError {
    tracing::error!(error = %err, "query failed");
    leptos::prelude::ServerFnError::new("the database could not answer; see the server log")
}
