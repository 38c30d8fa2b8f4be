//! The data each page shows, assembled on the server from queries and charts. Server
//! functions call these; pages only render what they return.

pub mod job;
pub mod job_name;
pub mod pipeline;
pub mod project;
