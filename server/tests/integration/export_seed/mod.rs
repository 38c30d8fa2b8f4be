//! Data for the export and API tests: two projects, pipelines over four days plus one old
//! pipeline, jobs with metrics, phases, cache and artifact operations and Docker steps —
//! with names that try to break CSV files and spreadsheets.
#![allow(dead_code)]

pub mod bulk;

use strata_core::{
    db::Db,
    model::filters::DAY_MS,
    store::{
        records::{JobRecord, PipelineRecord, ProjectRecord},
        rollups, writes,
    },
    with_pool,
};

/// The first day with data (2024-10-04); data covers `DAY..DAY + 4`.
pub const DAY: i64 = 20_000;
/// A pipeline 100 days before `DAY`, outside every window the tests ask for.
pub const OLD_PIPELINE: i64 = 999;

pub const HOSTILE_JOB: &str = "=HYPERLINK(\"http://evil.example\",\"click\")";
pub const SCRIPT_JOB: &str = "test <script>alert(1)</script>\n\"line, two\"";
pub const HOSTILE_REF: &str = "feature/\"quoted\",comma";
pub const DASH_REF: &str = "-dash";
pub const HOSTILE_PATH: &str = "evil/@SUM(1+1),\"q\"";
pub const JOB_NAMES: [&str; 3] = ["build", HOSTILE_JOB, SCRIPT_JOB];
pub const REFS: [&str; 3] = ["main", HOSTILE_REF, DASH_REF];
pub const SOURCES: [&str; 2] = ["push", "schedule"];

pub fn window_query() -> String {
    "from=2024-10-04&to=2024-10-07".to_owned()
}

