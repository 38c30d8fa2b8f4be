use crate::{db::Db, model::ProjectSummary, with_pool};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    path: String,
    name: String,
    web_url: Option<String>,
    pipelines: i64,
    succeeded: i64,
    last_pipeline_at_ms: Option<i64>,
}

/// Every project with its pipeline counts since `since_ms`, busiest first.
pub async fn project_summaries(db: &Db, since_ms: i64) -> sqlx::Result<Vec<ProjectSummary>> {
    const SQL: &str = "
        SELECT p.id, p.path, p.name, p.web_url,
               COUNT(pl.id) AS pipelines,
               COALESCE(CAST(SUM(CASE WHEN pl.status = 'success' THEN 1 ELSE 0 END) AS BIGINT), 0) AS succeeded,
               (SELECT MAX(l.created_at_ms) FROM pipelines l WHERE l.project_id = p.id) AS last_pipeline_at_ms
        FROM projects p
        LEFT JOIN pipelines pl ON pl.project_id = p.id AND pl.created_at_ms >= $1
        GROUP BY p.id, p.path, p.name, p.web_url
        ORDER BY pipelines DESC, p.path";
    let rows: Vec<Row> = with_pool!(db.pool(), p => {
        sqlx::query_as(SQL).bind(since_ms).fetch_all(p).await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| ProjectSummary {
            id: r.id,
            path: r.path,
            name: r.name,
            web_url: r.web_url,
            pipelines: r.pipelines,
            succeeded: r.succeeded,
            last_pipeline_at_ms: r.last_pipeline_at_ms,
        })
        .collect())
}
