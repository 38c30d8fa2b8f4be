//! The filters every page, chart, CSV and API call accepts, and their URL form.
//!
//! `?period=7d|30d|90d` (default 30d), or `?from=YYYY-MM-DD&to=YYYY-MM-DD` (UTC days,
//! inclusive) for a custom window; `ref`, `source`, `status` narrow pipelines and jobs;
//! `job` picks a job name; `project` a project id (exports and the API). The same parameters
//! mean the same thing everywhere, so a page's "data" link reproduces what the page shows.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::Period;

/// A reporting window: a preset ending today, or explicit UTC days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Window {
    Last(Period),
    /// Days since 1970-01-01 (UTC), both inclusive.
    Days {
        from: i64,
        to: i64,
    },
}

impl Default for Window {
    fn default() -> Self {
        Window::Last(Period::default())
    }
}

impl Window {
    /// The UTC days the window covers, both inclusive. "Last 7 days" is today and the six
    /// days before it, so rollups (kept per day) and raw queries cover the same span.
    pub fn days(self, now_ms: i64) -> (i64, i64) {
        match self {
            Window::Last(period) => {
                let today = now_ms.div_euclid(DAY_MS);
                (today - period.days() + 1, today)
            }
            Window::Days { from, to } => (from, to),
        }
    }

    /// The window as `[start_ms, end_ms)`: whole UTC days.
    pub fn bounds_ms(self, now_ms: i64) -> (i64, i64) {
        let (from, to) = self.days(now_ms);
        (from * DAY_MS, (to + 1) * DAY_MS)
    }

    /// The days of the window of the same length just before this one (for trends).
    pub fn previous_days(self, now_ms: i64) -> (i64, i64) {
        let (from, to) = self.days(now_ms);
        (from - (to - from + 1), from - 1)
    }

    pub fn label(self) -> String {
        match self {
            Window::Last(period) => period.label().to_owned(),
            Window::Days { from, to } => format!("{} to {}", format_day(from), format_day(to)),
        }
    }
}

pub const DAY_MS: i64 = 86_400_000;

/// Every filter a view can carry. Deserializing checks every limit [`Filters::from_pairs`]
/// checks (a server function's body is as untrusted as a query string).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "UncheckedFilters")]
pub struct Filters {
    pub window: Window,
    pub git_ref: Option<String>,
    pub source: Option<String>,
    pub status: Option<String>,
    pub job: Option<String>,
    pub project: Option<i64>,
}

/// [`Filters`] as they arrive, before [`Filters::check`].
#[derive(Deserialize)]
struct UncheckedFilters {
    window: Window,
    git_ref: Option<String>,
    source: Option<String>,
    status: Option<String>,
    job: Option<String>,
    project: Option<i64>,
}

impl TryFrom<UncheckedFilters> for Filters {
    type Error = FilterError;

    fn try_from(raw: UncheckedFilters) -> Result<Filters, FilterError> {
        let filters = Filters {
            window: raw.window,
            git_ref: raw.git_ref,
            source: raw.source,
            status: raw.status,
            job: raw.job,
            project: raw.project,
        };
        filters.check()?;
        Ok(filters)
    }
}

/// The first and last day a window may touch: 1970-01-01 and 9999-12-31. Within them every
/// millisecond bound (`(to + 1) * DAY_MS`) fits an `i64` many times over.
pub const MIN_DAY: i64 = 0;
pub const MAX_DAY: i64 = 2_932_896;
/// The longest window: 10 years. Daily series hold one point per day.
pub const MAX_WINDOW_DAYS: i64 = 3_660;

/// A filter value that cannot be used; the message names the parameter.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("invalid `{param}`: {reason}")]
pub struct FilterError {
    pub param: String,
    pub reason: String,
}

fn invalid(param: &str, reason: impl Into<String>) -> FilterError {
    FilterError {
        param: param.to_owned(),
        reason: reason.into(),
    }
}

/// Pipeline statuses GitLab reports; anything else in `?status=` is refused.
pub const STATUSES: [&str; 12] = [
    "created",
    "waiting_for_resource",
    "preparing",
    "pending",
    "running",
    "success",
    "failed",
    "canceled",
    "skipped",
    "manual",
    "scheduled",
    "canceling",
];

