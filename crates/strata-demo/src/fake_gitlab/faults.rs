//! What can go wrong, on purpose: per-endpoint fault rules with deterministic schedules (by
//! request number, or a seeded coin per request number), and the request log tests read to
//! see what a client did.

use std::{collections::HashMap, time::Duration};

use crate::scenario::noise::mix;

/// The endpoints the fake serves, for counting requests and aiming faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `GET /projects` and `GET /projects/:id`.
    Project,
    /// `GET /projects/:id/pipelines`.
    Pipelines,
    /// `GET /projects/:id/pipelines/:pipeline_id`.
    Pipeline,
    /// `GET /projects/:id/pipelines/:pipeline_id/jobs`.
    PipelineJobs,
    /// `GET /projects/:id/jobs/:job_id/trace`.
    JobTrace,
    /// Anything else (answered 404).
    Other,
}

impl Endpoint {
    /// Classifies a request path (`/api/v4/...`, percent-encoding intact).
    pub fn of_path(path: &str) -> Endpoint {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        match segments.as_slice() {
            ["api", "v4", "projects"] | ["api", "v4", "projects", _] => Endpoint::Project,
            ["api", "v4", "projects", _, "pipelines"] => Endpoint::Pipelines,
            ["api", "v4", "projects", _, "pipelines", _] => Endpoint::Pipeline,
            ["api", "v4", "projects", _, "pipelines", _, "jobs"] => Endpoint::PipelineJobs,
            ["api", "v4", "projects", _, "jobs", _, "trace"] => Endpoint::JobTrace,
            _ => Endpoint::Other,
        }
    }
}

/// Which requests a rule applies to, counted per endpoint (1 = the first request to it since
/// the rules were set).
#[derive(Clone, Debug, PartialEq)]
pub enum Schedule {
    Always,
    /// These request numbers.
    Requests(Vec<u64>),
    /// Request numbers `first..=last`: a burst.
    Range {
        first: u64,
        last: u64,
    },
    /// Every `n`-th request.
    Every(u64),
    /// Each request with probability `probability`, decided by hashing `seed` with the request
    /// number: the same seed picks the same request numbers in every run.
    Seeded {
        seed: u64,
        probability: f64,
    },
}

impl Schedule {
    fn fires(&self, n: u64) -> bool {
        match self {
            Schedule::Always => true,
            Schedule::Requests(list) => list.contains(&n),
            Schedule::Range { first, last } => (*first..=*last).contains(&n),
            Schedule::Every(k) => *k > 0 && n.is_multiple_of(*k),
            Schedule::Seeded { seed, probability } => {
                let unit = (mix(*seed, &[n]) >> 11) as f64 / (1u64 << 53) as f64;
                unit < *probability
            }
        }
    }
}

/// How much of a body a truncation keeps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Keep {
    Bytes(usize),
    /// A fraction of the body, `0.0..=1.0`.
    Fraction(f64),
}

impl Keep {
    pub fn of(self, len: usize) -> usize {
        match self {
            Keep::Bytes(n) => n.min(len),
            Keep::Fraction(f) => ((len as f64 * f.clamp(0.0, 1.0)) as usize).min(len),
        }
    }
}

/// One kind of failure.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// `429 Too Many Requests`, with `Retry-After: <seconds>` or without the header.
    TooManyRequests { retry_after: Option<u64> },
    /// A 5xx answer (500, 502, 503, …).
    ServerError(u16),
    /// Answer normally, but only after this long.
    Delay(Duration),
    /// Close the connection without sending a response.
    DropConnection,
    /// Send only part of the body. `abort: true` announces the full length and then breaks
    /// the connection (the client sees an error); `abort: false` sends a shorter, complete
    /// response (the client sees a cut-off body, like a log still being written).
    Truncate { keep: Keep, abort: bool },
}

