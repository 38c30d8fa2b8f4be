//! The read side: analytics queries over the store, in SQL both backends accept.

pub mod jobs;
pub mod overview;
pub mod project;
pub mod rollup;
pub mod sql;
