//! The streaming analyser: bytes in, [`JobAnalysis`] out.
//!
//! Each line segment is read in this order:
//! 1. an FF_TIMESTAMPS prefix gives the segment its instant (a segment after a
//!    lone `\r` continues the same log entry and keeps the entry's instant);
//! 2. escape sequences at its start are skipped;
//! 3. a segment that now starts with `section_start:`/`section_end:` is a
//!    section marker. Only there: a marker after other text on the same line is
//!    something a user printed (`echo section_start:…`) and is left alone, which is
//!    also how GitLab's own log viewer behaves because the runner always writes
//!    markers at the start of a line or right after a `\r`;
//! 4. everything else goes to the reader that the enclosing top-level section
//!    calls for: cache messages in `restore_cache`/`archive_cache*`, artifact
//!    messages in the artifact sections, Docker build output in script sections
//!    and user sections. Runner messages printed by the script itself (log-1 runs
//!    the runner's own test suite, which prints `No URL provided, cache will not be
//!    downloaded…`) are therefore not mistaken for the runner's. Outside any
//!    section (old runners, or a bare build log) every reader looks.

use super::ansi::skip_leading_escapes;
use super::artifacts::ArtifactTracker;
use super::bulk_filter::may_matter_in_bulk;
use super::cache::{CacheTracker, OpContext};
use super::clock::Clock;
use super::docker::{DockerTracker, LineInfo};
use super::limits::MAX_LINE_BYTES;
use super::marker::{MarkerKind, MarkerParse, parse_marker};
use super::model::{Dropped, JobAnalysis, LogSummary, SCHEMA_VERSION, WarningKind};
use super::phase::Phase;
use super::runner_line::clean;
use super::sections::{ClosedTopLevel, SectionTracker};
use super::splitter::{LineSplitter, Segment, SegmentSink};
use super::text::{contains, trim_start};
use super::timestamp::TimestampParser;
use super::warnings::Warnings;

/// Incremental job-log analyser. Feed chunks of any size, then [`Analyzer::finish`].
///
/// ```text
/// let mut analyzer = Analyzer::new();
/// analyzer.feed(b"section_start:1700000000:step_script\r\x1b[0K$ make\n");
/// analyzer.feed(b"section_end:1700000042:step_script\r\x1b[0K");
/// let analysis = analyzer.finish();
/// assert_eq!(analysis.phases[0].duration_ms, 42_000);
/// ```
#[derive(Default)]
pub struct Analyzer {
    splitter: LineSplitter,
    reader: LineReader,
}

#[derive(Default)]
struct LineReader {
    /// Tests switch the bulk fast path off to check it changes nothing.
    #[cfg(test)]
    without_fast_path: bool,
    /// The open top-level section is one whose lines only matter for markers and
    /// Docker output (script, other, prepare, sources, cleanup): lines whose first
    /// byte cannot start either are skipped without further work.
    bulk_context: bool,
    timestamps: TimestampParser,
    clock: Clock,
    timestamped: bool,
    /// Instant of the log entry being read, when it has a timestamp.
    instant: Option<i64>,
    sections: SectionTracker,
    cache: CacheTracker,
    artifacts: ArtifactTracker,
    docker: DockerTracker,
    warnings: Warnings,
    scratch: Vec<u8>,
}

impl Analyzer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn feed(&mut self, chunk: &[u8]) {
        self.splitter.feed(chunk, &mut self.reader);
    }

    pub fn finish(mut self) -> JobAnalysis {
        self.splitter.finish(&mut self.reader);
        let mut reader = self.reader;
        let line = self.splitter.current_line();
        let truncated = reader.sections.is_open();
        if let Some(closed) = reader
            .sections
            .finish(line, &reader.clock, &mut reader.warnings)
        {
            reader.section_closed(closed);
        }
        let (docker_builds, dropped_builds, dropped_steps) =
            reader.docker.into_parts(&reader.clock);
        let (cache_ops, dropped_cache) = reader.cache.into_parts();
        let (artifact_ops, dropped_artifacts) = reader.artifacts.into_parts();
        let parts = reader.sections.into_parts();
        let (warnings, dropped_warnings) = reader.warnings.into_parts();
        JobAnalysis {
            schema_version: SCHEMA_VERSION,
            log: LogSummary {
                bytes: self.splitter.bytes(),
                lines: self.splitter.lines(),
                started_at_ms: reader.clock.origin(),
                span_ms: reader.clock.span(),
                timestamped: reader.timestamped,
                truncated,
                warnings,
                dropped: Dropped {
                    sections: parts.dropped,
                    cache_ops: dropped_cache,
                    artifact_ops: dropped_artifacts,
                    docker_builds: dropped_builds,
                    docker_steps: dropped_steps,
                    warnings: dropped_warnings,
                },
            },
            sections: parts.sections,
            phases: parts.phases,
            phase_totals: parts.phase_totals,
            cache_ops,
            artifact_ops,
            docker_builds,
        }
    }
}

/// Analyses a whole log at once without the bulk fast path: the reference that
/// tests compare the fast path against.
#[cfg(test)]
pub(crate) fn analyze_without_fast_path(bytes: &[u8]) -> JobAnalysis {
    let mut analyzer = Analyzer::new();
    analyzer.reader.without_fast_path = true;
    analyzer.feed(bytes);
    analyzer.finish()
}

/// Analyses a whole log at once.
pub fn analyze(bytes: &[u8]) -> JobAnalysis {
    let mut analyzer = Analyzer::new();
    analyzer.feed(bytes);
    analyzer.finish()
}

