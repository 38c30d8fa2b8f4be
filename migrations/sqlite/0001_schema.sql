-- Strata schema (SQLite). Instants are UTC epoch milliseconds, durations milliseconds.
-- GitLab ids are the primary keys, so every upsert is keyed by what GitLab says.

CREATE TABLE projects (
    id              INTEGER PRIMARY KEY,          -- GitLab project id
    path            TEXT    NOT NULL,             -- path_with_namespace
    name            TEXT    NOT NULL,
    web_url         TEXT,
    default_branch  TEXT,
    first_seen_ms   INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL
);
CREATE INDEX projects_path ON projects (path);

CREATE TABLE pipelines (
    id                  INTEGER PRIMARY KEY,      -- GitLab pipeline id
    project_id          INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    iid                 INTEGER,
    git_ref             TEXT,
    sha                 TEXT,
    source              TEXT,
    status              TEXT    NOT NULL,
    status_rank         INTEGER NOT NULL,         -- statuses only move forward (see store::status)
    created_at_ms       INTEGER,
    updated_at_ms       INTEGER,
    started_at_ms       INTEGER,
    finished_at_ms      INTEGER,
    duration_ms         INTEGER,
    queued_duration_ms  INTEGER,
    web_url             TEXT,
    details_synced      INTEGER NOT NULL DEFAULT 0, -- the single-pipeline API call has been stored
    ingested_ms         INTEGER NOT NULL,
    changed_ms          INTEGER NOT NULL
);
CREATE INDEX pipelines_project_created ON pipelines (project_id, created_at_ms);
CREATE INDEX pipelines_project_ref ON pipelines (project_id, git_ref, created_at_ms);

CREATE TABLE jobs (
    id                  INTEGER PRIMARY KEY,      -- GitLab job id
    project_id          INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    pipeline_id         INTEGER NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
    name                TEXT    NOT NULL,
    stage               TEXT,
    status              TEXT    NOT NULL,
    status_rank         INTEGER NOT NULL,
    allow_failure       INTEGER NOT NULL DEFAULT 0,
    retried             INTEGER NOT NULL DEFAULT 0,
    created_at_ms       INTEGER,
    started_at_ms       INTEGER,
    finished_at_ms      INTEGER,
    duration_ms         INTEGER,
    queued_duration_ms  INTEGER,
    runner_id           INTEGER,
    runner_description  TEXT,
    tag_list            TEXT,                     -- JSON array
    web_url             TEXT,
    artifacts_bytes     INTEGER,                  -- sum of artifacts[].size from the API
    trace_status        TEXT    NOT NULL DEFAULT 'none', -- none | queued | analysed | unavailable | failed
    ingested_ms         INTEGER NOT NULL,
    changed_ms          INTEGER NOT NULL
);
CREATE INDEX jobs_pipeline ON jobs (pipeline_id);
CREATE INDEX jobs_project_created ON jobs (project_id, created_at_ms);
CREATE INDEX jobs_project_name_created ON jobs (project_id, name, created_at_ms);

-- One row per analysed job log: what the analyser read and could not read.
CREATE TABLE job_traces (
    job_id          INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    analysed_ms     INTEGER NOT NULL,
    analyser_version INTEGER NOT NULL,
    log_bytes       INTEGER NOT NULL,
    log_lines       INTEGER NOT NULL,
    span_ms         INTEGER,                      -- first to last timestamp seen in the log
    timestamped     INTEGER NOT NULL DEFAULT 0,   -- FF_TIMESTAMPS prefixes gave sub-second times
    truncated       INTEGER NOT NULL DEFAULT 0,
    warnings        TEXT    NOT NULL DEFAULT '[]' -- JSON array of strings
);

CREATE TABLE job_phases (
    job_id          INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    phase           TEXT    NOT NULL,             -- prepare | sources | cache_restore | ... | other
    section         TEXT    NOT NULL,             -- the runner's section name
    start_offset_ms INTEGER,                      -- from the job log's first timestamp
    duration_ms     INTEGER NOT NULL,
    PRIMARY KEY (job_id, seq)
);
CREATE INDEX job_phases_phase ON job_phases (phase);

CREATE TABLE cache_ops (
    job_id          INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    direction       TEXT    NOT NULL,             -- restore | archive
    cache_key       TEXT,
    outcome         TEXT    NOT NULL,             -- hit | miss | fallback_hit | created | skipped_policy | failed | not_found
    size_bytes      INTEGER,
    duration_ms     INTEGER,
    PRIMARY KEY (job_id, seq)
);
CREATE INDEX cache_ops_key ON cache_ops (cache_key);

CREATE TABLE artifact_ops (
    job_id          INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    direction       TEXT    NOT NULL,             -- download | upload
    source_job_id   INTEGER,                      -- downloads: the job whose artifacts came in
    source_job_name TEXT,
    artifact_format TEXT,                         -- archive | junit | dotenv | ...
    file_count      INTEGER,
    size_bytes      INTEGER,
    http_status     INTEGER,
    outcome         TEXT    NOT NULL,             -- ok | failed | no_files
    duration_ms     INTEGER,
    PRIMARY KEY (job_id, seq)
);

CREATE TABLE docker_builds (
    job_id          INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    builder         TEXT    NOT NULL,             -- buildkit | buildkit_tty | classic | kaniko | buildah
    stage_count     INTEGER NOT NULL,
    step_count      INTEGER NOT NULL,
    cached_steps    INTEGER NOT NULL,
    duration_ms     INTEGER,
    succeeded       INTEGER,
    PRIMARY KEY (job_id, seq)
);

CREATE TABLE docker_steps (
    job_id          INTEGER NOT NULL,
    build_seq       INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    stage           TEXT,
    step_index      INTEGER,
    step_total      INTEGER,
    instruction     TEXT    NOT NULL,
    cached          INTEGER NOT NULL,
    duration_ms     INTEGER,
    PRIMARY KEY (job_id, build_seq, seq),
    FOREIGN KEY (job_id, build_seq) REFERENCES docker_builds (job_id, seq) ON DELETE CASCADE
);

-- Every webhook delivery, raw, for idempotency and audit.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_key    TEXT    NOT NULL UNIQUE,      -- Idempotency-Key, else X-Gitlab-Event-UUID, else body hash
    event           TEXT    NOT NULL,
    event_uuid      TEXT,
    project_id      INTEGER,
    object_id       INTEGER,                      -- the pipeline or job the event is about
    received_ms     INTEGER NOT NULL,
    outcome         TEXT    NOT NULL,             -- stored | ignored
    payload         TEXT    NOT NULL
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_ms);

-- Per-project sync progress: pipelines updated after the watermark still need a look.
CREATE TABLE sync_state (
    project_id          INTEGER PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    watermark_ms        INTEGER,
    last_started_ms     INTEGER,
    last_finished_ms    INTEGER,
    last_error          TEXT,
    pipelines_seen      INTEGER NOT NULL DEFAULT 0
);

-- Jobs whose log is still to be fetched and analysed; claimed with a lease.
CREATE TABLE trace_queue (
    job_id              INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    project_id          INTEGER NOT NULL,
    enqueued_ms         INTEGER NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms     INTEGER NOT NULL,
    leased_until_ms     INTEGER,
    last_error          TEXT
);
CREATE INDEX trace_queue_due ON trace_queue (next_attempt_ms);
