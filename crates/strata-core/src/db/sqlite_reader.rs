//! Bulk reads from the SQLite file through rusqlite, on a blocking thread.
//!
//! sqlx's SQLite driver steps each statement on a worker thread, copies every value of every
//! row and hands the rows one by one to the async side: for reads of tens of thousands of
//! rows that costs about twice SQLite's own work (impact facts at 1,000,000 jobs: 526 ms
//! through sqlx where the same four queries take 160 ms in the `sqlite3` shell; see
//! docs/PERFORMANCE.md). Reads that big go through here instead: the rows are decoded in
//! place, on a thread where blocking is allowed, from a connection of its own (WAL mode lets
//! readers run beside the writer and beside sqlx's connections).

use std::{
    fmt,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use rusqlite::{Connection, OpenFlags, Row, types::Value};

use crate::read::sql::Arg;

/// Connections kept open between reads, at most.
const IDLE: usize = 4;

/// Read-only connections to one SQLite file.
pub struct SqliteReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl fmt::Debug for SqliteReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteReader")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteReader {
    /// A reader for the file at `path`; `None` for an in-memory database, which another
    /// connection could not see.
    pub fn new(path: &Path) -> Option<SqliteReader> {
        let name = path.to_string_lossy();
        (!name.is_empty() && name != ":memory:" && !name.contains("mode=memory")).then(|| {
            SqliteReader {
                path: path.to_owned(),
                idle: Mutex::new(Vec::new()),
            }
        })
    }

    /// Run `read` on a blocking thread with a connection, inside one read transaction, so
    /// every statement of it sees the same snapshot.
    pub async fn read<T, F>(self: &Arc<Self>, read: F) -> sqlx::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let reader = Arc::clone(self);
        let result = tokio::task::spawn_blocking(move || {
            let conn = reader.connection()?;
            let tx = conn.unchecked_transaction()?;
            let out = read(&tx)?;
            tx.finish()?;
            reader.put_back(conn);
            Ok(out)
        })
        .await;
        match result {
            Ok(out) => out.map_err(|e: rusqlite::Error| sqlx::Error::AnyDriverError(Box::new(e))),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => Err(sqlx::Error::AnyDriverError(Box::new(e))),
        }
    }

    fn connection(&self) -> rusqlite::Result<Connection> {
        if let Some(conn) = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop() {
            return Ok(conn);
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Sorts (ORDER BY over an index range) stay in memory, as on sqlx's connections.
        conn.pragma_update(None, "temp_store", "memory")?;
        conn.pragma_update(None, "cache_size", "-16000")?;
        Ok(conn)
    }

    /// Close the idle connections (a read under way closes its own when it ends).
    pub fn close(&self) {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    fn put_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < IDLE {
            idle.push(conn);
        }
    }
}

/// How long a read waits for a lock another connection holds (a checkpoint, say).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Every row of `sql` with `args` bound in order (`$1`, `$2`, …), mapped by `row`.
pub fn rows<T>(
    conn: &Connection,
    sql: &str,
    args: &[Arg],
    row: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut statement = conn.prepare_cached(sql)?;
    let mapped = statement.query_map(params(args), row)?;
    mapped.collect()
}

/// `args` to bind in order (`$1`, `$2`, …).
pub fn params(args: &[Arg]) -> impl rusqlite::Params + '_ {
    rusqlite::params_from_iter(args.iter().map(|a| match a {
        Arg::Int(i) => Value::Integer(*i),
        Arg::Text(t) => Value::Text(t.clone()),
    }))
}
