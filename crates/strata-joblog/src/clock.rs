//! The log's own notion of time: every instant the analyser learns (line
//! timestamps, or marker seconds on lines without one) passes through here, so
//! that offsets share one origin and the span covers everything reported.

/// Instants are epoch milliseconds.
#[derive(Debug, Default)]
pub struct Clock {
    origin: Option<i64>,
    previous: Option<i64>,
    earliest: Option<i64>,
    latest: Option<i64>,
}

impl Clock {
    /// Records an instant; returns the previous one when time went backwards.
    pub fn observe(&mut self, instant: i64) -> Option<i64> {
        self.origin.get_or_insert(instant);
        self.earliest = Some(self.earliest.map_or(instant, |e| e.min(instant)));
        self.latest = Some(self.latest.map_or(instant, |l| l.max(instant)));
        let previous = self.previous.replace(instant);
        previous.filter(|p| instant < *p)
    }

    pub fn origin(&self) -> Option<i64> {
        self.origin
    }

    /// The latest instant seen so far: where open sections end when the log stops.
    pub fn latest(&self) -> Option<i64> {
        self.latest
    }

    /// Milliseconds from the origin, never negative (an instant before the origin
    /// can only come from a clock going backwards, which was warned about).
    pub fn offset(&self, instant: i64) -> i64 {
        instant
            .saturating_sub(self.origin.unwrap_or(instant))
            .max(0)
    }

    pub fn span(&self) -> i64 {
        match (self.earliest, self.latest) {
            (Some(earliest), Some(latest)) => latest.saturating_sub(earliest).max(0),
            _ => 0,
        }
    }
}
