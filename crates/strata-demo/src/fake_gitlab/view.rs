//! A pipeline as GitLab would show it at the fake's clock: jobs that have not started yet
//! are `created` or `pending`, running ones have no `finished_at`, and the pipeline is
//! `running` until its last job is done.

use crate::scenario::model::{Job, Pipeline, SECOND, Status};

pub struct PipelineView<'a> {
    pub pipeline: &'a Pipeline,
    pub now_us: i64,
}

impl<'a> PipelineView<'a> {
    pub fn new(pipeline: &'a Pipeline, now_us: i64) -> PipelineView<'a> {
        PipelineView { pipeline, now_us }
    }

    pub fn done(&self) -> bool {
        self.pipeline.updated_us() <= self.now_us
    }

    pub fn status(&self) -> Status {
        if self.done() {
            self.pipeline.status()
        } else if self.started_us().is_some() {
            Status::Running
        } else {
            Status::Pending
        }
    }

    /// The last change at or before now.
    pub fn updated_us(&self) -> i64 {
        if self.done() {
            return self.pipeline.updated_us();
        }
        let events = self
            .pipeline
            .jobs
            .iter()
            .flat_map(|j| [j.queued_us, j.started_us, j.finished_us]);
        events
            .flatten()
            .filter(|&t| t <= self.now_us)
            .fold(self.pipeline.created_us, i64::max)
    }

    pub fn started_us(&self) -> Option<i64> {
        self.pipeline.started_us().filter(|&t| t <= self.now_us)
    }

    pub fn finished_us(&self) -> Option<i64> {
        self.pipeline.finished_us().filter(|_| self.done())
    }

    pub fn duration_s(&self) -> Option<i64> {
        self.pipeline.duration_s().filter(|_| self.done())
    }

    pub fn queued_duration_s(&self) -> Option<i64> {
        self.started_us().and(self.pipeline.queued_duration_s())
    }

    /// Jobs that exist at now (a retry attempt exists once its predecessor failed).
    pub fn jobs(&self, include_retried: bool) -> impl Iterator<Item = JobView<'a>> + '_ {
        self.pipeline
            .jobs
            .iter()
            .filter(move |j| j.created_us <= self.now_us && (include_retried || !j.retried))
            .map(|job| JobView {
                job,
                now_us: self.now_us,
                pipeline_done: self.done(),
            })
    }
}

pub struct JobView<'a> {
    pub job: &'a Job,
    pub now_us: i64,
    pub pipeline_done: bool,
}

impl JobView<'_> {
    pub fn status(&self) -> Status {
        let now = self.now_us;
        match self.job.status {
            Status::Skipped if !self.pipeline_done => Status::Created,
            Status::Success | Status::Failed => match (
                self.job.queued_us,
                self.job.started_us,
                self.job.finished_us,
            ) {
                (_, _, Some(f)) if f <= now => self.job.status,
                (_, Some(s), _) if s <= now => Status::Running,
                (Some(q), _, _) if q <= now => Status::Pending,
                _ => Status::Created,
            },
            other => other,
        }
    }

    pub fn started_us(&self) -> Option<i64> {
        self.job.started_us.filter(|&t| t <= self.now_us)
    }

    pub fn finished_us(&self) -> Option<i64> {
        self.job.finished_us.filter(|&t| t <= self.now_us)
    }

    /// Seconds run so far (GitLab reports a running job's elapsed time).
    pub fn duration_s(&self) -> Option<f64> {
        let start = self.started_us()?;
        let end = self.finished_us().unwrap_or(self.now_us);
        Some((end - start) as f64 / SECOND as f64)
    }

    /// Seconds waited for a runner (so far, while pending).
    pub fn queued_duration_s(&self) -> Option<f64> {
        let queued = self.job.queued_us.filter(|&t| t <= self.now_us)?;
        let until = self.started_us().unwrap_or(self.now_us);
        Some((until - queued) as f64 / SECOND as f64)
    }
}
