//! Talking to GitLab: the REST client (pagination, rate limits, retries), payload types for
//! the REST API and webhooks, their conversion to store records, and the time formats they
//! use.

pub mod anchored;
pub mod api;
pub mod client;
pub mod convert;
pub mod error;
pub mod pagination;
pub mod rate_limit;
pub mod time;
mod transport;

pub use client::{ClientConfig, GitLabClient, ProjectRef};
pub use error::GitLabError;
