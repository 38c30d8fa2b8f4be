//! Each scenario plants what its ground truth says: measured over the generated jobs (and,
//! for the cache scenario, over the logs the fake serves), the effects come out as stated,
//! within 2 % where the truth is a number of seconds or a rate.

use std::collections::HashSet;

use strata_demo::{
    Dataset, ScenarioKind,
    ground_truth::{ARTIFACTS, CACHE_TRANSPORT, MULTISTAGE, QUEUE_STARVED, TWO_DOCKERFILES},
    log_writer,
    scenario::{
        model::{Job, PhaseBody, Pipeline, SECOND, Section},
        multistage::{BuildKind, build_kind},
    },
};

use super::demo;

fn pipelines(kind: ScenarioKind, n: u32) -> (Dataset, Vec<Pipeline>) {
    let data = Dataset::generate(&demo(n, &[kind]));
    let project = kind.scenario().project().id;
    let all = data
        .pipelines(project)
        .iter()
        .map(|e| data.expand(project, e).unwrap())
        .collect();
    (data, all)
}

/// Finished, final attempts of the named job.
fn jobs<'a>(pipelines: &'a [Pipeline], name: &'a str) -> impl Iterator<Item = &'a Job> + 'a {
    pipelines.iter().flat_map(move |p| {
        p.latest_jobs()
            .filter(move |j| j.name() == name && j.finished_us.is_some())
    })
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

fn seconds(us: i64) -> f64 {
    us as f64 / SECOND as f64
}

fn within(measured: f64, stated: f64, tolerance: f64, what: &str) {
    let error = (measured - stated).abs() / stated;
    assert!(
        error <= tolerance,
        "{what}: measured {measured:.2}, stated {stated:.2} ({:.1} % off)",
        error * 100.0
    );
}

fn restored(job: &Job, prefix: &str) -> Option<bool> {
    match &job.phase(Section::RestoreCache)?.body {
        PhaseBody::RestoreCache(caches) => caches
            .iter()
            .find(|c| c.key.starts_with(prefix))
            .map(|c| c.hit),
        _ => None,
    }
}

fn script_s(job: &Job) -> f64 {
    seconds(job.phase(Section::StepScript).map_or(0, |p| p.duration_us))
}

/// Mean of `f` over jobs where `hit` is false, minus its mean where it is true, and the miss rate.
fn miss_effect(jobs: &[&Job], prefix: &str, f: impl Fn(&Job) -> f64) -> (f64, f64) {
    let (misses, hits): (Vec<&&Job>, Vec<&&Job>) = jobs
        .iter()
        .partition(|j| restored(j, prefix) == Some(false));
    let miss: Vec<f64> = misses.iter().map(|j| f(j)).collect();
    let hit: Vec<f64> = hits.iter().map(|j| f(j)).collect();
    (
        mean(&miss) - mean(&hit),
        miss.len() as f64 / jobs.len() as f64,
    )
}

#[test]
fn cache_as_transport_plants_its_misses_penalties_and_collision() {
    let truth = CACHE_TRANSPORT;
    let (data, all) = pipelines(ScenarioKind::CacheAsTransport, 2_000);
    let builds: Vec<&Job> = jobs(&all, truth.build_job).collect();
    let (penalty, rate) = miss_effect(&builds, truth.deps_key_prefix, script_s);
    within(
        penalty,
        truth.deps_miss_penalty.as_secs_f64(),
        0.02,
        "dependency miss penalty",
    );
    assert!(
        (rate - truth.deps_miss_rate).abs() < 0.03,
        "dependency miss rate {rate}"
    );

    let readers: Vec<&Job> = jobs(&all, truth.transport_reader_job).collect();
    let (penalty, rate) = miss_effect(&readers, truth.transport_key_prefix, script_s);
    within(
        penalty,
        truth.transport_miss_penalty.as_secs_f64(),
        0.02,
        "transport miss penalty",
    );
    assert!(
        (rate - truth.transport_miss_rate).abs() < 0.03,
        "transport miss rate {rate}"
    );

    // One new transport key per pipeline, read by that pipeline's containerize job only.
    let mut keys = HashSet::new();
    for p in &all {
        let written: Vec<String> = archived(p, truth.build_job)
            .into_iter()
            .filter(|k| k.starts_with(truth.transport_key_prefix))
            .collect();
        assert_eq!(written.len(), 1);
        let read = p
            .latest_jobs()
            .find(|j| j.name() == truth.transport_reader_job)
            .and_then(|j| match &j.phase(Section::RestoreCache)?.body {
                PhaseBody::RestoreCache(c) => Some(c[0].key.clone()),
                _ => None,
            });
        assert_eq!(read.as_ref(), Some(&written[0]));
        assert!(keys.insert(written[0].clone()), "keys are per commit");
    }
    // Two unrelated jobs archive under the same default key.
    for p in &all {
        let lint = archived(p, "lint");
        let unit = archived(p, "test:unit");
        assert!(
            lint.iter()
                .any(|k| k.starts_with("default-") && unit.contains(k))
        );
    }

    // The logs carry the effect: time `step_script` by the FF_TIMESTAMPS prefixes.
    let spec = ScenarioKind::CacheAsTransport.scenario().project();
    let (mut miss, mut hit) = (Vec::new(), Vec::new());
    for p in &all {
        for job in p
            .latest_jobs()
            .filter(|j| j.name() == truth.build_job && j.finished_us.is_some())
        {
            let log = String::from_utf8(log_writer::render(spec, p, job, data.now_us())).unwrap();
            let script = section_seconds(&log, "step_script");
            if log.contains("Failed to extract cache") {
                miss.push(script)
            } else {
                hit.push(script)
            }
        }
    }
    within(
        mean(&miss) - mean(&hit),
        truth.deps_miss_penalty.as_secs_f64(),
        0.02,
        "miss penalty read from the logs",
    );
}

