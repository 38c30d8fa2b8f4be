//! The sign-in and sign-out pages: plain HTML forms (they work before any script loads),
//! each protected against cross-site posting by a CSRF token and the Origin check.

use std::{
    net::{IpAddr, SocketAddr},
    time::Duration,
};

use axum::{
    Extension, Form, Router,
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
    routing::get,
};
use serde::Deserialize;

use super::{Auth, cookies, gate::now_ms, secrets, sessions, throttle::Refused};

/// The double-submit cookie lives as long as a sign-in form plausibly stays open.
const CSRF_LIFETIME: Duration = Duration::from_secs(3600);

pub(super) fn router() -> Router<Auth> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", get(logout_page).post(logout))
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

#[derive(Deserialize)]
struct LogoutForm {
    csrf: String,
}

async fn login_page(
    State(auth): State<Auth>,
    headers: HeaderMap,
    Query(q): Query<Next>,
) -> Response {
    login_form(&auth, &headers, q.next.as_deref(), None, StatusCode::OK)
}

async fn login(
    State(auth): State<Auth>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let public_url = auth.inner.public_url.as_ref();
    let csrf_ok = cookies::get(&headers, cookies::CSRF_COOKIE)
        .is_some_and(|cookie| secrets::same(cookie, &form.csrf));
    if !csrf_ok || !cookies::same_origin(&headers, public_url) {
        return forbidden(
            "The sign-in form expired or came from another site. Reload the page and try again.",
        );
    }
    let client = client_ip(peer.map(|p| p.0.0.ip()), &headers);
    let checked = auth
        .inner
        .throttle
        .attempt(
            client,
            &form.username,
            now_ms,
            auth.check_password(&form.username, form.password),
        )
        .await;
    match checked {
        Ok(true) => crate::metrics::login_attempt("success"),
        Ok(false) => {
            crate::metrics::login_attempt("wrong");
            tracing::warn!(user = %form.username, client = ?client, "failed sign-in");
            return login_form(
                &auth,
                &headers,
                form.next.as_deref(),
                Some("Wrong user name or password."),
                StatusCode::UNAUTHORIZED,
            );
        }
        Err(refused) => {
            let (outcome, wait) = match refused {
                Refused::Throttled(wait) => ("throttled", wait),
                Refused::Busy => ("busy", Duration::from_secs(1)),
            };
            crate::metrics::login_attempt(outcome);
            tracing::warn!(user = %form.username, client = ?client, outcome, "sign-in refused before checking");
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            let mut response = login_form(
                &auth,
                &headers,
                form.next.as_deref(),
                Some(&format!(
                    "Too many sign-in attempts. Try again in {seconds} s."
                )),
                StatusCode::TOO_MANY_REQUESTS,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
            return response;
        }
    }
    let next = safe_next(form.next.as_deref());
    let now = now_ms();
    if let Err(err) = sessions::purge_expired(auth.db(), now).await {
        tracing::warn!(error = %err, "cannot forget expired sessions");
    }
    let lifetime = auth.config().session_lifetime();
    let id = match sessions::create(auth.db(), &form.username, lifetime, now).await {
        Ok(id) => id,
        Err(err) => {
            tracing::error!(error = %err, "cannot start a session");
            return (StatusCode::SERVICE_UNAVAILABLE, "sessions are unavailable").into_response();
        }
    };
    tracing::info!(user = %form.username, "signed in");
    let secure = cookies::behind_tls(&headers, public_url);
    let mut response = Redirect::to(next).into_response();
    let h = response.headers_mut();
    h.append(
        header::SET_COOKIE,
        cookies::set(cookies::SESSION_COOKIE, &id, lifetime, secure),
    );
    h.append(
        header::SET_COOKIE,
        cookies::set(cookies::CSRF_COOKIE, "", Duration::ZERO, secure),
    );
    response
}

async fn logout_page(State(auth): State<Auth>, headers: HeaderMap) -> Response {
    let Some(session) = current_session(&auth, &headers).await else {
        return Redirect::to("/login").into_response();
    };
    let body = format!(
        r#"<p>Signed in as <strong>{user}</strong>.</p>
<form method="post" action="/logout">
  <input type="hidden" name="csrf" value="{csrf}">
  <button type="submit">Sign out</button>
</form>"#,
        user = escape(&session.user),
        csrf = escape(&session.csrf_token),
    );
    page("Sign out", &body, StatusCode::OK)
}

async fn logout(
    State(auth): State<Auth>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    let id = cookies::get(&headers, cookies::SESSION_COOKIE).map(str::to_owned);
    let session = current_session(&auth, &headers).await;
    let Some((id, session)) = id.zip(session) else {
        return Redirect::to("/login").into_response();
    };
    let public_url = auth.inner.public_url.as_ref();
    if !secrets::same(&session.csrf_token, &form.csrf)
        || !cookies::same_origin(&headers, public_url)
    {
        return forbidden("The sign-out form expired or came from another site.");
    }
    if let Err(err) = sessions::delete(auth.db(), &id).await {
        tracing::error!(error = %err, "cannot end a session");
        return (StatusCode::SERVICE_UNAVAILABLE, "sessions are unavailable").into_response();
    }
    let mut response = Redirect::to("/login").into_response();
    let secure = cookies::behind_tls(&headers, public_url);
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(cookies::SESSION_COOKIE, "", Duration::ZERO, secure),
    );
    response
}

