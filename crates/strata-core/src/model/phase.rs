//! The phases a job's time splits into, as pages and charts show them: one name, one colour
//! each, everywhere (charts, bars, legends, tables, CSV).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PhaseKind {
    Queue,
    Prepare,
    Sources,
    CacheRestore,
    ArtifactDownload,
    Script,
    DockerBuild,
    CacheArchive,
    ArtifactUpload,
    Cleanup,
    Other,
}

impl PhaseKind {
    /// In the order a job runs through them.
    pub const ALL: [PhaseKind; 11] = [
        PhaseKind::Queue,
        PhaseKind::Prepare,
        PhaseKind::Sources,
        PhaseKind::CacheRestore,
        PhaseKind::ArtifactDownload,
        PhaseKind::Script,
        PhaseKind::DockerBuild,
        PhaseKind::CacheArchive,
        PhaseKind::ArtifactUpload,
        PhaseKind::Cleanup,
        PhaseKind::Other,
    ];

    /// The name stored in the database and used in CSV and URLs.
    pub fn key(self) -> &'static str {
        match self {
            PhaseKind::Queue => "queue",
            PhaseKind::Prepare => "prepare",
            PhaseKind::Sources => "sources",
            PhaseKind::CacheRestore => "cache_restore",
            PhaseKind::ArtifactDownload => "artifact_download",
            PhaseKind::Script => "script",
            PhaseKind::DockerBuild => "docker_build",
            PhaseKind::CacheArchive => "cache_archive",
            PhaseKind::ArtifactUpload => "artifact_upload",
            PhaseKind::Cleanup => "cleanup",
            PhaseKind::Other => "other",
        }
    }

    pub fn from_key(key: &str) -> Option<PhaseKind> {
        PhaseKind::ALL.into_iter().find(|p| p.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            PhaseKind::Queue => "Queue",
            PhaseKind::Prepare => "Prepare",
            PhaseKind::Sources => "Sources",
            PhaseKind::CacheRestore => "Cache restore",
            PhaseKind::ArtifactDownload => "Artifact download",
            PhaseKind::Script => "Script",
            PhaseKind::DockerBuild => "Docker build",
            PhaseKind::CacheArchive => "Cache archive",
            PhaseKind::ArtifactUpload => "Artifact upload",
            PhaseKind::Cleanup => "Cleanup",
            PhaseKind::Other => "Other",
        }
    }

    /// The phase's colour as `#rrggbb`; `style/main.css` defines the same as `--phase-<key>`.
    pub fn color(self) -> &'static str {
        match self {
            PhaseKind::Queue => "#868e96",
            PhaseKind::Prepare => "#adb5bd",
            PhaseKind::Sources => "#74c0fc",
            PhaseKind::CacheRestore => "#f59f00",
            PhaseKind::ArtifactDownload => "#9775fa",
            PhaseKind::Script => "#40c057",
            PhaseKind::DockerBuild => "#1c7ed6",
            PhaseKind::CacheArchive => "#e8590c",
            PhaseKind::ArtifactUpload => "#7048e8",
            PhaseKind::Cleanup => "#ced4da",
            PhaseKind::Other => "#e599f7",
        }
    }

    /// The colour as RGB bytes, for the chart renderer.
    pub fn rgb(self) -> (u8, u8, u8) {
        let hex = &self.color()[1..];
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
        (byte(0), byte(2), byte(4))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_colours_are_distinct() {
        let mut colours = std::collections::HashSet::new();
        for phase in PhaseKind::ALL {
            assert_eq!(PhaseKind::from_key(phase.key()), Some(phase));
            assert!(colours.insert(phase.color()), "{phase:?} shares a colour");
        }
        assert_eq!(PhaseKind::Script.rgb(), (0x40, 0xc0, 0x57));
    }
}
