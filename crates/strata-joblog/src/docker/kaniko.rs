//! Kaniko (`/kaniko/executor`), which logs through logrus with the seconds since
//! it started in brackets:
//!
//! ```text
//! INFO[0001] Resolved base name golang:1.22 to builder
//! INFO[0002] Building stage 'golang:1.22' [idx: '0', base-idx: '-1']
//! INFO[0002] Using caching version of cmd: RUN go mod download
//! INFO[0002] No cached layer found for cmd RUN go build -o /app
//! INFO[0009] RUN go mod download        ← the step runs (here: from the cache)
//! INFO[0010] Found cached layer, extracting to filesystem
//! INFO[0012] RUN go build -o /app
//! INFO[0040] Pushed registry.example.com/app@sha256:…
//! error building image: error building stage: failed to execute command: …
//! ```
//!
//! Cache lookups for a stage are printed before its steps run, so a step is cached
//! when its command was announced with `Using caching version of cmd:` (or followed
//! by `Found cached layer`). Kaniko prints no step times; a step lasts until the
//! next step, stage or push on kaniko's own elapsed clock. A build only starts on a message that
//! only kaniko prints, so other logrus output is not mistaken for one.

use super::super::clock::Clock;
use super::super::model::Builder;
use super::super::text::{find, leading_number, owned_text, starts_with_ignore_case, trim};
use super::build::{Builds, LineInfo};
use super::common::{new_step, unnamed_stage};

/// At most this many pending `Using caching version` commands are remembered.
const MAX_PENDING_CACHED: usize = 64;

const INSTRUCTIONS: [&[u8]; 17] = [
    b"RUN ",
    b"COPY ",
    b"ADD ",
    b"WORKDIR ",
    b"ENV ",
    b"ARG ",
    b"EXPOSE ",
    b"CMD ",
    b"ENTRYPOINT ",
    b"USER ",
    b"LABEL ",
    b"VOLUME ",
    b"SHELL ",
    b"HEALTHCHECK ",
    b"STOPSIGNAL ",
    b"ONBUILD ",
    b"MAINTAINER ",
];

const BUILD_OPENERS: [&[u8]; 8] = [
    b"Resolved base name ",
    b"Using dockerignore file",
    b"Retrieving image manifest ",
    b"Building stage '",
    b"Executing 0 build triggers",
    b"Checking for cached layer ",
    b"Using caching version of cmd: ",
    b"No cached layer found for cmd ",
];

#[derive(Default)]
pub struct KanikoState {
    aliases: Vec<(Vec<u8>, Vec<u8>)>,
    stage: Option<String>,
    steps_in_stage: u32,
    cached_commands: Vec<Vec<u8>>,
}

/// logrus' level names as its text formatter prints them.
const LEVELS: [&[u8]; 7] = [
    b"INFO", b"WARN", b"ERRO", b"FATA", b"DEBU", b"TRAC", b"PANI",
];

/// `INFO[0012] message` → (level, elapsed ms if numeric, message).
fn split_level(text: &[u8]) -> Option<(&[u8], Option<i64>, &[u8])> {
    let level = text.get(..4)?;
    if !LEVELS.contains(&level) {
        return None;
    }
    let inner = text.get(4..)?.strip_prefix(b"[")?;
    let close = inner.iter().position(|b| *b == b']')?;
    let stamp = inner.get(..close)?;
    let elapsed = match leading_number(stamp) {
        Some((seconds, [])) => i64::try_from(seconds).ok().map(|s| s.saturating_mul(1000)),
        _ => None,
    };
    Some((level, elapsed, trim(inner.get(close + 1..)?)))
}

pub fn handle(
    text: &[u8],
    info: LineInfo,
    builds: &mut Builds,
    state: &mut KanikoState,
    clock: &Clock,
) -> bool {
    let Some((level, elapsed, message)) = split_level(text) else {
        return failure_line(text, info, builds);
    };
    let opens = BUILD_OPENERS
        .iter()
        .any(|opener| message.starts_with(opener));
    let continues = builds
        .current(Builder::Kaniko)
        .is_some_and(|build| !(opens && build.concluded()));
    if !continues {
        if !opens {
            return false;
        }
        builds.start(Builder::Kaniko, info, clock);
        *state = KanikoState::default();
    }
    let Some(build) = builds.current(Builder::Kaniko) else {
        return false;
    };
    build.touch(info);
    if let Some(elapsed) = elapsed {
        build.tick_gap_clock(elapsed);
    }
    if level == b"ERRO" || level == b"FATA" || level == b"PANI" {
        build.failed = true;
        if let Some(step) = build.open_step_mut() {
            step.failed = true;
        }
    } else if let Some(rest) = message.strip_prefix(b"Resolved base name ") {
        if let Some(at) = find(rest, b" to ") {
            let base = rest.get(..at).unwrap_or_default().to_vec();
            let alias = rest.get(at + 4..).map(trim).unwrap_or_default().to_vec();
            if state.aliases.len() < MAX_PENDING_CACHED {
                state.aliases.push((base, alias));
            }
        }
    } else if let Some(rest) = message.strip_prefix(b"Building stage '") {
        let base = rest
            .iter()
            .position(|b| *b == b'\'')
            .and_then(|end| rest.get(..end))
            .unwrap_or_default();
        let index = find(rest, b"[idx: '")
            .and_then(|at| rest.get(at + 7..))
            .and_then(leading_number)
            .and_then(|(index, _)| u32::try_from(index).ok())
            .unwrap_or(0);
        let alias = state
            .aliases
            .iter()
            .position(|(aliased, _)| aliased == base)
            .map(|at| state.aliases.remove(at).1);
        state.stage = Some(alias.map_or_else(|| unnamed_stage(index), |alias| owned_text(&alias)));
        state.steps_in_stage = 0;
        build.end_open_step();
    } else if let Some(command) = message.strip_prefix(b"Using caching version of cmd: ") {
        if state.cached_commands.len() < MAX_PENDING_CACHED {
            state.cached_commands.push(trim(command).to_vec());
        }
    } else if message.starts_with(b"Found cached layer") {
        if let Some(step) = build.open_step_mut() {
            step.cached = true;
        }
    } else if message.starts_with(b"Pushing image to ") {
        build.end_open_step();
    } else if message.starts_with(b"Pushed ") || message.starts_with(b"Skipping push") {
        build.end_open_step();
        build.reported_success = true;
    } else if INSTRUCTIONS
        .iter()
        .any(|instruction| message.starts_with(instruction))
    {
        state.steps_in_stage = state.steps_in_stage.saturating_add(1);
        let cached_at = state
            .cached_commands
            .iter()
            .position(|command| command.as_slice() == message);
        let cached = cached_at
            .map(|at| state.cached_commands.remove(at))
            .is_some();
        let started = build.gap_clock();
        let mut step = new_step(
            state.stage.clone(),
            Some(state.steps_in_stage),
            None,
            message,
        );
        step.cached = cached;
        build.add_step(step, started);
    }
    true
}

/// Kaniko's last words when a build fails are not logrus-formatted.
fn failure_line(text: &[u8], info: LineInfo, builds: &mut Builds) -> bool {
    if !starts_with_ignore_case(text, b"error building image") {
        return false;
    }
    let Some(build) = builds.current(Builder::Kaniko) else {
        return false;
    };
    build.touch(info);
    build.failed = true;
    if let Some(step) = build.open_step_mut() {
        step.failed = true;
    }
    true
}
