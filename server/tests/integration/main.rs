//! The server's integration tests, in one binary so CI compiles and links the server once
//! for all of them (28 binaries took most of CI's compile time). Each module is one area,
//! run against real SQLite files, a real PostgreSQL (`TEST_DATABASE_URL`) and, where it
//! matters, the real `strata` binary.

mod export_seed;
mod support;

// HTTP: the JSON API, pages, CSV exports, access control, operations.
mod api;
mod auth;
mod export;
mod export_stream;
mod http_basics;
mod impact_export;
mod ops_http;
mod pages;
mod route_fuzz;
mod server_fns;
mod slow_clients;

// Ingest: the GitLab client and payloads, sync, the log worker, webhooks, retention.
mod fake_gitlab;
mod gitlab_client;
mod gitlab_payloads;
mod retention_task;
mod sync;
mod trace_worker;
mod webhook_committer;
mod webhook_scope;
mod webhooks;

// The `strata` binary as an operator runs it.
mod cli;
mod credentials_cli;
mod export_cli;
mod sync_command;
mod webhooks_crash;