/// A fault, where it applies, and when.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultRule {
    /// `None` applies to every endpoint (and counts all requests together).
    pub endpoint: Option<Endpoint>,
    pub schedule: Schedule,
    pub fault: Fault,
}

impl FaultRule {
    pub fn new(endpoint: Endpoint, schedule: Schedule, fault: Fault) -> FaultRule {
        FaultRule {
            endpoint: Some(endpoint),
            schedule,
            fault,
        }
    }
}

/// The rules in force and how many requests each endpoint has had since they were set.
#[derive(Debug, Default)]
pub struct FaultPlan {
    rules: Vec<FaultRule>,
    counts: HashMap<Endpoint, u64>,
    total: u64,
}

impl FaultPlan {
    pub fn new(rules: Vec<FaultRule>) -> FaultPlan {
        FaultPlan {
            rules,
            ..FaultPlan::default()
        }
    }

    /// Counts the request and returns the first rule's fault that fires for it.
    pub fn next(&mut self, endpoint: Endpoint) -> Option<Fault> {
        self.total += 1;
        let count = self.counts.entry(endpoint).or_default();
        *count += 1;
        let (n, total) = (*count, self.total);
        self.rules
            .iter()
            .find(|rule| match rule.endpoint {
                Some(e) => e == endpoint && rule.schedule.fires(n),
                None => rule.schedule.fires(total),
            })
            .map(|rule| rule.fault.clone())
    }
}

/// One request as the fake saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestRecord {
    /// 1 for the first request the fake received.
    pub seq: u64,
    pub method: String,
    /// The raw path (percent-encoding intact) and query.
    pub path: String,
    pub query: Option<String>,
    pub endpoint: Endpoint,
    /// The status sent, `None` when the connection was dropped without one.
    pub status: Option<u16>,
    /// The injected fault, if any.
    pub fault: Option<Fault>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_endpoints() {
        assert_eq!(
            Endpoint::of_path("/api/v4/projects/demo%2Fartifacts"),
            Endpoint::Project
        );
        assert_eq!(
            Endpoint::of_path("/api/v4/projects/102/pipelines"),
            Endpoint::Pipelines
        );
        assert_eq!(
            Endpoint::of_path("/api/v4/projects/102/pipelines/9"),
            Endpoint::Pipeline
        );
        assert_eq!(
            Endpoint::of_path("/api/v4/projects/102/pipelines/9/jobs"),
            Endpoint::PipelineJobs
        );
        assert_eq!(
            Endpoint::of_path("/api/v4/projects/102/jobs/7/trace"),
            Endpoint::JobTrace
        );
        assert_eq!(Endpoint::of_path("/api/v4/version"), Endpoint::Other);
    }

    #[test]
    fn rules_fire_on_their_request_numbers_per_endpoint() {
        let mut plan = FaultPlan::new(vec![
            FaultRule::new(
                Endpoint::Pipelines,
                Schedule::Range { first: 2, last: 3 },
                Fault::ServerError(503),
            ),
            FaultRule::new(
                Endpoint::JobTrace,
                Schedule::Every(2),
                Fault::DropConnection,
            ),
        ]);
        let fired: Vec<bool> = (0..4)
            .map(|_| plan.next(Endpoint::Pipelines).is_some())
            .collect();
        assert_eq!(fired, [false, true, true, false]);
        assert_eq!(plan.next(Endpoint::JobTrace), None);
        assert_eq!(plan.next(Endpoint::JobTrace), Some(Fault::DropConnection));
    }

    #[test]
    fn seeded_schedules_repeat_and_hit_about_their_probability() {
        let seeded = Schedule::Seeded {
            seed: 11,
            probability: 0.2,
        };
        let a: Vec<u64> = (1..=1000).filter(|&n| seeded.fires(n)).collect();
        let b: Vec<u64> = (1..=1000).filter(|&n| seeded.fires(n)).collect();
        assert_eq!(a, b);
        assert!((150..=250).contains(&a.len()), "{} of 1000", a.len());
    }
}
