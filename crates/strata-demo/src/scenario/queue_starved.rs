//! Scenario 5, **queue time dwarfing run time** (`demo/queue-starved`), a small extra project.
//!
//! Three quick checks (`yamllint`, `shellcheck`, `terraform-validate`) must run on the one
//! runner tagged `arm64`. Planted, from
//! [`QUEUE_STARVED`](crate::ground_truth::QUEUE_STARVED): jobs wait 6 minutes for it on
//! average (exponential), and none runs longer than 75 s. It gets a quarter of the configured
//! pipeline count and no nightly schedule. Its runner has `FF_TIMESTAMPS` on.

use super::{
    PipelineContext, ProjectSpec, Scenario,
    model::{JobDraft, Outcome, Output},
    noise::around_s,
    people::ARM64_RUNNERS,
    phases::{Basics, Body, Rates, assemble, cmd},
};
use crate::ground_truth::{GroundTruth, QUEUE_STARVED as TRUTH};

pub struct QueueStarved;

static PROJECT: ProjectSpec = ProjectSpec {
    id: 105,
    path: "demo/queue-starved",
    name: "queue-starved",
    description: "Quick checks that wait for the only arm64 runner.",
    ff_timestamps: true,
    weight: 0.25,
    nightly: false,
    id_slot: 5,
};

const TAGS: &[&str] = &[TRUTH.tag, "small"];

/// `(job, image, script line, mean seconds, output)`.
const CHECKS: [(&str, &str, &str, f64, &[&str]); 3] = [
    (
        "yamllint",
        "cytopia/yamllint:1.35",
        "yamllint -s .",
        6.0,
        &[],
    ),
    (
        "shellcheck",
        "koalaman/shellcheck-alpine:v0.10.0",
        "shellcheck scripts/*.sh",
        9.0,
        &[],
    ),
    (
        "terraform-validate",
        "hashicorp/terraform:1.9",
        "terraform init -backend=false && terraform validate",
        30.0,
        &[
            "Terraform has been successfully initialized!",
            "Success! The configuration is valid.",
        ],
    ),
];

impl Scenario for QueueStarved {
    fn project(&self) -> &'static ProjectSpec {
        &PROJECT
    }

    fn ground_truth(&self) -> GroundTruth {
        GroundTruth::QueueStarved(TRUTH)
    }

    fn jobs(&self, ctx: &mut PipelineContext<'_>) -> Vec<JobDraft> {
        CHECKS
            .iter()
            .map(|&(name, image, line, mean_s, output)| {
                let b = Basics {
                    name,
                    stage: "check",
                    image,
                    services: &[],
                    tags: TAGS,
                    runner: &ARM64_RUNNERS[0],
                    pull_probability: 0.1,
                    pull_mean_s: 10.0,
                };
                let body = Body {
                    script: vec![cmd(
                        line,
                        around_s(&mut ctx.rng, mean_s, 0.3),
                        Output::Static(output),
                    )],
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
            })
            .collect()
    }
}
