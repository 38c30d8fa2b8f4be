//! A fake GitLab REST API (v4) in process: projects, pipelines, jobs and job logs generated
//! from the scenarios, with GitLab's pagination, rate-limit headers and error bodies, and
//! faults injected on purpose. Tests start one on a free loopback port:
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use strata_demo::{DemoConfig, FakeConfig, FakeGitLab};
//! let now = chrono::Utc::now();
//! let fake = FakeGitLab::start(FakeConfig::new(DemoConfig::new(now))).await?;
//! let url = format!("{}/api/v4/projects/demo%2Fartifacts/pipelines", fake.base_url());
//! // … point a client at `url` with `PRIVATE-TOKEN: fake.token()` …
//! fake.advance(chrono::TimeDelta::days(1)); // new pipelines arrive
//! fake.shutdown().await;
//! # Ok(()) }
//! ```

pub mod faults;
mod filters;
mod gate;
mod job_payload;
pub mod pagination;
mod payloads;
pub mod rate_limit;
mod router;
mod view;

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex, RwLock},
};

use chrono::{DateTime, TimeDelta, Utc};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

pub use self::{
    faults::{Endpoint, Fault, FaultRule, Keep, RequestRecord, Schedule},
    rate_limit::RateLimit,
};
use crate::{
    dataset::{Dataset, DemoConfig},
    ground_truth::GroundTruth,
    scenario::ProjectSpec,
};

/// The token the fake accepts unless told otherwise.
pub const DEFAULT_TOKEN: &str = "glpat-strata-fake-token";

#[derive(Clone, Debug)]
pub struct FakeConfig {
    pub demo: DemoConfig,
    /// Requests must carry it as `PRIVATE-TOKEN` or `Authorization: Bearer`.
    pub token: String,
    /// Enforce a rate limit (429 with `Retry-After`); `None` only reports the headers.
    pub rate_limit: Option<RateLimit>,
    pub faults: Vec<FaultRule>,
}

impl FakeConfig {
    pub fn new(demo: DemoConfig) -> FakeConfig {
        FakeConfig {
            demo,
            token: DEFAULT_TOKEN.to_string(),
            rate_limit: None,
            faults: Vec::new(),
        }
    }
}

/// Shared by the handlers.
pub(crate) struct FakeState {
    dataset: RwLock<Dataset>,
    token: String,
    base_url: String,
    faults: Mutex<faults::FaultPlan>,
    log: Mutex<Vec<RequestRecord>>,
    limiter: Mutex<rate_limit::RateLimiter>,
}

/// A running fake GitLab. Dropping it stops the server.
pub struct FakeGitLab {
    state: Arc<FakeState>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl FakeGitLab {
    /// Generates the data and serves it on a free port on 127.0.0.1.
    pub async fn start(config: FakeConfig) -> std::io::Result<FakeGitLab> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        FakeGitLab::serve(listener, config)
    }

    /// Generates the data and serves it on `listener` (for `strata demo` on a chosen port).
    #[tracing::instrument(skip_all, fields(seed = config.demo.seed))]
    pub fn serve(listener: TcpListener, config: FakeConfig) -> std::io::Result<FakeGitLab> {
        let addr = listener.local_addr()?;
        let state = Arc::new(FakeState {
            dataset: RwLock::new(Dataset::generate(&config.demo)),
            token: config.token,
            base_url: format!("http://{addr}"),
            faults: Mutex::new(faults::FaultPlan::new(config.faults)),
            log: Mutex::new(Vec::new()),
            limiter: Mutex::new(rate_limit::RateLimiter::new(config.rate_limit)),
        });
        let app = router::router(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let server = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = server.await {
                tracing::error!(%error, "fake GitLab stopped");
            }
        });
        tracing::info!(%addr, "fake GitLab is listening");
        Ok(FakeGitLab {
            state,
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:<port>`; the API is under `/api/v4`.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn token(&self) -> &str {
        &self.state.token
    }

    /// The fake's clock.
    pub fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.read(Dataset::now_us)).unwrap_or_default()
    }

    pub fn projects(&self) -> Vec<&'static ProjectSpec> {
        self.read(|d| d.projects().collect())
    }

    pub fn ground_truth(&self) -> Vec<GroundTruth> {
        self.read(Dataset::ground_truth)
    }

    /// Reads the dataset (pipelines, regenerated jobs) directly.
    pub fn read<R>(&self, f: impl FnOnce(&Dataset) -> R) -> R {
        f(&self.state.dataset.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Moves the clock forward: running pipelines finish, new ones arrive.
    pub fn advance(&self, by: TimeDelta) {
        self.write().advance(by);
    }

    /// Adds `n` finished pipelines on `main` to a project (the clock moves past them);
    /// returns their ids.
    pub fn add_pipelines(&self, project_id: i64, n: u32) -> Vec<i64> {
        self.write().add_pipelines(project_id, n)
    }

    /// Replaces the fault rules; request numbers in schedules count from now.
    pub fn set_faults(&self, rules: Vec<FaultRule>) {
        *self.state.faults.lock().unwrap_or_else(|e| e.into_inner()) =
            faults::FaultPlan::new(rules);
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.state
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// How many requests an endpoint has received.
    pub fn request_count(&self, endpoint: Endpoint) -> usize {
        let log = self.state.log.lock().unwrap_or_else(|e| e.into_inner());
        log.iter().filter(|r| r.endpoint == endpoint).count()
    }

    /// Stops serving and waits for the server to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Dataset> {
        self.state
            .dataset
            .write()
            .unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for FakeGitLab {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
