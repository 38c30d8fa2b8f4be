//! The classic (pre-BuildKit) Docker builder:
//!
//! ```text
//! Step 2/3 : RUN ls -lh /
//!  ---> Using cache            (the step came from the layer cache)
//!  ---> Running in 9c9e81692ae9 (the step runs)
//!  ---> b35f4035db3f           (the step's image)
//! Successfully built f52f38b7823e
//! The command '/bin/sh -c false' returned a non-zero code: 1
//! ```
//!
//! Step numbers count across all stages; `Step 1/n` after a build has steps starts
//! the next build. No step times are printed: with FF_TIMESTAMPS a step lasts until
//! the next step's line.

use super::super::clock::Clock;
use super::super::model::Builder;
use super::super::text::{contains, leading_number, owned_text, trim};
use super::build::{Builds, LineInfo};
use super::common::{from_alias, is_from, new_step, unnamed_stage};

#[derive(Default)]
pub struct ClassicState {
    from_count: u32,
    stage: Option<String>,
}

pub fn handle(
    text: &[u8],
    info: LineInfo,
    builds: &mut Builds,
    state: &mut ClassicState,
    clock: &Clock,
) -> bool {
    if let Some(rest) = text.strip_prefix(b"Step ") {
        return step(rest, info, builds, state, clock);
    }
    let Some(build) = builds.current(Builder::Classic) else {
        return false;
    };
    if let Some(rest) = text.strip_prefix(b"---> ") {
        build.touch(info);
        if rest.starts_with(b"Using cache")
            && let Some(step) = build.open_step_mut()
        {
            step.cached = true;
        }
        true
    } else if text.starts_with(b"Successfully built ") {
        build.touch(info);
        build.reported_success = true;
        builds.finish_current(clock);
        true
    } else if text.starts_with(b"The command ") && contains(text, b"returned a non-zero code") {
        build.touch(info);
        build.failed = true;
        if let Some(step) = build.open_step_mut() {
            step.failed = true;
        }
        true
    } else {
        false
    }
}

/// `Step 2/3 : RUN ls` (or `Step 2 : RUN ls` from very old Docker).
fn step(
    rest: &[u8],
    info: LineInfo,
    builds: &mut Builds,
    state: &mut ClassicState,
    clock: &Clock,
) -> bool {
    let Some((index, rest)) = leading_number(rest) else {
        return false;
    };
    let (total, rest) = match rest.strip_prefix(b"/").and_then(leading_number) {
        Some((total, rest)) => (u32::try_from(total).ok(), rest),
        None => (None, rest),
    };
    let Some(instruction) = rest.strip_prefix(b" : ") else {
        return false;
    };
    let index = u32::try_from(index).ok();
    let restarts = index == Some(1);
    let continues = builds
        .current(Builder::Classic)
        .is_some_and(|build| !(restarts && build.has_steps()));
    if !continues {
        builds.start(Builder::Classic, info, clock);
        *state = ClassicState::default();
    }
    let Some(build) = builds.current(Builder::Classic) else {
        return false;
    };
    build.touch(info);
    let instruction = trim(instruction);
    if is_from(instruction) {
        state.from_count = state.from_count.saturating_add(1);
        state.stage = match from_alias(instruction) {
            Some(alias) => Some(owned_text(alias)),
            None if state.from_count > 1 => Some(unnamed_stage(state.from_count - 1)),
            None => None,
        };
    }
    let started = build.gap_clock();
    build.add_step(
        new_step(state.stage.clone(), index, total, instruction),
        started,
    );
    true
}
