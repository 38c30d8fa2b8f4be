//! Scenario 2, **job artifacts** (`demo/artifacts`).
//!
//! `compile` uploads `dist/` as an artifact (`expire_in: 1 week`); `test:unit`, `test:e2e`,
//! `package` and `sbom` each download it, and `deploy` downloads `package`'s tarball.
//! Planted, from [`ARTIFACTS`](crate::ground_truth::ARTIFACTS):
//! - the archive grows from 80 MB by 3.5 MB a day (±3 % per pipeline);
//! - every upload and download takes `1.5 s + bytes / 40 MB/s` on average (±10 %), so
//!   transfer time grows with the output and dominates the jobs' non-script time;
//! - `lint` sets `dependencies: []` and downloads nothing; `test:e2e` is flaky (4 %) and
//!   retried automatically.
//!
//! Runners are older (16.11) and print no per-line timestamps.

use rand::Rng;

use super::{
    PipelineContext, ProjectSpec, Scenario,
    model::{ArtifactFile, ArtifactSource, ArtifactUpload, JobDraft, Outcome, Output},
    noise::{around, around_s, between, chance, secs, us},
    people::LEGACY_RUNNERS,
    phases::{Basics, Body, Rates, Transfer, archive, assemble, cache_key, cmd, download, restore},
};
use crate::ground_truth::{ARTIFACTS as TRUTH, GroundTruth};

pub struct Artifacts;

static PROJECT: ProjectSpec = ProjectSpec {
    id: 102,
    path: "demo/artifacts",
    name: "artifacts",
    description: "Passes the build output to later stages as job artifacts.",
    ff_timestamps: false,
    weight: 1.0,
    nightly: true,
    id_slot: 2,
};

const IMAGE: &str = "node:20.18-bookworm";
const NODE_MODULES_BYTES: u64 = 280_000_000;
const SBOM_BYTES: u64 = 2_100_000;

fn rates() -> Rates {
    Rates {
        artifacts: Transfer {
            bytes_per_second: TRUTH.transfer_bytes_per_second,
            overhead_us: us(TRUTH.transfer_overhead),
        },
        ..Rates::STANDARD
    }
}

fn basics(ctx: &mut PipelineContext<'_>, name: &'static str, stage: &'static str) -> Basics {
    Basics {
        name,
        stage,
        image: IMAGE,
        services: &[],
        tags: &[],
        runner: &LEGACY_RUNNERS[ctx.rng.random_range(0..LEGACY_RUNNERS.len())],
        pull_probability: 0.15,
        pull_mean_s: 22.0,
    }
}

impl Scenario for Artifacts {
    fn project(&self) -> &'static ProjectSpec {
        &PROJECT
    }

    fn ground_truth(&self) -> GroundTruth {
        GroundTruth::Artifacts(TRUTH)
    }

    fn jobs(&self, ctx: &mut PipelineContext<'_>) -> Vec<JobDraft> {
        let archive = around(
            &mut ctx.rng,
            TRUTH.archive_bytes(ctx.days_since_start) as i64,
            0.03,
        ) as u64;
        let tarball = archive * 35 / 100;
        let mut jobs = vec![
            compile(ctx, archive),
            lint(ctx),
            test_unit(ctx, archive),
            test_e2e(ctx, archive),
            package(ctx, archive, tarball),
            sbom(ctx, archive),
        ];
        if ctx.on_main() {
            jobs.push(deploy(ctx, tarball));
        }
        jobs
    }
}

fn expire() -> Option<i64> {
    Some(us(TRUTH.expire_in))
}

fn from_compile(bytes: u64) -> Vec<ArtifactSource> {
    vec![download(TRUTH.producer_job, bytes)]
}

fn archive_files(bytes: u64, metadata_ratio: u64) -> Vec<ArtifactFile> {
    vec![
        ArtifactFile {
            file_type: "archive",
            filename: "artifacts.zip",
            file_format: "zip",
            size: bytes,
        },
        ArtifactFile {
            file_type: "metadata",
            filename: "metadata.gz",
            file_format: "gzip",
            size: bytes / metadata_ratio,
        },
    ]
}

