//! BuildKit `--progress=plain` (the default without a TTY, so the usual CI form):
//!
//! ```text
//! #5 [builder 2/6] RUN npm ci      vertex header; `[i/n]` marks a Dockerfile step
//! #5 0.084 added 66 packages       vertex output
//! #5 CACHED | #5 DONE 12.3s | #5 ERROR: process … did not complete successfully
//! ```
//!
//! Vertex numbers restart with every build, so a header for a vertex that already
//! finished (or that described something else) starts a new build, as does the
//! `#0 building with "default" instance` line of newer docker/buildx.

use super::super::clock::Clock;
use super::super::limits::MAX_VERTICES_PER_BUILD;
use super::super::model::Builder;
use super::super::text::{leading_number, owned_text, seconds_to_ms, trim};
use super::build::{Builds, LineInfo};
use super::common::{fraction, new_step};

struct Vertex {
    id: u32,
    step: Option<usize>,
    completed: bool,
    header_hash: u64,
}

#[derive(Default)]
pub struct PlainState {
    vertices: Vec<Vertex>,
}

impl PlainState {
    fn vertex_mut(&mut self, id: u32) -> Option<&mut Vertex> {
        self.vertices.iter_mut().find(|vertex| vertex.id == id)
    }
}

/// FNV-1a: tells a re-printed header from a different vertex with the same number.
fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |acc, byte| {
        (acc ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `builder 3/6` → (Some("builder"), 3, 6); `3/6` → (None, 3, 6); `internal` → None.
pub fn step_label(label: &[u8]) -> Option<(Option<&[u8]>, u32, u32)> {
    let (stage, numbers) = match label.iter().rposition(|b| *b == b' ') {
        Some(space) => (label.get(..space).map(trim), label.get(space + 1..)?),
        None => (None, label),
    };
    let (index, total, rest) = fraction(numbers)?;
    rest.is_empty()
        .then_some((stage.filter(|s| !s.is_empty()), index, total))
}

/// Handles a `#N …` line; returns false when it is not BuildKit output after all.
pub fn handle(
    text: &[u8],
    info: LineInfo,
    builds: &mut Builds,
    state: &mut PlainState,
    clock: &Clock,
) -> bool {
    let Some((id, rest)) = text.strip_prefix(b"#").and_then(leading_number) else {
        return false;
    };
    let Ok(id) = u32::try_from(id) else {
        return false;
    };
    let rest = match rest.strip_prefix(b" ") {
        Some(rest) => rest,
        None if rest.is_empty() => rest,
        None => return false,
    };
    if id == 0 && rest.starts_with(b"building with ") {
        builds.start(Builder::Buildkit, info, clock);
        *state = PlainState::default();
        return true;
    }
    if let Some(bracketed) = rest.strip_prefix(b"[") {
        return header(id, rest, bracketed, info, builds, state, clock);
    }
    let Some(build) = builds.current(Builder::Buildkit) else {
        return false;
    };
    build.touch(info);
    let status_step = |state: &mut PlainState| state.vertex_mut(id).and_then(|v| v.step);
    if rest == b"CACHED" {
        if let Some(step) = status_step(state).and_then(|index| build.step_mut(index)) {
            step.cached = true;
        }
    } else if let Some(time) = rest.strip_prefix(b"DONE ") {
        let elapsed = seconds_to_ms(trim(time));
        if let Some(ms) = elapsed {
            build.vertex_time_ms = Some(build.vertex_time_ms.unwrap_or(0).saturating_add(ms));
        }
        if let Some(step) = status_step(state).and_then(|index| build.step_mut(index)) {
            step.duration_ms = elapsed;
        }
    } else if rest.starts_with(b"ERROR") {
        build.failed = true;
        if let Some(step) = status_step(state).and_then(|index| build.step_mut(index)) {
            step.failed = true;
        }
    } else if !rest.starts_with(b"CANCELED") {
        // Vertex output (`#5 0.084 …`) or a description line: nothing to record.
        return true;
    }
    if let Some(vertex) = state.vertex_mut(id) {
        if !vertex.completed && vertex.step.is_some() {
            build.incomplete_steps = build.incomplete_steps.saturating_sub(1);
        }
        vertex.completed = true;
    }
    true
}

fn header(
    id: u32,
    rest: &[u8],
    bracketed: &[u8],
    info: LineInfo,
    builds: &mut Builds,
    state: &mut PlainState,
    clock: &Clock,
) -> bool {
    let Some(close) = bracketed.iter().position(|b| *b == b']') else {
        return false;
    };
    let label = bracketed.get(..close).unwrap_or_default();
    let instruction = bracketed.get(close + 1..).unwrap_or_default();
    let header_hash = hash(rest);
    let starts_new_build = match builds.current(Builder::Buildkit) {
        None => true,
        Some(_) => state
            .vertex_mut(id)
            .is_some_and(|v| v.completed || v.header_hash != header_hash),
    };
    if starts_new_build {
        builds.start(Builder::Buildkit, info, clock);
        *state = PlainState::default();
    }
    let Some(build) = builds.current(Builder::Buildkit) else {
        return false;
    };
    build.touch(info);
    if state.vertex_mut(id).is_some() || state.vertices.len() >= MAX_VERTICES_PER_BUILD {
        return true;
    }
    let step = step_label(label).and_then(|(stage, index, total)| {
        let stage = stage.map(owned_text);
        build.add_step(
            new_step(stage, Some(index), Some(total), instruction),
            info.instant,
        )
    });
    if step.is_some() {
        build.incomplete_steps = build.incomplete_steps.saturating_add(1);
    }
    state.vertices.push(Vertex {
        id,
        step,
        completed: false,
        header_hash,
    });
    true
}

#[cfg(test)]
mod tests {
    use super::step_label;

    #[test]
    fn labels() {
        assert_eq!(
            step_label(b"builder 3/6"),
            Some((Some(&b"builder"[..]), 3, 6))
        );
        assert_eq!(step_label(b"2/2"), Some((None, 2, 2)));
        assert_eq!(step_label(b"internal"), None);
        assert_eq!(step_label(b"stage-1 internal"), None);
    }
}
