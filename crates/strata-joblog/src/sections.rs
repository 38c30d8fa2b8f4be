//! Section nesting and phase accounting.
//!
//! Every section is reported with its depth and parent. Phase totals are
//! computed from top-level sections only: the runner's own sections
//! (`prepare_executor`, `step_script`, …) are always top-level, and a user's
//! `section_start` inside `step_script` nests under it, so counting only depth 0
//! never counts a second of the job twice. A top-level section that is not a
//! runner section (a user section outside the script, or any section of a log
//! whose runner sections are missing) counts as `other`.
//!
//! When timestamps go backwards two top-level sections can overlap; the later
//! one is then counted only from where the earlier one ended, so the phase
//! totals never add up to more than the log's span.

use super::clock::Clock;
use super::limits::{MAX_SECTION_DEPTH, MAX_SECTIONS};
use super::marker::Marker;
use super::model::{PhaseSpan, PhaseTotal, Section, WarningKind};
use super::phase::Phase;
use super::text::owned_text;
use super::warnings::Warnings;

/// Section names are matched on at most this many bytes (runner names are short).
const NAME_BYTES: usize = 256;

struct OpenSection {
    record: Option<u32>,
    name: Vec<u8>,
    phase: Phase,
    start: i64,
    id: u32,
}

/// A top-level section that just ended: the window whose time is shared by the
/// cache or artifact operations that ran inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosedTopLevel {
    pub id: u32,
    pub start: i64,
    pub end: i64,
}

pub struct SectionParts {
    pub sections: Vec<Section>,
    pub phases: Vec<PhaseSpan>,
    pub phase_totals: Vec<PhaseTotal>,
    pub dropped: u64,
}

#[derive(Default)]
pub struct SectionTracker {
    open: Vec<OpenSection>,
    sections: Vec<Section>,
    phases: Vec<PhaseSpan>,
    totals: [(i64, u32); Phase::ALL.len()],
    counted_until: Option<i64>,
    next_id: u32,
    dropped: u64,
}

fn stored_name(name: &[u8]) -> &[u8] {
    name.get(..NAME_BYTES).unwrap_or(name)
}

impl SectionTracker {
    /// Phase and id of the open top-level section, which decides how lines are read.
    pub fn top_level(&self) -> Option<(Phase, u32)> {
        self.open.first().map(|section| (section.phase, section.id))
    }

    pub fn is_open(&self) -> bool {
        !self.open.is_empty()
    }

    pub fn start(
        &mut self,
        marker: &Marker<'_>,
        instant: i64,
        line: u64,
        clock: &Clock,
        warnings: &mut Warnings,
    ) {
        if self.open.len() >= MAX_SECTION_DEPTH {
            warnings.push(WarningKind::SectionTooDeep, line, || {
                format!(
                    "section {} nested deeper than {MAX_SECTION_DEPTH}; ignored",
                    owned_text(marker.name)
                )
            });
            return;
        }
        let phase = Phase::of_section(marker.name);
        let record = if self.sections.len() < MAX_SECTIONS {
            let index = u32::try_from(self.sections.len()).ok();
            self.sections.push(Section {
                name: owned_text(marker.name),
                phase,
                depth: u32::try_from(self.open.len()).unwrap_or(u32::MAX),
                parent: self.open.last().and_then(|parent| parent.record),
                start_offset_ms: clock.offset(instant),
                duration_ms: 0,
                collapsed: marker.collapsed,
                hide_duration: marker.hide_duration,
                unterminated: false,
                line,
            });
            index
        } else {
            self.dropped = self.dropped.saturating_add(1);
            None
        };
        self.open.push(OpenSection {
            record,
            name: stored_name(marker.name).to_vec(),
            phase,
            start: instant,
            id: self.next_id,
        });
        self.next_id = self.next_id.wrapping_add(1);
    }

    /// Closes the named section (and, with a warning, any section left open inside it).
    pub fn end(
        &mut self,
        name: &[u8],
        instant: i64,
        line: u64,
        clock: &Clock,
        warnings: &mut Warnings,
    ) -> Option<ClosedTopLevel> {
        let wanted = stored_name(name);
        let Some(position) = self.open.iter().rposition(|open| open.name == wanted) else {
            warnings.push(WarningKind::EndWithoutStart, line, || {
                format!("section_end for {} which is not open", owned_text(name))
            });
            return None;
        };
        while self.open.len() > position + 1 {
            let inner = self.open.pop()?;
            warnings.push(WarningKind::UnterminatedSection, line, || {
                format!(
                    "section {} closed by the end of {}",
                    owned_text(&inner.name),
                    owned_text(name)
                )
            });
            self.close(inner, instant, true, clock);
        }
        let section = self.open.pop()?;
        self.close(section, instant, false, clock)
    }

    /// Closes whatever is still open when the log ends; returns the top-level one.
    pub fn finish(
        &mut self,
        line: u64,
        clock: &Clock,
        warnings: &mut Warnings,
    ) -> Option<ClosedTopLevel> {
        let mut closed_top = None;
        while let Some(section) = self.open.pop() {
            let end = clock.latest().unwrap_or(section.start).max(section.start);
            warnings.push(WarningKind::UnterminatedSection, line, || {
                format!(
                    "section {} still open at the end of the log",
                    owned_text(&section.name)
                )
            });
            closed_top = self.close(section, end, true, clock).or(closed_top);
        }
        closed_top
    }

    fn close(
        &mut self,
        section: OpenSection,
        end: i64,
        unterminated: bool,
        clock: &Clock,
    ) -> Option<ClosedTopLevel> {
        let duration = end.saturating_sub(section.start).max(0);
        if let Some(record) = section
            .record
            .and_then(|index| self.sections.get_mut(index as usize))
        {
            record.duration_ms = duration;
            record.unterminated = unterminated;
        }
        if !self.open.is_empty() {
            return None;
        }
        let counted_from = self
            .counted_until
            .map_or(section.start, |until| until.max(section.start));
        let counted = end.saturating_sub(counted_from).max(0);
        self.counted_until = Some(self.counted_until.map_or(end, |until| until.max(end)));
        if let Some(total) = self.totals.get_mut(section.phase.ordinal()) {
            total.0 = total.0.saturating_add(counted);
            total.1 = total.1.saturating_add(1);
        }
        if self.phases.len() < MAX_SECTIONS {
            self.phases.push(PhaseSpan {
                phase: section.phase,
                section: owned_text(&section.name),
                start_offset_ms: clock.offset(section.start),
                duration_ms: counted,
            });
        }
        Some(ClosedTopLevel {
            id: section.id,
            start: section.start,
            end: end.max(section.start),
        })
    }

    pub fn into_parts(self) -> SectionParts {
        let phase_totals = Phase::ALL
            .iter()
            .zip(self.totals)
            .filter(|(_, (_, count))| *count > 0)
            .map(|(phase, (duration_ms, sections))| PhaseTotal {
                phase: *phase,
                duration_ms,
                sections,
            })
            .collect();
        SectionParts {
            sections: self.sections,
            phases: self.phases,
            phase_totals,
            dropped: self.dropped,
        }
    }
}
