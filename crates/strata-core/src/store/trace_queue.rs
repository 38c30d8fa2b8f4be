//! The persistent queue of job logs still to fetch and analyse.
//!
//! A finished job enters once ([`enqueue_if_finished`]); workers [`claim`] a batch under a
//! lease, so a crashed worker's jobs come back when the lease runs out. On PostgreSQL several
//! replicas claim concurrently with `FOR UPDATE SKIP LOCKED` and never take the same job.

use crate::{
    db::{Backend, Db, Tx},
    with_pool, with_tx,
};

/// A job log waiting to be fetched.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct QueuedTrace {
    pub job_id: i64,
    pub project_id: i64,
    /// Claims so far, this one included.
    pub attempts: i64,
}

/// Queue a job's log if the job has finished with a log and was never queued or analysed.
/// Returns whether it was queued now.
pub async fn enqueue_if_finished(tx: &mut Tx, job_id: i64, now_ms: i64) -> sqlx::Result<bool> {
    const MARK: &str = "
        UPDATE jobs SET trace_status = 'queued'
        WHERE id = $1 AND trace_status = 'none' AND status IN ('success', 'failed', 'canceled')";
    const QUEUE: &str = "
        INSERT INTO trace_queue (job_id, project_id, enqueued_ms, attempts, next_attempt_ms)
        SELECT id, project_id, $2, 0, $2 FROM jobs WHERE id = $1
        ON CONFLICT (job_id) DO NOTHING";
    let marked =
        with_tx!(tx, c => sqlx::query(MARK).bind(job_id).execute(c).await?.rows_affected());
    if marked == 0 {
        return Ok(false);
    }
    with_tx!(tx, c => sqlx::query(QUEUE).bind(job_id).bind(now_ms).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(true)
}

/// Take up to `limit` due jobs for `lease_ms`; none of them is handed to anyone else until
/// the lease ends or the job is finished or rescheduled.
pub async fn claim(
    db: &Db,
    limit: i64,
    lease_ms: i64,
    now_ms: i64,
) -> sqlx::Result<Vec<QueuedTrace>> {
    let skip_locked = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE trace_queue SET leased_until_ms = $1, attempts = attempts + 1
         WHERE job_id IN (
             SELECT job_id FROM trace_queue
             WHERE next_attempt_ms <= $2 AND (leased_until_ms IS NULL OR leased_until_ms <= $2)
             ORDER BY next_attempt_ms, job_id
             LIMIT $3{skip_locked})
         RETURNING job_id, project_id, attempts"
    );
    let mut tx = db.begin().await?;
    let mut claimed: Vec<QueuedTrace> = with_tx!(&mut tx, c => {
        sqlx::query_as(&sql).bind(now_ms + lease_ms).bind(now_ms).bind(limit).fetch_all(c).await?
    });
    tx.commit().await?;
    claimed.sort_by_key(|q| q.job_id);
    Ok(claimed)
}

/// The logs were analysed (the analyses are stored in the same transaction by the caller).
pub async fn finish(tx: &mut Tx, job_ids: &[i64]) -> sqlx::Result<()> {
    super::execute_for_ids(tx, "DELETE FROM trace_queue WHERE job_id", job_ids).await?;
    Ok(())
}

/// Try again at `next_attempt_ms` (after a transient failure: outage, rate limit).
pub async fn retry_later(
    db: &Db,
    job_id: i64,
    error: &str,
    next_attempt_ms: i64,
) -> sqlx::Result<()> {
    const SQL: &str = "
        UPDATE trace_queue SET leased_until_ms = NULL, next_attempt_ms = $2, last_error = $3
        WHERE job_id = $1";
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, c => sqlx::query(SQL).bind(job_id).bind(next_attempt_ms).bind(error).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// Stop trying: the log is gone (`unavailable`) or cannot be read (`failed`).
pub async fn give_up(db: &Db, job_id: i64, trace_status: &str, error: &str) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM trace_queue WHERE job_id = $1").bind(job_id).execute(&mut *c).await?.rows_affected();
        sqlx::query("UPDATE jobs SET trace_status = $2 WHERE id = $1").bind(job_id).bind(trace_status).execute(&mut *c).await?.rows_affected();
    });
    tracing::warn!(job_id, trace_status, error, "gave up on a job log");
    tx.commit().await
}

/// How many logs wait, and since when the oldest has waited (epoch ms).
pub async fn depth(db: &Db) -> sqlx::Result<(i64, Option<i64>)> {
    const SQL: &str = "SELECT COUNT(*), MIN(enqueued_ms) FROM trace_queue";
    with_pool!(db.pool(), p => sqlx::query_as::<_, (i64, Option<i64>)>(SQL).fetch_one(p).await)
}

/// The jobs' logs are analysed: what the dashboards show for them.
pub async fn mark_analysed(tx: &mut Tx, job_ids: &[i64]) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE jobs SET trace_status = 'analysed' WHERE id";
    super::execute_for_ids(tx, SQL, job_ids).await?;
    Ok(())
}
