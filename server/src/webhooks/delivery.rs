//! Storing a delivery: the raw payload and everything it says, in one transaction, exactly
//! once.
//!
//! The delivery row is inserted first with `ON CONFLICT (delivery_key) DO NOTHING`. If it
//! already existed nothing else is touched; otherwise the project, pipeline and jobs are
//! upserted with the same order-proof merges that sync uses, and finished jobs enter the
//! trace queue. The answer goes out only after the commit (the endpoint commits through
//! [`super::committer`]), so a 2xx always means "durable".

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};
use strata_core::db::{Db, Tx};

use super::to_records::Records;
use strata_core::store::{
    deliveries::{self, DeliveryRow},
    records::ProjectRecord,
    trace_queue, writes,
};

/// What identifies a delivery across GitLab's retries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryKey {
    pub key: String,
    pub event_uuid: Option<String>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// `Idempotency-Key` (GitLab 17.4+, stable across retries), else `X-Gitlab-Event-UUID`, else
/// the body's SHA-256: a prefix says which, so keys of different kinds never collide.
pub fn delivery_key(headers: &HeaderMap, body: &[u8]) -> DeliveryKey {
    let event_uuid = header(headers, "x-gitlab-event-uuid").map(str::to_owned);
    let key = if let Some(k) = header(headers, "idempotency-key") {
        format!("idempotency:{k}")
    } else if let Some(uuid) = &event_uuid {
        format!("event-uuid:{uuid}")
    } else {
        format!("sha256:{}", hex::encode(Sha256::digest(body)))
    };
    DeliveryKey { key, event_uuid }
}

/// One delivery as received.
pub struct Delivery<'a> {
    pub key: &'a DeliveryKey,
    pub event: &'a str,
    pub payload: &'a str,
    pub received_ms: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Stored {
        jobs_changed: usize,
        logs_queued: usize,
    },
    Duplicate,
}

/// Write the delivery and its records; `Duplicate` (and no change at all) when its key was
/// seen before.
#[tracing::instrument(skip_all, fields(key = %delivery.key.key, event = delivery.event, object_id = records.object_id))]
pub async fn store(db: &Db, delivery: &Delivery<'_>, records: &Records) -> sqlx::Result<Outcome> {
    let mut tx = db.begin().await?;
    let outcome = store_in(&mut tx, delivery, records).await?;
    if outcome != Outcome::Duplicate {
        tx.commit().await?;
    }
    Ok(outcome)
}

/// [`store`] inside the caller's transaction.
pub async fn store_in(
    tx: &mut Tx,
    delivery: &Delivery<'_>,
    records: &Records,
) -> sqlx::Result<Outcome> {
    let row = DeliveryRow {
        key: &delivery.key.key,
        event: delivery.event,
        event_uuid: delivery.key.event_uuid.as_deref(),
        project_id: records.project.id,
        object_id: records.object_id,
        received_ms: delivery.received_ms,
        payload: delivery.payload,
    };
    if !deliveries::insert_new(tx, &row).await? {
        return Ok(Outcome::Duplicate);
    }
    let now = delivery.received_ms;
    register_project(tx, &records.project, records.project_authoritative, now).await?;
    writes::upsert_pipeline(tx, &records.pipeline, now).await?;
    let (mut jobs_changed, mut logs_queued) = (0, 0);
    for job in &records.jobs {
        if writes::upsert_job(tx, job, now).await?.changed() {
            jobs_changed += 1;
        }
        if job.status.has_log() && trace_queue::enqueue_if_finished(tx, job.id, now).await? {
            logs_queued += 1;
        }
    }
    Ok(Outcome::Stored {
        jobs_changed,
        logs_queued,
    })
}

/// GitLab's own project object refreshes the stored project; a project pieced together from
/// a Job Hook's leftovers only registers one that is unknown.
async fn register_project(
    tx: &mut Tx,
    project: &ProjectRecord,
    authoritative: bool,
    now_ms: i64,
) -> sqlx::Result<()> {
    if authoritative {
        writes::upsert_project(tx, project, now_ms)
            .await
            .map(|_| ())
    } else {
        writes::insert_project_if_unknown(tx, project, now_ms).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_prefers_idempotency_then_event_uuid_then_the_body_hash() {
        let mut h = HeaderMap::new();
        let by_hash = delivery_key(&h, b"{}");
        assert_eq!(
            by_hash.key,
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        h.insert("x-gitlab-event-uuid", "e-1".parse().unwrap());
        assert_eq!(delivery_key(&h, b"{}").key, "event-uuid:e-1");
        h.insert("idempotency-key", "i-1".parse().unwrap());
        let key = delivery_key(&h, b"{}");
        assert_eq!(key.key, "idempotency:i-1");
        assert_eq!(key.event_uuid.as_deref(), Some("e-1"));
    }
}
