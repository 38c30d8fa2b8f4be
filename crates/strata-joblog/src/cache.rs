//! Cache operations from the runner's messages in `restore_cache` and
//! `archive_cache*` (gitlab-runner shells/abstract.go, commands/helpers/cache_*.go):
//!
//! * `Checking cache for <key>...` starts a restore; `Successfully extracted cache`
//!   is a hit, `Failed to extract cache` a miss — `not_found` when the runner said
//!   `file does not exist` for that key (nothing was ever stored under it).
//! * A `Checking cache for <key>...` right after a miss is the runner trying a
//!   fallback key (CACHE_FALLBACK_KEY, or `fallback_keys` on runner ≥ 16); it
//!   belongs to the same operation, and a hit then is `fallback_hit`. The runner
//!   prints the same lines for a second `cache:` entry after a missed first one, so
//!   the two cannot be told apart; they are reported as one operation.
//! * `Creating cache <key>...` starts an archive; `Created cache` / `Failed to
//!   create cache` conclude it.
//! * `Not downloading|uploading cache <key> due to policy` is `skipped_policy`.
//! * `… is up to date` sets `up_to_date`; the transfer meter gives the size.

use super::limits::{MAX_CACHE_OPS, MAX_FALLBACK_KEYS};
use super::model::{CacheDirection, CacheOp, CacheOutcome};
use super::op_timing::{SectionShare, share_section_time};
use super::runner_line::{RunnerLine, meter_bytes};
use super::sections::ClosedTopLevel;
use super::text::{contains, owned_text, trim_ellipsis};

struct TrackedCacheOp {
    op: CacheOp,
    section: Option<u32>,
    started_at: Option<i64>,
}

impl SectionShare for TrackedCacheOp {
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

/// Where the line was seen; operations only continue within one section.
#[derive(Debug, Clone, Copy)]
pub struct OpContext {
    pub line: u64,
    pub instant: Option<i64>,
    pub section: Option<u32>,
}

#[derive(Default)]
pub struct CacheTracker {
    ops: Vec<TrackedCacheOp>,
    /// Index of the operation result lines apply to; `None` after a dropped one.
    current: Option<usize>,
    current_section: Option<u32>,
    has_current: bool,
    /// The current attempt failed and a fallback key may follow.
    awaiting_fallback: bool,
    /// The runner said `file does not exist` during the current attempt.
    attempt_not_found: bool,
    dropped: u64,
}

impl CacheTracker {
    pub fn on_line(&mut self, line: RunnerLine<'_>, context: OpContext) {
        let text = line.text;
        if context.section != self.current_section {
            self.has_current = false;
            self.current = None;
        }
        if let Some(rest) = text.strip_prefix(b"Checking cache for ") {
            let key = trim_ellipsis(rest);
            if self.has_current
                && self.awaiting_fallback
                && self.current_direction() != Some(CacheDirection::Archive)
            {
                self.awaiting_fallback = false;
                self.attempt_not_found = false;
                if let Some(op) = self.current_op()
                    && op.fallback_keys.len() < MAX_FALLBACK_KEYS
                {
                    op.fallback_keys.push(owned_text(key));
                }
            } else {
                self.begin(CacheDirection::Restore, Some(key), None, context);
            }
        } else if text.starts_with(b"Successfully extracted cache") {
            self.awaiting_fallback = false;
            if let Some(op) = self.current_op() {
                let used_fallback = !op.fallback_keys.is_empty();
                op.outcome = Some(if used_fallback {
                    CacheOutcome::FallbackHit
                } else {
                    CacheOutcome::Hit
                });
            }
        } else if text.starts_with(b"Failed to extract cache") {
            let outcome = if self.attempt_not_found {
                CacheOutcome::NotFound
            } else {
                CacheOutcome::Miss
            };
            self.awaiting_fallback = true;
            if let Some(op) = self.current_op() {
                op.outcome = Some(outcome);
            }
        } else if contains(text, b"file does not exist") {
            self.attempt_not_found = true;
        } else if let Some(rest) = text.strip_prefix(b"Creating cache ") {
            self.begin(
                CacheDirection::Archive,
                Some(trim_ellipsis(rest)),
                None,
                context,
            );
        } else if text.starts_with(b"Created cache") {
            self.conclude_archive(CacheOutcome::Created);
        } else if text.starts_with(b"Failed to create cache") {
            self.conclude_archive(CacheOutcome::Failed);
        } else if let Some(key) = policy_skip(text, b"Not downloading cache ") {
            self.begin(
                CacheDirection::Restore,
                Some(key),
                Some(CacheOutcome::SkippedPolicy),
                context,
            );
        } else if let Some(key) = policy_skip(text, b"Not uploading cache ") {
            self.begin(
                CacheDirection::Archive,
                Some(key),
                Some(CacheOutcome::SkippedPolicy),
                context,
            );
        } else if text.ends_with(b"is up to date") || text.starts_with(b"Archive is up to date") {
            if let Some(op) = self.current_op() {
                op.up_to_date = true;
            }
        } else if let Some(bytes) = meter_bytes(text, b"Downloading cache")
            .or_else(|| meter_bytes(text, b"Uploading cache"))
            && let Some(op) = self.current_op()
        {
            op.size_bytes = Some(bytes);
        }
    }

    fn current_direction(&self) -> Option<CacheDirection> {
        self.current
            .and_then(|index| self.ops.get(index))
            .map(|tracked| tracked.op.direction)
    }

    fn current_op(&mut self) -> Option<&mut CacheOp> {
        if !self.has_current {
            return None;
        }
        let index = self.current?;
        self.ops.get_mut(index).map(|tracked| &mut tracked.op)
    }

    fn conclude_archive(&mut self, outcome: CacheOutcome) {
        if let Some(op) = self.current_op()
            && op.direction == CacheDirection::Archive
        {
            op.outcome = Some(outcome);
        }
    }

    fn begin(
        &mut self,
        direction: CacheDirection,
        key: Option<&[u8]>,
        outcome: Option<CacheOutcome>,
        context: OpContext,
    ) {
        self.has_current = true;
        self.current_section = context.section;
        self.awaiting_fallback = false;
        self.attempt_not_found = false;
        if self.ops.len() >= MAX_CACHE_OPS {
            self.dropped = self.dropped.saturating_add(1);
            self.current = None;
            return;
        }
        self.current = Some(self.ops.len());
        self.ops.push(TrackedCacheOp {
            op: CacheOp {
                direction,
                cache_key: key.map(owned_text),
                fallback_keys: Vec::new(),
                outcome,
                up_to_date: false,
                size_bytes: None,
                duration_ms: None,
                line: context.line,
            },
            section: context.section,
            started_at: context.instant,
        });
    }

    pub fn section_closed(&mut self, closed: ClosedTopLevel) {
        share_section_time(&mut self.ops, closed);
        if self.current_section == Some(closed.id) {
            self.has_current = false;
            self.current = None;
        }
    }

    pub fn into_parts(self) -> (Vec<CacheOp>, u64) {
        (
            self.ops.into_iter().map(|tracked| tracked.op).collect(),
            self.dropped,
        )
    }
}

/// Key from `Not downloading cache <key> due to policy`.
fn policy_skip<'a>(text: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    text.strip_prefix(prefix)?.strip_suffix(b" due to policy")
}
