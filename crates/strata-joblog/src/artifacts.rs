//! Artifact transfers from the runner's messages in `download_artifacts` and
//! `upload_artifacts_on_*` (gitlab-runner shells/abstract.go, network/gitlab.go):
//!
//! * `Downloading artifacts for <job name> (<job id>)...` starts a download;
//!   `Downloading artifacts from coordinator... ok  id=… responseStatus=200 OK token=…`
//!   (older runners: `status=200`) concludes it; any word but `ok` is a failure.
//! * `Uploading artifacts...` starts an upload; `<path>: found N matching … files and
//!   directories` adds to its file count; `ERROR: No files to upload` is `no_files`;
//!   `Uploading artifacts as "archive" to coordinator... 201 Created  id=…` (older:
//!   `... ok  id=… status=201`) concludes it.
//! * The transfer meter (`Uploading artifacts 12.3 MB (…)`) gives the size.
//!
//! Tokens are never kept: only the `id`, `status` and `responseStatus` fields are read.

use super::limits::MAX_ARTIFACT_OPS;
use super::model::{ArtifactDirection, ArtifactOp, ArtifactOutcome};
use super::op_timing::{SectionShare, share_section_time};
use super::runner_line::{RunnerLine, meter_bytes};
use super::sections::ClosedTopLevel;
use super::text::{field_value, find, leading_number, owned_text, trim, trim_ellipsis};

pub use super::cache::OpContext;

struct TrackedArtifactOp {
    op: ArtifactOp,
    section: Option<u32>,
    started_at: Option<i64>,
}

impl SectionShare for TrackedArtifactOp {
    fn section_id(&self) -> Option<u32> {
        self.section
    }
    fn started_at(&self) -> Option<i64> {
        self.started_at
    }
    fn set_duration(&mut self, duration_ms: i64) {
        self.op.duration_ms = Some(duration_ms);
    }
}

#[derive(Default)]
pub struct ArtifactTracker {
    ops: Vec<TrackedArtifactOp>,
    current: Option<usize>,
    current_section: Option<u32>,
    /// Set while an operation (stored or dropped) is receiving result lines.
    has_current: bool,
    dropped: u64,
}

impl ArtifactTracker {
    pub fn on_line(&mut self, line: RunnerLine<'_>, context: OpContext) {
        let text = line.text;
        if context.section != self.current_section {
            self.has_current = false;
            self.current = None;
        }
        if let Some(rest) = text.strip_prefix(b"Downloading artifacts for ") {
            let (name, id) = job_name_and_id(trim_ellipsis(rest));
            if let Some(op) = self.begin(ArtifactDirection::Download, context) {
                op.source_job_name = Some(owned_text(name));
                op.source_job_id = id;
            }
        } else if let Some(rest) = text.strip_prefix(b"Downloading artifacts from coordinator...") {
            let op = self.current_or_begin(ArtifactDirection::Download, context);
            if let Some(op) = op {
                conclude(op, rest);
                if op.source_job_id.is_none() {
                    op.source_job_id = field_value(rest, b"id")
                        .and_then(|id| leading_number(id))
                        .map(|(id, _)| id);
                }
            }
        } else if text == b"Uploading artifacts..." {
            self.begin(ArtifactDirection::Upload, context);
        } else if let Some(rest) = text.strip_prefix(b"Uploading artifacts as \"") {
            let format_end = rest.iter().position(|b| *b == b'"').unwrap_or(rest.len());
            let after_format = rest.get(format_end..).unwrap_or_default();
            if let Some(status) =
                find(after_format, b"coordinator...").and_then(|at| after_format.get(at + 14..))
                && let Some(op) = self.current_or_begin(ArtifactDirection::Upload, context)
            {
                op.artifact_format = Some(owned_text(rest.get(..format_end).unwrap_or_default()));
                conclude(op, status);
            }
        } else if let Some(status) = text.strip_prefix(b"Uploading artifacts to coordinator...") {
            if let Some(op) = self.current_or_begin(ArtifactDirection::Upload, context) {
                conclude(op, status);
            }
        } else if let Some(count) = matching_files(text) {
            if let Some(op) = self.current_of(ArtifactDirection::Upload) {
                op.file_count = Some(op.file_count.unwrap_or(0).saturating_add(count));
            }
        } else if text.starts_with(b"No files to upload") {
            if let Some(op) = self.current_of(ArtifactDirection::Upload) {
                op.outcome = Some(ArtifactOutcome::NoFiles);
            }
        } else if let Some(bytes) = meter_bytes(text, b"Uploading artifacts") {
            if let Some(op) = self.current_of(ArtifactDirection::Upload) {
                op.size_bytes = Some(bytes);
            }
        } else if let Some(bytes) = meter_bytes(text, b"Downloading artifacts")
            && let Some(op) = self.current_of(ArtifactDirection::Download)
        {
            op.size_bytes = Some(bytes);
        }
    }

