//! GitLab's pipeline and job statuses, ordered so that a status only ever moves forward.
//!
//! Webhooks arrive out of order and sync may read a page that is older than a webhook already
//! stored: a late `running` must never overwrite `success`. Statuses rank by how far along
//! the lifecycle they are; terminal statuses share the top rank, and among equal ranks the
//! record that finished later wins (a retried pipeline goes from `failed` to `success`).

/// The rank of a status: higher is further along. Unknown statuses rank with `created`, so a
/// status GitLab adds later can never block a known terminal one.
pub fn rank(status: &str) -> i64 {
    match status {
        "created" => 0,
        "waiting_for_resource" | "waiting_for_callback" => 1,
        "preparing" => 2,
        "scheduled" | "manual" => 3,
        "pending" => 4,
        "running" => 5,
        "canceling" => 6,
        _ if is_terminal(status) => TERMINAL,
        _ => 0,
    }
}

/// The rank every finished status shares.
pub const TERMINAL: i64 = 9;

/// Statuses after which nothing more happens to a job (until a retry makes a new one).
pub fn is_terminal(status: &str) -> bool {
    matches!(status, "success" | "failed" | "canceled" | "skipped")
}

/// Whether a job's log may hold anything worth reading: it ran and ended.
pub fn has_log(status: &str) -> bool {
    matches!(status, "success" | "failed" | "canceled")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_moves_forward() {
        let order = ["created", "pending", "running", "success"];
        for pair in order.windows(2) {
            assert!(rank(pair[0]) < rank(pair[1]), "{pair:?}");
        }
        assert_eq!(rank("failed"), rank("success"));
        assert_eq!(rank("canceled"), TERMINAL);
        assert!(rank("manual") < rank("pending"));
    }

    #[test]
    fn unknown_statuses_never_outrank_known_ones() {
        assert_eq!(rank("some_future_status"), 0);
        assert!(!is_terminal("some_future_status"));
        assert!(has_log("failed") && !has_log("skipped") && !has_log("manual"));
    }
}
