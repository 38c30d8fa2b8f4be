//! Staying within what GitLab allows: a ceiling on requests per second (token bucket) and on
//! requests in flight (semaphore), a shared pause when GitLab says the budget is spent
//! (`RateLimit-Remaining: 0` until `RateLimit-Reset`, or `429` with `Retry-After`), and
//! exponential backoff with jitter for when it says nothing.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use reqwest::header::HeaderMap;
use tokio::{
    sync::{OwnedSemaphorePermit, Semaphore},
    time::Instant,
};

/// No single pause is longer than this, whatever a (possibly broken) header says.
pub const MAX_PAUSE: Duration = Duration::from_secs(15 * 60);

/// Admission for every request this client makes.
#[derive(Debug)]
pub struct Throttle {
    bucket: Option<TokenBucket>,
    in_flight: Arc<Semaphore>,
    paused_until: Mutex<Option<Instant>>,
}

impl Throttle {
    /// `max_rps`: `None` or a non-positive value means no rate ceiling. `concurrency` ≥ 1.
    pub fn new(max_rps: Option<f64>, concurrency: usize) -> Throttle {
        Throttle {
            bucket: max_rps
                .filter(|r| r.is_finite() && *r > 0.0)
                .map(TokenBucket::new),
            in_flight: Arc::new(Semaphore::new(concurrency.max(1))),
            paused_until: Mutex::new(None),
        }
    }

    /// Wait for any pause to end, a slot, and a token. Hold the permit while the response is
    /// read: a streaming body still occupies a connection.
    pub async fn admit(&self) -> OwnedSemaphorePermit {
        let permit = self
            .in_flight
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        self.wait_while_paused().await;
        if let Some(bucket) = &self.bucket {
            bucket.take().await;
        }
        permit
    }

    /// Stop every request until `delay` from now (capped at [`MAX_PAUSE`]).
    pub fn pause_for(&self, delay: Duration) {
        let until = Instant::now() + delay.min(MAX_PAUSE);
        let mut paused = self.paused_until.lock().expect("pause lock");
        if paused.is_none_or(|p| p < until) {
            *paused = Some(until);
        }
    }

    async fn wait_while_paused(&self) {
        loop {
            let until = *self.paused_until.lock().expect("pause lock");
            match until {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
                _ => return,
            }
        }
    }
}

