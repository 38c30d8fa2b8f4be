//! Sync's bookkeeping in the database: the per-project watermark (`sync_state`) and what is
//! already stored of a page of pipelines, so unchanged ones cost no further requests.

use std::collections::HashMap;

use crate::{db::Db, with_pool, with_tx};

/// What decides whether a listed pipeline needs fetching again.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredVersion {
    pub id: i64,
    pub status: String,
    pub updated_at_ms: Option<i64>,
    pub details_synced: bool,
}

/// The updated_at (epoch ms) up to which every pipeline of the project is stored.
#[tracing::instrument(skip(db))]
pub async fn watermark(db: &Db, project_id: i64) -> sqlx::Result<Option<i64>> {
    const SQL: &str = "SELECT watermark_ms FROM sync_state WHERE project_id = $1";
    let row: Option<(Option<i64>,)> =
        with_pool!(db.pool(), p => sqlx::query_as(SQL).bind(project_id).fetch_optional(p).await)?;
    Ok(row.and_then(|(w,)| w))
}

#[tracing::instrument(skip(db))]
pub async fn mark_started(db: &Db, project_id: i64, now_ms: i64) -> sqlx::Result<()> {
    const SQL: &str = "
        INSERT INTO sync_state (project_id, last_started_ms) VALUES ($1, $2)
        ON CONFLICT (project_id) DO UPDATE SET last_started_ms = excluded.last_started_ms";
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, c => sqlx::query(SQL).bind(project_id).bind(now_ms).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// A page is stored: move the watermark up to its newest `updated_at` (never down) and count
/// the pipelines it wrote.
#[tracing::instrument(skip(db))]
pub async fn advance(
    db: &Db,
    project_id: i64,
    watermark_ms: i64,
    pipelines_written: i64,
) -> sqlx::Result<()> {
    const SQL: &str = "
        UPDATE sync_state SET
            watermark_ms = CASE WHEN watermark_ms IS NULL OR watermark_ms < $2 THEN $2 ELSE watermark_ms END,
            pipelines_seen = pipelines_seen + $3
        WHERE project_id = $1";
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, c => sqlx::query(SQL).bind(project_id).bind(watermark_ms).bind(pipelines_written).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// The run ended: `error` is `None` when it completed.
#[tracing::instrument(skip(db, error))]
pub async fn mark_finished(
    db: &Db,
    project_id: i64,
    now_ms: i64,
    error: Option<&str>,
) -> sqlx::Result<()> {
    const SQL: &str = "
        UPDATE sync_state SET
            last_finished_ms = CASE WHEN CAST($3 AS TEXT) IS NULL THEN $2 ELSE last_finished_ms END,
            last_error = $3
        WHERE project_id = $1";
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, c => sqlx::query(SQL).bind(project_id).bind(now_ms).bind(error).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// The stored status, `updated_at` and details flag of those of `ids` that are stored.
#[tracing::instrument(skip_all, fields(pipelines = ids.len()))]
pub async fn stored_versions(db: &Db, ids: &[i64]) -> sqlx::Result<HashMap<i64, StoredVersion>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT id, status, updated_at_ms, details_synced FROM pipelines WHERE id IN ({})",
        placeholders.join(", ")
    );
    let rows: Vec<StoredVersion> = with_pool!(db.pool(), p => {
        let mut query = sqlx::query_as(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(p).await
    })?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// `(project id, project path, last finished sync)` of every project synced to the end at
/// least once, by project id.
pub async fn last_finished(db: &Db) -> sqlx::Result<Vec<(i64, String, i64)>> {
    const SQL: &str = "SELECT s.project_id, p.path, s.last_finished_ms
        FROM sync_state s JOIN projects p ON p.id = s.project_id
        WHERE s.last_finished_ms IS NOT NULL ORDER BY s.project_id";
    with_pool!(db.pool(), p => sqlx::query_as(SQL).fetch_all(p).await)
}