async fn current_session(auth: &Auth, headers: &HeaderMap) -> Option<sessions::Session> {
    let id = cookies::get(headers, cookies::SESSION_COOKIE)?;
    sessions::find(auth.db(), id, now_ms()).await.ok().flatten()
}

/// The sign-in form, with a fresh CSRF token in the form and in its cookie.
fn login_form(
    auth: &Auth,
    headers: &HeaderMap,
    next: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let csrf = secrets::random_token();
    let error = error
        .map(|e| format!(r#"<p class="error" role="alert">{}</p>"#, escape(e)))
        .unwrap_or_default();
    let body = format!(
        r#"{error}<form method="post" action="/login">
  <input type="hidden" name="csrf" value="{csrf}">
  <input type="hidden" name="next" value="{next}">
  <label>User name <input name="username" autocomplete="username" required autofocus></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>"#,
        next = escape(safe_next(next)),
    );
    let mut response = page("Sign in", &body, status);
    let secure = cookies::behind_tls(headers, auth.inner.public_url.as_ref());
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(cookies::CSRF_COOKIE, &csrf, CSRF_LIFETIME, secure),
    );
    response
}

fn page(title: &str, body: &str, status: StatusCode) -> Response {
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Strata</title><link rel="stylesheet" href="/pkg/strata.css"></head>
<body><main class="page auth"><h1>{title}</h1>
{body}
</main></body></html>"#
    );
    let mut response = (status, Html(html)).into_response();
    // Credentials are typed here: never cache the page.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

fn forbidden(message: &str) -> Response {
    page(
        "Sign in",
        &format!(
            "<p class=\"error\" role=\"alert\">{}</p><p><a href=\"/login\">Sign in</a></p>",
            escape(message)
        ),
        StatusCode::FORBIDDEN,
    )
}

/// The address sign-in attempts are counted against: the peer, or, when the peer is a
/// reverse proxy on this machine (loopback), the last address it put in `X-Forwarded-For`.
fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
    let forwarded = || {
        headers
            .get("x-forwarded-for")?
            .to_str()
            .ok()?
            .rsplit(',')
            .next()?
            .trim()
            .parse()
            .ok()
    };
    match peer {
        Some(ip) if ip.is_loopback() => forwarded().or(Some(ip)),
        other => other,
    }
}

/// Where to go after signing in: a path on this site only. Browsers drop tabs and line
/// breaks from URLs and read `\\` as `/`, so `/<TAB>/evil.example` would be
/// `//evil.example`, another host: only printable ASCII without a backslash, starting with
/// one `/`, is kept (a path with other characters arrives percent-encoded anyway).
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            n
        }
        _ => "/",
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            safe_next(Some("/projects/1?period=7d")),
            "/projects/1?period=7d"
        );
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        for control in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/x",
            "/ /x",
            "/\u{7f}",
        ] {
            assert_eq!(safe_next(Some(control)), "/", "{control:?}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(escape("<a href=\"x\">"), "&lt;a href=&quot;x&quot;&gt;");
    }
}
