//! Webhook ingestion throughput and latency: GitLab-shaped deliveries sent over loopback
//! HTTP by `CLIENTS` concurrent clients to the in-process server, on a fresh SQLite file and
//! a fresh PostgreSQL database (when TEST_DATABASE_URL is set), next to two baselines measured
//! in the same run on the same rows with the same concurrency:
//!
//! - `plain sqlx`: one transaction per delivery with plain inserts (delivery row, project,
//!   pipeline, jobs; `ON CONFLICT DO UPDATE` with no merging), no HTTP, no parsing;
//! - `store`: the endpoint's own parse + [`delivery::store`] path, no HTTP.
//!
//! The workload per pipeline: a `running` Pipeline Hook listing 5 jobs, 5 Job Hooks (the jobs
//! finishing), and a final `success` Pipeline Hook: 7 deliveries, 2 of them ~3 KB.
//!
//! Run: `cargo bench -p strata --bench webhooks` (DELIVERIES, CLIENTS override the sizes).

#[path = "../tests/integration/support/mod.rs"]
mod support;
use support::webhooks as hooks;

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use axum::http::HeaderMap;
use secrecy::SecretString;
use strata::webhooks::{
    delivery::{self, Delivery},
    payload::{self, HookKind},
    to_records::{Records, records},
};
use strata_core::{db::Db, with_tx};
use support::{TestApp, TestDb, test_settings};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Item {
    key: String,
    event: &'static str,
    body: Vec<u8>,
    records: Records,
}

fn workload(deliveries: usize) -> Vec<Item> {
    let mut items = Vec::with_capacity(deliveries);
    let mut pipeline = 5_000_000i64;
    while items.len() < deliveries {
        pipeline += 1;
        let project = 1 + pipeline % 10;
        let jobs: Vec<i64> = (0..5).map(|j| pipeline * 10 + j).collect();
        let mut add = |event: &'static str, body: serde_json::Value| {
            let body = serde_json::to_vec(&body).unwrap();
            let kind = HookKind::from_header(event).unwrap();
            let records = records(&payload::parse(kind, &body).unwrap());
            items.push(Item {
                key: format!("bench-{pipeline}-{}", items.len()),
                event,
                body,
                records,
            });
        };
        add(
            "Pipeline Hook",
            hooks::pipeline_hook(project, pipeline, &jobs, "running"),
        );
        for &job in &jobs {
            add(
                "Job Hook",
                hooks::job_hook(project, pipeline, job, "success"),
            );
        }
        add(
            "Pipeline Hook",
            hooks::pipeline_hook(project, pipeline, &jobs, "success"),
        );
    }
    items.truncate(deliveries);
    items
}

struct Run {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// Run `op` over every item from `clients` concurrent tasks; throughput and latency.
async fn drive<F, Fut>(items: Arc<Vec<Item>>, clients: usize, op: F) -> Run
where
    F: Fn(Arc<Vec<Item>>, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (items, next, op) = (items.clone(), next.clone(), op.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= items.len() {
                    return latencies;
                }
                let t = Instant::now();
                op(items.clone(), i).await;
                latencies.push(t.elapsed());
            }
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Run {
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}

/// The baseline: the same rows, plain inserts, one transaction per delivery.
async fn plain_insert(db: &Db, item: &Item) -> sqlx::Result<()> {
    let r = &item.records;
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO webhook_deliveries (delivery_key, event, project_id, object_id, received_ms, outcome, payload)
                     VALUES ($1, $2, $3, $4, 0, 'stored', $5) ON CONFLICT (delivery_key) DO NOTHING")
            .bind(&item.key).bind(item.event).bind(r.project.id).bind(r.object_id)
            .bind(std::str::from_utf8(&item.body).unwrap())
            .execute(&mut *c).await?;
        sqlx::query("INSERT INTO projects (id, path, name, web_url, first_seen_ms, updated_ms) VALUES ($1, $2, $3, $4, 0, 0)
                     ON CONFLICT (id) DO NOTHING")
            .bind(r.project.id).bind(&r.project.path).bind(&r.project.name).bind(&r.project.web_url)
            .execute(&mut *c).await?;
        let p = &r.pipeline;
        sqlx::query("INSERT INTO pipelines (id, project_id, git_ref, sha, status, status_rank, created_at_ms, finished_at_ms,
                         duration_ms, ingested_ms, changed_ms) VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8, 0, 0)
                     ON CONFLICT (id) DO UPDATE SET status = excluded.status, finished_at_ms = excluded.finished_at_ms,
                         duration_ms = excluded.duration_ms")
            .bind(p.id).bind(p.project_id).bind(&p.git_ref).bind(&p.sha).bind(p.status.as_str())
            .bind(p.created_at_ms).bind(p.finished_at_ms).bind(p.duration_ms)
            .execute(&mut *c).await?;
        for j in &r.jobs {
            sqlx::query("INSERT INTO jobs (id, project_id, pipeline_id, name, stage, status, status_rank, created_at_ms,
                             started_at_ms, finished_at_ms, duration_ms, runner_id, ingested_ms, changed_ms)
                         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10, $11, 0, 0)
                         ON CONFLICT (id) DO UPDATE SET status = excluded.status, started_at_ms = excluded.started_at_ms,
                             finished_at_ms = excluded.finished_at_ms, duration_ms = excluded.duration_ms")
                .bind(j.id).bind(j.project_id).bind(j.pipeline_id).bind(&j.name).bind(&j.stage).bind(j.status.as_str())
                .bind(j.created_at_ms).bind(j.started_at_ms).bind(j.finished_at_ms).bind(j.duration_ms).bind(j.runner_id)
                .execute(&mut *c).await?;
        }
    });
    tx.commit().await
}