fn archived(p: &Pipeline, job: &str) -> Vec<String> {
    p.latest_jobs()
        .filter(|j| j.name() == job)
        .filter_map(|j| j.phase(Section::ArchiveCache))
        .flat_map(|phase| match &phase.body {
            PhaseBody::ArchiveCache(caches) => caches
                .iter()
                .filter(|c| c.uploaded)
                .map(|c| c.key.clone())
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// Seconds between a section's start and end markers, from their timestamp prefixes.
fn section_seconds(log: &str, name: &str) -> f64 {
    let suffix = format!(":{name}\r\x1b[0K");
    let stamp = |kind: &str| {
        let line = log
            .lines()
            .find(|l| l.contains(&format!("{kind}:")) && l.ends_with(&suffix))
            .expect("marker present");
        chrono::DateTime::parse_from_rfc3339(&line[..27])
            .unwrap()
            .timestamp_micros()
    };
    seconds(stamp("section_end") - stamp("section_start"))
}

#[test]
fn artifacts_move_at_the_stated_rate_and_grow_by_the_day() {
    let truth = ARTIFACTS;
    let (data, all) = pipelines(ScenarioKind::Artifacts, 1_500);
    let rate = truth.transfer_bytes_per_second as f64;
    let overhead = truth.transfer_overhead.as_secs_f64();
    // Σ(time − overhead) / Σ bytes estimates 1 / rate; noise is symmetric so it cancels.
    let (mut time, mut bytes, mut ops) = (0.0, 0.0, 0.0);
    for p in &all {
        for job in p.latest_jobs().filter(|j| j.finished_us.is_some()) {
            for phase in &job.draft.phases {
                match &phase.body {
                    PhaseBody::UploadArtifacts(up) if up.junit.is_none() => {
                        time += seconds(phase.duration_us);
                        bytes += up.bytes as f64;
                        ops += 1.0;
                    }
                    PhaseBody::DownloadArtifacts(sources) => {
                        for s in sources {
                            time += seconds(s.duration_us);
                            bytes += s.bytes as f64;
                            ops += 1.0;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    within(
        bytes / (time - ops * overhead),
        rate,
        0.02,
        "artifact transfer rate (bytes/s)",
    );

    // The producer's archive follows the stated growth, and each consumer downloads exactly it.
    for p in &all {
        let Some(compile) = p
            .latest_jobs()
            .find(|j| j.name() == truth.producer_job && j.finished_us.is_some())
        else {
            continue;
        };
        let archive = compile
            .draft
            .artifacts
            .iter()
            .find(|a| a.file_type == "archive")
            .unwrap()
            .size as f64;
        let days = (p.created_us - data.window_start_us()) as f64 / (86_400.0 * SECOND as f64);
        within(
            archive,
            truth.archive_bytes(days) as f64,
            0.031,
            "archive size on its day",
        );
        for consumer in truth.consumer_jobs {
            let job = p.latest_jobs().find(|j| j.name() == *consumer).unwrap();
            if job.finished_us.is_none() {
                continue;
            }
            let Some(PhaseBody::DownloadArtifacts(sources)) =
                job.phase(Section::DownloadArtifacts).map(|ph| &ph.body)
            else {
                panic!("{consumer} downloads artifacts");
            };
            assert_eq!(
                (sources[0].job_id, sources[0].bytes as f64),
                (compile.id, archive)
            );
        }
        // Transfer dominates: more time in artifact phases than in cache phases.
        let phase_time = |sections: &[Section]| -> i64 {
            p.latest_jobs()
                .flat_map(|j| j.draft.phases.iter())
                .filter(|ph| sections.contains(&ph.section()))
                .map(|ph| ph.duration_us)
                .sum()
        };
        let artifacts = phase_time(&[
            Section::DownloadArtifacts,
            Section::UploadArtifactsOnSuccess,
        ]);
        let caches = phase_time(&[Section::RestoreCache, Section::ArchiveCache]);
        assert!(
            artifacts > caches,
            "pipeline {}: artifacts {artifacts} µs, caches {caches} µs",
            p.id
        );
    }
}

#[test]
fn a_cold_multistage_build_costs_the_stated_extra() {
    let truth = MULTISTAGE;
    let (_, all) = pipelines(ScenarioKind::Multistage, 1_500);
    let (mut warm, mut deps, mut cold) = (Vec::new(), Vec::new(), Vec::new());
    for job in jobs(&all, truth.job) {
        let build = job.docker_builds().next().expect("a docker build");
        assert_eq!(build.steps.len() as u32, truth.steps);
        let total = seconds(build.total_us());
        match build_kind(build) {
            BuildKind::Warm => {
                assert_eq!(build.cached_steps() as u32, truth.warm_cached_steps);
                warm.push(total);
            }
            BuildKind::DepsChanged => deps.push(total),
            BuildKind::Cold => cold.push(total),
        }
    }
    let n = (warm.len() + deps.len() + cold.len()) as f64;
    within(
        mean(&cold) - mean(&warm),
        truth.cold_extra.as_secs_f64(),
        0.02,
        "cold build extra",
    );
    // A lock-file change reruns `COPY package*.json` (0.3 s) and `npm ci`.
    within(
        mean(&deps) - mean(&warm) - 0.3,
        truth.deps_install.as_secs_f64(),
        0.02,
        "dependency install",
    );
    assert!(
        (cold.len() as f64 / n - truth.cold_rate).abs() < 0.02,
        "cold rate"
    );
    assert!(
        (deps.len() as f64 / n - truth.deps_changed_rate).abs() < 0.025,
        "deps-changed rate"
    );
}

#[test]
fn two_dockerfile_builds_never_hit_the_layer_cache() {
    let truth = TWO_DOCKERFILES;
    let (_, all) = pipelines(ScenarioKind::TwoDockerfiles, 1_500);
    // Steps that depend on the sources could never come from a cache; the others could.
    let source_steps = [
        "COPY . .",
        "RUN npm run build",
        "COPY dist/ /usr/share/nginx/html",
    ];
    let mut avoidable = Vec::new();
    for job in jobs(&all, truth.job) {
        let builds: Vec<_> = job.docker_builds().collect();
        assert_eq!(builds.len(), 2, "build image and runtime image");
        let steps: Vec<_> = builds.iter().flat_map(|b| b.steps.iter()).collect();
        assert_eq!(steps.len() as u32, truth.steps);
        assert_eq!(
            steps.iter().filter(|s| s.cached).count() as u32,
            truth.cached_steps
        );
        let cacheable: i64 = steps
            .iter()
            .filter(|s| !source_steps.contains(&s.instruction))
            .map(|s| s.duration_us)
            .sum();
        avoidable.push(seconds(cacheable));
    }
    within(
        mean(&avoidable),
        truth.avoidable_per_build.as_secs_f64(),
        0.02,
        "time a layer cache would save",
    );
}

#[test]
fn quick_checks_wait_far_longer_than_they_run() {
    let truth = QUEUE_STARVED;
    let (_, all) = pipelines(ScenarioKind::QueueStarved, 8_000);
    let all_jobs: Vec<&Job> = all
        .iter()
        .flat_map(|p| p.latest_jobs())
        .filter(|j| j.finished_us.is_some())
        .collect();
    assert!(all_jobs.iter().all(|j| j.draft.tags.contains(&truth.tag)));
    let queue: Vec<f64> = all_jobs
        .iter()
        .map(|j| seconds(j.queued_duration_us().unwrap()))
        .collect();
    let run: Vec<f64> = all_jobs
        .iter()
        .map(|j| seconds(j.duration_us().unwrap()))
        .collect();
    within(
        mean(&queue),
        truth.queue.expected_mean().as_secs_f64(),
        0.05,
        "mean queue",
    );
    assert!(
        run.iter().all(|&r| r < truth.max_run.as_secs_f64()),
        "every job runs under {:?}",
        truth.max_run
    );
    assert!(mean(&queue) > 5.0 * mean(&run));
}

#[test]
fn shared_runners_queue_as_stated() {
    let (_, all) = pipelines(ScenarioKind::CacheAsTransport, 2_000);
    let queue: Vec<f64> = all
        .iter()
        .flat_map(|p| p.latest_jobs())
        .filter_map(|j| j.queued_duration_us())
        .map(seconds)
        .collect();
    // Spikes make the spread wide (an exponential of mean 240 s in 3 % of jobs): 10 %.
    within(
        mean(&queue),
        CACHE_TRANSPORT.queue.expected_mean().as_secs_f64(),
        0.10,
        "mean queue on shared runners",
    );
}
