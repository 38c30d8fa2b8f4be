//! What every crate's integration tests share: a fresh, migrated database per test on each
//! backend ([`TestDb`], [`on_both_backends!`](crate::on_both_backends)) and the real GitLab
//! fixtures beside the checkout ([`fixture`]). Compiled only with the `testing` feature, which
//! only dev-dependencies turn on.

use std::{
    path::PathBuf,
    sync::atomic::{AtomicU32, Ordering},
};

use crate::db::{DatabaseUrl, Db};

/// A database that exists for one test only.
pub struct TestDb {
    pub url: DatabaseUrl,
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
    _pg_cleanup: Option<PgCleanup>,
}

impl TestDb {
    /// A new SQLite file in a temporary directory, migrated.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DatabaseUrl::Sqlite(dir.path().join("strata.db"));
        let db = crate::db::open(&url).await.expect("open sqlite");
        TestDb {
            url,
            db,
            _dir: Some(dir),
            _pg_cleanup: None,
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
        let db = crate::db::open(&url).await.expect("open postgres");
        Some(TestDb {
            url,
            db,
            _dir: None,
            _pg_cleanup: Some(PgCleanup { admin_url, name }),
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
fn replace_db_name(url: &str, name: &str) -> String {
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
                "/../../../shared/fixtures"
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

/// Run a test body once per backend: `sqlite` always, `postgres` when available.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident => $body:ident;)+) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let db = $crate::testing::TestDb::sqlite().await;
                    super::$body(db).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(db) = $crate::testing::TestDb::postgres().await {
                        super::$body(db).await;
                    }
                }
            }
        )+
    };
}
