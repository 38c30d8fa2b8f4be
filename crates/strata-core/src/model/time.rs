//! How job time divides between phases over many jobs, and small summary numbers that go
//! with it.

use serde::{Deserialize, Serialize};

use super::phase::PhaseKind;

/// Milliseconds per phase, summed over the jobs whose logs were analysed, plus the queue
/// time of the same jobs. Phases add up to the jobs' run time (what the logs do not cover is
/// counted as `other`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseTimes {
    /// Jobs these times come from.
    pub jobs: i64,
    /// `(phase, milliseconds)` in [`PhaseKind::ALL`] order, zero phases included.
    pub ms: Vec<(PhaseKind, i64)>,
}

impl PhaseTimes {
    pub fn total_ms(&self) -> i64 {
        self.ms.iter().map(|(_, ms)| ms).sum()
    }

    pub fn get(&self, phase: PhaseKind) -> i64 {
        self.ms
            .iter()
            .find(|(p, _)| *p == phase)
            .map(|(_, ms)| *ms)
            .unwrap_or(0)
    }

    /// The share of all time (0..=1) spent in `phases`.
    pub fn share(&self, phases: &[PhaseKind]) -> Option<f64> {
        let total = self.total_ms();
        (total > 0).then(|| phases.iter().map(|p| self.get(*p)).sum::<i64>() as f64 / total as f64)
    }
}

/// The coarse groups the overview shows.
pub const OVERVIEW_GROUPS: [(&str, &[PhaseKind]); 6] = [
    ("Queue", &[PhaseKind::Queue]),
    ("Cache", &[PhaseKind::CacheRestore, PhaseKind::CacheArchive]),
    (
        "Artifacts",
        &[PhaseKind::ArtifactDownload, PhaseKind::ArtifactUpload],
    ),
    ("Docker build", &[PhaseKind::DockerBuild]),
    ("Script", &[PhaseKind::Script]),
    (
        "Other",
        &[
            PhaseKind::Prepare,
            PhaseKind::Sources,
            PhaseKind::Cleanup,
            PhaseKind::Other,
        ],
    ),
];

/// A ratio with the counts behind it, so pages can say "83 % (50 of 60)".
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Ratio {
    pub part: i64,
    pub whole: i64,
}

impl Ratio {
    pub fn value(self) -> Option<f64> {
        (self.whole > 0).then(|| self.part as f64 / self.whole as f64)
    }
}

/// Median and 95th percentile of a set of durations (milliseconds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub count: i64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
}
