//! The HTTP surface: health, pages (Leptos), CSV exports, the JSON API, static assets. Each feature module exposes a
//! `router()`; this merges them under one state.

pub mod api;
mod export;
mod health;
pub mod security_headers;
mod server_fn_status;

use axum::{Router, middleware};
use leptos_axum::{LeptosRoutes, generate_route_list};
use secrecy::SecretString;
use strata_app::{App, shell, state::AppState};
use tower_http::trace::TraceLayer;

use crate::{auth, config::OpsSettings, metrics};

/// Every route; `webhook_secret` guards `POST /webhooks/gitlab` (none: webhooks are refused).
pub fn router(state: AppState, ops: &OpsSettings, webhook_secret: Option<&SecretString>) -> Router {
    metrics::install();
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let mut router = Router::new()
        .merge(health::router())
        .merge(export::router())
        .merge(api::router())
        .merge(metrics::router())
        .merge(crate::webhooks::router(
            webhook_secret,
            &ops.webhook_projects,
        ))
        .leptos_routes_with_context(&state, routes, security_headers::page_context, move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell));
    // Layers wrap what is above them: the gate sees requests after routing (so metrics know
    // the route), the headers go on the gate's refusals too.
    if let Some(config) = &ops.auth {
        let auth = auth::Auth::new((**config).clone(), state.db.clone(), ops.public_url.clone());
        router = router
            .merge(auth::router(auth.clone()))
            .layer(middleware::from_fn_with_state(auth, auth::gate));
    }
    crate::serve::with_request_timeouts(router)
        .layer(middleware::from_fn(server_fn_status::caller_errors_are_400))
        .layer(middleware::from_fn(security_headers::security_headers))
        .layer(middleware::from_fn(metrics::track_http))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
