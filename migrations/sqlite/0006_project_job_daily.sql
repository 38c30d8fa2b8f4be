-- job_daily summed over job names: one row per project, day, ref, source and status.
-- The overview's job totals read this (about a fifth of job_daily's rows at the demo's
-- mix); the rollup refresher rewrites a project-day here whenever it rewrites job_daily's.
CREATE TABLE project_job_daily (
    project_id              INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    day                     INTEGER NOT NULL,
    git_ref                 TEXT    NOT NULL,
    source                  TEXT    NOT NULL,
    status                  TEXT    NOT NULL,
    runs                    INTEGER NOT NULL,
    timed_runs              INTEGER NOT NULL,
    duration_ms             INTEGER NOT NULL,
    queued_ms               INTEGER NOT NULL,
    analysed_runs           INTEGER NOT NULL,
    analysed_duration_ms    INTEGER NOT NULL,
    analysed_queued_ms      INTEGER NOT NULL,
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
    PRIMARY KEY (project_id, day, git_ref, source, status)
);

INSERT INTO project_job_daily (project_id, day, git_ref, source, status, runs, timed_runs, duration_ms, queued_ms, analysed_runs, analysed_duration_ms, analysed_queued_ms, prepare_ms, sources_ms, cache_restore_ms, artifact_download_ms, script_ms, docker_build_ms, cache_archive_ms, artifact_upload_ms, cleanup_ms, other_ms, cache_restores, cache_hits, cache_misses, artifact_download_bytes, artifact_upload_bytes, docker_builds, docker_steps, docker_cached_steps)
SELECT project_id, day, git_ref, source, status, SUM(runs), SUM(timed_runs), SUM(duration_ms), SUM(queued_ms), SUM(analysed_runs), SUM(analysed_duration_ms), SUM(analysed_queued_ms), SUM(prepare_ms), SUM(sources_ms), SUM(cache_restore_ms), SUM(artifact_download_ms), SUM(script_ms), SUM(docker_build_ms), SUM(cache_archive_ms), SUM(artifact_upload_ms), SUM(cleanup_ms), SUM(other_ms), SUM(cache_restores), SUM(cache_hits), SUM(cache_misses), SUM(artifact_download_bytes), SUM(artifact_upload_bytes), SUM(docker_builds), SUM(docker_steps), SUM(docker_cached_steps)
FROM job_daily GROUP BY project_id, day, git_ref, source, status;
