//! Pagination, auth, errors, filters and rate limits, over HTTP.

use std::{collections::BTreeSet, time::Duration};

use strata_demo::{
    FakeConfig, ScenarioKind,
    fake_gitlab::{Endpoint, RateLimit},
};

use super::{demo, next_link, start, start_with};

#[tokio::test]
async fn following_link_headers_visits_every_pipeline_once() {
    let (fake, api) = start(150, &[ScenarioKind::Artifacts]).await;
    let expected = fake.read(|d| d.pipelines(102).len());
    let (headers, first) = api
        .json("/projects/102/pipelines?per_page=40&ref=main")
        .await;
    assert_eq!(headers["x-page"], "1");
    assert_eq!(headers["x-per-page"], "40");
    assert_eq!(first.as_array().map(Vec::len), Some(40));
    let link = headers["link"].to_str().unwrap();
    assert!(
        link.contains("rel=\"next\"")
            && link.contains("rel=\"first\"")
            && link.contains("rel=\"last\""),
        "{link}"
    );
    assert!(
        link.contains("ref=main&page=2&per_page=40"),
        "links keep the filters: {link}"
    );

    let all = api.all_pages("/projects/102/pipelines?per_page=100").await;
    let ids: BTreeSet<i64> = all.iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!((all.len(), ids.len()), (expected, expected));
    let (headers, _) = api.json("/projects/102/pipelines?per_page=100").await;
    assert_eq!(headers["x-total"].to_str().unwrap(), expected.to_string());
    let ids: Vec<i64> = all.iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "newest first by default"
    );
}

#[tokio::test]
async fn above_ten_thousand_pipelines_gitlab_stops_counting() {
    let (fake, api) = start(10_000, &[ScenarioKind::CacheAsTransport]).await;
    let total = fake.read(|d| d.pipelines(101).len());
    assert!(total > 10_000, "{total} pipelines");
    let (headers, page) = api
        .json("/projects/101/pipelines?per_page=100&page=3")
        .await;
    assert_eq!(page.as_array().map(Vec::len), Some(100));
    assert!(headers.get("x-total").is_none() && headers.get("x-total-pages").is_none());
    let link = headers["link"].to_str().unwrap();
    assert!(!link.contains("rel=\"last\""), "{link}");
    assert!(link.contains("rel=\"prev\"") && link.contains("rel=\"next\""));
    assert_eq!(headers["x-next-page"], "4");
    assert_eq!(headers["x-prev-page"], "2");
    let last_page = total.div_ceil(100);
    let (headers, page) = api
        .json(&format!(
            "/projects/101/pipelines?per_page=100&page={last_page}"
        ))
        .await;
    assert_eq!(
        page.as_array().map(Vec::len),
        Some(total - (last_page - 1) * 100)
    );
    assert_eq!(headers["x-next-page"], "");
    assert!(next_link(&headers).is_none());
}

#[tokio::test]
async fn only_the_configured_token_gets_in() {
    let (fake, api) = start(20, &[ScenarioKind::QueueStarved]).await;
    let url = format!("{}/projects/105", api.base);
    let no_token = api.client.get(&url).send().await.unwrap();
    assert_eq!(no_token.status(), 401);
    assert_eq!(
        no_token.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"message": "401 Unauthorized"})
    );
    let wrong = api
        .client
        .get(&url)
        .header("PRIVATE-TOKEN", "glpat-wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let bearer = api
        .client
        .get(&url)
        .bearer_auth(fake.token())
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), 200);
    let (_, project) = api.json("/projects/105").await;
    assert_eq!(project["path_with_namespace"], "demo/queue-starved");
}

#[tokio::test]
async fn projects_resolve_by_encoded_path_and_unknown_ones_are_404() {
    let (_fake, api) = start(20, &[ScenarioKind::Artifacts]).await;
    let (_, project) = api.json("/projects/demo%2Fartifacts").await;
    assert_eq!(project["id"], 102);
    let (_, pipelines) = api
        .json("/projects/demo%2Fartifacts/pipelines?per_page=2")
        .await;
    assert_eq!(pipelines.as_array().map(Vec::len), Some(2));
    for path in [
        "/projects/nobody%2Fnothing",
        "/projects/999/pipelines",
        "/projects/101/pipelines/1",
    ] {
        let response = api.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(
            response.json::<serde_json::Value>().await.unwrap(),
            serde_json::json!({"message": "404 Project Not Found"}),
            "{path}"
        );
    }
    let missing = api.get("/projects/102/pipelines/42").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.json::<serde_json::Value>().await.unwrap()["message"],
        "404 Pipeline Not Found"
    );
    assert_eq!(
        api.get("/projects/102/pipelines?order_by=colour")
            .await
            .status(),
        400
    );
    assert_eq!(
        api.get("/projects/102/pipelines?updated_after=yesterday")
            .await
            .status(),
        400
    );
}

