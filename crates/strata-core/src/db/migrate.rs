//! The schema: the migrations this build carries, one folder per backend, applied at start.

use sqlx::migrate::{MigrateError, Migrator};

use super::{DatabaseUrl, Db, DbError, Pool};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/postgres");

/// Connect and bring the schema up to date: what every command does first.
pub async fn open(url: &DatabaseUrl) -> Result<Db, DbError> {
    let db = Db::connect(url).await?;
    migrate(&db).await.map_err(|source| DbError::Migrate {
        url: url.redacted(),
        source,
    })?;
    Ok(db)
}

/// Apply the migrations this binary carries that the database lacks.
#[tracing::instrument(skip(db), fields(backend = ?db.backend()))]
pub async fn migrate(db: &Db) -> Result<(), MigrateError> {
    match db.pool() {
        Pool::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
        Pool::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
    }
}
