//! Server functions: the pages' only way to the data. Each one is thin: it finds the
//! database in the request context and calls a query in [`strata_core::read`].
//!
//! Their arguments are as untrusted as a query string: [`Filters`](strata_core::model::filters::Filters)
//! checks its limits while it is deserialized, the other arguments through [`bad_input`]. Either
//! way the error is `ServerFnError::Args`, which the server answers with 400 (see
//! `server/src/http/server_fn_status.rs`); every other error is the server's (500).

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

/// An argument the caller got wrong, with the parameter named: answered with 400.
#[cfg(feature = "ssr")]
pub(crate) fn bad_input(
    err: strata_core::model::filters::FilterError,
) -> leptos::prelude::ServerFnError {
    leptos::prelude::ServerFnError::Args(err.to_string())
}

/// What a page shows for a failed server function: the message alone, without the
/// framework's "error running server function:" prefix.
pub fn user_message(err: leptos::prelude::ServerFnError) -> String {
    use leptos::prelude::ServerFnError;
    match err {
        ServerFnError::ServerError(message) | ServerFnError::Args(message) => message,
        other => other.to_string(),
    }
}
