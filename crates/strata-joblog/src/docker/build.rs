//! A Docker build while it is being read, and the list of finished builds.
//! The builder-specific parsers feed steps and verdicts in; `finish` turns the
//! result into the reported [`DockerBuild`].

use super::super::clock::Clock;
use super::super::limits::{MAX_DOCKER_BUILDS, MAX_STEPS_PER_BUILD};
use super::super::model::{Builder, DockerBuild, DockerStep};

/// Where a builder line was seen.
#[derive(Debug, Clone, Copy)]
pub struct LineInfo {
    pub line: u64,
    /// Line timestamp (FF_TIMESTAMPS), epoch milliseconds.
    pub instant: Option<i64>,
}

struct StepInProgress {
    step: DockerStep,
    /// Start on the build's gap clock, for builders that print no step times.
    started: Option<i64>,
}

pub struct BuildInProgress {
    pub builder: Builder,
    line: u64,
    first_instant: Option<i64>,
    last_instant: Option<i64>,
    steps: Vec<StepInProgress>,
    dropped_steps: u32,
    /// The step that `Using cache` and similar follow-up lines refer to.
    pub open_step: Option<usize>,
    pub failed: bool,
    pub reported_success: bool,
    /// BuildKit plain: steps announced but not yet DONE/CACHED/ERROR.
    pub incomplete_steps: u32,
    /// BuildKit tty: the total from `[+] Building 12.3s`.
    pub builder_total_ms: Option<i64>,
    /// BuildKit plain: sum of every vertex's `DONE` time.
    pub vertex_time_ms: Option<i64>,
    /// Buildah/podman: the `n` of `[i/n] STEP`.
    pub declared_stages: Option<u32>,
    /// The clock used to time steps of builders that print no step times: line
    /// timestamps, or kaniko's own elapsed seconds.
    gap_clock_first: Option<i64>,
    gap_clock_last: Option<i64>,
}

impl BuildInProgress {
    fn new(builder: Builder, info: LineInfo) -> Self {
        let mut build = BuildInProgress {
            builder,
            line: info.line,
            first_instant: None,
            last_instant: None,
            steps: Vec::new(),
            dropped_steps: 0,
            open_step: None,
            failed: false,
            reported_success: false,
            incomplete_steps: 0,
            builder_total_ms: None,
            vertex_time_ms: None,
            declared_stages: None,
            gap_clock_first: None,
            gap_clock_last: None,
        };
        build.touch(info);
        build
    }

    /// Notes that a line belonging to this build was seen.
    pub fn touch(&mut self, info: LineInfo) {
        if let Some(instant) = info.instant {
            self.first_instant.get_or_insert(instant);
            self.last_instant = Some(instant);
            if self.builder != Builder::Kaniko {
                self.tick_gap_clock(instant);
            }
        }
    }

    /// Advances the clock that times steps (kaniko calls this with its elapsed time).
    pub fn tick_gap_clock(&mut self, now: i64) {
        self.gap_clock_first.get_or_insert(now);
        self.gap_clock_last = Some(now);
    }

    pub fn gap_clock(&self) -> Option<i64> {
        self.gap_clock_last
    }

    fn fills_gaps(&self) -> bool {
        matches!(
            self.builder,
            Builder::Classic | Builder::Buildah | Builder::Kaniko
        )
    }

    /// Adds a step and makes it the open one; `None` when the step cap is reached.
    pub fn add_step(&mut self, step: DockerStep, started: Option<i64>) -> Option<usize> {
        self.close_gap(started);
        if self.steps.len() >= MAX_STEPS_PER_BUILD {
            self.dropped_steps = self.dropped_steps.saturating_add(1);
            self.open_step = None;
            return None;
        }
        self.steps.push(StepInProgress { step, started });
        self.open_step = Some(self.steps.len() - 1);
        self.open_step
    }

    /// Ends the open step now (a stage boundary or the final push follows it).
    pub fn end_open_step(&mut self) {
        self.close_gap(self.gap_clock_last);
        self.open_step = None;
    }

    /// The previous step of a builder without step times ends where the next begins.
    fn close_gap(&mut self, now: Option<i64>) {
        if !self.fills_gaps() {
            return;
        }
        if let (Some(last), Some(now)) = (self.steps.last_mut(), now)
            && last.step.duration_ms.is_none()
            && let Some(started) = last.started
        {
            last.step.duration_ms = Some(now.saturating_sub(started).max(0));
        }
    }

