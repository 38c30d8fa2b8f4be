//! Access control, on when STRATA_AUTH names a file (see [`config`]): API tokens for scripts
//! (`Authorization: Bearer`), a sign-in page and session cookie for browsers, CSRF checks on
//! the forms. Without it Strata is open, and says so loudly when reachable from elsewhere.

pub mod config;
mod cookies;
mod gate;
mod login;
pub mod secrets;
pub mod sessions;
mod throttle;

use std::{net::SocketAddr, sync::Arc};

use axum::Router;
use strata_core::db::Db;
use url::Url;

pub use config::AuthConfig;
pub use cookies::SESSION_COOKIE;
pub use gate::gate;

/// What the gate and the sign-in pages share; cheap to clone.
#[derive(Clone)]
pub struct Auth {
    inner: Arc<Inner>,
}

struct Inner {
    config: AuthConfig,
    db: Db,
    public_url: Option<Url>,
    /// A real hash to verify unknown user names against, so a wrong name takes as long as a
    /// wrong password.
    dummy_hash: String,
    throttle: throttle::LoginThrottle,
    /// Password checks go to [`throttle::CONCURRENT_CHECKS`] long-lived threads. On the
    /// blocking pool each check ran on whichever thread was free, and every thread's malloc
    /// arena kept its 19 MiB: 18 checks left the server at 367 MiB.
    checkers: std::sync::Mutex<std::sync::mpsc::Sender<PasswordJob>>,
}

type PasswordJob = (String, String, tokio::sync::oneshot::Sender<bool>);

/// Threads that verify passwords, one job at a time each, until `Auth` is dropped.
fn password_checkers() -> std::sync::mpsc::Sender<PasswordJob> {
    let (jobs, queue) = std::sync::mpsc::channel::<PasswordJob>();
    let queue = Arc::new(std::sync::Mutex::new(queue));
    for i in 0..throttle::CONCURRENT_CHECKS {
        let queue = queue.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("password-check-{i}"))
            .spawn(move || {
                loop {
                    let job = queue.lock().map(|q| q.recv());
                    let Ok(Ok((password, phc, reply))) = job else {
                        return;
                    };
                    let _ = reply.send(secrets::verify_password(&password, &phc));
                }
            });
        if let Err(err) = spawned {
            tracing::error!(error = %err, "cannot start a password-check thread");
        }
    }
    jobs
}

impl Auth {
    pub fn new(config: AuthConfig, db: Db, public_url: Option<Url>) -> Auth {
        let dummy_hash = secrets::hash_password(&secrets::random_token())
            .expect("argon2 hashes a random password");
        Auth {
            inner: Arc::new(Inner {
                config,
                db,
                public_url,
                dummy_hash,
                throttle: throttle::LoginThrottle::default(),
                checkers: std::sync::Mutex::new(password_checkers()),
            }),
        }
    }

    pub fn config(&self) -> &AuthConfig {
        &self.inner.config
    }

    fn db(&self) -> &Db {
        &self.inner.db
    }

    /// The name of the API token whose SHA-256 matches, if any. Every entry is compared, in
    /// constant time, so timing says nothing about which digest came close.
    fn token_name(&self, token: &str) -> Option<&str> {
        let digest = secrets::sha256_hex(token.trim());
        let mut found = None;
        for entry in &self.inner.config.tokens {
            if secrets::same(&digest, &entry.sha256.to_ascii_lowercase()) {
                found = Some(entry.name.as_str());
            }
        }
        found
    }

    /// Whether `password` is `user`'s (argon2, off the async runtime).
    async fn check_password(&self, user: &str, password: String) -> bool {
        let hash = self
            .inner
            .config
            .users
            .iter()
            .find(|u| u.name == user)
            .map(|u| (u.password_hash.clone(), true))
            .unwrap_or_else(|| (self.inner.dummy_hash.clone(), false));
        let (phc, known) = hash;
        let (reply, answer) = tokio::sync::oneshot::channel();
        let sent = match self.inner.checkers.lock() {
            Ok(jobs) => jobs.send((password, phc, reply)).is_ok(),
            Err(_) => false,
        };
        let ok = sent && answer.await.unwrap_or(false);
        ok && known
    }
}

/// `/login` and `/logout`.
pub fn router<S: Clone + Send + Sync + 'static>(auth: Auth) -> Router<S> {
    login::router().with_state(auth)
}

/// Says loudly when Strata is reachable from other machines with nothing protecting it.
/// Returns whether it warned.
pub fn warn_if_open(listen: SocketAddr, auth: Option<&AuthConfig>) -> bool {
    let open = auth.is_none() && !listen.ip().is_loopback();
    if open {
        tracing::warn!(
            %listen,
            "STRATA_AUTH is not set and Strata listens on a non-loopback address: ANYONE WHO CAN \
             REACH {listen} CAN READ EVERY DASHBOARD, EXPORT AND API. Set STRATA_AUTH (see the \
             README, \"Access control\") or listen on 127.0.0.1 behind an authenticating proxy."
        );
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_only_when_open_to_the_network() {
        let auth = AuthConfig::parse(&format!(
            "[[tokens]]\nname = \"a\"\nsha256 = \"{}\"",
            "0".repeat(64)
        ))
        .unwrap();
        assert!(warn_if_open("0.0.0.0:3000".parse().unwrap(), None));
        assert!(warn_if_open("[::]:3000".parse().unwrap(), None));
        assert!(!warn_if_open("127.0.0.1:3000".parse().unwrap(), None));
        assert!(!warn_if_open("[::1]:3000".parse().unwrap(), None));
        assert!(!warn_if_open("0.0.0.0:3000".parse().unwrap(), Some(&auth)));
    }
}
