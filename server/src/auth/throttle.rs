//! Sign-in throttling. Each attempt runs argon2 (19 MiB, tens of milliseconds of CPU): 200
//! parallel wrong sign-ins once took the server to 4.6 GB, and nothing slowed guessing.
//!
//! - At most [`CONCURRENT_CHECKS`] password checks run at once and [`MAX_WAITING_CHECKS`]
//!   wait for their turn; beyond that an attempt is refused at once (429, `Retry-After: 1`).
//! - Per client address and per user name, [`FREE_FAILURES`] wrong attempts are free; each
//!   one after that doubles the wait before the next is even checked (1 s, 2 s, 4 s … at most
//!   [`MAX_BACKOFF`]); an attempt inside the wait is refused with 429 and `Retry-After`. A
//!   success clears both counts; an hour without failures forgets them.
//! - At most [`MAX_TRACKED`] addresses and names are remembered (the stalest go first), so
//!   a flood of names cannot grow memory without bound.

use std::{
    collections::HashMap,
    future::Future,
    net::IpAddr,
    sync::{
        Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::sync::Semaphore;

pub const CONCURRENT_CHECKS: usize = 2;
pub const MAX_WAITING_CHECKS: usize = 16;
pub const FREE_FAILURES: u32 = 5;
pub const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);
const FORGET_AFTER_MS: i64 = 60 * 60 * 1000;
pub const MAX_TRACKED: usize = 10_000;
/// User names are remembered by at most this many bytes.
const MAX_NAME_KEY: usize = 128;

/// A place among the attempts running or waiting to run.
struct Place<'a> {
    counter: &'a AtomicUsize,
    /// Attempts that held a place when this one took its own.
    ahead: usize,
}

impl<'a> Place<'a> {
    fn take(counter: &'a AtomicUsize) -> Place<'a> {
        let ahead = counter.fetch_add(1, Ordering::AcqRel);
        Place { counter, ahead }
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        self.counter.fetch_sub(1, Ordering::AcqRel);
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Addr(IpAddr),
    User(String),
}

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last_ms: i64,
}

impl Failures {
    /// Until when further attempts are refused.
    fn blocked_until_ms(self) -> i64 {
        if self.count < FREE_FAILURES {
            return self.last_ms;
        }
        let doublings = (self.count - FREE_FAILURES).min(20);
        let wait = (1000_i64 << doublings).min(MAX_BACKOFF.as_millis() as i64);
        self.last_ms + wait
    }
}

/// Why an attempt was not checked.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Too many recent failures for this address or name: try again after this long.
    Throttled(Duration),
    /// Too many checks running and waiting.
    Busy,
}

pub struct LoginThrottle {
    failures: Mutex<HashMap<Key, Failures>>,
    checks: Semaphore,
    waiting: AtomicUsize,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            failures: Mutex::new(HashMap::new()),
            checks: Semaphore::new(CONCURRENT_CHECKS),
            waiting: AtomicUsize::new(0),
        }
    }
}

fn keys(addr: Option<IpAddr>, user: &str) -> Vec<Key> {
    let mut end = user.len().min(MAX_NAME_KEY);
    while !user.is_char_boundary(end) {
        end -= 1;
    }
    let mut keys = vec![Key::User(user[..end].to_owned())];
    keys.extend(addr.map(Key::Addr));
    keys
}

impl LoginThrottle {
    /// Run `check` (the password check) unless this attempt must wait; `Ok(true)` when it
    /// succeeded. Failures and successes are recorded here.
    pub async fn attempt<F>(
        &self,
        addr: Option<IpAddr>,
        user: &str,
        now_ms: impl Fn() -> i64,
        check: F,
    ) -> Result<bool, Refused>
    where
        F: Future<Output = bool>,
    {
        if let Some(wait) = self.wait(addr, user, now_ms()) {
            return Err(Refused::Throttled(wait));
        }
        // Counted until dropped, so an attempt whose client went away frees its place too.
        let place = Place::take(&self.waiting);
        if place.ahead >= CONCURRENT_CHECKS + MAX_WAITING_CHECKS {
            return Err(Refused::Busy);
        }
        let permit = self.checks.acquire().await;
        let ok = check.await;
        drop((permit, place));
        if ok {
            self.succeeded(addr, user);
        } else {
            self.failed(addr, user, now_ms());
        }
        Ok(ok)
    }

    /// How long an attempt from `addr` for `user` must still wait, if at all.
    pub fn wait(&self, addr: Option<IpAddr>, user: &str, now_ms: i64) -> Option<Duration> {
        let failures = self.failures.lock().expect("throttle lock");
        keys(addr, user)
            .iter()
            .filter_map(|key| failures.get(key))
            .map(|f| f.blocked_until_ms() - now_ms)
            .filter(|ms| *ms > 0)
            .max()
            .map(|ms| Duration::from_millis(ms as u64))
    }

