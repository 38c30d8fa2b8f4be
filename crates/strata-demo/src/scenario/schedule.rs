//! From drafts to timed jobs: stages run one after another, every job in a stage becomes
//! pending when the previous stage is done, waits its queue time, then runs its phases back
//! to back. A failed job (not allowed to fail) skips every later stage; a failed job with an
//! automatic retry is followed at once by a new attempt with a new id.

use super::{
    model::{Job, JobDraft, Outcome, SECOND, Status},
    noise::{DemoRng, around},
};

/// Time GitLab takes from creating the pipeline to the first stage's jobs being pending.
const FIRST_STAGE_DELAY_US: i64 = SECOND;
/// Time from a stage's last job finishing to the next stage's jobs being pending.
const STAGE_GAP_US: i64 = 800_000;

/// Give each draft an id and times. `drafts` are in stage order; ids are handed out in that
/// order from `first_job_id`, then to retry attempts. Returns the jobs in id order.
pub fn schedule(
    created_us: i64,
    first_job_id: i64,
    drafts: Vec<JobDraft>,
    rng: &mut DemoRng,
) -> Vec<Job> {
    let first_attempts = drafts.len() as i64;
    let mut next_retry_id = first_job_id + first_attempts;
    let mut jobs = Vec::with_capacity(drafts.len() + 2);
    let mut ready_us = created_us + around(rng, FIRST_STAGE_DELAY_US, 0.5);
    let mut blocked = false;
    let mut current_stage = None;
    let mut stage_end = ready_us;
    for (index, draft) in drafts.into_iter().enumerate() {
        if current_stage != Some(draft.stage) {
            if current_stage.is_some() {
                ready_us = stage_end + around(rng, STAGE_GAP_US, 0.6);
                stage_end = ready_us;
            }
            current_stage = Some(draft.stage);
        }
        let job_created = created_us + 30_000 + index as i64 * 4_000;
        let id = first_job_id + index as i64;
        if blocked || draft.outcome == Outcome::Manual {
            let status = if blocked {
                Status::Skipped
            } else {
                Status::Manual
            };
            jobs.push(untimed(id, draft, status, job_created));
            continue;
        }
        let mut attempt = draft;
        let mut attempt_id = id;
        let mut queued = ready_us + around(rng, 20_000, 0.5);
        let mut attempt_created = job_created;
        loop {
            let retry = attempt.retry.take();
            let job = run(attempt_id, attempt, attempt_created, queued);
            let finished = job.finished_us.unwrap_or(queued);
            stage_end = stage_end.max(finished);
            let failed = job.status == Status::Failed;
            let allowed = job.draft.allow_failure;
            match retry {
                Some(next) if failed => {
                    jobs.push(Job {
                        retried: true,
                        ..job
                    });
                    attempt = *next;
                    attempt_id = next_retry_id;
                    next_retry_id += 1;
                    attempt_created = finished + around(rng, 150_000, 0.5);
                    queued = attempt_created + around(rng, 30_000, 0.5);
                }
                _ => {
                    blocked |= failed && !allowed;
                    jobs.push(job);
                    break;
                }
            }
        }
    }
    jobs.sort_by_key(|j| j.id);
    jobs
}

fn run(id: i64, draft: JobDraft, created_us: i64, queued_us: i64) -> Job {
    let started = queued_us + draft.queue_us;
    let finished = started + draft.phases.iter().map(|p| p.duration_us).sum::<i64>();
    let status = match draft.outcome {
        Outcome::Failed { .. } => Status::Failed,
        _ => Status::Success,
    };
    Job {
        id,
        draft,
        status,
        retried: false,
        created_us,
        queued_us: Some(queued_us),
        started_us: Some(started),
        finished_us: Some(finished),
    }
}

fn untimed(id: i64, draft: JobDraft, status: Status, created_us: i64) -> Job {
    Job {
        id,
        draft,
        status,
        retried: false,
        created_us,
        queued_us: None,
        started_us: None,
        finished_us: None,
    }
}