impl Filters {
    /// Read filters from query parameters (`(name, value)` pairs, as decoded from a URL).
    /// Unknown parameters are ignored; empty values mean "no filter".
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Filters, FilterError> {
        let mut filters = Filters::default();
        let (mut from, mut to) = (None, None);
        for (name, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match name {
                "period" => {
                    let period = Period::from_param(value)
                        .ok_or_else(|| invalid("period", "use 7d, 30d or 90d"))?;
                    filters.window = Window::Last(period);
                }
                "from" => {
                    from = Some(
                        parse_day(value)
                            .ok_or_else(|| invalid("from", "use a date like 2026-01-31"))?,
                    )
                }
                "to" => {
                    to = Some(
                        parse_day(value)
                            .ok_or_else(|| invalid("to", "use a date like 2026-01-31"))?,
                    )
                }
                "ref" => filters.git_ref = Some(value.to_owned()),
                "source" => filters.source = Some(value.to_owned()),
                "status" => filters.status = Some(value.to_owned()),
                "job" => filters.job = Some(value.to_owned()),
                "project" => {
                    filters.project = Some(
                        value
                            .parse()
                            .map_err(|_| invalid("project", "use a numeric project id"))?,
                    )
                }
                _ => {}
            }
        }
        match (from, to) {
            (Some(from), Some(to)) => filters.window = Window::Days { from, to },
            (Some(_), None) => return Err(invalid("to", "give `to` with `from`")),
            (None, Some(_)) => return Err(invalid("from", "give `from` with `to`")),
            (None, None) => {}
        }
        filters.check()?;
        Ok(filters)
    }

    /// Every limit a filter value must meet, whichever way it arrived: a window of whole
    /// days between 1970 and 9999 no longer than 10 years, a known status, names of at most
    /// 255 bytes with no NUL.
    pub fn check(&self) -> Result<(), FilterError> {
        if let Window::Days { from, to } = self.window {
            check_days(from, to)?;
        }
        for (param, value) in [
            ("ref", &self.git_ref),
            ("source", &self.source),
            ("job", &self.job),
        ] {
            if let Some(value) = value {
                check_text(param, value)?;
            }
        }
        if let Some(status) = &self.status
            && !STATUSES.contains(&status.as_str())
        {
            return Err(invalid(
                "status",
                format!("unknown status; use one of {}", STATUSES.join(", ")),
            ));
        }
        Ok(())
    }

    /// The filters as a query string (no leading `?`), defaults left out, stable order.
    pub fn to_query(&self) -> String {
        let mut query = String::new();
        let mut push = |name: &str, value: &str| {
            if !query.is_empty() {
                query.push('&');
            }
            let _ = write!(query, "{name}={}", encode(value));
        };
        match self.window {
            Window::Last(period) if period == Period::default() => {}
            Window::Last(period) => push("period", period.as_param()),
            Window::Days { from, to } => {
                push("from", &format_day(from));
                push("to", &format_day(to));
            }
        }
        if let Some(project) = self.project {
            push("project", &project.to_string());
        }
        for (name, value) in [
            ("ref", &self.git_ref),
            ("source", &self.source),
            ("status", &self.status),
            ("job", &self.job),
        ] {
            if let Some(value) = value {
                push(name, value);
            }
        }
        query
    }

    /// `path?query`, or just `path` when no filter is set.
    pub fn href(&self, path: &str) -> String {
        let query = self.to_query();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }

    /// The same filters with another window.
    pub fn with_window(&self, window: Window) -> Filters {
        Filters {
            window,
            ..self.clone()
        }
    }
}

/// A window of days as [`Filters::check`] accepts it: in order, within 1970–9999, at most
/// [`MAX_WINDOW_DAYS`] long.
pub fn check_days(from: i64, to: i64) -> Result<(), FilterError> {
    for (param, day) in [("from", from), ("to", to)] {
        if !(MIN_DAY..=MAX_DAY).contains(&day) {
            return Err(invalid(
                param,
                "use a date between 1970-01-01 and 9999-12-31",
            ));
        }
    }
    if from > to {
        return Err(invalid("from", "must not be after `to`"));
    }
    if to - from >= MAX_WINDOW_DAYS {
        return Err(invalid("to", "a window spans at most 10 years"));
    }
    Ok(())
}

/// A name-like parameter (branch, source, job name): at most 255 bytes, no NUL (PostgreSQL
/// refuses it, SQLite would take it; GitLab's names never hold one, while a job name may
/// hold a line break).
pub fn check_text(param: &str, value: &str) -> Result<(), FilterError> {
    if value.len() > 255 {
        return Err(invalid(param, "longer than 255 bytes"));
    }
    if value.contains('\0') {
        return Err(invalid(param, "contains a NUL character"));
    }
    Ok(())
}

/// `YYYY-MM-DD` to days since 1970-01-01.
pub fn parse_day(text: &str) -> Option<i64> {
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(
        date.signed_duration_since(chrono::NaiveDate::default())
            .num_days(),
    )
}