    fn failed(&self, addr: Option<IpAddr>, user: &str, now_ms: i64) {
        let mut failures = self.failures.lock().expect("throttle lock");
        if failures.len() >= MAX_TRACKED {
            failures.retain(|_, f| now_ms - f.last_ms < FORGET_AFTER_MS);
        }
        for key in keys(addr, user) {
            if failures.len() >= MAX_TRACKED && !failures.contains_key(&key) {
                let stalest = failures
                    .iter()
                    .min_by_key(|(_, f)| f.last_ms)
                    .map(|(k, _)| k.clone());
                if let Some(stalest) = stalest {
                    failures.remove(&stalest);
                }
            }
            let entry = failures.entry(key).or_insert(Failures {
                count: 0,
                last_ms: now_ms,
            });
            if now_ms - entry.last_ms >= FORGET_AFTER_MS {
                entry.count = 0;
            }
            entry.count = entry.count.saturating_add(1);
            entry.last_ms = now_ms;
        }
    }

    fn succeeded(&self, addr: Option<IpAddr>, user: &str) {
        let mut failures = self.failures.lock().expect("throttle lock");
        for key in keys(addr, user) {
            failures.remove(&key);
        }
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.failures.lock().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDR: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 7)));

    #[test]
    fn a_few_failures_are_free_then_the_wait_doubles_up_to_the_cap() {
        let throttle = LoginThrottle::default();
        let t0 = 1_000_000;
        for i in 0..FREE_FAILURES {
            assert_eq!(throttle.wait(ADDR, "alice", t0), None, "attempt {i}");
            throttle.failed(ADDR, "alice", t0);
        }
        assert_eq!(
            throttle.wait(ADDR, "alice", t0),
            Some(Duration::from_secs(1))
        );
        throttle.failed(ADDR, "alice", t0 + 1_000);
        assert_eq!(
            throttle.wait(ADDR, "alice", t0 + 1_000),
            Some(Duration::from_secs(2))
        );
        // The same user from elsewhere waits too, and so does the address for another user.
        assert!(throttle.wait(None, "alice", t0 + 1_000).is_some());
        assert!(throttle.wait(ADDR, "bob", t0 + 1_000).is_some());
        assert_eq!(throttle.wait(None, "bob", t0 + 1_000), None);
        for _ in 0..40 {
            throttle.failed(ADDR, "alice", t0 + 2_000);
        }
        assert_eq!(throttle.wait(ADDR, "alice", t0 + 2_000), Some(MAX_BACKOFF));
        // An hour without failures forgets them.
        let later = t0 + 2_000 + FORGET_AFTER_MS;
        throttle.failed(ADDR, "alice", later);
        assert_eq!(throttle.wait(ADDR, "alice", later), None);
    }

    #[test]
    fn success_clears_the_counts() {
        let throttle = LoginThrottle::default();
        for _ in 0..FREE_FAILURES + 2 {
            throttle.failed(ADDR, "alice", 0);
        }
        throttle.succeeded(ADDR, "alice");
        assert_eq!(throttle.wait(ADDR, "alice", 0), None);
    }

    #[test]
    fn memory_is_bounded_whatever_names_arrive() {
        let throttle = LoginThrottle::default();
        for i in 0..(MAX_TRACKED * 2) {
            throttle.failed(None, &format!("user-{i}-{}", "x".repeat(1000)), i as i64);
        }
        assert!(throttle.tracked() <= MAX_TRACKED, "{}", throttle.tracked());
    }

    #[tokio::test]
    async fn checks_beyond_the_queue_are_refused_at_once() {
        let throttle = std::sync::Arc::new(LoginThrottle::default());
        let (release, released) = tokio::sync::watch::channel(false);
        let mut running = Vec::new();
        for i in 0..(CONCURRENT_CHECKS + MAX_WAITING_CHECKS) {
            let throttle = throttle.clone();
            let mut released = released.clone();
            running.push(tokio::spawn(async move {
                let user = format!("u{i}");
                throttle
                    .attempt(None, &user, || 0, async move {
                        let _ = released.wait_for(|r| *r).await;
                        false
                    })
                    .await
            }));
        }
        while throttle.waiting.load(Ordering::Acquire) < CONCURRENT_CHECKS + MAX_WAITING_CHECKS {
            tokio::task::yield_now().await;
        }
        let refused = throttle.attempt(None, "late", || 0, async { true }).await;
        assert_eq!(refused, Err(Refused::Busy));
        release.send(true).unwrap();
        for task in running {
            assert_eq!(task.await.unwrap(), Ok(false));
        }
        assert_eq!(
            throttle.attempt(None, "late", || 0, async { true }).await,
            Ok(true)
        );
    }
}
