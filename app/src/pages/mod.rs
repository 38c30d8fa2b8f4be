//! One page per file, each a route in [`crate::shell::App`].

pub mod compare;
pub mod impact;
pub mod job;
pub mod job_name;
pub mod not_found;
pub mod overview;
pub mod pipeline;
pub mod project;
