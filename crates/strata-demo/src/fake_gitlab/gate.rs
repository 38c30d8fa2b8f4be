//! What every request passes through before and after its handler: the request log, the
//! rate limiter, injected faults, the token check, and the rate-limit headers on the way out.

use std::{
    io,
    sync::Arc,
    time::{Instant, SystemTime},
};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use futures::{StreamExt, stream};

use super::{
    FakeState,
    faults::{Endpoint, Fault, Keep, RequestRecord},
};

pub async fn gate(State(state): State<Arc<FakeState>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(str::to_string);
    let method = request.method().to_string();
    let endpoint = Endpoint::of_path(&path);
    let verdict = lock(&state.limiter).check(Instant::now(), SystemTime::now());
    let fault = match verdict.retry_after {
        Some(_) => None,
        None => lock(&state.faults).next(endpoint),
    };
    let mut response = match (&fault, verdict.retry_after) {
        (_, Some(seconds)) => too_many_requests(Some(seconds)),
        (Some(Fault::TooManyRequests { retry_after }), _) => too_many_requests(*retry_after),
        (Some(Fault::ServerError(code)), _) => server_error(*code),
        (Some(Fault::DropConnection), _) => dropped(),
        (Some(Fault::Delay(delay)), _) => {
            tokio::time::sleep(*delay).await;
            authorized(&state, request, next).await
        }
        (Some(Fault::Truncate { keep, abort }), _) => {
            truncate(authorized(&state, request, next).await, *keep, *abort).await
        }
        (None, _) => authorized(&state, request, next).await,
    };
    let dropped = matches!(fault, Some(Fault::DropConnection));
    if !dropped {
        response.headers_mut().extend(verdict.headers());
    }
    let record = RequestRecord {
        seq: 0,
        method,
        path,
        query,
        endpoint,
        status: (!dropped).then(|| response.status().as_u16()),
        fault,
    };
    let mut log = lock(&state.log);
    let seq = log.len() as u64 + 1;
    log.push(RequestRecord { seq, ..record });
    response
}

fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// `PRIVATE-TOKEN: <token>` or `Authorization: Bearer <token>`.
async fn authorized(state: &FakeState, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let private = headers.get("private-token").and_then(|v| v.to_str().ok());
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if private.or(bearer) != Some(state.token.as_str()) {
        let body = serde_json::json!({ "message": "401 Unauthorized" });
        return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    }
    next.run(request).await
}

fn too_many_requests(retry_after: Option<u64>) -> Response {
    let mut response = (StatusCode::TOO_MANY_REQUESTS, "Retry later\n").into_response();
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

fn server_error(code: u16) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        let body = serde_json::json!({ "message": "500 Internal Server Error" });
        return (status, axum::Json(body)).into_response();
    }
    // 502 and 503 come from the proxy in front of GitLab, as HTML.
    let reason = status.canonical_reason().unwrap_or("Error");
    let html = format!(
        "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n</body>\r\n</html>\r\n"
    );
    (status, [(header::CONTENT_TYPE, "text/html")], html).into_response()
}

/// A body that fails before its first byte: hyper closes the connection without writing
/// the response.
fn dropped() -> Response {
    let failing = stream::once(async {
        Err::<Bytes, io::Error>(io::Error::other("dropped by the fake on purpose"))
    });
    Response::new(Body::from_stream(failing))
}

async fn truncate(response: Response, keep: Keep, abort: bool) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return dropped();
    };
    let cut = bytes.slice(..keep.of(bytes.len()));
    if abort {
        // Announce the whole body, send part of it, then fail: the connection breaks. The
        // pause lets hyper flush the part before it sees the error and aborts.
        parts
            .headers
            .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
        let part = stream::once(async move { Ok::<Bytes, io::Error>(cut) });
        let failure = stream::once(async {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            Err(io::Error::other("truncated by the fake on purpose"))
        });
        return Response::from_parts(parts, Body::from_stream(part.chain(failure)));
    }
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(cut.len()));
    Response::from_parts(parts, Body::from(cut))
}
