-- job_daily summed over job names: one row per project, day, ref, source and status.
-- The overview's job totals read this (about a fifth of job_daily's rows at the demo's
-- mix); the rollup refresher rewrites a project-day here whenever it rewrites job_daily's.
CREATE TABLE project_job_daily (
    project_id              BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    day                     BIGINT NOT NULL,
    git_ref                 TEXT    NOT NULL,
    source                  TEXT    NOT NULL,
    status                  TEXT    NOT NULL,
    runs                    BIGINT NOT NULL,
    timed_runs              BIGINT NOT NULL,
    duration_ms             BIGINT NOT NULL,
    queued_ms               BIGINT NOT NULL,
    analysed_runs           BIGINT NOT NULL,
    analysed_duration_ms    BIGINT NOT NULL,
    analysed_queued_ms      BIGINT NOT NULL,
    prepare_ms              BIGINT NOT NULL,
    sources_ms              BIGINT NOT NULL,
    cache_restore_ms        BIGINT NOT NULL,
    artifact_download_ms    BIGINT NOT NULL,
    script_ms               BIGINT NOT NULL,
    docker_build_ms         BIGINT NOT NULL,
    cache_archive_ms        BIGINT NOT NULL,
    artifact_upload_ms      BIGINT NOT NULL,
    cleanup_ms              BIGINT NOT NULL,
    other_ms                BIGINT NOT NULL,
    cache_restores          BIGINT NOT NULL,
    cache_hits              BIGINT NOT NULL,
    cache_misses            BIGINT NOT NULL,
    artifact_download_bytes BIGINT NOT NULL,
    artifact_upload_bytes   BIGINT NOT NULL,
    docker_builds           BIGINT NOT NULL,
    docker_steps            BIGINT NOT NULL,
    docker_cached_steps     BIGINT NOT NULL,
    PRIMARY KEY (project_id, day, git_ref, source, status)
);

INSERT INTO project_job_daily (project_id, day, git_ref, source, status, runs, timed_runs, duration_ms, queued_ms, analysed_runs, analysed_duration_ms, analysed_queued_ms, prepare_ms, sources_ms, cache_restore_ms, artifact_download_ms, script_ms, docker_build_ms, cache_archive_ms, artifact_upload_ms, cleanup_ms, other_ms, cache_restores, cache_hits, cache_misses, artifact_download_bytes, artifact_upload_bytes, docker_builds, docker_steps, docker_cached_steps)
SELECT project_id, day, git_ref, source, status, SUM(runs), SUM(timed_runs), SUM(duration_ms), SUM(queued_ms), SUM(analysed_runs), SUM(analysed_duration_ms), SUM(analysed_queued_ms), SUM(prepare_ms), SUM(sources_ms), SUM(cache_restore_ms), SUM(artifact_download_ms), SUM(script_ms), SUM(docker_build_ms), SUM(cache_archive_ms), SUM(artifact_upload_ms), SUM(cleanup_ms), SUM(other_ms), SUM(cache_restores), SUM(cache_hits), SUM(cache_misses), SUM(artifact_download_bytes), SUM(artifact_upload_bytes), SUM(docker_builds), SUM(docker_steps), SUM(docker_cached_steps)
FROM job_daily GROUP BY project_id, day, git_ref, source, status;
