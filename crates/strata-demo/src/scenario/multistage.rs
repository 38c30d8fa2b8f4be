//! Scenario 3, **multistage Dockerfile with layer caching** (`demo/multistage`).
//!
//! One job, `docker-build`, runs `docker buildx build --progress=plain` with a registry
//! cache (`--cache-from`/`--cache-to`) over an 11-step, two-stage Dockerfile. Planted, from
//! [`MULTISTAGE`](crate::ground_truth::MULTISTAGE):
//! - a warm build serves 8 of the 11 steps from the cache (`#N CACHED`) and runs only
//!   `COPY . .`, `RUN npm run build` and the final `COPY --from=builder`;
//! - 12 % of builds follow a lock-file change: `COPY package*.json` and `RUN npm ci` (150 s on
//!   average) run again;
//! - 8 % are cold (no cache on the new runner, the import fails): every step runs, which costs
//!   240 s more than a warm build on average (the cacheable steps' means add up to that).
//!
//! Runners are older (16.11) and print no per-line timestamps; BuildKit prints its own step
//! times (`#N DONE 12.3s`).

use rand::Rng;

use super::{
    PipelineContext, ProjectSpec, Scenario,
    model::{Builder, DockerBuild, DockerStep, JobDraft, Outcome, Output},
    noise::{around_s, chance},
    people::LEGACY_RUNNERS,
    phases::{Basics, Body, Rates, assemble, cmd, manual, one_command},
};
use crate::ground_truth::{GroundTruth, MULTISTAGE as TRUTH};

pub struct Multistage;

static PROJECT: ProjectSpec = ProjectSpec {
    id: 103,
    path: "demo/multistage",
    name: "multistage",
    description: "Builds everything in one multistage Dockerfile with a registry layer cache.",
    ff_timestamps: false,
    weight: 1.0,
    nightly: true,
    id_slot: 3,
};

const IMAGE_REPO: &str = "registry.gitlab.example.com/demo/multistage";

/// When a step runs again after a cache miss, and why it may be served from the cache.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reuse {
    /// Cached unless the build is cold.
    Stable,
    /// Cached unless the build is cold or the lock file changed.
    Dependencies,
    /// Never cached: the sources changed.
    Never,
}

struct StepSpec {
    stage: &'static str,
    index: u8,
    of: u8,
    instruction: &'static str,
    mean_s: f64,
    reuse: Reuse,
    output: &'static [&'static str],
}

const fn spec(
    stage: &'static str,
    (index, of): (u8, u8),
    instruction: &'static str,
    mean_s: f64,
    reuse: Reuse,
    output: &'static [&'static str],
) -> StepSpec {
    StepSpec {
        stage,
        index,
        of,
        instruction,
        mean_s,
        reuse,
        output,
    }
}

