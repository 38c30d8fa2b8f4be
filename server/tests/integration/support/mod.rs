//! Shared by the server's integration tests: the whole server spawned on port 0 against a
//! test database (`strata_core::testing::TestDb`, re-exported here).
#![allow(dead_code)]

pub mod csv_table;
pub mod pg_proxy;
pub mod raw_http;
pub mod scripted_data;
pub mod scripted_gitlab;
pub mod sync_harness;
pub mod webhooks;

use std::net::SocketAddr;

use strata::{config::Settings, startup::Application};
use strata_core::db::{DatabaseUrl, Db};
// The benches that include this module by path use `TestDb` alone.
#[allow(unused_imports)]
pub use strata_core::testing::{TestDb, fixture};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

/// Settings for a test server on a random loopback port.
pub fn test_settings(url: &DatabaseUrl) -> Settings {
    Settings {
        database: url.clone(),
        listen: "127.0.0.1:0".parse().unwrap(),
        site_root: None,
        gitlab: None,
        webhook_secret: None,
        ops: Default::default(),
    }
}

/// The whole server, running in this process until the value drops.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    pub async fn spawn(settings: Settings, db: &Db) -> TestApp {
        let listener = TcpListener::bind(settings.listen).await.expect("bind");
        let app = Application::with_parts(listener, db.clone(), &settings);
        let addr = app.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        TestApp {
            addr,
            // A stuck request fails its test instead of hanging the whole run.
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .unwrap(),
            stop: Some(stop),
            handle: Some(handle),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// Stop gracefully and wait for the server to finish (a server that cannot stop within
    /// 30 s fails the test: a request or background task is stuck).
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            tokio::time::timeout(std::time::Duration::from_secs(30), handle)
                .await
                .expect("the server did not stop within 30 s")
                .expect("server task")
                .expect("server stopped cleanly");
        }
    }
}