/// Requests per second, with a burst of up to one second's worth.
#[derive(Debug)]
struct TokenBucket {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    fn new(rate: f64) -> TokenBucket {
        let burst = rate.max(1.0);
        TokenBucket {
            rate,
            burst,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    /// Take a token, waiting for it if the bucket is empty. The token is reserved before the
    /// wait (the level may go negative), so waiters are served in arrival order.
    async fn take(&self) {
        let wait = {
            let mut state = self.state.lock().expect("bucket lock");
            let now = Instant::now();
            let (tokens, last) = *state;
            let refilled =
                (tokens + now.duration_since(last).as_secs_f64() * self.rate).min(self.burst) - 1.0;
            *state = (refilled, now);
            (refilled < 0.0).then(|| Duration::from_secs_f64(-refilled / self.rate))
        };
        if let Some(wait) = wait {
            tokio::time::sleep(wait).await;
        }
    }
}

/// How long GitLab asks us to wait before the next request, from `RateLimit-Remaining: 0`
/// and `RateLimit-Reset` (a Unix time in seconds, or seconds from now in the IETF draft).
pub fn budget_exhausted_pause(headers: &HeaderMap, now_unix_s: u64) -> Option<Duration> {
    let remaining: u64 = header_str(headers, "ratelimit-remaining")?.parse().ok()?;
    if remaining > 0 {
        return None;
    }
    let reset: u64 = header_str(headers, "ratelimit-reset")
        .and_then(|v| v.parse().ok())
        // Remaining 0 without a reset time: GitLab's windows are a minute long.
        .unwrap_or(now_unix_s + 60);
    let seconds = if reset > 1_000_000_000 {
        reset.saturating_sub(now_unix_s)
    } else {
        reset
    };
    Some(Duration::from_secs(seconds.max(1)))
}

/// `Retry-After` as seconds or an HTTP date.
pub fn retry_after(headers: &HeaderMap, now: std::time::SystemTime) -> Option<Duration> {
    let value = header_str(headers, "retry-after")?;
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

/// Exponential backoff with full jitter: attempt `n` (1-based) waits a random time up to
/// `base · 2^(n-1)`, capped at `max`, so clients that failed together do not retry together.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Backoff {
    pub fn delay(&self, attempt: u32) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
            .min(self.max);
        // Never zero: half the ceiling is fixed, the other half random.
        ceiling / 2 + ceiling.mul_f64(fastrand::f64() / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[tokio::test(start_paused = true)]
    async fn the_token_bucket_holds_the_rate_after_a_one_second_burst() {
        let throttle = Throttle::new(Some(10.0), 100);
        let start = Instant::now();
        for _ in 0..30 {
            drop(throttle.admit().await);
        }
        // 10 from the burst, then 20 more at 10 per second.
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_millis(1_900) && elapsed <= Duration::from_millis(2_100),
            "{elapsed:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn no_ceiling_means_no_waiting() {
        let throttle = Throttle::new(None, 1);
        let start = Instant::now();
        for _ in 0..1_000 {
            drop(throttle.admit().await);
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_request_and_only_grows() {
        let throttle = Throttle::new(None, 4);
        throttle.pause_for(Duration::from_secs(5));
        throttle.pause_for(Duration::from_secs(2));
        let start = Instant::now();
        drop(throttle.admit().await);
        assert_eq!(start.elapsed(), Duration::from_secs(5));
        throttle.pause_for(Duration::from_secs(24 * 3600));
        let start = Instant::now();
        drop(throttle.admit().await);
        assert_eq!(start.elapsed(), MAX_PAUSE);
    }

    #[tokio::test(start_paused = true)]
    async fn the_semaphore_bounds_requests_in_flight() {
        let throttle = std::sync::Arc::new(Throttle::new(None, 2));
        let first = throttle.admit().await;
        let _second = throttle.admit().await;
        let waiting = {
            let throttle = throttle.clone();
            tokio::spawn(async move {
                drop(throttle.admit().await);
            })
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!waiting.is_finished());
        drop(first);
        waiting.await.unwrap();
    }

    #[test]
    fn an_exhausted_budget_pauses_until_the_reset() {
        let now = 1_700_000_000;
        let h = headers(&[
            ("ratelimit-remaining", "0"),
            ("ratelimit-reset", "1700000042"),
        ]);
        assert_eq!(
            budget_exhausted_pause(&h, now),
            Some(Duration::from_secs(42))
        );
        let delta = headers(&[("ratelimit-remaining", "0"), ("ratelimit-reset", "7")]);
        assert_eq!(
            budget_exhausted_pause(&delta, now),
            Some(Duration::from_secs(7))
        );
        let left = headers(&[
            ("ratelimit-remaining", "3"),
            ("ratelimit-reset", "1700000042"),
        ]);
        assert_eq!(budget_exhausted_pause(&left, now), None);
        assert_eq!(budget_exhausted_pause(&HeaderMap::new(), now), None);
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = std::time::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        let h = headers(&[("retry-after", "3")]);
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(3)));
        let date = headers(&[("retry-after", "Sun, 06 Nov 1994 08:49:47 GMT")]);
        assert_eq!(retry_after(&date, now), Some(Duration::from_secs(10)));
        let past = headers(&[("retry-after", "Sun, 06 Nov 1994 08:00:00 GMT")]);
        assert_eq!(retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), now), None);
    }

    #[test]
    fn backoff_grows_exponentially_with_jitter_and_a_cap() {
        let backoff = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_secs(2),
        };
        for _ in 0..100 {
            let first = backoff.delay(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let fourth = backoff.delay(4);
            assert!(fourth >= Duration::from_millis(400) && fourth <= Duration::from_millis(800));
            assert!(backoff.delay(30) <= Duration::from_secs(2));
        }
    }
}
