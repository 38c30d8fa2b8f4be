//! What each CSV kind holds: its columns (header name, SQL expression, how the cell is
//! written), the tables it reads and the order its rows come in.
//!
//! Every row kind is ordered by its primary key, so SQLite walks the table in key order
//! without a sort (memory stays flat on exports of millions of rows) and the JSON API can
//! page through the same rows with a cursor on that key.

use std::fmt;

/// How a cell is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// An integer, written as is (a negative number stays a number).
    Int,
    /// Text from GitLab or a log: neutralised if a spreadsheet would run it as a formula.
    Text,
    /// Epoch milliseconds, written as ISO 8601 UTC (`2026-01-31T12:00:00.000Z`).
    Time,
    /// `true` or `false`.
    Bool,
}

#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// The header, and the SQL alias.
    pub name: &'static str,
    pub sql: &'static str,
    pub cell: Cell,
}

const fn col(name: &'static str, sql: &'static str, cell: Cell) -> Column {
    Column { name, sql, cell }
}

/// Which rows a kind's filters apply to: `status` and `job` select pipelines for pipeline
/// rows and jobs for job-level rows; `ref` and `source` always belong to the pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Pipeline,
    Job,
}

/// A kind of row read straight from the store (every kind but `daily` and `impact`).
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub columns: &'static [Column],
    pub from: &'static str,
    pub order_by: &'static str,
    pub level: Level,
}

impl Plan {
    /// `expr AS "name", …`
    pub fn select_list(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.columns.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(c.sql);
            out.push_str(" AS \"");
            out.push_str(c.name);
            out.push('"');
        }
        out
    }
}

