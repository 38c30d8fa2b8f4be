//! The phase taxonomy: which part of a job a runner section belongs to.
//!
//! Mirrors the table in DESIGN.md ("Phase taxonomy"). `Queue` is part of the
//! enum so that the same type can label the API-derived queue time in the
//! database, but a log never produces it: queueing happens before the runner
//! writes anything.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Queue,
    Prepare,
    Sources,
    CacheRestore,
    ArtifactDownload,
    Script,
    CacheArchive,
    ArtifactUpload,
    Cleanup,
    Other,
}

impl Phase {
    /// Every phase in the order a job runs through them; reports list phases in this order.
    pub const ALL: [Phase; 10] = [
        Phase::Queue,
        Phase::Prepare,
        Phase::Sources,
        Phase::CacheRestore,
        Phase::ArtifactDownload,
        Phase::Script,
        Phase::CacheArchive,
        Phase::ArtifactUpload,
        Phase::Cleanup,
        Phase::Other,
    ];

    /// Classifies a section by the name the runner gave it.
    ///
    /// Any name the runner does not use (user sections, sections of future runners)
    /// is `Other`; the section keeps its name in the output so nothing is lost.
    pub fn of_section(name: &[u8]) -> Phase {
        match name {
            b"resolve_secrets" | b"prepare_executor" | b"prepare_script" => Phase::Prepare,
            b"get_sources" | b"clear_worktree" => Phase::Sources,
            b"restore_cache" => Phase::CacheRestore,
            b"download_artifacts" => Phase::ArtifactDownload,
            b"build_script" | b"after_script" => Phase::Script,
            b"archive_cache" | b"archive_cache_on_failure" => Phase::CacheArchive,
            b"upload_artifacts_on_success" | b"upload_artifacts_on_failure" => {
                Phase::ArtifactUpload
            }
            b"cleanup_file_variables" => Phase::Cleanup,
            // `step_script`, `step_release`, … : the runner names every user step `step_<name>`.
            _ if name.len() > 5 && name.starts_with(b"step_") => Phase::Script,
            _ => Phase::Other,
        }
    }

    /// The snake_case name, identical to the serialised form.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Queue => "queue",
            Phase::Prepare => "prepare",
            Phase::Sources => "sources",
            Phase::CacheRestore => "cache_restore",
            Phase::ArtifactDownload => "artifact_download",
            Phase::Script => "script",
            Phase::CacheArchive => "cache_archive",
            Phase::ArtifactUpload => "artifact_upload",
            Phase::Cleanup => "cleanup",
            Phase::Other => "other",
        }
    }

    /// Position in [`Phase::ALL`], used to index per-phase accumulators.
    pub fn ordinal(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::Phase;

    #[test]
    fn runner_sections_map_to_the_taxonomy() {
        let cases: &[(&str, Phase)] = &[
            ("resolve_secrets", Phase::Prepare),
            ("prepare_executor", Phase::Prepare),
            ("prepare_script", Phase::Prepare),
            ("get_sources", Phase::Sources),
            ("clear_worktree", Phase::Sources),
            ("restore_cache", Phase::CacheRestore),
            ("download_artifacts", Phase::ArtifactDownload),
            ("step_script", Phase::Script),
            ("step_release", Phase::Script),
            ("build_script", Phase::Script),
            ("after_script", Phase::Script),
            ("archive_cache", Phase::CacheArchive),
            ("archive_cache_on_failure", Phase::CacheArchive),
            ("upload_artifacts_on_success", Phase::ArtifactUpload),
            ("upload_artifacts_on_failure", Phase::ArtifactUpload),
            ("cleanup_file_variables", Phase::Cleanup),
            ("step_", Phase::Other),
            ("my_tests", Phase::Other),
            ("script_step_0", Phase::Other),
        ];
        for (name, phase) in cases {
            assert_eq!(Phase::of_section(name.as_bytes()), *phase, "{name}");
        }
    }

    #[test]
    fn ordinal_matches_position_in_all() {
        for (index, phase) in Phase::ALL.iter().enumerate() {
            assert_eq!(phase.ordinal(), index);
        }
    }

    #[test]
    fn serialises_snake_case() {
        let json = serde_json::to_string(&Phase::CacheRestore).unwrap_or_default();
        assert_eq!(json, "\"cache_restore\"");
        assert_eq!(Phase::ArtifactUpload.as_str(), "artifact_upload");
    }
}
