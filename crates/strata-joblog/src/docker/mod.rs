//! Docker image builds inside the job script: BuildKit (plain and TTY progress),
//! the classic builder, kaniko and buildah/podman. Each builder module knows its
//! own output; this module decides cheaply which lines are worth showing them.
//!
//! Most script output is compiler and test chatter, so a line is only cleaned of
//! escapes and handed on when its first bytes look like builder output. At most
//! one build is read at a time; a build ends when another starts, when its builder
//! says so, or when the top-level section it ran in ends.

mod build;
mod buildah;
mod buildkit_plain;
mod buildkit_tty;
mod classic;
mod common;
mod kaniko;

pub use build::LineInfo;

use super::ansi::strip_into;
use super::clock::Clock;
use super::model::{Builder, DockerBuild};
use super::text::{starts_with_ignore_case, trim};
use build::Builds;

#[derive(Default)]
pub struct DockerTracker {
    builds: Builds,
    plain: buildkit_plain::PlainState,
    tty: buildkit_tty::TtyState,
    classic: classic::ClassicState,
    kaniko: kaniko::KanikoState,
    buildah: buildah::BuildahState,
    scratch: Vec<u8>,
}

/// Prefixes (after at most one leading blank) of every line some builder parser reads.
pub fn may_be_builder_output(text: &[u8]) -> bool {
    let Some(first) = text.first() else {
        return false;
    };
    match first {
        b'#' => text.get(1).is_some_and(u8::is_ascii_digit),
        b'=' => text.starts_with(b"=> "),
        b'[' => text.starts_with(b"[+] Building ") || text.get(1).is_some_and(u8::is_ascii_digit),
        b'S' => {
            text.starts_with(b"Step ")
                || text.starts_with(b"STEP ")
                || text.starts_with(b"Successfully ")
        }
        b'-' => text.starts_with(b"---> ") || text.starts_with(b"--> "),
        b'C' => text.starts_with(b"COMMIT"),
        // `The command … returned a non-zero code` or kaniko's `TRAC[…]`.
        b'T' => text.starts_with(b"The command ") || logrus_level(text),
        // kaniko's logrus levels: INFO[…], WARN[…], FATA[…], DEBU[…], PANI[…].
        b'I' | b'W' | b'F' | b'D' | b'P' => logrus_level(text),
        b'E' | b'e' => logrus_level(text) || starts_with_ignore_case(text, b"error"),
        _ => false,
    }
}

/// `INFO[` — or `INFO\e[0m[` when logrus coloured the level.
fn logrus_level(text: &[u8]) -> bool {
    matches!(text.get(4), Some(b'[' | 0x1b))
}

/// Builders indent their lines by one blank at most (classic ` ---> `, BuildKit
/// TTY ` => `); more indentation is something else (test output, a pretty-printer).
pub fn without_one_blank(text: &[u8]) -> &[u8] {
    match text.first() {
        Some(b' ' | b'\t') => text.get(1..).unwrap_or_default(),
        _ => text,
    }
}

impl DockerTracker {
    /// `lead` is a line with its leading escape sequences already skipped.
    pub fn on_line(&mut self, lead: &[u8], info: LineInfo, clock: &Clock) {
        let quick = without_one_blank(lead);
        if !may_be_builder_output(quick) {
            return;
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        strip_into(quick, &mut scratch);
        self.dispatch(trim(&scratch), info, clock);
        self.scratch = scratch;
    }

    fn dispatch(&mut self, text: &[u8], info: LineInfo, clock: &Clock) {
        let builds = &mut self.builds;
        let handled = match text.first() {
            Some(b'#') => buildkit_plain::handle(text, info, builds, &mut self.plain, clock),
            Some(b'=') => buildkit_tty::handle(text, info, builds, &mut self.tty, clock),
            Some(b'[') => {
                buildkit_tty::handle(text, info, builds, &mut self.tty, clock)
                    || buildah::handle(text, info, builds, &mut self.buildah, clock)
            }
            Some(b'-') => {
                classic::handle(text, info, builds, &mut self.classic, clock)
                    || buildah::handle(text, info, builds, &mut self.buildah, clock)
            }
            _ => {
                classic::handle(text, info, builds, &mut self.classic, clock)
                    || buildah::handle(text, info, builds, &mut self.buildah, clock)
                    || kaniko::handle(text, info, builds, &mut self.kaniko, clock)
            }
        };
        if !handled {
            buildkit_failure(text, info, builds);
        }
    }

    /// A top-level section ended or started: no build continues across it.
    pub fn section_boundary(&mut self, clock: &Clock) {
        self.builds.finish_current(clock);
    }

    pub fn into_parts(self, clock: &Clock) -> (Vec<DockerBuild>, u64, u64) {
        self.builds.into_parts(clock)
    }
}

/// `ERROR: failed to solve: …` (docker/buildx) or `error: failed to solve: …` (buildctl)
/// ends a BuildKit build of either progress style in failure.
fn buildkit_failure(text: &[u8], info: LineInfo, builds: &mut Builds) {
    let is_failure = starts_with_ignore_case(text, b"error: failed to solve")
        || starts_with_ignore_case(text, b"error: failed to build");
    if !is_failure {
        return;
    }
    if let Some(build) = builds.current_any()
        && matches!(build.builder, Builder::Buildkit | Builder::BuildkitTty)
    {
        build.touch(info);
        build.failed = true;
    }
}
