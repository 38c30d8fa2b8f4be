//! Scenario 1, **cache as transport** (`demo/cache-as-transport`).
//!
//! `build` installs dependencies from a `node-modules-<lockhash>` cache and leaves `dist/` in a
//! cache keyed per commit (`dist-<sha>`); `containerize` restores that cache
//! (`policy: pull`) and builds the image from it. Planted, from
//! [`CACHE_TRANSPORT`](crate::ground_truth::CACHE_TRANSPORT):
//! - a dependency-cache miss (15 %) adds 95 s to `build`'s `step_script` (a full `npm ci`);
//! - a transport-cache miss (20 %, evicted) adds 150 s to `containerize`'s `step_script`
//!   (it rebuilds `dist/` itself), and every pipeline piles up one more `dist-<sha>` key;
//! - `lint` and `test:unit` archive different paths under the default key `default`, so each
//!   restores the other's cache;
//! - `test:integration` is flaky (6 %) and retried automatically; `audit` may fail (allowed);
//!   deploys run on `main` only, production by hand.
//!
//! Runners have `FF_TIMESTAMPS` on, so phases are timed to the microsecond.

use rand::Rng;

use super::{
    PipelineContext, ProjectSpec, Scenario,
    model::{
        ArtifactFile, ArtifactUpload, Builder, DockerBuild, DockerStep, JobDraft, Outcome, Output,
    },
    noise::{around, around_s, between, chance, mix, secs, us},
    people::AUTOSCALER_RUNNERS,
    phases::{Basics, Body, Rates, Transfer, archive, assemble, cache_key, cmd, manual, restore},
};
use crate::ground_truth::{CACHE_TRANSPORT as TRUTH, GroundTruth};

pub struct CacheAsTransport;

static PROJECT: ProjectSpec = ProjectSpec {
    id: 101,
    path: "demo/cache-as-transport",
    name: "cache-as-transport",
    description: "Hands dist/ from build to containerize through a per-commit cache.",
    ff_timestamps: true,
    weight: 1.0,
    nightly: true,
    id_slot: 1,
};

const NODE_IMAGE: &str = "node:20.18-bookworm";
const CI_IMAGE: &str = "registry.gitlab.example.com/demo/cache-as-transport/ci:node20";
const DOCKER_IMAGE: &str = "docker:24.0.7";
const DIND: &[&str] = &["docker:24.0.7-dind"];
const NODE_MODULES_BYTES: u64 = 310_000_000;

fn rates() -> Rates {
    Rates {
        cache: Transfer {
            bytes_per_second: TRUTH.cache_bytes_per_second,
            overhead_us: us(TRUTH.cache_overhead),
        },
        ..Rates::STANDARD
    }
}

fn basics(ctx: &mut PipelineContext<'_>, name: &'static str, stage: &'static str) -> Basics {
    let runner = &AUTOSCALER_RUNNERS[ctx.rng.random_range(0..AUTOSCALER_RUNNERS.len())];
    Basics {
        name,
        stage,
        image: CI_IMAGE,
        services: &[],
        tags: &[],
        runner,
        pull_probability: 0.2,
        pull_mean_s: 18.0,
    }
}

impl Scenario for CacheAsTransport {
    fn project(&self) -> &'static ProjectSpec {
        &PROJECT
    }

    fn ground_truth(&self) -> GroundTruth {
        GroundTruth::CacheTransport(TRUTH)
    }

    fn jobs(&self, ctx: &mut PipelineContext<'_>) -> Vec<JobDraft> {
        let dist_bytes = between(&mut ctx.rng, 108_000_000, 132_000_000);
        let mut jobs = vec![
            lint(ctx),
            audit(ctx),
            build(ctx, dist_bytes),
            test_unit(ctx),
            test_integration(ctx),
            containerize(ctx, dist_bytes),
        ];
        if ctx.on_main() {
            jobs.push(deploy_staging(ctx));
            let b = basics(ctx, "deploy:production", "deploy");
            jobs.push(manual(b));
        }
        jobs
    }
}

/// `lint` and `test:unit` both leave `cache:key` unset: GitLab's default key is `default`.
fn colliding_cache(
    ctx: &mut PipelineContext<'_>,
    paths: &'static [&'static str],
    bytes: u64,
) -> Body {
    let key = cache_key("default", ctx.protected);
    let hit = !chance(&mut ctx.rng, 0.1);
    Body {
        restore: vec![restore(key.clone(), hit, bytes)],
        archive: vec![archive(key, paths, 212, true, bytes)],
        ..Body::default()
    }
}

fn lint(ctx: &mut PipelineContext<'_>) -> JobDraft {
    let b = basics(ctx, "lint", "lint");
    let mut body = colliding_cache(ctx, &[".eslintcache"], 4_200_000);
    body.script = vec![cmd(
        "npx eslint --cache --cache-location .eslintcache .",
        around_s(&mut ctx.rng, 25.0, 0.3),
        Output::Static(&["", "✔ No problems found (412 files checked)"]),
    )];
    assemble(
        &mut ctx.rng,
        b,
        TRUTH.queue,
        rates(),
        body,
        Outcome::Success,
    )
}

