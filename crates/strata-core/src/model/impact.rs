//! What the Impact section, the Compare page and the findings show: what cache, artifacts
//! and Docker layer caching cost or save, with the numbers behind each claim. Shared by the
//! server (which computes it, `crate::read::impact`) and the browser (which renders it).

use serde::{Deserialize, Serialize};

use super::phase::PhaseKind;

/// A statistic with its 95 % bootstrap confidence interval (milliseconds unless stated).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Interval {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// Up to this many job ids are kept as examples behind a number.
pub const EXAMPLE_JOBS: usize = 5;

/// The project's (or job name's) impact over a window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ImpactReport {
    /// Length of the window in weeks: "per week" figures divide by it.
    pub weeks: f64,
    pub jobs: u64,
    /// Jobs with an analysed log (phases, cache, artifacts and Docker come from these).
    pub analysed_jobs: u64,
    pub phases: Vec<PhaseTime>,
    pub caches: Vec<CacheImpact>,
    pub artifacts: ArtifactImpact,
    pub layers: Vec<LayerImpact>,
    pub findings: Vec<ImpactFinding>,
}

/// Time accounting for one phase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PhaseTime {
    pub phase: PhaseKind,
    pub total_ms: f64,
    pub hours_per_week: f64,
    /// Median over the jobs that spent any time in the phase.
    pub median_ms: Option<f64>,
    pub jobs: u64,
    /// Of all job time, queue included.
    pub share: f64,
}

/// One normalised cache key (`dist-{sha}-{protection}`), as restored and archived.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CacheImpact {
    pub pattern: String,
    /// Distinct raw keys behind the pattern, and pipelines that used it.
    pub distinct_keys: u64,
    pub pipelines: u64,
    pub restores: u64,
    pub hits: u64,
    pub misses: u64,
    pub hit_rate: Option<f64>,
    pub archives: u64,
    pub restore_ms: f64,
    pub archive_ms: f64,
    /// Restore plus archive time per week.
    pub cost_per_week_ms: f64,
    pub writers: Vec<String>,
    pub readers: Vec<String>,
    /// Per reading job name: what a hit saves.
    pub jobs: Vec<CacheJobEffect>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CacheJobEffect {
    pub job: String,
    pub hits: u64,
    pub misses: u64,
    pub hit_median_ms: Option<f64>,
    pub miss_median_ms: Option<f64>,
    /// Median job duration on a miss minus on a hit.
    pub miss_penalty: Option<Interval>,
    /// `miss_penalty × hits`, per week.
    pub saved_per_week_ms: Option<f64>,
    pub hit_examples: Vec<i64>,
    pub miss_examples: Vec<i64>,
}

/// Artifact transfer over the window.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ArtifactImpact {
    pub uploads: u64,
    pub downloads: u64,
    pub bytes: f64,
    pub time_ms: f64,
    /// Bytes over time, overheads included.
    pub effective_mb_per_s: Option<f64>,
    /// The transfer rate once the fixed overhead per transfer is taken out: the slope of
    /// time against size (least squares over every transfer).
    pub rate_mb_per_s: Option<f64>,
    pub overhead_ms: Option<f64>,
    /// Of all job time (queue excluded).
    pub share_of_job_time: f64,
    /// Uploaded archive size per day (least squares), and first-to-last-day growth.
    pub growth_bytes_per_day: Option<f64>,
    pub growth_ratio: Option<f64>,
    pub producers: Vec<ArtifactProducer>,
}

/// The artifacts one job name uploads, and everything that downloads them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ArtifactProducer {
    pub job: String,
    pub uploads: u64,
    pub downloads: u64,
    pub median_bytes: f64,
    pub transfer_ms: f64,
    pub transfer_per_week_ms: f64,
    /// The largest other transfer of the jobs involved: sources or cache.
    pub other_overhead_ms: f64,
    pub consumers: Vec<String>,
    pub examples: Vec<i64>,
}

/// Docker layer caching for one job name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LayerImpact {
    pub job: String,
    pub builds: u64,
    pub steps: u64,
    pub cached_steps: u64,
    pub cached_share: f64,
    pub warm_builds: u64,
    pub cold_builds: u64,
    pub warm_median_ms: Option<Interval>,
    pub cold_median_ms: Option<Interval>,
    /// What a cold build costs over a warm one: observed (cold minus warm medians) when both
    /// kinds exist, else estimated from the steps a layer cache could serve.
    pub cold_cost: Option<Interval>,
    pub cold_cost_observed: bool,
    /// Time a fully warm cache would save per week.
    pub warm_saving_per_week_ms: f64,
    pub missing_steps: Vec<StepMiss>,
    pub cold_examples: Vec<i64>,
    pub warm_examples: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct StepMiss {
    pub instruction: String,
    pub runs: u64,
    pub misses: u64,
    pub median_ms: Option<f64>,
}

/// What should change (or what works), with its evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ImpactFinding {
    pub kind: FindingKind,
    pub title: String,
    pub detail: String,
    pub time_per_week_ms: f64,
    /// Jobs that show it (`/jobs/:id`).
    pub examples: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FindingKind {
    CacheUsedAsTransport {
        pattern: String,
        writer_job: String,
        reader_job: String,
    },
    CacheKeyCollision {
        key: String,
        jobs: Vec<String>,
    },
    ArtifactsDominateTransfer {
        producer_job: String,
    },
    DockerLayerCacheEffective {
        job: String,
    },
    DockerLayerCacheNeverHit {
        job: String,
    },
    QueueDominatesRunTime {
        tags: Vec<String>,
    },
}

