//! Talking to GitLab: the REST client (pagination, rate limits, retries), payload types for
//! the REST API and webhooks, and their conversion to store records (GitLab's time formats
//! are read by `strata_core::instant`, which the fake GitLab shares).

pub mod anchored;
pub mod api;
pub mod client;
pub mod convert;
pub mod error;
pub mod pagination;
pub mod rate_limit;
mod transport;

pub use client::{ClientConfig, GitLabClient, ProjectRef};
pub use error::GitLabError;
