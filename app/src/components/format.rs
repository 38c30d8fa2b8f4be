//! How numbers read on a page. Deterministic (no clock, no locale), so the server's HTML and
//! the browser's hydration agree.

use chrono::{DateTime, Utc};

/// `2026-11-20 14:03 UTC`, or an em dash for nothing.
pub fn utc_minute(epoch_ms: Option<i64>) -> String {
    epoch_ms
        .and_then(DateTime::<Utc>::from_timestamp_millis)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "—".to_owned())
}

/// A share as a whole percentage: `97%`, or an em dash when there is nothing to divide.
pub fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "—".to_owned();
    }
    format!("{:.0}%", part as f64 * 100.0 / whole as f64)
}

/// A ratio as a whole percentage, or an em dash for nothing to divide.
pub fn ratio(r: strata_core::model::time::Ratio) -> String {
    percent(r.part, r.whole)
}

/// An optional duration (fractional milliseconds), or an em dash.
pub fn maybe_duration(ms: Option<f64>) -> String {
    ms.map(|v| duration_ms(v.round() as i64))
        .unwrap_or_else(|| "—".to_owned())
}

/// An optional duration in whole milliseconds, or an em dash.
pub fn maybe_ms(ms: Option<i64>) -> String {
    ms.map(duration_ms).unwrap_or_else(|| "—".to_owned())
}

/// An optional size in bytes (`12.5 MB`), or an em dash.
pub fn bytes(size: Option<i64>) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let Some(size) = size else {
        return "—".to_owned();
    };
    let mut value = size.max(0) as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A relative change as `+12%` / `−8%`, or an em dash.
pub fn change(relative: Option<f64>) -> String {
    match relative {
        Some(r) if r >= 0.005 => format!("+{:.0}%", r * 100.0),
        Some(r) if r <= -0.005 => format!("−{:.0}%", -r * 100.0),
        Some(_) => "±0%".to_owned(),
        None => "—".to_owned(),
    }
}

/// A duration in the unit that reads best: `850 ms`, `42.0 s`, `3 min 05 s`, `1 h 02 min`.
pub fn duration_ms(ms: i64) -> String {
    let ms = ms.max(0);
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        60_000..3_600_000 => format!("{} min {:02} s", ms / 60_000, (ms / 1000) % 60),
        _ => format!("{} h {:02} min", ms / 3_600_000, (ms / 60_000) % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_a_readable_unit() {
        assert_eq!(duration_ms(850), "850 ms");
        assert_eq!(duration_ms(42_000), "42.0 s");
        assert_eq!(duration_ms(185_000), "3 min 05 s");
        assert_eq!(duration_ms(3_720_000), "1 h 02 min");
        assert_eq!(duration_ms(-5), "0 ms");
    }

    #[test]
    fn sizes_read_in_decimal_units() {
        assert_eq!(bytes(Some(999)), "999 B");
        assert_eq!(bytes(Some(12_500_000)), "12.5 MB");
        assert_eq!(bytes(None), "—");
    }

    #[test]
    fn changes_carry_a_sign() {
        assert_eq!(change(Some(0.123)), "+12%");
        assert_eq!(change(Some(-0.08)), "−8%");
        assert_eq!(change(Some(0.001)), "±0%");
        assert_eq!(change(None), "—");
        assert_eq!(maybe_duration(Some(90_400.0)), "1 min 30 s");
    }

    #[test]
    fn percentages_and_times_handle_nothing() {
        assert_eq!(percent(1, 0), "—");
        assert_eq!(percent(97, 100), "97%");
        assert_eq!(utc_minute(None), "—");
        assert_eq!(utc_minute(Some(1_700_000_000_000)), "2023-11-14 22:13 UTC");
    }
}
