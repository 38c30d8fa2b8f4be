//! Buildah and podman (`buildah bud`, `podman build`), as in the fixtures
//! buildah-1.28.2_cold.log / _warm.log:
//!
//! ```text
//! [1/2] STEP 2/7: WORKDIR /app        stage 1 of 2, step 2 of 7 in that stage
//! --> Using cache c7e8aefca806…       the step came from the layer cache
//! --> c7e8aefca80                     the step's layer
//! [2/2] COMMIT localhost/hello-api    the image is written; no step is open any more
//! Successfully tagged localhost/hello-api:latest
//! Error: building at STEP "RUN false": while running runtime: exit status 1
//! ```
//!
//! Single-stage builds print `STEP 2/7:` without the stage prefix, and buildah
//! before 1.23 printed `STEP 2:` without the total. No step times are
//! printed: with FF_TIMESTAMPS a step lasts until the next step's line.

use super::super::clock::Clock;
use super::super::model::Builder;
use super::super::text::{leading_number, owned_text, starts_with_ignore_case, trim};
use super::build::{Builds, LineInfo};
use super::common::{fraction, from_alias, new_step, unnamed_stage};

#[derive(Default)]
pub struct BuildahState {
    stage: Option<String>,
}

pub fn handle(
    text: &[u8],
    info: LineInfo,
    builds: &mut Builds,
    state: &mut BuildahState,
    clock: &Clock,
) -> bool {
    let (stage_position, rest) = match text.strip_prefix(b"[").and_then(fraction) {
        Some((index, total, rest)) => match rest.strip_prefix(b"] ") {
            Some(rest) => (Some((index, total)), rest),
            None => return false,
        },
        None => (None, text),
    };
    if let Some(step_text) = rest.strip_prefix(b"STEP ") {
        return step(step_text, stage_position, info, builds, state, clock);
    }
    let Some(build) = builds.current(Builder::Buildah) else {
        return false;
    };
    if rest.starts_with(b"COMMIT") {
        build.touch(info);
        build.open_step = None;
    } else if let Some(after_arrow) = rest.strip_prefix(b"--> ") {
        build.touch(info);
        if after_arrow.starts_with(b"Using cache")
            && let Some(step) = build.open_step_mut()
        {
            step.cached = true;
        }
    } else if rest.starts_with(b"Successfully tagged ") {
        build.touch(info);
        build.reported_success = true;
    } else if starts_with_ignore_case(rest, b"error: building at step")
        || starts_with_ignore_case(rest, b"error building at step")
    {
        build.touch(info);
        build.failed = true;
        if let Some(step) = build.open_step_mut() {
            step.failed = true;
        }
    } else {
        return false;
    }
    true
}

fn step(
    text: &[u8],
    stage_position: Option<(u32, u32)>,
    info: LineInfo,
    builds: &mut Builds,
    state: &mut BuildahState,
    clock: &Clock,
) -> bool {
    // `STEP 3/7: …`, or `STEP 3: …` from buildah before 1.23, which printed no total.
    let (index, total, rest) = match fraction(text) {
        Some((index, total, rest)) => (index, Some(total), rest),
        None => match leading_number(text)
            .and_then(|(index, rest)| Some((u32::try_from(index).ok()?, rest)))
        {
            Some((index, rest)) => (index, None, rest),
            None => return false,
        },
    };
    let Some(instruction) = rest.strip_prefix(b": ") else {
        return false;
    };
    if instruction.starts_with(b"COMMIT") {
        // Old buildah numbered the commit like a step; it is the end of the build.
        if let Some(build) = builds.current(Builder::Buildah) {
            build.touch(info);
            build.open_step = None;
            return true;
        }
        return false;
    }
    let (stage_index, stage_total) = stage_position.unwrap_or((1, 1));
    let first_step_of_build = index == 1 && stage_index <= 1;
    let continues = builds
        .current(Builder::Buildah)
        .is_some_and(|build| !(first_step_of_build && build.has_steps()));
    if !continues {
        builds.start(Builder::Buildah, info, clock);
        *state = BuildahState::default();
    }
    let Some(build) = builds.current(Builder::Buildah) else {
        return false;
    };
    build.touch(info);
    let instruction = trim(instruction);
    if index == 1 {
        state.stage = match from_alias(instruction) {
            Some(alias) => Some(owned_text(alias)),
            None if stage_total > 1 => Some(unnamed_stage(stage_index.saturating_sub(1))),
            None => None,
        };
    }
    if stage_position.is_some() {
        build.declared_stages = Some(stage_total);
    }
    let started = build.gap_clock();
    build.add_step(
        new_step(state.stage.clone(), Some(index), total, instruction),
        started,
    );
    true
}
