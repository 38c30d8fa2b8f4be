//! The `strata` server: the command line, configuration, start-up, the HTTP surface (pages,
//! `/api/v1`, `/export`, auth, metrics, webhooks) and ingest (the GitLab client, sync,
//! webhook handling, the log worker). The database, domain types and every read live in
//! `strata-core`; the pages in `strata-app`; log analysis in `strata-joblog`; demo data and
//! the fake GitLab in `strata-demo`.

pub mod auth;
pub mod cli;
pub mod commands;
pub mod config;
pub mod export;
pub mod gitlab;
pub mod http;
pub mod ingest;
pub mod metrics;
pub mod serve;
pub mod site;
pub mod startup;
pub mod telemetry;
pub mod webhooks;