/// The export kinds, as they appear in `/export/{kind}.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Pipelines,
    Jobs,
    Phases,
    CacheOps,
    ArtifactOps,
    DockerSteps,
    Daily,
    Impact,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Pipelines,
        Kind::Jobs,
        Kind::Phases,
        Kind::CacheOps,
        Kind::ArtifactOps,
        Kind::DockerSteps,
        Kind::Daily,
        Kind::Impact,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Kind::Pipelines => "pipelines",
            Kind::Jobs => "jobs",
            Kind::Phases => "phases",
            Kind::CacheOps => "cache-ops",
            Kind::ArtifactOps => "artifact-ops",
            Kind::DockerSteps => "docker-steps",
            Kind::Daily => "daily",
            Kind::Impact => "impact",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// `pipelines, jobs, …` for error messages.
    pub fn list() -> String {
        Kind::ALL.map(Kind::slug).join(", ")
    }

    /// The plan of a row kind; `None` for the aggregated kinds (`daily`, `impact`), which
    /// have their own modules.
    pub fn plan(self) -> Option<&'static Plan> {
        match self {
            Kind::Pipelines => Some(&PIPELINES),
            Kind::Jobs => Some(&JOBS),
            Kind::Phases => Some(&PHASES),
            Kind::CacheOps => Some(&CACHE_OPS),
            Kind::ArtifactOps => Some(&ARTIFACT_OPS),
            Kind::DockerSteps => Some(&DOCKER_STEPS),
            Kind::Daily | Kind::Impact => None,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

use Cell::{Bool, Int, Text, Time};

pub const PIPELINES: Plan = Plan {
    columns: &[
        col("project_id", "p.project_id", Int),
        col("project_path", "pr.path", Text),
        col("pipeline_id", "p.id", Int),
        col("pipeline_iid", "p.iid", Int),
        col("ref", "p.git_ref", Text),
        col("sha", "p.sha", Text),
        col("source", "p.source", Text),
        col("status", "p.status", Text),
        col("created_at", "p.created_at_ms", Time),
        col("started_at", "p.started_at_ms", Time),
        col("finished_at", "p.finished_at_ms", Time),
        col("duration_ms", "p.duration_ms", Int),
        col("queued_duration_ms", "p.queued_duration_ms", Int),
        col("web_url", "p.web_url", Text),
    ],
    from: "pipelines p JOIN projects pr ON pr.id = p.project_id",
    order_by: "p.id",
    level: Level::Pipeline,
};

/// The columns every job-level kind starts with.
macro_rules! job_key_columns {
    ($($rest:expr),* $(,)?) => {
        &[
            col("project_id", "j.project_id", Int),
            col("project_path", "pr.path", Text),
            col("pipeline_id", "j.pipeline_id", Int),
            col("job_id", "j.id", Int),
            col("job_name", "j.name", Text),
            $($rest),*
        ]
    };
}

/// `TABLE x` joined to its job, pipeline and project, for a per-job detail table aliased `x`.
macro_rules! detail_from {
    ($table:literal) => {
        concat!(
            $table,
            " x JOIN jobs j ON j.id = x.job_id JOIN pipelines p ON p.id = j.pipeline_id",
            " JOIN projects pr ON pr.id = j.project_id"
        )
    };
}

pub const JOBS: Plan = Plan {
    columns: job_key_columns![
        col("stage", "j.stage", Text),
        col("status", "j.status", Text),
        col("ref", "p.git_ref", Text),
        col("source", "p.source", Text),
        col("allow_failure", "j.allow_failure", Bool),
        col("retried", "j.retried", Bool),
        col("created_at", "j.created_at_ms", Time),
        col("started_at", "j.started_at_ms", Time),
        col("finished_at", "j.finished_at_ms", Time),
        col("duration_ms", "j.duration_ms", Int),
        col("queued_duration_ms", "j.queued_duration_ms", Int),
        col("runner", "j.runner_description", Text),
        col("trace_status", "j.trace_status", Text),
        col("prepare_ms", "m.prepare_ms", Int),
        col("sources_ms", "m.sources_ms", Int),
        col("cache_restore_ms", "m.cache_restore_ms", Int),
        col("artifact_download_ms", "m.artifact_download_ms", Int),
        col("script_ms", "m.script_ms", Int),
        col("docker_build_ms", "m.docker_build_ms", Int),
        col("cache_archive_ms", "m.cache_archive_ms", Int),
        col("artifact_upload_ms", "m.artifact_upload_ms", Int),
        col("cleanup_ms", "m.cleanup_ms", Int),
        col("other_ms", "m.other_ms", Int),
        col("cache_hits", "m.cache_hits", Int),
        col("cache_misses", "m.cache_misses", Int),
        col("artifact_download_bytes", "m.artifact_download_bytes", Int),
        col("artifact_upload_bytes", "m.artifact_upload_bytes", Int),
        col("docker_steps", "m.docker_steps", Int),
        col("docker_cached_steps", "m.docker_cached_steps", Int),
        col("web_url", "j.web_url", Text),
    ],
    // Phase columns stay empty (not 0) for jobs whose log was not analysed.
    from: "jobs j JOIN pipelines p ON p.id = j.pipeline_id JOIN projects pr ON pr.id = j.project_id
           LEFT JOIN job_metrics m ON m.job_id = j.id",
    order_by: "j.id",
    level: Level::Job,
};

pub const PHASES: Plan = Plan {
    columns: job_key_columns![
        col("seq", "x.seq", Int),
        col("phase", "x.phase", Text),
        col("section", "x.section", Text),
        col("start_offset_ms", "x.start_offset_ms", Int),
        col("duration_ms", "x.duration_ms", Int),
    ],
    from: detail_from!("job_phases"),
    order_by: "x.job_id, x.seq",
    level: Level::Job,
};

pub const CACHE_OPS: Plan = Plan {
    columns: job_key_columns![
        col("seq", "x.seq", Int),
        col("direction", "x.direction", Text),
        col("cache_key", "x.cache_key", Text),
        col("outcome", "x.outcome", Text),
        col("size_bytes", "x.size_bytes", Int),
        col("duration_ms", "x.duration_ms", Int),
    ],
    from: detail_from!("cache_ops"),
    order_by: "x.job_id, x.seq",
    level: Level::Job,
};

pub const ARTIFACT_OPS: Plan = Plan {
    columns: job_key_columns![
        col("seq", "x.seq", Int),
        col("direction", "x.direction", Text),
        col("source_job_id", "x.source_job_id", Int),
        col("source_job_name", "x.source_job_name", Text),
        col("artifact_format", "x.artifact_format", Text),
        col("file_count", "x.file_count", Int),
        col("size_bytes", "x.size_bytes", Int),
        col("http_status", "x.http_status", Int),
        col("outcome", "x.outcome", Text),
        col("duration_ms", "x.duration_ms", Int),
    ],
    from: detail_from!("artifact_ops"),
    order_by: "x.job_id, x.seq",
    level: Level::Job,
};

pub const DOCKER_STEPS: Plan = Plan {
    columns: job_key_columns![
        col("build_seq", "x.build_seq", Int),
        col("builder", "b.builder", Text),
        col("seq", "x.seq", Int),
        col("stage", "x.stage", Text),
        col("step_index", "x.step_index", Int),
        col("step_total", "x.step_total", Int),
        col("instruction", "x.instruction", Text),
        col("cached", "x.cached", Bool),
        col("duration_ms", "x.duration_ms", Int),
    ],
    from: concat!(
        detail_from!("docker_steps"),
        " JOIN docker_builds b ON b.job_id = x.job_id AND b.seq = x.build_seq"
    ),
    order_by: "x.job_id, x.build_seq, x.seq",
    level: Level::Job,
};
