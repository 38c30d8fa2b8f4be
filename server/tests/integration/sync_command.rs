//! `strata sync` as an operator runs it, and the background sync inside `strata serve`, on
//! both backends against a scripted GitLab.

use crate::{
    support,
    support::{scripted_gitlab, sync_harness},
};
use strata_core::on_both_backends;

use std::time::Duration;

use secrecy::SecretString;
use strata::{config::GitLabSettings, gitlab::ProjectRef};
use strata_core::db::DatabaseUrl;
use support::{TestApp, TestDb, test_settings};
use sync_harness::*;
use tokio::process::Command;

on_both_backends! {
    strata_sync_backfills_then_catches_up_and_prints_a_summary => sync_command;
    strata_sync_with_a_refused_token_says_so_without_the_token => refused_token;
    strata_serve_syncs_in_the_background_and_stops_with_the_server => background_sync;
}

fn database_url(url: &DatabaseUrl) -> String {
    match url {
        DatabaseUrl::Sqlite(path) => path.display().to_string(),
        DatabaseUrl::Postgres(url) => url.clone(),
    }
}

fn strata_sync(t: &TestDb, gitlab_url: &str, token: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_strata"));
    cmd.args(["sync", "--project", PROJECT_PATH, "--max-rps", "0"])
        .env("DATABASE_URL", database_url(&t.url))
        .env("GITLAB_URL", gitlab_url)
        .env("GITLAB_TOKEN", token)
        .env_remove("STRATA_PROJECTS")
        .env("RUST_LOG", "warn");
    cmd
}

async fn sync_command(t: TestDb) {
    let gitlab = gitlab_with(30, 3).await;
    let out = strata_sync(&t, &gitlab.url(), scripted_gitlab::TOKEN)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("pipelines  30 new, 0 updated"), "{stderr}");
    assert!(stderr.contains("jobs       93 read"), "{stderr}");
    assert!(stderr.contains("logs       63 queued"), "{stderr}");
    // Not a terminal: no progress bar drawn.
    assert!(!stderr.contains("ETA"), "{stderr}");
    assert_matches_gitlab(&t.db, &gitlab).await;

    let again = strata_sync(&t, &gitlab.url(), scripted_gitlab::TOKEN)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(stderr.contains("pipelines  0 new, 0 updated"), "{stderr}");
    assert_eq!(
        gitlab.counts().snapshot()[2],
        30,
        "no pipeline fetched twice"
    );
}

async fn refused_token(t: TestDb) {
    let gitlab = gitlab_with(3, 1).await;
    let wrong = "glpat-not-the-right-one-42";
    let out = strata_sync(&t, &gitlab.url(), wrong)
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("401")
            && errors[0].contains("GITLAB_TOKEN")
            && errors[0].contains(PROJECT_PATH),
        "{stderr}"
    );
    assert!(!stderr.contains(wrong), "token leaked: {stderr}");
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM pipelines").await, 0);
}

async fn background_sync(t: TestDb) {
    let gitlab = gitlab_with(40, 2).await;
    let mut settings = test_settings(&t.url);
    settings.gitlab = Some(GitLabSettings {
        url: gitlab.url(),
        token: Some(SecretString::from(scripted_gitlab::TOKEN)),
        max_rps: None,
        concurrency: 4,
        sync_projects: vec![ProjectRef::Path(PROJECT_PATH.into())],
        sync_interval: Duration::from_secs(3600),
    });
    let app = TestApp::spawn(settings, &t.db).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while count(
        &t.db,
        "SELECT COUNT(*) FROM sync_state WHERE last_finished_ms IS NOT NULL",
    )
    .await
        == 0
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the background sync never finished"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_matches_gitlab(&t.db, &gitlab).await;
    // The next run is an hour away: stopping must not wait for it.
    tokio::time::timeout(Duration::from_secs(10), app.stop())
        .await
        .expect("the server stops promptly with a background sync scheduled");
}
