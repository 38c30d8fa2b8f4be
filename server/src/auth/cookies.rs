//! The two cookies sign-in uses, and the Origin check for forms.
//!
//! - `strata_session`: the session id. `HttpOnly` (scripts cannot read it), `SameSite=Lax`
//!   (not sent on cross-site POSTs), `Secure` behind TLS.
//! - `strata_csrf`: a random value the sign-in form repeats in a hidden field (double submit):
//!   another site can make a browser post the form, but cannot read or set this cookie.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use url::Url;

pub const SESSION_COOKIE: &str = "strata_session";
pub const CSRF_COOKIE: &str = "strata_csrf";

/// A cookie's value from the request's `Cookie` headers.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// Whether the browser reached us over TLS: the public URL says https, or the proxy in front
/// says so in `X-Forwarded-Proto`.
pub fn behind_tls(headers: &HeaderMap, public_url: Option<&Url>) -> bool {
    public_url.is_some_and(|url| url.scheme() == "https")
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value; `max_age` zero deletes the cookie.
pub fn set(name: &str, value: &str, max_age: Duration, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let line = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        max_age.as_secs()
    );
    HeaderValue::from_str(&line).expect("cookie values are URL-safe base64")
}

/// For a form post: the `Origin` header, when the browser sent one, must be this site's
/// (the public URL's origin when set, else the `Host` the request came to).
pub fn same_origin(headers: &HeaderMap, public_url: Option<&Url>) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        // Browsers send Origin with every POST; clients that do not are not browsers, and the
        // CSRF token still has to match.
        return true;
    };
    let Some(origin) = origin.to_str().ok().and_then(|o| Url::parse(o).ok()) else {
        return false; // includes `Origin: null` (sandboxed frames, privacy redirects)
    };
    match public_url {
        Some(public) => origin.origin() == public.origin(),
        None => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
            let authority = match origin.port() {
                Some(port) => format!("{}:{port}", origin.host_str().unwrap_or_default()),
                None => origin.host_str().unwrap_or_default().to_owned(),
            };
            host.is_some_and(|host| host.eq_ignore_ascii_case(&authority))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn reads_cookies_among_others() {
        let h = headers(&[("cookie", "a=1; strata_session=abc"), ("cookie", "b=2")]);
        assert_eq!(get(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(get(&h, "b"), Some("2"));
        assert_eq!(get(&h, CSRF_COOKIE), None);
    }

    #[test]
    fn secure_behind_tls_only() {
        let https: Url = "https://strata.example".parse().unwrap();
        assert!(behind_tls(&HeaderMap::new(), Some(&https)));
        assert!(behind_tls(
            &headers(&[("x-forwarded-proto", "https")]),
            None
        ));
        assert!(!behind_tls(
            &headers(&[("x-forwarded-proto", "http")]),
            None
        ));
        let cookie = set(SESSION_COOKIE, "v", Duration::from_secs(60), true);
        let cookie = cookie.to_str().unwrap();
        for part in ["HttpOnly", "SameSite=Lax", "Secure", "Max-Age=60", "Path=/"] {
            assert!(cookie.contains(part), "{cookie}");
        }
        assert!(
            !set("a", "b", Duration::ZERO, false)
                .to_str()
                .unwrap()
                .contains("Secure")
        );
    }

    #[test]
    fn origin_must_be_ours() {
        let public: Url = "https://strata.example".parse().unwrap();
        let ok = headers(&[
            ("origin", "https://strata.example"),
            ("host", "10.0.0.5:3000"),
        ]);
        assert!(same_origin(&ok, Some(&public)));
        let evil = headers(&[
            ("origin", "https://evil.example"),
            ("host", "strata.example"),
        ]);
        assert!(!same_origin(&evil, Some(&public)));
        assert!(!same_origin(&evil, None));
        let local = headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(same_origin(&local, None));
        assert!(!same_origin(&headers(&[("origin", "null")]), None));
        assert!(same_origin(&HeaderMap::new(), None));
    }
}
