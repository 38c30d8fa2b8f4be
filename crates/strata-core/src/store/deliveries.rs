//! Webhook deliveries as received (`webhook_deliveries`): the raw payload kept for audit, the
//! delivery key making GitLab's retries idempotent.

use crate::{db::Tx, with_tx};

/// One delivery, as it is recorded.
#[derive(Clone, Copy, Debug)]
pub struct DeliveryRow<'a> {
    /// What identifies the delivery across GitLab's retries.
    pub key: &'a str,
    /// `X-Gitlab-Event`, e.g. `Pipeline Hook`.
    pub event: &'a str,
    pub event_uuid: Option<&'a str>,
    pub project_id: i64,
    /// The pipeline (Pipeline Hook) or job (Job Hook) the event is about.
    pub object_id: i64,
    pub received_ms: i64,
    pub payload: &'a str,
}

/// Record the delivery in the transaction; `false` when its key was recorded before (a
/// retry), and nothing is written then.
pub async fn insert_new(tx: &mut Tx, d: &DeliveryRow<'_>) -> sqlx::Result<bool> {
    const SQL: &str = "
        INSERT INTO webhook_deliveries
            (delivery_key, event, event_uuid, project_id, object_id, received_ms, outcome, payload)
        VALUES ($1, $2, $3, $4, $5, $6, 'stored', $7)
        ON CONFLICT (delivery_key) DO NOTHING";
    let inserted = with_tx!(tx, c => sqlx::query(SQL)
        .bind(d.key)
        .bind(d.event)
        .bind(d.event_uuid)
        .bind(d.project_id)
        .bind(d.object_id)
        .bind(d.received_ms)
        .bind(d.payload)
        .execute(c)
        .await?
        .rows_affected());
    Ok(inserted == 1)
}
