//! BuildKit's TTY progress (`--progress=tty`, or a log captured from a terminal):
//!
//! ```text
//! [+] Building 0.7s (6/6) FINISHED
//!  => CACHED [1/2] FROM docker.io/library/alpine:3.2@sha256:e9a2035f9d0d7ce  0.0s
//!  => [builder 3/6] RUN npm ci                                              12.3s
//!  => ERROR [2/2] RUN false                                                  0.4s
//!  => => transferring context: 2B                                           0.0s
//! ```
//!
//! The screen is redrawn many times while the build runs; every frame starts with
//! `[+] Building`, so frames up to the one marked FINISHED are one build and a step
//! seen again in a later frame updates the earlier entry instead of adding one.

use super::super::clock::Clock;
use super::super::model::Builder;
use super::super::text::{contains, owned_text, seconds_to_ms, trim, trim_end};
use super::build::{Builds, LineInfo};
use super::buildkit_plain::step_label;
use super::common::new_step;

#[derive(Default)]
pub struct TtyState {
    /// The last frame header said FINISHED: the next header starts a new build.
    finished: bool,
}

pub fn handle(
    text: &[u8],
    info: LineInfo,
    builds: &mut Builds,
    state: &mut TtyState,
    clock: &Clock,
) -> bool {
    if let Some(rest) = text.strip_prefix(b"[+] Building ") {
        frame_header(rest, info, builds, state, clock);
        return true;
    }
    let Some(rest) = text.strip_prefix(b"=> ") else {
        return false;
    };
    let Some(build) = builds.current(Builder::BuildkitTty) else {
        return false;
    };
    build.touch(info);
    if rest.starts_with(b"=> ") {
        return true;
    }
    let (cached, rest) = match rest.strip_prefix(b"CACHED ") {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let (failed, rest) = match rest.strip_prefix(b"ERROR ") {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    build.failed |= failed;
    let Some(bracketed) = rest.strip_prefix(b"[") else {
        return true;
    };
    let Some(close) = bracketed.iter().position(|b| *b == b']') else {
        return true;
    };
    let Some((stage, index, total)) = step_label(bracketed.get(..close).unwrap_or_default()) else {
        return true;
    };
    let (instruction, duration_ms) =
        split_trailing_time(bracketed.get(close + 1..).unwrap_or_default());
    let stage = stage.map(owned_text);
    let existing = build.find_step(|step| {
        step.step_index == Some(index) && step.step_total == Some(total) && step.stage == stage
    });
    let step_index = match existing {
        Some(found) => Some(found),
        None => build.add_step(
            new_step(stage, Some(index), Some(total), instruction),
            info.instant,
        ),
    };
    if let Some(step) = step_index.and_then(|found| build.step_mut(found)) {
        step.cached = cached;
        step.failed |= failed;
        if duration_ms.is_some() {
            step.duration_ms = duration_ms;
        }
    }
    true
}

fn frame_header(
    rest: &[u8],
    info: LineInfo,
    builds: &mut Builds,
    state: &mut TtyState,
    clock: &Clock,
) {
    let seconds_end = rest.iter().position(|b| *b == b' ').unwrap_or(rest.len());
    let total_ms = rest.get(..seconds_end).and_then(seconds_to_ms);
    let finished = contains(rest, b"FINISHED");
    let continues = builds.current(Builder::BuildkitTty).is_some() && !state.finished;
    if !continues {
        builds.start(Builder::BuildkitTty, info, clock);
    }
    let Some(build) = builds.current(Builder::BuildkitTty) else {
        return;
    };
    build.touch(info);
    if total_ms.is_some() {
        build.builder_total_ms = total_ms;
    }
    build.reported_success |= finished;
    state.finished = finished;
}

/// `RUN npm ci        12.3s` → (`RUN npm ci`, Some(12300)). The time column is
/// padded with at least two blanks, which keeps `RUN sleep 5s` an instruction.
fn split_trailing_time(body: &[u8]) -> (&[u8], Option<i64>) {
    let body = trim_end(body);
    let Some(space) = body.iter().rposition(u8::is_ascii_whitespace) else {
        return (trim(body), None);
    };
    let padded = space > 0 && body.get(space - 1).is_some_and(u8::is_ascii_whitespace);
    match body.get(space + 1..).and_then(seconds_to_ms) {
        Some(ms) if padded && body.ends_with(b"s") => {
            (trim(body.get(..space).unwrap_or_default()), Some(ms))
        }
        _ => (trim(body), None),
    }
}

#[cfg(test)]
mod tests {
    use super::split_trailing_time;

    #[test]
    fn trailing_times() {
        assert_eq!(
            split_trailing_time(b" RUN apk add --no-cache socat      0.0s"),
            (&b"RUN apk add --no-cache socat"[..], Some(0))
        );
        assert_eq!(
            split_trailing_time(b" RUN sleep 5"),
            (&b"RUN sleep 5"[..], None)
        );
        assert_eq!(
            split_trailing_time(b" RUN echo 5"),
            (&b"RUN echo 5"[..], None)
        );
        assert_eq!(
            split_trailing_time(b" RUN sleep 5s"),
            (&b"RUN sleep 5s"[..], None)
        );
        assert_eq!(
            split_trailing_time(b" RUN sleep 5s  1.0s"),
            (&b"RUN sleep 5s"[..], Some(1000))
        );
    }
}
