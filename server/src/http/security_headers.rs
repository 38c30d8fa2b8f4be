//! Security headers on every response.
//!
//! Pages get a Content-Security-Policy with a per-response nonce: Leptos's hydration script
//! is inline (`<script type="module" nonce=…>import('/pkg/strata.js')…`), and leptos_axum
//! gives each render a fresh [`leptos::nonce::Nonce`] that it puts on every script it emits.
//! [`page_context`] runs inside that render and sets the header from the same nonce. Every
//! other response (API, exports, sign-in, assets, errors) gets [`STRICT_CSP`]: no inline
//! script at all.

use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue, header},
    middleware::Next,
    response::Response,
};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// Everything but the script source: inline styles stay allowed (plotters' SVG and Leptos
/// `style:` bindings use style attributes); images may be data: URLs (charts).
const BASE: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
     font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
     form-action 'self'; frame-ancestors 'none'";

/// For responses that are not Leptos pages. `'wasm-unsafe-eval'` lets the wasm bundle compile;
/// it does not allow JavaScript `eval`.
pub const STRICT_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
     font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
     form-action 'self'; frame-ancestors 'none'; script-src 'self' 'wasm-unsafe-eval'";

/// The policy for a page rendered with `nonce`.
pub fn page_csp(nonce: &str) -> String {
    format!("{BASE}; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'")
}

/// Additional context for `leptos_routes_with_context`: sets the page's CSP from the nonce
/// leptos_axum generated for this render.
pub fn page_context() {
    let nonce = leptos::nonce::use_nonce();
    if let (Some(nonce), Some(response)) = (nonce, use_context::<ResponseOptions>())
        && let Ok(value) = HeaderValue::from_str(&page_csp(&nonce))
    {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Axum middleware: adds the headers a handler did not set itself.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let defaults: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, STRICT_CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_inline_script_without_a_nonce() {
        for csp in [STRICT_CSP.to_owned(), page_csp("abc")] {
            let script = csp
                .split(';')
                .find(|d| d.trim().starts_with("script-src"))
                .unwrap();
            assert!(
                !script.contains("unsafe-inline") && !script.contains("'unsafe-eval'"),
                "{csp}"
            );
            assert!(csp.contains("frame-ancestors 'none'"));
        }
        assert!(page_csp("abc").contains("'nonce-abc'"));
    }
}
