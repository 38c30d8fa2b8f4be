//! Build the whole server from settings, and run it until told to stop. Tests use the same
//! path with port 0, so what they exercise is what users run.

use std::{future::Future, net::SocketAddr};

use anyhow::Context;
use axum::Router;
use strata_app::state::AppState;
use strata_core::{
    db::Db,
    read::impact::{memo::ReportCache, warm},
};
use tokio::net::TcpListener;

use crate::{
    auth,
    config::{GitLabSettings, Settings},
    http, ingest, site,
};
use strata_core::db;

pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Db,
    reports: ReportCache,
    gitlab: Option<GitLabSettings>,
    retention_days: Option<i64>,
    max_connections: usize,
}

impl Application {
    /// Bind the listener, open and migrate the database, assemble the router.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(settings.listen).await.with_context(|| {
            format!(
                "cannot listen on {} (is another strata running there? set STRATA_LISTEN to another address)",
                settings.listen
            )
        })?;
        auth::warn_if_open(settings.listen, settings.ops.auth.as_deref());
        let db = db::open(&settings.database).await?;
        Ok(Application::with_parts(listener, db, &settings))
    }

    /// Assemble from an already bound listener and open database.
    pub fn with_parts(listener: TcpListener, db: Db, settings: &Settings) -> Application {
        let addr = listener.local_addr().unwrap_or(settings.listen);
        let reports = ReportCache::new(settings.ops.impact_max_stale);
        let state = AppState {
            leptos_options: site::leptos_options(addr, settings.site_root.clone()),
            db: db.clone(),
            setup: settings.setup_status(),
            reports: reports.clone(),
        };
        Application {
            listener,
            router: http::router(state, &settings.ops, settings.webhook_secret.as_ref()),
            db,
            reports,
            gitlab: settings.gitlab.clone(),
            retention_days: settings.ops.retention_days,
            max_connections: settings
                .ops
                .max_connections
                .unwrap_or(crate::serve::MAX_CONNECTIONS)
                .max(1),
        }
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Serve (and sync in the background, if configured) until `shutdown` completes, let
    /// requests in flight finish, stop the background work, then close the database.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        tracing::info!(addr = %self.local_addr(), "strata is listening");
        let background =
            ingest::Background::start(&self.db, self.gitlab.as_ref(), self.retention_days);
        let warmer = tokio::spawn(warm::keep_warm(
            self.db.clone(),
            self.reports.clone(),
            warm::EVERY,
        ));
        crate::serve::serve(self.listener, self.router, self.max_connections, shutdown).await;
        warmer.abort();
        background.stop().await;
        self.db.close().await;
        tracing::info!("strata stopped");
        Ok(())
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
