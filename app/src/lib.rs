//! Strata's pages: routes, views, charts and the server functions behind them. What they
//! show comes from `strata_core::read` as `strata_core::model` types.
//!
//! Compiled twice: with `ssr` for the server (pages rendered to HTML, server functions,
//! charts) and with `hydrate` for the browser. Leptos runs in islands
//! mode: pages are server-rendered HTML, and only components marked `#[island]` (the filter
//! controls) are compiled into the wasm bundle and hydrated, so it stays small.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod pages;
pub mod shell;

#[cfg(feature = "ssr")]
pub mod charts;
#[cfg(feature = "ssr")]
pub mod page_data;
#[cfg(feature = "ssr")]
pub mod state;

pub use shell::{App, shell};

/// Browser entry point, called by Leptos' island loader just before it hydrates each
/// `<leptos-island>` on the page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // The loader hydrates the islands in promise callbacks right after this returns; a
    // timeout runs after all of them. The mark tells end-to-end tests (and a user's
    // devtools) that the page's wasm loaded and ran.
    leptos::prelude::set_timeout(
        || {
            if let Some(body) = leptos::prelude::document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
