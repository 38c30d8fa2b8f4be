//! GitLab writes instants in several formats: the REST API uses ISO 8601
//! (`2024-02-20T15:03:11.123Z`), webhooks `2016-08-12 15:23:28 UTC`, some older payloads a
//! numeric offset (`2021-03-05 12:13:14 +0100`). All become UTC epoch milliseconds here.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};

/// Epoch milliseconds for any of GitLab's time formats; `None` for anything else.
pub fn parse_epoch_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp_millis());
    }
    if let Some(naive) = text
        .strip_suffix(" UTC")
        .or_else(|| text.strip_suffix(" Z"))
    {
        for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(naive, format) {
                return Some(t.and_utc().timestamp_millis());
            }
        }
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f %z", "%Y-%m-%d %H:%M:%S%.f%:z"] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.timestamp_millis());
        }
    }
    None
}

/// Serde helper: an optional GitLab time as epoch milliseconds. `null`, a missing field and
/// an empty string are all `None`; an unreadable time is an error naming the value.
pub fn deserialize_opt_epoch_ms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => parse_epoch_ms(&s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("unreadable time {s:?}"))),
    }
}

/// Epoch milliseconds to the ISO 8601 form the REST API writes (for the fake GitLab and
/// exports).
pub fn to_iso8601(epoch_ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(epoch_ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_format_gitlab_uses() {
        let want = 1_471_015_408_000; // 2016-08-12T15:23:28Z
        assert_eq!(parse_epoch_ms("2016-08-12 15:23:28 UTC"), Some(want));
        assert_eq!(parse_epoch_ms("2016-08-12T15:23:28Z"), Some(want));
        assert_eq!(parse_epoch_ms("2016-08-12T15:23:28.000Z"), Some(want));
        assert_eq!(parse_epoch_ms("2016-08-12T17:23:28.000+02:00"), Some(want));
        assert_eq!(parse_epoch_ms("2016-08-12 17:23:28 +0200"), Some(want));
        assert_eq!(parse_epoch_ms("2016-08-12T15:23:28.123Z"), Some(want + 123));
        assert_eq!(parse_epoch_ms("yesterday"), None);
        assert_eq!(parse_epoch_ms(""), None);
    }

    #[test]
    fn writes_what_it_reads() {
        let t = 1_700_000_000_123;
        assert_eq!(to_iso8601(t), "2023-11-14T22:13:20.123Z");
        assert_eq!(parse_epoch_ms(&to_iso8601(t)), Some(t));
    }
}
