//! Browser sessions in the `sessions` table. The cookie carries a random id; the table keeps
//! its SHA-256, the user, a per-session CSRF token and when it expires.

use std::time::Duration;

use strata_app::{db::Db, with_pool};

use super::secrets::{random_token, sha256_hex};

/// A live session, as a request finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub user: String,
    pub csrf_token: String,
}

/// Start a session for `user`; returns the id for the cookie (never stored in clear).
pub async fn create(db: &Db, user: &str, lifetime: Duration, now_ms: i64) -> sqlx::Result<String> {
    let id = random_token();
    let expires_ms = now_ms.saturating_add(lifetime.as_millis() as i64);
    const SQL: &str =
        "INSERT INTO sessions (id_sha256, user_name, csrf_token, created_ms, expires_ms)
                       VALUES ($1, $2, $3, $4, $5)";
    let (hash, csrf) = (sha256_hex(&id), random_token());
    with_pool!(db.pool(), p => sqlx::query(SQL).bind(&hash).bind(user).bind(&csrf).bind(now_ms).bind(expires_ms).execute(p).await.map(|_| ()))?;
    Ok(id)
}

/// The session a cookie names, if it exists and has not expired.
pub async fn find(db: &Db, id: &str, now_ms: i64) -> sqlx::Result<Option<Session>> {
    const SQL: &str =
        "SELECT user_name, csrf_token FROM sessions WHERE id_sha256 = $1 AND expires_ms > $2";
    let hash = sha256_hex(id);
    let row: Option<(String, String)> = with_pool!(db.pool(), p => sqlx::query_as(SQL).bind(&hash).bind(now_ms).fetch_optional(p).await)?;
    Ok(row.map(|(user, csrf_token)| Session { user, csrf_token }))
}

/// End a session (logout).
pub async fn delete(db: &Db, id: &str) -> sqlx::Result<()> {
    let hash = sha256_hex(id);
    with_pool!(db.pool(), p => sqlx::query("DELETE FROM sessions WHERE id_sha256 = $1").bind(&hash).execute(p).await.map(|_| ()))?;
    Ok(())
}

/// Forget expired sessions (done at each sign-in, so the table stays small).
pub async fn purge_expired(db: &Db, now_ms: i64) -> sqlx::Result<u64> {
    let done = with_pool!(db.pool(), p => sqlx::query("DELETE FROM sessions WHERE expires_ms <= $1").bind(now_ms).execute(p).await?.rows_affected());
    Ok(done)
}
