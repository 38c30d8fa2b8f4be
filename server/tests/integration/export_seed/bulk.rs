//! Many jobs at once, inserted by the database itself (a recursive CTE), for streaming tests
//! and the export benchmark: `jobs` rows spread over 10 projects, 12 job names, three refs,
//! two sources and `days` UTC days from `first_day`, five jobs per pipeline, four in five
//! with `job_metrics`. Both backends accept this SQL.

use strata_core::{db::Db, with_pool};

pub async fn insert_jobs(db: &Db, jobs: i64, first_day: i64, days: i64) {
    let span_ms = days * 86_400_000;
    let start_ms = first_day * 86_400_000;
    let pipelines = (jobs + 4) / 5;
    let statements = [
        "INSERT INTO projects (id, path, name, first_seen_ms, updated_ms)
         SELECT i, 'bulk/project-' || CAST(i AS TEXT), 'project-' || CAST(i AS TEXT), 0, 0
         FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT i FROM n) projects",
        "INSERT INTO pipelines (id, project_id, iid, git_ref, sha, source, status, status_rank, created_at_ms,
            started_at_ms, finished_at_ms, duration_ms, queued_duration_ms, web_url, ingested_ms, changed_ms)
         SELECT 1000000 + i, 1 + i % 10, i, CASE i % 3 WHEN 0 THEN 'main' WHEN 1 THEN 'develop' ELSE 'feature/export' END,
            'c0ffee', CASE i % 7 WHEN 0 THEN 'schedule' ELSE 'push' END, CASE i % 11 WHEN 0 THEN 'failed' ELSE 'success' END, 9,
            $2 + i * $3 / $1, $2 + i * $3 / $1 + 4000, $2 + i * $3 / $1 + 4000 + 300000 + (i % 97) * 1000,
            300000 + (i % 97) * 1000, 4000, 'https://gitlab.example.com/bulk/pipelines/' || CAST(i AS TEXT), 0, 0
         FROM (WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1 - 1) SELECT i FROM n) pipelines",
        "INSERT INTO jobs (id, project_id, pipeline_id, name, stage, status, status_rank, created_at_ms, started_at_ms,
            finished_at_ms, duration_ms, queued_duration_ms, runner_description, web_url, trace_status, ingested_ms, changed_ms)
         SELECT 2000000 + i, 1 + (i / 5) % 10, 1000000 + i / 5,
            CASE i % 12 WHEN 0 THEN 'build' WHEN 1 THEN 'test: [unit]' WHEN 2 THEN 'test: [integration]' WHEN 3 THEN 'lint'
              WHEN 4 THEN 'docker-build' WHEN 5 THEN 'containerize' WHEN 6 THEN 'deploy review' WHEN 7 THEN 'compile assets'
              WHEN 8 THEN 'e2e' WHEN 9 THEN 'package' WHEN 10 THEN 'security scan' ELSE 'pages' END,
            CASE i % 5 WHEN 0 THEN 'build' WHEN 1 THEN 'test' WHEN 2 THEN 'test' WHEN 3 THEN 'package' ELSE 'deploy' END,
            CASE i % 13 WHEN 0 THEN 'failed' ELSE 'success' END, 9,
            $2 + (i / 5) * $3 / $4 + (i % 5) * 1000, $2 + (i / 5) * $3 / $4 + (i % 5) * 1000 + 2000,
            $2 + (i / 5) * $3 / $4 + (i % 5) * 1000 + 2000 + 20000 + (i % 89) * 1000,
            20000 + (i % 89) * 1000, 2000 + i % 500, 'shared-runner-' || CAST(i % 4 AS TEXT),
            'https://gitlab.example.com/bulk/jobs/' || CAST(i AS TEXT), 'analysed', 0, 0
         FROM (WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1 - 1) SELECT i FROM n) jobs",
        "INSERT INTO job_metrics (job_id, prepare_ms, sources_ms, cache_restore_ms, artifact_download_ms, script_ms,
            docker_build_ms, cache_archive_ms, artifact_upload_ms, cleanup_ms, other_ms, cache_restores, cache_hits,
            cache_misses, artifact_downloads, artifact_download_bytes, artifact_uploads, artifact_upload_bytes,
            docker_builds, docker_steps, docker_cached_steps)
         SELECT 2000000 + i, 1500 + i % 300, 2000 + i % 700, 3000 + i % 5000, 1000 + i % 900, 9000 + i % 20000,
            CASE i % 12 WHEN 4 THEN 30000 + i % 60000 ELSE 0 END, 2500 + i % 4000, 1200 + i % 800, 300, 0,
            1, CASE i % 4 WHEN 0 THEN 0 ELSE 1 END, CASE i % 4 WHEN 0 THEN 1 ELSE 0 END, 1, 1048576 + i % 100000,
            1, 524288 + i % 50000, CASE i % 12 WHEN 4 THEN 1 ELSE 0 END, CASE i % 12 WHEN 4 THEN 12 ELSE 0 END,
            CASE i % 12 WHEN 4 THEN i % 13 ELSE 0 END
         FROM (WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1 - 1) SELECT i FROM n) metrics
         WHERE i % 5 <> 4",
    ];
    // PostgreSQL wants exactly as many arguments as the statement has placeholders.
    let args: [&[i64]; 4] = [
        &[],
        &[pipelines, start_ms, span_ms],
        &[jobs, start_ms, span_ms, pipelines],
        &[jobs],
    ];
    for (sql, args) in statements.into_iter().zip(args) {
        with_pool!(db.pool(), p => {
            let mut query = sqlx::query(sql);
            for arg in args {
                query = query.bind(*arg);
            }
            query.execute(p).await.expect("bulk insert").rows_affected()
        });
    }
}
