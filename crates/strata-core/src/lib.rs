//! Strata's core: the domain types every part speaks in, and (with the `server` feature) the
//! one home of the database — connections and migrations for both backends, every write
//! ingest makes, and every read the pages, CSV reports and JSON API show.
//!
//! Data flows one way through it: ingest calls [`store`]; pages, exports and the API call
//! [`read`]. Nothing here knows about HTTP or the UI.
//!
//! Without `server` (the browser build of the pages) only the plain data types compile:
//! [`model`] and [`instant`].

pub mod instant;
pub mod model;

#[cfg(feature = "server")]
pub mod db;
#[cfg(feature = "server")]
pub mod read;
#[cfg(feature = "server")]
pub mod stats;
#[cfg(feature = "server")]
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
