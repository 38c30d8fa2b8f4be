//! Talking to GitLab: payload types for the REST API and webhooks, and the time formats they
//! use.

pub mod time;
