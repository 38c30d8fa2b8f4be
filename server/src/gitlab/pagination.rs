//! GitLab's pagination: follow `Link: <…>; rel="next"` until there is none.
//!
//! `X-Total` and `X-Total-Pages` disappear above 10,000 records, so they are never used to
//! decide when to stop; [`total_hint`] reads `X-Total` only to size a progress bar.

use reqwest::{Url, header::HeaderMap};

/// Items per page: GitLab's maximum.
pub const PER_PAGE: u32 = 100;

/// The `rel="next"` target of a `Link` header, if any.
pub fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|value| find_rel(value, "next"))
}

/// The URL of the link with relation `rel` in one `Link` header value
/// (`<url>; rel="next", <url>; rel="first"`).
fn find_rel(value: &str, rel: &str) -> Option<String> {
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let end = start + rest[start..].find('>')?;
        let url = &rest[start + 1..end];
        let params_end = rest[end..].find('<').map_or(rest.len(), |i| end + i);
        // `; rel="next", ` up to the next link: drop the separating comma.
        let params = rest[end + 1..params_end].trim_end().trim_end_matches(',');
        let matches = params.split(';').any(|param| {
            let Some((key, val)) = param.split_once('=') else {
                return false;
            };
            key.trim().eq_ignore_ascii_case("rel")
                && val
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case(rel))
        });
        if matches {
            return Some(url.to_owned());
        }
        rest = &rest[params_end..];
    }
    None
}

/// The next page's URL: the current request's URL with the query of GitLab's `next` link.
///
/// Only the query is taken, because a GitLab behind a reverse proxy often writes links with
/// its internal host or scheme (`external_url` set differently), and the token must never be
/// sent anywhere but the configured instance.
pub fn next_page_url(current: &Url, next: &str) -> Option<Url> {
    let parsed = Url::parse(next).or_else(|_| current.join(next)).ok()?;
    let mut url = current.clone();
    url.set_query(parsed.query());
    (url != *current).then_some(url)
}

/// The page after one fetched from `current` with these headers, if GitLab links one. An
/// empty page ends the list even if a (broken) server links further.
pub fn following_page(current: &Url, headers: &HeaderMap, page_was_empty: bool) -> Option<Url> {
    if page_was_empty {
        return None;
    }
    next_link(headers).and_then(|link| next_page_url(current, &link))
}

/// `X-Total`, when GitLab sends it (10,000 records or fewer): a progress hint, never a limit.
pub fn total_hint(headers: &HeaderMap) -> Option<u64> {
    headers.get("x-total")?.to_str().ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, LINK};

    fn headers(link: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(LINK, HeaderValue::from_str(link).unwrap());
        h
    }

    #[test]
    fn finds_the_next_link_among_others() {
        let h = headers(
            r#"<https://gitlab.example.com/api/v4/projects/8/pipelines?page=1&per_page=100>; rel="prev", <https://gitlab.example.com/api/v4/projects/8/pipelines?page=3&per_page=100>; rel="next", <https://gitlab.example.com/api/v4/projects/8/pipelines?page=1&per_page=100>; rel="first""#,
        );
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://gitlab.example.com/api/v4/projects/8/pipelines?page=3&per_page=100")
        );
        assert_eq!(
            next_link(&headers(r#"<https://x/a?page=1>; rel="first""#)),
            None
        );
        assert_eq!(next_link(&HeaderMap::new()), None);
        assert_eq!(next_link(&headers("garbage <without end")), None);
    }

    #[test]
    fn keyset_links_with_unquoted_rel_are_followed() {
        let h =
            headers("<https://g/api/v4/projects?cursor=eyJpZCI6IjQyIn0%3D&per_page=100>; rel=next");
        assert!(next_link(&h).unwrap().contains("cursor=eyJpZCI6IjQyIn0%3D"));
    }

    #[test]
    fn the_next_page_stays_on_the_configured_host_and_path() {
        let current =
            Url::parse("https://example.com/gitlab/api/v4/projects/8/pipelines?per_page=100")
                .unwrap();
        let next = next_page_url(
            &current,
            "http://gitlab.internal:8080/api/v4/projects/8/pipelines?page=2&per_page=100",
        )
        .unwrap();
        assert_eq!(
            next.as_str(),
            "https://example.com/gitlab/api/v4/projects/8/pipelines?page=2&per_page=100"
        );
        // A link back to the page just read would loop forever.
        assert_eq!(next_page_url(&current, current.as_str()), None);
    }

    #[test]
    fn totals_are_only_a_hint() {
        let mut h = HeaderMap::new();
        assert_eq!(total_hint(&h), None);
        h.insert("x-total", HeaderValue::from_static("250"));
        assert_eq!(total_hint(&h), Some(250));
    }
}