async fn store_direct(db: &Db, item: &Item) {
    let kind = HookKind::from_header(item.event).unwrap();
    let records = records(&payload::parse(kind, &item.body).unwrap());
    let mut headers = HeaderMap::new();
    headers.insert("idempotency-key", item.key.parse().unwrap());
    let key = delivery::delivery_key(&headers, &item.body);
    let d = Delivery {
        key: &key,
        event: item.event,
        payload: std::str::from_utf8(&item.body).unwrap(),
        received_ms: 0,
    };
    let outcome = delivery::store(db, &d, &records).await.unwrap();
    assert!(matches!(outcome, delivery::Outcome::Stored { .. }));
}

fn show(backend: &str, path: &str, run: &Run, baseline: f64) {
    println!(
        "{backend:<10} {path:<12} {:>9.0}/s {:>9.2} ms {:>9.2} ms {:>8.2}",
        run.per_second,
        run.p50.as_secs_f64() * 1e3,
        run.p99.as_secs_f64() * 1e3,
        run.per_second / baseline,
    );
}

async fn bench_backend(
    backend: &str,
    fresh: impl AsyncFn() -> Option<TestDb>,
    items: &Arc<Vec<Item>>,
    clients: usize,
) {
    let Some(t) = fresh().await else {
        println!("{backend:<10} skipped (TEST_DATABASE_URL is not set)");
        return;
    };
    let db = t.db.clone();
    let plain = drive(items.clone(), clients, move |items, i| {
        let db = db.clone();
        async move { plain_insert(&db, &items[i]).await.unwrap() }
    })
    .await;
    drop(t);

    let t = fresh().await.unwrap();
    let db = t.db.clone();
    let direct = drive(items.clone(), clients, move |items, i| {
        let db = db.clone();
        async move { store_direct(&db, &items[i]).await }
    })
    .await;
    drop(t);

    let t = fresh().await.unwrap();
    let mut settings = test_settings(&t.url);
    settings.webhook_secret = Some(SecretString::from(hooks::SECRET));
    let app = TestApp::spawn(settings, &t.db).await;
    let url = app.url(hooks::PATH);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    let http = drive(items.clone(), clients, move |items, i| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            let item = &items[i];
            let r = hooks::gitlab_request(
                &client,
                &url,
                item.event,
                Some(item.key.as_str()),
                item.body.clone(),
            )
            .send()
            .await
            .unwrap();
            assert_eq!(r.status().as_u16(), 200);
        }
    })
    .await;
    const STORED: &str = "SELECT COUNT(*) FROM webhook_deliveries";
    let stored: i64 =
        strata_core::with_pool!(t.db.pool(), p => sqlx::query_scalar(STORED).fetch_one(p).await)
            .unwrap();
    assert_eq!(stored as usize, items.len(), "every delivery stored once");
    // Stopping the server closes the database: count first.
    app.stop().await;

    show(backend, "plain sqlx", &plain, plain.per_second);
    show(backend, "store", &direct, plain.per_second);
    show(backend, "HTTP", &http, plain.per_second);
}

fn main() {
    let deliveries = env_usize("DELIVERIES", 20_000);
    let clients = env_usize("CLIENTS", 32);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let items = Arc::new(workload(deliveries));
    println!("{deliveries} deliveries, {clients} concurrent clients");
    println!(
        "{:<10} {:<12} {:>11} {:>12} {:>12} {:>8}",
        "backend", "path", "rate", "p50", "p99", "vs plain"
    );
    runtime.block_on(async {
        bench_backend(
            "sqlite",
            async || Some(TestDb::sqlite().await),
            &items,
            clients,
        )
        .await;
        bench_backend(
            "postgres",
            async || TestDb::postgres().await,
            &items,
            clients,
        )
        .await;
    });
}
