//! Tests of the whole analyser. They live inside the module so that the
//! `trace/` folder moves into another crate unchanged, tests included.

mod docker_fixtures;
mod properties;
mod regressions;
mod runner_fixtures;
mod support;
mod synthetic_builders;
mod synthetic_buildkit;
mod synthetic_sections;
mod synthetic_transfers;