fn audit(ctx: &mut PipelineContext<'_>) -> JobDraft {
    let b = basics(ctx, "audit", "lint");
    let failed = chance(&mut ctx.rng, 0.1);
    let output: &'static [&'static str] = if failed {
        &[
            "# npm audit report",
            "",
            "cross-spawn  <7.0.5",
            "Severity: high",
            "1 high severity vulnerability",
        ]
    } else {
        &["found 0 vulnerabilities"]
    };
    let body = Body {
        script: vec![cmd(
            "npm audit --audit-level=high",
            around_s(&mut ctx.rng, 8.0, 0.4),
            Output::Static(output),
        )],
        ..Body::default()
    };
    let outcome = if failed {
        Outcome::Failed {
            reason: "script_failure",
        }
    } else {
        Outcome::Success
    };
    let mut job = assemble(&mut ctx.rng, b, TRUTH.queue, rates(), body, outcome);
    job.allow_failure = true;
    job
}

fn build(ctx: &mut PipelineContext<'_>, dist_bytes: u64) -> JobDraft {
    let b = Basics {
        image: NODE_IMAGE,
        ..basics(ctx, "build", "build")
    };
    // The lock file changes every couple of weeks; misses also come from eviction, so they
    // are drawn independently at the stated rate.
    let fortnight = (ctx.days_since_start / 14.0).floor().max(0.0) as u64;
    let lock = format!("{:08x}", mix(fortnight, &[PROJECT.id as u64]) as u32);
    let deps_key = cache_key(&format!("{}{lock}", TRUTH.deps_key_prefix), ctx.protected);
    let dist_key = cache_key(
        &format!("{}{}", TRUTH.transport_key_prefix, ctx.sha),
        ctx.protected,
    );
    let hit = !chance(&mut ctx.rng, TRUTH.deps_miss_rate);
    let mut install = around_s(&mut ctx.rng, 14.0, 0.3);
    if !hit {
        install += around(&mut ctx.rng, us(TRUTH.deps_miss_penalty), 0.2);
    }
    let compile = around_s(&mut ctx.rng, 70.0, 0.25);
    let files = between(&mut ctx.rng, 1_850, 1_900) as u32;
    let body = Body {
        restore: vec![restore(deps_key.clone(), hit, NODE_MODULES_BYTES)],
        script: vec![
            cmd(
                "npm ci --prefer-offline --no-audit",
                install,
                Output::Text(vec![format!(
                    "added 1187 packages in {}s",
                    install / 1_000_000
                )]),
            ),
            cmd(
                "npm run build",
                compile,
                Output::Text(vec![
                    String::new(),
                    "> web@2.4.0 build".into(),
                    "> vite build".into(),
                    String::new(),
                    "vite v5.4.10 building for production...".into(),
                    format!("✓ {files} modules transformed."),
                    format!("✓ built in {:.2}s", compile as f64 / 1e6 - 1.3),
                ]),
            ),
            cmd(
                "du -sh dist",
                secs(0.2),
                Output::Text(vec![format!("{}M\tdist", dist_bytes / 1_048_576)]),
            ),
        ],
        archive: vec![
            archive(
                deps_key,
                &["node_modules/"],
                41_235,
                true,
                NODE_MODULES_BYTES,
            ),
            archive(dist_key, &["dist/"], files, true, dist_bytes),
        ],
        ..Body::default()
    };
    assemble(
        &mut ctx.rng,
        b,
        TRUTH.queue,
        rates(),
        body,
        Outcome::Success,
    )
}

fn test_unit(ctx: &mut PipelineContext<'_>) -> JobDraft {
    let b = basics(ctx, "test:unit", "test");
    let mut body = colliding_cache(ctx, &[".jest-cache/"], 61_000_000);
    body.script = vec![cmd(
        "npx jest --ci --cacheDirectory .jest-cache --reporters=default --reporters=jest-junit",
        around_s(&mut ctx.rng, 45.0, 0.25),
        Output::Static(&[
            "Test Suites: 58 passed, 58 total",
            "Tests:       412 passed, 412 total",
            "Time:        41.7 s",
        ]),
    )];
    body.upload = Some(ArtifactUpload {
        paths: Vec::new(),
        junit: Some("junit.xml"),
        bytes: 38_112,
    });
    body.artifacts = vec![ArtifactFile {
        file_type: "junit",
        filename: "junit.xml.gz",
        file_format: "gzip",
        size: 38_112,
    }];
    body.expire_in_us = Some(secs(30.0 * 86_400.0));
    assemble(
        &mut ctx.rng,
        b,
        TRUTH.queue,
        rates(),
        body,
        Outcome::Success,
    )
}

