//! How a stored record and an incoming one combine. Pure, so the ordering rules are tested
//! without a database.
//!
//! The incoming record is *fresh* when its status ranks higher, or ranks the same and it did
//! not finish earlier. A fresh record's known fields win; a stale record only fills gaps.
//! Either way a known value is never replaced by "unknown".

use super::records::{JobRecord, PipelineRecord, Status};

fn is_fresh(stored: (&Status, Option<i64>), incoming: (&Status, Option<i64>)) -> bool {
    let (stored_rank, incoming_rank) = (stored.0.rank(), incoming.0.rank());
    incoming_rank > stored_rank
        || (incoming_rank == stored_rank && incoming.1.unwrap_or(0) >= stored.1.unwrap_or(0))
}

fn pick<T: Clone>(fresh: bool, stored: &Option<T>, incoming: &Option<T>) -> Option<T> {
    let (first, second) = if fresh {
        (incoming, stored)
    } else {
        (stored, incoming)
    };
    first.clone().or_else(|| second.clone())
}

pub fn merge_pipeline(stored: &PipelineRecord, incoming: &PipelineRecord) -> PipelineRecord {
    let fresh = is_fresh(
        (&stored.status, stored.finished_at_ms),
        (&incoming.status, incoming.finished_at_ms),
    );
    PipelineRecord {
        id: stored.id,
        project_id: stored.project_id,
        iid: pick(fresh, &stored.iid, &incoming.iid),
        git_ref: pick(fresh, &stored.git_ref, &incoming.git_ref),
        sha: pick(fresh, &stored.sha, &incoming.sha),
        source: pick(fresh, &stored.source, &incoming.source),
        status: if fresh {
            incoming.status.clone()
        } else {
            stored.status.clone()
        },
        created_at_ms: pick(fresh, &stored.created_at_ms, &incoming.created_at_ms),
        updated_at_ms: pick(fresh, &stored.updated_at_ms, &incoming.updated_at_ms),
        started_at_ms: pick(fresh, &stored.started_at_ms, &incoming.started_at_ms),
        finished_at_ms: pick(fresh, &stored.finished_at_ms, &incoming.finished_at_ms),
        duration_ms: pick(fresh, &stored.duration_ms, &incoming.duration_ms),
        queued_duration_ms: pick(
            fresh,
            &stored.queued_duration_ms,
            &incoming.queued_duration_ms,
        ),
        web_url: pick(fresh, &stored.web_url, &incoming.web_url),
        // Details stay synced only if the winning status is the one the details described.
        details_synced: if fresh && incoming.status != stored.status {
            incoming.details_synced
        } else {
            stored.details_synced || incoming.details_synced
        },
    }
}

