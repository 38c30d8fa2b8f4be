//! Scenario 4, **two Dockerfiles** (`demo/two-dockerfiles`).
//!
//! `build-image` builds a build image from `Dockerfile.build`, copies `dist/` out of it with
//! `docker create` + `docker cp`, then builds the runtime image from `Dockerfile`, all with the
//! legacy builder (`DOCKER_BUILDKIT=0`) on a fresh Docker-in-Docker daemon and without
//! `--cache-from`. Planted, from
//! [`TWO_DOCKERFILES`](crate::ground_truth::TWO_DOCKERFILES):
//! - no step is ever served from the layer cache (every step prints ` ---> Running in …`,
//!   every `FROM` pulls);
//! - the steps a warm cache would serve (base images, `npm ci`, `apk add`, …) cost 169 s per
//!   build on average;
//! - `test` fails now and then (3 %), which skips the later stages.
//!
//! Runners have `FF_TIMESTAMPS` on: the legacy builder prints no step times, the timestamps
//! give them.

use rand::Rng;

use super::{
    PipelineContext, ProjectSpec, Scenario,
    model::{Builder, DockerBuild, DockerStep, JobDraft, Outcome, Output},
    noise::{around_s, chance, hex},
    people::AUTOSCALER_RUNNERS,
    phases::{Basics, Body, Rates, assemble, cmd, manual, one_command},
};
use crate::ground_truth::{GroundTruth, TWO_DOCKERFILES as TRUTH};

pub struct TwoDockerfiles;

static PROJECT: ProjectSpec = ProjectSpec {
    id: 104,
    path: "demo/two-dockerfiles",
    name: "two-dockerfiles",
    description: "Builds a build image, copies dist/ out with docker cp, builds a runtime image.",
    ff_timestamps: true,
    weight: 1.0,
    nightly: true,
    id_slot: 4,
};

const IMAGE_REPO: &str = "registry.gitlab.example.com/demo/two-dockerfiles";

