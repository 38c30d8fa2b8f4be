//! `strata demo`: a populated dashboard without a GitLab. Starts the fake GitLab (the demo
//! scenarios) in-process on a free loopback port, runs the real sync and log analysis against
//! it, then serves the dashboard with the fake as its GitLab (so job pages, the trace worker
//! and the background sync behave as they would against a real instance).

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::{
    cli::{DemoArgs, GlobalArgs},
    config::{self, GitLabSettings, OpsSettings, Settings},
    gitlab::{ClientConfig, GitLabClient, ProjectRef},
    ingest::SyncOptions,
    startup::{Application, shutdown_signal},
};
use strata_core::db;
use strata_demo::{DemoConfig, FakeConfig, FakeGitLab, fake_gitlab::RateLimit};

/// Requests in flight against the in-process fake (it answers in microseconds).
const DEMO_CONCURRENCY: usize = 8;

pub async fn run(global: &GlobalArgs, args: &DemoArgs) -> anyhow::Result<()> {
    let database = config::database_url(global)?;
    // History ends at the start of this hour, so running the demo again within the hour
    // syncs the very same data (nothing changes), and later runs only add the new hours.
    let until = args.until.unwrap_or_else(|| {
        let now = Utc::now();
        DateTime::from_timestamp(now.timestamp() - now.timestamp().rem_euclid(3600), 0)
            .unwrap_or(now)
    });
    let mut demo = DemoConfig::new(until);
    demo.days = args.days;
    demo.pipelines_per_project = args.pipelines_per_project;
    // The fake advertises gitlab.com's 2,000 requests a minute unless told otherwise, and the
    // client politely waits for the budget; a local demo has no one to be polite to.
    let fake_config = FakeConfig {
        rate_limit: Some(RateLimit {
            requests: 1_000_000,
            window: Duration::from_secs(60),
        }),
        ..FakeConfig::new(demo)
    };
    let fake = FakeGitLab::start(fake_config)
        .await
        .context("cannot start the demo's fake GitLab on a loopback port")?;
    let projects: Vec<ProjectRef> = fake
        .projects()
        .iter()
        .map(|p| ProjectRef::Id(p.id))
        .collect();
    let gitlab = GitLabSettings {
        url: fake.base_url(),
        token: Some(fake.token().to_owned().into()),
        max_rps: None,
        concurrency: DEMO_CONCURRENCY,
        sync_projects: projects.clone(),
        sync_interval: Duration::from_secs(15 * 60),
    };
    eprintln!(
        "demo: a fake GitLab with {} projects at {} ({} days of history); syncing into {database}",
        projects.len(),
        fake.base_url(),
        args.days
    );

    let db = db::open(&database).await?;
    let client_config = gitlab
        .client_config()
        .expect("the demo's GitLab has a token");
    let client = GitLabClient::new(ClientConfig {
        max_rps: None,
        ..client_config
    })
    .context("while setting up the GitLab client")?;
    let options = SyncOptions {
        // Reach back to the start of the history, wherever `--until` put it.
        since: Duration::from_secs(
            u64::try_from((Utc::now() - until).num_seconds()).unwrap_or(0)
                + u64::from(args.days + 1) * 86_400,
        ),
        concurrency: DEMO_CONCURRENCY,
        ..SyncOptions::default()
    };
    let synced = super::sync::sync_once(&db, &client, &projects, options).await;
    if synced.is_err() || args.load_only {
        db.close().await;
        fake.shutdown().await;
        return synced;
    }

    let settings = Settings {
        database,
        listen: args.listen,
        site_root: args.site_root.clone(),
        gitlab: Some(gitlab),
        webhook_secret: None,
        // Open, keeping everything: the demo runs on loopback with made-up data.
        ops: OpsSettings::default(),
    };
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (is another strata running there? set STRATA_LISTEN to another address)",
                settings.listen
            )
        })?;
    let app = Application::with_parts(listener, db, &settings);
    eprintln!("demo: the dashboard is at http://{}", app.local_addr());
    let served = app.run_until_stopped(shutdown_signal()).await;
    fake.shutdown().await;
    served
}
