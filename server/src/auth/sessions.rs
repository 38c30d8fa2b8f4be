//! Browser sessions. The cookie carries a random id; the `sessions` table
//! (`strata_core::store::sessions`) keeps its SHA-256, the user, a per-session CSRF token and
//! when it expires.

use std::time::Duration;

use strata_core::{db::Db, store::sessions};

pub use sessions::Session;

use super::secrets::{random_token, sha256_hex};

/// Start a session for `user`; returns the id for the cookie (never stored in clear).
pub async fn create(db: &Db, user: &str, lifetime: Duration, now_ms: i64) -> sqlx::Result<String> {
    let id = random_token();
    let expires_ms = now_ms.saturating_add(lifetime.as_millis() as i64);
    let session = Session {
        user: user.to_owned(),
        csrf_token: random_token(),
    };
    sessions::insert(db, &sha256_hex(&id), &session, now_ms, expires_ms).await?;
    Ok(id)
}

/// The session a cookie names, if it exists and has not expired.
pub async fn find(db: &Db, id: &str, now_ms: i64) -> sqlx::Result<Option<Session>> {
    sessions::find(db, &sha256_hex(id), now_ms).await
}

/// End a session (logout).
pub async fn delete(db: &Db, id: &str) -> sqlx::Result<()> {
    sessions::delete(db, &sha256_hex(id)).await
}

/// Forget expired sessions (done at each sign-in, so the table stays small).
pub async fn purge_expired(db: &Db, now_ms: i64) -> sqlx::Result<u64> {
    sessions::purge_expired(db, now_ms).await
}
