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
use strata_app::db::{DatabaseUrl, Db, Pool};

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