pub fn merge_job(stored: &JobRecord, incoming: &JobRecord) -> JobRecord {
    let fresh = is_fresh(
        (&stored.status, stored.finished_at_ms),
        (&incoming.status, incoming.finished_at_ms),
    );
    JobRecord {
        id: stored.id,
        project_id: stored.project_id,
        pipeline_id: stored.pipeline_id,
        name: if fresh && !incoming.name.is_empty() {
            incoming.name.clone()
        } else {
            stored.name.clone()
        },
        stage: pick(fresh, &stored.stage, &incoming.stage),
        status: if fresh {
            incoming.status.clone()
        } else {
            stored.status.clone()
        },
        allow_failure: pick(fresh, &stored.allow_failure, &incoming.allow_failure),
        // Once retried, always retried: a retry is never undone.
        retried: match (stored.retried, incoming.retried) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (a, b) => pick(fresh, &a, &b),
        },
        created_at_ms: pick(fresh, &stored.created_at_ms, &incoming.created_at_ms),
        started_at_ms: pick(fresh, &stored.started_at_ms, &incoming.started_at_ms),
        finished_at_ms: pick(fresh, &stored.finished_at_ms, &incoming.finished_at_ms),
        duration_ms: pick(fresh, &stored.duration_ms, &incoming.duration_ms),
        queued_duration_ms: pick(
            fresh,
            &stored.queued_duration_ms,
            &incoming.queued_duration_ms,
        ),
        runner_id: pick(fresh, &stored.runner_id, &incoming.runner_id),
        runner_description: pick(
            fresh,
            &stored.runner_description,
            &incoming.runner_description,
        ),
        tag_list: pick(fresh, &stored.tag_list, &incoming.tag_list),
        web_url: pick(fresh, &stored.web_url, &incoming.web_url),
        artifacts_bytes: pick(fresh, &stored.artifacts_bytes, &incoming.artifacts_bytes),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn job(status: &str) -> JobRecord {
        JobRecord {
            id: 1,
            project_id: 2,
            pipeline_id: 3,
            name: "build".into(),
            status: status.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_late_running_event_never_overwrites_success() {
        let done = JobRecord {
            duration_ms: Some(90_000),
            finished_at_ms: Some(5_000),
            ..job("success")
        };
        let late = JobRecord {
            started_at_ms: Some(1_000),
            ..job("running")
        };
        let merged = merge_job(&done, &late);
        assert_eq!(merged.status, "success");
        assert_eq!(merged.duration_ms, Some(90_000));
        // A stale event still fills what was unknown.
        assert_eq!(merged.started_at_ms, Some(1_000));
    }

    #[test]
    fn fresh_events_fill_in_but_never_blank_out() {
        let running = JobRecord {
            started_at_ms: Some(1_000),
            runner_id: Some(7),
            ..job("running")
        };
        let done = JobRecord {
            duration_ms: Some(42_000),
            ..job("success")
        };
        let merged = merge_job(&running, &done);
        assert_eq!(merged.status, "success");
        assert_eq!(merged.started_at_ms, Some(1_000));
        assert_eq!(merged.runner_id, Some(7));
        assert_eq!(merged.duration_ms, Some(42_000));
    }

    #[test]
    fn a_retried_pipeline_can_go_from_failed_to_success_but_not_back() {
        let base = PipelineRecord {
            id: 1,
            project_id: 2,
            ..Default::default()
        };
        let failed = PipelineRecord {
            status: "failed".into(),
            finished_at_ms: Some(100),
            ..base.clone()
        };
        let success = PipelineRecord {
            status: "success".into(),
            finished_at_ms: Some(200),
            ..base.clone()
        };
        assert_eq!(merge_pipeline(&failed, &success).status, "success");
        assert_eq!(merge_pipeline(&success, &failed).status, "success");
        let rerunning = PipelineRecord {
            status: "running".into(),
            ..base
        };
        assert_eq!(merge_pipeline(&failed, &rerunning).status, "failed");
    }

    const STATUSES: [&str; 8] = [
        "created", "pending", "running", "manual", "success", "failed", "canceled", "skipped",
    ];

    fn arb_job() -> impl Strategy<Value = JobRecord> {
        (
            0..STATUSES.len(),
            proptest::option::of(0i64..1_000),
            proptest::option::of(0i64..1_000),
            any::<Option<bool>>(),
        )
            .prop_map(|(s, finished, duration, retried)| JobRecord {
                finished_at_ms: finished,
                duration_ms: duration,
                retried,
                ..job(STATUSES[s])
            })
    }

    proptest! {
        #[test]
        fn status_rank_never_decreases(a in arb_job(), b in arb_job()) {
            let merged = merge_job(&a, &b);
            prop_assert!(merged.status.rank() >= a.status.rank());
            prop_assert!(merged.status.rank() >= b.status.rank());
        }

        #[test]
        fn known_values_are_never_lost(a in arb_job(), b in arb_job()) {
            let merged = merge_job(&a, &b);
            prop_assert_eq!(merged.duration_ms.is_some(), a.duration_ms.is_some() || b.duration_ms.is_some());
            prop_assert_eq!(merged.finished_at_ms.is_some(), a.finished_at_ms.is_some() || b.finished_at_ms.is_some());
        }

        #[test]
        fn delivery_order_of_events_does_not_matter_for_the_final_status(events in proptest::collection::vec(arb_job(), 1..6)) {
            let forward = events.iter().skip(1).fold(events[0].clone(), |acc, e| merge_job(&acc, e));
            let backward = events.iter().rev().skip(1).fold(events[events.len() - 1].clone(), |acc, e| merge_job(&acc, e));
            prop_assert_eq!(forward.status.rank(), backward.status.rank());
        }

        #[test]
        fn merging_a_record_with_itself_changes_nothing(a in arb_job()) {
            prop_assert_eq!(merge_job(&a, &a), a);
        }
    }
}