#[tokio::test]
async fn updated_after_ref_status_and_source_filter_the_list() {
    let (fake, api) = start(200, &[ScenarioKind::Multistage]).await;
    let all = api.all_pages("/projects/103/pipelines?per_page=100").await;
    let mut updated: Vec<&str> = all
        .iter()
        .map(|p| p["updated_at"].as_str().unwrap())
        .collect();
    updated.sort_unstable();
    let cut = updated[updated.len() / 2];
    let recent = api
        .all_pages(&format!(
            "/projects/103/pipelines?per_page=100&updated_after={cut}"
        ))
        .await;
    // GitLab compares microseconds: a pipeline updated within the same millisecond as the
    // cut may or may not come back, every later one must.
    let returned: BTreeSet<&str> = recent
        .iter()
        .map(|p| p["updated_at"].as_str().unwrap())
        .collect();
    assert!(returned.iter().all(|u| *u >= cut));
    assert!(
        updated
            .iter()
            .filter(|u| **u > cut)
            .all(|u| returned.contains(u))
    );
    assert!(recent.len() < all.len() && !recent.is_empty());

    let main = api
        .all_pages("/projects/103/pipelines?per_page=100&ref=main")
        .await;
    assert!(!main.is_empty() && main.iter().all(|p| p["ref"] == "main"));
    let nightly = api
        .all_pages("/projects/103/pipelines?per_page=100&source=schedule")
        .await;
    assert_eq!(nightly.len(), 90);
    let failed = api
        .all_pages("/projects/103/pipelines?per_page=100&status=failed")
        .await;
    assert!(failed.iter().all(|p| p["status"] == "failed"));

    let ascending = api
        .all_pages("/projects/103/pipelines?per_page=100&order_by=updated_at&sort=asc")
        .await;
    let order: Vec<&str> = ascending
        .iter()
        .map(|p| p["updated_at"].as_str().unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]));
    assert!(fake.request_count(Endpoint::Pipelines) >= 8);
}

#[tokio::test]
async fn every_response_reports_rate_limits_and_a_configured_limit_answers_429() {
    let (_fake, api) = start(20, &[ScenarioKind::QueueStarved]).await;
    for path in ["/projects/105", "/projects/105/pipelines", "/projects/999"] {
        let response = api.get(path).await;
        let h = response.headers();
        for name in [
            "ratelimit-limit",
            "ratelimit-remaining",
            "ratelimit-reset",
            "ratelimit-observed",
        ] {
            assert!(h.contains_key(name), "{name} on {path}");
        }
        let reset: u64 = h["ratelimit-reset"].to_str().unwrap().parse().unwrap();
        let epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(
            (epoch..=epoch + 61).contains(&reset),
            "reset {reset} is epoch seconds"
        );
    }

    let config = FakeConfig {
        rate_limit: Some(RateLimit {
            requests: 3,
            window: Duration::from_secs(30),
        }),
        ..FakeConfig::new(demo(20, &[ScenarioKind::QueueStarved]))
    };
    let (fake, api) = start_with(config).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let response = api.get("/projects/105").await;
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            let retry: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=30).contains(&retry), "Retry-After {retry}");
            assert_eq!(response.headers()["ratelimit-remaining"], "0");
        }
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    assert_eq!(fake.requests().len(), 5);
}

#[tokio::test]
async fn a_retried_attempt_is_listed_only_with_include_retried() {
    let (fake, api) = start(300, &[ScenarioKind::CacheAsTransport]).await;
    let (pid, retried, name) = fake.read(|d| {
        d.pipelines(101)
            .iter()
            .filter_map(|e| d.expand(101, e))
            .find_map(|p| {
                let job = p.jobs.iter().find(|j| j.retried)?;
                Some((p.id, job.id, job.name()))
            })
            .expect("a pipeline with a retried job")
    });
    let (_, latest) = api
        .json(&format!("/projects/101/pipelines/{pid}/jobs?per_page=100"))
        .await;
    let (_, every) = api
        .json(&format!(
            "/projects/101/pipelines/{pid}/jobs?per_page=100&include_retried=true"
        ))
        .await;
    let ids = |v: &serde_json::Value| -> Vec<i64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|j| j["id"].as_i64().unwrap())
            .collect()
    };
    assert!(!ids(&latest).contains(&retried));
    assert!(ids(&every).contains(&retried));
    assert_eq!(ids(&every).len(), ids(&latest).len() + 1);
    let attempts: Vec<&serde_json::Value> = every
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["name"] == name)
        .collect();
    assert_eq!(attempts.len(), 2, "the failed attempt and its retry");
    let old = attempts.iter().find(|j| j["id"] == retried).unwrap();
    assert_eq!(
        (old["status"].as_str(), old["failure_reason"].as_str()),
        (Some("failed"), Some("script_failure"))
    );
    let newer = attempts.iter().find(|j| j["id"] != retried).unwrap();
    assert!(
        newer["id"].as_i64() > Some(retried)
            && newer["started_at"].as_str() > old["finished_at"].as_str()
    );
}
