//! One page per file, each a route in [`crate::shell::App`].

pub mod not_found;
pub mod overview;
pub mod project;
