//! Axis units that read: durations in s, min or h and sizes in kB, MB or GB, chosen from the
//! largest value on the axis so every tick uses the same unit.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DurationUnit {
    Seconds,
    Minutes,
    Hours,
}

impl DurationUnit {
    /// The unit for an axis whose values (in milliseconds) go up to `max_ms`.
    pub fn for_max(max_ms: f64) -> DurationUnit {
        if max_ms >= 3.0 * 3_600_000.0 {
            DurationUnit::Hours
        } else if max_ms >= 3.0 * 60_000.0 {
            DurationUnit::Minutes
        } else {
            DurationUnit::Seconds
        }
    }

    pub fn ms_per_unit(self) -> f64 {
        match self {
            DurationUnit::Seconds => 1_000.0,
            DurationUnit::Minutes => 60_000.0,
            DurationUnit::Hours => 3_600_000.0,
        }
    }

    pub fn suffix(self) -> &'static str {
        match self {
            DurationUnit::Seconds => "s",
            DurationUnit::Minutes => "min",
            DurationUnit::Hours => "h",
        }
    }

    /// A tick label: `90 s`, `2.5 min`, `1 h`.
    pub fn label(self, ms: f64) -> String {
        let value = ms / self.ms_per_unit();
        let text = if (value - value.round()).abs() < 0.05 {
            format!("{value:.0}")
        } else {
            format!("{value:.1}")
        };
        format!("{text} {}", self.suffix())
    }
}

/// A size in bytes with a decimal unit: `512 B`, `12.5 kB`, `340 MB`, `1.2 GB`.
pub fn bytes_label(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes.max(0.0);
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 || value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `YYYY-MM-DD` for an epoch day (days since 1970-01-01, UTC).
pub fn day_label(epoch_day: i64) -> String {
    chrono::DateTime::from_timestamp(epoch_day * 86_400, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// An axis tick on a day axis: a label at whole days, nothing between them (plotters may
/// pick half-day steps on short ranges).
pub fn day_tick(position: f64) -> String {
    if (position - position.round()).abs() < 0.01 {
        short_day_label(position.round() as i64)
    } else {
        String::new()
    }
}

/// `Nov 27` for an epoch day: short enough for an axis.
pub fn short_day_label(epoch_day: i64) -> String {
    chrono::DateTime::from_timestamp(epoch_day * 86_400, 0)
        .map(|t| t.format("%b %d").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_one_unit_per_axis() {
        assert_eq!(DurationUnit::for_max(90_000.0), DurationUnit::Seconds);
        assert_eq!(DurationUnit::for_max(600_000.0), DurationUnit::Minutes);
        assert_eq!(
            DurationUnit::for_max(4.0 * 3_600_000.0),
            DurationUnit::Hours
        );
        assert_eq!(DurationUnit::Minutes.label(150_000.0), "2.5 min");
        assert_eq!(DurationUnit::Seconds.label(90_000.0), "90 s");
    }

    #[test]
    fn sizes_use_decimal_units() {
        assert_eq!(bytes_label(512.0), "512 B");
        assert_eq!(bytes_label(12_500.0), "12.5 kB");
        assert_eq!(bytes_label(340_000_000.0), "340 MB");
        assert_eq!(day_label(20_000), "2024-10-04");
        assert_eq!(short_day_label(20_000), "Oct 04");
    }
}
