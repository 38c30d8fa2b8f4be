-- Strata schema (PostgreSQL). Instants are UTC epoch milliseconds, durations milliseconds.
-- GitLab ids are the primary keys, so every upsert is keyed by what GitLab says.

CREATE TABLE projects (
    id              BIGINT PRIMARY KEY,          -- GitLab project id
    path            TEXT    NOT NULL,             -- path_with_namespace
    name            TEXT    NOT NULL,
    web_url         TEXT,
    default_branch  TEXT,
    first_seen_ms   BIGINT NOT NULL,
    updated_ms      BIGINT NOT NULL
);
CREATE INDEX projects_path ON projects (path);

CREATE TABLE pipelines (
    id                  BIGINT PRIMARY KEY,      -- GitLab pipeline id
    project_id          BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    iid                 BIGINT,
    git_ref             TEXT,
    sha                 TEXT,
    source              TEXT,
    status              TEXT    NOT NULL,
    status_rank         BIGINT NOT NULL,         -- statuses only move forward (see store::status)
    created_at_ms       BIGINT,
    updated_at_ms       BIGINT,
    started_at_ms       BIGINT,
    finished_at_ms      BIGINT,
    duration_ms         BIGINT,
    queued_duration_ms  BIGINT,
    web_url             TEXT,
    details_synced      BOOLEAN NOT NULL DEFAULT FALSE, -- the single-pipeline API call has been stored
    ingested_ms         BIGINT NOT NULL,
    changed_ms          BIGINT NOT NULL
);
CREATE INDEX pipelines_project_created ON pipelines (project_id, created_at_ms);
CREATE INDEX pipelines_project_ref ON pipelines (project_id, git_ref, created_at_ms);

CREATE TABLE jobs (
    id                  BIGINT PRIMARY KEY,      -- GitLab job id
    project_id          BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    pipeline_id         BIGINT NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
    name                TEXT    NOT NULL,
    stage               TEXT,
    status              TEXT    NOT NULL,
    status_rank         BIGINT NOT NULL,
    allow_failure       BOOLEAN NOT NULL DEFAULT FALSE,
    retried             BOOLEAN NOT NULL DEFAULT FALSE,
    created_at_ms       BIGINT,
    started_at_ms       BIGINT,
    finished_at_ms      BIGINT,
    duration_ms         BIGINT,
    queued_duration_ms  BIGINT,
    runner_id           BIGINT,
    runner_description  TEXT,
    tag_list            TEXT,                     -- JSON array
    web_url             TEXT,
    artifacts_bytes     BIGINT,                  -- sum of artifacts[].size from the API
    trace_status        TEXT    NOT NULL DEFAULT 'none', -- none | queued | analysed | unavailable | failed
    ingested_ms         BIGINT NOT NULL,
    changed_ms          BIGINT NOT NULL
);
CREATE INDEX jobs_pipeline ON jobs (pipeline_id);
CREATE INDEX jobs_project_created ON jobs (project_id, created_at_ms);
CREATE INDEX jobs_project_name_created ON jobs (project_id, name, created_at_ms);

-- One row per analysed job log: what the analyser read and could not read.
CREATE TABLE job_traces (
    job_id          BIGINT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    analysed_ms     BIGINT NOT NULL,
    analyser_version BIGINT NOT NULL,
    log_bytes       BIGINT NOT NULL,
    log_lines       BIGINT NOT NULL,
    span_ms         BIGINT,                      -- first to last timestamp seen in the log
    timestamped     BOOLEAN NOT NULL DEFAULT FALSE,   -- FF_TIMESTAMPS prefixes gave sub-second times
    truncated       BOOLEAN NOT NULL DEFAULT FALSE,
    warnings        TEXT    NOT NULL DEFAULT '[]' -- JSON array of strings
);

CREATE TABLE job_phases (
    job_id          BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    phase           TEXT    NOT NULL,             -- prepare | sources | cache_restore | ... | other
    section         TEXT    NOT NULL,             -- the runner's section name
    start_offset_ms BIGINT,                      -- from the job log's first timestamp
    duration_ms     BIGINT NOT NULL,
    PRIMARY KEY (job_id, seq)
);
CREATE INDEX job_phases_phase ON job_phases (phase);

CREATE TABLE cache_ops (
    job_id          BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    direction       TEXT    NOT NULL,             -- restore | archive
    cache_key       TEXT,
    outcome         TEXT    NOT NULL,             -- hit | miss | fallback_hit | created | skipped_policy | failed | not_found
    size_bytes      BIGINT,
    duration_ms     BIGINT,
    PRIMARY KEY (job_id, seq)
);
CREATE INDEX cache_ops_key ON cache_ops (cache_key);

CREATE TABLE artifact_ops (
    job_id          BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    direction       TEXT    NOT NULL,             -- download | upload
    source_job_id   BIGINT,                      -- downloads: the job whose artifacts came in
    source_job_name TEXT,
    artifact_format TEXT,                         -- archive | junit | dotenv | ...
    file_count      BIGINT,
    size_bytes      BIGINT,
    http_status     BIGINT,
    outcome         TEXT    NOT NULL,             -- ok | failed | no_files
    duration_ms     BIGINT,
    PRIMARY KEY (job_id, seq)
);

CREATE TABLE docker_builds (
    job_id          BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    builder         TEXT    NOT NULL,             -- buildkit | buildkit_tty | classic | kaniko | buildah
    stage_count     BIGINT NOT NULL,
    step_count      BIGINT NOT NULL,
    cached_steps    BIGINT NOT NULL,
    duration_ms     BIGINT,
    succeeded       BOOLEAN,
    PRIMARY KEY (job_id, seq)
);

CREATE TABLE docker_steps (
    job_id          BIGINT NOT NULL,
    build_seq       BIGINT NOT NULL,
    seq             BIGINT NOT NULL,
    stage           TEXT,
    step_index      BIGINT,
    step_total      BIGINT,
    instruction     TEXT    NOT NULL,
    cached          BOOLEAN NOT NULL,
    duration_ms     BIGINT,
    PRIMARY KEY (job_id, build_seq, seq),
    FOREIGN KEY (job_id, build_seq) REFERENCES docker_builds (job_id, seq) ON DELETE CASCADE
);

-- Every webhook delivery, raw, for idempotency and audit.
CREATE TABLE webhook_deliveries (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    delivery_key    TEXT    NOT NULL UNIQUE,      -- Idempotency-Key, else X-Gitlab-Event-UUID, else body hash
    event           TEXT    NOT NULL,
    event_uuid      TEXT,
    project_id      BIGINT,
    object_id       BIGINT,                      -- the pipeline or job the event is about
    received_ms     BIGINT NOT NULL,
    outcome         TEXT    NOT NULL,             -- stored | ignored
    payload         TEXT    NOT NULL
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_ms);

-- Per-project sync progress: pipelines updated after the watermark still need a look.
CREATE TABLE sync_state (
    project_id          BIGINT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    watermark_ms        BIGINT,
    last_started_ms     BIGINT,
    last_finished_ms    BIGINT,
    last_error          TEXT,
    pipelines_seen      BIGINT NOT NULL DEFAULT 0
);

-- Jobs whose log is still to be fetched and analysed; claimed with a lease.
CREATE TABLE trace_queue (
    job_id              BIGINT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    project_id          BIGINT NOT NULL,
    enqueued_ms         BIGINT NOT NULL,
    attempts            BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms     BIGINT NOT NULL,
    leased_until_ms     BIGINT,
    last_error          TEXT
);
CREATE INDEX trace_queue_due ON trace_queue (next_attempt_ms);
