//! Shared by the integration tests: a fresh database per test on each backend, and the
//! whole server spawned on port 0 against it.
#![allow(dead_code)]

pub mod csv_table;
pub mod pg_proxy;

use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::atomic::{AtomicU32, Ordering},
};

use strata::{
    config::Settings,
    db::{DatabaseUrl, Db},
    startup::Application,
    store,
};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

/// A database that exists for one test only.
pub struct TestDb {
    pub url: DatabaseUrl,
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
    pg_cleanup: Option<PgCleanup>,
}

impl TestDb {
    /// A new SQLite file in a temporary directory, migrated.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DatabaseUrl::Sqlite(dir.path().join("strata.db"));
        let db = store::open(&url).await.expect("open sqlite");
        TestDb {
            url,
            db,
            _dir: Some(dir),
            pg_cleanup: None,
        }
    }

    /// A new PostgreSQL database on the server named by `TEST_DATABASE_URL`, migrated; `None`
    /// (test skipped, and said so) when that is unset, except under `CI=true`.
    pub async fn postgres() -> Option<TestDb> {
        let admin_url = match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => url,
            _ => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "TEST_DATABASE_URL must be set when CI=true: PostgreSQL tests may not be skipped in CI"
                );
                eprintln!(
                    "skipped: TEST_DATABASE_URL is not set, so this PostgreSQL test did not run"
                );
                return None;
            }
        };
        let name = unique_db_name();
        let admin = admin_connection(&admin_url).await;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .expect("create test database");
        admin.close().await;
        let url: DatabaseUrl = replace_db_name(&admin_url, &name).parse().unwrap();
        let db = store::open(&url).await.expect("open postgres");
        Some(TestDb {
            url,
            db,
            _dir: None,
            pg_cleanup: Some(PgCleanup { admin_url, name }),
        })
    }

    pub fn sqlite_path(&self) -> Option<PathBuf> {
        match &self.url {
            DatabaseUrl::Sqlite(p) => Some(p.clone()),
            DatabaseUrl::Postgres(_) => None,
        }
    }
}

async fn admin_connection(url: &str) -> sqlx::PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("connect to TEST_DATABASE_URL")
}

fn unique_db_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "strata_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// `postgres://u@h:5432/test?x=y` with `test` replaced by `name`.
pub fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Drops the test database when the test ends, even if it panicked. Drop cannot be async, so
/// it runs on a thread with its own runtime; `WITH (FORCE)` ends any connection still open.
struct PgCleanup {
    admin_url: String,
    name: String,
}

impl Drop for PgCleanup {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Ok(admin) = sqlx::PgPool::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&admin)
                        .await;
                    admin.close().await;
                }
            });
        })
        .join();
    }
}

/// A file from the shared real-world fixtures (`$STRATA_FIXTURES`, else
/// `../shared/fixtures` beside the checkout). `None` (and a "skipped" line) when they are
/// absent, except under `CI=true`, where their absence fails the test.
pub fn fixture(relative: &str) -> Option<Vec<u8>> {
    let dir = std::env::var_os("STRATA_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/fixtures"
            ))
        });
    if !dir.is_dir() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "fixtures not found at {} (set STRATA_FIXTURES); they may not be skipped in CI",
            dir.display()
        );
        eprintln!("skipped: fixtures not found at {}", dir.display());
        return None;
    }
    Some(std::fs::read(dir.join(relative)).unwrap_or_else(|e| panic!("fixture {relative}: {e}")))
}

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

/// Run a test body once per backend: `sqlite` always, `postgres` when available.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident => $body:ident;)+) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let db = $crate::support::TestDb::sqlite().await;
                    super::$body(db).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(db) = $crate::support::TestDb::postgres().await {
                        super::$body(db).await;
                    }
                }
            }
        )+
    };
}
