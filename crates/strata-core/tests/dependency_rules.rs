//! The workspace's dependency rules, read from `cargo metadata`, so a change that breaks the
//! architecture fails here rather than in review:
//! - `strata-joblog` depends on no other Strata crate (it is pure and fuzzed alone);
//! - `strata-core` depends on `strata-joblog` only, and on nothing of the UI or HTTP;
//! - `strata-demo` depends on `strata-core` and `strata-joblog`, never on the pages or server;
//! - `strata-app` (the pages) reaches the database through `strata-core` only (no sqlx);
//! - nothing depends on `strata` (the server binary's crate).

use std::{collections::BTreeMap, process::Command};

use serde_json::Value;

/// Normal (non-dev, non-build) dependencies of each workspace package, by package name.
fn normal_dependencies() -> BTreeMap<String, Vec<String>> {
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("metadata is JSON");
    metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|package| {
            let deps = package["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().expect("name").to_owned())
                .collect();
            (package["name"].as_str().expect("name").to_owned(), deps)
        })
        .collect()
}

fn strata_crates(deps: &[String]) -> Vec<&str> {
    deps.iter()
        .map(String::as_str)
        .filter(|d| d.starts_with("strata"))
        .collect()
}

#[test]
fn each_crate_depends_only_on_the_crates_below_it() {
    let deps = normal_dependencies();
    let of = |name: &str| {
        deps.get(name)
            .unwrap_or_else(|| panic!("{name} is not a workspace member"))
    };
    assert_eq!(strata_crates(of("strata-joblog")), Vec::<&str>::new());
    assert_eq!(strata_crates(of("strata-core")), ["strata-joblog"]);
    let mut demo = strata_crates(of("strata-demo"));
    demo.sort();
    assert_eq!(demo, ["strata-core", "strata-joblog"]);
    assert_eq!(strata_crates(of("strata-app")), ["strata-core"]);
    for (name, list) in &deps {
        assert!(
            !list.iter().any(|d| d == "strata"),
            "{name} depends on the server crate"
        );
    }
}

#[test]
fn the_core_knows_nothing_of_the_ui_or_http() {
    let deps = normal_dependencies();
    let core = &deps["strata-core"];
    for forbidden in [
        "leptos",
        "leptos_axum",
        "leptos_router",
        "leptos_meta",
        "axum",
        "tower",
        "tower-http",
        "reqwest",
        "plotters",
        "csv",
    ] {
        assert!(
            !core.iter().any(|d| d == forbidden),
            "strata-core depends on {forbidden}"
        );
    }
    let app = &deps["strata-app"];
    for forbidden in ["sqlx", "rusqlite", "reqwest"] {
        assert!(
            !app.iter().any(|d| d == forbidden),
            "strata-app depends on {forbidden}: its reads go through strata-core"
        );
    }
}