    pub fn step_mut(&mut self, index: usize) -> Option<&mut DockerStep> {
        self.steps.get_mut(index).map(|s| &mut s.step)
    }

    pub fn open_step_mut(&mut self) -> Option<&mut DockerStep> {
        let index = self.open_step?;
        self.step_mut(index)
    }

    pub fn find_step(&self, matches: impl Fn(&DockerStep) -> bool) -> Option<usize> {
        self.steps.iter().position(|s| matches(&s.step))
    }

    pub fn has_steps(&self) -> bool {
        !self.steps.is_empty() || self.dropped_steps > 0
    }

    pub fn concluded(&self) -> bool {
        self.failed || self.reported_success
    }

    fn finish(mut self, clock: &Clock) -> (DockerBuild, u64) {
        self.close_gap(self.gap_clock_last);
        let instant_span = match (self.first_instant, self.last_instant) {
            (Some(first), Some(last)) => Some(last.saturating_sub(first).max(0)),
            _ => None,
        };
        let gap_clock_span = match (self.gap_clock_first, self.gap_clock_last) {
            (Some(first), Some(last)) => Some(last.saturating_sub(first).max(0)),
            _ => None,
        };
        let duration_ms = match self.builder {
            Builder::BuildkitTty => self.builder_total_ms.or(instant_span),
            Builder::Buildkit => instant_span.or(self.vertex_time_ms),
            Builder::Kaniko => gap_clock_span.or(instant_span),
            Builder::Classic | Builder::Buildah => instant_span,
        };
        let all_steps_completed = self.builder == Builder::Buildkit
            && !self.steps.is_empty()
            && self.incomplete_steps == 0;
        let succeeded = if self.failed {
            Some(false)
        } else if self.reported_success || all_steps_completed {
            Some(true)
        } else {
            None
        };
        let steps: Vec<DockerStep> = self.steps.into_iter().map(|s| s.step).collect();
        let mut stages: Vec<Option<&str>> = Vec::new();
        for step in &steps {
            let stage = step.stage.as_deref();
            if !stages.contains(&stage) {
                stages.push(stage);
            }
        }
        let distinct_stages = u32::try_from(stages.len()).unwrap_or(u32::MAX);
        let stored = u32::try_from(steps.len()).unwrap_or(u32::MAX);
        let build = DockerBuild {
            builder: self.builder,
            start_offset_ms: self.first_instant.map(|instant| clock.offset(instant)),
            stage_count: self
                .declared_stages
                .unwrap_or(distinct_stages)
                .max(distinct_stages.min(1)),
            step_count: stored.saturating_add(self.dropped_steps),
            cached_steps: u32::try_from(steps.iter().filter(|s| s.cached).count())
                .unwrap_or(u32::MAX),
            duration_ms,
            succeeded,
            line: self.line,
            steps,
        };
        (build, u64::from(self.dropped_steps))
    }
}

/// The build being read (at most one at a time) and the finished ones.
#[derive(Default)]
pub struct Builds {
    current: Option<BuildInProgress>,
    done: Vec<DockerBuild>,
    dropped_builds: u64,
    dropped_steps: u64,
}

impl Builds {
    /// The build in progress, if it is of this builder.
    pub fn current(&mut self, builder: Builder) -> Option<&mut BuildInProgress> {
        self.current
            .as_mut()
            .filter(|build| build.builder == builder)
    }

    pub fn current_any(&mut self) -> Option<&mut BuildInProgress> {
        self.current.as_mut()
    }

    /// Finishes the build in progress and starts a new one.
    pub fn start(
        &mut self,
        builder: Builder,
        info: LineInfo,
        clock: &Clock,
    ) -> &mut BuildInProgress {
        self.finish_current(clock);
        self.current.insert(BuildInProgress::new(builder, info))
    }

    pub fn finish_current(&mut self, clock: &Clock) {
        let Some(build) = self.current.take() else {
            return;
        };
        let (build, dropped_steps) = build.finish(clock);
        self.dropped_steps = self.dropped_steps.saturating_add(dropped_steps);
        if self.done.len() < MAX_DOCKER_BUILDS {
            self.done.push(build);
        } else {
            self.dropped_builds = self.dropped_builds.saturating_add(1);
            self.dropped_steps = self.dropped_steps.saturating_add(build.steps.len() as u64);
        }
    }

    pub fn into_parts(mut self, clock: &Clock) -> (Vec<DockerBuild>, u64, u64) {
        self.finish_current(clock);
        (self.done, self.dropped_builds, self.dropped_steps)
    }
}
