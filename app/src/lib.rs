//! Strata's pages and the read side behind them.
//!
//! Compiled twice: with `ssr` for the server (pages rendered to HTML, server functions,
//! analytics queries, charts) and with `hydrate` for the browser (the same components made
//! interactive). Database and chart code exist only under `ssr`, so the wasm bundle stays small.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod model;
pub mod pages;
pub mod shell;

#[cfg(feature = "ssr")]
pub mod charts;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod impact;
#[cfg(feature = "ssr")]
pub mod page_data;
#[cfg(feature = "ssr")]
pub mod queries;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod stats;

pub use shell::{App, shell};

/// Browser entry point: take over the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
