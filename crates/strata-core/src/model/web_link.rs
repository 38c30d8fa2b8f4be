//! Which URLs may become links. GitLab's `web_url`s are rendered as `href`s, and a webhook's
//! sender chooses them: only `http(s)://` URLs without whitespace or control characters are
//! links. The store keeps no other (`store::sanitize`), and pages check again, for rows
//! stored before it did.

/// Longest URL kept: GitLab's own are far shorter.
pub const MAX_URL_LEN: usize = 2048;

pub fn is_web_link(url: &str) -> bool {
    let scheme_ok = ["http://", "https://"].iter().any(|scheme| {
        url.get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
    });
    scheme_ok
        && url.len() <= MAX_URL_LEN
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `url` if it may be a link.
pub fn web_link(url: Option<&str>) -> Option<String> {
    url.filter(|u| is_web_link(u)).map(str::to_owned)
}
