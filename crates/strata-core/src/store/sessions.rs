//! Browser sessions in the `sessions` table, keyed by the SHA-256 of the cookie's random id
//! (the id itself is never stored; `auth` makes and hashes it).

use crate::{db::Db, with_pool};

/// A stored session, as a request finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub user: String,
    pub csrf_token: String,
}

/// Store a session until `expires_ms`.
pub async fn insert(
    db: &Db,
    id_sha256: &str,
    session: &Session,
    now_ms: i64,
    expires_ms: i64,
) -> sqlx::Result<()> {
    const SQL: &str =
        "INSERT INTO sessions (id_sha256, user_name, csrf_token, created_ms, expires_ms)
                       VALUES ($1, $2, $3, $4, $5)";
    with_pool!(db.pool(), p => sqlx::query(SQL).bind(id_sha256).bind(&session.user).bind(&session.csrf_token).bind(now_ms).bind(expires_ms).execute(p).await.map(|_| ()))
}

/// The session stored under `id_sha256`, if it has not expired by `now_ms`.
pub async fn find(db: &Db, id_sha256: &str, now_ms: i64) -> sqlx::Result<Option<Session>> {
    const SQL: &str =
        "SELECT user_name, csrf_token FROM sessions WHERE id_sha256 = $1 AND expires_ms > $2";
    let row: Option<(String, String)> = with_pool!(db.pool(), p => sqlx::query_as(SQL).bind(id_sha256).bind(now_ms).fetch_optional(p).await)?;
    Ok(row.map(|(user, csrf_token)| Session { user, csrf_token }))
}

/// Forget one session (logout).
pub async fn delete(db: &Db, id_sha256: &str) -> sqlx::Result<()> {
    with_pool!(db.pool(), p => sqlx::query("DELETE FROM sessions WHERE id_sha256 = $1").bind(id_sha256).execute(p).await.map(|_| ()))
}

/// Forget expired sessions; returns how many went.
pub async fn purge_expired(db: &Db, now_ms: i64) -> sqlx::Result<u64> {
    let done = with_pool!(db.pool(), p => sqlx::query("DELETE FROM sessions WHERE expires_ms <= $1").bind(now_ms).execute(p).await?.rows_affected());
    Ok(done)
}
