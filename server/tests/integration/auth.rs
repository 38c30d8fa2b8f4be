//! Access control with STRATA_AUTH: every kind of route refuses or redirects without
//! credentials, takes a valid token or session, refuses wrong ones, and the sign-in and
//! sign-out forms resist cross-site posting — on both backends (sessions live in the DB).

use crate::support;
use strata_core::on_both_backends;

use std::{sync::Arc, time::Duration};

use reqwest::{StatusCode, header};
use strata::{
    auth::{AuthConfig, SESSION_COOKIE, secrets, sessions},
    config::OpsSettings,
};
use support::{TestApp, TestDb, test_settings};

on_both_backends! {
    without_credentials_apis_refuse_and_pages_redirect => no_credentials;
    a_wrong_token_is_refused_everywhere => wrong_token;
    a_valid_token_opens_api_export_and_pages => valid_token;
    sign_in_then_sign_out => sign_in_and_out;
    sign_in_refuses_forged_or_cross_site_posts => login_csrf;
    sign_out_needs_the_session_csrf_token => logout_csrf;
    an_expired_session_means_signing_in_again => expired_session;
    a_wrong_password_starts_no_session => wrong_password;
    cookie_authenticated_posts_must_be_same_origin => cookie_posts_same_origin;
    health_and_metrics_can_be_made_private => private_ops_endpoints;
    cookies_are_secure_behind_tls => secure_cookies;
    after_sign_in_next_never_leaves_the_site => next_stays_here;
    repeated_wrong_sign_ins_are_throttled_with_retry_after => throttled_sign_ins;
}

const TOKEN: &str = "test-token-0123456789";
const PASSWORD: &str = "correct horse battery staple";

fn auth_config(extra: &str) -> AuthConfig {
    let hash = secrets::hash_password(PASSWORD).unwrap();
    AuthConfig::parse(&format!(
        "{extra}\n[[users]]\nname = \"alice\"\npassword_hash = \"{hash}\"\n\
         [[tokens]]\nname = \"ci\"\nsha256 = \"{}\"\n",
        secrets::sha256_hex(TOKEN)
    ))
    .unwrap()
}

async fn spawn(t: &TestDb, extra: &str) -> TestApp {
    let mut settings = test_settings(&t.url);
    settings.ops = OpsSettings {
        auth: Some(Arc::new(auth_config(extra))),
        ..OpsSettings::default()
    };
    TestApp::spawn(settings, &t.db).await
}

/// Routes of every kind: page, JSON API, server function, CSV export.
const API: [&str; 3] = [
    "/api/v1/projects",
    "/api/v1/pipelines",
    "/export/pipelines.csv",
];
const PAGES: [&str; 2] = ["/", "/projects/1"];

/// Let through by the gate: what the route itself answers (a 404 for a project that does
/// not exist, a 500 for a server function called with the wrong arguments) — not a refusal.
fn passed_gate(status: StatusCode) -> bool {
    ![
        StatusCode::UNAUTHORIZED,
        StatusCode::FORBIDDEN,
        StatusCode::SEE_OTHER,
    ]
    .contains(&status)
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn set_cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with(&format!("{name}=")))
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned()
}

