//! The read side: every question the pages, CSV reports and JSON API ask of the store, in
//! SQL both backends accept, answered as typed rows from [`crate::model`].

pub mod export;
pub mod impact;
pub mod jobs;
pub mod overview;
pub mod project;
pub mod projects;
pub mod rollup;
pub mod sql;
