//! The ten phases a job's run time splits into, as one value: what `job_metrics`, `job_daily`
//! and `project_job_daily` store in their `*_ms` columns and every row read from them carries.
//! Queue time is not among them: it comes from GitLab's API, not from the log.

use serde::{Deserialize, Serialize};

use super::phase::PhaseKind;

/// Milliseconds per phase of one job, or summed over many.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct PhaseDurations {
    pub prepare_ms: i64,
    pub sources_ms: i64,
    pub cache_restore_ms: i64,
    pub artifact_download_ms: i64,
    /// Script time without the Docker builds inside it.
    pub script_ms: i64,
    pub docker_build_ms: i64,
    pub cache_archive_ms: i64,
    pub artifact_upload_ms: i64,
    pub cleanup_ms: i64,
    pub other_ms: i64,
}

impl PhaseDurations {
    /// The phases it holds, in column order: every [`PhaseKind`] after `Queue`.
    pub const PHASES: [PhaseKind; 10] = {
        let mut phases = [PhaseKind::Other; 10];
        let mut i = 0;
        while i < phases.len() {
            phases[i] = PhaseKind::ALL[i + 1];
            i += 1;
        }
        phases
    };

    /// The column names, in [`Self::PHASES`] order.
    pub const COLUMNS: [&'static str; 10] = [
        "prepare_ms",
        "sources_ms",
        "cache_restore_ms",
        "artifact_download_ms",
        "script_ms",
        "docker_build_ms",
        "cache_archive_ms",
        "artifact_upload_ms",
        "cleanup_ms",
        "other_ms",
    ];

    /// Each phase's value from `ms`, called in [`Self::PHASES`] order (e.g. reading columns
    /// by index).
    pub fn try_from_fn<E>(mut ms: impl FnMut(PhaseKind) -> Result<i64, E>) -> Result<Self, E> {
        Ok(PhaseDurations {
            prepare_ms: ms(PhaseKind::Prepare)?,
            sources_ms: ms(PhaseKind::Sources)?,
            cache_restore_ms: ms(PhaseKind::CacheRestore)?,
            artifact_download_ms: ms(PhaseKind::ArtifactDownload)?,
            script_ms: ms(PhaseKind::Script)?,
            docker_build_ms: ms(PhaseKind::DockerBuild)?,
            cache_archive_ms: ms(PhaseKind::CacheArchive)?,
            artifact_upload_ms: ms(PhaseKind::ArtifactUpload)?,
            cleanup_ms: ms(PhaseKind::Cleanup)?,
            other_ms: ms(PhaseKind::Other)?,
        })
    }

    /// Each phase's value from `ms`, called in [`Self::PHASES`] order.
    pub fn from_fn(mut ms: impl FnMut(PhaseKind) -> i64) -> Self {
        Self::try_from_fn(|p| Ok::<_, std::convert::Infallible>(ms(p)))
            .unwrap_or_else(|never| match never {})
    }

    /// The phase's milliseconds; `None` for `Queue`, which is not a log phase.
    pub fn get(&self, phase: PhaseKind) -> Option<i64> {
        Some(match phase {
            PhaseKind::Queue => return None,
            PhaseKind::Prepare => self.prepare_ms,
            PhaseKind::Sources => self.sources_ms,
            PhaseKind::CacheRestore => self.cache_restore_ms,
            PhaseKind::ArtifactDownload => self.artifact_download_ms,
            PhaseKind::Script => self.script_ms,
            PhaseKind::DockerBuild => self.docker_build_ms,
            PhaseKind::CacheArchive => self.cache_archive_ms,
            PhaseKind::ArtifactUpload => self.artifact_upload_ms,
            PhaseKind::Cleanup => self.cleanup_ms,
            PhaseKind::Other => self.other_ms,
        })
    }

    /// The values in [`Self::PHASES`] order.
    pub fn values(&self) -> [i64; 10] {
        Self::PHASES.map(|p| self.get(p).unwrap_or(0))
    }

    /// All phases together (saturating: a corrupt value cannot wrap the sum).
    pub fn total(&self) -> i64 {
        self.values().into_iter().fold(0, i64::saturating_add)
    }

    /// Add `other` phase by phase (saturating).
    pub fn add(&mut self, other: &PhaseDurations) {
        *self = PhaseDurations::from_fn(|p| {
            self.get(p)
                .unwrap_or(0)
                .saturating_add(other.get(p).unwrap_or(0))
        });
    }
}

/// `a`, `b` and `c` one after the other; their lengths must add up to `N` (checked when
/// compiling). `fill` only initialises the array. For column lists and rows with the phases
/// ([`PhaseDurations::COLUMNS`], [`PhaseDurations::values`]) in the middle.
pub const fn concat<T: Copy, const A: usize, const B: usize, const C: usize, const N: usize>(
    fill: T,
    a: [T; A],
    b: [T; B],
    c: [T; C],
) -> [T; N] {
    const { assert!(A + B + C == N, "the parts do not add up to the whole") };
    let mut out = [fill; N];
    let mut i = 0;
    while i < N {
        out[i] = if i < A {
            a[i]
        } else if i < A + B {
            b[i - A]
        } else {
            c[i - A - B]
        };
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_and_columns_agree_and_every_phase_has_its_own_value() {
        for (phase, column) in PhaseDurations::PHASES.iter().zip(PhaseDurations::COLUMNS) {
            assert_eq!(format!("{}_ms", phase.key()), column);
        }
        let d = PhaseDurations::from_fn(|p| {
            PhaseDurations::PHASES.iter().position(|q| *q == p).unwrap() as i64 + 1
        });
        assert_eq!(d.values(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(d.get(PhaseKind::Queue), None);
        assert!(!PhaseDurations::PHASES.contains(&PhaseKind::Queue));
        assert_eq!(d.total(), 55);
    }

    #[test]
    fn adding_saturates() {
        let mut a = PhaseDurations {
            script_ms: i64::MAX - 1,
            ..Default::default()
        };
        a.add(&PhaseDurations {
            script_ms: 5,
            cleanup_ms: 2,
            ..Default::default()
        });
        assert_eq!(a.script_ms, i64::MAX);
        assert_eq!(a.cleanup_ms, 2);
        assert_eq!(a.total(), i64::MAX);
    }
}
