//! The `strata` server: configuration, start-up, the HTTP router and the write side
//! (GitLab client, ingest, log analysis, store, export, demo). Pages and the read side live
//! in `strata-app`.

pub mod auth;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod export;
pub mod gitlab;
pub mod http;
pub mod ingest;
pub mod metrics;
pub mod site;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod trace;
pub mod webhooks;

pub use strata_app::db;