impl SegmentSink for LineReader {
    /// The hot path: most lines of a big log are compiler or test output inside
    /// `step_script`, and a look at their first two bytes dismisses them.
    #[inline(always)]
    fn segment(&mut self, segment: Segment<'_>) {
        if self.bulk_context && !segment.cut && !may_matter_in_bulk(segment.bytes) {
            if !segment.after_cr {
                self.instant = None;
            }
            return;
        }
        self.read_segment(segment);
    }
}

impl LineReader {
    #[inline(never)]
    fn read_segment(&mut self, segment: Segment<'_>) {
        let line = segment.line;
        if segment.cut {
            self.warnings.push(WarningKind::LineTooLong, line, || {
                format!("line longer than {MAX_LINE_BYTES} bytes; only its first {MAX_LINE_BYTES} bytes were read")
            });
        }
        let mut body = segment.bytes;
        if let Some(prefix) = self.timestamps.parse_prefix(body) {
            body = body.get(prefix.len..).unwrap_or_default();
            self.timestamped = true;
            self.instant = Some(prefix.instant_ms);
            self.observe(prefix.instant_ms, line);
        } else if !segment.after_cr {
            self.instant = None;
        }
        let lead = match body.first() {
            None => return,
            Some(0x1b | b'[') => skip_leading_escapes(body),
            Some(_) => body,
        };
        if lead.starts_with(b"section_") && self.on_marker(lead, line) {
            return;
        }
        let context = OpContext {
            line,
            instant: self.instant,
            section: self.sections.top_level().map(|(_, id)| id),
        };
        match self.sections.top_level().map(|(phase, _)| phase) {
            Some(Phase::CacheRestore | Phase::CacheArchive) => {
                self.cache.on_line(clean(lead, &mut self.scratch), context)
            }
            Some(Phase::ArtifactDownload | Phase::ArtifactUpload) => {
                self.artifacts
                    .on_line(clean(lead, &mut self.scratch), context);
            }
            Some(Phase::Script | Phase::Other) => self.docker.on_line(
                lead,
                LineInfo {
                    line,
                    instant: self.instant,
                },
                &self.clock,
            ),
            Some(_) => {}
            None => {
                if may_be_runner_message(lead) {
                    self.cache.on_line(clean(lead, &mut self.scratch), context);
                    self.artifacts
                        .on_line(clean(lead, &mut self.scratch), context);
                }
                self.docker.on_line(
                    lead,
                    LineInfo {
                        line,
                        instant: self.instant,
                    },
                    &self.clock,
                );
            }
        }
    }

    /// Returns false when the line only looked like a marker (`section_count=3`).
    fn on_marker(&mut self, lead: &[u8], line: u64) -> bool {
        let marker = match parse_marker(lead) {
            MarkerParse::NotMarker => return false,
            MarkerParse::Malformed => {
                let shown = lead.get(..80).unwrap_or(lead);
                self.warnings.push(WarningKind::UnknownMarker, line, || {
                    format!(
                        "unreadable section marker: {}",
                        String::from_utf8_lossy(shown)
                    )
                });
                return true;
            }
            MarkerParse::Marker(marker) => marker,
        };
        let instant = match self.instant {
            Some(instant) => instant,
            None => {
                // Without a line timestamp the marker's own (whole-second) time is all there is.
                let instant = marker.unix_seconds.saturating_mul(1000);
                self.observe(instant, line);
                instant
            }
        };
        match marker.kind {
            MarkerKind::Start => {
                let opens_top_level = !self.sections.is_open();
                self.sections
                    .start(&marker, instant, line, &self.clock, &mut self.warnings);
                if opens_top_level {
                    self.docker.section_boundary(&self.clock);
                }
                self.update_context();
            }
            MarkerKind::End => {
                if let Some(closed) =
                    self.sections
                        .end(marker.name, instant, line, &self.clock, &mut self.warnings)
                {
                    self.section_closed(closed);
                }
                self.update_context();
            }
        }
        true
    }

    fn update_context(&mut self) {
        #[cfg(test)]
        if self.without_fast_path {
            self.bulk_context = false;
            return;
        }
        self.bulk_context = matches!(
            self.sections.top_level().map(|(phase, _)| phase),
            Some(
                Phase::Script
                    | Phase::Other
                    | Phase::Prepare
                    | Phase::Sources
                    | Phase::Cleanup
                    | Phase::Queue
            )
        );
    }

    fn section_closed(&mut self, closed: ClosedTopLevel) {
        self.cache.section_closed(closed);
        self.artifacts.section_closed(closed);
        self.docker.section_boundary(&self.clock);
    }

    fn observe(&mut self, instant: i64, line: u64) {
        if let Some(previous) = self.clock.observe(instant) {
            self.warnings
                .push(WarningKind::TimestampsBackwards, line, || {
                    format!("time goes back {} ms", previous.saturating_sub(instant))
                });
        }
    }
}

/// Outside sections every line would otherwise be cleaned for the cache and
/// artifact readers; their messages all start with one of these letters or
/// contain `: found `.
fn may_be_runner_message(lead: &[u8]) -> bool {
    let text = trim_start(lead);
    matches!(
        text.first(),
        Some(b'A' | b'C' | b'D' | b'E' | b'F' | b'N' | b'S' | b'U' | b'W' | b'c')
    ) || contains(text, b": found ")
}