    fn current_of(&mut self, direction: ArtifactDirection) -> Option<&mut ArtifactOp> {
        if !self.has_current {
            return None;
        }
        let op = &mut self.ops.get_mut(self.current?)?.op;
        (op.direction == direction).then_some(op)
    }

    /// The operation a result line belongs to. A retried transfer prints its verdict
    /// again, and the last one wins; a verdict with no opening line gets an operation
    /// of its own.
    fn current_or_begin(
        &mut self,
        direction: ArtifactDirection,
        context: OpContext,
    ) -> Option<&mut ArtifactOp> {
        let continues = self.has_current
            && self
                .current
                .and_then(|index| self.ops.get(index))
                .is_none_or(|tracked| tracked.op.direction == direction);
        if !continues {
            return self.begin(direction, context);
        }
        self.current_of(direction)
    }

    fn begin(
        &mut self,
        direction: ArtifactDirection,
        context: OpContext,
    ) -> Option<&mut ArtifactOp> {
        self.has_current = true;
        self.current_section = context.section;
        if self.ops.len() >= MAX_ARTIFACT_OPS {
            self.dropped = self.dropped.saturating_add(1);
            self.current = None;
            return None;
        }
        self.current = Some(self.ops.len());
        self.ops.push(TrackedArtifactOp {
            op: ArtifactOp {
                direction,
                source_job_id: None,
                source_job_name: None,
                artifact_format: None,
                file_count: None,
                size_bytes: None,
                http_status: None,
                outcome: None,
                duration_ms: None,
                line: context.line,
            },
            section: context.section,
            started_at: context.instant,
        });
        self.ops.last_mut().map(|tracked| &mut tracked.op)
    }

    pub fn section_closed(&mut self, closed: ClosedTopLevel) {
        share_section_time(&mut self.ops, closed);
        if self.current_section == Some(closed.id) {
            self.has_current = false;
            self.current = None;
        }
    }

    pub fn into_parts(self) -> (Vec<ArtifactOp>, u64) {
        (
            self.ops.into_iter().map(|tracked| tracked.op).collect(),
            self.dropped,
        )
    }
}

/// Reads the coordinator's verdict: `ok  id=… status=200`, `201 Created  id=…
/// responseStatus=201 Created`, `forbidden  … responseStatus=403 Forbidden`, `failed`.
fn conclude(op: &mut ArtifactOp, status: &[u8]) {
    let status = trim(status);
    let http_status = field_value(status, b"responseStatus")
        .or_else(|| field_value(status, b"status"))
        .or(Some(status))
        .and_then(|value| leading_number(value))
        .and_then(|(code, _)| u16::try_from(code).ok())
        .filter(|code| (100..600).contains(code));
    let said_ok =
        status.starts_with(b"ok") || http_status.is_some_and(|code| (200..300).contains(&code));
    op.http_status = http_status.or(op.http_status);
    op.outcome = Some(if said_ok {
        ArtifactOutcome::Ok
    } else {
        ArtifactOutcome::Failed
    });
}

/// `helper images (1280281190)` → name and id; the name may itself contain parentheses.
fn job_name_and_id(text: &[u8]) -> (&[u8], Option<u64>) {
    let Some(open) = text.iter().rposition(|b| *b == b'(') else {
        return (text, None);
    };
    let inside = text
        .get(open + 1..)
        .and_then(|rest| rest.strip_suffix(b")"));
    match inside.and_then(leading_number) {
        Some((id, [])) => (trim(text.get(..open).unwrap_or_default()), Some(id)),
        _ => (text, None),
    }
}

/// `<path>: found 15 matching artifact files and directories` → 15.
fn matching_files(text: &[u8]) -> Option<u64> {
    let at = find(text, b": found ")?;
    let (count, rest) = leading_number(text.get(at + 8..)?)?;
    rest.starts_with(b" matching ").then_some(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_names() {
        assert_eq!(
            job_name_and_id(b"helper images (1280281190)"),
            (&b"helper images"[..], Some(1_280_281_190))
        );
        assert_eq!(
            job_name_and_id(b"build (linux) (42)"),
            (&b"build (linux)"[..], Some(42))
        );
        assert_eq!(job_name_and_id(b"odd (x)"), (&b"odd (x)"[..], None));
    }

    #[test]
    fn matching_counts() {
        assert_eq!(
            matching_files(b".cover/*: found 15 matching files and directories"),
            Some(15)
        );
        assert_eq!(
            matching_files(b"dist/: found 3 matching artifact files and directories"),
            Some(3)
        );
        assert_eq!(matching_files(b"we found 3 bugs"), None);
    }
}
