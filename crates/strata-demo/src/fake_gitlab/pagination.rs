//! GitLab's offset pagination: `page` and `per_page` (default 20, at most 100), the `X-Page`
//! family of headers and a `Link` header. Above 10,000 records GitLab stops counting: no
//! `X-Total`, no `X-Total-Pages`, no `rel="last"`.
//! <https://docs.gitlab.com/api/rest/#pagination>

use axum::http::{HeaderMap, HeaderName, HeaderValue};

pub const DEFAULT_PER_PAGE: usize = 20;
pub const MAX_PER_PAGE: usize = 100;
/// Above this many records the totals are left out.
pub const COUNT_LIMIT: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub page: usize,
    pub per_page: usize,
}

impl PageRequest {
    /// From the query's `page` and `per_page`; GitLab answers 400 for non-numbers and clamps
    /// the rest.
    pub fn from_query(query: &[(String, String)]) -> Result<PageRequest, String> {
        let number = |name: &str, default: usize| -> Result<usize, String> {
            match query.iter().find(|(k, _)| k == name) {
                None => Ok(default),
                Some((_, v)) if v.is_empty() => Ok(default),
                Some((_, v)) => v.parse::<usize>().map_err(|_| format!("{name} is invalid")),
            }
        };
        Ok(PageRequest {
            page: number("page", 1)?.max(1),
            per_page: number("per_page", DEFAULT_PER_PAGE)?.clamp(1, MAX_PER_PAGE),
        })
    }

    /// The index range of this page in `total` records.
    pub fn range(&self, total: usize) -> std::ops::Range<usize> {
        let start = (self.page - 1).saturating_mul(self.per_page).min(total);
        start..(start + self.per_page).min(total)
    }

    /// The pagination headers for a page of `total` records, with links built on `url`
    /// (scheme, host and path) and the request's other query parameters.
    pub fn headers(&self, total: usize, url: &str, query: &[(String, String)]) -> HeaderMap {
        let pages = total.div_ceil(self.per_page).max(1);
        let next = (self.page < pages).then_some(self.page + 1);
        let prev = (self.page > 1).then(|| (self.page - 1).min(pages));
        let counted = total <= COUNT_LIMIT;
        let link = |page: usize, rel: &str| {
            let mut serializer = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in query.iter().filter(|(k, _)| k != "page" && k != "per_page") {
                serializer.append_pair(k, v);
            }
            serializer.append_pair("page", &page.to_string());
            serializer.append_pair("per_page", &self.per_page.to_string());
            format!("<{url}?{}>; rel=\"{rel}\"", serializer.finish())
        };
        let mut links = Vec::new();
        if let Some(p) = prev {
            links.push(link(p, "prev"));
        }
        if let Some(n) = next {
            links.push(link(n, "next"));
        }
        links.push(link(1, "first"));
        if counted {
            links.push(link(pages, "last"));
        }
        let mut headers = HeaderMap::new();
        let mut set = |name: &'static str, value: String| {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), v);
            }
        };
        set("link", links.join(", "));
        set("x-page", self.page.to_string());
        set("x-per-page", self.per_page.to_string());
        set(
            "x-next-page",
            next.map(|n| n.to_string()).unwrap_or_default(),
        );
        set(
            "x-prev-page",
            prev.map(|p| p.to_string()).unwrap_or_default(),
        );
        if counted {
            set("x-total", total.to_string());
            set("x-total-pages", pages.to_string());
        }
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_and_clamps() {
        assert_eq!(
            PageRequest::from_query(&[]),
            Ok(PageRequest {
                page: 1,
                per_page: 20
            })
        );
        let q = query(&[("page", "0"), ("per_page", "500")]);
        assert_eq!(
            PageRequest::from_query(&q),
            Ok(PageRequest {
                page: 1,
                per_page: 100
            })
        );
        assert!(PageRequest::from_query(&query(&[("page", "two")])).is_err());
    }

    #[test]
    fn middle_page_links_keep_the_filters() {
        let q = query(&[("ref", "main"), ("page", "2"), ("per_page", "10")]);
        let page = PageRequest::from_query(&q).unwrap();
        let headers = page.headers(35, "http://h/api/v4/projects/1/pipelines", &q);
        let link = headers["link"].to_str().unwrap();
        assert_eq!(
            link,
            "<http://h/api/v4/projects/1/pipelines?ref=main&page=1&per_page=10>; rel=\"prev\", \
             <http://h/api/v4/projects/1/pipelines?ref=main&page=3&per_page=10>; rel=\"next\", \
             <http://h/api/v4/projects/1/pipelines?ref=main&page=1&per_page=10>; rel=\"first\", \
             <http://h/api/v4/projects/1/pipelines?ref=main&page=4&per_page=10>; rel=\"last\""
        );
        assert_eq!(headers["x-total"], "35");
        assert_eq!(headers["x-total-pages"], "4");
        assert_eq!(headers["x-next-page"], "3");
        assert_eq!(page.range(35), 10..20);
    }

    #[test]
    fn no_totals_and_no_last_above_ten_thousand() {
        let q = query(&[("per_page", "100")]);
        let page = PageRequest::from_query(&q).unwrap();
        let headers = page.headers(10_001, "http://h/x", &q);
        assert!(headers.get("x-total").is_none());
        assert!(headers.get("x-total-pages").is_none());
        assert!(!headers["link"].to_str().unwrap().contains("rel=\"last\""));
        assert_eq!(headers["x-next-page"], "2");
    }
}
