//! The write side of the database: schema migrations, the upserts that ingest uses, and the
//! trace queue. Reads live in `strata_app::queries`.

pub mod analysis;
pub mod merge;
pub mod records;
pub mod retention;
pub mod rollups;
pub mod status;
pub mod trace_queue;
pub mod writes;

use anyhow::Context;
use sqlx::migrate::Migrator;
use strata_app::{
    db::{DatabaseUrl, Db, Pool, Tx},
    with_tx,
};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Connect and bring the schema up to date: what every command does first.
pub async fn open(url: &DatabaseUrl) -> anyhow::Result<Db> {
    let db = Db::connect(url).await?;
    migrate(&db)
        .await
        .with_context(|| format!("cannot migrate database {url}"))?;
    Ok(db)
}

/// Apply the migrations this binary carries that the database lacks.
#[tracing::instrument(skip(db), fields(backend = ?db.backend()))]
pub async fn migrate(db: &Db) -> Result<(), sqlx::migrate::MigrateError> {
    match db.pool() {
        Pool::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
        Pool::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
    }
}

/// Ids bound per statement at most: SQLite allows 32,766 values, PostgreSQL 65,535.
pub(crate) const MAX_BINDS: usize = 30_000;

/// Run `{statement} IN (ids…)` for many ids, in as few statements as the bind limits allow;
/// `statement` ends with the column, e.g. `DELETE FROM trace_queue WHERE job_id`.
pub(crate) async fn execute_for_ids(
    tx: &mut Tx,
    statement: &str,
    ids: &[i64],
) -> sqlx::Result<u64> {
    let mut affected = 0;
    for chunk in ids.chunks(MAX_BINDS) {
        affected += with_tx!(&mut *tx, c => {
            let mut q = sqlx::QueryBuilder::new(statement);
            q.push(" IN (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")").build().execute(c).await?.rows_affected()
        });
    }
    Ok(affected)
}
