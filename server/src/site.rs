//! Where the built site (wasm, JS, CSS) is, and the Leptos options that point at it.
//!
//! `cargo leptos` sets `LEPTOS_SITE_ROOT` when it runs the server; a binary started by hand
//! (`target/release/strata serve`) finds the site next to itself instead, so it needs no
//! environment.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use leptos::config::{Env, LeptosOptions};

/// The name cargo-leptos gives the wasm, JS and CSS (`output-name` in Cargo.toml).
pub const OUTPUT_NAME: &str = "strata";
const PKG_DIR: &str = "pkg";

pub fn leptos_options(listen: SocketAddr, site_root: Option<PathBuf>) -> LeptosOptions {
    let site_root = site_root
        .or_else(|| std::env::var_os("LEPTOS_SITE_ROOT").map(PathBuf::from))
        .unwrap_or_else(discover_site_root);
    if !is_site(&site_root) {
        tracing::warn!(
            site_root = %site_root.display(),
            "no built site found: pages render without styles or interactivity; build with `cargo leptos build --release` or set STRATA_SITE_ROOT"
        );
    }
    let env = match std::env::var("LEPTOS_ENV").as_deref() {
        Ok("DEV") | Ok("dev") | Ok("development") => Env::DEV,
        _ => Env::PROD,
    };
    LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(site_root.to_string_lossy().into_owned())
        .site_pkg_dir(PKG_DIR)
        .site_addr(listen)
        .env(env)
        .build()
}

/// The first candidate that holds a built site: beside the binary (`target/release/strata`
/// → `target/site`, or `site/` in a container image), then `./target/site`.
fn discover_site_root() -> PathBuf {
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
    {
        candidates.push(dir.join("../site"));
        candidates.push(dir.join("site"));
        // Test and bench binaries live one level deeper (target/debug/deps).
        candidates.push(dir.join("../../site"));
    }
    candidates.push(PathBuf::from("target/site"));
    candidates
        .iter()
        .find(|c| is_site(c))
        .cloned()
        .unwrap_or_else(|| PathBuf::from("target/site"))
}

fn is_site(root: &Path) -> bool {
    root.join(PKG_DIR)
        .join(format!("{OUTPUT_NAME}.js"))
        .is_file()
}
