//! Types shared by the server and the browser: what server functions return and what pages
//! filter by. Plain data, serialisable, no behaviour that needs a database.

pub mod detail;
pub mod filters;
pub mod impact;
pub mod overview;
pub mod phase;
pub mod phase_durations;
pub mod project;
pub mod status;
pub mod time;
pub mod web_link;

use std::fmt;

use serde::{Deserialize, Serialize};

/// A reporting window ending now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Period {
    Days7,
    #[default]
    Days30,
    Days90,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Days7, Period::Days30, Period::Days90];

    pub fn days(self) -> i64 {
        match self {
            Period::Days7 => 7,
            Period::Days30 => 30,
            Period::Days90 => 90,
        }
    }

    /// The value used in URLs (`?period=7d`).
    pub fn as_param(self) -> &'static str {
        match self {
            Period::Days7 => "7d",
            Period::Days30 => "30d",
            Period::Days90 => "90d",
        }
    }

    pub fn from_param(value: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.as_param() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Period::Days7 => "Last 7 days",
            Period::Days30 => "Last 30 days",
            Period::Days90 => "Last 90 days",
        }
    }

    pub fn short_label(self) -> &'static str {
        match self {
            Period::Days7 => "7 days",
            Period::Days30 => "30 days",
            Period::Days90 => "90 days",
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_param())
    }
}

/// How this instance gets its data, so pages can say what is missing. Never holds a secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupStatus {
    /// `GITLAB_URL` as configured (no token), if any.
    pub gitlab_url: Option<String>,
    /// Whether a GitLab token is set, so job logs can be fetched.
    pub gitlab_token: bool,
    /// Whether `STRATA_WEBHOOK_SECRET` is set, so webhooks are accepted.
    pub webhook_secret: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_round_trips_through_its_url_value() {
        for period in Period::ALL {
            assert_eq!(Period::from_param(period.as_param()), Some(period));
        }
        assert_eq!(Period::from_param("1y"), None);
        assert_eq!(Period::default(), Period::Days30);
    }
}