fn compile(ctx: &mut PipelineContext<'_>, archive_bytes: u64) -> JobDraft {
    let b = basics(ctx, TRUTH.producer_job, "build");
    let key = cache_key("node-modules-7d3a91c2", ctx.protected);
    let hit = !chance(&mut ctx.rng, 0.05);
    let mut install = around_s(&mut ctx.rng, 12.0, 0.3);
    if !hit {
        install += around_s(&mut ctx.rng, 60.0, 0.2);
    }
    let files = (archive_bytes / 48_000) as u32;
    let body = Body {
        restore: vec![restore(key.clone(), hit, NODE_MODULES_BYTES)],
        script: vec![
            cmd(
                "npm ci --prefer-offline --no-audit",
                install,
                Output::Text(vec![format!(
                    "added 1342 packages in {}s",
                    install / 1_000_000
                )]),
            ),
            cmd(
                "npm run build",
                around_s(&mut ctx.rng, 90.0, 0.2),
                Output::Static(&[
                    "",
                    "> shop@3.1.0 build",
                    "> next build",
                    "",
                    "   ▲ Next.js 14.2.15",
                    "   Creating an optimized production build ...",
                    " ✓ Compiled successfully",
                    " ✓ Generating static pages (214/214)",
                ]),
            ),
            cmd(
                "du -sh dist",
                secs(0.3),
                Output::Text(vec![format!("{}M\tdist", archive_bytes / 1_048_576)]),
            ),
        ],
        archive: vec![archive(
            key,
            &["node_modules/"],
            48_902,
            true,
            NODE_MODULES_BYTES,
        )],
        upload: Some(ArtifactUpload {
            paths: vec![("dist/", files)],
            junit: None,
            bytes: archive_bytes,
        }),
        artifacts: archive_files(archive_bytes, 1_800),
        expire_in_us: expire(),
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

fn lint(ctx: &mut PipelineContext<'_>) -> JobDraft {
    let b = basics(ctx, "lint", "test");
    let body = Body {
        script: vec![cmd(
            "npx next lint",
            around_s(&mut ctx.rng, 20.0, 0.3),
            Output::Static(&["✔ No ESLint warnings or errors"]),
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

fn junit(ctx: &mut PipelineContext<'_>, body: &mut Body) {
    let size = between(&mut ctx.rng, 30_000, 60_000);
    body.upload = Some(ArtifactUpload {
        paths: Vec::new(),
        junit: Some("junit.xml"),
        bytes: size,
    });
    body.artifacts = vec![ArtifactFile {
        file_type: "junit",
        filename: "junit.xml.gz",
        file_format: "gzip",
        size,
    }];
    body.expire_in_us = expire();
}

fn test_unit(ctx: &mut PipelineContext<'_>, archive: u64) -> JobDraft {
    let b = basics(ctx, "test:unit", "test");
    let mut body = Body {
        downloads: from_compile(archive),
        script: vec![cmd(
            "npm test -- --ci",
            around_s(&mut ctx.rng, 50.0, 0.25),
            Output::Static(&["Tests:       688 passed, 688 total"]),
        )],
        ..Body::default()
    };
    junit(ctx, &mut body);
    assemble(
        &mut ctx.rng,
        b,
        TRUTH.queue,
        rates(),
        body,
        Outcome::Success,
    )
}

fn test_e2e(ctx: &mut PipelineContext<'_>, archive: u64) -> JobDraft {
    let attempt = |ctx: &mut PipelineContext<'_>, fails: bool| {
        let b = Basics {
            services: &["selenium/standalone-chrome:4.25"],
            ..basics(ctx, "test:e2e", "test")
        };
        let output: &'static [&'static str] = if fails {
            &[
                "  1) checkout › pays with a saved card",
                "     TimeoutError: waiting for selector `#pay` failed",
                "  41 passing (1m 52s)",
                "  1 failing",
            ]
        } else {
            &["  42 passing (1m 55s)"]
        };
        let mut body = Body {
            downloads: from_compile(archive),
            script: vec![cmd(
                "npm run test:e2e",
                around_s(&mut ctx.rng, 120.0, 0.2),
                Output::Static(output),
            )],
            ..Body::default()
        };
        junit(ctx, &mut body);
        let outcome = if fails {
            Outcome::Failed {
                reason: "script_failure",
            }
        } else {
            Outcome::Success
        };
        assemble(&mut ctx.rng, b, TRUTH.queue, rates(), body, outcome)
    };
    let flaky = chance(&mut ctx.rng, 0.04);
    let mut job = attempt(ctx, flaky);
    if flaky {
        let again = chance(&mut ctx.rng, 0.1);
        job.retry = Some(Box::new(attempt(ctx, again)));
    }
    job
}

fn package(ctx: &mut PipelineContext<'_>, archive: u64, tarball: u64) -> JobDraft {
    let b = basics(ctx, "package", "package");
    let body = Body {
        downloads: from_compile(archive),
        script: vec![
            cmd(
                "tar czf release.tar.gz dist",
                around(&mut ctx.rng, secs(archive as f64 / 60e6), 0.2),
                Output::None,
            ),
            cmd(
                "sha256sum release.tar.gz",
                secs(0.6),
                Output::Text(vec![format!(
                    "{}  release.tar.gz",
                    ctx.sha.repeat(2).get(..64).unwrap_or_default()
                )]),
            ),
        ],
        upload: Some(ArtifactUpload {
            paths: vec![("release.tar.gz", 1)],
            junit: None,
            bytes: tarball,
        }),
        artifacts: archive_files(tarball, 90_000),
        expire_in_us: expire(),
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

fn sbom(ctx: &mut PipelineContext<'_>, archive: u64) -> JobDraft {
    let b = Basics {
        image: "anchore/syft:v1.14.2-debug",
        ..basics(ctx, "sbom", "package")
    };
    let body = Body {
        downloads: from_compile(archive),
        script: vec![cmd(
            "syft dir:dist -o cyclonedx-json=sbom.json",
            around_s(&mut ctx.rng, 15.0, 0.3),
            Output::Static(&[" ✔ Cataloged contents  packages [1342]"]),
        )],
        upload: Some(ArtifactUpload {
            paths: vec![("sbom.json", 1)],
            junit: None,
            bytes: SBOM_BYTES,
        }),
        artifacts: archive_files(SBOM_BYTES, 2_000),
        expire_in_us: expire(),
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

fn deploy(ctx: &mut PipelineContext<'_>, tarball: u64) -> JobDraft {
    let b = basics(ctx, "deploy", "deploy");
    let body = Body {
        downloads: vec![download("package", tarball)],
        script: vec![cmd(
            "./scripts/deploy.sh production release.tar.gz",
            around_s(&mut ctx.rng, 25.0, 0.3),
            Output::Static(&[
                "Uploaded release.tar.gz to 3 hosts",
                "Restarted shop.service on 3 hosts",
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