pub fn format_day(day: i64) -> String {
    chrono::NaiveDate::default()
        .checked_add_signed(chrono::TimeDelta::days(day))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Percent-encode a query value (RFC 3986 unreserved characters pass through).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// Undo [`encode`] (and any other percent-encoding); invalid sequences stay as they are.
pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &[(&str, &str)]) -> Result<Filters, FilterError> {
        Filters::from_pairs(query.iter().copied())
    }

    #[test]
    fn defaults_to_the_last_30_days_with_no_other_filter() {
        let filters = parse(&[]).unwrap();
        assert_eq!(filters, Filters::default());
        assert_eq!(filters.to_query(), "");
        assert_eq!(filters.href("/"), "/");
    }

    #[test]
    fn round_trips_through_the_query_string() {
        let filters = parse(&[
            ("from", "2026-10-01"),
            ("to", "2026-10-31"),
            ("ref", "feature/a b&c"),
            ("status", "failed"),
            ("job", "build"),
            ("project", "42"),
        ])
        .unwrap();
        let query = filters.to_query();
        assert_eq!(
            query,
            "from=2026-10-01&to=2026-10-31&project=42&ref=feature%2Fa%20b%26c&status=failed&job=build"
        );
        let decoded: Vec<(String, String)> = query
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_owned(), decode(v))
            })
            .collect();
        let again =
            Filters::from_pairs(decoded.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        assert_eq!(again, filters);
    }

    #[test]
    fn decoding_undoes_encoding_and_tolerates_junk() {
        for text in [
            "build/amd64",
            "test: [ruby 3.2]",
            "ünïcode & spaces",
            "100%",
        ] {
            assert_eq!(decode(&encode(text)), text);
        }
        assert_eq!(decode("a%2"), "a%2");
        assert_eq!(decode("%zz"), "%zz");
    }

    #[test]
    fn bad_values_name_their_parameter() {
        assert_eq!(parse(&[("period", "1y")]).unwrap_err().param, "period");
        assert_eq!(
            parse(&[("from", "2026-13-01"), ("to", "2026-12-01")])
                .unwrap_err()
                .param,
            "from"
        );
        assert_eq!(
            parse(&[("from", "2026-10-02"), ("to", "2026-10-01")])
                .unwrap_err()
                .param,
            "from"
        );
        assert_eq!(parse(&[("from", "2026-10-02")]).unwrap_err().param, "to");
        assert_eq!(parse(&[("status", "done")]).unwrap_err().param, "status");
        assert_eq!(parse(&[("project", "abc")]).unwrap_err().param, "project");
        assert!(
            parse(&[("ref", "")]).unwrap().git_ref.is_none(),
            "empty means no filter"
        );
    }

    #[test]
    fn out_of_range_windows_are_refused_by_name() {
        let param = |from: &str, to: &str| parse(&[("from", from), ("to", to)]).unwrap_err().param;
        assert_eq!(param("1969-12-31", "1970-01-02"), "from");
        assert_eq!(param("2015-01-01", "2026-01-01"), "to", "over 10 years");
        assert!(parse(&[("from", "2016-01-01"), ("to", "2026-01-01")]).is_ok());
        assert_eq!(parse(&[("job", "a\0b")]).unwrap_err().param, "job");
        assert_eq!(parse(&[("ref", "main\0")]).unwrap_err().param, "ref");
        assert!(
            parse(&[("job", "test\n\"line, two\"")]).is_ok(),
            "names may hold line breaks"
        );
    }

    /// A server function's body is deserialized, not parsed by `from_pairs`: the same limits
    /// hold, so no window can make a daily series of a billion points.
    #[test]
    fn deserializing_checks_the_same_limits() {
        let with_window = |from: i64, to: i64| {
            serde_json::json!({
                "window": {"Days": {"from": from, "to": to}},
                "git_ref": null, "source": null, "status": null, "job": null, "project": null,
            })
        };
        let err = serde_json::from_value::<Filters>(with_window(0, 1_000_000_000)).unwrap_err();
        assert!(err.to_string().contains("invalid `to`"), "{err}");
        let err = serde_json::from_value::<Filters>(with_window(20_000, 19_000)).unwrap_err();
        assert!(err.to_string().contains("invalid `from`"), "{err}");
        let err =
            serde_json::from_value::<Filters>(with_window(i64::MAX - 1, i64::MAX)).unwrap_err();
        assert!(err.to_string().contains("invalid `from`"), "{err}");
        let mut status = with_window(20_000, 20_010);
        status["status"] = "done".into();
        assert!(serde_json::from_value::<Filters>(status).is_err());

        let good = parse(&[
            ("from", "2026-10-01"),
            ("to", "2026-10-31"),
            ("job", "build"),
        ])
        .unwrap();
        let again: Filters = serde_json::from_value(serde_json::to_value(&good).unwrap()).unwrap();
        assert_eq!(again, good);
    }

    #[test]
    fn windows_resolve_to_millisecond_bounds() {
        let now = 100 * DAY_MS + 5;
        assert_eq!(
            Window::Last(Period::Days7).bounds_ms(now),
            (94 * DAY_MS, 101 * DAY_MS)
        );
        assert_eq!(Window::Last(Period::Days7).days(now), (94, 100));
        assert_eq!(
            Window::Days { from: 10, to: 11 }.bounds_ms(now),
            (10 * DAY_MS, 12 * DAY_MS)
        );
        assert_eq!(Window::Days { from: 10, to: 11 }.previous_days(now), (8, 9));
        assert_eq!(
            Window::Days { from: 10, to: 11 }.label(),
            "1970-01-11 to 1970-01-12"
        );
    }
}
