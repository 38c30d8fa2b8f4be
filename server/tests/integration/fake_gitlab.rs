//! The fake GitLab over real HTTP: response shapes against real gitlab.com fixtures,
//! pagination, auth, filters, rate limits, every fault kind, determinism, logs that agree
//! with the API, the clock, and the ground truth each scenario plants.

mod clock;
mod faults;
mod ground_truth;
mod http;
mod logs;
mod shapes;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use serde_json::Value;
use strata_demo::{DemoConfig, FakeConfig, FakeGitLab, ScenarioKind};

/// A Tuesday morning: working hours, so the newest pipelines may still be running.
pub const NOW: &str = "2026-03-03T10:30:00Z";

pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW)
        .expect("valid instant")
        .with_timezone(&Utc)
}

pub fn demo(pipelines: u32, scenarios: &[ScenarioKind]) -> DemoConfig {
    DemoConfig {
        seed: 20_260_303,
        now: now(),
        days: 90,
        pipelines_per_project: pipelines,
        scenarios: scenarios.to_vec(),
    }
}

pub async fn start(pipelines: u32, scenarios: &[ScenarioKind]) -> (FakeGitLab, Api) {
    start_with(FakeConfig::new(demo(pipelines, scenarios))).await
}

pub async fn start_with(config: FakeConfig) -> (FakeGitLab, Api) {
    let fake = FakeGitLab::start(config).await.expect("fake GitLab starts");
    let api = Api {
        client: reqwest::Client::new(),
        base: format!("{}/api/v4", fake.base_url()),
        token: fake.token().to_string(),
    };
    (fake, api)
}

/// A minimal client: what a real one sends, nothing more.
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Api {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header("PRIVATE-TOKEN", &self.token)
            .send()
            .await
            .expect("the fake answers")
    }

    /// Headers and JSON body of a `200`.
    pub async fn json(&self, path: &str) -> (HeaderMap, Value) {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        let headers = response.headers().clone();
        (headers, response.json().await.expect("JSON body"))
    }

    pub async fn text(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.expect("text body")
    }

    /// Every item of a paginated list, following `Link: rel="next"`.
    pub async fn all_pages(&self, path: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut url = format!("{}{path}", self.base);
        loop {
            let response = self
                .client
                .get(&url)
                .header("PRIVATE-TOKEN", &self.token)
                .send()
                .await
                .expect("the fake answers");
            assert_eq!(response.status(), 200, "GET {url}");
            let next = next_link(response.headers());
            let page: Vec<Value> = response.json().await.expect("JSON array");
            items.extend(page);
            match next {
                Some(next) => url = next,
                None => return items,
            }
        }
    }
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get("link")?.to_str().ok()?;
    link.split(", ").find_map(|part| {
        let (url, rel) = part.split_once("; ")?;
        (rel == "rel=\"next\"").then(|| url.trim_matches(['<', '>']).to_string())
    })
}

/// The shared fixtures, or `None` (test skipped, and said so) when they are absent outside CI.
pub fn fixtures() -> Option<PathBuf> {
    let dir = std::env::var("STRATA_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/fixtures"
            ))
        });
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "fixtures not found at {}: set STRATA_FIXTURES",
        dir.display()
    );
    eprintln!(
        "skipped: fixtures not found at {} (set STRATA_FIXTURES)",
        dir.display()
    );
    None
}