/// The Dockerfile. The means of the steps a warm build skips add up to `TRUTH.cold_extra`,
/// and `RUN npm ci` is `TRUTH.deps_install` (checked by the tests below).
const STEPS: [StepSpec; 11] = [
    spec(
        "builder",
        (1, 7),
        "FROM docker.io/library/node:20-alpine@sha256:b5b9d4f1c0e6a3f9a7d2e8c4b1f0a9e3d5c7b2a4f6e8d0c1b3a5f7e9d2c4b6a8",
        32.0,
        Reuse::Stable,
        &[],
    ),
    spec(
        "builder",
        (2, 7),
        "RUN apk add --no-cache git python3 make g++",
        28.0,
        Reuse::Stable,
        &[
            "fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/APKINDEX.tar.gz",
            "OK: 215 MiB in 67 packages",
        ],
    ),
    spec("builder", (3, 7), "WORKDIR /app", 0.1, Reuse::Stable, &[]),
    spec(
        "builder",
        (4, 7),
        "COPY package.json package-lock.json ./",
        0.3,
        Reuse::Dependencies,
        &[],
    ),
    spec(
        "builder",
        (5, 7),
        "RUN npm ci",
        150.0,
        Reuse::Dependencies,
        &[
            "added 1342 packages, and audited 1343 packages in 2m",
            "found 0 vulnerabilities",
        ],
    ),
    spec("builder", (6, 7), "COPY . .", 1.5, Reuse::Never, &[]),
    spec(
        "builder",
        (7, 7),
        "RUN npm run build",
        65.0,
        Reuse::Never,
        &[
            "> app@4.2.0 build",
            "> vite build",
            "✓ 2310 modules transformed.",
        ],
    ),
    spec(
        "stage-1",
        (1, 4),
        "FROM docker.io/library/nginx:1.27-alpine@sha256:a45ee5d042aaa9e81e013f97ae40c3dda26fbe98f22b6251acdf28e579560d55",
        9.0,
        Reuse::Stable,
        &[],
    ),
    spec(
        "stage-1",
        (2, 4),
        "RUN apk add --no-cache curl",
        20.2,
        Reuse::Stable,
        &["OK: 14 MiB in 21 packages"],
    ),
    spec(
        "stage-1",
        (3, 4),
        "COPY nginx.conf /etc/nginx/conf.d/default.conf",
        0.4,
        Reuse::Stable,
        &[],
    ),
    spec(
        "stage-1",
        (4, 4),
        "COPY --from=builder /app/dist /usr/share/nginx/html",
        0.8,
        Reuse::Never,
        &[],
    ),
];

/// Why a build found what it found in the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildKind {
    Warm,
    DepsChanged,
    Cold,
}

/// The kind of a generated `docker-build` job's build, read back from which steps ran.
pub fn build_kind(build: &DockerBuild) -> BuildKind {
    match build.cached_steps() {
        0 => BuildKind::Cold,
        n if n == TRUTH.warm_cached_steps as usize => BuildKind::Warm,
        _ => BuildKind::DepsChanged,
    }
}

fn docker_build(ctx: &mut PipelineContext<'_>, tag: &str) -> DockerBuild {
    let cold = chance(&mut ctx.rng, TRUTH.cold_rate);
    let deps_changed = !cold
        && chance(
            &mut ctx.rng,
            TRUTH.deps_changed_rate / (1.0 - TRUTH.cold_rate),
        );
    let steps = STEPS
        .iter()
        .map(|s| {
            let cached = !cold
                && match s.reuse {
                    Reuse::Stable => true,
                    Reuse::Dependencies => !deps_changed,
                    Reuse::Never => false,
                };
            DockerStep {
                stage: s.stage,
                index: s.index,
                of: s.of,
                instruction: s.instruction,
                cached,
                duration_us: if cached {
                    0
                } else {
                    around_s(&mut ctx.rng, s.mean_s, 0.2)
                },
                output: s.output,
            }
        })
        .collect();
    DockerBuild {
        builder: Builder::BuildKit,
        dockerfile: "Dockerfile",
        tag: tag.to_string(),
        cache_import: Some(!cold),
        setup_us: around_s(&mut ctx.rng, 3.0, 0.3),
        steps,
        export_us: around_s(&mut ctx.rng, 12.0, 0.3),
    }
}

fn basics(ctx: &mut PipelineContext<'_>, name: &'static str, stage: &'static str) -> Basics {
    Basics {
        name,
        stage,
        image: "node:20-alpine",
        services: &[],
        tags: &[],
        runner: &LEGACY_RUNNERS[ctx.rng.random_range(0..LEGACY_RUNNERS.len())],
        pull_probability: 0.15,
        pull_mean_s: 12.0,
    }
}

fn simple(
    ctx: &mut PipelineContext<'_>,
    name: &'static str,
    line: &'static str,
    mean_s: f64,
    output: &'static [&'static str],
) -> JobDraft {
    let b = basics(ctx, name, "test");
    one_command(
        &mut ctx.rng,
        b,
        TRUTH.queue,
        line,
        mean_s,
        output,
        Outcome::Success,
    )
}

