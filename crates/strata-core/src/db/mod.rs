//! One database handle for both backends.
//!
//! Strata runs on a SQLite file by default and on PostgreSQL when `DATABASE_URL` says so.
//! Queries are written once, in SQL that both backends accept (`$1` placeholders, epoch
//! milliseconds as integers), and dispatched to the concrete pool by [`with_pool!`] and
//! [`with_tx!`]: each query is compiled for both drivers, so rows decode natively with no
//! `Any`-driver conversion on the hot paths (export, ingest).

mod migrate;
mod sqlite_reader;

use std::{fmt, path::PathBuf, str::FromStr, sync::Arc, time::Duration};

use sqlx::{
    PgPool, Postgres, Sqlite, SqlitePool, Transaction,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use tokio::sync::{Mutex, OwnedMutexGuard};

pub use migrate::{migrate, open};

/// What a query returns, on either backend.
pub type QueryResult<T> = Result<T, sqlx::Error>;
pub use sqlite_reader::{SqliteReader, params, rows};

/// Where the data lives, parsed from `DATABASE_URL`.
///
/// `Debug` and `Display` never show a password.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file, created on first start.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

/// Why a `DATABASE_URL` was refused or a database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "unsupported DATABASE_URL scheme `{0}`: use a SQLite path (strata.db, sqlite:PATH) or postgres://USER@HOST/DB"
    )]
    UnsupportedScheme(String),
    #[error("invalid DATABASE_URL {url}: {source}")]
    InvalidUrl { url: String, source: sqlx::Error },
    #[error(
        "cannot open database {url}: {source} (check DATABASE_URL and that the database is running)"
    )]
    Unreachable { url: String, source: sqlx::Error },
    #[error("cannot migrate database {url}: {source}")]
    Migrate {
        url: String,
        source: sqlx::migrate::MigrateError,
    },
}

impl DatabaseUrl {
    /// The default: `strata.db` in the working directory.
    pub fn default_sqlite() -> Self {
        DatabaseUrl::Sqlite(PathBuf::from("strata.db"))
    }

    /// The URL with any password replaced by `***`, for logs and error messages.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => format!("sqlite:{}", path.display()),
            DatabaseUrl::Postgres(url) => redact_password(url),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        }
    }
}

impl FromStr for DatabaseUrl {
    type Err = DbError;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_owned()));
        }
        if let Some(rest) = url.strip_prefix("sqlite:") {
            // sqlite:PATH, sqlite://PATH and sqlite:///ABS/PATH; query options are not ours to take.
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let path = rest.split('?').next().unwrap_or(rest);
            if path.is_empty() {
                return Err(DbError::UnsupportedScheme("sqlite: with no file".into()));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        match url.split_once("://") {
            Some((scheme, _)) => Err(DbError::UnsupportedScheme(scheme.to_owned())),
            None if url.is_empty() => Ok(DatabaseUrl::default_sqlite()),
            None => Ok(DatabaseUrl::Sqlite(PathBuf::from(url))),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Every place a libpq URL can carry a secret: the userinfo's password and the
/// `password` / `sslpassword` query parameters (in any case).
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let (authority, path) = match before_query.find('/') {
        Some(i) => before_query.split_at(i),
        None => (before_query, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let mut out = format!("{scheme}://{authority}{path}");
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if is_secret_param(key) => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

fn is_secret_param(key: &str) -> bool {
    ["password", "sslpassword"]
        .iter()
        .any(|secret| key.eq_ignore_ascii_case(secret))
}

/// Which SQL dialect a query runs on, for the few statements that differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool on one of the two backends.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database: a pool, plus (on SQLite) the in-process writer lock.
///
/// SQLite lets one writer in at a time. Serialising this process's write transactions on an
/// async mutex keeps them out of SQLite's sleep-and-retry busy handler, which would otherwise
/// add tens of milliseconds of latency under load; the busy timeout still covers other
/// processes (`strata sync` next to `strata serve`).
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    write_lock: Arc<Mutex<()>>,
    /// Bulk reads on a SQLite file (see [`SqliteReader`]).
    reader: Option<Arc<SqliteReader>>,
}

/// A write transaction. On SQLite it holds the writer lock until it commits or drops.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>, OwnedMutexGuard<()>),
    Postgres(Transaction<'static, Postgres>),
}

/// Run `$body` with `$p` bound to the concrete pool (`&SqlitePool` or `&PgPool`).
#[macro_export]
macro_rules! with_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}

/// Run `$body` with `$c` bound to the transaction's connection (`&mut SqliteConnection` or
/// `&mut PgConnection`).
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(tx, _) => {
                let $c = &mut **tx;
                $body
            }
            $crate::db::Tx::Postgres(tx) => {
                let $c = &mut **tx;
                $body
            }
        }
    };
}

/// How long a request may wait for a pooled connection before failing: long enough for a
/// burst, short enough that `/healthz` reports a dead database quickly.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long SQLite waits for another process's write lock.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