fn test_integration(ctx: &mut PipelineContext<'_>) -> JobDraft {
    let attempt = |ctx: &mut PipelineContext<'_>, fails: bool| {
        let b = Basics {
            services: &["postgres:16-alpine"],
            ..basics(ctx, "test:integration", "test")
        };
        let output: &'static [&'static str] = if fails {
            &[
                "FAIL tests/integration/orders.test.ts",
                "  ● orders › refunds a cancelled order",
                "    Timeout - Async callback was not invoked within 5000 ms",
                "Tests:       1 failed, 87 passed, 88 total",
            ]
        } else {
            &[
                "Test Suites: 12 passed, 12 total",
                "Tests:       88 passed, 88 total",
            ]
        };
        let body = Body {
            script: vec![cmd(
                "npm run test:integration",
                around_s(&mut ctx.rng, 80.0, 0.2),
                Output::Static(output),
            )],
            ..Body::default()
        };
        let outcome = if fails {
            Outcome::Failed {
                reason: "script_failure",
            }
        } else {
            Outcome::Success
        };
        assemble(&mut ctx.rng, b, TRUTH.queue, rates(), body, outcome)
    };
    let flaky = chance(&mut ctx.rng, 0.06);
    let mut job = attempt(ctx, flaky);
    if flaky {
        let again = chance(&mut ctx.rng, 0.1);
        job.retry = Some(Box::new(attempt(ctx, again)));
    }
    job
}

fn containerize(ctx: &mut PipelineContext<'_>, dist_bytes: u64) -> JobDraft {
    let b = Basics {
        image: DOCKER_IMAGE,
        services: DIND,
        pull_probability: 0.1,
        ..basics(ctx, TRUTH.transport_reader_job, "containerize")
    };
    let key = cache_key(
        &format!("{}{}", TRUTH.transport_key_prefix, ctx.sha),
        ctx.protected,
    );
    let hit = !chance(&mut ctx.rng, TRUTH.transport_miss_rate);
    let mut fallback = around_s(&mut ctx.rng, 0.05, 0.5);
    let mut fallback_output = Output::None;
    if !hit {
        fallback += around(&mut ctx.rng, us(TRUTH.transport_miss_penalty), 0.15);
        fallback_output = Output::Static(&[
            "dist/ is missing: building it here",
            "added 1187 packages in 96s",
        ]);
    }
    let tag = format!(
        "registry.gitlab.example.com/demo/cache-as-transport:{}",
        ctx.short_sha()
    );
    let build = DockerBuild {
        builder: Builder::BuildKit,
        dockerfile: "Dockerfile",
        tag: tag.clone(),
        cache_import: None,
        setup_us: around_s(&mut ctx.rng, 1.6, 0.3),
        steps: vec![
            step(
                1,
                3,
                "FROM docker.io/library/nginx:1.27-alpine",
                around_s(&mut ctx.rng, 8.0, 0.3),
            ),
            step(
                2,
                3,
                "COPY dist/ /usr/share/nginx/html",
                around_s(&mut ctx.rng, 1.2, 0.3),
            ),
            step(
                3,
                3,
                "COPY nginx.conf /etc/nginx/conf.d/default.conf",
                around_s(&mut ctx.rng, 0.2, 0.3),
            ),
        ],
        export_us: around_s(&mut ctx.rng, 3.0, 0.3),
    };
    let build_us = build.total_us();
    let body = Body {
        restore: vec![restore(key.clone(), hit, dist_bytes)],
        script: vec![
            cmd(
                "test -d dist || (npm ci && npm run build)",
                fallback,
                fallback_output,
            ),
            cmd(
                format!("docker build --progress=plain -t {tag} ."),
                build_us,
                Output::Docker(build),
            ),
            cmd(
                format!("docker push {tag}"),
                around_s(&mut ctx.rng, 9.0, 0.3),
                Output::Text(vec![format!(
                    "{}: digest: sha256:{} size: 1989",
                    ctx.short_sha(),
                    ctx.sha.repeat(2).get(..64).unwrap_or_default()
                )]),
            ),
        ],
        archive: vec![archive(key, &["dist/"], 0, false, 0)],
        ..Body::default()
    };
    assemble(
        &mut ctx.rng,
        b,
        TRUTH.queue,
        rates(),
        body,
        Outcome::Success,
    )
}

fn step(index: u8, of: u8, instruction: &'static str, duration_us: i64) -> DockerStep {
    DockerStep {
        stage: "",
        index,
        of,
        instruction,
        cached: false,
        duration_us,
        output: &[],
    }
}

fn deploy_staging(ctx: &mut PipelineContext<'_>) -> JobDraft {
    let b = basics(ctx, "deploy:staging", "deploy");
    let body = Body {
        script: vec![cmd(
            format!("./scripts/deploy.sh staging {}", ctx.short_sha()),
            around_s(&mut ctx.rng, 20.0, 0.3),
            Output::Static(&[
                "deployment.apps/web configured",
                "deployment \"web\" successfully rolled out",
            ]),
        )],
        ..Body::default()
    };
    assemble(
        &mut ctx.rng,
        b,
        TRUTH.queue,
        rates(),
        body,
        Outcome::Success,
    )
}