async fn server_fn(app: &TestApp, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url("/api/ui/overview"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("period=30d");
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

async fn no_credentials(t: TestDb) {
    let app = spawn(&t, "").await;
    for path in API {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert!(
            res.headers().contains_key(header::WWW_AUTHENTICATE),
            "{path}"
        );
    }
    assert_eq!(
        server_fn(&app, &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app.get("/").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login");
    let res = app.get("/projects/1?period=7d").await;
    assert_eq!(location(&res), "/login?next=%2Fprojects%2F1%3Fperiod%3D7d");
    // Unknown pages too: their existence is not revealed.
    assert_eq!(
        app.get("/no/such/page").await.status(),
        StatusCode::SEE_OTHER
    );
    // Public by default: health checks, scrapes, the sign-in page and static assets.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    assert_eq!(app.get("/metrics").await.status(), StatusCode::OK);
    assert_eq!(app.get("/login").await.status(), StatusCode::OK);
    // The webhook endpoint checks its own secret: the gate lets it through.
    let res = app
        .client
        .post(app.url("/webhooks/gitlab"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), StatusCode::UNAUTHORIZED);
    assert_ne!(res.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

async fn wrong_token(t: TestDb) {
    let app = spawn(&t, "").await;
    for path in API.iter().chain(PAGES.iter()) {
        for value in ["Bearer not-the-token", "Basic YWxpY2U6cHc=", "Bearer "] {
            let res = app
                .client
                .get(app.url(path))
                .header(header::AUTHORIZATION, value)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path} {value}");
        }
    }
    let res = server_fn(&app, &[("authorization", "Bearer nope")]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

async fn valid_token(t: TestDb) {
    let app = spawn(&t, "").await;
    let bearer = format!("Bearer {TOKEN}");
    for path in API.iter().chain(PAGES.iter()) {
        let res = app
            .client
            .get(app.url(path))
            .header(header::AUTHORIZATION, &bearer)
            .send()
            .await
            .unwrap();
        assert!(passed_gate(res.status()), "{path}: {}", res.status());
    }
    let res = server_fn(&app, &[("authorization", &bearer)]).await;
    assert!(passed_gate(res.status()), "{}", res.status());
    app.stop().await;
}

/// GET /login: the CSRF cookie and the same token in the form.
async fn login_form(app: &TestApp) -> (String, String) {
    let res = app.get("/login?next=/projects/1").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    let cookie = cookie_value(&set_cookie(&res, "strata_csrf").expect("a CSRF cookie"));
    let html = res.text().await.unwrap();
    let doc = scraper::Html::parse_document(&html);
    let field = scraper::Selector::parse(r#"input[name="csrf"]"#).unwrap();
    let form_token = doc
        .select(&field)
        .next()
        .unwrap()
        .attr("value")
        .unwrap()
        .to_owned();
    let next = scraper::Selector::parse(r#"input[name="next"]"#).unwrap();
    assert_eq!(
        doc.select(&next).next().unwrap().attr("value"),
        Some("/projects/1")
    );
    (cookie, form_token)
}

async fn post_login(
    app: &TestApp,
    csrf_cookie: Option<&str>,
    csrf_field: &str,
    password: &str,
    origin: Option<&str>,
) -> reqwest::Response {
    let mut req = app.client.post(app.url("/login")).form(&[
        ("username", "alice"),
        ("password", password),
        ("csrf", csrf_field),
        ("next", "/projects/1"),
    ]);
    if let Some(cookie) = csrf_cookie {
        req = req.header(header::COOKIE, format!("strata_csrf={cookie}"));
    }
    if let Some(origin) = origin {
        req = req.header(header::ORIGIN, origin);
    }
    req.send().await.unwrap()
}

/// Sign in; the session cookie's value.
async fn sign_in(app: &TestApp) -> String {
    let (cookie, field) = login_form(app).await;
    let origin = format!("http://{}", app.addr);
    let res = post_login(app, Some(&cookie), &field, PASSWORD, Some(&origin)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/projects/1");
    let session = set_cookie(&res, SESSION_COOKIE).expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attribute), "{session}");
    }
    assert!(!session.contains("Secure"), "plain HTTP: {session}");
    cookie_value(&session)
}

async fn get_with_session(app: &TestApp, path: &str, session: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header(header::COOKIE, format!("{SESSION_COOKIE}={session}"))
        .send()
        .await
        .unwrap()
}

async fn sign_in_and_out(t: TestDb) {
    let app = spawn(&t, "").await;
    let session = sign_in(&app).await;
    for path in API.iter().chain(PAGES.iter()) {
        let res = get_with_session(&app, path, &session).await;
        assert!(passed_gate(res.status()), "{path}: {}", res.status());
        // What only a signed-in user may see stays out of shared and browser caches.
        assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store", "{path}");
    }
    let cookie = format!("{SESSION_COOKIE}={session}");
    let res = server_fn(&app, &[("cookie", &cookie)]).await;
    assert!(passed_gate(res.status()), "{}", res.status());

    let page = get_with_session(&app, "/logout", &session)
        .await
        .text()
        .await
        .unwrap();
    let doc = scraper::Html::parse_document(&page);
    let field = scraper::Selector::parse(r#"input[name="csrf"]"#).unwrap();
    let csrf = doc
        .select(&field)
        .next()
        .unwrap()
        .attr("value")
        .unwrap()
        .to_owned();
    assert!(page.contains("alice"));
    let res = app
        .client
        .post(app.url("/logout"))
        .header(header::COOKIE, &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        set_cookie(&res, SESSION_COOKIE)
            .unwrap()
            .contains("Max-Age=0")
    );
    // The session is gone on the server, not just in this browser.
    assert_eq!(
        get_with_session(&app, "/", &session).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        get_with_session(&app, "/api/v1/projects", &session)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}

async fn login_csrf(t: TestDb) {
    let app = spawn(&t, "").await;
    let (cookie, field) = login_form(&app).await;
    // No cookie (a cross-site form cannot set it), or a token that does not match it.
    for (cookie, field) in [(None, field.as_str()), (Some(cookie.as_str()), "forged")] {
        let res = post_login(&app, cookie, field, PASSWORD, None).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(set_cookie(&res, SESSION_COOKIE).is_none());
    }
    // Matching tokens from another origin.
    let res = post_login(
        &app,
        Some(&cookie),
        &field,
        PASSWORD,
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&res, SESSION_COOKIE).is_none());
    let count: i64 = strata_core::with_pool!(t.db.pool(), p => sqlx::query_scalar("SELECT COUNT(*) FROM sessions").fetch_one(p).await.unwrap());
    assert_eq!(count, 0);
    app.stop().await;
}

async fn logout_csrf(t: TestDb) {
    let app = spawn(&t, "").await;
    let session = sign_in(&app).await;
    let res = app
        .client
        .post(app.url("/logout"))
        .header(header::COOKIE, format!("{SESSION_COOKIE}={session}"))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        get_with_session(&app, "/", &session).await.status(),
        StatusCode::OK
    );
    app.stop().await;
}

async fn expired_session(t: TestDb) {
    let app = spawn(&t, "").await;
    let now = chrono::Utc::now().timestamp_millis();
    // Started two hours ago with a one-hour lifetime.
    let old = sessions::create(&t.db, "alice", Duration::from_secs(3600), now - 7_200_000)
        .await
        .unwrap();
    let live = sessions::create(&t.db, "alice", Duration::from_secs(3600), now)
        .await
        .unwrap();
    assert_eq!(
        get_with_session(&app, "/", &live).await.status(),
        StatusCode::OK
    );
    let res = get_with_session(&app, "/projects/1", &old).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with("/login"));
    assert_eq!(
        get_with_session(&app, "/api/v1/projects", &old)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // Signing in again works, and forgets the expired session.
    sign_in(&app).await;
    assert!(sessions::find(&t.db, &old, 0).await.unwrap().is_none());
    app.stop().await;
}

async fn wrong_password(t: TestDb) {
    let app = spawn(&t, "").await;
    let (cookie, field) = login_form(&app).await;
    let res = post_login(&app, Some(&cookie), &field, "wrong", None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&res, SESSION_COOKIE).is_none());
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Wrong user name or password")
    );
    app.stop().await;
}

async fn cookie_posts_same_origin(t: TestDb) {
    let app = spawn(&t, "").await;
    let session = sign_in(&app).await;
    let cookie = format!("{SESSION_COOKIE}={session}");
    let res = server_fn(
        &app,
        &[("cookie", &cookie), ("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let ours = format!("http://{}", app.addr);
    let res = server_fn(&app, &[("cookie", &cookie), ("origin", &ours)]).await;
    assert!(passed_gate(res.status()), "{}", res.status());
    app.stop().await;
}

async fn private_ops_endpoints(t: TestDb) {
    let app = spawn(&t, "public_healthz = false\npublic_metrics = false").await;
    for path in ["/healthz", "/metrics"] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
        let res = app
            .client
            .get(app.url(path))
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    app.stop().await;
}

async fn secure_cookies(t: TestDb) {
    let app = spawn(&t, "").await;
    let res = app
        .client
        .get(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(
        set_cookie(&res, "strata_csrf")
            .unwrap()
            .contains("; Secure")
    );
    app.stop().await;
}

/// `next` with a tab, a line break or a backslash could make the browser leave the site
/// (it drops tabs and line breaks, so `/<TAB>/evil.example` is `//evil.example`), and a
/// line break once made the redirect itself fail with 500 after the session was created.
async fn next_stays_here(t: TestDb) {
    let app = spawn(&t, "").await;
    let origin = format!("http://{}", app.addr);
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/x",
        "/\\evil.example",
        "//evil.example",
    ] {
        let (cookie, field) = login_form(&app).await;
        let res = app
            .client
            .post(app.url("/login"))
            .header(header::COOKIE, format!("strata_csrf={cookie}"))
            .header(header::ORIGIN, &origin)
            .form(&[
                ("username", "alice"),
                ("password", PASSWORD),
                ("csrf", field.as_str()),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location(&res), "/", "{next:?}");
        // The sign-in form does not echo it back either.
        let form = app
            .get(&format!("/login?next={}", url_encode(next)))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            form.contains(r#"name="next" value="/""#),
            "{next:?}: {form}"
        );
    }
    app.stop().await;
}

fn url_encode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// POST /login as `user` with `password`, from `forwarded_for` (the test client is on
/// loopback, as a reverse proxy would be, so the server counts that address).
async fn attempt(
    app: &TestApp,
    user: &str,
    password: &str,
    forwarded_for: &str,
) -> reqwest::Response {
    let (cookie, field) = login_form(app).await;
    app.client
        .post(app.url("/login"))
        .header(header::COOKIE, format!("strata_csrf={cookie}"))
        .header(header::ORIGIN, format!("http://{}", app.addr))
        .header("x-forwarded-for", forwarded_for)
        .form(&[
            ("username", user),
            ("password", password),
            ("csrf", field.as_str()),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap()
}

/// Five wrong passwords are free; then the name and the address wait (429 with
/// Retry-After), and not even the right password is checked until the wait is over.
async fn throttled_sign_ins(t: TestDb) {
    let app = spawn(&t, "").await;
    for _ in 0..5 {
        let res = attempt(&app, "alice", "wrong", "198.51.100.1").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // Each wrong attempt after a wait doubles the next wait: 1 s, 2 s, 4 s, then 8 s, long
    // enough for the checks below on a loaded machine.
    for wait_ms in [1_100, 2_100, 4_100] {
        let res = attempt(&app, "alice", "wrong", "198.51.100.1").await;
        assert_eq!(
            res.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "inside the wait"
        );
        tokio::time::sleep(Duration::from_millis(wait_ms)).await;
        let res = attempt(&app, "alice", "wrong", "198.51.100.1").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "after the wait");
    }
    for (user, password, from) in [
        ("alice", "wrong", "198.51.100.1"),
        ("alice", PASSWORD, "198.51.100.1"),
        ("alice", PASSWORD, "203.0.113.5"),
        ("mallory", "guess", "198.51.100.1"),
    ] {
        let res = attempt(&app, user, password, from).await;
        assert_eq!(
            res.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{user} from {from}"
        );
        let wait: u64 = res.headers()[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=900).contains(&wait), "{wait}");
        assert!(set_cookie(&res, SESSION_COOKIE).is_none());
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Too many sign-in attempts")
        );
    }
    // Another name from another address is not held back.
    let res = attempt(&app, "bob", "guess", "203.0.113.5").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}