impl Db {
    /// Open (and for SQLite, create) the database. Does not run migrations.
    pub async fn connect(url: &DatabaseUrl) -> Result<Db, DbError> {
        let pool = match url {
            DatabaseUrl::Sqlite(path) => {
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // NORMAL in WAL mode loses nothing on a process crash, only on power loss.
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    .pragma("cache_size", "-32000")
                    .pragma("temp_store", "memory");
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .min_connections(1)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(options)
                    .await
                    .map_err(|source| DbError::Unreachable {
                        url: url.redacted(),
                        source,
                    })?;
                Pool::Sqlite(pool)
            }
            DatabaseUrl::Postgres(raw) => {
                let options =
                    PgConnectOptions::from_str(raw).map_err(|source| DbError::InvalidUrl {
                        url: url.redacted(),
                        source,
                    })?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(options)
                    .await
                    .map_err(|source| DbError::Unreachable {
                        url: url.redacted(),
                        source,
                    })?;
                Pool::Postgres(pool)
            }
        };
        Ok(Db::from_pool(pool))
    }

    pub fn from_pool(pool: Pool) -> Db {
        let reader = match &pool {
            Pool::Sqlite(p) => SqliteReader::new(p.connect_options().get_filename()).map(Arc::new),
            Pool::Postgres(_) => None,
        };
        Db {
            pool,
            write_lock: Arc::new(Mutex::new(())),
            reader,
        }
    }

    /// Where big reads go on a SQLite file; `None` on PostgreSQL (sqlx reads fast enough
    /// there) and on an in-memory SQLite database.
    pub fn sqlite_reader(&self) -> Option<&Arc<SqliteReader>> {
        self.reader.as_ref()
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Start a write transaction. SQLite takes the write lock up front (`BEGIN IMMEDIATE`) so
    /// a transaction that reads before it writes can never fail to upgrade its lock.
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                let guard = self.write_lock.clone().lock_owned().await;
                let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(Tx::Sqlite(tx, guard))
            }
            Pool::Postgres(pool) => Ok(Tx::Postgres(pool.begin().await?)),
        }
    }

    /// Whether the database answers a trivial query within `timeout`.
    pub async fn ping(&self, timeout: Duration) -> bool {
        let query = async {
            with_pool!(&self.pool, p => sqlx::query("SELECT 1").execute(p).await.map(|_| ()))
        };
        matches!(tokio::time::timeout(timeout, query).await, Ok(Ok(())))
    }

    /// Close every connection (on shutdown, so SQLite checkpoints its WAL).
    pub async fn close(&self) {
        if let Some(reader) = &self.reader {
            reader.close();
        }
        with_pool!(&self.pool, p => p.close().await)
    }
}

impl Tx {
    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(tx, _guard) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(..) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sqlite_paths_in_every_common_spelling() {
        let cases = [
            ("strata.db", "strata.db"),
            ("sqlite:strata.db", "strata.db"),
            ("sqlite://data/strata.db", "data/strata.db"),
            ("sqlite:///var/lib/strata.db", "/var/lib/strata.db"),
            ("sqlite://strata.db?mode=rwc", "strata.db"),
        ];
        for (input, path) in cases {
            assert_eq!(
                input.parse::<DatabaseUrl>().unwrap(),
                DatabaseUrl::Sqlite(PathBuf::from(path)),
                "{input}"
            );
        }
    }

    #[test]
    fn parses_postgres_urls_and_refuses_other_schemes() {
        assert_eq!(
            "postgres://root@127.0.0.1:5432/test"
                .parse::<DatabaseUrl>()
                .unwrap(),
            DatabaseUrl::Postgres("postgres://root@127.0.0.1:5432/test".into())
        );
        assert!("postgresql://u@h/db".parse::<DatabaseUrl>().is_ok());
        let err = "mysql://root@localhost/x"
            .parse::<DatabaseUrl>()
            .unwrap_err();
        assert!(err.to_string().contains("`mysql`"), "{err}");
    }

    #[test]
    fn never_shows_a_password() {
        let url: DatabaseUrl = "postgres://strata:s3cret@db.internal:5432/strata"
            .parse()
            .unwrap();
        for shown in [format!("{url:?}"), url.to_string(), url.redacted()] {
            assert!(!shown.contains("s3cret"), "{shown}");
            assert!(
                shown.contains("strata:***@db.internal:5432/strata"),
                "{shown}"
            );
        }
    }

    #[test]
    fn never_shows_a_password_given_as_a_parameter() {
        let url: DatabaseUrl =
            "postgres://bob@h/db?sslmode=require&Password=s3cret&sslpassword=k3y&application_name=x"
                .parse()
                .unwrap();
        for shown in [format!("{url:?}"), url.to_string(), url.redacted()] {
            assert!(
                !shown.contains("s3cret") && !shown.contains("k3y"),
                "{shown}"
            );
            assert_eq!(
                shown,
                "postgres://bob@h/db?sslmode=require&Password=***&sslpassword=***&application_name=x"
            );
        }
    }
}