impl FindingKind {
    /// The kind's name, as serialised in JSON and written in CSV.
    pub fn slug(&self) -> &'static str {
        match self {
            FindingKind::CacheUsedAsTransport { .. } => "cache_used_as_transport",
            FindingKind::CacheKeyCollision { .. } => "cache_key_collision",
            FindingKind::ArtifactsDominateTransfer { .. } => "artifacts_dominate_transfer",
            FindingKind::DockerLayerCacheEffective { .. } => "docker_layer_cache_effective",
            FindingKind::DockerLayerCacheNeverHit { .. } => "docker_layer_cache_never_hit",
            FindingKind::QueueDominatesRunTime { .. } => "queue_dominates_run_time",
        }
    }
}

/// A finding with the project it belongs to (the overview lists them across projects).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ProjectFinding {
    pub project_id: i64,
    pub project: String,
    pub finding: ImpactFinding,
}

/// The Compare page: two samples side by side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Comparison {
    pub a_label: String,
    pub b_label: String,
    pub rows: Vec<ComparisonRow>,
    /// Days where a job's phase mix changed, offered as boundaries.
    pub boundaries: Vec<MixChange>,
}

/// Pipeline durations (`phase: None`) or one phase of job time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ComparisonRow {
    pub label: String,
    pub a_count: u64,
    pub b_count: u64,
    pub a_median: Option<Interval>,
    pub b_median: Option<Interval>,
    /// Median of b minus median of a.
    pub difference: Option<Interval>,
    pub p_value: Option<f64>,
    pub significant: bool,
}

/// A day a job's phase mix changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MixChange {
    pub job: String,
    /// Days since 1970-01-01: the first day of the new mix.
    pub day: i64,
    /// Half the L1 distance between the mean phase shares before and after (0 to 1).
    pub shift: f64,
    /// The phase that gained most and the one that lost most.
    pub gained: PhaseKind,
    pub lost: PhaseKind,
}

/// One side of a comparison: `YYYY-MM-DD..YYYY-MM-DD` (a period) or a branch name (within
/// the page's window).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum Side {
    Period { from: i64, to: i64 },
    Branch(String),
}

impl Side {
    pub fn parse(param: &str, text: &str) -> Result<Side, super::filters::FilterError> {
        let text = text.trim();
        let invalid = |reason: &str| super::filters::FilterError {
            param: param.to_owned(),
            reason: reason.to_owned(),
        };
        if text.is_empty() {
            return Err(invalid(
                "give a period (2026-10-01..2026-10-15) or a branch name",
            ));
        }
        super::filters::check_text(param, text)?;
        if let Some((from, to)) = text.split_once("..") {
            let day = |t: &str| super::filters::parse_day(t.trim());
            return match (day(from), day(to)) {
                (Some(from), Some(to)) if from > to => {
                    Err(invalid("the period ends before it starts"))
                }
                (Some(from), Some(to)) => super::filters::check_days(from, to)
                    .map(|()| Side::Period { from, to })
                    .map_err(|e| invalid(&e.reason)),
                _ => Err(invalid("use two dates like 2026-10-01..2026-10-15")),
            };
        }
        Ok(Side::Branch(text.to_owned()))
    }

    pub fn label(&self) -> String {
        match self {
            Side::Period { from, to } => format!(
                "{} to {}",
                super::filters::format_day(*from),
                super::filters::format_day(*to)
            ),
            Side::Branch(name) => format!("branch {name}"),
        }
    }

    /// The URL form [`Side::parse`] reads.
    pub fn param(&self) -> String {
        match self {
            Side::Period { from, to } => format!(
                "{}..{}",
                super::filters::format_day(*from),
                super::filters::format_day(*to)
            ),
            Side::Branch(name) => name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_slugs_are_the_serialised_kind() {
        let kinds = [
            FindingKind::CacheUsedAsTransport {
                pattern: "p".into(),
                writer_job: "w".into(),
                reader_job: "r".into(),
            },
            FindingKind::CacheKeyCollision {
                key: "k".into(),
                jobs: vec![],
            },
            FindingKind::ArtifactsDominateTransfer {
                producer_job: "b".into(),
            },
            FindingKind::DockerLayerCacheEffective { job: "d".into() },
            FindingKind::DockerLayerCacheNeverHit { job: "d".into() },
            FindingKind::QueueDominatesRunTime { tags: vec![] },
        ];
        for kind in kinds {
            let json = serde_json::to_value(&kind).unwrap();
            assert_eq!(json["kind"], kind.slug());
        }
    }

    #[test]
    fn sides_are_periods_or_branches_and_bad_ones_name_their_parameter() {
        let p = Side::parse("a", "2026-10-01..2026-10-15").unwrap();
        assert_eq!(p.param(), "2026-10-01..2026-10-15");
        assert_eq!(
            Side::parse("b", "feature/x").unwrap(),
            Side::Branch("feature/x".into())
        );
        assert_eq!(
            Side::parse("b", "2026-10-15..2026-10-01")
                .unwrap_err()
                .param,
            "b"
        );
        assert!(Side::parse("a", "2026-10-01..soon").is_err());
        assert!(Side::parse("a", " ").is_err());
        assert!(Side::parse("a", "0001-01-01..0001-01-02").is_err());
        assert!(
            Side::parse("a", "2000-01-01..2026-01-01").is_err(),
            "over 10 years"
        );
        assert!(Side::parse("b", "main\0").is_err());
    }
}
