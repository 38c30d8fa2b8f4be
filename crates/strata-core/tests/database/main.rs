//! The store and the reads against real databases: every test runs on a fresh SQLite file
//! and, where `TEST_DATABASE_URL` names one, a fresh PostgreSQL database
//! (`strata_core::testing`). One binary, so the crate is linked once for all of them.

mod analysis_store;
mod dashboard_queries;
mod retention;
mod rollups;
mod store_writes;
