//! The middleware in front of every route: decides what a request needs (nothing, API
//! credentials, or a signed-in browser) and checks it.

use axum::{
    Json,
    extract::{Request, State},
    http::{Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use serde_json::json;

use super::{Auth, cookies, sessions};

/// What a path needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Access {
    /// No credentials: sign-in pages, static assets, webhooks (their own secret), and
    /// `/healthz` / `/metrics` when configured public.
    Open,
    /// `/api/…` (JSON API and the pages' server functions) and `/export/…`: a token or a
    /// session; 401 otherwise.
    Api,
    /// Pages: a session; a redirect to the sign-in page otherwise.
    Page,
}

pub(super) fn access(path: &str, auth: &Auth) -> Access {
    let config = auth.config();
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if under("/webhooks") || path == "/login" || path == "/logout" {
        return Access::Open;
    }
    // The wasm bundle, stylesheet, fonts and icon are the same for everyone.
    if under("/pkg") || under("/fonts") || path.starts_with("/favicon.") {
        return Access::Open;
    }
    match path {
        "/healthz" if config.public_healthz => Access::Open,
        "/metrics" if config.public_metrics => Access::Open,
        "/healthz" | "/metrics" => Access::Api,
        _ if under("/api") || under("/export") => Access::Api,
        _ => Access::Page,
    }
}

/// Axum middleware: `axum::middleware::from_fn_with_state(auth, gate)`.
pub async fn gate(State(auth): State<Auth>, mut request: Request, next: Next) -> Response {
    let access = access(request.uri().path(), &auth);
    if access == Access::Open {
        return next.run(request).await;
    }
    let headers = request.headers();
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        // A credential that is present but wrong is refused outright, never ignored.
        let token = value.to_str().ok().and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
        return match token.and_then(|t| auth.token_name(t)) {
            Some(name) => {
                tracing::debug!(token = name, "API token accepted");
                private(next.run(request).await)
            }
            None => unauthorized("the API token is not valid"),
        };
    }
    if let Some(id) = cookies::get(headers, cookies::SESSION_COOKIE) {
        match sessions::find(auth.db(), id, now_ms()).await {
            Ok(Some(session)) => {
                let safe = matches!(*request.method(), Method::GET | Method::HEAD);
                if !safe && !cookies::same_origin(headers, auth.inner.public_url.as_ref()) {
                    return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
                }
                request.extensions_mut().insert(session);
                return private(next.run(request).await);
            }
            Ok(None) => {} // expired or signed out: as if there were no cookie
            Err(err) => {
                tracing::error!(error = %err, "cannot look up a session");
                return (StatusCode::SERVICE_UNAVAILABLE, "sessions are unavailable")
                    .into_response();
            }
        }
    }
    let page = access == Access::Page && matches!(*request.method(), Method::GET | Method::HEAD);
    if page {
        return Redirect::to(&login_url(
            request.uri().path_and_query().map(|p| p.as_str()),
        ))
        .into_response();
    }
    unauthorized("sign in, or send an API token as Authorization: Bearer TOKEN")
}

/// What only a signed-in caller may see is kept out of shared and browser caches (a proxy, or
/// the back button after signing out), unless the handler chose its own policy.
fn private(mut response: Response) -> Response {
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(header::HeaderValue::from_static("no-store"));
    response
}

fn login_url(next: Option<&str>) -> String {
    match next {
        Some(next) if next != "/" => {
            format!(
                "/login?next={}",
                url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            )
        }
        _ => "/login".to_owned(),
    }
}

fn unauthorized(message: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer realm=\"strata\"")],
        Json(json!({ "error": "unauthorized", "message": message })),
    )
        .into_response()
}

pub(super) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
