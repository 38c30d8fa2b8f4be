//! What GitLab sends, made fit to store: every record passes here before an upsert, whether it
//! came from the REST API or a webhook, so both backends store the same thing.
//!
//! - Durations outside 0 ms–[`MAX_DURATION_MS`] are clamped: one job reported as lasting
//!   `i64::MAX` ms once overflowed the daily rollup's `SUM` and froze every dashboard.
//!   Negative ones mean nothing and become unknown.
//! - Instants outside 1970–9999 become unknown (no day, no window can hold them).
//! - Sizes are clamped to 0–[`MAX_BYTES`] (GitLab reports artifact sizes up to `i64::MAX`).
//! - NUL characters become U+FFFD: PostgreSQL refuses them in text, SQLite keeps them (then
//!   in HTML and CSV); the same visible replacement on both. The log analysis's strings
//!   (cache keys, Docker instructions) go through [`text`] too.
//! - Web URLs are kept only as `http(s)://…` without whitespace or control characters: they
//!   are rendered as links, and a `javascript:` URL in a webhook must not become one.

use crate::model::filters::{DAY_MS, MAX_DAY};

use super::records::{JobRecord, PipelineRecord, ProjectRecord};

/// A year and a day: far beyond GitLab's longest job timeout (1 month), short enough that
/// a rollup summing ten million of them stays far inside `i64`.
pub const MAX_DURATION_MS: i64 = 366 * DAY_MS;
/// 1 PiB: more than any artifact GitLab stores (its maximum artifact size is set in MB).
pub const MAX_BYTES: i64 = 1 << 50;

/// A duration as stored: unknown when negative, at most [`MAX_DURATION_MS`].
pub fn duration(ms: Option<i64>) -> Option<i64> {
    ms.filter(|ms| *ms >= 0).map(|ms| ms.min(MAX_DURATION_MS))
}

/// An instant as stored: unknown outside 1970-01-01..=9999-12-31.
pub fn instant(ms: Option<i64>) -> Option<i64> {
    ms.filter(|ms| (0..(MAX_DAY + 1) * DAY_MS).contains(ms))
}

/// A byte count as stored: 0..=[`MAX_BYTES`].
pub fn bytes(n: i64) -> i64 {
    n.clamp(0, MAX_BYTES)
}

/// Text as stored: NUL replaced by U+FFFD (the rest of the text is kept as sent).
pub fn text(value: &str) -> String {
    value.replace('\0', "\u{FFFD}")
}

/// [`text`] of an optional value.
pub fn optional_text(value: &Option<String>) -> Option<String> {
    value.as_deref().map(text)
}

/// A link target: `http://` or `https://` only, with no whitespace or control character.
pub fn web_url(url: &Option<String>) -> Option<String> {
    crate::model::web_link::web_link(url.as_deref().map(str::trim))
}

impl ProjectRecord {
    pub fn sanitized(&self) -> ProjectRecord {
        ProjectRecord {
            id: self.id,
            path: text(&self.path),
            name: text(&self.name),
            web_url: web_url(&self.web_url),
            default_branch: optional_text(&self.default_branch),
        }
    }
}

impl PipelineRecord {
    pub fn sanitized(&self) -> PipelineRecord {
        PipelineRecord {
            git_ref: optional_text(&self.git_ref),
            sha: optional_text(&self.sha),
            source: optional_text(&self.source),
            created_at_ms: instant(self.created_at_ms),
            updated_at_ms: instant(self.updated_at_ms),
            started_at_ms: instant(self.started_at_ms),
            finished_at_ms: instant(self.finished_at_ms),
            duration_ms: duration(self.duration_ms),
            queued_duration_ms: duration(self.queued_duration_ms),
            web_url: web_url(&self.web_url),
            ..self.clone()
        }
    }
}

impl JobRecord {
    pub fn sanitized(&self) -> JobRecord {
        JobRecord {
            name: text(&self.name),
            stage: optional_text(&self.stage),
            created_at_ms: instant(self.created_at_ms),
            started_at_ms: instant(self.started_at_ms),
            finished_at_ms: instant(self.finished_at_ms),
            duration_ms: duration(self.duration_ms),
            queued_duration_ms: duration(self.queued_duration_ms),
            runner_description: optional_text(&self.runner_description),
            tag_list: self
                .tag_list
                .as_ref()
                .map(|tags| tags.iter().map(|t| text(t)).collect()),
            web_url: web_url(&self.web_url),
            artifacts_bytes: self.artifacts_bytes.map(bytes),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_sizes_at_the_extremes() {
        assert_eq!(duration(Some(i64::MAX)), Some(MAX_DURATION_MS));
        assert_eq!(duration(Some(i64::MIN)), None);
        assert_eq!(duration(Some(-1)), None);
        assert_eq!(duration(Some(0)), Some(0));
        assert_eq!(duration(Some(90_000)), Some(90_000));
        assert_eq!(bytes(i64::MAX), MAX_BYTES);
        assert_eq!(bytes(i64::MIN), 0);
        assert_eq!(bytes(123), 123);
        assert_eq!(instant(Some(i64::MAX)), None);
        assert_eq!(instant(Some(-1)), None);
        assert_eq!(instant(Some(1_764_000_000_000)), Some(1_764_000_000_000));
        // Ten million jobs at the longest duration still sum inside i64.
        assert!(MAX_DURATION_MS.checked_mul(10_000_000).is_some());
    }

    #[test]
    fn only_web_links_are_kept() {
        let url = |u: &str| web_url(&Some(u.to_owned()));
        assert_eq!(
            url("https://gitlab.example/g/p/-/jobs/1").as_deref(),
            Some("https://gitlab.example/g/p/-/jobs/1")
        );
        assert!(url("HTTP://gitlab.example/").is_some());
        for hostile in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "https://x/\njavascript:alert(1)",
            "https://x/ y",
            "//evil.example",
            "vbscript:x",
        ] {
            assert_eq!(url(hostile), None, "{hostile:?}");
        }
    }

    #[test]
    fn nul_becomes_a_visible_replacement() {
        let job = JobRecord {
            name: "build\0x".into(),
            tag_list: Some(vec!["docker\0".into()]),
            duration_ms: Some(i64::MAX),
            artifacts_bytes: Some(i64::MAX),
            web_url: Some("javascript:alert(1)".into()),
            ..JobRecord::default()
        }
        .sanitized();
        assert_eq!(job.name, "build\u{FFFD}x");
        assert_eq!(job.tag_list, Some(vec!["docker\u{FFFD}".to_owned()]));
        assert_eq!(job.duration_ms, Some(MAX_DURATION_MS));
        assert_eq!(job.artifacts_bytes, Some(MAX_BYTES));
        assert_eq!(job.web_url, None);
    }
}