/// `(instruction, mean seconds, a warm layer cache would serve it, output)`.
type StepSpec = (&'static str, f64, bool, &'static [&'static str]);

const BUILD_STEPS: [StepSpec; 6] = [
    (
        "FROM node:20",
        30.0,
        true,
        &[
            "20: Pulling from library/node",
            "Digest: sha256:a5e0ed56f2c20b9689e0f7dd498cac7e08d2a3a283e92d9304e7b9b83e3c6ff3",
            "Status: Downloaded newer image for node:20",
        ],
    ),
    ("WORKDIR /src", 0.4, true, &[]),
    ("COPY package.json package-lock.json ./", 0.6, true, &[]),
    (
        "RUN npm ci",
        110.0,
        true,
        &[
            "added 1187 packages, and audited 1188 packages in 1m",
            "found 0 vulnerabilities",
        ],
    ),
    ("COPY . .", 1.8, false, &[]),
    (
        "RUN npm run build",
        60.0,
        false,
        &[
            "> web@2.4.0 build",
            "> vite build",
            "✓ 1873 modules transformed.",
        ],
    ),
];

const RUNTIME_STEPS: [StepSpec; 4] = [
    (
        "FROM nginx:1.27-alpine",
        9.0,
        true,
        &[
            "1.27-alpine: Pulling from library/nginx",
            "Digest: sha256:a45ee5d042aaa9e81e013f97ae40c3dda26fbe98f22b6251acdf28e579560d55",
            "Status: Downloaded newer image for nginx:1.27-alpine",
        ],
    ),
    (
        "RUN apk add --no-cache curl",
        18.6,
        true,
        &[
            "fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/APKINDEX.tar.gz",
            "OK: 14 MiB in 21 packages",
        ],
    ),
    (
        "COPY nginx.conf /etc/nginx/conf.d/default.conf",
        0.4,
        true,
        &[],
    ),
    ("COPY dist/ /usr/share/nginx/html", 0.7, false, &[]),
];

fn classic(
    ctx: &mut PipelineContext<'_>,
    dockerfile: &'static str,
    tag: String,
    specs: &[StepSpec],
) -> DockerBuild {
    let of = specs.len() as u8;
    let steps = specs
        .iter()
        .enumerate()
        .map(|(i, &(instruction, mean_s, _, output))| DockerStep {
            stage: "",
            index: i as u8 + 1,
            of,
            instruction,
            cached: false,
            duration_us: around_s(&mut ctx.rng, mean_s, 0.2),
            output,
        })
        .collect();
    DockerBuild {
        builder: Builder::Classic,
        dockerfile,
        tag,
        cache_import: None,
        setup_us: around_s(&mut ctx.rng, 1.5, 0.3),
        steps,
        export_us: around_s(&mut ctx.rng, 0.5, 0.3),
    }
}

fn basics(ctx: &mut PipelineContext<'_>, name: &'static str, stage: &'static str) -> Basics {
    Basics {
        name,
        stage,
        image: "node:20-bookworm",
        services: &[],
        tags: &[],
        runner: &AUTOSCALER_RUNNERS[ctx.rng.random_range(0..AUTOSCALER_RUNNERS.len())],
        pull_probability: 0.2,
        pull_mean_s: 20.0,
    }
}

fn scripted(
    ctx: &mut PipelineContext<'_>,
    b: Basics,
    line: String,
    mean_s: f64,
    output: &'static [&'static str],
    outcome: Outcome,
) -> JobDraft {
    one_command(&mut ctx.rng, b, TRUTH.queue, line, mean_s, output, outcome)
}

fn build_image(ctx: &mut PipelineContext<'_>) -> JobDraft {
    let b = Basics {
        image: "docker:24.0.7",
        services: &["docker:24.0.7-dind"],
        pull_probability: 0.05,
        ..basics(ctx, TRUTH.job, "build")
    };
    let build_tag = format!("app-build:{}", ctx.short_sha());
    let image = format!("{IMAGE_REPO}:{}", ctx.short_sha());
    let first = classic(ctx, "Dockerfile.build", build_tag.clone(), &BUILD_STEPS);
    let second = classic(ctx, "Dockerfile", image.clone(), &RUNTIME_STEPS);
    let container = hex(&mut ctx.rng, 32);
    let script = vec![
        cmd(
            format!("docker build -f Dockerfile.build -t {build_tag} ."),
            first.total_us(),
            Output::Docker(first),
        ),
        cmd(
            format!("docker create --name extract {build_tag}"),
            around_s(&mut ctx.rng, 0.6, 0.3),
            Output::Text(vec![container]),
        ),
        cmd(
            "docker cp extract:/src/dist ./dist",
            around_s(&mut ctx.rng, 3.0, 0.3),
            Output::Static(&["Successfully copied 118MB to /builds/demo/two-dockerfiles/dist"]),
        ),
        cmd(
            "docker rm extract",
            around_s(&mut ctx.rng, 0.3, 0.3),
            Output::Static(&["extract"]),
        ),
        cmd(
            format!("docker build -f Dockerfile -t {image} ."),
            second.total_us(),
            Output::Docker(second),
        ),
        cmd(
            format!("docker push {image}"),
            around_s(&mut ctx.rng, 14.0, 0.3),
            Output::Text(vec![format!(
                "{}: digest: sha256:{} size: 2201",
                ctx.short_sha(),
                ctx.sha.repeat(2).get(..64).unwrap_or_default()
            )]),
        ),
    ];
    let body = Body {
        script,
        ..Body::default()
    };
    assemble(
        &mut ctx.rng,
        b,
        TRUTH.queue,
        Rates::STANDARD,
        body,
        Outcome::Success,
    )
}

impl Scenario for TwoDockerfiles {
    fn project(&self) -> &'static ProjectSpec {
        &PROJECT
    }

    fn ground_truth(&self) -> GroundTruth {
        GroundTruth::TwoDockerfiles(TRUTH)
    }

    fn jobs(&self, ctx: &mut PipelineContext<'_>) -> Vec<JobDraft> {
        let b = basics(ctx, "lint", "test");
        let lint = scripted(
            ctx,
            b,
            "npm run lint".into(),
            25.0,
            &["✔ No problems found"],
            Outcome::Success,
        );
        let b = basics(ctx, "audit", "test");
        let audit_fails = chance(&mut ctx.rng, 0.1);
        let outcome = if audit_fails {
            Outcome::Failed {
                reason: "script_failure",
            }
        } else {
            Outcome::Success
        };
        let mut audit = scripted(
            ctx,
            b,
            "npm audit --audit-level=high".into(),
            8.0,
            &["found 0 vulnerabilities"],
            outcome,
        );
        audit.allow_failure = true;
        let b = basics(ctx, "test", "test");
        let test_fails = chance(&mut ctx.rng, 0.03);
        let (output, outcome): (&'static [&'static str], _) = if test_fails {
            (
                &[
                    "FAIL src/cart/cart.test.ts",
                    "Tests:       1 failed, 519 passed, 520 total",
                ],
                Outcome::Failed {
                    reason: "script_failure",
                },
            )
        } else {
            (&["Tests:       520 passed, 520 total"], Outcome::Success)
        };
        let test = scripted(ctx, b, "npm test -- --ci".into(), 70.0, output, outcome);
        let mut jobs = vec![lint, audit, test, build_image(ctx)];

        let b = Basics {
            image: "aquasec/trivy:0.56.2",
            ..basics(ctx, "scan", "publish")
        };
        let image = format!("{IMAGE_REPO}:{}", ctx.short_sha());
        let mut scan = scripted(
            ctx,
            b,
            format!("trivy image --severity HIGH,CRITICAL {image}"),
            35.0,
            &["Total: 0 (HIGH: 0, CRITICAL: 0)"],
            Outcome::Success,
        );
        scan.allow_failure = true;
        jobs.push(scan);
        if ctx.on_main() {
            let b = Basics {
                image: "docker:24.0.7",
                services: &["docker:24.0.7-dind"],
                ..basics(ctx, "publish", "publish")
            };
            jobs.push(scripted(ctx, b, format!("docker pull {image} && docker tag {image} {IMAGE_REPO}:latest && docker push {IMAGE_REPO}:latest"), 25.0, &["latest: digest: sha256:5d3bc9a9ef0c4f0b8b3a1e4d6c2f7a9e8b1d0c3f5a7e9b2d4c6f8a0e1b3d5c7f9 size: 2201"], Outcome::Success));
            jobs.push(manual(basics(ctx, "deploy", "publish")));
        }
        jobs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::noise::{secs, us};

    #[test]
    fn the_cacheable_steps_cost_exactly_the_stated_avoidable_time() {
        let all = BUILD_STEPS.iter().chain(RUNTIME_STEPS.iter());
        let avoidable: f64 = all.clone().filter(|s| s.2).map(|s| s.1).sum();
        assert_eq!(secs(avoidable), us(TRUTH.avoidable_per_build));
        assert_eq!(all.count() as u32, TRUTH.steps);
    }
}
