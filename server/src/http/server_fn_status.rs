//! Status codes for the pages' server functions (`/api/ui/*`).
//!
//! Leptos answers every server-function error with 500, whoever was at fault. An argument
//! that does not deserialize (a window of a billion days, an unknown status, a body that is
//! not a form) or that a function refuses through `bad_input` is the caller's mistake: it
//! becomes 400, with the framework's message naming the parameter. Only the server's own
//! failures stay 5xx, so monitoring and clients can tell the two apart.

use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::Response,
};

/// The header server_fn sets on its error responses.
const SERVER_FN_ERROR: &str = "serverfnerror";
/// Error bodies are a variant name and a message; anything longer is not one of ours.
const MAX_ERROR_BODY: usize = 64 * 1024;
/// server_fn's encoding of errors that come from the request's arguments.
const CALLER_ERRORS: [&[u8]; 3] = [b"Args|", b"MissingArg|", b"Deserialization|"];

/// Axum middleware for every route; it only looks at `/api/ui/` error answers.
pub async fn caller_errors_are_400(request: Request, next: Next) -> Response {
    let server_fn = request.uri().path().starts_with("/api/ui/");
    let response = next.run(request).await;
    if !server_fn
        || response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::from("server function failed"));
    };
    if CALLER_ERRORS.iter().any(|prefix| bytes.starts_with(prefix)) {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, Body::from(bytes))
}