pub async fn seed(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    for (id, path) in [(1, "acme/app"), (2, HOSTILE_PATH)] {
        let project = ProjectRecord {
            id,
            path: path.into(),
            name: path.rsplit('/').next().unwrap().into(),
            ..Default::default()
        };
        writes::upsert_project(&mut tx, &project, 0).await.unwrap();
    }
    let mut job_id = 5_000;
    for p in 0..16_i64 {
        let created = (DAY + p % 4) * DAY_MS + p * 60_000;
        let pipeline = PipelineRecord {
            id: 100 + p,
            project_id: 1 + p % 2,
            iid: Some(p + 1),
            git_ref: Some(REFS[(p % 3) as usize].into()),
            sha: Some(format!("{p:040x}")),
            source: Some(SOURCES[(p / 2 % 2) as usize].into()),
            status: if p % 5 == 0 { "failed" } else { "success" }.into(),
            created_at_ms: Some(created),
            started_at_ms: Some(created + 3_000),
            finished_at_ms: Some(created + 3_000 + 60_000 + p * 1_000),
            duration_ms: Some(60_000 + p * 1_000),
            queued_duration_ms: Some(3_000),
            web_url: Some(format!("https://gitlab.example/p/{p}")),
            details_synced: true,
            ..Default::default()
        };
        writes::upsert_pipeline(&mut tx, &pipeline, 0)
            .await
            .unwrap();
        for (n, name) in JOB_NAMES.iter().enumerate() {
            job_id += 1;
            let n = n as i64;
            let job = JobRecord {
                id: job_id,
                project_id: pipeline.project_id,
                pipeline_id: pipeline.id,
                name: (*name).into(),
                stage: Some(["build", "test", "-stage"][n as usize].into()),
                status: if (p + n) % 4 == 0 {
                    "failed"
                } else {
                    "success"
                }
                .into(),
                created_at_ms: Some(created + n * 1_000),
                started_at_ms: Some(created + n * 1_000 + 2_000),
                finished_at_ms: Some(created + n * 1_000 + 2_000 + 10_000 * (n + 1) + p * 37),
                duration_ms: Some(10_000 * (n + 1) + p * 37),
                queued_duration_ms: Some(2_000 + n),
                runner_description: Some("runner \"one\"".into()),
                web_url: Some(format!("https://gitlab.example/j/{job_id}")),
                ..Default::default()
            };
            writes::upsert_job(&mut tx, &job, 0).await.unwrap();
        }
    }
    // An old pipeline, linked from its page as /export/phases.csv?project=1&pipeline=999.
    let old = PipelineRecord {
        id: OLD_PIPELINE,
        project_id: 1,
        git_ref: Some("main".into()),
        source: Some("push".into()),
        status: "success".into(),
        created_at_ms: Some((DAY - 100) * DAY_MS),
        duration_ms: Some(1_000),
        ..Default::default()
    };
    writes::upsert_pipeline(&mut tx, &old, 0).await.unwrap();
    writes::upsert_job(
        &mut tx,
        &JobRecord {
            id: 9_998,
            project_id: 1,
            pipeline_id: OLD_PIPELINE,
            name: "build".into(),
            status: "success".into(),
            created_at_ms: old.created_at_ms,
            duration_ms: Some(900),
            ..Default::default()
        },
        0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    analyse(db).await;
    rollups::refresh_all(db).await.unwrap();
}

/// What the log analysis would store: metrics and detail rows for two jobs in three.
async fn analyse(db: &Db) {
    let jobs: Vec<(i64,)> = with_pool!(db.pool(), p => sqlx::query_as("SELECT id FROM jobs WHERE id % 3 <> 0 ORDER BY id")
        .fetch_all(p).await.unwrap());
    for (id,) in jobs {
        let k = id % 7;
        let statements: Vec<(&str, Vec<i64>)> = vec![
            ("INSERT INTO job_metrics (job_id, prepare_ms, sources_ms, cache_restore_ms, artifact_download_ms, script_ms,
                docker_build_ms, cache_archive_ms, artifact_upload_ms, cleanup_ms, other_ms, cache_restores, cache_hits,
                cache_misses, artifact_downloads, artifact_download_bytes, artifact_uploads, artifact_upload_bytes,
                docker_builds, docker_steps, docker_cached_steps)
              VALUES ($1, $2, 300, 400, 500, 6000, 7000, 800, 900, 100, 0, 1, $3, $4, 1, 1048576, 1, 2048, 1, 4, $5)",
             vec![id, 200 + k, (k % 2), 1 - (k % 2), k % 5]),
            ("INSERT INTO job_phases (job_id, seq, phase, section, start_offset_ms, duration_ms) VALUES ($1, 0, 'prepare', 'prepare_executor', -5, $2)",
             vec![id, 200 + k]),
            ("INSERT INTO job_phases (job_id, seq, phase, section, start_offset_ms, duration_ms) VALUES ($1, 1, 'other', '@custom=1+1', 195, 50)",
             vec![id]),
            ("INSERT INTO cache_ops (job_id, seq, direction, cache_key, outcome, size_bytes, duration_ms) VALUES ($1, 0, 'restore', '+key,\"1\"', 'hit', $2, 400)",
             vec![id, 1000 * k]),
            ("INSERT INTO artifact_ops (job_id, seq, direction, source_job_id, source_job_name, artifact_format, file_count, size_bytes, http_status, outcome, duration_ms)
              VALUES ($1, 0, 'download', $2, '=build', 'archive', 3, 1048576, 200, 'ok', 500)",
             vec![id, id - 1]),
            ("INSERT INTO docker_builds (job_id, seq, builder, stage_count, step_count, cached_steps, duration_ms, succeeded)
              VALUES ($1, 0, 'buildkit', 2, 2, 1, 7000, TRUE)",
             vec![id]),
            ("INSERT INTO docker_steps (job_id, build_seq, seq, stage, step_index, step_total, instruction, cached, duration_ms)
              VALUES ($1, 0, 0, 'builder', 1, 2, 'RUN echo \"=1+1\", done', TRUE, 0)",
             vec![id]),
            ("INSERT INTO docker_steps (job_id, build_seq, seq, stage, step_index, step_total, instruction, cached, duration_ms)
              VALUES ($1, 0, 1, 'builder', 2, 2, '-RUN npm ci', FALSE, $2)",
             vec![id, 6000 + k]),
        ];
        for (sql, args) in statements {
            with_pool!(db.pool(), p => {
                let mut q = sqlx::query(sql);
                for a in &args {
                    q = q.bind(*a);
                }
                q.execute(p).await.unwrap().rows_affected()
            });
        }
        // Mark the day dirty again: metrics change what the rollups hold.
        with_pool!(db.pool(), p => sqlx::query(
            "INSERT INTO rollup_dirty (project_id, day) SELECT project_id, created_at_ms / 86400000 FROM jobs WHERE id = $1")
            .bind(id).execute(p).await.unwrap().rows_affected());
    }
}
