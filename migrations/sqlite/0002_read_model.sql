-- The read model: one row of metrics per analysed job, and daily rollups that pages and
-- reports read instead of scanning jobs (so dashboards stay fast at millions of jobs).

-- What a job's log analysis adds up to, so analytics never re-aggregate phase rows.
-- Phase times sum to the analysed part of the job; docker_build_ms is carved out of the
-- script phase (Docker builds run inside the script), so script_ms excludes it.
CREATE TABLE job_metrics (
    job_id                  INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    prepare_ms              INTEGER NOT NULL DEFAULT 0,
    sources_ms              INTEGER NOT NULL DEFAULT 0,
    cache_restore_ms        INTEGER NOT NULL DEFAULT 0,
    artifact_download_ms    INTEGER NOT NULL DEFAULT 0,
    script_ms               INTEGER NOT NULL DEFAULT 0,
    docker_build_ms         INTEGER NOT NULL DEFAULT 0,
    cache_archive_ms        INTEGER NOT NULL DEFAULT 0,
    artifact_upload_ms      INTEGER NOT NULL DEFAULT 0,
    cleanup_ms              INTEGER NOT NULL DEFAULT 0,
    other_ms                INTEGER NOT NULL DEFAULT 0,
    cache_restores          INTEGER NOT NULL DEFAULT 0,
    cache_hits              INTEGER NOT NULL DEFAULT 0,   -- hit or fallback-key hit
    cache_misses            INTEGER NOT NULL DEFAULT 0,   -- miss, not found or failed restore
    cache_restore_bytes     INTEGER NOT NULL DEFAULT 0,
    cache_archives          INTEGER NOT NULL DEFAULT 0,   -- caches created
    cache_archive_bytes     INTEGER NOT NULL DEFAULT 0,
    artifact_downloads      INTEGER NOT NULL DEFAULT 0,
    artifact_download_bytes INTEGER NOT NULL DEFAULT 0,
    artifact_uploads        INTEGER NOT NULL DEFAULT 0,
    artifact_upload_bytes   INTEGER NOT NULL DEFAULT 0,
    docker_builds           INTEGER NOT NULL DEFAULT 0,
    docker_steps            INTEGER NOT NULL DEFAULT 0,
    docker_cached_steps     INTEGER NOT NULL DEFAULT 0,
    docker_failed_builds    INTEGER NOT NULL DEFAULT 0
);

-- Per project, UTC day (of the job's creation), job name, ref, source and status.
-- Empty strings stand for an unknown ref or source (primary keys cannot hold NULL).
CREATE TABLE job_daily (
    project_id              INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    day                     INTEGER NOT NULL,             -- days since 1970-01-01
    job_name                TEXT    NOT NULL,
    git_ref                 TEXT    NOT NULL,
    source                  TEXT    NOT NULL,
    status                  TEXT    NOT NULL,
    runs                    INTEGER NOT NULL,
    timed_runs              INTEGER NOT NULL,             -- runs with a known duration
    duration_ms             INTEGER NOT NULL,             -- sum over timed runs
    duration_sketch         TEXT    NOT NULL,             -- stats::sketch encoding
    queued_ms               INTEGER NOT NULL,
    analysed_runs           INTEGER NOT NULL,             -- runs with job_metrics
    analysed_duration_ms    INTEGER NOT NULL,             -- job duration summed over analysed runs
    analysed_queued_ms      INTEGER NOT NULL,             -- queue time summed over analysed runs
    prepare_ms              INTEGER NOT NULL,
    sources_ms              INTEGER NOT NULL,
    cache_restore_ms        INTEGER NOT NULL,
    artifact_download_ms    INTEGER NOT NULL,
    script_ms               INTEGER NOT NULL,
    docker_build_ms         INTEGER NOT NULL,
    cache_archive_ms        INTEGER NOT NULL,
    artifact_upload_ms      INTEGER NOT NULL,
    cleanup_ms              INTEGER NOT NULL,
    other_ms                INTEGER NOT NULL,
    cache_restores          INTEGER NOT NULL,
    cache_hits              INTEGER NOT NULL,
    cache_misses            INTEGER NOT NULL,
    artifact_download_bytes INTEGER NOT NULL,
    artifact_upload_bytes   INTEGER NOT NULL,
    docker_builds           INTEGER NOT NULL,
    docker_steps            INTEGER NOT NULL,
    docker_cached_steps     INTEGER NOT NULL,
    PRIMARY KEY (project_id, day, job_name, git_ref, source, status)
);

CREATE TABLE pipeline_daily (
    project_id              INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    day                     INTEGER NOT NULL,
    git_ref                 TEXT    NOT NULL,
    source                  TEXT    NOT NULL,
    status                  TEXT    NOT NULL,
    runs                    INTEGER NOT NULL,
    timed_runs              INTEGER NOT NULL,
    duration_ms             INTEGER NOT NULL,
    duration_sketch         TEXT    NOT NULL,
    queued_ms               INTEGER NOT NULL,
    PRIMARY KEY (project_id, day, git_ref, source, status)
);

-- Project-days whose rollups are out of date. Ingest appends a row in the transaction that
-- changes a job or pipeline (an append never waits on another writer's row lock); the
-- refresher recomputes each day and deletes the rows its snapshot saw.
CREATE TABLE rollup_dirty (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id              INTEGER NOT NULL,
    day                     INTEGER NOT NULL
);
CREATE INDEX rollup_dirty_day ON rollup_dirty (project_id, day);
