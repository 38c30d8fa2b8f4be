//! The HTTP surface: health, pages (Leptos), CSV exports, the JSON API, static assets. Each feature module exposes a
//! `router()`; this merges them under one state.

pub mod api;
mod export;
mod health;

use axum::Router;
use leptos_axum::{LeptosRoutes, generate_route_list};
use secrecy::SecretString;
use strata_app::{App, shell, state::AppState};
use tower_http::trace::TraceLayer;

/// Every route; `webhook_secret` guards `POST /webhooks/gitlab` (none: webhooks are refused).
pub fn router(state: AppState, webhook_secret: Option<&SecretString>) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    Router::new()
        .merge(health::router())
        .merge(export::router())
        .merge(api::router())
        .merge(crate::webhooks::router(webhook_secret))
        .leptos_routes(&state, routes, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