impl Scenario for Multistage {
    fn project(&self) -> &'static ProjectSpec {
        &PROJECT
    }

    fn ground_truth(&self) -> GroundTruth {
        GroundTruth::Multistage(TRUTH)
    }

    fn jobs(&self, ctx: &mut PipelineContext<'_>) -> Vec<JobDraft> {
        let tag = format!("{IMAGE_REPO}:{}", ctx.short_sha());
        let mut jobs = vec![
            simple(ctx, "lint", "npm run lint", 30.0, &["✔ No problems found"]),
            simple(
                ctx,
                "unit",
                "npm test -- --run",
                55.0,
                &[
                    " Test Files  96 passed (96)",
                    "      Tests  731 passed (731)",
                ],
            ),
            simple(ctx, "typecheck", "npx tsc --noEmit", 35.0, &[]),
        ];
        let build = docker_build(ctx, &tag);
        let b = Basics {
            image: "docker:27.3",
            services: &["docker:27.3-dind"],
            pull_probability: 0.05,
            ..basics(ctx, TRUTH.job, "build")
        };
        let line = format!(
            "docker buildx build --progress=plain --cache-from type=registry,ref={IMAGE_REPO}:buildcache --cache-to type=registry,ref={IMAGE_REPO}:buildcache,mode=max --tag {tag} --push ."
        );
        let body = Body {
            script: vec![
                cmd(
                    "docker buildx create --use --driver docker-container",
                    around_s(&mut ctx.rng, 2.0, 0.3),
                    Output::Static(&["eloquent_hopper"]),
                ),
                cmd(line, build.total_us(), Output::Docker(build)),
            ],
            ..Body::default()
        };
        jobs.push(assemble(
            &mut ctx.rng,
            b,
            TRUTH.queue,
            Rates::STANDARD,
            body,
            Outcome::Success,
        ));

        let b = Basics {
            image: "aquasec/trivy:0.56.2",
            ..basics(ctx, "container-scan", "scan")
        };
        let fails = chance(&mut ctx.rng, 0.05);
        let output: &'static [&'static str] = if fails {
            &[
                "Total: 1 (CRITICAL: 1)",
                "│ openssl │ CVE-2024-9143 │ CRITICAL │",
            ]
        } else {
            &["Total: 0 (CRITICAL: 0)"]
        };
        let body = Body {
            script: vec![cmd(
                format!("trivy image --exit-code 1 --severity CRITICAL {tag}"),
                around_s(&mut ctx.rng, 40.0, 0.3),
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
        let mut scan = assemble(&mut ctx.rng, b, TRUTH.queue, Rates::STANDARD, body, outcome);
        scan.allow_failure = true;
        jobs.push(scan);

        if ctx.on_main() {
            let b = Basics {
                image: "docker:27.3",
                ..basics(ctx, "release", "release")
            };
            let body = Body {
                script: vec![cmd(
                    format!("docker buildx imagetools create -t {IMAGE_REPO}:latest {tag}"),
                    around_s(&mut ctx.rng, 6.0, 0.3),
                    Output::None,
                )],
                ..Body::default()
            };
            jobs.push(assemble(
                &mut ctx.rng,
                b,
                TRUTH.queue,
                Rates::STANDARD,
                body,
                Outcome::Success,
            ));
            jobs.push(manual(basics(ctx, "deploy", "release")));
        }
        jobs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::noise::{secs, us};

    #[test]
    fn the_steps_a_warm_build_skips_cost_exactly_the_stated_cold_extra() {
        let skipped: f64 = STEPS
            .iter()
            .filter(|s| s.reuse != Reuse::Never)
            .map(|s| s.mean_s)
            .sum();
        assert_eq!(secs(skipped), us(TRUTH.cold_extra));
        let npm_ci = STEPS
            .iter()
            .find(|s| s.instruction == "RUN npm ci")
            .map(|s| s.mean_s);
        assert_eq!(npm_ci.map(secs), Some(us(TRUTH.deps_install)));
        assert_eq!(STEPS.len() as u32, TRUTH.steps);
        let warm_cached = STEPS.iter().filter(|s| s.reuse != Reuse::Never).count();
        assert_eq!(warm_cached as u32, TRUTH.warm_cached_steps);
    }
}
