//! What the fake GitLab costs: generating a 5,000-pipeline dataset, regenerating one
//! pipeline on demand (against cloning a kept one, the design it replaces), rendering a job
//! log, and the HTTP round trips a sync makes. Results: docs/PERFORMANCE.md.

use std::hint::black_box;

use chrono::{DateTime, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use strata_demo::{Dataset, DemoConfig, FakeConfig, FakeGitLab, ScenarioKind, log_writer};

fn config() -> DemoConfig {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-03-03T10:30:00Z")
        .unwrap()
        .into();
    DemoConfig {
        pipelines_per_project: 1_250,
        scenarios: vec![
            ScenarioKind::CacheAsTransport,
            ScenarioKind::Artifacts,
            ScenarioKind::Multistage,
            ScenarioKind::TwoDockerfiles,
        ],
        ..DemoConfig::new(now)
    }
}

fn generation(c: &mut Criterion) {
    let config = config();
    let data = Dataset::generate(&config);
    let pipelines = data.pipeline_count();
    let mut group = c.benchmark_group("dataset");
    group.sample_size(10);
    group.throughput(Throughput::Elements(pipelines as u64));
    group.bench_function(format!("generate_{pipelines}_pipelines"), |b| {
        b.iter(|| Dataset::generate(black_box(&config)))
    });
    group.finish();

    let entry = &data.pipelines(101)[600];
    let kept = data.expand(101, entry).unwrap();
    let mut group = c.benchmark_group("pipeline_access");
    group.bench_function("regenerate_on_demand", |b| {
        b.iter(|| data.expand(101, black_box(entry)))
    });
    group.bench_function("clone_kept_baseline", |b| {
        b.iter(|| black_box(&kept).clone())
    });
    group.finish();

    let spec = data.projects().find(|p| p.id == 101).unwrap();
    let job = kept.jobs.iter().find(|j| j.name() == "build").unwrap();
    let bytes = log_writer::render(spec, &kept, job, data.now_us()).len();
    let mut group = c.benchmark_group("log");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("render_build_job_ff_timestamps", |b| {
        b.iter(|| log_writer::render(spec, black_box(&kept), job, data.now_us()))
    });
    group.finish();
}

fn http(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime
        .block_on(FakeGitLab::start(FakeConfig::new(config())))
        .unwrap();
    let client = reqwest::Client::new();
    let base = format!("{}/api/v4/projects/101", fake.base_url());
    let (pid, job) = fake.read(|d| {
        let p = d.expand(101, &d.pipelines(101)[600]).unwrap();
        (
            p.id,
            p.jobs.iter().find(|j| j.name() == "build").unwrap().id,
        )
    });
    let get = |url: String| {
        let (client, token) = (client.clone(), fake.token().to_string());
        async move {
            let response = client
                .get(url)
                .header("PRIVATE-TOKEN", token)
                .send()
                .await
                .unwrap();
            response.bytes().await.unwrap()
        }
    };
    let mut group = c.benchmark_group("http");
    group.bench_function("pipelines_page_of_100", |b| {
        b.to_async(&runtime)
            .iter(|| get(format!("{base}/pipelines?per_page=100&page=7")))
    });
    group.bench_function("pipeline_jobs", |b| {
        b.to_async(&runtime)
            .iter(|| get(format!("{base}/pipelines/{pid}/jobs?include_retried=true")))
    });
    group.bench_function("job_trace", |b| {
        b.to_async(&runtime)
            .iter(|| get(format!("{base}/jobs/{job}/trace")))
    });
    group.finish();
    runtime.block_on(fake.shutdown());
}

criterion_group!(benches, generation, http);
criterion_main!(benches);
