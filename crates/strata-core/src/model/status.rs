//! GitLab's pipeline and job statuses, ordered so that a status only ever moves forward.
//!
//! Webhooks arrive out of order and sync may read a page that is older than a webhook already
//! stored: a late `running` must never overwrite `success`. Statuses rank by how far along
//! the lifecycle they are; terminal statuses share the top rank, and among equal ranks the
//! record that finished later wins (a retried pipeline goes from `failed` to `success`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A pipeline's or job's status, as GitLab names it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Status {
    #[default]
    Created,
    WaitingForResource,
    WaitingForCallback,
    Preparing,
    Scheduled,
    Manual,
    Pending,
    Running,
    Canceling,
    Success,
    Failed,
    Canceled,
    Skipped,
    /// A status this build does not know (GitLab adds some over time), kept by its name. It
    /// ranks with `created`, so it can never block a known terminal status.
    Other(String),
}

/// The rank every finished status shares.
pub const TERMINAL: i64 = 9;

impl Status {
    /// Every status this build knows, in lifecycle order.
    pub const KNOWN: [Status; 13] = [
        Status::Created,
        Status::WaitingForResource,
        Status::WaitingForCallback,
        Status::Preparing,
        Status::Scheduled,
        Status::Manual,
        Status::Pending,
        Status::Running,
        Status::Canceling,
        Status::Success,
        Status::Failed,
        Status::Canceled,
        Status::Skipped,
    ];

    /// The status GitLab calls `name`.
    pub fn parse(name: &str) -> Status {
        Status::KNOWN
            .into_iter()
            .find(|s| s.as_str() == name)
            .unwrap_or_else(|| Status::Other(name.to_owned()))
    }

    /// GitLab's name, as stored and shown.
    pub fn as_str(&self) -> &str {
        match self {
            Status::Created => "created",
            Status::WaitingForResource => "waiting_for_resource",
            Status::WaitingForCallback => "waiting_for_callback",
            Status::Preparing => "preparing",
            Status::Scheduled => "scheduled",
            Status::Manual => "manual",
            Status::Pending => "pending",
            Status::Running => "running",
            Status::Canceling => "canceling",
            Status::Success => "success",
            Status::Failed => "failed",
            Status::Canceled => "canceled",
            Status::Skipped => "skipped",
            Status::Other(name) => name,
        }
    }

    /// How far along the lifecycle: higher is further.
    pub fn rank(&self) -> i64 {
        match self {
            Status::Created | Status::Other(_) => 0,
            Status::WaitingForResource | Status::WaitingForCallback => 1,
            Status::Preparing => 2,
            Status::Scheduled | Status::Manual => 3,
            Status::Pending => 4,
            Status::Running => 5,
            Status::Canceling => 6,
            Status::Success | Status::Failed | Status::Canceled | Status::Skipped => TERMINAL,
        }
    }

    /// Nothing more happens after it (until a retry makes a new job).
    pub fn is_terminal(&self) -> bool {
        self.rank() == TERMINAL
    }

    /// The job ran and ended, so its log may hold something worth reading.
    pub fn has_log(&self) -> bool {
        matches!(self, Status::Success | Status::Failed | Status::Canceled)
    }
}

impl From<&str> for Status {
    fn from(name: &str) -> Status {
        Status::parse(name)
    }
}

impl From<String> for Status {
    fn from(name: String) -> Status {
        Status::parse(&name)
    }
}

impl PartialEq<str> for Status {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Status {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Status, D::Error> {
        String::deserialize(d).map(Status::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_moves_forward() {
        let order = ["created", "pending", "running", "success"].map(Status::parse);
        for pair in order.windows(2) {
            assert!(pair[0].rank() < pair[1].rank(), "{pair:?}");
        }
        assert_eq!(Status::Failed.rank(), Status::Success.rank());
        assert_eq!(Status::Canceled.rank(), TERMINAL);
        assert!(Status::Manual.rank() < Status::Pending.rank());
    }

    #[test]
    fn names_round_trip() {
        for status in Status::KNOWN {
            assert_eq!(Status::parse(status.as_str()), status);
        }
        let json = serde_json::to_string(&Status::WaitingForResource).unwrap();
        assert_eq!(json, "\"waiting_for_resource\"");
        assert_eq!(
            serde_json::from_str::<Status>(&json).unwrap(),
            Status::WaitingForResource
        );
    }

    #[test]
    fn unknown_statuses_never_outrank_known_ones() {
        let future = Status::parse("some_future_status");
        assert_eq!(future, Status::Other("some_future_status".into()));
        assert_eq!(future.as_str(), "some_future_status");
        assert_eq!(future.rank(), 0);
        assert!(!future.is_terminal());
        assert!(
            Status::Failed.has_log() && !Status::Skipped.has_log() && !Status::Manual.has_log()
        );
    }
}
